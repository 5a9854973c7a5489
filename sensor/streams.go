package sensor

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/dicom"
	"github.com/wardwatch/wardwatch/sensor/hl7"
)

// StreamConfig bounds TCP stream reassembly for the clinical protocols.
// Zero fields (nil port lists) take the Default* values (defaults.go).
type StreamConfig struct {
	DICOMPorts []uint16
	HL7Ports   []uint16
	// ContentDetection also follows connections on any port whose first
	// payload is a DICOM A-ASSOCIATE-RQ or an MLLP-framed MSH.
	ContentDetection bool
	MaxStreams       int           // per worker
	MaxBufferedPages int           // out-of-order pages (1900 B) per worker
	MaxPagesPerConn  int           // out-of-order pages per connection
	IdleTimeout      time.Duration // a connection idle this long is closed
	MaxInspectBytes  int           // per direction
	MaxHL7Message    int           // bytes of one HL7 message looked at
	// MaxBufferBytes bounds the bytes all DICOM and HL7 parsers of the
	// sensor hold at once (unfinished messages and association PDUs),
	// across every connection and worker. See membudget.
	MaxBufferBytes int64
}

func (c *StreamConfig) defaults() {
	if c.DICOMPorts == nil {
		c.DICOMPorts = DefaultDICOMPorts()
	}
	if c.HL7Ports == nil {
		c.HL7Ports = DefaultHL7Ports()
	}
	setDefault(&c.MaxStreams, DefaultMaxStreams)
	setDefault(&c.MaxBufferedPages, DefaultMaxBufferedPages)
	setDefault(&c.MaxPagesPerConn, DefaultMaxPagesPerConn)
	setDefault(&c.IdleTimeout, DefaultStreamIdle)
	setDefault(&c.MaxInspectBytes, DefaultMaxInspectBytes)
	setDefault(&c.MaxHL7Message, DefaultMaxHL7Message)
	setDefault(&c.MaxBufferBytes, DefaultMaxBufferBytes)
}

const (
	protoNone uint8 = iota
	protoDICOM
	protoHL7
)

// conn4 is a TCP connection, endpoints ordered so both directions match.
type conn4 struct {
	vantage string
	vlan    uint16
	lo, hi  netip.AddrPort
}

func makeConn4(vantage string, vlan uint16, a, b netip.AddrPort) conn4 {
	if b.Addr().Less(a.Addr()) || (b.Addr() == a.Addr() && b.Port() < a.Port()) {
		a, b = b, a
	}
	return conn4{vantage, vlan, a, b}
}

// streamTable is one worker's TCP reassembly for DICOM and HL7.
type streamTable struct {
	cfg     StreamConfig
	w       *worker
	pool    *reassembly.StreamPool
	asm     *reassembly.Assembler
	ctx     asmContext
	tracked map[conn4]*tcpStream

	// the packet being assembled (for StreamFactory.New)
	cur struct {
		vantage string
		f       *Frame
		proto   uint8
	}
	lastFlush time.Time

	hl7view hl7.MessageView // scratch for the zero-allocation HL7 header parse

	capHits     uint64 // connections not followed: MaxStreams reached
	inspectCaps uint64 // directions that reached MaxInspectBytes
	started     uint64
}

type asmContext struct{ ci gopacket.CaptureInfo }

func (c *asmContext) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

func newStreamTable(w *worker, cfg StreamConfig) *streamTable {
	cfg.defaults()
	st := &streamTable{cfg: cfg, w: w, tracked: make(map[conn4]*tcpStream, 64)}
	st.pool = reassembly.NewStreamPool(st)
	st.asm = reassembly.NewAssembler(st.pool)
	st.asm.AssemblerOptions.MaxBufferedPagesTotal = cfg.MaxBufferedPages
	st.asm.AssemblerOptions.MaxBufferedPagesPerConnection = cfg.MaxPagesPerConn
	return st
}

func hasPort(ports []uint16, a, b uint16) bool {
	for _, p := range ports {
		if p == a || p == b {
			return true
		}
	}
	return false
}

