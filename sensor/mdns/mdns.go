// Package mdns decodes multicast DNS (RFC 6762) with DNS-SD (RFC 6763) and
// LLMNR (RFC 4795) messages for device identification: the host names a
// device announces with its addresses, the services it advertises, and the
// TXT keys that name its model (Apple "model=", Google Cast "md=", IPP
// printers "ty=", "product=", "usb_MFG=", "usb_MDL=").
//
// Both protocols use the DNS message format; ParseInto walks the header,
// questions and resource records of one UDP payload (port 5353 or 5355)
// without allocating. Names (which may be compressed) are decoded into an
// arena inside Message; TXT strings alias the input. Both are valid only
// as long as Message and the caller's buffer are; a caller that keeps a
// value copies it and treats it as untrusted text (nothing is sanitised).
//
// Hostile input: every length is checked, compression pointers must point
// backwards and are followed at most 32 times per name, at most MaxRecords
// records and MaxQuestions questions are walked, each kept list is bounded
// and names are kept while the arena has room (the rest are counted in
// Dropped). A malformed record ends the walk with an error; what was
// decoded before it is kept.
//
// # Signals and their strength as evidence
//
//	mdns.hostname   A/AAAA records in a response or a probe's authority section: the device's own host name and address ("gemini.local"); medium (user-set names)
//	mdns.service    DNS-SD PTR/SRV records: advertised service types ("_ipp._tcp", "_googlecast._tcp", "_airplay._tcp") and instance names; medium-strong for device type (printer, cast target, phone)
//	mdns.txt_model  TXT keys model=, md=, ty=, product=, usb_MFG=, usb_MDL=: vendor-set model strings; strong for manufacturer and model
//	mdns.query      questions: what the sender looks for (a client of that service), not what it is; weak
//	llmnr.name      LLMNR responses: the responder's own host name with its address; medium. LLMNR queries name what is looked for, not the sender.
//
// mDNS and LLMNR stay on the local link (TTL 255, never routed): the
// sender's MAC is the device described.
package mdns

import (
	"net/netip"

	"github.com/wardwatch/wardwatch/sensor/internal/wire"
)

// UDP ports.
const (
	MDNSPort  = 5353
	LLMNRPort = 5355
)

// Bounds.
const (
	MaxQuestions = 16  // questions walked
	MaxRecords   = 128 // resource records walked (all sections)
	MaxKept      = 8   // questions, hosts, PTRs and SRVs kept, each
	MaxTXT       = 32  // TXT strings kept
	arenaSize    = 4096
	maxName      = 255
)

// Record types used here.
const (
	TypeA    = 1
	TypePTR  = 12
	TypeTXT  = 16
	TypeAAAA = 28
	TypeSRV  = 33
	TypeANY  = 255
)

// Question is one entry of the question section.
type Question struct {
	Name []byte
	Type uint16
}

// Host is an address record: Name has address Addr.
type Host struct {
	Name []byte
	Addr netip.Addr
}

// PTR is a pointer record: for DNS-SD, Name is a service type
// ("_ipp._tcp.local") and Target an instance of it.
type PTR struct {
	Name, Target []byte
}

// SRV is a service location record: instance Name runs on Target:Port.
type SRV struct {
	Name, Target []byte
	Port         uint16
}

// TXT is one character-string of a TXT record ("key=value"); Name is the
// record's owner (a service instance).
type TXT struct {
	Name []byte
	Data []byte // aliases the input
}

// Message is the decoded content of one mDNS or LLMNR message.
type Message struct {
	ID       uint16
	Flags    uint16
	Response bool // QR bit

	Questions    [MaxKept]Question
	NumQuestions int
	Hosts        [MaxKept]Host
	NumHosts     int
	PTRs         [MaxKept]PTR
	NumPTRs      int
	SRVs         [MaxKept]SRV
	NumSRVs      int
	TXT          [MaxTXT]TXT
	NumTXT       int

	Records int // resource records walked
	Dropped int // questions and records not kept because a list or the arena was full

	arena [arenaSize]byte
	used  int
}

// ParseInto decodes the DNS-format message b into m without allocating.
// m is reset first.
func ParseInto(b []byte, m *Message) error {
	m.reset()
	h, ok := wire.ParseDNSHeader(b)
	if !ok {
		return wire.ErrRecord
	}
	m.ID, m.Flags, m.Response = h.ID, h.Flags, h.Flags&0x8000 != 0
	off := 12
	for i := 0; i < int(h.QD) && i < MaxQuestions; i++ {
		name, next, err := m.name(b, off)
		if err != nil {
			return err
		}
		if next+4 > len(b) {
			return wire.ErrRecord
		}
		typ := uint16(b[next])<<8 | uint16(b[next+1])
		off = next + 4
		if name != nil && m.NumQuestions < MaxKept {
			m.Questions[m.NumQuestions] = Question{Name: name, Type: typ}
			m.NumQuestions++
		} else {
			m.Dropped++
		}
	}
	if int(h.QD) > MaxQuestions {
		return nil // the record sections cannot be found without walking every question
	}
	total := int(h.AN) + int(h.NS) + int(h.AR)
	for ; m.Records < total && m.Records < MaxRecords; m.Records++ {
		nameOff := off
		next, err := wire.SkipName(b, off)
		if err != nil {
			return err
		}
		rr, after, err := wire.ParseRR(b, next)
		if err != nil {
			return err
		}
		off = after
		if err := m.record(b, nameOff, rr); err != nil {
			return err
		}
	}
	return nil
}

