package tcpsig

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// p0fAddr formats the packet's source and destination as p0f prints them
// (IPv6 as eight unabbreviated hex groups), with the TCP ports.
func p0fAddr(ip []byte) (src, dst string) {
	if ip[0]>>4 == 4 {
		hl := int(ip[0]&0xf) * 4
		sp, dp := binary.BigEndian.Uint16(ip[hl:]), binary.BigEndian.Uint16(ip[hl+2:])
		return fmt.Sprintf("%d.%d.%d.%d/%d", ip[12], ip[13], ip[14], ip[15], sp),
			fmt.Sprintf("%d.%d.%d.%d/%d", ip[16], ip[17], ip[18], ip[19], dp)
	}
	six := func(a []byte) string {
		g := make([]string, 8)
		for i := range g {
			g[i] = fmt.Sprintf("%x", binary.BigEndian.Uint16(a[2*i:]))
		}
		return strings.Join(g, ":")
	}
	sp, dp := binary.BigEndian.Uint16(ip[40:]), binary.BigEndian.Uint16(ip[42:])
	return fmt.Sprintf("%s/%d", six(ip[8:24]), sp), fmt.Sprintf("%s/%d", six(ip[24:40]), dp)
}

// TestAgainstP0F computes the signature of every SYN and SYN+ACK of the
// shared captures that p0f 3.09b fingerprinted (testdata/p0f_expected.txt,
// made by testdata/p0f_rawsig.sh) and requires p0f's raw_sig.
func TestAgainstP0F(t *testing.T) {
	f, err := os.Open("testdata/p0f_expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]map[string][]string{} // capture -> "type sender" -> raw_sig
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 4 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		if want[fs[0]] == nil {
			want[fs[0]] = map[string][]string{}
		}
		k := fs[1] + " " + fs[2]
		want[fs[0]][k] = append(want[fs[0]][k], fs[3])
	}
	checked := 0
	for file, sigs := range want {
		got := map[string]map[string]bool{}
		synMSS := map[string]uint16{} // "client>server" -> MSS of its SYN
		for _, p := range pcaptest.SYNs(t, pcaptest.SharedPcap(t, file)) {
			var s Sig
			if err := ParseInto(p.Data, &s); err != nil {
				continue
			}
			src, dst := p0fAddr(p.Data)
			typ, peer := "syn", uint16(0)
			if s.SYNACK {
				typ, peer = "syn+ack", synMSS[dst+">"+src]
			} else {
				synMSS[src+">"+dst] = s.MSS
			}
			k := typ + " " + src
			if got[k] == nil {
				got[k] = map[string]bool{}
			}
			got[k][string(s.AppendP0F(nil, peer))] = true
		}
		for k, ws := range sigs {
			for _, w := range ws {
				if !got[k][w] {
					t.Errorf("%s %s: p0f %s, got %v", file, k, w, got[k])
				}
				checked++
			}
		}
	}
	t.Logf("%d p0f signatures matched", checked)
}

