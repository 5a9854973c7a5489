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
func registration() []byte { return registrationOf("PUMP-GW-07", 0, 0, 10, 50, 0, 21) }

// groupRegistration is a synthetic broadcast registration (opcode 5) of
// the group name "HOSPITAL<1c>" (domain controllers) at 10.50.0.5, as a
// domain controller's Netlogon service sends it: the additional record's
// NB flags have the group bit. Checked with tshark 4.0.17: nbns.flags.opcode
// 5, nbns.name "HOSPITAL<1c>", nbns.nb_flags 0x8000 (nbns.nb_flags.group 1),
// nbns.addr 10.50.0.5.
func groupRegistration() []byte { return registrationOf("HOSPITAL", 0x1c, 0x80, 10, 50, 0, 5) }

// registrationOf is a broadcast registration of name<suffix> at a.b.c.d,
// with NB flags flags<<8.
func registrationOf(name string, suffix, flags, a, b, c, d byte) []byte {
	m := append(header(0x2910, 1, 0, 0, 1), encode(name, suffix)...)
	m = append(m, 0, 0x20, 0, 1)
	return append(m, 0xc0, 12, 0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6, flags, 0, a, b, c, d)
}

// entry is one name of a node status response.
type entry struct {
	name   string
	suffix byte
	flags  uint16
}

// nodeStatus is a synthetic node status response with three names and the
// unit ID. Checked with tshark 4.0.17: nbns.name "*<00><00><00>..." (answer record),
// nbns.number_of_names 3, nbns.netbios_name "PUMP-GW-07", "WORKGROUP",
// "PUMP-GW-07", nbns.name_flags 0x0400, 0x8400, 0x0400, nbns.unit_id 00:1b:63:84:45:e6.
func nodeStatus() []byte {
	return nodeStatusOf([6]byte{0x00, 0x1b, 0x63, 0x84, 0x45, 0xe6},
		entry{"PUMP-GW-07", 0x00, 0x0400}, entry{"WORKGROUP", 0x00, 0x8400}, entry{"PUMP-GW-07", 0x20, 0x0400})
}

// dcNodeStatus is a synthetic node status response of a domain controller
// that is also the PDC and the master browser, with the names KB163409
// and [MS-BRWS] 2.1.1 list for those roles: DC01<00>, HOSPITAL<00> group,
// HOSPITAL<1c> group, DC01<20>, HOSPITAL<1b>, HOSPITAL<1e> group,
// HOSPITAL<1d>, __MSBROWSE__<01> group, and a conflicting OLD<20>.
// Checked with tshark 4.0.17: nbns.number_of_names 9, the names and
// nbns.name_flags as listed (OLD<20>: "Name is in conflict"), nbns.unit_id
// 00:15:5d:01:02:03.
func dcNodeStatus() []byte {
	return nodeStatusOf([6]byte{0x00, 0x15, 0x5d, 0x01, 0x02, 0x03},
		entry{"DC01", 0x00, 0x0400}, entry{"HOSPITAL", 0x00, 0x8400}, entry{"HOSPITAL", 0x1c, 0x8400},
		entry{"DC01", 0x20, 0x0400}, entry{"HOSPITAL", 0x1b, 0x0400}, entry{"HOSPITAL", 0x1e, 0x8400},
		entry{"HOSPITAL", 0x1d, 0x0400}, entry{"\x01\x02__MSBROWSE__\x02", 0x01, 0x8400}, entry{"OLD", 0x20, 0x0c00})
}