// packet decides whether a TCP packet belongs to a followed connection and
// hands it to the assembler. tcp is the decoded TCP layer of the innermost
// frame.
func (st *streamTable) packet(vantage string, f *Frame, tcp *layers.TCP, ci *gopacket.CaptureInfo) {
	proto := protoNone
	switch {
	case hasPort(st.cfg.DICOMPorts, f.SrcPort, f.DstPort):
		proto = protoDICOM
	case hasPort(st.cfg.HL7Ports, f.SrcPort, f.DstPort):
		proto = protoHL7
	}
	if proto == protoNone {
		if len(tcp.Payload) == 0 && len(st.tracked) == 0 {
			return
		}
		k := makeConn4(vantage, f.VLAN, netip.AddrPortFrom(f.SrcIP, f.SrcPort), netip.AddrPortFrom(f.DstIP, f.DstPort))
		if s := st.tracked[k]; s != nil {
			proto = s.proto
		} else if st.cfg.ContentDetection && len(tcp.Payload) > 0 {
			switch {
			case dicom.LooksLikeAssociateRQ(tcp.Payload):
				proto = protoDICOM
			case hl7.LooksLikeMLLP(tcp.Payload):
				proto = protoHL7
			}
		}
		if proto == protoNone {
			return
		}
	}
	if len(st.tracked) >= st.cfg.MaxStreams {
		k := makeConn4(vantage, f.VLAN, netip.AddrPortFrom(f.SrcIP, f.SrcPort), netip.AddrPortFrom(f.DstIP, f.DstPort))
		if st.tracked[k] == nil {
			st.capHits++
			return
		}
	}
	st.cur.vantage, st.cur.f, st.cur.proto = vantage, f, proto
	st.ctx.ci = *ci
	var net gopacket.Flow
	if f.SrcIP.Is4() {
		a, b := f.SrcIP.As4(), f.DstIP.As4()
		net = gopacket.NewFlow(layers.EndpointIPv4, a[:], b[:])
	} else {
		a, b := f.SrcIP.As16(), f.DstIP.As16()
		net = gopacket.NewFlow(layers.EndpointIPv6, a[:], b[:])
	}
	st.asm.AssembleWithContext(net, tcp, &st.ctx)
	st.cur.f = nil
}

// maybeFlush closes streams idle for longer than the idle timeout.
func (st *streamTable) maybeFlush(now time.Time) {
	if st.lastFlush.IsZero() {
		st.lastFlush = now
		return
	}
	if now.Sub(st.lastFlush) < 10*time.Second {
		return
	}
	st.lastFlush = now
	st.asm.FlushCloseOlderThan(now.Add(-st.cfg.IdleTimeout))
}

func (st *streamTable) closeAll() { st.asm.FlushAll() }

// New implements reassembly.StreamFactory. It is called from inside
// AssembleWithContext for the packet in st.cur.
func (st *streamTable) New(netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	f := st.cur.f
	s := &tcpStream{t: st, proto: st.cur.proto, vantage: st.cur.vantage}
	if f == nil {
		return s
	}
	s.vlan, s.outer = f.VLAN, f.OuterVLAN
	src := netip.AddrPortFrom(f.SrcIP, f.SrcPort)
	dst := netip.AddrPortFrom(f.DstIP, f.DstPort)
	s.key = makeConn4(s.vantage, s.vlan, src, dst)
	ports := st.cfg.HL7Ports
	if s.proto == protoDICOM {
		ports = st.cfg.DICOMPorts
	}
	// The first packet's source is the client unless it comes from the
	// service port (or is a SYN-ACK).
	s.firstIsClient = true
	if tcp.SYN && tcp.ACK {
		s.firstIsClient = false
	} else if hasPort(ports, f.SrcPort, 0) && !hasPort(ports, f.DstPort, 0) {
		s.firstIsClient = false
	}
	srcKey := model.AssetKey{Vantage: s.vantage, VLAN: s.vlan, MAC: f.Src}
	dstKey := model.AssetKey{Vantage: s.vantage, VLAN: s.vlan, MAC: f.Dst}
	if !f.HasMAC {
		srcKey.IP, dstKey.IP = f.SrcIP, f.DstIP
	}
	if s.firstIsClient {
		s.client, s.server, s.clientIP, s.serverIP, s.port = srcKey, dstKey, f.SrcIP, f.DstIP, f.DstPort
	} else {
		s.client, s.server, s.clientIP, s.serverIP, s.port = dstKey, srcKey, f.DstIP, f.SrcIP, f.SrcPort
	}
	switch s.proto {
	case protoDICOM:
		s.dicom = dicom.NewConn(dicom.Limits{Budget: st.w.s.budget})
	case protoHL7:
		for i := range s.hl7 {
			s.hl7[i] = hl7.NewDeframer(st.cfg.MaxHL7Message)
			s.hl7[i].SetBudget(st.w.s.budget)
		}
		s.sent = map[uint64]*hl7Seen{}
	}
	st.tracked[s.key] = s
	st.started++
	return s
}

