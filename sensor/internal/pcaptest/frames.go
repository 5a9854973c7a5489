package pcaptest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"testing"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Packets decodes every frame of a pcap or pcapng file with gopacket's
// default decoders (which open GRE, ERSPAN and VXLAN tunnels).
func Packets(tb testing.TB, path string) []gopacket.Packet {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		tb.Fatal(err)
	}
	type source interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	var (
		src  source
		link layers.LinkType
	)
	if binary.LittleEndian.Uint32(magic) == 0x0A0D0D0A { // pcapng section header block
		r, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			tb.Fatal(err)
		}
		src, link = r, r.LinkType()
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			tb.Fatal(err)
		}
		src, link = r, r.LinkType()
	}
	var out []gopacket.Packet
	for {
		data, _, err := src.ReadPacketData()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, gopacket.NewPacket(data, link, gopacket.Default))
	}
}

// Innermost returns the last layer of type t in p (the one inside any
// tunnel), or nil.
func Innermost(p gopacket.Packet, t gopacket.LayerType) gopacket.Layer {
	ls := p.Layers()
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i].LayerType() == t {
			return ls[i]
		}
	}
	return nil
}

// Payload is one datagram or frame payload of a capture with the frame
// number (1-based, as tshark counts) it came from.
type Payload struct {
	Frame int
	Data  []byte
}

// UDPPayloads returns copies of the non-empty payloads of the innermost UDP
// layers whose source or destination port is port.
func UDPPayloads(tb testing.TB, path string, port uint16) []Payload {
	tb.Helper()
	var out []Payload
	for i, p := range Packets(tb, path) {
		u, ok := Innermost(p, layers.LayerTypeUDP).(*layers.UDP)
		if !ok || len(u.Payload) == 0 || (uint16(u.SrcPort) != port && uint16(u.DstPort) != port) {
			continue
		}
		out = append(out, Payload{Frame: i + 1, Data: append([]byte(nil), u.Payload...)})
	}
	return out
}

// EtherPayloads returns copies of the payloads of the innermost Ethernet
// headers of type et (after any 802.1Q tags).
func EtherPayloads(tb testing.TB, path string, et layers.EthernetType) []Payload {
	tb.Helper()
	var out []Payload
	for i, p := range Packets(tb, path) {
		e, ok := Innermost(p, layers.LayerTypeEthernet).(*layers.Ethernet)
		if !ok {
			continue
		}
		data, typ := e.Payload, e.EthernetType
		if q, ok := Innermost(p, layers.LayerTypeDot1Q).(*layers.Dot1Q); ok {
			data, typ = q.Payload, q.Type
		}
		if typ == et {
			out = append(out, Payload{Frame: i + 1, Data: append([]byte(nil), data...)})
		}
	}
	return out
}

// SNAPPayloads returns copies of the payloads of the innermost 802.2 SNAP
// headers with organisation code org and protocol id typ.
func SNAPPayloads(tb testing.TB, path string, org uint32, typ uint16) []Payload {
	tb.Helper()
	var out []Payload
	for i, p := range Packets(tb, path) {
		s, ok := Innermost(p, layers.LayerTypeSNAP).(*layers.SNAP)
		if !ok || binary.BigEndian.Uint32(append([]byte{0}, s.OrganizationalCode...)) != org || uint16(s.Type) != typ {
			continue
		}
		out = append(out, Payload{Frame: i + 1, Data: append([]byte(nil), s.Payload...)})
	}
	return out
}

// Stream is one TCP connection of a capture: the bytes each side sent, in
// file order, retransmitted segments (same sequence number) dropped.
type Stream struct {
	Client, Server string // "addr:port"
	ClientFrame    int    // frame of the first client payload
	ServerFrame    int    // frame of the first server payload
	ToServer       []byte
	ToClient       []byte
}

// TCPStreams returns the TCP connections with payload whose server side
// (source or destination port) is port, in order of their first payload.
func TCPStreams(tb testing.TB, path string, port uint16) []*Stream {
	tb.Helper()
	var (
		out  []*Stream
		byID = map[string]*Stream{}
		seen = map[string]bool{}
	)
	for i, p := range Packets(tb, path) {
		t, ok := Innermost(p, layers.LayerTypeTCP).(*layers.TCP)
		if !ok || len(t.Payload) == 0 || (uint16(t.SrcPort) != port && uint16(t.DstPort) != port) {
			continue
		}
		var src, dst string
		switch ip := innermostIP(p).(type) {
		case *layers.IPv4:
			src, dst = fmt.Sprintf("%s:%d", ip.SrcIP, t.SrcPort), fmt.Sprintf("%s:%d", ip.DstIP, t.DstPort)
		case *layers.IPv6:
			src, dst = fmt.Sprintf("[%s]:%d", ip.SrcIP, t.SrcPort), fmt.Sprintf("[%s]:%d", ip.DstIP, t.DstPort)
		default:
			continue
		}
		toServer := uint16(t.DstPort) == port
		client, server := src, dst
		if !toServer {
			client, server = dst, src
		}
		key := client + ">" + server
		if seg := fmt.Sprintf("%s|%s|%d", key, src, t.Seq); seen[seg] {
			continue
		} else {
			seen[seg] = true
		}
		s := byID[key]
		if s == nil {
			s = &Stream{Client: client, Server: server}
			byID[key] = s
			out = append(out, s)
		}
		if toServer {
			if s.ClientFrame == 0 {
				s.ClientFrame = i + 1
			}
			s.ToServer = append(s.ToServer, t.Payload...)
		} else {
			if s.ServerFrame == 0 {
				s.ServerFrame = i + 1
			}
			s.ToClient = append(s.ToClient, t.Payload...)
		}
	}
	return out
}

