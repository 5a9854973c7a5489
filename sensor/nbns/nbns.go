// Package nbns decodes NetBIOS Name Service messages (RFC 1002, UDP port
// 137) for device identification: the NetBIOS names a host registers or
// answers for, with their 16th-byte suffix (<00> workstation, <20> file
// server, <1d> master browser, ...), its IPv4 address, and the names and
// MAC address (unit ID) of a node status response.
//
// ParseInto does not allocate: names are first-level decoded (RFC 1001
// 14.1) into fixed arrays inside Message, addresses are values. Hostile
// input: every length is checked, compression pointers must point backwards
// and are followed at most 32 times, at most MaxRecords records are walked
// and MaxNames names kept. A malformed record ends the walk with an error;
// what was decoded before it is kept.
//
// # Signals and their strength as evidence
//
//	nbns.registration  name registration / refresh (opcodes 5, 8, 9) with the NB address: the sender's own NetBIOS name and IPv4; strong for naming and binding (Windows, Samba, printers)
//	nbns.status        node status response (NBSTAT): all names of the responder, their suffixes (<20> file server, <1b>/<1d> domain or master browser) and its MAC; strong
//	nbns.answer        positive query response: a name with its address; medium (a WINS server answers for other hosts)
//	nbns.query         query: the name looked for, not the sender's; weak (but "WPAD", "ISATAP" queries show a Windows resolver)
//
// A name of the sender's own also says which service registered it
// (Name.Service), from the suffix tables of Microsoft's KB163409 "NetBIOS
// Suffixes (16th Character of the NetBIOS Name)" and [MS-BRWS] 2.1.1:
// <domain><1C> group: a domain controller (not "INet~Services<1C>", which
// IIS registers); <domain><1B> unique: the domain master browser, which is
// the primary domain controller (the PDC emulator in Active Directory);
// <computer><20> unique: the Server service (file and printer sharing);
// <group><1D> unique or the __MSBROWSE__<01> group: a local master browser.
//
// NetBIOS names are 15 bytes of OEM text padded with spaces; nothing is
// sanitised here.
package nbns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/wardwatch/wardwatch/sensor/internal/wire"
)

// Port is the NetBIOS name service UDP port.
const Port = 137

// Bounds.
const (
	MaxQuestions = 4
	MaxRecords   = 16 // resource records walked
	MaxNames     = 16 // names kept (questions, records and node status entries)
)

// Opcodes (RFC 1002 4.2.1.1).
const (
	OpQuery        = 0
	OpRegistration = 5
	OpRelease      = 6
	OpWACK         = 7
	OpRefresh      = 8
	OpRefreshAlt   = 9 // sent by Windows as refresh
	OpMultihomed   = 15
)

// Record types.
const (
	TypeNB     = 0x20
	TypeNBSTAT = 0x21
)

// Where a name was found.
const (
	FromQuestion = iota + 1
	FromAnswer
	FromAuthority
	FromAdditional
	FromNodeStatus
)

// ErrShort means the message is shorter than its header.
var ErrShort = errors.New("nbns: message shorter than its header")

// ErrName means a name was not a first-level encoded NetBIOS name.
var ErrName = errors.New("nbns: not a NetBIOS name")

// Name is one NetBIOS name of the message.
type Name struct {
	raw    [15]byte
	n      int
	Suffix byte   // the 16th byte: <00> workstation, <20> server, ...
	Source uint8  // FromQuestion ... FromNodeStatus
	Flags  uint16 // NB flags of the record or node status entry (0x8000 = group name)
	Addr   netip.Addr
}

// Text returns the name without its padding; it aliases n.
func (n *Name) Text() []byte { return n.raw[:n.n] }

// Group reports whether the name is a group name.
func (n *Name) Group() bool { return n.Flags&0x8000 != 0 }

// Speaks reports whether m speaks for its sender: a name registration,
// refresh or multihomed registration request, or a response (a query names
// what is looked for, a release what is given up).
func (m *Message) Speaks() bool {
	switch {
	case m.Response:
		return true
	case m.Opcode == OpRegistration, m.Opcode == OpRefresh, m.Opcode == OpRefreshAlt, m.Opcode == OpMultihomed:
		return true
	}
	return false
}

// Own reports whether n, a name of a message that Speaks, sent from src,
// is the sender's own: an entry of its node status, or a record with src
// as the address (a WINS server's answer for another host is not its own).
func (n *Name) Own(src netip.Addr) bool {
	return n.Source == FromNodeStatus || (n.Source != FromQuestion && n.Addr.IsValid() && n.Addr == src)
}

// HostName reports whether the name is its owner's own computer name: a
// unique name other than the domain or workgroup names a domain master
// browser (<1B>) or master browser (<1D>) holds, and the Messenger
// service's <03>, which also carries the logged-on user's name (KB163409).
func (n *Name) HostName() bool {
	return !n.Group() && n.Suffix != 0x1b && n.Suffix != 0x1d && n.Suffix != 0x03
}

// Name flags of a node status entry (RFC 1002 4.2.18) that say the name is
// not held: in conflict, or being released. (The same bits of a NB
// record's flags are reserved, zero.)
const (
	flagConflict      = 0x0800
	flagDeregistering = 0x1000
)

// Service is what a NetBIOS name says its owner runs.
type Service uint8

// Services (see the package documentation).
const (
	ServiceNone             Service = iota
	ServiceDomainController         // <domain><1C> group
	ServicePDC                      // <domain><1B> unique: domain master browser, the PDC
	ServiceFileServer               // <computer><20> unique: the Server service
	ServiceMasterBrowser            // <group><1D> unique, or the __MSBROWSE__<01> group
	numServices
)

