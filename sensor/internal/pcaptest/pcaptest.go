// Package pcaptest reads TCP payloads out of the shared third-party
// captures for the protocol parsers' tests (sensor/dicom, sensor/hl7). It is
// imported only by tests.
package pcaptest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// SharedPcapPath returns the path of a capture under ../shared/pcaps
// relative to the directory holding go.mod.
func SharedPcapPath(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the package directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "pcaps", rel)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// SharedPcap returns the path of a shared capture or skips the test.
func SharedPcap(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := SharedPcapPath(rel)
	if err != nil {
		tb.Skipf("shared capture %s not available (%v); see ../shared/pcaps/INDEX.md", rel, err)
	}
	return p
}

// Segment is one TCP payload of a capture or proxy recording.
type Segment struct {
	FromClient bool
	Data       []byte
}

// TCPSegments returns the non-empty TCP payloads of a pcap or pcapng file in
// file order; fromClient is true when the destination port is serverPort.
func TCPSegments(tb testing.TB, path string, serverPort uint16) []Segment {
	tb.Helper()
	var out []Segment
	for _, pkt := range Packets(tb, path) {
		tl, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || len(tl.Payload) == 0 {
			continue
		}
		out = append(out, Segment{
			FromClient: uint16(tl.DstPort) == serverPort,
			Data:       append([]byte(nil), tl.Payload...),
		})
	}
	if len(out) == 0 {
		tb.Fatalf("%s: no TCP payload", path)
	}
	return out
}

// Joined concatenates the segments of one direction.
func Joined(segs []Segment, fromClient bool) []byte {
	var b []byte
	for _, s := range segs {
		if s.FromClient == fromClient {
			b = append(b, s.Data...)
		}
	}
	return b
}
