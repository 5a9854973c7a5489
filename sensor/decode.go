package sensor

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// Layer names used to count decode errors (wardwatch_decode_errors_total{layer}).
const (
	LayerLink = iota
	LayerVLAN
	LayerARP
	LayerIPv4
	LayerIPv6
	LayerTCP
	LayerUDP
	LayerGRE
	LayerTunnel // ERSPAN / VXLAN headers
	LayerDHCP
	numLayers
)

// LayerNames indexes the decode-error counters.
var LayerNames = [numLayers]string{"link", "vlan", "arp", "ipv4", "ipv6", "tcp", "udp", "gre", "tunnel", "dhcp"}

// maxTunnelDepth is how many mirror tunnels are opened inside one another
// (e.g. VXLAN carried in ERSPAN). Deeper nesting is left undecoded.
const maxTunnelDepth = 2

// Tunnel kinds recorded in the vantage.
const (
	tunnelNone uint8 = iota
	tunnelERSPAN1
	tunnelERSPAN2
	tunnelERSPAN3
	tunnelGRE
	tunnelVXLAN
	tunnelCAPWAP
)

// stack is one set of preallocated layers with its own DecodingLayerParser.
// A worker owns maxTunnelDepth+1 of them: stack 0 decodes the captured frame,
// stack i+1 the frame found inside a mirror tunnel of stack i.
type stack struct {
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType

	eth  layers.Ethernet
	sll  layers.LinuxSLL
	loop layers.Loopback
	vlan vlanStack
	llc  layers.LLC
	snap layers.SNAP
	arp  layers.ARP
	ip4  ipv4Layer
	ip6  ipv6Layer
	tcp  tcpLayer
	udp  udpLayer
	gre  greLayer
	dhcp layers.DHCPv4
}

func newStack(first gopacket.LayerType) *stack {
	s := &stack{decoded: make([]gopacket.LayerType, 0, 16)}
	s.dhcp.Options = make(layers.DHCPOptions, 0, 32)
	s.parser = gopacket.NewDecodingLayerParser(first,
		&s.eth, &s.sll, &s.loop, &s.vlan, &s.llc, &s.snap, &s.arp, &s.ip4, &s.ip6, &s.tcp, &s.udp, &s.gre, &s.dhcp)
	s.parser.IgnoreUnsupported = true
	return s
}

// layerIndex maps a gopacket layer type to the decode-error counter index.
func layerIndex(t gopacket.LayerType) int {
	switch t {
	case layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLoopback, layers.LayerTypeLLC, layers.LayerTypeSNAP:
		return LayerLink
	case layers.LayerTypeDot1Q:
		return LayerVLAN
	case layers.LayerTypeARP:
		return LayerARP
	case layers.LayerTypeIPv4:
		return LayerIPv4
	case layers.LayerTypeIPv6:
		return LayerIPv6
	case layers.LayerTypeTCP:
		return LayerTCP
	case layers.LayerTypeUDP:
		return LayerUDP
	case layers.LayerTypeGRE:
		return LayerGRE
	case layers.LayerTypeDHCPv4:
		return LayerDHCP
	}
	return LayerLink
}

// nextAfter returns the layer type the parser tried after the last decoded
// one (the layer that failed).
func (s *stack) nextAfter(first gopacket.LayerType) gopacket.LayerType {
	if len(s.decoded) == 0 {
		return first
	}
	switch s.decoded[len(s.decoded)-1] {
	case layers.LayerTypeEthernet:
		return s.eth.NextLayerType()
	case layers.LayerTypeLinuxSLL:
		return s.sll.NextLayerType()
	case layers.LayerTypeLoopback:
		return s.loop.NextLayerType()
	case layers.LayerTypeDot1Q:
		return s.vlan.NextLayerType()
	case layers.LayerTypeLLC:
		return s.llc.NextLayerType()
	case layers.LayerTypeSNAP:
		return s.snap.NextLayerType()
	case layers.LayerTypeIPv4:
		return s.ip4.NextLayerType()
	case layers.LayerTypeIPv6:
		return s.ip6.NextLayerType()
	case layers.LayerTypeUDP:
		return s.udp.NextLayerType()
	}
	return first
}

