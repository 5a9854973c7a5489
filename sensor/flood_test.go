package sensor

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// floodGen builds the frames of the flood tests in memory (no committed
// captures): Ethernet/IPv4/TCP with correct lengths and checksums.
type floodGen struct {
	buf gopacket.SerializeBuffer
	t   time.Time
}

func newFloodGen() *floodGen {
	return &floodGen{buf: gopacket.NewSerializeBuffer(), t: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
}

// tcp returns one frame (a fresh copy) and advances the clock by 10 µs.
func (g *floodGen) tcp(srcMAC, dstMAC net.HardwareAddr, src, dst netip.Addr, sport, dport uint16, seq uint32, syn bool, payload []byte) ([]byte, gopacket.CaptureInfo) {
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, SYN: syn, ACK: !syn, Ack: 1, Window: 64240}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(g.buf, opts, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	data := append([]byte(nil), g.buf.Bytes()...)
	g.t = g.t.Add(10 * time.Microsecond)
	return data, gopacket.CaptureInfo{Timestamp: g.t, CaptureLength: len(data), Length: len(data)}
}

func floodWorker(tb testing.TB, cfg Config) (*Sensor, *worker) {
	tb.Helper()
	s := New(cfg, &nullSink{})
	w, err := s.newWorker(Input{Source: &FileSource{r: fakeLinkType{}}, Vantage: "flood"}, true)
	if err != nil {
		tb.Fatal(err)
	}
	w.ctx = context.Background()
	return s, w
}

// TestFloodPartialHL7 opens 2,000 HL7 connections that each leave a
// 60 KiB message unfinished. The parsers' buffers stay within
// streams.max_buffer_bytes, the refusals are counted, and the heap grows by
// about the budget, not by 2,000 × 60 KiB.
func TestFloodPartialHL7(t *testing.T) {
	const budget = 16 << 20
	run := func(limit int64) (heap uint64, s *Sensor) {
		s, w := floodWorker(t, Config{Streams: StreamConfig{MaxBufferBytes: limit}})
		g := newFloodGen()
		client, server := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}, net.HardwareAddr{0x00, 0x1b, 0x63, 0, 0, 2}
		srv := netip.MustParseAddr("10.20.0.5")
		msh := []byte("\x0bMSH|^~\\&|PUMPGW|ICU|EMR|HOSP|20260105080000||ORU^R01|1|P|2.5\r")
		seg := make([]byte, 1400)
		for i := range seg {
			seg[i] = 'x'
		}
		seg[len(seg)-1] = '\r'
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for c := range 2000 {
			cl := netip.AddrFrom4([4]byte{10, 30, byte(c >> 8), byte(c)})
			sport := uint16(40000 + c%20000)
			seq := uint32(1000)
			d, ci := g.tcp(client, server, cl, srv, sport, 2575, seq, false, msh)
			w.packet(d, &ci)
			seq += uint32(len(msh))
			for range 43 { // 60 KiB, no trailer
				d, ci := g.tcp(client, server, cl, srv, sport, 2575, seq, false, seg)
				w.packet(d, &ci)
				seq += uint32(len(seg))
			}
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(w)
		return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), s
	}
	heap, s := run(budget)
	st := s.BufferBudget()
	t.Logf("budget %d MiB: parsers hold %.1f MiB (peak %.1f), %d buffers refused, heap +%.1f MiB",
		budget>>20, float64(st.Used)/(1<<20), float64(st.Peak)/(1<<20), st.Denied, float64(heap)/(1<<20))
	if st.Peak > budget {
		t.Errorf("parsers held %d bytes at peak, over the %d budget", st.Peak, budget)
	}
	if st.Denied == 0 {
		t.Error("the budget never bit: the flood was too small to test it")
	}
	if testing.Short() {
		return
	}
	heapU, su := run(1 << 40)
	t.Logf("no budget: parsers hold %.1f MiB, heap +%.1f MiB", float64(su.BufferBudget().Used)/(1<<20), float64(heapU)/(1<<20))
	if heap >= heapU {
		t.Errorf("heap with the budget (+%d) not below the heap without (+%d)", heap, heapU)
	}
}