// synBytes is a Linux-like SYN: IPv4, TTL 57, DF, ID 0x1234, MSS 1460,
// SACK permitted, timestamps, NOP, window scale 7, window 64240.
func synBytes() []byte {
	ip := []byte{0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 57, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	tcp := []byte{0xc0, 0x01, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, fSYN, 0xfa, 0xf0, 0, 0, 0, 0,
		OptMSS, 4, 0x05, 0xb4, OptSACKOK, 2, OptTS, 10, 0, 0, 0, 1, 0, 0, 0, 0, OptNOP, OptWS, 3, 7}
	return append(ip, tcp...)
}

func TestSynthetic(t *testing.T) {
	var s Sig
	if err := ParseInto(synBytes(), &s); err != nil {
		t.Fatal(err)
	}
	// 64240 = 44 * 1460.
	if got := string(s.AppendP0F(nil, 0)); got != "4:57+7:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0" || s.InitialTTL() != 64 {
		t.Errorf("got %s ittl %d", got, s.InitialTTL())
	}
	cases := []struct {
		name string
		mod  func(b []byte) []byte
		want string
	}{
		{"ttl far", func(b []byte) []byte { b[8] = 20; return b }, "4:20+12:"},
		{"ttl too far", func(b []byte) []byte { b[8] = 200; return b }, "4:200+?:"},
		{"no DF, zero ID", func(b []byte) []byte { b[4], b[5], b[6] = 0, 0, 0; return b }, ":id-:0"},
		{"ECN + URG + PUSH + payload", func(b []byte) []byte {
			b[1] = 2
			b[33] |= fURG | fPSH
			b[3] = 61
			return append(b, 'x')
		}, ":df,id+,ecn,urgf+,pushf+:+"},
		{"zero TS1, excessive scale", func(b []byte) []byte { b[20+31] = 0; b[20+39] = 15; return b }, ":df,id+,ts1-,exws:0"},
		{"odd window", func(b []byte) []byte { b[34], b[35] = 0x12, 0x34; return b }, ":4660,7:"},
		{"MTU multiple", func(b []byte) []byte { b[34], b[35] = 0x3a, 0x98; return b }, ":mtu*10,7:"},
		{"bad option length", func(b []byte) []byte { b[20+21] = 5; return b }, ":df,id+,bad:0"},
		{"truncated option", func(b []byte) []byte { b[20+37], b[20+38] = 99, 9; return b }, "nop,?99:df,id+,bad:0"},
		{"EOL with padding", func(b []byte) []byte { b[20+36] = OptEOL; b[20+37], b[20+38], b[20+39] = 0, 0, 0; return b }, ":mss,sok,ts,eol+3:df,id+:0"},
		{"EOL then junk", func(b []byte) []byte { b[20+36] = OptEOL; b[20+37], b[20+38], b[20+39] = 0, 9, 0; return b }, ":mss,sok,ts,eol+3:df,id+,opt+:0"},
	}
	for _, c := range cases {
		var s Sig
		if err := ParseInto(c.mod(synBytes()), &s); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := string(s.AppendP0F(nil, 0)); !strings.Contains(got, c.want) {
			t.Errorf("%s: %s, want ...%s...", c.name, got, c.want)
		}
	}
	ack := synBytes()
	ack[33] = fACK
	if err := ParseInto(ack, &s); err != ErrNotSYN {
		t.Errorf("ACK: %v", err)
	}
	for _, bad := range [][]byte{nil, synBytes()[:39], append([]byte{0x55}, synBytes()[1:]...)} {
		if err := ParseInto(bad, &s); err != ErrNotTCP {
			t.Errorf("%x: %v", bad, err)
		}
	}
	frag := synBytes()
	frag[6] = 0x20 // more fragments
	if err := ParseInto(frag, &s); err != ErrNotTCP {
		t.Errorf("fragment: %v", err)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := synBytes()
	var s Sig
	buf := make([]byte, 0, 128)
	pcaptest.NoAllocs(t, func() {
		_ = ParseInto(b, &s)
		buf = s.AppendP0F(buf[:0], 0)
	})
}

func BenchmarkSignature(b *testing.B) {
	p := synBytes()
	var s Sig
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(p, &s); err != nil {
			b.Fatal(err)
		}
		buf = s.AppendP0F(buf[:0], 0)
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(synBytes())
	pcaptest.Seed(f, []string{"chrissanders-packets/passiveosfingerprinting.pcapng", "zeek/wikipedia.pcap", "ndpi/android.pcap"},
		func(path string) []pcaptest.Payload { return pcaptest.SYNs(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Sig
		if err := ParseInto(b, &s); err != nil && err != ErrNotSYN {
			return
		}
		if s.NumOpts > MaxOpts {
			t.Fatalf("%d options", s.NumOpts)
		}
		sig := string(s.AppendP0F(nil, 1460))
		if strings.Count(sig, ":") != 7 {
			t.Fatalf("signature %q", sig)
		}
	})
}
