package snmp

import (
	"fmt"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

func payloads(tb testing.TB, path string) []pcaptest.Payload {
	return append(pcaptest.UDPPayloads(tb, path, AgentPort), pcaptest.UDPPayloads(tb, path, TrapPort)...)
}

// ber encodes one element (short and long form lengths).
func ber(tag byte, parts ...[]byte) []byte {
	var v []byte
	for _, p := range parts {
		v = append(v, p...)
	}
	switch {
	case len(v) < 128:
		return append([]byte{tag, byte(len(v))}, v...)
	case len(v) < 256:
		return append([]byte{tag, 0x81, byte(len(v))}, v...)
	}
	return append([]byte{tag, 0x82, byte(len(v) >> 8), byte(len(v))}, v...)
}

func oid(enc ...byte) []byte { return ber(tagOID, enc) }
func str(s string) []byte    { return ber(tagOctets, []byte(s)) }
func num(n byte) []byte      { return ber(tagInteger, []byte{n}) }

var (
	sysDescr0    = []byte{0x2b, 6, 1, 2, 1, 1, 1, 0}
	sysObjectID0 = []byte{0x2b, 6, 1, 2, 1, 1, 2, 0}
	sysUpTime0   = []byte{0x2b, 6, 1, 2, 1, 1, 3, 0}
	sysName0     = []byte{0x2b, 6, 1, 2, 1, 1, 5, 0}
)

const printerDescr = "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012,CIDATE 06/17/2019"

// response is a synthetic v2c GetResponse of a printer's agent. Checked
// with tshark 4.0.17 (UDP from port 161): snmp.version 1, snmp.data 2
// (get-response), snmp.name 1.3.6.1.2.1.1.1.0, 1.3.6.1.2.1.1.2.0,
// 1.3.6.1.2.1.1.3.0, 1.3.6.1.2.1.1.5.0, snmp.value.octets (hex of the description,
// "NPI4A5B6C"), snmp.value.oid 1.3.6.1.4.1.11.2.3.9.1, snmp.value.timeticks 12345.
func response() []byte {
	vbs := ber(tagSequence,
		ber(tagSequence, oid(sysDescr0...), str(printerDescr)),
		ber(tagSequence, oid(sysObjectID0...), oid(0x2b, 6, 1, 4, 1, 11, 2, 3, 9, 1)),
		ber(tagSequence, oid(sysUpTime0...), ber(0x43, []byte{0x30, 0x39})),
		ber(tagSequence, oid(sysName0...), str("NPI4A5B6C")))
	return ber(tagSequence, num(1), str("s3cr3t-community"), ber(PDUResponse, num(42), num(0), num(0), vbs))
}

// trap is a synthetic v1 trap (coldStart) of a Cisco switch. Checked with
// tshark 4.0.17 (UDP to port 162): snmp.version 0, snmp.data 4 (trap),
// snmp.enterprise 1.3.6.1.4.1.9.1.1208, snmp.agent_addr 10.50.0.1,
// snmp.generic_trap 0, snmp.name 1.3.6.1.2.1.1.1.0 with snmp.value.octets (hex)
// "Cisco IOS Software, C2960X Software, Version 15.2(7)E4".
func trap() []byte {
	vbs := ber(tagSequence, ber(tagSequence, oid(sysDescr0...), str("Cisco IOS Software, C2960X Software, Version 15.2(7)E4")))
	return ber(tagSequence, num(0), str("public"), ber(PDUTrapV1,
		oid(0x2b, 6, 1, 4, 1, 9, 1, 0x89, 0x38), ber(tagIPAddress, []byte{10, 50, 0, 1}), num(0), num(0), ber(0x43, []byte{1}), vbs))
}

func summary(m *Message) string {
	objID, _ := AppendOID(nil, m.SysObjectID)
	ent, _ := AppendOID(nil, m.Enterprise)
	agent := ""
	if m.AgentAddr.IsValid() {
		agent = m.AgentAddr.String()
	}
	return fmt.Sprintf("v%d|%x|err%d|%s|%s|%s|%s|%s|vb%d", m.Version, m.PDU, m.ErrorStatus, m.SysDescr, objID, m.SysName, ent, agent, m.Varbinds)
}

// TestCaptures checks the SNMP messages of the shared captures against
// tshark 4.0.17: snmp.version, snmp.data (2 get-response, 7 snmpV2-trap),
// error-status noSuchName (2) with a Null value for 1.3.6.1.2.1.1.1 (no
// sysDescr), and the trap's snmp.name 1.3.6.1.6.3.1.1.4.1.0.
func TestCaptures(t *testing.T) {
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 476, "v1|a2|err2||||||vb1"},
		{"arkime/arkime_synthetic.pcap", 595, "v1|a7|err0||||||vb1"},
	}
	pcaptest.CheckFrames(t, cases, payloads, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
}

