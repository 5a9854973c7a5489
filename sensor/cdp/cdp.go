// Package cdp decodes Cisco Discovery Protocol (CDP v1 and v2)
// advertisements: what a Cisco switch, router, access point or IP phone
// says about itself.
//
// CDP frames are 802.3 frames with an 802.2 LLC/SNAP header (organisation
// 00-00-0c, protocol id 0x2000) sent to 01:00:0c:cc:cc:cc; ParseInto takes
// the SNAP payload (version, TTL, checksum, then TLVs) and walks it without
// allocating. The byte slices of Info alias the input and are valid only as
// long as the caller's buffer is; a caller that keeps a value copies it and
// treats it as untrusted text (nothing here is sanitised). The checksum is
// not verified: a wrong one changes nothing about what the sender claims.
//
// Hostile input: every length is checked before slicing, a TLV shorter than
// its own header or running past the end stops the walk with ErrTruncated
// (what was decoded before is kept), the walk stops after MaxTLVs TLVs, at
// most MaxAddrs addresses are kept and an address list is read for at most
// as many entries as fit in the TLV.
//
// # Signals and their strength as evidence
//
//	cdp.device_id   device ID (TLV 1): the host name (phones: "SEP" + MAC); strong for naming
//	cdp.platform    platform (TLV 6): the model ("cisco AIR-CAP2602I-Q-K9", "Cisco IP Phone 8845"); strong for manufacturer and model
//	cdp.software    software version (TLV 5): IOS/firmware banner with its version; strong for firmware/OS version
//	cdp.capabilities capabilities (TLV 4): router/switch/host/phone bits; strong for network-infrastructure and voip-phone classes
//	cdp.address     addresses and management addresses (TLVs 2, 0x16): the sender's own IPv4/IPv6; strong binding of its MAC to them
//	cdp.port_id     port ID (TLV 3), native VLAN (TLV 0xa): where the sender is attached; location, not identity
//
// CDP is sent by the device itself (never routed), so the frame's source
// MAC is the device described.
package cdp

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/wardwatch/wardwatch/sensor/internal/wire"
)

// SNAP identifiers of CDP.
const (
	SNAPOrg  = 0x00000c
	SNAPType = 0x2000
)

// Bounds.
const (
	MaxTLVs  = 128 // TLVs walked per frame
	MaxAddrs = 4   // addresses kept (Addresses and Management Addresses TLVs together)
)

// Errors.
var (
	// ErrTruncated means a TLV was shorter than its header or ran past the end.
	ErrTruncated = errors.New("cdp: TLV runs past the end of the frame")
	// ErrVersion means the first byte is not CDP version 1 or 2.
	ErrVersion = errors.New("cdp: not CDP version 1 or 2")
)

// TLV types (Cisco; as dissected by Wireshark's packet-cdp.c).
const (
	tlvDeviceID    = 0x0001
	tlvAddresses   = 0x0002
	tlvPortID      = 0x0003
	tlvCaps        = 0x0004
	tlvSoftware    = 0x0005
	tlvPlatform    = 0x0006
	tlvVTPDomain   = 0x0009
	tlvNativeVLAN  = 0x000a
	tlvDuplex      = 0x000b
	tlvSystemName  = 0x0014
	tlvMgmtAddress = 0x0016
)

// Capability bits (TLV 4).
const (
	CapRouter      = 0x001
	CapTransBridge = 0x002
	CapSRBridge    = 0x004
	CapSwitch      = 0x008
	CapHost        = 0x010
	CapIGMP        = 0x020
	CapRepeater    = 0x040
	CapVoIPPhone   = 0x080
	CapRemote      = 0x100
	CapCVTA        = 0x200
	CapMACRelay    = 0x400
)

// Addr is one network address of the Addresses or Management Addresses TLV.
type Addr struct {
	IP   netip.Addr // IPv4 or IPv6; invalid for other protocols
	Mgmt bool       // from the Management Addresses TLV (0x16)
}