// Frame is what one captured packet says, after tunnels are opened. All
// slices point into the packet buffer or the worker's layers and are valid
// only until the next packet.
type Frame struct {
	Len int // original length on the wire

	// Tunnel path (outermost first); vantage extension.
	tunnels    [maxTunnelDepth]tunnelTag
	numTunnels int
	tunnelVLAN uint16 // original VLAN carried in an ERSPAN header

	HasMAC    bool
	Src, Dst  model.MAC
	Tagged    bool
	VLAN      uint16 // innermost tag
	OuterVLAN uint16 // outer tag when two or more are present
	EtherType layers.EthernetType

	SrcIP, DstIP netip.Addr
	Proto        layers.IPProtocol
	HopLimit     uint8
	SrcPort      uint16
	DstPort      uint16
	TCPFlags     uint8  // FIN=1 SYN=2 RST=4 PSH=8 ACK=16
	Payload      []byte // TCP/UDP payload

	// LinkPayload is what follows the link header and VLAN tags (an LLDPDU
	// when EtherType is 0x88cc).
	LinkPayload []byte
	// CDP is the payload of an 802.2 SNAP header of Cisco's (00-00-0c,
	// 0x2000): a CDP advertisement.
	CDP []byte
	// IPPacket is the IPv4 or IPv6 packet, header included (a TCP SYN's
	// signature is read from it).
	IPPacket []byte

	ARP  *layers.ARP
	DHCP *layers.DHCPv4
	TCP  *layers.TCP // for stream reassembly
}

type tunnelTag struct {
	kind uint8
	id   uint32
}

// Decoder turns raw frames into Frames. One per worker goroutine; not safe
// for concurrent use. It allocates nothing per packet once warm.
type Decoder struct {
	first      gopacket.LayerType
	stacks     [maxTunnelDepth + 1]*stack
	vxlanPorts []uint16
	tunnels    bool
	// wlan holds the Ethernet frame rebuilt from an 802.11 frame of a
	// CAPWAP tunnel, one buffer per tunnel depth.
	wlan [maxTunnelDepth][]byte

	// Counters, owned by the worker.
	Errors    [numLayers]uint64
	Truncated uint64
	Problems  uint64 // Errors + Truncated: one comparison tells the worker to publish
}

func (d *Decoder) fail(layer int) {
	d.Errors[layer]++
	d.Problems++
}

// NewDecoder returns a decoder for frames whose first layer is first
// (layers.LayerTypeEthernet, LayerTypeLinuxSLL or LayerTypeLoopback).
func NewDecoder(first gopacket.LayerType, tunnels bool, vxlanPorts []uint16) *Decoder {
	d := &Decoder{first: first, tunnels: tunnels, vxlanPorts: vxlanPorts}
	d.stacks[0] = newStack(first)
	for i := 1; i < len(d.stacks); i++ {
		d.stacks[i] = newStack(layers.LayerTypeEthernet)
	}
	for i := range d.wlan {
		d.wlan[i] = make([]byte, maxWLANFrame)
	}
	return d
}

// Decode fills f from data. It returns false when the frame is unusable (a
// decode error, counted by layer). A frame that decodes only partly (e.g. a
// malformed DHCP payload behind a good IP header) still yields what was
// decoded, with the error counted.
func (d *Decoder) Decode(data []byte, wireLen int, f *Frame) bool {
	*f = Frame{Len: wireLen}
	first := d.first
	for depth := 0; depth <= maxTunnelDepth; depth++ {
		s := d.stacks[depth]
		err := s.parser.DecodeLayers(data, &s.decoded)
		if s.parser.Truncated {
			d.Truncated++
			d.Problems++
		}
		if err != nil {
			d.fail(layerIndex(s.nextAfter(first)))
			if len(s.decoded) == 0 {
				return false
			}
		}
		inner, ok := d.fill(s, f, depth)
		if !ok || inner == nil {
			return true
		}
		data = inner
		first = layers.LayerTypeEthernet
	}
	return true
}

