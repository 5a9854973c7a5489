// Package dhcp reads what a DHCPv4 message (RFC 2131) says about its client
// from the message gopacket decoded (layers.DHCPv4): the client's MAC, the
// message type, the client fingerprint options and the relay agent
// information, for device identification and IP-to-MAC bindings.
//
// The sensor's tracker uses it in two steps, so that a known client's
// repeated messages cost nothing: Fingerprint hashes the options that make
// up a fingerprint without allocating, and only when the hash changes does
// ClientInfo (or AckInfo for an ACK) copy the values out of the packet into
// a model.DHCPInfo.
//
// # Signals and their strength as evidence
//
//	dhcp.opt60   vendor class identifier (option 60): "MSFT 5.0", "android-dhcp-9", "udhcp 1.36.1"; strong for OS/vendor
//	dhcp.opt55   parameter request list (option 55), in order: the classic OS-family fingerprint; medium
//	dhcp.opt57   maximum message size (option 57): refines option 55
//	dhcp.opt61   client identifier (option 61): type + hardware address or DUID; binding
//	dhcp.opt12   host name (option 12); medium (names are set by users)
//	dhcp.opt81   client FQDN (option 81, RFC 4702): ASCII or DNS wire format; medium
//	dhcp.opt82   relay agent information (option 82, RFC 3046): circuit id and remote id of the switch port
//
// Hostile input: gopacket checks every option's length against the packet;
// this package checks the lengths it relies on again (option 53 is one byte,
// 50 and 54 four, 57 two), walks option 82's sub-options and option 81's
// DNS labels within their option, and caps every string at MaxString bytes
// of printable ASCII (control and non-ASCII bytes become '?', a NUL ends
// the string): the values go into the database and onto terminals.
package dhcp

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// UDP ports.
const (
	ServerPort = 67
	ClientPort = 68
)

// MaxString is the most bytes kept of a host name, FQDN or vendor class.
const MaxString = 255

// Option codes gopacket has no name for.
const (
	OptClientFQDN     layers.DHCPOpt = 81 // RFC 4702
	OptRelayAgentInfo layers.DHCPOpt = 82 // RFC 3046
)

// Relay agent information sub-options (RFC 3046 2.0).
const (
	subCircuitID = 1
	subRemoteID  = 2
)

// ClientMAC returns the client hardware address (chaddr) of an Ethernet
// client; false for other hardware types, group and all-zero addresses.
func ClientMAC(d *layers.DHCPv4) (model.MAC, bool) {
	if d.HardwareType != layers.LinkTypeEthernet || d.HardwareLen != 6 || len(d.ClientHWAddr) < 6 {
		return model.MAC{}, false
	}
	mac := model.MAC(d.ClientHWAddr[:6])
	if mac.IsGroup() || mac.IsZero() {
		return model.MAC{}, false
	}
	return mac, true
}

// Relayed reports whether a relay agent forwarded the message (giaddr is
// set): it was seen between the relay and the server, not on the client's
// own link.
func Relayed(d *layers.DHCPv4) bool {
	return len(d.RelayAgentIP) == 4 && !netip.AddrFrom4([4]byte(d.RelayAgentIP)).IsUnspecified()
}

// MsgType returns the message type (option 53), 0 when it is absent or not
// one byte long. When the option appears more than once the last counts.
func MsgType(d *layers.DHCPv4) layers.DHCPMsgType {
	var t layers.DHCPMsgType
	for i := range d.Options {
		if o := &d.Options[i]; o.Type == layers.DHCPOptMessageType && len(o.Data) == 1 {
			t = layers.DHCPMsgType(o.Data[0])
		}
	}
	return t
}

// LeasedIP returns the address an ACK binds to the client (yiaddr); false
// when the message is not an ACK or carries no lease (an ACK to an INFORM).
func LeasedIP(d *layers.DHCPv4, t layers.DHCPMsgType) (netip.Addr, bool) {
	if d.Operation != layers.DHCPOpReply || t != layers.DHCPMsgTypeAck || len(d.YourClientIP) != 4 {
		return netip.Addr{}, false
	}
	ip := netip.AddrFrom4([4]byte(d.YourClientIP))
	return ip, !ip.IsUnspecified()
}

// Subnet returns the subnet of the leased address ip: ip masked by the
// ACK's subnet mask (option 1), when it has one with contiguous bits.
func Subnet(d *layers.DHCPv4, ip netip.Addr) (netip.Prefix, bool) {
	if !ip.Is4() {
		return netip.Prefix{}, false
	}
	for _, o := range d.Options {
		if o.Type != layers.DHCPOptSubnetMask || len(o.Data) != 4 {
			continue
		}
		m := binary.BigEndian.Uint32(o.Data)
		ones := bits.OnesCount32(m)
		if ones == 0 || m != ^uint32(0)<<(32-ones) {
			return netip.Prefix{}, false
		}
		p, err := ip.Prefix(ones)
		return p, err == nil
	}
	return netip.Prefix{}, false
}

// ClientIP returns ciaddr, the address a client says it already has (the
// zero Addr when absent).
func ClientIP(d *layers.DHCPv4) netip.Addr {
	if len(d.ClientIP) != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(d.ClientIP))
}

