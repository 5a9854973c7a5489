package sensor

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// FuzzDecode feeds arbitrary frames through the whole per-packet path
// (decoder, tunnels, ARP/DHCP handling, tracker). The first byte picks the
// link type. Seeds are frames from the shared captures.
func FuzzDecode(f *testing.F) {
	if root, err := sharedRoot(); err == nil {
		files, _ := filepath.Glob(filepath.Join(root, "*", "*.pcap*"))
		for _, file := range files {
			src, err := OpenFile(file)
			if err != nil {
				continue
			}
			sel := byte(0)
			switch src.LinkType() {
			case layers.LinkTypeLinuxSLL:
				sel = 1
			case layers.LinkTypeNull, layers.LinkTypeLoop:
				sel = 2
			}
			for i := 0; i < 8; i++ {
				d, _, err := src.ReadPacket()
				if err == io.EOF || err != nil {
					break
				}
				f.Add(append([]byte{sel}, d...))
			}
			src.Close()
		}
	}
	f.Add([]byte{0})
	workers := [3]*worker{}
	for i, lt := range []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeNull} {
		s := New(Config{Tunnels: true, MaxAssets: 64, MaxBindings: 64}, &nullSink{})
		w, err := s.newWorker(Input{Source: &FileSource{path: "fuzz", r: linkOnly(lt)}, Vantage: "fuzz"}, true)
		if err != nil {
			f.Fatal(err)
		}
		workers[i] = w
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		w := workers[int(b[0])%3]
		ci := testCI(len(b) - 1)
		w.packet(b[1:], &ci)
	})
}

type linkOnly layers.LinkType

func (l linkOnly) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return nil, gopacket.CaptureInfo{}, io.EOF
}
func (l linkOnly) LinkType() layers.LinkType { return layers.LinkType(l) }

func sharedRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "pcaps")
			_, err := os.Stat(p)
			return p, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