// nodeStatusOf is a node status response listing entries, then the unit
// ID and zeroed statistics.
func nodeStatusOf(unitID [6]byte, entries ...entry) []byte {
	b := append(header(0x8400, 0, 1, 0, 0), encode("*\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 0)...)
	d := []byte{byte(len(entries))}
	for _, e := range entries {
		d = append(d, fmt.Sprintf("%-15s", e.name)...)
		d = append(d, e.suffix)
		d = binary.BigEndian.AppendUint16(d, e.flags)
	}
	d = append(d, unitID[:]...)
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
		s := fmt.Sprintf("%d:%q<%02x>", n.Source, n.Text(), n.Suffix)
		s = strings.Replace(s, `"`, "", 2)
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
		{groupRegistration(), "op5 rfalse 1:HOSPITAL<1c> 4:HOSPITAL<1c>=10.50.0.5(group)"},
		{dcNodeStatus(), `op0 rtrue 5:DC01<00> 5:HOSPITAL<00>(group) 5:HOSPITAL<1c>(group) 5:DC01<20> 5:HOSPITAL<1b> ` +
			`5:HOSPITAL<1e>(group) 5:HOSPITAL<1d> 5:\x01\x02__MSBROWSE__\x02<01>(group) 5:OLD<20> mac=00155d010203`},
	} {
		if err := ParseInto(c.b, &m); err != nil {
			t.Fatal(err)
		}
		if got := summary(&m); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

// TestService checks which names say their owner runs a service: the
// suffix and the group bit as KB163409 lists them, not IIS's
// INet~Services<1c>, not a name in conflict.
func TestService(t *testing.T) {
	var m Message
	got := map[string]string{}
	for _, b := range [][]byte{dcNodeStatus(), groupRegistration(), nodeStatus(), registration()} {
		if err := ParseInto(b, &m); err != nil {
			t.Fatal(err)
		}
		for i := range m.Names[:m.NumNames] {
			n := &m.Names[i]
			got[fmt.Sprintf("%d:%q<%02x>", n.Source, n.Text(), n.Suffix)] = n.Service().String()
		}
	}
	want := map[string]string{
		`5:"DC01"<00>`: "", `5:"HOSPITAL"<00>`: "", `5:"HOSPITAL"<1c>`: "domain-controller", `5:"DC01"<20>`: "file-server",
		`5:"HOSPITAL"<1b>`: "pdc", `5:"HOSPITAL"<1e>`: "", `5:"HOSPITAL"<1d>`: "master-browser",
		`5:"\x01\x02__MSBROWSE__\x02"<01>`: "master-browser", `5:"OLD"<20>`: "",
		`1:"HOSPITAL"<1c>`:   "", // a question has no NB flags: not known to be a group
		`4:"HOSPITAL"<1c>`:   "domain-controller",
		`5:"PUMP-GW-07"<00>`: "", `5:"WORKGROUP"<00>`: "", `5:"PUMP-GW-07"<20>`: "file-server",
		`1:"PUMP-GW-07"<00>`: "", `4:"PUMP-GW-07"<00>`: "",
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: service %q (seen %v), want %q", k, g, ok, w)
		}
	}
	for i, w := range []bool{true, false, false, true, false, false, false, false, true} {
		if err := ParseInto(dcNodeStatus(), &m); err != nil {
			t.Fatal(err)
		}
		if n := &m.Names[i]; n.HostName() != w {
			t.Errorf("%q<%02x>: host name %v, want %v", n.Text(), n.Suffix, !w, w)
		}
	}
	iis := Name{Suffix: 0x1c, Flags: 0x8000}
	iis.n = copy(iis.raw[:], "INET~SERVICES")
	if s := iis.Service(); s != ServiceNone {
		t.Errorf("IIS's INet~Services<1c>: %v", s)
	}
	for s := ServiceNone + 1; s < numServices; s++ {
		if s.String() == "" {
			t.Errorf("service %d has no name", s)
		}
	}
}

func TestHostile(t *testing.T) {
	var m Message
	for _, good := range [][]byte{registration(), nodeStatus(), groupRegistration(), dcNodeStatus()} {
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
	f.Add(groupRegistration())
	f.Add(dcNodeStatus())
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
			if n := &m.Names[i]; n.Source == FromQuestion && n.Service() == ServiceDomainController {
				t.Fatal("a question's name is never known to be a group")
			}
		}
	})
}
