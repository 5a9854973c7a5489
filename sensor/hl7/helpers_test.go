package hl7

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// sharedPcapPath returns the path of a capture under ../shared/pcaps
// relative to the directory holding go.mod.
func sharedPcapPath(rel string) (string, error) {
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

// sharedPcap returns the path of a shared capture or skips the test.
func sharedPcap(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := sharedPcapPath(rel)
	if err != nil {
		tb.Skipf("shared capture %s not available (%v); see ../shared/pcaps/INDEX.md", rel, err)
	}
	return p
}

// segment is one TCP payload of a capture or proxy recording.
type segment struct {
	fromClient bool
	data       []byte
}

// tcpSegments returns the non-empty TCP payloads of a pcap or pcapng file in
// file order; fromClient is true when the destination port is serverPort.
func tcpSegments(tb testing.TB, path string, serverPort uint16) []segment {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		tb.Fatal(err)
	}
	type source interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	var (
		src  source
		link layers.LinkType
	)
	if binary.LittleEndian.Uint32(magic) == 0x0A0D0D0A { // pcapng section header block
		r, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			tb.Fatal(err)
		}
		src, link = r, r.LinkType()
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			tb.Fatal(err)
		}
		src, link = r, r.LinkType()
	}
	var out []segment
	for {
		data, _, err := src.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, link, gopacket.Default)
		tl, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || len(tl.Payload) == 0 {
			continue
		}
		out = append(out, segment{
			fromClient: uint16(tl.DstPort) == serverPort,
			data:       append([]byte(nil), tl.Payload...),
		})
	}
	if len(out) == 0 {
		tb.Fatalf("%s: no TCP payload", path)
	}
	return out
}

// joined concatenates the segments of one direction.
func joined(segs []segment, fromClient bool) []byte {
	var b []byte
	for _, s := range segs {
		if s.fromClient == fromClient {
			b = append(b, s.data...)
		}
	}
	return b
}

// deframeAll returns copies of the messages in an MLLP stream.
func deframeAll(stream []byte, maxMsg int) ([][]byte, DeframerStats) {
	d := NewDeframer(maxMsg)
	var out [][]byte
	d.Feed(stream, func(m []byte) { out = append(out, append([]byte(nil), m...)) })
	return out, d.Stats()
}

// frame wraps a message in MLLP framing.
func frame(msg string) []byte { return []byte("\x0b" + msg + "\x1c\r") }

// Synthetic messages (fictional). devMsg carries equipment identifiers in
// PRT and OBX-18 next to PHI canaries in PID, PV1 and OBX-5.
const (
	devMsg = "MSH|^~\\&|MONITOR_GW^1.2.3.4^ISO|ICU_EAST|EMR|GENERAL_HOSP|20240101120000||ORU^R01^ORU_R01|MSG00042|P|2.6\r" +
		"PID|1||PATID1234^^^HOSP^MR||DOE^JANE^Q||19700101|F|||1 Canary Rd^^Springfield^IL^62701\r" +
		"PV1|1|I|ICU^101^A\r" +
		"OBR|1||ORD1|8867-4^Heart rate^LN\r" +
		"PRT|1|AD||EQUIP||||||PUMP-7731^INFUSION^1.2.840.999^ISO||||||(01)00888888000011~(01)00888888000028\r" +
		"OBX|1|NM|8867-4^Heart rate^LN||72|/min|||||F|||20240101120000||||MON-0042^PHILIPS^1.3.6.1.4.1.999^ISO~BED-101^^\r" +
		"OBX|2|ST|SECRET^Comment||DOE JANE SAYS HELLO||||||F|||||||MON-0042^PHILIPS^1.3.6.1.4.1.999^ISO\r" +
		"OBX|3|NM|8310-5^Temp^LN||37.0|Cel|||||F\r"
	ackMsg = "MSH|^~\\&|EMR|GENERAL_HOSP|MONITOR_GW^1.2.3.4^ISO|ICU_EAST|20240101120001||ACK^R01^ACK|ACK00042|P|2.6\rMSA|AE|MSG00042|Unknown bed\r"
)

// phiCanaries are strings from PID/NK1/PV1/AL1/OBX-5 of the captures and the
// synthetic messages that must never appear in what the parser returns.
var phiCanaries = []string{
	"MOUSE", "MICKEY", "MINNIE", "19281118", "135769", "Main St", "Buena", "939-5555", "ohtoodles", "Penicillin",
	"Cat dander", "DUCK", "DONALD", "GOOF", "19240101", "FORT WAYNE", "12345", "DOE", "JANE", "PATID", "Canary",
	"Springfield", "SECRET", "HELLO", "Heart rate",
}
