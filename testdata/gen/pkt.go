package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// startTime is when every capture begins.
var startTime = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// segment is where a frame travels: the 802.1Q VLAN (0 untagged) and, for
// Q-in-Q, the 802.1ad service tag.
type segment struct {
	Outer, VLAN uint16
}

func (s segment) String() string {
	switch {
	case s.Outer != 0:
		return fmt.Sprintf("QinQ %d/%d", s.Outer, s.VLAN)
	case s.VLAN == 0:
		return "untagged"
	}
	return fmt.Sprintf("VLAN %d", s.VLAN)
}

// host is one IPv4 endpoint.
type host struct {
	name string
	mac  net.HardwareAddr
	ip   net.IP // 4 bytes
	seg  segment
	gw   *host      // router interface on seg; nil for a router interface itself
	mask net.IPMask // router interfaces: the subnet's mask (nil: /24)
	// remote hosts sit outside the captured segments: their frames show up
	// as sent by the router on the peer's segment.
	remote bool
	ttl    uint8
	ipid   uint16
	port   uint16 // next ephemeral port
}

func (h *host) nextPort() uint16 {
	p := h.port
	h.port++
	if h.port < 49152 {
		h.port = 49152
	}
	return p
}

// pframe is one serialized frame waiting to be written.
type pframe struct {
	ts   time.Time
	ord  int
	data []byte
	src  [6]byte
	seg  segment
	hook func(*summary) // run when the frame is written
}

// hookLast attaches f to the frame built last, so that the summary learns
// what the frame means only if the frame is written.
func (g *gen) hookLast(f func(*summary)) {
	p := &g.out[len(g.out)-1]
	if prev := p.hook; prev != nil {
		p.hook = func(s *summary) { prev(s); f(s) }
		return
	}
	p.hook = f
}

// gen builds frames. Every frame is produced by serializing gopacket layers
// with FixLengths and ComputeChecksums; builders append to out, stamped with
// now.
type gen struct {
	rng  *rand.Rand
	buf  gopacket.SerializeBuffer
	opts gopacket.SerializeOptions
	now  time.Time
	out  []pframe
	ord  int
	sum  *summary
}

func newGen(seed uint64, kind string) *gen {
	return &gen{
		rng:  rand.New(rand.NewPCG(seed, 0x5741524457415443)), // "WARDWATC"
		buf:  gopacket.NewSerializeBuffer(),
		opts: gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		now:  startTime,
		sum:  newSummary(kind),
	}
}

// after advances the builders' clock.
func (g *gen) after(d time.Duration) { g.now = g.now.Add(d) }

// jitter returns a duration uniformly in [lo, hi).
func (g *gen) jitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

// frame serializes an Ethernet frame on seg carrying ls and queues it.
func (g *gen) frame(src, dst net.HardwareAddr, seg segment, et layers.EthernetType, ls ...gopacket.SerializableLayer) {
	all := make([]gopacket.SerializableLayer, 0, len(ls)+3)
	eth := &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: et}
	all = append(all, eth)
	switch {
	case seg.Outer != 0:
		eth.EthernetType = layers.EthernetTypeQinQ
		all = append(all,
			&layers.Dot1Q{VLANIdentifier: seg.Outer, Type: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: seg.VLAN, Type: et})
	case seg.VLAN != 0:
		eth.EthernetType = layers.EthernetTypeDot1Q
		all = append(all, &layers.Dot1Q{VLANIdentifier: seg.VLAN, Type: et})
	}
	all = append(all, ls...)
	if err := gopacket.SerializeLayers(g.buf, g.opts, all...); err != nil {
		panic(fmt.Sprintf("serialize: %v", err))
	}
	data := append([]byte(nil), g.buf.Bytes()...)
	var s [6]byte
	copy(s[:], src)
	g.out = append(g.out, pframe{ts: g.now, ord: g.ord, data: data, src: s, seg: seg})
	g.ord++
}

var (
	bcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	zeroMAC  = net.HardwareAddr{0, 0, 0, 0, 0, 0}
	bcastIP  = net.IPv4(255, 255, 255, 255).To4()
	zeroIP   = net.IPv4(0, 0, 0, 0).To4()
)

// arp queues an ARP frame: op 1 request, 2 reply.
func (g *gen) arp(seg segment, src, dst net.HardwareAddr, op uint16, sha net.HardwareAddr, spa net.IP, tha net.HardwareAddr, tpa net.IP) {
	a := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
		SourceHwAddress: sha, SourceProtAddress: spa.To4(),
		DstHwAddress: tha, DstProtAddress: tpa.To4(),
	}
	g.frame(src, dst, seg, layers.EthernetTypeARP, a)
}

