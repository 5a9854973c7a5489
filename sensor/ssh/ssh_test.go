package ssh

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{"arkime/arkime_synthetic.pcap", "arkime/gre-sample.pcap", "suricata-verify/vxlan-decoder-03__vxlan.pcap", "zeek/var-services-std-ports.pcap"}

// firsts returns the first payload of each side of every connection on
// port 22, numbered by its frame.
func firsts(tb testing.TB, path string) []pcaptest.Payload {
	var out []pcaptest.Payload
	for _, s := range pcaptest.TCPStreams(tb, path, 22) {
		if len(s.ToServer) > 0 {
			out = append(out, pcaptest.Payload{Frame: s.ClientFrame, Data: s.ToServer})
		}
		if len(s.ToClient) > 0 {
			out = append(out, pcaptest.Payload{Frame: s.ServerFrame, Data: s.ToClient})
		}
	}
	return out
}

func summary(b *Banner) string {
	return fmt.Sprintf("%s|%s|%s", b.ProtoVersion, b.SoftwareVersion, b.Comments)
}

// TestCaptures checks the banners of the shared captures against tshark
// 4.0.17's ssh.protocol (the whole identification string).
func TestCaptures(t *testing.T) {
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 232, "2.0|OpenSSH_8.9|"},
		{"arkime/arkime_synthetic.pcap", 399, "2.0|OpenSSH_8.9p1|Ubuntu-3ubuntu0.1"},
		{"arkime/arkime_synthetic.pcap", 400, "2.0|PuTTY_Release_0.78|"},
		{"arkime/arkime_synthetic.pcap", 471, "2.0|OpenSSH_8.9|FreeBSD-20230101"},
		{"arkime/arkime_synthetic.pcap", 472, "2.0|libssh2_1.10.0|"},
		{"arkime/arkime_synthetic.pcap", 810, "2.0|hasshtest|"},
		{"arkime/gre-sample.pcap", 14, "1.99|OpenSSH_3.1p1|"},
		{"arkime/gre-sample.pcap", 16, "2.0|OpenSSH_3.6.1p1|"},
		{"suricata-verify/vxlan-decoder-03__vxlan.pcap", 6, "2.0|OpenSSH_7.9p1|Ubuntu-10"},
		{"suricata-verify/vxlan-decoder-03__vxlan.pcap", 8, "2.0|OpenSSH_7.4|"},
		{"zeek/var-services-std-ports.pcap", 6, "2.0|OpenSSH_5.8p1|Debian-1ubuntu3"},
		{"zeek/var-services-std-ports.pcap", 219, "2.0|OpenSSH_5.8p1|Debian-1ubuntu3"},
	}
	pcaptest.CheckFrames(t, cases, firsts, func(b []byte) (string, error) {
		var bn Banner
		err := ParseInto(b, &bn)
		return summary(&bn), err
	})
}

func TestParse(t *testing.T) {
	long := "SSH-2.0-" + strings.Repeat("x", 260) + "\r\n"
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"SSH-2.0-dropbear_2020.81\r\n\x00\x00\x01\x14", "2.0|dropbear_2020.81|", nil},
		{"SSH-2.0-Cisco-1.25\n", "2.0|Cisco-1.25|", nil},
		{"Welcome to the pump gateway\r\nAuthorized use only\r\nSSH-2.0-OpenSSH_9.6 Debian-1\r\n", "2.0|OpenSSH_9.6|Debian-1", nil},
		{"SSH-2.0-OpenSSH_9", "||", ErrIncomplete},
		{"SS", "||", ErrIncomplete},
		{"", "||", ErrIncomplete},
		{"GET / HTTP/1.1\r\n", "||", ErrIncomplete}, // more lines may follow: servers may send text first
		{"\x16\x03\x01\x02\x00", "||", ErrNoBanner},
		{"SSH-2.0-\r\n", "||", ErrNoBanner},
		{"SSH-2.0\r\n", "||", ErrNoBanner},
		{long, "||", ErrNoBanner},
		{strings.Repeat("motd\r\n", MaxLines) + "SSH-2.0-late\r\n", "||", ErrNoBanner},
	}
	for _, c := range cases {
		var b Banner
		err := ParseInto([]byte(c.in), &b)
		if got := summary(&b); err != c.err || (err == nil && got != c.want) {
			t.Errorf("%q: %s %v, want %s %v", c.in, got, err, c.want, c.err)
		}
	}
}

var benchBanner = []byte("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n\x00\x00\x05\xdc\x07\x14")

func TestZeroAlloc(t *testing.T) {
	var b Banner
	pcaptest.NoAllocs(t, func() { _ = ParseInto(benchBanner, &b) })
}

func BenchmarkParseInto(b *testing.B) {
	var bn Banner
	b.SetBytes(int64(len(benchBanner)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(benchBanner, &bn); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(benchBanner)
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload {
		ps := firsts(f, path)
		for i := range ps {
			ps[i].Data = ps[i].Data[:min(len(ps[i].Data), 512)]
		}
		return ps
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		var b Banner
		if ParseInto(in, &b) != nil {
			return
		}
		if len(b.Line) > 253 || len(b.SoftwareVersion) == 0 || len(b.ProtoVersion) == 0 {
			t.Fatalf("banner %q", b.Line)
		}
		for _, v := range [][]byte{b.Line, b.ProtoVersion, b.SoftwareVersion, b.Comments} {
			if !pcaptest.Within(in, v) {
				t.Fatal("view outside the input")
			}
		}
	})
}
