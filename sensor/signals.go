package sensor

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/cdp"
	"github.com/wardwatch/wardwatch/sensor/dhcpv6"
	"github.com/wardwatch/wardwatch/sensor/httphdr"
	"github.com/wardwatch/wardwatch/sensor/lldp"
	"github.com/wardwatch/wardwatch/sensor/mdns"
	"github.com/wardwatch/wardwatch/sensor/nbns"
	"github.com/wardwatch/wardwatch/sensor/sip"
	"github.com/wardwatch/wardwatch/sensor/snmp"
	"github.com/wardwatch/wardwatch/sensor/ssdp"
	"github.com/wardwatch/wardwatch/sensor/ssh"
	"github.com/wardwatch/wardwatch/sensor/tcpsig"
	"github.com/wardwatch/wardwatch/sensor/tlshello"
)

// The passive decoders' signals: what a frame's sender says about itself
// in LLDP and CDP advertisements, SNMP responses and traps, DHCPv6 client
// messages, mDNS and LLMNR responses, NetBIOS name registrations and
// answers, SSDP announcements and searches, SIP messages, the heads of HTTP
// requests and responses, SSH identification strings, TLS ClientHellos (JA4,
// SNI) and TCP SYN and SYN+ACK segments (p0f signatures). Each becomes an
// ObsSignal (model.SignalInfo: an Evidence* source and its value), named as
// fingerprint.Facts.Signals names them.
//
// A signal belongs to the frame's source MAC, except that one carried in IP
// from a MAC that is a router's (bound to other addresses, or sending from
// MinRouterIPs addresses), or from an address outside the subnets learned
// on the VLAN, belongs to the owner of its source address: the asset it is
// bound to on the vantage, else (Remote) the one the store knows for it.
// LLDP, CDP, mDNS and LLMNR never cross a router.
//
// Each (sender, source, value) is reported once and again at most once per
// refresh interval, whichever worker's frames carry it: the table that
// remembers them is the sensor's (sharedTables.signals), bounded like the
// others (a full shard of it forgets an arbitrary entry, counted).
// Packets that repeat a known value parse, hash and look up: no
// allocation. The messages of a TCP flow direction (HTTP heads, TLS
// ClientHellos, SSH banners, SIP) are read once per refresh interval: a
// client's next request on the flow would say the same.

// sigKey is one value of one source from one sender: its MAC on the VLAN,
// and for signals carried in IP its source address.
type sigKey struct {
	vantage string
	vlan    uint16
	mac     model.MAC
	ip      netip.Addr
	src     model.EvidenceSource
	h       uint64 // FNV-1a of the value
}

// signalTable is one worker's signal decoding, deduplicated in the
// sensor's shared table.
type signalTable struct {
	w *worker
	// shared holds when each value was last reported (sharedTables.signals,
	// bounded by Config.MaxSignals): every worker of the sensor agrees, so
	// a value is reported once per refresh interval whichever worker's
	// frames carry it.
	shared  *sharedTables
	refresh time.Duration

	// the frame being looked at
	cur struct {
		vantage  string
		f        *Frame
		ts       time.Time
		ipBorne  bool
		resolved bool
		key      model.AssetKey
		remote   bool
		drop     bool
		fl       *flowState // the frame's flow, or nil
		dir      int        // 0 from the flow's client, 1 from its server
	}

	// decoders' state, reused for every frame
	lldp  lldp.Info
	cdp   cdp.Info
	dhcp6 dhcpv6.Message
	mdns  mdns.Message
	nbns  nbns.Message
	ssdp  ssdp.Message
	sip   sip.Message
	http  httphdr.Info
	tls   tlshello.Hello
	ssh   ssh.Banner
	syn   tcpsig.Sig
	snmp  snmp.Message
	buf   []byte // a value composed from several fields

	// ClientHellos that did not fit in their first segment, completed from
	// the segments that follow (modern clients' hellos are larger than one).
	hellos  [helloSlots]pendingHello
	nHellos int
}

// helloSlots is how many ClientHellos spanning segments a worker completes
// at once, maxHello the largest it completes; helloWait is how long (in
// capture time) a slot waits for the next segment before another
// ClientHello may take it.
const (
	helloSlots = 16
	maxHello   = 8192
	helloWait  = 2 * time.Second
)