// arpRequest: a asks who has ip.
func (g *gen) arpRequest(a *host, ip net.IP) {
	g.arp(a.seg, a.mac, bcastMAC, layers.ARPRequest, a.mac, a.ip, zeroMAC, ip)
}

// arpReply: a answers b's request.
func (g *gen) arpReply(a, b *host) {
	g.arp(a.seg, a.mac, b.mac, layers.ARPReply, a.mac, a.ip, b.mac, b.ip)
}

// arpProbe: RFC 5227 probe, sender IP 0.0.0.0.
func (g *gen) arpProbe(a *host) {
	g.arp(a.seg, a.mac, bcastMAC, layers.ARPRequest, a.mac, zeroIP, zeroMAC, a.ip)
}

// arpAnnounce: gratuitous ARP request, sender IP == target IP.
func (g *gen) arpAnnounce(a *host) {
	g.arp(a.seg, a.mac, bcastMAC, layers.ARPRequest, a.mac, a.ip, zeroMAC, a.ip)
}

// arpGratuitousReply: gratuitous ARP as a broadcast reply (some stacks do this).
func (g *gen) arpGratuitousReply(a *host) {
	g.arp(a.seg, a.mac, bcastMAC, layers.ARPReply, a.mac, a.ip, bcastMAC, a.ip)
}

// l2 decides how a unicast IP packet from a to b looks on the wire: a frame
// on a's segment (to b directly or to a's router), or, when a is remote, a
// frame from the router on b's segment.
func l2(a, b *host) (src, dst net.HardwareAddr, seg segment) {
	switch {
	case a.remote:
		return b.gw.mac, b.mac, b.seg
	case !b.remote && a.seg == b.seg:
		return a.mac, b.mac, a.seg
	case a.gw == nil: // a router interface talking off-link: not used
		return a.mac, b.mac, a.seg
	}
	return a.mac, a.gw.mac, a.seg
}

// ip4 builds an IPv4 header from a to b.
func ip4(a *host, srcIP, dstIP net.IP, proto layers.IPProtocol, df bool) *layers.IPv4 {
	a.ipid++
	ip := &layers.IPv4{
		Version: 4, IHL: 5, TTL: a.ttl, Protocol: proto, Id: a.ipid,
		SrcIP: srcIP.To4(), DstIP: dstIP.To4(),
	}
	if df {
		ip.Flags = layers.IPv4DontFragment
	}
	if ip.TTL == 0 {
		ip.TTL = 64
	}
	return ip
}

// udpRaw queues a UDP datagram with explicit addressing (for broadcasts).
func (g *gen) udpRaw(seg segment, srcMAC, dstMAC net.HardwareAddr, a *host, srcIP, dstIP net.IP, sport, dport uint16, ls ...gopacket.SerializableLayer) {
	ip := ip4(a, srcIP, dstIP, layers.IPProtocolUDP, false)
	u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := u.SetNetworkLayerForChecksum(ip); err != nil {
		panic(err)
	}
	g.frame(srcMAC, dstMAC, seg, layers.EthernetTypeIPv4, append([]gopacket.SerializableLayer{ip, u}, ls...)...)
}

// udp queues a unicast UDP datagram from a to b.
func (g *gen) udp(a, b *host, sport, dport uint16, ls ...gopacket.SerializableLayer) {
	src, dst, seg := l2(a, b)
	g.udpRaw(seg, src, dst, a, a.ip, b.ip, sport, dport, ls...)
}

// TCP flags.
const (
	fFIN = 1 << iota
	fSYN
	fRST
	fPSH
	fACK
)

// tcpConn is one TCP connection with real sequence numbers.
type tcpConn struct {
	g          *gen
	c, s       *host
	cp, sp     uint16
	cseq, sseq uint32 // next sequence number each side sends
	cwin, swin uint16
	mss        int
	// step is the delay between consecutive packets of the connection.
	stepLo, stepHi time.Duration
}

func (g *gen) newConn(c, s *host, sport uint16) *tcpConn {
	return &tcpConn{
		g: g, c: c, s: s, cp: c.nextPort(), sp: sport,
		cseq: g.rng.Uint32(), sseq: g.rng.Uint32(),
		cwin: 64240, swin: 65160, mss: 1460,
		stepLo: 150 * time.Microsecond, stepHi: 900 * time.Microsecond,
	}
}