// fill copies what stack s decoded into f. If s ends in a mirror tunnel and
// tunnels are enabled, it returns the inner frame's bytes.
func (d *Decoder) fill(s *stack, f *Frame, depth int) (inner []byte, ok bool) {
	// Reset what an outer stack wrote: the innermost frame is the one reported.
	f.HasMAC, f.Tagged, f.VLAN, f.OuterVLAN = false, false, 0, 0
	f.SrcIP, f.DstIP, f.Proto, f.SrcPort, f.DstPort, f.TCPFlags = netip.Addr{}, netip.Addr{}, 0, 0, 0, 0
	f.Payload, f.ARP, f.DHCP, f.TCP = nil, nil, nil, nil
	f.LinkPayload, f.CDP, f.IPPacket = nil, nil, nil
	var udpSeen, greSeen bool
	for _, t := range s.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			f.HasMAC = len(s.eth.SrcMAC) == 6 && len(s.eth.DstMAC) == 6
			if f.HasMAC {
				copy(f.Src[:], s.eth.SrcMAC)
				copy(f.Dst[:], s.eth.DstMAC)
			}
			f.EtherType = s.eth.EthernetType
			f.LinkPayload = s.eth.Payload
		case layers.LayerTypeLinuxSLL:
			if s.sll.AddrLen == 6 && len(s.sll.Addr) == 6 {
				f.HasMAC = true
				copy(f.Src[:], s.sll.Addr)
				// SLL has no destination address; mark it as unknown (zero).
			}
			f.EtherType = s.sll.EthernetType
			f.LinkPayload = s.sll.Payload
		case layers.LayerTypeLoopback:
			// No hardware addresses: assets are keyed by IP.
		case layers.LayerTypeDot1Q:
			f.Tagged = true
			f.VLAN = s.vlan.Inner
			if s.vlan.N > 1 {
				f.OuterVLAN = s.vlan.Outer
			}
			f.EtherType = s.vlan.Type
			f.LinkPayload = s.vlan.Payload
		case layers.LayerTypeSNAP:
			if o := s.snap.OrganizationalCode; len(o) == 3 && o[0] == 0 && o[1] == 0 && o[2] == 0x0c && s.snap.Type == 0x2000 {
				f.CDP = s.snap.Payload
			}
		case layers.LayerTypeARP:
			f.ARP = &s.arp
		case layers.LayerTypeIPv4:
			f.SrcIP = addr4(s.ip4.SrcIP)
			f.DstIP = addr4(s.ip4.DstIP)
			f.Proto = s.ip4.Protocol
			f.HopLimit = s.ip4.TTL
			f.IPPacket = joined(s.ip4.Contents, s.ip4.Payload)
		case layers.LayerTypeIPv6:
			f.SrcIP = addr16(s.ip6.SrcIP)
			f.DstIP = addr16(s.ip6.DstIP)
			f.Proto = s.ip6.NextHeader
			f.HopLimit = s.ip6.HopLimit
			f.IPPacket = joined(s.ip6.Contents, s.ip6.Payload)
		case layers.LayerTypeTCP:
			f.SrcPort, f.DstPort = uint16(s.tcp.SrcPort), uint16(s.tcp.DstPort)
			f.TCPFlags = tcpFlags(&s.tcp.TCP)
			f.Payload = s.tcp.Payload
			f.TCP = &s.tcp.TCP
		case layers.LayerTypeUDP:
			udpSeen = true
			f.SrcPort, f.DstPort = uint16(s.udp.SrcPort), uint16(s.udp.DstPort)
			f.Payload = s.udp.Payload
		case layers.LayerTypeGRE:
			greSeen = true
		case layers.LayerTypeDHCPv4:
			f.DHCP = &s.dhcp
		}
	}
	if depth > 0 && !f.Tagged && f.tunnelVLAN != 0 {
		// The mirror stripped the tag but the ERSPAN header kept it.
		f.Tagged, f.VLAN = true, f.tunnelVLAN
	}
	if !d.tunnels || depth >= maxTunnelDepth {
		return nil, true
	}
	if greSeen {
		return d.openGRE(s, f)
	}
	if udpSeen && d.isVXLANPort(f.DstPort) {
		return d.openVXLAN(f)
	}
	if udpSeen && (f.DstPort == CAPWAPDataPort || f.SrcPort == CAPWAPDataPort) {
		return d.openCAPWAP(f, depth)
	}
	return nil, true
}