// Info is what one CDP advertisement says about its sender. Zero values
// mean absent.
type Info struct {
	Version uint8
	TTL     uint8

	DeviceID        []byte
	PortID          []byte
	Platform        []byte
	SoftwareVersion []byte
	SystemName      []byte
	VTPDomain       []byte

	HasCapabilities bool
	Capabilities    uint32

	NativeVLAN    uint16
	HasNativeVLAN bool
	Duplex        uint8 // 0 half, 1 full
	HasDuplex     bool

	Addrs    [MaxAddrs]Addr
	NumAddrs int

	TLVs int // TLVs walked
}

// ParseInto decodes the CDP PDU b (the SNAP payload) into out without
// allocating. out is reset first.
func ParseInto(b []byte, out *Info) error {
	*out = Info{}
	if len(b) < 4 || (b[0] != 1 && b[0] != 2) {
		return ErrVersion
	}
	out.Version, out.TTL = b[0], b[1]
	b = b[4:]
	for len(b) >= 4 && out.TLVs < MaxTLVs {
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return ErrTruncated
		}
		v := b[4:n]
		b = b[n:]
		out.TLVs++
		switch typ {
		case tlvDeviceID:
			out.DeviceID = wire.TrimNUL(v)
		case tlvPortID:
			out.PortID = wire.TrimNUL(v)
		case tlvPlatform:
			out.Platform = wire.TrimNUL(v)
		case tlvSoftware:
			out.SoftwareVersion = wire.TrimNUL(v)
		case tlvSystemName:
			out.SystemName = wire.TrimNUL(v)
		case tlvVTPDomain:
			out.VTPDomain = wire.TrimNUL(v)
		case tlvCaps:
			if len(v) >= 4 {
				out.HasCapabilities, out.Capabilities = true, binary.BigEndian.Uint32(v)
			}
		case tlvNativeVLAN:
			if len(v) >= 2 {
				out.HasNativeVLAN, out.NativeVLAN = true, binary.BigEndian.Uint16(v)
			}
		case tlvDuplex:
			if len(v) >= 1 {
				out.HasDuplex, out.Duplex = true, v[0]
			}
		case tlvAddresses, tlvMgmtAddress:
			out.addAddrs(v, typ == tlvMgmtAddress)
		}
	}
	if len(b) > 0 && len(b) < 4 && out.TLVs < MaxTLVs {
		return ErrTruncated
	}
	return nil
}

// ipv6Proto is the 802.2 protocol field CDP uses for IPv6 addresses.
var ipv6Proto = [8]byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}

// addAddrs reads an address list: a 4-byte count, then per address the
// protocol type (1 NLPID, 2 802.2), protocol length, protocol, address
// length and address. Malformed entries end the list.
func (in *Info) addAddrs(v []byte, mgmt bool) {
	if len(v) < 4 {
		return
	}
	count := binary.BigEndian.Uint32(v)
	v = v[4:]
	for ; count > 0 && len(v) >= 2; count-- {
		pt, pl := v[0], int(v[1])
		if len(v) < 2+pl+2 {
			return
		}
		proto := v[2 : 2+pl]
		al := int(binary.BigEndian.Uint16(v[2+pl:]))
		v = v[2+pl+2:]
		if len(v) < al {
			return
		}
		a := v[:al]
		v = v[al:]
		var ip netip.Addr
		switch {
		case pt == 1 && pl == 1 && proto[0] == 0xcc && al == 4:
			ip = netip.AddrFrom4([4]byte(a))
		case pt == 2 && pl == 8 && [8]byte(proto) == ipv6Proto && al == 16:
			ip = netip.AddrFrom16([16]byte(a))
		default:
			continue
		}
		if in.NumAddrs == MaxAddrs {
			return
		}
		in.Addrs[in.NumAddrs] = Addr{IP: ip, Mgmt: mgmt}
		in.NumAddrs++
	}
}