// tcpStream follows one DICOM or HL7 connection.
type tcpStream struct {
	t             *streamTable
	key           conn4
	proto         uint8
	vantage       string
	vlan, outer   uint16
	firstIsClient bool
	client        model.AssetKey
	server        model.AssetKey
	clientIP      netip.Addr
	serverIP      netip.Addr
	port          uint16
	inspected     [2]int
	done          [2]bool
	last          time.Time

	dicom         *dicom.Conn
	dicomReported dicom.State
	dicomCmds     int
	dicomOnce     bool             // the association was reported
	cmdSent       map[cmdKey]int64 // count already reported, per command

	hl7  [2]*hl7.Deframer
	sent map[uint64]*hl7Seen // HL7 header fingerprints already reported
}

// cmdKey is one of dicom.Association.Commands: command field, affected SOP
// class and direction.
type cmdKey struct {
	field         uint16
	sopClass      string
	fromRequestor bool
}

// hl7Seen is one distinct HL7 header on a connection: the reports made for
// it and how many messages carried it.
type hl7Seen struct {
	snd, rcv        model.Observation
	count, reported uint64
}

func (s *tcpStream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	// A SPAN joins connections at random points: start without a SYN.
	*start = true
	return true
}

func (s *tcpStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	dir, _, _, skip := sg.Info()
	fromClient := (dir == reassembly.TCPDirClientToServer) == s.firstIsClient
	i := 0
	if !fromClient {
		i = 1
	}
	s.last = ac.GetCaptureInfo().Timestamp
	if s.done[i] {
		return
	}
	n, _ := sg.Lengths()
	if n == 0 {
		return
	}
	if s.inspected[i]+n > s.t.cfg.MaxInspectBytes {
		n = s.t.cfg.MaxInspectBytes - s.inspected[i]
		s.done[i] = true
		s.t.inspectCaps++
	}
	s.inspected[i] += n
	data := sg.Fetch(n)
	switch s.proto {
	case protoDICOM:
		if skip != 0 {
			s.dicom.Gap(fromClient, skip)
		}
		s.dicom.Feed(fromClient, data)
		s.reportDICOM(false)
	case protoHL7:
		if skip != 0 {
			s.hl7[i].Reset()
		}
		s.hl7[i].Feed(data, func(msg []byte) { s.reportHL7(fromClient, msg) })
	}
}

func (s *tcpStream) ReassemblyComplete(ac reassembly.AssemblerContext) bool {
	switch s.proto {
	case protoDICOM:
		s.dicom.Flush()
		s.reportDICOM(true)
		s.dicom.Release()
	case protoHL7:
		for i := range s.hl7 {
			fromClient := i == 0
			s.hl7[i].Flush(func(msg []byte) { s.reportHL7(fromClient, msg) })
			s.hl7[i].Release()
		}
		s.reportHL7Counts()
	}
	if s.t.tracked[s.key] == s {
		delete(s.t.tracked, s.key)
	}
	return true
}

// reportDICOM emits one observation per end when the association reaches a
// new state, or at the end of the connection if commands were seen since.
func (s *tcpStream) reportDICOM(final bool) {
	st := s.dicom.State()
	cmds := s.dicom.CommandCount()
	if st == s.dicomReported && (!final || cmds == s.dicomCmds) {
		return
	}
	if st == dicom.StateUnknown && cmds == 0 {
		return
	}
	s.dicomReported, s.dicomCmds = st, cmds
	a := s.dicom.Association()
	scu := &model.DICOMInfo{
		Role: model.RoleSCU, AETitle: a.CallingAE, PeerAETitle: a.CalledAE, PeerIP: s.serverIP, Port: s.port,
		ApplicationContext: a.ApplicationContext, SOPClasses: a.ProposedSOPClasses(), TransferSyntaxes: a.ProposedTransferSyntaxes(),
		ImplClassUID: a.RequestorImplClassUID, ImplVersion: a.RequestorImplVersion, MaxPDU: a.RequestorMaxPDU,
		Result: a.State.String(),
	}
	scp := &model.DICOMInfo{
		Role: model.RoleSCP, AETitle: a.CalledAE, PeerAETitle: a.CallingAE, PeerIP: s.clientIP, Port: s.port,
		ApplicationContext: a.ApplicationContext, SOPClasses: a.AcceptedSOPClasses(),
		ImplClassUID: a.AcceptorImplClassUID, ImplVersion: a.AcceptorImplVersion, MaxPDU: a.AcceptorMaxPDU,
		Result: a.State.String(),
	}
	if !s.dicomOnce {
		s.dicomOnce = true
		scu.NewAssociation, scp.NewAssociation = true, true
	}
	if s.cmdSent == nil {
		s.cmdSent = map[cmdKey]int64{}
	}
	for _, c := range a.Commands {
		k := cmdKey{c.Field, c.AffectedSOPClass, c.FromRequestor}
		delta := c.Count - s.cmdSent[k]
		if delta <= 0 {
			continue
		}
		s.cmdSent[k] = c.Count
		cmd := model.DICOMCommand{Name: c.Name, SOPClass: c.AffectedSOPClass, Count: uint64(delta)}
		if c.FromRequestor {
			scu.Commands = append(scu.Commands, cmd)
		} else {
			scp.Commands = append(scp.Commands, cmd)
		}
	}
	s.t.w.emit(model.Observation{Kind: model.ObsDICOM, Time: s.last, Key: s.client, OuterVLAN: s.outer, IP: s.clientIP,
		Source: model.SourceDICOM, DICOM: scu, Remote: s.remote(s.client, s.clientIP)})
	s.t.w.emit(model.Observation{Kind: model.ObsDICOM, Time: s.last, Key: s.server, OuterVLAN: s.outer, IP: s.serverIP,
		Source: model.SourceDICOM, DICOM: scp, Remote: s.remote(s.server, s.serverIP)})
}

