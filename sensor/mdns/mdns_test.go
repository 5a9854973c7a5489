package mdns

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{"arkime/arkime_synthetic.pcap", "ndpi/1kxun.pcap", "ndpi/android.pcap", "zeek/var-services-std-ports.pcap", "zeek/wikipedia.pcap", "zeek/erspan.pcap"}

func payloads(tb testing.TB, path string) []pcaptest.Payload {
	return append(pcaptest.UDPPayloads(tb, path, MDNSPort), pcaptest.UDPPayloads(tb, path, LLMNRPort)...)
}

// builder writes DNS messages for the synthetic tests.
type builder struct{ b []byte }

func newMsg(flags uint16, qd, an, ns, ar int) *builder {
	b := binary.BigEndian.AppendUint16(nil, 0)
	for _, v := range []int{int(flags), qd, an, ns, ar} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return &builder{b}
}

func (w *builder) name(n string) *builder {
	for _, l := range strings.Split(n, ".") {
		w.b = append(append(w.b, byte(len(l))), l...)
	}
	w.b = append(w.b, 0)
	return w
}

func (w *builder) ptr(off int) *builder { w.b = append(w.b, 0xc0|byte(off>>8), byte(off)); return w }

func (w *builder) rr(typ uint16, data []byte) *builder {
	w.b = binary.BigEndian.AppendUint16(w.b, typ)
	w.b = append(w.b, 0x80, 1, 0, 0, 0x11, 0x94) // class IN with cache-flush, TTL 4500
	w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(data)))
	w.b = append(w.b, data...)
	return w
}

func labels(n string) []byte { return (&builder{}).name(n).b }

func txt(s ...string) []byte {
	var b []byte
	for _, x := range s {
		b = append(append(b, byte(len(x))), x...)
	}
	return b
}

// castAnnouncement is a synthetic mDNS announcement of a Google Cast
// device plus Apple device-info. Checked with tshark 4.0.17 after writing it
// to a pcap (UDP 5353): dns.flags.response 1, dns.count.answers 5,
// dns.resp.name "_googlecast._tcp.local", "Chromecast-1a2b._googlecast._tcp.local" (SRV, TXT),
// "1a2b.local" (A), "livingroom._device-info._tcp.local" (TXT);
// dns.ptr.domain_name "Chromecast-1a2b._googlecast._tcp.local", dns.srv.port 8009,
// dns.srv.target "1a2b.local", dns.a 192.168.1.50,
// dns.txt "id=1a2b", "md=Chromecast Ultra", "fn=Living Room", "model=AppleTV6,2".
func castAnnouncement() []byte {
	w := newMsg(0x8400, 0, 5, 0, 0)
	w.name("_googlecast._tcp.local").rr(TypePTR, labels("Chromecast-1a2b._googlecast._tcp.local"))
	inst := len(w.b)
	w.name("Chromecast-1a2b._googlecast._tcp.local")
	srv := append([]byte{0, 0, 0, 0, 0x1f, 0x49}, labels("1a2b.local")...)
	w.rr(TypeSRV, srv)
	w.ptr(inst).rr(TypeTXT, txt("id=1a2b", "md=Chromecast Ultra", "fn=Living Room"))
	w.name("1a2b.local").rr(TypeA, []byte{192, 168, 1, 50})
	w.name("livingroom._device-info._tcp.local").rr(TypeTXT, txt("model=AppleTV6,2"))
	return w.b
}

// summary renders what tshark shows for the same message: questions
// (dns.qry.name), then address records (dns.resp.name=dns.a/dns.aaaa),
// PTR (dns.ptr.domain_name), SRV (dns.srv.target:dns.srv.port) and TXT (dns.txt).
func summary(m *Message) string {
	var f []string
	for _, q := range m.Questions[:m.NumQuestions] {
		f = append(f, fmt.Sprintf("q:%s/%d", q.Name, q.Type))
	}
	for _, h := range m.Hosts[:m.NumHosts] {
		f = append(f, fmt.Sprintf("h:%s=%s", h.Name, h.Addr))
	}
	for _, p := range m.PTRs[:m.NumPTRs] {
		f = append(f, fmt.Sprintf("ptr:%s>%s", p.Name, p.Target))
	}
	for _, s := range m.SRVs[:m.NumSRVs] {
		f = append(f, fmt.Sprintf("srv:%s>%s:%d", s.Name, s.Target, s.Port))
	}
	for _, t := range m.TXT[:m.NumTXT] {
		f = append(f, fmt.Sprintf("txt:%s", t.Data))
	}
	return fmt.Sprintf("r%d ", map[bool]int{false: 0, true: 1}[m.Response]) + strings.Join(f, " ")
}

