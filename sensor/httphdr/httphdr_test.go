package httphdr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{
	"arkime/arkime_synthetic.pcap", "chrissanders-packets/arppoison.pcapng", "ndpi/1kxun.pcap", "zeek/erspan.pcap",
	"zeek/wikipedia.pcap", "zeek/vxlan-encapsulated-http.pcap", "ndpi/starcraft_battle.pcap",
}

// heads returns, for each TCP connection to port 80, what the client sent
// (numbered by the frame of its first payload) and what the server sent
// (by the frame of its first payload).
func heads(tb testing.TB, path string) []pcaptest.Payload {
	var out []pcaptest.Payload
	for _, s := range pcaptest.TCPStreams(tb, path, 80) {
		if len(s.ToServer) > 0 {
			out = append(out, pcaptest.Payload{Frame: s.ClientFrame, Data: s.ToServer})
		}
		if len(s.ToClient) > 0 {
			out = append(out, pcaptest.Payload{Frame: s.ServerFrame, Data: s.ToClient})
		}
	}
	return out
}

func summary(in *Info) string {
	if in.Request {
		return fmt.Sprintf("%s|%s|%s", in.Method, in.Host, in.UserAgent)
	}
	return fmt.Sprintf("%d|%s", in.Status, in.Server)
}

// TestCaptures checks the first request and the first response of
// connections in the shared captures against tshark 4.0.17's first
// http.request (http.request.method, http.host, http.user_agent) and first
// response (http.response.code, http.server) of the same tcp.stream.
func TestCaptures(t *testing.T) {
	const (
		ff35  = "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.1.8) Gecko/20100214 Ubuntu/9.10 (karmic) Firefox/3.5.8"
		ie8   = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; WOW64; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)"
		ff36  = "Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.15) Gecko/20110303 Ubuntu/10.04 (lucid) Firefox/3.6.15"
		chr25 = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.22 (KHTML, like Gecko) Chrome/25.0.1364.152 Safari/537.22"
	)
	cases := []pcaptest.FrameCase{
		{"arkime/arkime_synthetic.pcap", 4, "GET|ca.example.com|Mozilla/5.0"},
		{"arkime/arkime_synthetic.pcap", 6, "401|Microsoft-IIS/10.0"},
		{"arkime/arkime_synthetic.pcap", 26, "POST|ca.example.com|Mozilla/5.0"},
		{"chrissanders-packets/arppoison.pcapng", 6, "GET|www.google.com|" + ff35},
		// A response's frame here is that of its first segment (tshark reports it at the last: 16).
		{"chrissanders-packets/arppoison.pcapng", 8, "200|gws"},
		{"chrissanders-packets/arppoison.pcapng", 39, "204|Golfe"},
		{"ndpi/1kxun.pcap", 27, "GET|jp.kankan.1kxun.mobi|" + chr25},
		{"ndpi/1kxun.pcap", 34, "200|openresty/1.9.7.1"},
		{"zeek/erspan.pcap", 100, "GET|192.168.69.2|" + ie8}, // inside GRE bridging
		{"zeek/erspan.pcap", 101, "401|Microsoft-IIS/7.5"},
		{"zeek/wikipedia.pcap", 6, "GET|www.wikipedia.org|" + ff36},
		{"zeek/wikipedia.pcap", 7, "304|"}, // no Server header
		{"zeek/vxlan-encapsulated-http.pcap", 4, "GET|eu.httpbin.org|curl/7.76.1"},
		{"zeek/vxlan-encapsulated-http.pcap", 6, "200|gunicorn/19.9.0"}, // tshark: frame 8,
		{"ndpi/starcraft_battle.pcap", 44, "POST|www.google-analytics.com|Battle.net/1.3.0.5952"},
		{"ndpi/starcraft_battle.pcap", 237, "GET|us.scan.worldofwarcraft.com|"}, // no User-Agent
		{"ndpi/starcraft_battle.pcap", 239, "200|Apache/2.2.3 (CentOS)"},
	}
	pcaptest.CheckFrames(t, cases, heads, func(b []byte) (string, error) {
		var in Info
		err := ParseInto(b, &in)
		return summary(&in), err
	})
}

func TestParse(t *testing.T) {
	cases := []struct {
		msg  string
		want string
		err  error
	}{
		{"GET / HTTP/1.1\r\nHost: pump.local\r\nUser-Agent: Alaris/1.2\r\n\r\n", "GET|pump.local|Alaris/1.2", nil},
		{"GET / HTTP/1.0\nhost:a\nUSER-AGENT:  spaced  \n\n", "GET|a|spaced", nil},
		{"HTTP/1.1 200 OK\r\nServer: GoAhead-Webs\r\nContent-Length: 0\r\n\r\nbody", "200|GoAhead-Webs", nil},
		{"HTTP/1.1 200 OK\r\nServer: one\r\nServer: two\r\n\r\n", "200|one", nil},
		{"HTTP/1.1 200\r\n\r\n", "200|", nil},
		{"GET / HTTP/1.1\r\nHost: a\r\n X-Folded: b\r\nUser-Agent: c\r\n", "GET|a|c", ErrIncomplete},
		{"GET / HTTP/1.1\r\nHost: a", "GET||", ErrIncomplete},
		{"get / HTTP/1.1\r\n\r\n", "", ErrNotHTTP},
		{"HTTP/1.1 2000 OK\r\n\r\n", "", ErrNotHTTP},
		{"GET /\r\n\r\n", "", ErrNotHTTP},
		{"\x16\x03\x01\x02\x00\x01", "", ErrNotHTTP},
		{"SSH-2.0-OpenSSH_9.6\r\n", "", ErrNotHTTP},
	}
	for _, c := range cases {
		var in Info
		err := ParseInto([]byte(c.msg), &in)
		got := ""
		if err != ErrNotHTTP {
			got = summary(&in)
		}
		if err != c.err || got != c.want {
			t.Errorf("%q: %q %v, want %q %v", c.msg, got, err, c.want, c.err)
		}
	}
	// Bounds: a head longer than MaxHeadBytes or with more than MaxLines lines is incomplete.
	long := "GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", MaxLines+5) + "User-Agent: late\r\n\r\n"
	var in Info
	if err := ParseInto([]byte(long), &in); err != ErrIncomplete || in.UserAgent != nil || in.Headers != MaxLines {
		t.Errorf("line bound: %v %q %d", err, in.UserAgent, in.Headers)
	}
	big := "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", MaxHeadBytes) + "\r\nUser-Agent: x\r\n\r\n"
	if err := ParseInto([]byte(big), &in); err != ErrIncomplete || in.UserAgent != nil {
		t.Errorf("byte bound: %v %q", err, in.UserAgent)
	}
}

var benchReq = []byte("GET /api/v1/status HTTP/1.1\r\nHost: 10.50.0.20\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n" +
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
	"Connection: keep-alive\r\n\r\n")

func TestZeroAlloc(t *testing.T) {
	var in Info
	pcaptest.NoAllocs(t, func() { _ = ParseInto(benchReq, &in) })
}

func BenchmarkParseInto(b *testing.B) {
	var in Info
	b.SetBytes(int64(len(benchReq)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(benchReq, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(benchReq)
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"))
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload {
		ps := heads(f, path)
		for i := range ps {
			ps[i].Data = ps[i].Data[:min(len(ps[i].Data), 2048)]
		}
		return ps
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Info
		err := ParseInto(b, &in)
		if err == nil && !in.Request && (in.Status < 0 || in.Status > 999) {
			t.Fatalf("status %d", in.Status)
		}
		for i, v := range [][]byte{in.Method, in.Target, in.Version, in.Reason, in.Host, in.UserAgent, in.Server} {
			if !pcaptest.Within(b[:min(len(b), MaxHeadBytes)], v) {
				t.Fatalf("view %d outside the scanned head", i)
			}
		}
		if in.Headers > MaxLines {
			t.Fatalf("%d headers", in.Headers)
		}
	})
}