// pkt queues one segment; fromC says the client sends it.
func (t *tcpConn) pkt(fromC bool, flags int, payload []byte) {
	a, b := t.s, t.c
	sp, dp := t.sp, t.cp
	seq, ack := &t.sseq, t.cseq
	win := t.swin
	if fromC {
		a, b = t.c, t.s
		sp, dp = t.cp, t.sp
		seq, ack = &t.cseq, t.sseq
		win = t.cwin
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(sp), DstPort: layers.TCPPort(dp),
		Seq: *seq, Window: win,
		FIN: flags&fFIN != 0, SYN: flags&fSYN != 0, RST: flags&fRST != 0,
		PSH: flags&fPSH != 0, ACK: flags&fACK != 0,
	}
	if tcp.ACK {
		tcp.Ack = ack
	}
	if tcp.SYN {
		mss := make([]byte, 2)
		binary.BigEndian.PutUint16(mss, uint16(t.mss))
		if fromC {
			tcp.Options = []layers.TCPOption{
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: mss},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{8}},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
			}
		} else {
			tcp.Options = []layers.TCPOption{
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: mss},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
			}
		}
	} else {
		// Scaled windows after the handshake (client shift 8, server 7).
		if fromC {
			tcp.Window = win >> 8
		} else {
			tcp.Window = win >> 7
		}
	}
	if tcp.RST {
		tcp.Window = 0
	}
	src, dst, seg := l2(a, b)
	ip := ip4(a, a.ip, b.ip, layers.IPProtocolTCP, true)
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		panic(err)
	}
	ls := []gopacket.SerializableLayer{ip, tcp}
	if len(payload) > 0 {
		ls = append(ls, gopacket.Payload(payload))
	}
	t.g.frame(src, dst, seg, layers.EthernetTypeIPv4, ls...)
	*seq += uint32(len(payload))
	if flags&(fSYN|fFIN) != 0 {
		*seq++
	}
	t.g.after(t.g.jitter(t.stepLo, t.stepHi))
}

// open performs the three-way handshake.
func (t *tcpConn) open() {
	t.pkt(true, fSYN, nil)
	t.pkt(false, fSYN|fACK, nil)
	t.pkt(true, fACK, nil)
}

// refused: SYN answered by RST.
func (t *tcpConn) refused() {
	t.pkt(true, fSYN, nil)
	t.pkt(false, fRST|fACK, nil)
}

// send transfers segs (each at most one MSS) from one side; the receiver
// acknowledges every second segment and the last one.
func (t *tcpConn) send(fromC bool, segs ...[]byte) {
	for i, s := range segs {
		fl := fACK
		if i == len(segs)-1 {
			fl |= fPSH
		}
		t.pkt(fromC, fl, s)
		if i%2 == 1 || i == len(segs)-1 {
			t.pkt(!fromC, fACK, nil)
		}
	}
}

// push sends data in MSS-sized segments without waiting for an ACK: the
// peer's answer acknowledges it.
func (t *tcpConn) push(fromC bool, data []byte) {
	for len(data) > t.mss {
		t.pkt(fromC, fACK, data[:t.mss])
		data = data[t.mss:]
	}
	t.pkt(fromC, fACK|fPSH, data)
}

// sendBytes splits data into MSS-sized segments and sends it.
func (t *tcpConn) sendBytes(fromC bool, data []byte) {
	var segs [][]byte
	for len(data) > t.mss {
		segs = append(segs, data[:t.mss])
		data = data[t.mss:]
	}
	segs = append(segs, data)
	t.send(fromC, segs...)
}

// close: the client (fromC) or server initiates FIN/ACK, FIN/ACK, ACK.
func (t *tcpConn) close(fromC bool) {
	t.pkt(fromC, fFIN|fACK, nil)
	t.pkt(!fromC, fFIN|fACK, nil)
	t.pkt(fromC, fACK, nil)
}

// randBytes returns n pseudo-random bytes.
func (g *gen) randBytes(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], g.rng.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

// tlsRecord returns one TLS 1.2 application-data record of n bytes in total.
func (g *gen) tlsRecord(n int) []byte {
	if n < 6 {
		n = 6
	}
	b := g.randBytes(n)
	b[0], b[1], b[2] = 23, 3, 3
	binary.BigEndian.PutUint16(b[3:5], uint16(n-5))
	return b
}

// tlsSegs returns TLS records totalling about total bytes, one per segment.
func (g *gen) tlsSegs(total, mss int) [][]byte {
	var segs [][]byte
	for total > 0 {
		n := min(total, mss)
		if n < 40 {
			n = 40
		}
		segs = append(segs, g.tlsRecord(n))
		total -= n
	}
	return segs
}

