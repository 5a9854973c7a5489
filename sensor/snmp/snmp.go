// Package snmp reads cleartext SNMP v1 and v2c messages (RFC 1157, RFC
// 3416; UDP 161 responses and 162 traps) for device identification: the
// system group values an agent returns or sends — sysDescr (vendor, model,
// firmware in free text), sysObjectID (the vendor's enterprise OID naming
// the product) and sysName — and the enterprise OID and agent address of a
// v1 trap.
//
// ParseInto walks the BER encoding without allocating; values alias the
// input and are untrusted text (nothing is sanitised). The community string
// is a credential: it is skipped and never returned. SNMPv3 messages are
// not decoded (ErrVersion): their scoped PDU is usually encrypted.
//
// Hostile input: BER lengths are checked against their enclosing element
// (long-form lengths of at most 3 bytes, no indefinite lengths, no
// high-tag-number tags), nesting is fixed by the message structure, at most
// MaxVarbinds variable bindings are walked and OIDs longer than MaxOIDLen
// bytes are not kept.
//
// # Signals and their strength as evidence
//
//	snmp.sys_descr     sysDescr.0 in a GetResponse or trap: vendor, model and firmware in the agent's words ("Cisco IOS Software, C2960 ...", "HP ETHERNET MULTI-ENVIRONMENT,ROM ...,JETDIRECT"); strong for manufacturer, model and firmware
//	snmp.sys_object_id sysObjectID.0: the product's OID under the vendor's enterprise number (1.3.6.1.4.1.<vendor>...); strong for manufacturer, strong for model with a table of product OIDs
//	snmp.sys_name      sysName.0: the administratively set host name; medium
//	snmp.enterprise    v1 trap enterprise OID and agent address; medium-strong for vendor
//
// A response's values describe the agent that sent it (the packet's
// source); a request says nothing about either end.
package snmp

import (
	"errors"
	"net/netip"
	"strconv"
)

// Ports.
const (
	AgentPort = 161
	TrapPort  = 162
)

// Bounds.
const (
	MaxVarbinds = 64
	MaxOIDLen   = 128 // encoded bytes
)

// PDU types (context-specific constructed tags).
const (
	PDUGetRequest     = 0xa0
	PDUGetNextRequest = 0xa1
	PDUResponse       = 0xa2
	PDUSetRequest     = 0xa3
	PDUTrapV1         = 0xa4
	PDUGetBulkRequest = 0xa5
	PDUInformRequest  = 0xa6
	PDUTrapV2         = 0xa7
	PDUReport         = 0xa8
)

// Errors.
var (
	// ErrNotSNMP means the data is not a BER-encoded SNMP message.
	ErrNotSNMP = errors.New("snmp: not an SNMP message")
	// ErrVersion means an SNMP version other than 1 and 2c.
	ErrVersion = errors.New("snmp: version not decoded (only v1 and v2c)")
	// ErrMalformed means an element's length or type is inconsistent.
	ErrMalformed = errors.New("snmp: malformed message")
)

// Message is what one SNMP message says about its sender. Zero values
// mean absent.
type Message struct {
	Version     int // 0 = v1, 1 = v2c
	PDU         byte
	RequestID   int64
	ErrorStatus int64

	SysDescr    []byte // sysDescr.0 OCTET STRING
	SysObjectID []byte // sysObjectID.0, BER-encoded OID contents (see AppendOID)
	SysName     []byte // sysName.0

	Enterprise []byte     // v1 trap enterprise OID contents
	AgentAddr  netip.Addr // v1 trap agent-addr

	Varbinds int // variable bindings walked
}

// BER tags used here.
const (
	tagInteger   = 0x02
	tagOctets    = 0x04
	tagNull      = 0x05
	tagOID       = 0x06
	tagSequence  = 0x30
	tagIPAddress = 0x40
)

// tlv cuts one BER element off b.
func tlv(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, ErrMalformed
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, ErrMalformed // high-tag-number form: never in SNMP
	}
	l, n := int(b[1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, ErrMalformed
		}
		l = 0
		for _, c := range b[2 : 2+k] {
			l = l<<8 | int(c)
		}
		n += k
	}
	if len(b)-n < l {
		return 0, nil, nil, ErrMalformed
	}
	return tag, b[n : n+l], b[n+l:], nil
}

// integer decodes a BER INTEGER of at most 8 bytes.
func integer(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 8 {
		return 0, false
	}
	x := int64(int8(v[0]))
	for _, c := range v[1:] {
		x = x<<8 | int64(c)
	}
	return x, true
}

// Encoded OIDs of the system group instances (1.3.6.1.2.1.1.N.0).
var (
	oidSysPrefix = []byte{0x2b, 6, 1, 2, 1, 1}
)