func TestSynthetic(t *testing.T) {
	var m Message
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{response(), "v1|a2|err0|" + printerDescr + "|1.3.6.1.4.1.11.2.3.9.1|NPI4A5B6C|||vb4"},
		{trap(), "v0|a4|err0|Cisco IOS Software, C2960X Software, Version 15.2(7)E4|||1.3.6.1.4.1.9.1.1208|10.50.0.1|vb1"},
	} {
		if err := ParseInto(c.b, &m); err != nil {
			t.Fatal(err)
		}
		if got := summary(&m); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
	// The community string is never returned.
	if err := ParseInto(response(), &m); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]byte{m.SysDescr, m.SysObjectID, m.SysName, m.Enterprise} {
		if string(v) == "s3cr3t-community" {
			t.Fatal("community exposed")
		}
	}
}

func TestHostile(t *testing.T) {
	var m Message
	for _, good := range [][]byte{response(), trap()} {
		for n := range len(good) {
			if err := ParseInto(good[:n], &m); err == nil {
				t.Fatalf("%d of %d bytes accepted", n, len(good))
			}
		}
	}
	v3 := ber(tagSequence, num(3), ber(tagSequence))
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"v3", v3, ErrVersion},
		{"not BER", []byte("GET / HTTP/1.1"), ErrNotSNMP},
		{"indefinite length", []byte{0x30, 0x80, 0, 0}, ErrNotSNMP},
		{"long length over 3 bytes", []byte{0x30, 0x84, 0, 0, 0, 1, 0}, ErrNotSNMP},
		{"high tag", []byte{0x3f, 1, 0}, ErrNotSNMP},
		{"bad PDU tag", ber(tagSequence, num(1), str("x"), ber(0xb0)), ErrMalformed},
		{"varbind not a sequence", ber(tagSequence, num(1), str("x"), ber(PDUResponse, num(1), num(0), num(0), ber(tagSequence, num(5)))), ErrMalformed},
	}
	for _, c := range cases {
		if err := ParseInto(c.b, &m); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	// Wrong value types are not kept; walk bound.
	var vbs [][]byte
	for range MaxVarbinds + 10 {
		vbs = append(vbs, ber(tagSequence, oid(sysDescr0...), num(7)))
	}
	big := ber(tagSequence, num(1), str("x"), ber(PDUResponse, num(1), num(0), num(0), ber(tagSequence, vbs...)))
	if err := ParseInto(big, &m); err != nil || m.Varbinds != MaxVarbinds || m.SysDescr != nil {
		t.Errorf("bound: %v %d %q", err, m.Varbinds, m.SysDescr)
	}
	for _, bad := range [][]byte{{}, {0x81}, {0x2b, 0xff, 0xff, 0xff, 0xff, 0x7f}} {
		if _, ok := AppendOID(nil, bad); ok {
			t.Errorf("OID %x accepted", bad)
		}
	}
	if s, ok := AppendOID(nil, []byte{0x88, 0x37, 3}); !ok || string(s) != "2.999.3" {
		t.Errorf("2.999.3: %s %v", s, ok)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := response()
	var m Message
	buf := make([]byte, 0, 64)
	pcaptest.NoAllocs(t, func() {
		_ = ParseInto(b, &m)
		buf, _ = AppendOID(buf[:0], m.SysObjectID)
	})
}

func BenchmarkParseInto(b *testing.B) {
	msg := response()
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
	f.Add(response())
	f.Add(trap())
	pcaptest.Seed(f, []string{"arkime/arkime_synthetic.pcap"}, func(path string) []pcaptest.Payload { return payloads(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		if m.Varbinds > MaxVarbinds || len(m.SysObjectID) > MaxOIDLen || len(m.Enterprise) > MaxOIDLen {
			t.Fatalf("bounds %d", m.Varbinds)
		}
		for _, v := range [][]byte{m.SysDescr, m.SysObjectID, m.SysName, m.Enterprise} {
			if !pcaptest.Within(b, v) {
				t.Fatal("view outside the input")
			}
		}
		_, _ = AppendOID(nil, m.SysObjectID)
	})
}