// reportHL7 parses one message's header and equipment fields and reports
// both ends, once per distinct header on this connection.
func (s *tcpStream) reportHL7(fromClient bool, msg []byte) {
	v := &s.t.hl7view
	if err := hl7.ParseInto(msg, v); err != nil {
		return
	}
	h := hl7Fingerprint(v)
	if seen := s.sent[h]; seen != nil {
		seen.count++ // steady state: same header as before, nothing allocated
		return
	}
	if len(s.sent) >= 256 {
		return // bounded: a connection with that many distinct headers is reported enough
	}
	m := v.Message()
	sender, receiver := s.client, s.server
	senderIP, receiverIP := s.clientIP, s.serverIP
	if !fromClient {
		sender, receiver, senderIP, receiverIP = s.server, s.client, s.serverIP, s.clientIP
	}
	typ := m.MessageType
	if m.TriggerEvent != "" {
		typ += "^" + m.TriggerEvent
	}
	var equip []string
	for _, e := range m.Equipment {
		equip = append(equip, e.Value)
	}
	snd := &model.HL7Info{Role: model.RoleSender, Application: m.SendingApplication, Facility: m.SendingFacility,
		PeerApplication: m.ReceivingApplication, PeerFacility: m.ReceivingFacility, PeerIP: receiverIP, Port: s.port,
		MessageType: typ, Version: m.Version, EquipmentIDs: equip, AckCode: m.AckCode}
	rcv := &model.HL7Info{Role: model.RoleReceiver, Application: m.ReceivingApplication, Facility: m.ReceivingFacility,
		PeerApplication: m.SendingApplication, PeerFacility: m.SendingFacility, PeerIP: senderIP, Port: s.port,
		MessageType: typ, Version: m.Version}
	seen := &hl7Seen{count: 1, reported: 1,
		snd: model.Observation{Kind: model.ObsHL7, Time: s.last, Key: sender, OuterVLAN: s.outer, IP: senderIP,
			Source: model.SourceHL7, HL7: snd, Remote: s.remote(sender, senderIP)},
		rcv: model.Observation{Kind: model.ObsHL7, Time: s.last, Key: receiver, OuterVLAN: s.outer, IP: receiverIP,
			Source: model.SourceHL7, HL7: rcv, Remote: s.remote(receiver, receiverIP)}}
	s.sent[h] = seen
	s.t.w.emit(seen.snd)
	s.t.w.emit(seen.rcv)
}

// reportHL7Counts reports, for every header seen again since its report,
// how many more messages carried it (at the end of the connection).
func (s *tcpStream) reportHL7Counts() {
	for _, seen := range s.sent {
		if seen.count <= seen.reported {
			continue
		}
		n := seen.count - seen.reported
		seen.reported = seen.count
		for _, o := range []model.Observation{seen.snd, seen.rcv} {
			info := *o.HL7
			info.Count = n
			o.HL7 = &info
			o.Time = s.last
			s.t.w.emit(o)
		}
	}
}

// remote reports whether k's MAC is not ip's own on this VLAN (a router's).
func (s *tcpStream) remote(k model.AssetKey, ip netip.Addr) bool {
	return s.t.w.tr.remote(k.Vantage, k.VLAN, ip, k.MAC)
}

func hl7Fingerprint(m *hl7.MessageView) uint64 {
	h := uint64(14695981039346656037)
	add := func(s []byte) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	add(m.SendingApplication)
	add(m.SendingFacility)
	add(m.ReceivingApplication)
	add(m.ReceivingFacility)
	add(m.MessageType)
	add(m.TriggerEvent)
	add(m.Version)
	add(m.AckCode)
	for i := 0; i < m.NumEquipment && i < len(m.Equipment); i++ {
		add(m.Equipment[i].Value)
	}
	return h
}