var serviceNames = [numServices]string{"", "domain-controller", "pdc", "file-server", "master-browser"}

// String returns the service's name as the nbns.service signal reports it
// ("domain-controller", "pdc", "file-server", "master-browser"), "" for
// ServiceNone.
func (s Service) String() string {
	if int(s) < len(serviceNames) {
		return serviceNames[s]
	}
	return ""
}

// Service returns the service a name's suffix and kind (group or unique)
// say its owner runs, ServiceNone for others and for a node status entry
// in conflict or being released. Whose name it is (the sender's own, or a
// WINS server's answer for another host) is for the caller to decide.
func (n *Name) Service() Service {
	if n.Flags&(flagConflict|flagDeregistering) != 0 {
		return ServiceNone
	}
	switch g := n.Group(); {
	case n.Suffix == 0x1c && g && !bytes.EqualFold(n.Text(), []byte("INet~Services")):
		return ServiceDomainController
	case n.Suffix == 0x1b && !g:
		return ServicePDC
	case n.Suffix == 0x20 && !g:
		return ServiceFileServer
	case n.Suffix == 0x1d && !g,
		n.Suffix == 0x01 && g && bytes.Contains(n.Text(), []byte("__MSBROWSE__")):
		return ServiceMasterBrowser
	}
	return ServiceNone
}

// Message is the decoded content of one NBNS message.
type Message struct {
	ID       uint16
	Response bool
	Opcode   uint8

	Names    [MaxNames]Name
	NumNames int

	HasMAC bool
	MAC    [6]byte // node status unit ID

	Records int // resource records walked
	Dropped int // names not kept (list full)
}

// ParseInto decodes the NBNS message b into m without allocating. m is
// reset first.
func ParseInto(b []byte, m *Message) error {
	*m = Message{}
	h, ok := wire.ParseDNSHeader(b)
	if !ok {
		return ErrShort
	}
	m.ID, m.Response, m.Opcode = h.ID, h.Flags&0x8000 != 0, uint8(h.Flags>>11)&0xf
	off := 12
	for i := 0; i < int(h.QD); i++ {
		if i == MaxQuestions {
			return nil
		}
		var (
			nm  Name
			err error
		)
		nm, off, err = decodeName(b, off)
		if err != nil {
			return err
		}
		if off+4 > len(b) {
			return wire.ErrRecord
		}
		off += 4
		nm.Source = FromQuestion
		m.add(nm)
	}
	sections := [3]int{int(h.AN), int(h.NS), int(h.AR)}
	for s, count := range sections {
		for i := 0; i < count; i++ {
			if m.Records == MaxRecords {
				return nil
			}
			m.Records++
			nm, next, err := decodeName(b, off)
			if err != nil {
				return err
			}
			rr, after, err := wire.ParseRR(b, next)
			if err != nil {
				return err
			}
			off = after
			nm.Source = uint8(FromAnswer + s)
			switch rr.Type {
			case TypeNB:
				if len(rr.Data) >= 6 {
					nm.Flags = binary.BigEndian.Uint16(rr.Data)
					nm.Addr = netip.AddrFrom4([4]byte(rr.Data[2:6]))
				}
				m.add(nm)
			case TypeNBSTAT:
				m.nodeStatus(rr.Data)
			}
		}
	}
	return nil
}

func (m *Message) add(n Name) {
	if m.NumNames == MaxNames {
		m.Dropped++
		return
	}
	m.Names[m.NumNames] = n
	m.NumNames++
}

// nodeStatus reads a NBSTAT RDATA: the number of names, 18 bytes per name
// (15 name bytes, suffix, 2 flag bytes), then statistics starting with the
// 6-byte unit ID.
func (m *Message) nodeStatus(d []byte) {
	if len(d) < 1 {
		return
	}
	n := int(d[0])
	d = d[1:]
	for ; n > 0 && len(d) >= 18; n-- {
		var nm Name
		copy(nm.raw[:], d[:15])
		nm.n = trimSpaces(nm.raw[:])
		nm.Suffix, nm.Flags, nm.Source = d[15], binary.BigEndian.Uint16(d[16:]), FromNodeStatus
		m.add(nm)
		d = d[18:]
	}
	if n == 0 && len(d) >= 6 {
		m.HasMAC, m.MAC = true, [6]byte(d[:6])
	}
}

// decodeName reads the (possibly compressed) name at off and decodes its
// first label, which must be 32 letters 'A'..'P' (two per byte). Scope
// labels after it are not kept.
func decodeName(msg []byte, off int) (Name, int, error) {
	var buf [255]byte
	enc, next, _, err := wire.Name(buf[:0], msg, off, true)
	if err != nil {
		return Name{}, 0, err
	}
	if len(enc) < 32 || (len(enc) > 32 && enc[32] != '.') {
		return Name{}, 0, ErrName
	}
	var raw [16]byte
	for i := range raw {
		hi, lo := enc[2*i]-'A', enc[2*i+1]-'A'
		if hi > 15 || lo > 15 {
			return Name{}, 0, ErrName
		}
		raw[i] = hi<<4 | lo
	}
	var nm Name
	copy(nm.raw[:], raw[:15])
	nm.n = trimSpaces(nm.raw[:])
	nm.Suffix = raw[15]
	return nm, next, nil
}

// trimSpaces returns the length of b without trailing spaces and NULs.
func trimSpaces(b []byte) int {
	n := len(b)
	for n > 0 && (b[n-1] == ' ' || b[n-1] == 0) {
		n--
	}
	return n
}
