// Package lldp decodes IEEE 802.1AB Link Layer Discovery Protocol frames
// (EtherType 0x88cc) for device identification: what a switch, router,
// access point, IP phone or LLDP-MED endpoint says about itself.
//
// ParseInto walks the TLVs of one LLDPDU without allocating. The byte
// slices of Info alias the frame and are valid only as long as the caller's
// buffer is; a caller that keeps a value copies it (and treats it as
// untrusted text: nothing here is sanitised).
//
// Hostile input: every length is checked before slicing, the walk stops at
// the End TLV, at the end of the data or after MaxTLVs TLVs, and at most
// MaxMgmtAddrs management addresses are kept. A TLV that runs past the end
// of the frame stops the walk with ErrTruncated; what was decoded before it
// is kept. Trailing NUL bytes of text values are dropped.
//
// # Signals and their strength as evidence
//
//	lldp.sysname      system name (TLV 5): the device's configured host name; strong for naming, says nothing of the type alone
//	lldp.sysdesc      system description (TLV 6): vendor, product and firmware in free text ("ProCurve J8762A Switch 2600-8-PWR, revision H.08.89"); strong for manufacturer/model/firmware
//	lldp.capabilities enabled system capabilities (TLV 7): bridge/router/WLAN AP/telephone/station; strong for network-infrastructure and voip-phone classes
//	lldp.mgmt_addr    management address (TLV 8): an IP (or MAC) of the sender itself; strong binding of the sender's MAC to that address
//	lldp.port_id      port id and description (TLVs 2, 4): where the sender is attached; location, not identity
//	lldp.med          LLDP-MED inventory (TIA-1057: manufacturer, model, hardware/firmware/software revision, serial): strongest, set by the vendor's firmware
//	lldp.med_class    LLDP-MED device type (TIA-1057 capabilities TLV, DeviceClassName): an endpoint (class I-III: III is an IP phone or other communication device) or network connectivity equipment; an endpoint is no switch, whatever its capabilities say of its PC port
//
// LLDP is sent by the device itself (never relayed by a router), so the
// frame's source MAC is the device described.
package lldp

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/wardwatch/wardwatch/sensor/internal/wire"
)

// EtherType of LLDP frames.
const EtherType = 0x88cc

// Bounds.
const (
	MaxTLVs      = 256 // TLVs walked per frame
	MaxMgmtAddrs = 4   // management addresses kept per frame
)

// ErrTruncated means a TLV header or value ran past the end of the data.
var ErrTruncated = errors.New("lldp: TLV runs past the end of the frame")

// ErrEmpty means the data held no TLV at all (or did not start with a
// Chassis ID TLV, which every LLDPDU must).
var ErrEmpty = errors.New("lldp: not an LLDPDU (no chassis ID TLV first)")

// TLV types (IEEE 802.1AB-2016 table 8-1).
const (
	tlvEnd         = 0
	tlvChassisID   = 1
	tlvPortID      = 2
	tlvTTL         = 3
	tlvPortDesc    = 4
	tlvSysName     = 5
	tlvSysDesc     = 6
	tlvSysCaps     = 7
	tlvMgmtAddr    = 8
	tlvOrgSpecific = 127
)

// Chassis ID and port ID subtypes used by the helpers (802.1AB 8.5.2, 8.5.3).
const (
	ChassisSubtypeMAC     = 4
	ChassisSubtypeNetAddr = 5
	PortSubtypeMAC        = 3
	PortSubtypeIfName     = 5
	PortSubtypeLocal      = 7
)

// System capability bits (802.1AB 8.5.8.1).
const (
	CapOther       = 1 << 0
	CapRepeater    = 1 << 1
	CapBridge      = 1 << 2
	CapWLANAP      = 1 << 3
	CapRouter      = 1 << 4
	CapTelephone   = 1 << 5
	CapDOCSIS      = 1 << 6
	CapStationOnly = 1 << 7
)

// Address families of management addresses (IANA address family numbers).
const (
	AFIPv4 = 1
	AFIPv6 = 2
	AF802  = 6
)

// MgmtAddr is one management address TLV.
type MgmtAddr struct {
	Family uint8  // AFIPv4, AFIPv6, AF802, ...
	Addr   []byte // the address bytes
}

// IP returns the address as a netip.Addr when it is an IPv4 or IPv6 one.
func (m MgmtAddr) IP() (netip.Addr, bool) {
	switch {
	case m.Family == AFIPv4 && len(m.Addr) == 4:
		return netip.AddrFrom4([4]byte(m.Addr)), true
	case m.Family == AFIPv6 && len(m.Addr) == 16:
		return netip.AddrFrom16([16]byte(m.Addr)), true
	}
	return netip.Addr{}, false
}

// MED is the LLDP-MED inventory of an endpoint (TIA-1057 section 10.2.6,
// organisationally specific TLVs of OUI 00-12-bb, subtypes 5 to 11).
type MED struct {
	HardwareRev, FirmwareRev, SoftwareRev []byte
	SerialNumber, Manufacturer, Model     []byte
	AssetID                               []byte
	Capabilities                          uint16 // LLDP-MED capabilities (subtype 1)
	DeviceClass                           uint8  // 1..3 endpoint class, 4 network connectivity (subtype 1)
}

// LLDP-MED device types (TIA-1057 section 10.2.2.2, the LLDP-MED
// capabilities TLV): endpoint classes I (generic), II (media) and III
// (communication device: IP phones, softphones), and network connectivity
// (switches, access points).
const (
	MEDClassEndpoint1 = 1
	MEDClassEndpoint2 = 2
	MEDClassEndpoint3 = 3
	MEDClassNetwork   = 4
)

// DeviceClassName names an LLDP-MED device type as the sensor reports it
// (signal lldp.med_class): "endpoint-1", "endpoint-2", "endpoint-3" or
// "network-connectivity"; "" for 0 (no LLDP-MED capabilities TLV) and the
// reserved values.
func DeviceClassName(c uint8) string {
	switch c {
	case MEDClassEndpoint1:
		return "endpoint-1"
	case MEDClassEndpoint2:
		return "endpoint-2"
	case MEDClassEndpoint3:
		return "endpoint-3"
	case MEDClassNetwork:
		return "network-connectivity"
	}
	return ""
}

// Info is what one LLDPDU says about its sender. Zero values mean absent.
type Info struct {
	ChassisIDSubtype uint8
	ChassisID        []byte
	PortIDSubtype    uint8
	PortID           []byte
	TTL              uint16
	HasTTL           bool

	PortDescription   []byte
	SystemName        []byte
	SystemDescription []byte

	HasCapabilities     bool
	Capabilities        uint16 // what the system can do
	EnabledCapabilities uint16 // what is turned on

	MgmtAddrs    [MaxMgmtAddrs]MgmtAddr
	NumMgmtAddrs int

	MED MED

	TLVs int // TLVs walked
}

// ParseInto decodes the LLDPDU b (the Ethernet payload after the
// EtherType) into out, without allocating. out is reset first.
func ParseInto(b []byte, out *Info) error {
	*out = Info{}
	for len(b) >= 2 && out.TLVs < MaxTLVs {
		hdr := binary.BigEndian.Uint16(b)
		typ, n := int(hdr>>9), int(hdr&0x1ff)
		if len(b) < 2+n {
			return ErrTruncated
		}
		v := b[2 : 2+n]
		b = b[2+n:]
		if out.TLVs == 0 && typ != tlvChassisID {
			return ErrEmpty
		}
		out.TLVs++
		switch typ {
		case tlvEnd:
			return nil
		case tlvChassisID:
			if n >= 1 {
				out.ChassisIDSubtype, out.ChassisID = v[0], v[1:]
			}
		case tlvPortID:
			if n >= 1 {
				out.PortIDSubtype, out.PortID = v[0], v[1:]
			}
		case tlvTTL:
			if n >= 2 && !out.HasTTL {
				out.TTL, out.HasTTL = binary.BigEndian.Uint16(v), true
			}
		case tlvPortDesc:
			out.PortDescription = wire.TrimNUL(v)
		case tlvSysName:
			out.SystemName = wire.TrimNUL(v)
		case tlvSysDesc:
			out.SystemDescription = wire.TrimNUL(v)
		case tlvSysCaps:
			if n >= 4 {
				out.HasCapabilities = true
				out.Capabilities = binary.BigEndian.Uint16(v)
				out.EnabledCapabilities = binary.BigEndian.Uint16(v[2:])
			}
		case tlvMgmtAddr:
			out.addMgmt(v)
		case tlvOrgSpecific:
			out.orgSpecific(v)
		}
	}
	if out.TLVs == 0 {
		return ErrEmpty
	}
	return nil
}

// addMgmt decodes a management address TLV value: address string length
// (subtype + address), subtype, address, then interface and OID fields that
// are not kept.
func (in *Info) addMgmt(v []byte) {
	if len(v) < 2 || in.NumMgmtAddrs == MaxMgmtAddrs {
		return
	}
	l := int(v[0])
	if l < 1 || len(v) < 1+l {
		return
	}
	in.MgmtAddrs[in.NumMgmtAddrs] = MgmtAddr{Family: v[1], Addr: v[2 : 1+l]}
	in.NumMgmtAddrs++
}

var ouiTIA = [3]byte{0x00, 0x12, 0xbb}

// orgSpecific decodes the LLDP-MED TLVs; other organisations are skipped.
func (in *Info) orgSpecific(v []byte) {
	if len(v) < 4 || [3]byte(v[:3]) != ouiTIA {
		return
	}
	sub, d := v[3], wire.TrimNUL(v[4:])
	m := &in.MED
	switch sub {
	case 1: // LLDP-MED capabilities: 2 bytes capabilities, 1 byte device type
		if len(d) >= 3 {
			m.Capabilities, m.DeviceClass = binary.BigEndian.Uint16(d), d[2]
		}
	case 5:
		m.HardwareRev = d
	case 6:
		m.FirmwareRev = d
	case 7:
		m.SoftwareRev = d
	case 8:
		m.SerialNumber = d
	case 9:
		m.Manufacturer = d
	case 10:
		m.Model = d
	case 11:
		m.AssetID = d
	}
}

// ChassisMAC returns the chassis ID when it is a MAC address.
func (in *Info) ChassisMAC() ([6]byte, bool) {
	if in.ChassisIDSubtype == ChassisSubtypeMAC && len(in.ChassisID) == 6 {
		return [6]byte(in.ChassisID), true
	}
	return [6]byte{}, false
}