// helloConn is one direction of a TCP connection.
type helloConn struct {
	vantage  string
	vlan     uint16
	src, dst netip.AddrPort
}

type pendingHello struct {
	used bool
	conn helloConn
	next uint32 // the sequence number the next segment must have
	need int    // the TLS record's length
	at   time.Time
	buf  []byte
}

func newSignalTable(w *worker, shared *sharedTables, refresh time.Duration) *signalTable {
	t := &signalTable{w: w, shared: shared, refresh: refresh, buf: make([]byte, 0, 512)}
	for i := range t.hellos {
		t.hellos[i].buf = make([]byte, 0, maxHello)
	}
	return t
}

// frame looks at one decoded frame from a tracked sender; fl is its flow
// (nil if it is none) and fromClient its direction.
func (t *signalTable) frame(vantage string, f *Frame, fl *flowState, fromClient bool, ts time.Time) {
	c := &t.cur
	c.vantage, c.f, c.ts, c.ipBorne, c.resolved = vantage, f, ts, false, false
	c.fl, c.dir = fl, 0
	if !fromClient {
		c.dir = 1
	}
	switch {
	case f.CDP != nil:
		t.cdpFrame(f.CDP)
	case f.EtherType == layers.EthernetType(lldp.EtherType) && f.LinkPayload != nil:
		t.lldpFrame(f.LinkPayload)
	case f.Proto == layers.IPProtocolUDP && len(f.Payload) > 0:
		t.udp(f)
	case f.TCP != nil:
		t.tcp(f)
	}
	c.f, c.fl = nil, nil
}

// add reports the value v of source src for the current frame's sender,
// unless it is empty or was reported within the refresh interval.
func (t *signalTable) add(src model.EvidenceSource, v []byte) {
	v = bytes.TrimSpace(bytes.TrimRight(v, "\x00"))
	if len(v) == 0 {
		return
	}
	c := &t.cur
	f := c.f
	k := sigKey{vantage: c.vantage, vlan: f.VLAN, mac: f.Src, src: src, h: fnv64(v)}
	if c.ipBorne || !f.HasMAC {
		k.ip = f.SrcIP
	}
	if t.shared.signalRecent(k, c.ts, t.refresh) {
		return // reported lately, by this worker or another
	}
	if !t.attribute() || !t.shared.claimSignal(k, c.ts, t.refresh) {
		return
	}
	o := model.Observation{Kind: model.ObsSignal, Time: c.ts, Key: c.key, OuterVLAN: f.OuterVLAN,
		Remote: c.remote, Signal: &model.SignalInfo{Source: src, Value: printable(v)}}
	if c.ipBorne || !f.HasMAC {
		o.IP = f.SrcIP
	}
	t.w.emit(o)
}

// attribute decides, once per frame, which asset its signals belong to.
// It reports false when there is none (a MAC-less frame without an IP).
func (t *signalTable) attribute() bool {
	c := &t.cur
	if c.resolved {
		return !c.drop
	}
	c.resolved, c.remote, c.drop = true, false, false
	f := c.f
	c.key = model.AssetKey{Vantage: c.vantage, VLAN: f.VLAN, MAC: f.Src}
	switch {
	case !f.HasMAC:
		c.key.IP = f.SrcIP
		c.drop = !f.SrcIP.IsValid()
	case c.ipBorne && t.routed(f):
		if k, ok := t.w.s.shared.ownerOf(c.vantage, f.SrcIP); ok {
			c.key = k
		} else {
			c.remote = true
		}
	}
	return !c.drop
}