// Fingerprint hashes what makes a client message's fingerprint: options 12,
// 53, 55, 57, 60, 61, 81 and 82, code, length and value, in message order
// (FNV-1a). Equal hashes mean nothing new to report. It does not allocate.
func Fingerprint(d *layers.DHCPv4) uint64 {
	h := uint64(14695981039346656037)
	add := func(b byte) { h ^= uint64(b); h *= 1099511628211 }
	for i := range d.Options {
		o := &d.Options[i]
		switch o.Type {
		case layers.DHCPOptMessageType, layers.DHCPOptHostname, layers.DHCPOptParamsRequest, layers.DHCPOptMaxMessageSize,
			layers.DHCPOptClassID, layers.DHCPOptClientID, OptClientFQDN, OptRelayAgentInfo:
			add(byte(o.Type))
			add(byte(len(o.Data)))
			for _, c := range o.Data {
				add(c)
			}
		}
	}
	return h
}

// ClientInfo copies the fingerprint of a client message (DISCOVER, REQUEST,
// INFORM, ...) of type t out of the packet.
func ClientInfo(d *layers.DHCPv4, t layers.DHCPMsgType) *model.DHCPInfo {
	info := &model.DHCPInfo{MsgType: uint8(t)}
	for i := range d.Options {
		o := &d.Options[i]
		switch o.Type {
		case layers.DHCPOptParamsRequest:
			info.ParamList = clone(o.Data)
		case layers.DHCPOptMaxMessageSize:
			if len(o.Data) == 2 {
				info.MaxMsgSize = binary.BigEndian.Uint16(o.Data)
			}
		case layers.DHCPOptClassID:
			info.VendorClass = Printable(o.Data)
		case layers.DHCPOptClientID:
			info.ClientID = clone(o.Data)
		case layers.DHCPOptHostname:
			info.Hostname = Printable(o.Data)
		case OptClientFQDN: // flags, rcode1, rcode2, name
			if len(o.Data) > 3 {
				info.FQDN = FQDN(o.Data[0], o.Data[3:])
			}
		case layers.DHCPOptRequestIP:
			if len(o.Data) == 4 {
				info.RequestedIP = netip.AddrFrom4([4]byte(o.Data))
			}
		case layers.DHCPOptServerID:
			if len(o.Data) == 4 {
				info.ServerID = netip.AddrFrom4([4]byte(o.Data))
			}
		case layers.DHCPOptExtOptions:
			info.Overloaded = true
		}
	}
	fillRelay(info, d)
	return info
}

// AckInfo is what an ACK of type t says besides the lease: whether options
// were overloaded into sname/file (option 52) and the relay agent
// information.
func AckInfo(d *layers.DHCPv4, t layers.DHCPMsgType) *model.DHCPInfo {
	info := &model.DHCPInfo{MsgType: uint8(t)}
	for i := range d.Options {
		if d.Options[i].Type == layers.DHCPOptExtOptions {
			info.Overloaded = true
		}
	}
	fillRelay(info, d)
	return info
}

// fillRelay copies giaddr and option 82's circuit and remote ids.
func fillRelay(info *model.DHCPInfo, d *layers.DHCPv4) {
	if len(d.RelayAgentIP) == 4 {
		info.RelayAgentIP = netip.AddrFrom4([4]byte(d.RelayAgentIP))
	}
	for i := range d.Options {
		o := &d.Options[i]
		if o.Type != OptRelayAgentInfo {
			continue
		}
		// Sub-options: code, length, value.
		b := o.Data
		for len(b) >= 2 {
			code, l := b[0], int(b[1])
			if len(b)-2 < l {
				break
			}
			switch code {
			case subCircuitID:
				info.RelayCircuitID = clone(b[2 : 2+l])
			case subRemoteID:
				info.RelayRemoteID = clone(b[2 : 2+l])
			}
			b = b[2+l:]
		}
	}
}

// Source names a client message of type t as the source of an
// observation.
func Source(t layers.DHCPMsgType) model.ObsSource {
	switch t {
	case layers.DHCPMsgTypeDiscover:
		return model.SourceDHCPDiscover
	case layers.DHCPMsgTypeRequest:
		return model.SourceDHCPRequest
	case layers.DHCPMsgTypeInform:
		return model.SourceDHCPInform
	case layers.DHCPMsgTypeDecline:
		return model.SourceDHCPDecline
	case layers.DHCPMsgTypeRelease:
		return model.SourceDHCPRelease
	}
	return model.SourceDHCPOther
}

// Printable returns b as a string of at most MaxString bytes, up to its
// first NUL, with control and non-ASCII bytes replaced by '?'.
func Printable(b []byte) string {
	if len(b) > MaxString {
		b = b[:MaxString]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	return string(out)
}

// FQDN decodes option 81's name: ASCII when the E flag (0x04) is clear,
// DNS wire format (labels of 1..63 bytes) when set. A malformed label ends
// the name.
func FQDN(flags byte, b []byte) string {
	if flags&0x04 == 0 {
		return Printable(b)
	}
	var out []byte
	for len(b) > 0 {
		l := int(b[0])
		if l == 0 || len(b)-1 < l || l > 63 {
			break
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		out = append(out, b[1:1+l]...)
		b = b[1+l:]
	}
	return Printable(out)
}

// clone copies b out of the packet buffer (nil stays nil, empty stays
// empty).
func clone(b []byte) []byte { return append([]byte(nil), b...) }