// udp returns one UDP frame.
func (g *floodGen) udp(srcMAC, dstMAC net.HardwareAddr, src, dst netip.Addr, sport, dport uint16, payload []byte) ([]byte, gopacket.CaptureInfo) {
	eth := &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	_ = udp.SetNetworkLayerForChecksum(ip)
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(g.buf, opts, eth, ip, udp, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	data := append([]byte(nil), g.buf.Bytes()...)
	g.t = g.t.Add(10 * time.Microsecond)
	return data, gopacket.CaptureInfo{Timestamp: g.t, CaptureLength: len(data), Length: len(data)}
}

// TestFloodFlowTable: 20,000 allowed flows fill a 1,000-entry flow table;
// a new flow after them is still reported at once (so the policy judges it)
// and the table stays at its cap. Nothing an evicted flow counted is lost.
func TestFloodFlowTable(t *testing.T) {
	c := &collector{}
	s := New(Config{MaxFlows: 1000}, c)
	w, err := s.newWorker(Input{Source: &FileSource{r: fakeLinkType{}}, Vantage: "flood"}, true)
	if err != nil {
		t.Fatal(err)
	}
	w.ctx = context.Background()
	g := newFloodGen()
	ws, dns := net.HardwareAddr{0x00, 0x1b, 0x63, 0, 0, 1}, net.HardwareAddr{0x00, 0x1b, 0x63, 0, 0, 2}
	for i := range 20000 {
		src := netip.AddrFrom4([4]byte{10, 40, byte(i >> 8), byte(i)})
		d, ci := g.udp(ws, dns, src, netip.MustParseAddr("10.40.255.53"), uint16(30000+i%30000), 53, []byte("q"))
		w.packet(d, &ci)
	}
	pump := net.HardwareAddr{0x00, 0x0e, 0x8a, 0, 0, 9}
	pumpIP, ext := netip.MustParseAddr("10.30.0.9"), netip.MustParseAddr("203.0.113.80")
	d, ci := g.tcp(pump, dns, pumpIP, ext, 51000, 443, 1, true, nil)
	w.packet(d, &ci)
	var flows, packets uint64
	found := false
	for _, o := range c.obs {
		if o.Kind != model.ObsFlow {
			continue
		}
		flows++
		packets += o.Flow.Packets
		if o.Flow.ClientIP == pumpIP && o.Flow.ServerIP == ext && o.Flow.Port == 443 {
			found = true
		}
	}
	if !found {
		t.Error("the flow after the flood was never reported (the policy could not judge it)")
	}
	st := w.snapshot()
	if st.Flows > 1000 {
		t.Errorf("%d flows in a table capped at 1000", st.Flows)
	}
	if st.FlowCapHits == 0 || st.FlowEvictions == 0 {
		t.Errorf("cap hits %d, evictions %d: the cap never bit", st.FlowCapHits, st.FlowEvictions)
	}
	if packets != 20001 {
		t.Errorf("flow reports account for %d packets, want 20001 (evictions must report first)", packets)
	}
	t.Logf("%d flow reports, %d cap hits, %d evictions, %d in the table", flows, st.FlowCapHits, st.FlowEvictions, st.Flows)
}

// arpReply returns an ARP reply frame from mac claiming ip.
func (g *floodGen) arpReply(mac net.HardwareAddr, ip netip.Addr, toMAC net.HardwareAddr, toIP netip.Addr) ([]byte, gopacket.CaptureInfo) {
	eth := &layers.Ethernet{SrcMAC: mac, DstMAC: toMAC, EthernetType: layers.EthernetTypeARP}
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPReply, SourceHwAddress: mac, SourceProtAddress: ip.AsSlice(), DstHwAddress: toMAC, DstProtAddress: toIP.AsSlice()}
	if err := gopacket.SerializeLayers(g.buf, gopacket.SerializeOptions{FixLengths: true}, eth, arp); err != nil {
		panic(err)
	}
	data := append([]byte(nil), g.buf.Bytes()...)
	g.t = g.t.Add(10 * time.Microsecond)
	return data, gopacket.CaptureInfo{Timestamp: g.t, CaptureLength: len(data), Length: len(data)}
}

