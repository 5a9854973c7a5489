package tlshello

import (
	"bufio"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// expected reads testdata/ja4_expected.txt: for each ClientHello to port
// 443 in the shared captures, the JA4 that testdata/ja4_tshark.py computed
// from tshark 4.0.17's dissection (tls.handshake.ciphersuite,
// tls.handshake.extension.type, tls.handshake.sig_hash_alg inside extension
// 13, tls.handshake.extensions.supported_version,
// tls.handshake.extensions_alpn_str) - an independent implementation of
// the public JA4 specification on an independent parser.
func expected(t *testing.T) map[string]map[string]string {
	f, err := os.Open("testdata/ja4_expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		fs := strings.Fields(l)
		if out[fs[0]] == nil {
			out[fs[0]] = map[string]string{}
		}
		out[fs[0]][fs[1]] = fs[3]
	}
	return out
}

// hellos returns the first bytes each client sent on port 443, keyed by
// the client's port.
func hellos(tb testing.TB, path string) map[string][]byte {
	out := map[string][]byte{}
	for _, s := range pcaptest.TCPStreams(tb, path, 443) {
		if len(s.ToServer) > 0 {
			out[s.Client[strings.LastIndexByte(s.Client, ':')+1:]] = s.ToServer
		}
	}
	return out
}

// TestCapturesJA4 checks SNI-bearing and other ClientHellos of the shared
// captures: every one that the independent method fingerprinted must give
// the same JA4 here.
func TestCapturesJA4(t *testing.T) {
	n := 0
	for file, want := range expected(t) {
		got := hellos(t, pcaptest.SharedPcap(t, file))
		for port, ja4 := range want {
			b, ok := got[port]
			if !ok {
				t.Errorf("%s: no connection from port %s", file, port)
				continue
			}
			var h Hello
			if err := ParseInto(b, &h); err != nil {
				t.Errorf("%s port %s: %v", file, port, err)
				continue
			}
			fp, ok := h.JA4()
			if !ok || string(fp[:]) != ja4 {
				t.Errorf("%s port %s: JA4 %s %v, want %s", file, port, fp[:], ok, ja4)
			}
			n++
		}
	}
	t.Logf("%d ClientHellos", n)
}

// TestCapturesSNI checks the server names against tshark 4.0.17's
// tls.handshake.extensions_server_name and the first value of
// tls.handshake.extensions_alpn_str.
func TestCapturesSNI(t *testing.T) {
	cases := []struct {
		file, port, sni, alpn string
	}{
		{"ndpi/android.pcap", "32974", "clients1.google.com", ""},
		{"ndpi/android.pcap", "51928", "datasaver.googleapis.com", "h2"}, // ALPN list h2,http/1.1
		{"ndpi/android.pcap", "52486", "play.googleapis.com", "http/1.1"},
		{"arkime/arkime_synthetic.pcap", "55006", "secure.example.com", ""},
		{"arkime/arkime_synthetic.pcap", "59000", "", ""},
		{"zeek/pppoe-over-qinq.pcap", "20394", "xp.apple.com", "h2"}, // h2,h2-16,...,http/1.1
	}
	for _, c := range cases {
		var h Hello
		if err := ParseInto(hellos(t, pcaptest.SharedPcap(t, c.file))[c.port], &h); err != nil {
			t.Fatalf("%s %s: %v", c.file, c.port, err)
		}
		if string(h.SNI) != c.sni || string(h.ALPN) != c.alpn {
			t.Errorf("%s %s: SNI %q ALPN %q, want %q %q", c.file, c.port, h.SNI, h.ALPN, c.sni, c.alpn)
		}
	}
}

// hello builds a ClientHello record with the given lists (extensions as
// type and data).
func hello(version uint16, ciphers []uint16, exts ...[]byte) []byte {
	body := binary.BigEndian.AppendUint16(nil, version)
	body = append(body, make([]byte, 32)...)
	body = append(body, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(ciphers)))
	for _, c := range ciphers {
		body = binary.BigEndian.AppendUint16(body, c)
	}
	body = append(body, 1, 0)
	var e []byte
	for _, x := range exts {
		e = append(e, x...)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(len(e)))
	body = append(body, e...)
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{0x16, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

func ext(typ uint16, data []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func u16s(prefix int, vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	if prefix == 1 {
		return append([]byte{byte(len(b))}, b...)
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)
}

func sni(name string) []byte {
	e := append([]byte{0}, binary.BigEndian.AppendUint16(nil, uint16(len(name)))...)
	e = append(e, name...)
	return ext(extSNI, append(binary.BigEndian.AppendUint16(nil, uint16(len(e))), e...))
}

func alpn(protos ...string) []byte {
	var l []byte
	for _, p := range protos {
		l = append(append(l, byte(len(p))), p...)
	}
	return ext(extALPN, append(binary.BigEndian.AppendUint16(nil, uint16(len(l))), l...))
}

// specHello is the example of the JA4 specification (technical_details/
// JA4.md): ciphers 1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,
// 009c,009d,002f,0035, extensions 001b,0000,0033,0010,4469,0017,002d,000d,
// 0005,0023,0012,002b,ff01,000b,000a,0015 and signature algorithms 0403,0804,
// 0401,0503,0805,0501,0806,0601, with GREASE added (which must be ignored).
func specHello() []byte {
	var exts [][]byte
	exts = append(exts, ext(0x3a3a, nil))
	for _, e := range []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015} {
		switch e {
		case 0x0000:
			exts = append(exts, sni("example.org"))
		case 0x0010:
			exts = append(exts, alpn("h2", "http/1.1"))
		case 0x000d:
			exts = append(exts, ext(e, u16s(2, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)))
		case 0x002b:
			exts = append(exts, ext(e, u16s(1, 0x7a7a, 0x0304, 0x0303)))
		default:
			exts = append(exts, ext(e, nil))
		}
	}
	return hello(0x0303, []uint16{0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}, exts...)
}

// TestJA4Spec checks the specification's own example: JA4 =
// t13d1516h2_8daaf6152771_e5627efa2ab1.
func TestJA4Spec(t *testing.T) {
	var h Hello
	if err := ParseInto(specHello(), &h); err != nil {
		t.Fatal(err)
	}
	fp, ok := h.JA4()
	if !ok || string(fp[:]) != "t13d1516h2_8daaf6152771_e5627efa2ab1" {
		t.Errorf("JA4 %s %v", fp[:], ok)
	}
	if string(h.SNI) != "example.org" || string(h.ALPN) != "h2" || h.MaxVersion != 0x0304 {
		t.Errorf("SNI %q ALPN %q version %x", h.SNI, h.ALPN, h.MaxVersion)
	}
}

func TestJA4Parts(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want string // the first section, or the whole fingerprint
	}{
		// No extensions at all: count 00, ALPN 00, empty extension hash. The
		// cipher hash of "002f" is ba72b8082249 (as for port 59000 of
		// arkime_synthetic.pcap in testdata/ja4_expected.txt).
		{"bare", hello(0x0301, []uint16{0x002f}), "t10i010000_ba72b8082249_000000000000"},
		{"ssl3", hello(0x0300, []uint16{0x002f}), "ts3i010000_"},
		{"no ciphers", hello(0x0303, nil, sni("a")), "t12d000100_000000000000_000000000000"},
		// ALPN with non-alphanumeric ends: first hex digit of the first byte, last of the last.
		{"alpn hex", hello(0x0303, []uint16{0x002f}, alpn("\xab\x01\xcd")), "t12i0101ad_"},
		{"alpn one char", hello(0x0303, []uint16{0x002f}, alpn("x")), "t12i0101xx_"},
		{"alpn empty list", hello(0x0303, []uint16{0x002f}, ext(extALPN, []byte{0, 0})), "t12i010100_"},
		{"unknown version", hello(0x0305, []uint16{0x002f}), "t00i010000_"},
	}
	for _, c := range cases {
		var h Hello
		if err := ParseInto(c.b, &h); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fp, ok := h.JA4()
		if !ok || !strings.HasPrefix(string(fp[:]), c.want) {
			t.Errorf("%s: %s %v, want %s...", c.name, fp[:], ok, c.want)
		}
	}
	// More than 99 ciphers: the count shows 99.
	many := make([]uint16, 120)
	for i := range many {
		many[i] = uint16(0x1000 + i)
	}
	var h Hello
	if err := ParseInto(hello(0x0303, many), &h); err != nil {
		t.Fatal(err)
	}
	if fp, _ := h.JA4(); string(fp[:11]) != "t12i990000_" {
		t.Errorf("many ciphers: %s", fp[:])
	}
	// More than MaxCiphers: no JA4.
	many = make([]uint16, MaxCiphers+1)
	for i := range many {
		many[i] = uint16(0x1000 + i)
	}
	if err := ParseInto(hello(0x0303, many), &h); err != nil || !h.Overflow {
		t.Fatalf("%v overflow %v", err, h.Overflow)
	}
	if _, ok := h.JA4(); ok {
		t.Error("JA4 of an overflowed hello")
	}
}

func TestHostile(t *testing.T) {
	good := specHello()
	var h Hello
	for n := range len(good) {
		err := ParseInto(good[:n], &h)
		if n < len(good) && err == nil {
			t.Fatalf("%d bytes accepted", n)
		}
	}
	if err := ParseInto(good[:100], &h); err != ErrIncomplete || RecordLen(good) != len(good) {
		t.Errorf("short: %v", err)
	}
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"http", []byte("GET / HTTP/1.1\r\n"), ErrNotHello},
		{"server hello", []byte{0x16, 3, 3, 0, 4, 2, 0, 0, 0}, ErrNotHello},
		{"fragmented", []byte{0x16, 3, 1, 0, 4, 1, 0, 1, 0}, ErrFragmented},
		{"short body", []byte{0x16, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3}, ErrMalformed},
		{"odd cipher list", hello(0x0303, nil, nil), nil},
	}
	odd := hello(0x0303, []uint16{0x002f})
	odd[5+4+2+32+1+1] = 3 // cipher list length 3 (odd)
	cases = append(cases, struct {
		name string
		b    []byte
		err  error
	}{"odd length", odd, ErrMalformed})
	for _, c := range cases {
		if err := ParseInto(c.b, &h); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

func TestZeroAlloc(t *testing.T) {
	b := specHello()
	var h Hello
	pcaptest.NoAllocs(t, func() {
		_ = ParseInto(b, &h)
		_, _ = h.JA4()
	})
}

func BenchmarkParseAndJA4(b *testing.B) {
	msg := specHello()
	var h Hello
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(msg, &h); err != nil {
			b.Fatal(err)
		}
		if _, ok := h.JA4(); !ok {
			b.Fatal("no JA4")
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(specHello())
	pcaptest.Seed(f, []string{"arkime/arkime_synthetic.pcap", "ndpi/android.pcap", "zeek/pppoe-over-qinq.pcap", "ndpi/vxlan.pcap"},
		func(path string) []pcaptest.Payload {
			var out []pcaptest.Payload
			for _, b := range hellos(f, path) {
				out = append(out, pcaptest.Payload{Data: b[:min(len(b), RecordLen(b))]})
			}
			return out
		})
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Hello
		if ParseInto(b, &h) != nil {
			return
		}
		if !pcaptest.Within(b, h.SNI) || !pcaptest.Within(b, h.ALPN) {
			t.Fatal("SNI or ALPN outside the input")
		}
		fp, ok := h.JA4()
		if ok != !h.Overflow {
			t.Fatalf("JA4 ok %v overflow %v", ok, h.Overflow)
		}
		if ok && (fp[10] != '_' || fp[23] != '_') {
			t.Fatalf("JA4 %s", fp[:])
		}
	})
}