func innermostIP(p gopacket.Packet) gopacket.Layer {
	ls := p.Layers()
	for i := len(ls) - 1; i >= 0; i-- {
		if t := ls[i].LayerType(); t == layers.LayerTypeIPv4 || t == layers.LayerTypeIPv6 {
			return ls[i]
		}
	}
	return nil
}

// SYNs returns copies of the innermost IP packets (IP header onwards) that
// carry a TCP segment with SYN set, and their frame numbers.
func SYNs(tb testing.TB, path string) []Payload {
	tb.Helper()
	var out []Payload
	for i, p := range Packets(tb, path) {
		t, ok := Innermost(p, layers.LayerTypeTCP).(*layers.TCP)
		if !ok || !t.SYN {
			continue
		}
		ip := innermostIP(p)
		if ip == nil {
			continue
		}
		b := append(append([]byte(nil), ip.LayerContents()...), ip.LayerPayload()...)
		out = append(out, Payload{Frame: i + 1, Data: b})
	}
	return out
}

// Within reports whether sub is empty or lies inside buf (shares its
// memory), which is what a zero-copy decoder's result slices must do.
func Within(buf, sub []byte) bool {
	if len(sub) == 0 {
		return true
	}
	if len(buf) == 0 {
		return false
	}
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	s0 := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	return s0 >= b0 && s0+uintptr(len(sub)) <= b0+uintptr(len(buf))
}

// NoAllocs fails the test when fn allocates (a decoder's fast path must not).
func NoAllocs(t *testing.T, fn func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, fn); n != 0 {
		t.Fatalf("%v allocations per call, want 0", n)
	}
}

// Seed adds to the fuzz corpus every payload that extract finds in each of
// the shared captures rels that are present (absent ones are passed over:
// the fuzz test still runs on its synthetic seeds).
func Seed(f *testing.F, rels []string, extract func(path string) []Payload) {
	for _, rel := range rels {
		p, err := SharedPcapPath(rel)
		if err != nil {
			continue
		}
		for _, pl := range extract(p) {
			f.Add(pl.Data)
		}
	}
}

// FrameCase is the expected decoding of one frame of a shared capture, in
// the form a test's summary function renders it. It is an alias of an
// unnamed struct type so that tables can list cases without field keys.
type FrameCase = struct {
	File  string
	Frame int
	Want  string
}

// CheckFrames decodes each case's frame (found among the payloads that
// extract returns for its file) with summarize and compares the result.
// Captures that are absent skip the test.
func CheckFrames(t *testing.T, cases []FrameCase, extract func(tb testing.TB, path string) []Payload, summarize func(data []byte) (string, error)) {
	t.Helper()
	cache := map[string][]Payload{}
	for _, c := range cases {
		ps, ok := cache[c.File]
		if !ok {
			ps = extract(t, SharedPcap(t, c.File))
			cache[c.File] = ps
		}
		found := false
		for _, p := range ps {
			if p.Frame != c.Frame {
				continue
			}
			found = true
			got, err := summarize(p.Data)
			if err != nil {
				t.Errorf("%s #%d: %v", c.File, c.Frame, err)
			}
			if got != c.Want {
				t.Errorf("%s #%d:\n got %s\nwant %s", c.File, c.Frame, got, c.Want)
			}
		}
		if !found {
			t.Errorf("%s: frame %d not found", c.File, c.Frame)
		}
	}
}

// TCPPayloads returns copies of the non-empty payloads of the innermost TCP
// segments whose source or destination port is port, one per frame.
func TCPPayloads(tb testing.TB, path string, port uint16) []Payload {
	tb.Helper()
	var out []Payload
	for i, p := range Packets(tb, path) {
		t, ok := Innermost(p, layers.LayerTypeTCP).(*layers.TCP)
		if !ok || len(t.Payload) == 0 || (uint16(t.SrcPort) != port && uint16(t.DstPort) != port) {
			continue
		}
		out = append(out, Payload{Frame: i + 1, Data: append([]byte(nil), t.Payload...)})
	}
	return out
}