// ParseInto decodes the SNMP message b (a UDP payload) into m without
// allocating. m is reset first.
func ParseInto(b []byte, m *Message) error {
	*m = Message{}
	tag, msg, _, err := tlv(b)
	if err != nil || tag != tagSequence {
		return ErrNotSNMP
	}
	tag, v, msg, err := tlv(msg)
	if err != nil || tag != tagInteger {
		return ErrNotSNMP
	}
	ver, ok := integer(v)
	if !ok {
		return ErrNotSNMP
	}
	if ver != 0 && ver != 1 {
		return ErrVersion
	}
	m.Version = int(ver)
	if tag, _, msg, err = tlv(msg); err != nil || tag != tagOctets { // community: skipped, never kept
		return ErrMalformed
	}
	tag, pdu, _, err := tlv(msg)
	if err != nil || tag < PDUGetRequest || tag > PDUReport {
		return ErrMalformed
	}
	m.PDU = tag
	if tag == PDUTrapV1 {
		return m.trapV1(pdu)
	}
	var id, status []byte
	if tag, id, pdu, err = tlv(pdu); err != nil || tag != tagInteger {
		return ErrMalformed
	}
	if tag, status, pdu, err = tlv(pdu); err != nil || tag != tagInteger {
		return ErrMalformed
	}
	if tag, _, pdu, err = tlv(pdu); err != nil || tag != tagInteger { // error-index
		return ErrMalformed
	}
	m.RequestID, _ = integer(id)
	m.ErrorStatus, _ = integer(status)
	return m.varbinds(pdu)
}

// trapV1 reads enterprise, agent-addr, generic-trap, specific-trap,
// time-stamp and the variable bindings of a v1 Trap-PDU.
func (m *Message) trapV1(pdu []byte) error {
	tag, ent, pdu, err := tlv(pdu)
	if err != nil || tag != tagOID {
		return ErrMalformed
	}
	if len(ent) <= MaxOIDLen {
		m.Enterprise = ent
	}
	tag, addr, pdu, err := tlv(pdu)
	if err != nil || tag != tagIPAddress {
		return ErrMalformed
	}
	if len(addr) == 4 {
		m.AgentAddr = netip.AddrFrom4([4]byte(addr))
	}
	for range 3 { // generic-trap, specific-trap, time-stamp
		if _, _, pdu, err = tlv(pdu); err != nil {
			return ErrMalformed
		}
	}
	return m.varbinds(pdu)
}

// varbinds walks the VarBindList and keeps the system group values.
func (m *Message) varbinds(pdu []byte) error {
	tag, list, _, err := tlv(pdu)
	if err != nil || tag != tagSequence {
		return ErrMalformed
	}
	for len(list) > 0 && m.Varbinds < MaxVarbinds {
		var vb []byte
		if tag, vb, list, err = tlv(list); err != nil || tag != tagSequence {
			return ErrMalformed
		}
		m.Varbinds++
		tag, name, vb, err := tlv(vb)
		if err != nil || tag != tagOID {
			return ErrMalformed
		}
		vtag, val, _, err := tlv(vb)
		if err != nil {
			return ErrMalformed
		}
		m.keep(name, vtag, val)
	}
	return nil
}

// keep stores sysDescr.0 (1.3.6.1.2.1.1.1.0), sysObjectID.0 (.2.0) and
// sysName.0 (.5.0) when they have the right type.
func (m *Message) keep(name []byte, vtag byte, val []byte) {
	if len(name) != len(oidSysPrefix)+2 || string(name[:len(oidSysPrefix)]) != string(oidSysPrefix) || name[len(name)-1] != 0 {
		return
	}
	switch name[len(oidSysPrefix)] {
	case 1:
		if vtag == tagOctets && m.SysDescr == nil {
			m.SysDescr = val
		}
	case 2:
		if vtag == tagOID && m.SysObjectID == nil && len(val) <= MaxOIDLen {
			m.SysObjectID = val
		}
	case 5:
		if vtag == tagOctets && m.SysName == nil {
			m.SysName = val
		}
	}
}

// AppendOID appends the dotted form of the BER-encoded OID contents enc
// ("1.3.6.1.4.1.9.1.1208"); ok is false for a malformed encoding (an arc
// over 32 bits or a truncated one).
func AppendOID(dst, enc []byte) (out []byte, ok bool) {
	if len(enc) == 0 {
		return dst, false
	}
	first := true
	var arc uint64
	for i, c := range enc {
		arc = arc<<7 | uint64(c&0x7f)
		if arc > 1<<32 {
			return dst, false
		}
		if c&0x80 != 0 {
			if i == len(enc)-1 {
				return dst, false
			}
			continue
		}
		if first {
			x, y := arc/40, arc%40
			if x > 2 {
				x, y = 2, arc-80
			}
			dst = strconv.AppendUint(dst, x, 10)
			dst = append(dst, '.')
			dst = strconv.AppendUint(dst, y, 10)
			first = false
		} else {
			dst = append(dst, '.')
			dst = strconv.AppendUint(dst, arc, 10)
		}
		arc = 0
	}
	return dst, true
}
