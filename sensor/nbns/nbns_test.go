package nbns

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{"arkime/arkime_synthetic.pcap", "ndpi/1kxun.pcap", "zeek/erspan.pcap", "zeek/wikipedia.pcap"}

func payloads(tb testing.TB, path string) []pcaptest.Payload {
	return pcaptest.UDPPayloads(tb, path, Port)
}

// encode returns the first-level encoded label of a NetBIOS name.
func encode(name string, suffix byte) []byte {
	raw := []byte(fmt.Sprintf("%-15s", name))
	raw = append(raw[:15], suffix)
	b := []byte{32}
	for _, c := range raw {
		b = append(b, 'A'+c>>4, 'A'+c&0xf)
	}
	return append(b, 0)
}

func header(flags uint16, qd, an, ns, ar int) []byte {
	b := []byte{0x12, 0x34}
	for _, v := range []int{int(flags), qd, an, ns, ar} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// registration is a synthetic broadcast name registration (opcode 5) of
// "PUMP-GW-07<00>" at 10.50.0.21. Checked with tshark 4.0.17: nbns.flags.opcode 5,
// nbns.name "PUMP-GW-07<00>" (question and additional record), nbns.type 32,
// nbns.addr 10.50.0.21, nbns.nb_flags 0x0000.
func registration() []byte {
	b := append(header(0x2910, 1, 0, 0, 1), encode("PUMP-GW-07", 0)...)
	b = append(b, 0, 0x20, 0, 1)
	b = append(b, 0xc0, 12, 0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6, 0, 0, 10, 50, 0, 21)
	return b
}

// nodeStatus is a synthetic node status response with three names and the
// unit ID. Checked with tshark 4.0.17: nbns.name "*<00><00><00>..." (answer record),
// nbns.number_of_names 3, nbns.netbios_name "PUMP-GW-07", "WORKGROUP",
// "PUMP-GW-07", nbns.name_flags 0x0400, 0x8400, 0x0400, nbns.unit_id 00:1b:63:84:45:e6.
func nodeStatus() []byte {
	b := append(header(0x8400, 0, 1, 0, 0), encode("*\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 0)...)
	d := []byte{3}
	for _, e := range []struct {
		name   string
		suffix byte
		flags  uint16
	}{{"PUMP-GW-07", 0x00, 0x0400}, {"WORKGROUP", 0x00, 0x8400}, {"PUMP-GW-07", 0x20, 0x0400}} {
		d = append(d, fmt.Sprintf("%-15s", e.name)...)
		d = append(d, e.suffix)
		d = binary.BigEndian.AppendUint16(d, e.flags)
	}
	d = append(d, 0x00, 0x1b, 0x63, 0x84, 0x45, 0xe6)
	d = append(d, make([]byte, 40)...)
	b = append(b, 0, 0x21, 0, 1, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(d)))
	return append(b, d...)
}

// summary renders opcode, response flag and names the way tshark shows
// them: nbns.name as NAME<xx>, with nbns.addr.
func summary(m *Message) string {
	var f []string
	for i := range m.Names[:m.NumNames] {
		n := &m.Names[i]
		s := fmt.Sprintf("%d:%s<%02x>", n.Source, n.Text(), n.Suffix)
		if n.Addr.IsValid() {
			s += "=" + n.Addr.String()
		}
		if n.Group() {
			s += "(group)"
		}
		f = append(f, s)
	}
	if m.HasMAC {
		f = append(f, fmt.Sprintf("mac=%x", m.MAC))
	}
	return fmt.Sprintf("op%d r%v %s", m.Opcode, m.Response, strings.Join(f, " "))
}

// TestCaptures checks NBNS messages of the shared captures against tshark
// 4.0.17: nbns.flags.opcode, nbns.flags.response, nbns.name, nbns.addr,
// nbns.nb_flags (0x4000 is the P-node bit, not group).
func TestCaptures(t *testing.T) {
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 536, "op0 rfalse 1:WORKSTATION<00>"},
		{"arkime/arkime_synthetic.pcap", 537, "op0 rtrue 2:FILESERVER<00>=10.20.7.200"},
		{"arkime/arkime_synthetic.pcap", 806, "op0 rtrue 2:TESTHOST<00>=10.20.8.77"},
		{"ndpi/1kxun.pcap", 651, "op0 rfalse 1:SANJI-LIFEBOOK-<20>"},
		{"ndpi/1kxun.pcap", 658, "op0 rfalse 1:NASFILE<1d>"},
		{"ndpi/1kxun.pcap", 985, "op0 rfalse 1:SC.ARRANCAR.ORG<00>"},
		{"zeek/erspan.pcap", 106, "op0 rfalse 1:WPAD<00>"},
		{"zeek/wikipedia.pcap", 117, "op0 rfalse 1:BRWC0CB383D1F42<00>"},
		{"zeek/wikipedia.pcap", 132, "op0 rfalse 1:WORKGROUP<1d>"},
	}
	pcaptest.CheckFrames(t, cases, payloads, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
	for _, rel := range captures {
		for _, p := range payloads(t, pcaptest.SharedPcap(t, rel)) {
			var m Message
			if err := ParseInto(p.Data, &m); err != nil {
				t.Errorf("%s #%d: %v", rel, p.Frame, err)
			}
		}
	}
}

func TestSynthetic(t *testing.T) {
	var m Message
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{registration(), "op5 rfalse 1:PUMP-GW-07<00> 4:PUMP-GW-07<00>=10.50.0.21"},
		{nodeStatus(), "op0 rtrue 5:PUMP-GW-07<00> 5:WORKGROUP<00>(group) 5:PUMP-GW-07<20> mac=001b638445e6"},
	} {
		if err := ParseInto(c.b, &m); err != nil {
			t.Fatal(err)
		}
		if got := summary(&m); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestHostile(t *testing.T) {
	var m Message
	for _, good := range [][]byte{registration(), nodeStatus()} {
		for n := range len(good) {
			_ = ParseInto(good[:n], &m)
		}
	}
	bad := append(header(0, 1, 0, 0, 0), encode("X", 0)...)
	bad[14] = 'Z' // not 'A'..'P'
	if err := ParseInto(bad, &m); err != ErrName {
		t.Errorf("bad encoding: %v", err)
	}
	short := append(header(0, 1, 0, 0, 0), 3, 'A', 'B', 'C', 0, 0, 0x20, 0, 1)
	if err := ParseInto(short, &m); err != ErrName {
		t.Errorf("short label: %v", err)
	}
	if err := ParseInto(nil, &m); err != ErrShort {
		t.Errorf("empty: %v", err)
	}
	// Node status claiming 255 names with room for 2: stops, no MAC.
	ns := nodeStatus()
	ns[12+34+10] = 255
	if err := ParseInto(ns, &m); err != nil || m.HasMAC {
		t.Errorf("lying count: %v mac %v", err, m.HasMAC)
	}
	// Records beyond MaxRecords are not walked.
	b := header(0x8400, 0, 100, 0, 0)
	for range 100 {
		b = append(append(b, encode("A", 0)...), 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 6, 0, 0, 1, 2, 3, 4)
	}
	if err := ParseInto(b, &m); err != nil || m.Records != MaxRecords || m.NumNames != MaxNames {
		t.Errorf("bounds: %v %d records %d names", err, m.Records, m.NumNames)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := nodeStatus()
	var m Message
	pcaptest.NoAllocs(t, func() { _ = ParseInto(b, &m) })
}

func BenchmarkParseInto(b *testing.B) {
	msg := registration()
	var m Message
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(msg, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(registration())
	f.Add(nodeStatus())
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return payloads(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		if m.Records > MaxRecords || m.NumNames > MaxNames {
			t.Fatalf("bounds: %d records %d names", m.Records, m.NumNames)
		}
		for i := range m.Names[:m.NumNames] {
			if len(m.Names[i].Text()) > 15 {
				t.Fatal("name over 15 bytes")
			}
		}
	})
}