func (m *Message) reset() {
	// Clear everything but the arena, which is overwritten as it is used.
	m.ID, m.Flags, m.Response = 0, 0, false
	m.Questions, m.NumQuestions = [MaxKept]Question{}, 0
	m.Hosts, m.NumHosts = [MaxKept]Host{}, 0
	m.PTRs, m.NumPTRs = [MaxKept]PTR{}, 0
	m.SRVs, m.NumSRVs = [MaxKept]SRV{}, 0
	m.TXT, m.NumTXT = [MaxTXT]TXT{}, 0
	m.Records, m.Dropped, m.used = 0, 0, 0
}

// name decodes the name at off into the arena. It returns a nil name (and
// no error) when the arena is full; next is the offset after the name.
func (m *Message) name(msg []byte, off int) (name []byte, next int, err error) {
	if arenaSize-m.used < maxName {
		next, err = wire.SkipName(msg, off)
		return nil, next, err
	}
	name, next, _, err = wire.Name(m.arena[m.used:m.used:arenaSize], msg, off, true)
	if err != nil {
		return nil, 0, err
	}
	m.used += len(name)
	if name == nil {
		name = m.arena[m.used:m.used]
	}
	return name, next, nil
}

// record keeps the records used for identification.
func (m *Message) record(msg []byte, nameOff int, rr wire.RR) error {
	switch rr.Type {
	case TypeA, TypeAAAA:
		var a netip.Addr
		switch {
		case rr.Type == TypeA && len(rr.Data) == 4:
			a = netip.AddrFrom4([4]byte(rr.Data))
		case rr.Type == TypeAAAA && len(rr.Data) == 16:
			a = netip.AddrFrom16([16]byte(rr.Data))
		default:
			return nil
		}
		if m.NumHosts == MaxKept {
			m.Dropped++
			return nil
		}
		name, _, err := m.name(msg, nameOff)
		if err != nil || name == nil {
			m.Dropped++
			return err
		}
		m.Hosts[m.NumHosts] = Host{Name: name, Addr: a}
		m.NumHosts++
	case TypePTR:
		if m.NumPTRs == MaxKept {
			m.Dropped++
			return nil
		}
		name, _, err := m.name(msg, nameOff)
		if err != nil {
			return err
		}
		target, _, err := m.name(msg, rr.DataOff)
		if err != nil {
			return err
		}
		if name == nil || target == nil {
			m.Dropped++
			return nil
		}
		m.PTRs[m.NumPTRs] = PTR{Name: name, Target: target}
		m.NumPTRs++
	case TypeSRV:
		if len(rr.Data) < 7 {
			return nil
		}
		if m.NumSRVs == MaxKept {
			m.Dropped++
			return nil
		}
		name, _, err := m.name(msg, nameOff)
		if err != nil {
			return err
		}
		target, _, err := m.name(msg, rr.DataOff+6)
		if err != nil {
			return err
		}
		if name == nil || target == nil {
			m.Dropped++
			return nil
		}
		m.SRVs[m.NumSRVs] = SRV{Name: name, Target: target, Port: uint16(rr.Data[4])<<8 | uint16(rr.Data[5])}
		m.NumSRVs++
	case TypeTXT:
		return m.txt(msg, nameOff, rr.Data)
	}
	return nil
}

// txt keeps the non-empty character-strings of a TXT record.
func (m *Message) txt(msg []byte, nameOff int, d []byte) error {
	var owner []byte
	for len(d) > 0 {
		l := int(d[0])
		if 1+l > len(d) {
			return nil // a string past the record's end: keep what came before
		}
		s := d[1 : 1+l]
		d = d[1+l:]
		if l == 0 {
			continue
		}
		if m.NumTXT == MaxTXT {
			m.Dropped++
			return nil
		}
		if owner == nil {
			name, _, err := m.name(msg, nameOff)
			if err != nil {
				return err
			}
			if name == nil {
				m.Dropped++
				return nil
			}
			owner = name
		}
		m.TXT[m.NumTXT] = TXT{Name: owner, Data: s}
		m.NumTXT++
	}
	return nil
}

// TXTValue returns the value of the first TXT string whose key (the part
// before '=') equals key, compared ASCII case-insensitively (RFC 6763
// 6.4). A key present without '=' has an empty value.
func (m *Message) TXTValue(key string) ([]byte, bool) {
	for _, t := range m.TXT[:m.NumTXT] {
		k, v := t.Data, []byte(nil)
		for i, c := range t.Data {
			if c == '=' {
				k, v = t.Data[:i], t.Data[i+1:]
				break
			}
		}
		if equalFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
