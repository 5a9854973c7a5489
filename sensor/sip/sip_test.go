package sip

import (
	"fmt"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{"arkime/arkime_synthetic.pcap"}

// payloads returns the SIP datagrams and TCP segments (port 5060) of a capture.
func payloads(tb testing.TB, path string) []pcaptest.Payload {
	return append(pcaptest.UDPPayloads(tb, path, Port), pcaptest.TCPPayloads(tb, path, Port)...)
}

// register and ok are synthetic messages of an IP phone and its PBX.
// Checked with tshark 4.0.17 (UDP 5060): sip.Method "REGISTER",
// sip.User-Agent "Cisco-CP8845/14.2.1", sip.Via (two values), then
// sip.Status-Code 200, sip.Server "Asterisk PBX 18.20.0".
var (
	register = []byte("REGISTER sip:pbx.example.org SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.60.0.12:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.60.0.1;branch=z9hG4bK2\r\n" +
		"From: <sip:4711@pbx.example.org>;tag=1\r\nTo: <sip:4711@pbx.example.org>\r\nCall-ID: 1@10.60.0.12\r\nCSeq: 1 REGISTER\r\n" +
		"User-Agent: Cisco-CP8845/14.2.1\r\nContent-Length: 0\r\n\r\n")
	ok = []byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.60.0.12:5060;branch=z9hG4bK1\r\nServer: Asterisk PBX 18.20.0\r\n" +
		"Content-Length: 0\r\n\r\n")
)

func summary(m *Message) string {
	return fmt.Sprintf("%s|%d|%s|%s|via%d", m.Method, m.Status, m.UserAgent, m.Server, m.ViaCount)
}

// TestCaptures checks the SIP messages of the shared captures against
// tshark 4.0.17: sip.Method, sip.Status-Code, sip.Via, sip.User-Agent and
// sip.Server (none of these messages carries a User-Agent or Server).
func TestCaptures(t *testing.T) {
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 319, "INVITE|0|||via1"},
		{"arkime/arkime_synthetic.pcap", 889, "OPTIONS|0|||via1"},
		{"arkime/arkime_synthetic.pcap", 890, "|200|||via1"},
		{"arkime/arkime_synthetic.pcap", 891, "PUBLISH|0|||via1"},
	}
	pcaptest.CheckFrames(t, cases, payloads, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
}

func TestParse(t *testing.T) {
	var m Message
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{register, "REGISTER|0|Cisco-CP8845/14.2.1||via2"},
		{ok, "|200||Asterisk PBX 18.20.0|via1"},
		{[]byte("OPTIONS sip:x SIP/2.0\nv: SIP/2.0/UDP a\nuser-agent: Yealink SIP-T54W 96.86.0.70\n\n"), "OPTIONS|0|Yealink SIP-T54W 96.86.0.70||via1"},
	} {
		if err := ParseInto(c.b, &m); err != nil || summary(&m) != c.want || !m.Complete {
			t.Errorf("%q: %v %s", c.b, err, summary(&m))
		}
	}
	for _, bad := range []string{"", "GET / HTTP/1.1\r\n\r\n", "SIP/2.0 OK\r\n\r\n", "INVITE sip:x SIP/2.0"} {
		if err := ParseInto([]byte(bad), &m); err != ErrNotSIP {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestZeroAlloc(t *testing.T) {
	var m Message
	pcaptest.NoAllocs(t, func() { _ = ParseInto(register, &m) })
}

func BenchmarkParseInto(b *testing.B) {
	var m Message
	b.SetBytes(int64(len(register)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(register, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(register)
	f.Add(ok)
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return payloads(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		for i, v := range [][]byte{m.Method, m.Target, m.Version, m.Reason, m.UserAgent, m.Server} {
			if !pcaptest.Within(b, v) {
				t.Fatalf("view %d outside the input", i)
			}
		}
	})
}