func collectWorker(t *testing.T, cfg Config) (*collector, *worker) {
	t.Helper()
	c := &collector{}
	s := New(cfg, c)
	w, err := s.newWorker(Input{Source: &FileSource{r: fakeLinkType{}}, Vantage: "flood"}, true)
	if err != nil {
		t.Fatal(err)
	}
	w.ctx = context.Background()
	return c, w
}

func randomMAC(i int) net.HardwareAddr {
	return net.HardwareAddr{0x00, 0x50, 0x56, byte(i >> 16), byte(i >> 8), byte(i)}
}

// TestFloodAssetTable: after max_assets source MACs, a new device that
// sends only IP traffic is still recorded (the longest-idle asset is
// evicted for it).
func TestFloodAssetTable(t *testing.T) {
	c, w := collectWorker(t, Config{MaxAssets: 1000, NewAssetRate: -1})
	g := newFloodGen()
	gw := net.HardwareAddr{0x00, 0x1b, 0x63, 0, 0, 1}
	for i := range 5000 {
		src := netip.AddrFrom4([4]byte{10, 50, byte(i >> 8), byte(i)})
		d, ci := g.udp(randomMAC(i), gw, src, netip.MustParseAddr("10.50.255.1"), 40000, 53, []byte("q"))
		w.packet(d, &ci)
	}
	late := net.HardwareAddr{0x00, 0x0e, 0x8a, 0xaa, 0xbb, 0xcc}
	d, ci := g.tcp(late, gw, netip.MustParseAddr("10.30.1.2"), netip.MustParseAddr("10.20.0.5"), 50000, 2575, 1, true, nil)
	w.packet(d, &ci)
	found := false
	for _, o := range c.obs {
		if o.Kind == model.ObsActivity && o.Key.MAC == model.MAC(late) {
			found = true
		}
	}
	if !found {
		t.Error("the latecomer after the asset table filled was never reported")
	}
	if st := w.snapshot(); st.Assets > 1000 || st.AssetEvictions == 0 {
		t.Errorf("assets %d (cap 1000), evictions %d", st.Assets, st.AssetEvictions)
	}
}

// TestFloodARPPool: ARP replies from 100,000 random MACs (an ARP-pool
// flood). The new-asset budget admits its burst and rate, reports one
// mac-flood, and neither assets nor bindings of the refused MACs are
// reported, so the store cannot grow without bound.
func TestFloodARPPool(t *testing.T) {
	const burst = 2000
	c, w := collectWorker(t, Config{MaxAssets: 5000, NewAssetBurst: burst, NewAssetRate: 10})
	g := newFloodGen()
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for i := range 100000 {
		ip := netip.AddrFrom4([4]byte{10, 60, byte(i >> 8), byte(i)})
		d, ci := g.arpReply(randomMAC(i), ip, bcast, ip)
		w.packet(d, &ci)
	}
	var assets, arps, floods int
	for _, o := range c.obs {
		switch o.Kind {
		case model.ObsActivity:
			assets++
		case model.ObsARP:
			arps++
		case model.ObsMACFlood:
			floods++
		}
	}
	st := w.snapshot()
	// The flood lasts 1 s of capture time (10 µs a frame): burst + ~10 admitted.
	t.Logf("reported: %d assets, %d ARP bindings, %d floods; refused %d", assets, arps, floods, st.AssetFloodRefused)
	if assets > burst+20 || arps > burst+20 {
		t.Errorf("%d assets and %d bindings reported, want at most the budget (%d + rate)", assets, arps, burst)
	}
	if floods != 1 || st.AssetFloods != 1 {
		t.Errorf("%d mac-flood reports (%d counted), want exactly 1", floods, st.AssetFloods)
	}
	if st.AssetFloodRefused < 90000 {
		t.Errorf("only %d new MACs refused", st.AssetFloodRefused)
	}
}

func netipFrom(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }
