// Package dhcpv6 decodes DHCPv6 messages (RFC 8415) for device
// identification: the client's DUID (and the link-layer address inside
// it), its vendor class (RFC 8415 21.16: enterprise number and data, e.g.
// 311 "MSFT 5.0" or 40712 "dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64"),
// the vendor-specific options' enterprise number, its FQDN (RFC 4704) and
// its option request list (the DHCPv6 analogue of DHCPv4 option 55).
//
// Relay-forward and relay-reply messages are opened (up to MaxRelayDepth
// levels) and the innermost client or server message is decoded; the relay
// agent's link and peer addresses of the innermost relay are kept.
//
// ParseInto does not allocate. Byte slices of Message alias the input and
// are valid only as long as the caller's buffer is; the FQDN is decoded into
// a buffer inside Message. Nothing is sanitised: callers copy and clean what
// they keep.
//
// Hostile input: every length is checked before slicing, at most MaxOptions
// options are walked per message level, at most MaxVendorData vendor class
// items are kept, relays nest at most MaxRelayDepth deep and the FQDN is at
// most 255 bytes. Errors leave what was decoded before them in Message.
//
// # Signals and their strength as evidence
//
//	dhcpv6.vendor_class  vendor class (option 16): enterprise number + free text; strong for OS/vendor when the enterprise is a known one (311 Microsoft), medium for free text
//	dhcpv6.fqdn          client FQDN (option 39): the host name the client wants registered; medium (names are set by users)
//	dhcpv6.duid          client DUID (option 1): type and link-layer address (DUID-LL/LLT) = the client's real MAC even behind a relay; strong for binding, DUID-EN enterprise medium for vendor
//	dhcpv6.oro           option request list (option 6): order of requested options; medium OS-family fingerprint (like DHCPv4 option 55)
//	dhcpv6.vendor_opts   vendor-specific information enterprise (option 17); medium for vendor
//
// Client messages (Solicit, Request, Confirm, Renew, Rebind, Release,
// Decline, Information-request) describe their sender; a relayed message
// describes the client whose link-local address is the relay's peer address,
// not the relay agent that sent the packet.
package dhcpv6

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/wardwatch/wardwatch/sensor/internal/wire"
)

// UDP ports.
const (
	ClientPort = 546
	ServerPort = 547
)

// Bounds.
const (
	MaxOptions    = 128 // options walked per message level
	MaxRelayDepth = 8   // relay-forward/relay-reply levels opened
	MaxVendorData = 4   // vendor class data items kept
	maxFQDN       = 255 // RFC 4704: the encoded name is at most 255 octets
)

// Message types (RFC 8415 7.3).
const (
	Solicit            = 1
	Advertise          = 2
	Request            = 3
	Confirm            = 4
	Renew              = 5
	Rebind             = 6
	Reply              = 7
	Release            = 8
	Decline            = 9
	Reconfigure        = 10
	InformationRequest = 11
	RelayForw          = 12
	RelayRepl          = 13
)

// Option codes used here.
const (
	optClientID    = 1
	optServerID    = 2
	optORO         = 6
	optRelayMsg    = 9
	optVendorClass = 16
	optVendorOpts  = 17
	optFQDN        = 39
)

// DUID types (RFC 8415 11).
const (
	DUIDLLT  = 1
	DUIDEN   = 2
	DUIDLL   = 3
	DUIDUUID = 4
)

// Errors.
var (
	ErrShort     = errors.New("dhcpv6: message shorter than its header")
	ErrTruncated = errors.New("dhcpv6: option runs past the end of the message")
	ErrRelay     = errors.New("dhcpv6: relay message without a relayed message, or nested too deep")
)

// DUID is a decoded DHCP unique identifier.
type DUID struct {
	Raw        []byte // the whole DUID
	Type       uint16 // DUIDLLT, DUIDEN, DUIDLL, DUIDUUID
	HWType     uint16 // LLT/LL: IANA hardware type (1 = Ethernet)
	LinkAddr   []byte // LLT/LL: the link-layer address
	Enterprise uint32 // EN: IANA private enterprise number
	Identifier []byte // EN: vendor-assigned identifier; UUID: the 16 bytes
}

// MAC returns the link-layer address when it is an Ethernet MAC.
func (d *DUID) MAC() ([6]byte, bool) {
	if (d.Type == DUIDLLT || d.Type == DUIDLL) && d.HWType == 1 && len(d.LinkAddr) == 6 {
		return [6]byte(d.LinkAddr), true
	}
	return [6]byte{}, false
}

// Message is what one DHCPv6 message says. Zero values mean absent.
type Message struct {
	Type          uint8 // innermost message type
	TransactionID uint32

	// Relay data of the innermost relay-forward/relay-reply, if relayed.
	RelayDepth int
	LinkAddr   netip.Addr // relay's link address
	PeerAddr   netip.Addr // client's (or previous relay's) address

	ClientID DUID
	ServerID DUID

	HasVendorClass        bool
	VendorClassEnterprise uint32
	VendorClassData       [MaxVendorData][]byte
	NumVendorClassData    int

	HasVendorOpts        bool
	VendorOptsEnterprise uint32

	ORO []byte // option request list: big-endian uint16 codes, in order (see ORACodes)

	HasFQDN    bool
	FQDNFlags  uint8
	FQDN       []byte // dotted, no trailing dot; aliases fqdnBuf
	FQDNRooted bool   // the name was fully qualified (ended with the root label)
	fqdnBuf    [maxFQDN]byte

	Options int // options walked in the innermost message
}

// FromClient reports whether the message type is one a client sends.
func FromClient(t uint8) bool {
	switch t {
	case Solicit, Request, Confirm, Renew, Rebind, Release, Decline, InformationRequest:
		return true
	}
	return false
}

// ORACode returns the i-th requested option code of the ORO, i < NumORO.
func (m *Message) ORACode(i int) uint16 { return binary.BigEndian.Uint16(m.ORO[2*i:]) }

// NumORO is the number of requested option codes.
func (m *Message) NumORO() int { return len(m.ORO) / 2 }

// ParseInto decodes the DHCPv6 message b (a UDP payload) into m without
// allocating. m is reset first.
func ParseInto(b []byte, m *Message) error {
	*m = Message{}
	for depth := 0; ; depth++ {
		if len(b) < 4 {
			return ErrShort
		}
		m.Type = b[0]
		if m.Type != RelayForw && m.Type != RelayRepl {
			m.TransactionID = uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			return m.options(b[4:])
		}
		if depth == MaxRelayDepth || len(b) < 34 {
			if len(b) < 34 {
				return ErrShort
			}
			return ErrRelay
		}
		m.RelayDepth = depth + 1
		m.LinkAddr = netip.AddrFrom16([16]byte(b[2:18]))
		m.PeerAddr = netip.AddrFrom16([16]byte(b[18:34]))
		inner, err := relayed(b[34:])
		if err != nil {
			return err
		}
		b = inner
	}
}

// relayed returns the Relay Message option's value.
func relayed(b []byte) ([]byte, error) {
	for n := 0; len(b) >= 4 && n < MaxOptions; n++ {
		code, l := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+l {
			return nil, ErrTruncated
		}
		if code == optRelayMsg {
			return b[4 : 4+l], nil
		}
		b = b[4+l:]
	}
	return nil, ErrRelay
}

func (m *Message) options(b []byte) error {
	for len(b) >= 4 && m.Options < MaxOptions {
		code, l := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+l {
			return ErrTruncated
		}
		v := b[4 : 4+l]
		b = b[4+l:]
		m.Options++
		switch code {
		case optClientID:
			decodeDUID(v, &m.ClientID)
		case optServerID:
			decodeDUID(v, &m.ServerID)
		case optORO:
			m.ORO = v[:len(v)&^1]
		case optVendorClass:
			m.vendorClass(v)
		case optVendorOpts:
			if len(v) >= 4 {
				m.HasVendorOpts, m.VendorOptsEnterprise = true, binary.BigEndian.Uint32(v)
			}
		case optFQDN:
			m.fqdn(v)
		}
	}
	if len(b) > 0 && m.Options < MaxOptions {
		return ErrTruncated
	}
	return nil
}

func decodeDUID(v []byte, d *DUID) {
	*d = DUID{Raw: v}
	if len(v) < 2 {
		return
	}
	d.Type = binary.BigEndian.Uint16(v)
	switch d.Type {
	case DUIDLLT:
		if len(v) >= 8 {
			d.HWType, d.LinkAddr = binary.BigEndian.Uint16(v[2:]), v[8:]
		}
	case DUIDLL:
		if len(v) >= 4 {
			d.HWType, d.LinkAddr = binary.BigEndian.Uint16(v[2:]), v[4:]
		}
	case DUIDEN:
		if len(v) >= 6 {
			d.Enterprise, d.Identifier = binary.BigEndian.Uint32(v[2:]), v[6:]
		}
	case DUIDUUID:
		d.Identifier = v[2:]
	}
}

// vendorClass reads enterprise-number, then vendor-class-data items, each
// a 2-byte length and its bytes.
func (m *Message) vendorClass(v []byte) {
	if len(v) < 4 {
		return
	}
	m.HasVendorClass, m.VendorClassEnterprise, m.NumVendorClassData = true, binary.BigEndian.Uint32(v), 0
	v = v[4:]
	for len(v) >= 2 && m.NumVendorClassData < MaxVendorData {
		l := int(binary.BigEndian.Uint16(v))
		if len(v) < 2+l {
			return
		}
		m.VendorClassData[m.NumVendorClassData] = v[2 : 2+l]
		m.NumVendorClassData++
		v = v[2+l:]
	}
}

// fqdn reads the flags byte and the (uncompressed, possibly partial) name.
func (m *Message) fqdn(v []byte) {
	if len(v) < 1 {
		return
	}
	name, _, rooted, err := wire.Name(m.fqdnBuf[:], v[1:], 0, false)
	if err != nil {
		return
	}
	m.HasFQDN, m.FQDNFlags, m.FQDN, m.FQDNRooted = true, v[0], name, rooted
}