// TestCaptures checks mDNS and LLMNR messages of the shared captures
// against tshark 4.0.17: dns.flags.response, dns.qry.name, dns.qry.type,
// dns.resp.name with dns.a / dns.aaaa, dns.ptr.domain_name, dns.srv.target,
// dns.srv.port and dns.txt.
func TestCaptures(t *testing.T) {
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 348, "r0 q:mydevice.local/1"},
		{"arkime/arkime_synthetic.pcap", 349, "r1 q:mydevice.local/1 h:mydevice.local=10.1.13.200"},
		{"arkime/arkime_synthetic.pcap", 347, "r1 q:mypc/1 h:mypc=10.1.12.200"}, // LLMNR response
		{"ndpi/1kxun.pcap", 682, "r0 q:_googlecast._tcp.local/12"},
		{"ndpi/1kxun.pcap", 14, "r0 q:RO_X1C/255"}, // LLMNR query
		{"ndpi/android.pcap", 43, "r0 q:_spotify-connect._tcp.local/12"},
		// A reverse-lookup answer with an NSEC (47) additional record.
		{"zeek/var-services-std-ports.pcap", 32, "r1 ptr:1.238.16.172.in-addr.arpa>tangent.local"},
		{"zeek/wikipedia.pcap", 1, "r0 q:gemini._sftp-ssh._tcp.local/33"},
		// dns.resp.type 33,28,1,47,...: the SRV answer, then AAAA and A additional records.
		{"zeek/wikipedia.pcap", 2, "r1 h:gemini.local=fe80::217:f2ff:fed7:cf65 h:gemini.local=141.142.220.50 srv:gemini._sftp-ssh._tcp.local>gemini.local:22"},
		// A known-answer TXT query (dns.qry.type 16): the answer's TXT is one empty string (dns.txt.length 0), not kept.
		{"zeek/wikipedia.pcap", 114, "r0 q:gomez._sftp-ssh._tcp.local/16"},
		{"zeek/wikipedia.pcap", 120, "r0 q:BRWC0CB383D1F42/1"},
	}
	pcaptest.CheckFrames(t, cases, payloads, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
	// Every message of the captures decodes.
	for _, rel := range captures {
		for _, p := range payloads(t, pcaptest.SharedPcap(t, rel)) {
			var m Message
			if err := ParseInto(p.Data, &m); err != nil {
				t.Errorf("%s #%d: %v", rel, p.Frame, err)
			}
		}
	}
}

func TestDNSSD(t *testing.T) {
	var m Message
	if err := ParseInto(castAnnouncement(), &m); err != nil {
		t.Fatal(err)
	}
	want := "r1 h:1a2b.local=192.168.1.50 ptr:_googlecast._tcp.local>Chromecast-1a2b._googlecast._tcp.local " +
		"srv:Chromecast-1a2b._googlecast._tcp.local>1a2b.local:8009 txt:id=1a2b txt:md=Chromecast Ultra txt:fn=Living Room txt:model=AppleTV6,2"
	if got := summary(&m); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	for key, want := range map[string]string{"md": "Chromecast Ultra", "MODEL": "AppleTV6,2", "fn": "Living Room"} {
		if v, ok := m.TXTValue(key); !ok || string(v) != want {
			t.Errorf("TXTValue(%s) = %q %v", key, v, ok)
		}
	}
	if _, ok := m.TXTValue("ty"); ok {
		t.Error("ty found")
	}
	if string(m.TXT[1].Name) != "Chromecast-1a2b._googlecast._tcp.local" {
		t.Errorf("TXT owner %q", m.TXT[1].Name)
	}
}

func TestHostile(t *testing.T) {
	good := castAnnouncement()
	var m Message
	for n := range len(good) {
		_ = ParseInto(good[:n], &m) // every truncation: no panic
	}
	if err := ParseInto(good[:len(good)-3], &m); err == nil {
		t.Error("truncated record accepted")
	}
	// A pointer loop in a question name.
	loop := append(newMsg(0, 1, 0, 0, 0).b, 1, 'a', 0xc0, 12, 0, 1, 0, 1)
	if err := ParseInto(loop, &m); err == nil {
		t.Error("pointer loop accepted")
	}
	// Many records: the walk stops at MaxRecords, lists at MaxKept, the arena bounds names.
	w := newMsg(0x8400, 0, 300, 0, 0)
	for i := range 300 {
		w.name(fmt.Sprintf("%s.host%d.local", strings.Repeat("x", 60), i)).rr(TypeA, []byte{10, 0, 0, byte(i)})
	}
	if err := ParseInto(w.b, &m); err != nil || m.Records != MaxRecords || m.NumHosts != MaxKept || m.Dropped != MaxRecords-MaxKept {
		t.Errorf("bounds: %v records %d hosts %d dropped %d", err, m.Records, m.NumHosts, m.Dropped)
	}
	w = newMsg(0x8400, 0, 40, 0, 0)
	for range 40 {
		w.name(strings.Repeat("y", 63)+"."+strings.Repeat("z", 63)+".local").rr(TypeTXT, txt("a=1"))
	}
	if err := ParseInto(w.b, &m); err != nil || m.used > arenaSize || m.NumTXT == 0 || m.Dropped == 0 {
		t.Errorf("arena: %v used %d txt %d dropped %d", err, m.used, m.NumTXT, m.Dropped)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := castAnnouncement()
	var m Message
	pcaptest.NoAllocs(t, func() { _ = ParseInto(b, &m); _, _ = m.TXTValue("md") })
}

func BenchmarkParseInto(b *testing.B) {
	msg := castAnnouncement()
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
	f.Add(castAnnouncement())
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return payloads(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		if m.Records > MaxRecords || m.used > arenaSize || m.NumQuestions > MaxKept || m.NumTXT > MaxTXT {
			t.Fatalf("bounds: %d records, arena %d", m.Records, m.used)
		}
		for _, x := range m.TXT[:m.NumTXT] {
			if !pcaptest.Within(b, x.Data) || !pcaptest.Within(m.arena[:], x.Name) {
				t.Fatal("TXT outside the input or arena")
			}
		}
		for _, h := range m.Hosts[:m.NumHosts] {
			if !pcaptest.Within(m.arena[:], h.Name) {
				t.Fatal("name outside the arena")
			}
		}
	})
}