// joined returns header followed by payload when payload directly follows
// header in one buffer (as gopacket's layers slice it), else header alone.
func joined(header, payload []byte) []byte {
	n := len(header) + len(payload)
	if len(payload) == 0 || cap(header) < n || &header[:n][len(header)] != &payload[0] {
		return header
	}
	return header[:n]
}

func (d *Decoder) isVXLANPort(p uint16) bool {
	for _, v := range d.vxlanPorts {
		if v == p {
			return true
		}
	}
	return false
}

func (f *Frame) pushTunnel(kind uint8, id uint32) {
	if f.numTunnels < len(f.tunnels) {
		f.tunnels[f.numTunnels] = tunnelTag{kind, id}
		f.numTunnels++
	}
}

// openGRE handles GRE transparent Ethernet bridging (0x6558) and ERSPAN
// types I (0x88be without sequence number), II (0x88be with sequence number)
// and III (0x22eb).
func (d *Decoder) openGRE(s *stack, f *Frame) ([]byte, bool) {
	p := s.gre.Payload
	switch s.gre.Protocol {
	case layers.EthernetTypeTransparentEthernetBridging:
		f.pushTunnel(tunnelGRE, s.gre.Key)
		return p, true
	case layers.EthernetTypeERSPAN:
		if !s.gre.SeqPresent {
			f.pushTunnel(tunnelERSPAN1, 0)
			return p, true
		}
		if len(p) < 8 {
			d.fail(LayerTunnel)
			return nil, false
		}
		ver := p[0] >> 4
		if ver != 1 && ver != 0 {
			d.fail(LayerTunnel)
			return nil, false
		}
		session := uint32(binary.BigEndian.Uint16(p[2:4]) & 0x03ff)
		f.tunnelVLAN = binary.BigEndian.Uint16(p[0:2]) & 0x0fff
		f.pushTunnel(tunnelERSPAN2, session)
		return p[8:], true
	case 0x22eb:
		if len(p) < 12 {
			d.fail(LayerTunnel)
			return nil, false
		}
		if p[0]>>4 != 2 {
			d.fail(LayerTunnel)
			return nil, false
		}
		session := uint32(binary.BigEndian.Uint16(p[2:4]) & 0x03ff)
		n := 12
		if p[11]&0x01 != 0 { // O bit: 8-byte platform-specific subheader
			n += 8
		}
		if len(p) < n {
			d.fail(LayerTunnel)
			return nil, false
		}
		f.tunnelVLAN = binary.BigEndian.Uint16(p[0:2]) & 0x0fff
		f.pushTunnel(tunnelERSPAN3, session)
		return p[n:], true
	}
	return nil, true
}

// openVXLAN reads the 8-byte VXLAN header (RFC 7348) or VXLAN-GPE header:
// flags, a 24-bit VNI.
func (d *Decoder) openVXLAN(f *Frame) ([]byte, bool) {
	p := f.Payload
	// The I flag should be set (RFC 7348) but some mirror sources leave it
	// clear; the port alone decides.
	if len(p) < 8 {
		d.fail(LayerTunnel)
		return nil, false
	}
	if p[0]&0x04 != 0 && p[3] != 3 {
		// VXLAN-GPE (RFC draft, port 4790) carrying something other than
		// Ethernet (next protocol 3): nothing to fingerprint.
		return nil, true
	}
	vni := uint32(p[4])<<16 | uint32(p[5])<<8 | uint32(p[6])
	f.pushTunnel(tunnelVXLAN, vni)
	return p[8:], true
}

func addr4(ip []byte) netip.Addr {
	if len(ip) != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(ip))
}

func addr16(ip []byte) netip.Addr {
	if len(ip) != 16 {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(ip))
}

func tcpFlags(t *layers.TCP) uint8 {
	var f uint8
	if t.FIN {
		f |= 1
	}
	if t.SYN {
		f |= 2
	}
	if t.RST {
		f |= 4
	}
	if t.PSH {
		f |= 8
	}
	if t.ACK {
		f |= 16
	}
	return f
}