// routed reports whether f's source IP is not its source MAC's own: the
// MAC is bound to other addresses (tracker.remote) or sent from
// MinRouterIPs addresses, or the address is outside the subnets learned on
// the VLAN.
func (t *signalTable) routed(f *Frame) bool {
	ip := f.SrcIP
	if !ip.IsValid() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return false
	}
	tr := t.w.tr
	if tr.boundTo(t.cur.vantage, f.VLAN, ip, f.Src) {
		return false
	}
	if tr.remote(t.cur.vantage, f.VLAN, ip, f.Src) ||
		t.w.s.shared.router(model.AssetKey{Vantage: t.cur.vantage, VLAN: f.VLAN, MAC: f.Src}) {
		return true
	}
	if ip.Is4() {
		if in, known := t.w.s.shared.subnetOf(t.cur.vantage, f.VLAN, ip); known && !in {
			return true
		}
	}
	return false
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// printable copies v, at most model.MaxSignalValue bytes, with control
// and non-ASCII bytes replaced by '?' (the values go into the database and
// onto terminals).
func printable(v []byte) string {
	if len(v) > model.MaxSignalValue {
		v = v[:model.MaxSignalValue]
	}
	out := make([]byte, len(v))
	for i, c := range v {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// lldpFrame: LLDP is sent by the device itself, never routed.
func (t *signalTable) lldpFrame(b []byte) {
	in := &t.lldp
	if lldp.ParseInto(b, in) != nil && in.TLVs == 0 {
		return
	}
	t.add(model.EvidenceLLDPSysName, in.SystemName)
	t.add(model.EvidenceLLDPSysDesc, in.SystemDescription)
	if in.HasCapabilities {
		t.add(model.EvidenceLLDPCapabilities, t.capNames(uint32(in.EnabledCapabilities), lldpCaps[:]))
	}
	t.add(model.EvidenceLLDPMEDManufacturer, in.MED.Manufacturer)
	t.add(model.EvidenceLLDPMEDModel, in.MED.Model)
	t.add(model.EvidenceLLDPMEDFirmware, in.MED.FirmwareRev)
	t.add(model.EvidenceLLDPMEDSoftware, in.MED.SoftwareRev)
	if c := int(in.MED.DeviceClass); c < len(medClasses) {
		t.add(model.EvidenceLLDPMEDClass, medClasses[c])
	}
}

// medClasses names the LLDP-MED device types (lldp.DeviceClassName) by
// their value, nil for 0.
var medClasses = func() (n [lldp.MEDClassNetwork + 1][]byte) {
	for c := range n {
		if s := lldp.DeviceClassName(uint8(c)); s != "" {
			n[c] = []byte(s)
		}
	}
	return n
}()

// cdpFrame: CDP is sent by the device itself, never routed.
func (t *signalTable) cdpFrame(b []byte) {
	in := &t.cdp
	if cdp.ParseInto(b, in) != nil && in.TLVs == 0 {
		return
	}
	t.add(model.EvidenceCDPDeviceID, in.DeviceID)
	t.add(model.EvidenceCDPPlatform, in.Platform)
	t.add(model.EvidenceCDPSoftware, in.SoftwareVersion)
	if in.HasCapabilities {
		t.add(model.EvidenceCDPCapabilities, t.capNames(in.Capabilities, cdpCaps[:]))
	}
}

type capName struct {
	bit  uint32
	name string
}

// lldpCaps and cdpCaps name capability bits as model.EvidenceLLDPCapabilities
// and model.EvidenceCDPCapabilities document them.
var (
	lldpCaps = [...]capName{{lldp.CapOther, "other"}, {lldp.CapRepeater, "repeater"}, {lldp.CapBridge, "bridge"},
		{lldp.CapWLANAP, "wlan-ap"}, {lldp.CapRouter, "router"}, {lldp.CapTelephone, "telephone"},
		{lldp.CapDOCSIS, "docsis"}, {lldp.CapStationOnly, "station"}}
	cdpCaps = [...]capName{{cdp.CapRouter, "router"}, {cdp.CapTransBridge, "trans-bridge"},
		{cdp.CapSRBridge, "source-route-bridge"}, {cdp.CapSwitch, "switch"}, {cdp.CapHost, "host"},
		{cdp.CapIGMP, "igmp"}, {cdp.CapRepeater, "repeater"}, {cdp.CapVoIPPhone, "phone"}, {cdp.CapRemote, "remote"},
		{cdp.CapCVTA, "cvta"}, {cdp.CapMACRelay, "mac-relay"}}
)

// capNames writes the names of the bits set in c, comma-separated, into
// t.buf.
func (t *signalTable) capNames(c uint32, names []capName) []byte {
	b := t.buf[:0]
	for _, n := range names {
		if c&n.bit != 0 {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = append(b, n.name...)
		}
	}
	t.buf = b
	return b
}

// udp looks at the UDP datagrams that carry signals.
func (t *signalTable) udp(f *Frame) {
	sport, dport, b := f.SrcPort, f.DstPort, f.Payload
	switch {
	case sport == mdns.MDNSPort || sport == mdns.LLMNRPort:
		t.mdnsMsg(b, sport == mdns.LLMNRPort) // link-local: the sender's MAC
	case sport == dhcpv6.ClientPort && dport == dhcpv6.ServerPort:
		t.dhcpv6Msg(b) // link-local: the sender's MAC
	case sport == nbns.Port:
		t.cur.ipBorne = true
		t.nbnsMsg(b, f.SrcIP)
	case sport == ssdp.Port || dport == ssdp.Port:
		t.cur.ipBorne = true
		t.ssdpMsg(b)
	case sport == snmp.AgentPort || dport == snmp.TrapPort:
		t.cur.ipBorne = true
		t.snmpMsg(b)
	case sport == sip.Port || dport == sip.Port:
		t.cur.ipBorne = true
		t.sipMsg(b)
	}
}

func (t *signalTable) mdnsMsg(b []byte, llmnr bool) {
	m := &t.mdns
	if mdns.ParseInto(b, m) != nil && m.Records == 0 || !m.Response {
		return
	}
	for i := 0; i < m.NumHosts && i < len(m.Hosts); i++ {
		if llmnr {
			t.add(model.EvidenceLLMNRName, m.Hosts[i].Name)
		} else {
			t.add(model.EvidenceMDNSHostname, m.Hosts[i].Name)
		}
	}
	if llmnr {
		return
	}
	for i := 0; i < m.NumPTRs && i < len(m.PTRs); i++ {
		if n := m.PTRs[i].Name; len(n) > 0 && n[0] == '_' {
			t.add(model.EvidenceMDNSService, n)
		}
	}
	for i := 0; i < m.NumTXT && i < len(m.TXT); i++ {
		d := m.TXT[i].Data
		for _, k := range txtModelKeys {
			if len(d) >= len(k) && string(d[:len(k)]) == k {
				t.add(model.EvidenceMDNSTXTModel, d)
				break
			}
		}
	}
}

// txtModelKeys are the TXT keys that name a model (package mdns).
var txtModelKeys = [...]string{"model=", "md=", "ty=", "product=", "usb_MFG=", "usb_MDL="}

// dhcpv6Msg reads a client's own message (not a relay's).
func (t *signalTable) dhcpv6Msg(b []byte) {
	m := &t.dhcp6
	if dhcpv6.ParseInto(b, m) != nil || !dhcpv6.FromClient(m.Type) || m.RelayDepth > 0 {
		return
	}
	if m.HasVendorClass && m.NumVendorClassData > 0 {
		v := strconv.AppendUint(t.buf[:0], uint64(m.VendorClassEnterprise), 10)
		v = append(v, ':')
		v = append(v, m.VendorClassData[0]...)
		t.buf = v
		t.add(model.EvidenceDHCPv6VendorClass, v)
	}
	t.add(model.EvidenceDHCPv6FQDN, m.FQDN)
}

// nbnsMsg reads the names a host registers or answers for with its own
// address (a WINS server's answers for other hosts are not its names): its
// computer name (nbns.HostName: not the domain name it holds as PDC or
// master browser), and the services its names say it runs (group names
// too: a domain controller's <1C>).
func (t *signalTable) nbnsMsg(b []byte, src netip.Addr) {
	m := &t.nbns
	if nbns.ParseInto(b, m) != nil && m.NumNames == 0 {
		return
	}
	if !m.Speaks() {
		return
	}
	for i := 0; i < m.NumNames && i < len(m.Names); i++ {
		n := &m.Names[i]
		if !n.Own(src) {
			continue
		}
		if n.HostName() {
			t.add(model.EvidenceNBNSName, n.Text())
		}
		if s := n.Service(); s != nbns.ServiceNone {
			t.buf = append(t.buf[:0], s.String()...)
			t.add(model.EvidenceNBNSService, t.buf)
		}
	}
}

func (t *signalTable) ssdpMsg(b []byte) {
	m := &t.ssdp
	if ssdp.ParseInto(b, m) != nil {
		return
	}
	switch m.Kind {
	case ssdp.KindNotify:
		t.add(model.EvidenceSSDPServer, m.Server)
		if bytes.HasPrefix(m.NT, []byte("urn:")) {
			t.add(model.EvidenceSSDPDeviceType, m.NT)
		}
	case ssdp.KindResponse:
		t.add(model.EvidenceSSDPServer, m.Server)
		if bytes.HasPrefix(m.ST, []byte("urn:")) {
			t.add(model.EvidenceSSDPDeviceType, m.ST)
		}
	case ssdp.KindSearch:
		t.add(model.EvidenceSSDPUserAgent, m.UserAgent)
	}
}

// snmpMsg reads an agent's response or trap.
func (t *signalTable) snmpMsg(b []byte) {
	m := &t.snmp
	if snmp.ParseInto(b, m) != nil {
		return
	}
	switch m.PDU {
	case snmp.PDUResponse, snmp.PDUTrapV1, snmp.PDUTrapV2, snmp.PDUInformRequest, snmp.PDUReport:
	default:
		return // a manager's request says nothing of the manager
	}
	t.add(model.EvidenceSNMPSysDescr, m.SysDescr)
	t.add(model.EvidenceSNMPSysName, m.SysName)
	if len(m.SysObjectID) > 0 {
		if v, ok := snmp.AppendOID(t.buf[:0], m.SysObjectID); ok {
			t.buf = v
			t.add(model.EvidenceSNMPSysObjectID, v)
		}
	}
}

// sipMsg reads a SIP message head. Its User-Agent or Server is the
// sender's only when no proxy relayed it (one Via).
func (t *signalTable) sipMsg(b []byte) {
	m := &t.sip
	if sip.ParseInto(b, m) != nil || m.ViaCount > 1 {
		return
	}
	t.add(model.EvidenceSIPUserAgent, m.UserAgent)
	t.add(model.EvidenceSIPServer, m.Server)
}

// tcp looks at SYN and SYN+ACK segments and at payloads that start an
// HTTP message head, a TLS ClientHello, an SSH identification string or a
// SIP message. Any other payload costs a few byte comparisons.
func (t *signalTable) tcp(f *Frame) {
	t.cur.ipBorne = true
	if f.TCPFlags&0x02 != 0 {
		s := &t.syn
		if len(f.IPPacket) == 0 || tcpsig.ParseInto(f.IPPacket, s) != nil {
			return
		}
		t.buf = s.AppendP0F(t.buf[:0], 0)
		if s.SYNACK {
			t.add(model.EvidenceTCPSYNACKSig, t.buf)
		} else {
			t.add(model.EvidenceTCPSYNSig, t.buf)
		}
		return
	}
	b := f.Payload
	if len(b) == 0 || (t.nHellos > 0 && t.continueHello(f)) {
		return
	}
	if len(b) < 4 {
		return
	}
	// A flow direction whose messages were read within the refresh
	// interval is not read again (its client's next request would say the
	// same); new connections of other flows are.
	if fl := t.cur.fl; fl != nil {
		if at := fl.sigAt[t.cur.dir]; !at.IsZero() && t.cur.ts.Sub(at) < t.refresh {
			return
		}
		if tcpSignalStart(b, f) {
			fl.sigAt[t.cur.dir] = t.cur.ts
		}
	}
	switch {
	case b[0] == 0x16 && b[1] == 0x03:
		err := tlshello.ParseInto(b, &t.tls)
		if errors.Is(err, tlshello.ErrIncomplete) {
			t.startHello(f)
			return
		}
		if err == nil {
			t.hello()
		}
	case b[0] == 'S' && b[1] == 'S' && b[2] == 'H' && b[3] == '-':
		bn := &t.ssh
		if ssh.ParseInto(b, bn) != nil {
			return
		}
		if f.SrcPort < f.DstPort { // the server's port is the lower one (22 against an ephemeral port)
			t.add(model.EvidenceSSHServerBanner, bn.Line)
		} else {
			t.add(model.EvidenceSSHClientBanner, bn.Line)
		}
	case f.SrcPort == sip.Port || f.DstPort == sip.Port:
		t.sipMsg(b)
	case httpStart(b):
		h := &t.http
		if err := httphdr.ParseInto(b, h); err != nil && !errors.Is(err, httphdr.ErrIncomplete) {
			return
		}
		if h.Request {
			t.add(model.EvidenceHTTPUserAgent, h.UserAgent)
		} else {
			t.add(model.EvidenceHTTPServer, h.Server)
		}
	}
}

// hello reports the JA4 and SNI of the ClientHello in t.tls.
func (t *signalTable) hello() {
	h := &t.tls
	if fp, ok := h.JA4(); ok {
		t.add(model.EvidenceTLSJA4, fp[:])
	}
	t.add(model.EvidenceTLSSNI, h.SNI)
}

func connOf(vantage string, f *Frame) helloConn {
	return helloConn{vantage: vantage, vlan: f.VLAN, src: netip.AddrPortFrom(f.SrcIP, f.SrcPort),
		dst: netip.AddrPortFrom(f.DstIP, f.DstPort)}
}

// startHello keeps the first segment of a ClientHello longer than it, in a
// free slot or the one waiting longest (if it waited helloWait).
func (t *signalTable) startHello(f *Frame) {
	b := f.Payload
	need := tlshello.RecordLen(b)
	if need <= len(b) || need > maxHello {
		return
	}
	slot := -1
	for i := range t.hellos {
		p := &t.hellos[i]
		if !p.used {
			slot = i
			break
		}
		if t.cur.ts.Sub(p.at) >= helloWait && (slot < 0 || p.at.Before(t.hellos[slot].at)) {
			slot = i
		}
	}
	if slot < 0 {
		return
	}
	p := &t.hellos[slot]
	if !p.used {
		t.nHellos++
	}
	p.used, p.conn, p.need, p.at = true, connOf(t.cur.vantage, f), need, t.cur.ts
	p.next = f.TCP.Seq + uint32(len(b))
	p.buf = append(p.buf[:0], b...)
}

// continueHello adds f's payload to the ClientHello its connection is
// completing, if any, and reports the hello once complete. It reports
// whether f belonged to one.
func (t *signalTable) continueHello(f *Frame) bool {
	c := connOf(t.cur.vantage, f)
	for i := range t.hellos {
		p := &t.hellos[i]
		if !p.used || p.conn != c {
			continue
		}
		if f.TCP.Seq != p.next || len(p.buf)+len(f.Payload) > maxHello {
			t.freeHello(p) // out of order, or not a hello after all: given up
			return true
		}
		p.buf = append(p.buf, f.Payload...)
		p.next += uint32(len(f.Payload))
		if len(p.buf) < p.need {
			return true
		}
		if tlshello.ParseInto(p.buf, &t.tls) == nil {
			t.hello()
		}
		t.freeHello(p)
		return true
	}
	return false
}

func (t *signalTable) freeHello(p *pendingHello) {
	p.used, p.buf, p.conn = false, p.buf[:0], helloConn{}
	t.nHellos--
}

// tcpSignalStart reports whether b starts a message tcp reads: a TLS
// record, an SSH identification string, a SIP message or an HTTP head.
func tcpSignalStart(b []byte, f *Frame) bool {
	return (b[0] == 0x16 && b[1] == 0x03) || (b[0] == 'S' && b[1] == 'S' && b[2] == 'H' && b[3] == '-') ||
		f.SrcPort == sip.Port || f.DstPort == sip.Port || httpStart(b)
}

// httpStart reports whether b starts like an HTTP/1.x request or response.
func httpStart(b []byte) bool {
	switch b[0] {
	case 'G':
		return bytes.HasPrefix(b, []byte("GET "))
	case 'P':
		return bytes.HasPrefix(b, []byte("POST ")) || bytes.HasPrefix(b, []byte("PUT ")) ||
			bytes.HasPrefix(b, []byte("PATCH "))
	case 'H':
		return bytes.HasPrefix(b, []byte("HTTP/1.")) || bytes.HasPrefix(b, []byte("HEAD "))
	case 'D':
		return bytes.HasPrefix(b, []byte("DELETE "))
	case 'O':
		return bytes.HasPrefix(b, []byte("OPTIONS "))
	}
	return false
}