// tlsSession builds a TLS-over-TCP conversation c -> s:port: handshake-sized
// exchanges, then rounds of request and response (sizes from resp), then FIN.
// Every segment carries whole TLS application-data records.
func (g *gen) tlsSession(c, s *host, port uint16, rounds int, resp func() int) {
	t := g.newConn(c, s, port)
	t.open()
	t.send(true, g.tlsRecord(517))
	t.send(false, g.tlsSegs(2800+g.rng.IntN(2400), t.mss)...)
	t.send(true, g.tlsRecord(80+g.rng.IntN(80)))
	t.send(false, g.tlsRecord(50+g.rng.IntN(250)))
	for r := 0; r < rounds; r++ {
		t.send(true, g.tlsSegs(80+g.rng.IntN(900), t.mss)...)
		t.send(false, g.tlsSegs(resp(), t.mss)...)
	}
	t.close(g.rng.IntN(3) != 0)
}

// ntpPacket builds an NTPv4 client (mode 3) or server (mode 4) message.
func ntpPacket(now time.Time, server bool, orig uint64) []byte {
	b := make([]byte, 48)
	ts := ntpTime(now)
	if !server {
		b[0] = 0<<6 | 4<<3 | 3
		b[2] = 6
		b[3] = 0xe9 // precision -23
		binary.BigEndian.PutUint64(b[40:], ts)
		return b
	}
	b[0] = 0<<6 | 4<<3 | 4
	b[1] = 2 // stratum
	b[2] = 6
	b[3] = 0xe7
	binary.BigEndian.PutUint32(b[4:], 0x00000a00)   // root delay
	binary.BigEndian.PutUint32(b[8:], 0x00001c00)   // root dispersion
	copy(b[12:16], []byte{192, 0, 2, 123})          // reference id: upstream server
	binary.BigEndian.PutUint64(b[16:], ts-(60<<32)) // reference time
	binary.BigEndian.PutUint64(b[24:], orig)        // origin
	binary.BigEndian.PutUint64(b[32:], ts)          // receive
	binary.BigEndian.PutUint64(b[40:], ts+0x10000)  // transmit
	return b
}

func ntpTime(t time.Time) uint64 {
	const epoch = 2208988800
	sec := uint64(t.Unix() + epoch)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}

// ntpExchange: c asks s for the time.
func (g *gen) ntpExchange(c, s *host) {
	q := ntpPacket(g.now, false, 0)
	orig := binary.BigEndian.Uint64(q[40:])
	sp := uint16(123)
	if g.rng.IntN(2) == 0 {
		sp = c.nextPort()
	}
	g.udp(c, s, sp, 123, gopacket.Payload(q))
	g.after(g.jitter(200*time.Microsecond, 2*time.Millisecond))
	g.udp(s, c, 123, sp, gopacket.Payload(ntpPacket(g.now, true, orig)))
}

// dnsExchange: c resolves name (A) at s; ips are the answers (none: NXDOMAIN).
func (g *gen) dnsExchange(c, s *host, name string, ips ...net.IP) {
	id := uint16(g.rng.Uint32())
	sp := c.nextPort()
	q := &layers.DNS{
		ID: id, RD: true, OpCode: layers.DNSOpCodeQuery,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}},
	}
	g.udp(c, s, sp, 53, q)
	g.after(g.jitter(300*time.Microsecond, 3*time.Millisecond))
	r := &layers.DNS{
		ID: id, QR: true, RD: true, RA: true, OpCode: layers.DNSOpCodeQuery,
		Questions: q.Questions,
	}
	if len(ips) == 0 {
		r.ResponseCode = layers.DNSResponseCodeNXDomain
	}
	for _, ip := range ips {
		r.Answers = append(r.Answers, layers.DNSResourceRecord{
			Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300, IP: ip.To4(),
		})
	}
	g.udp(s, c, 53, sp, r)
}

// writePcap writes frames (already in order) as a classic pcap, forcing
// strictly increasing timestamps, and fills the summary.
type pcapOut struct {
	w    *pcapgo.Writer
	last time.Time
	sum  *summary
}

func newPcapOut(w io.Writer, sum *summary) (*pcapOut, error) {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return &pcapOut{w: pw, sum: sum}, nil
}

func (p *pcapOut) write(f pframe) error {
	ts := f.ts.Truncate(time.Microsecond)
	if !ts.After(p.last) {
		ts = p.last.Add(time.Microsecond)
	}
	p.last = ts
	ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(f.data), Length: len(f.data)}
	if err := p.w.WritePacket(ci, f.data); err != nil {
		return err
	}
	p.sum.frame(ts, f)
	if f.hook != nil {
		f.hook(p.sum)
	}
	return nil
}

// sortFrames orders frames by time, keeping build order for equal times.
func sortFrames(fs []pframe) {
	sort.SliceStable(fs, func(i, j int) bool {
		if !fs[i].ts.Equal(fs[j].ts) {
			return fs[i].ts.Before(fs[j].ts)
		}
		return fs[i].ord < fs[j].ord
	})
}
