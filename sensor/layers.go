package sensor

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// maxVLANTags is how many stacked 802.1Q/802.1ad tags are walked before the
// frame is counted as malformed. Two are recorded (outer and inner); a third
// (seen in the wild as Q-in-Q-in-Q) is walked over.
const maxVLANTags = 4

var errTooManyTags = errors.New("more than 4 stacked VLAN tags")

// vlanStack is a gopacket.DecodingLayer for one or more stacked VLAN tags
// (TPID 0x8100, 0x88a8 or 0x9100). gopacket's DecodingLayerParser holds one
// layer per layer type, so a plain layers.Dot1Q could not record both tags of
// a Q-in-Q frame; this layer decodes the whole stack in one step.
type vlanStack struct {
	layers.BaseLayer
	N     int    // tags present
	Outer uint16 // first (outermost) VLAN id
	Inner uint16 // last (innermost) VLAN id; equals Outer when N == 1
	Type  layers.EthernetType
}

func (v *vlanStack) LayerType() gopacket.LayerType  { return layers.LayerTypeDot1Q }
func (v *vlanStack) CanDecode() gopacket.LayerClass { return layers.LayerTypeDot1Q }
func (v *vlanStack) NextLayerType() gopacket.LayerType {
	return v.Type.LayerType()
}

func isVLANType(t layers.EthernetType) bool {
	return t == layers.EthernetTypeDot1Q || t == layers.EthernetTypeQinQ || t == 0x9100
}

func (v *vlanStack) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	v.N = 0
	off := 0
	for {
		if len(data)-off < 4 {
			df.SetTruncated()
			return errors.New("802.1Q tag truncated")
		}
		id := binary.BigEndian.Uint16(data[off:]) & 0x0fff
		t := layers.EthernetType(binary.BigEndian.Uint16(data[off+2:]))
		if v.N == 0 {
			v.Outer = id
		}
		v.Inner = id
		v.N++
		off += 4
		v.Type = t
		if !isVLANType(t) {
			break
		}
		if v.N >= maxVLANTags {
			return errTooManyTags
		}
	}
	v.Contents = data[:off]
	v.Payload = data[off:]
	return nil
}

// greLayer decodes a GRE header with gopacket's layers.GRE and stops there:
// what follows (an ERSPAN header, a transparent-bridged Ethernet frame) is a
// mirrored frame and goes to the next layer stack, not to this one.
type greLayer struct{ layers.GRE }

func (g *greLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

// udpLayer decodes UDP and continues only to DHCPv4; any other payload (VXLAN,
// DNS, ...) is looked at by the sensor itself.
type udpLayer struct{ layers.UDP }

func (u *udpLayer) NextLayerType() gopacket.LayerType {
	if (u.SrcPort == 67 || u.SrcPort == 68) && (u.DstPort == 67 || u.DstPort == 68) {
		return layers.LayerTypeDHCPv4
	}
	return gopacket.LayerTypeZero
}

// tcpLayer decodes TCP and stops: payloads go to stream reassembly.
type tcpLayer struct{ layers.TCP }

func (t *tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

// ipv4Layer stops at ICMP and other protocols the sensor does not decode.
type ipv4Layer struct{ layers.IPv4 }

func (ip *ipv4Layer) NextLayerType() gopacket.LayerType {
	switch ip.Protocol {
	case layers.IPProtocolTCP, layers.IPProtocolUDP, layers.IPProtocolGRE:
		if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
			return gopacket.LayerTypeZero // fragments are not reassembled
		}
		return ip.IPv4.NextLayerType()
	}
	return gopacket.LayerTypeZero
}

type ipv6Layer struct{ layers.IPv6 }

func (ip *ipv6Layer) NextLayerType() gopacket.LayerType {
	switch ip.NextHeader {
	case layers.IPProtocolTCP, layers.IPProtocolUDP, layers.IPProtocolGRE:
		return ip.IPv6.NextLayerType()
	}
	return gopacket.LayerTypeZero
}
