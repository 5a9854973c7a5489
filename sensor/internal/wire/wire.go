// Package wire holds the small byte helpers the signal decoders under
// sensor/ share. Nothing here allocates.
package wire

import (
	"encoding/binary"
	"errors"
)

// TrimNUL drops the trailing NUL bytes some implementations send after a
// text value (C strings).
func TrimNUL(v []byte) []byte {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}

// Errors of Name.
var (
	// ErrName means a DNS name was malformed: a label or pointer past the
	// end, a reserved label type, a pointer that does not point backwards,
	// or a name longer than the output buffer.
	ErrName = errors.New("malformed DNS name")
	// ErrRecord means a resource record's fixed fields or data ran past the
	// end of the message.
	ErrRecord = errors.New("DNS resource record runs past the end of the message")
)

// maxPointers bounds the compression pointers followed in one name (each
// must point strictly backwards, so a loop is impossible anyway).
const maxPointers = 32

// Name decodes the DNS wire-format name (RFC 1035 3.1) at msg[off:] into
// dst as dotted text without a trailing dot, appending within cap(dst) so
// that it never allocates: a name that does not fit is ErrName. With ptrs,
// compression pointers (RFC 1035 4.1.4) are followed; each must point
// before the label that holds it. next is the offset after the name in msg
// (after the first pointer if one was followed). rooted reports whether the
// name ended with the root label; without it (a partial name as DHCPv6
// FQDN options allow) the name ends at the end of msg. Label bytes are
// copied as they are (a label may hold dots or any byte).
func Name(dst, msg []byte, off int, ptrs bool) (name []byte, next int, rooted bool, err error) {
	name = dst[:0]
	next = -1
	jumps := 0
	for {
		if off >= len(msg) {
			if ptrs || jumps > 0 {
				return name, 0, false, ErrName
			}
			return name, off, false, nil
		}
		l := int(msg[off])
		switch {
		case l == 0:
			if next < 0 {
				next = off + 1
			}
			return name, next, true, nil
		case l&0xc0 == 0xc0 && ptrs:
			if off+1 >= len(msg) {
				return name, 0, false, ErrName
			}
			p := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if p >= off || jumps == maxPointers {
				return name, 0, false, ErrName
			}
			if next < 0 {
				next = off + 2
			}
			jumps++
			off = p
			continue
		case l > 63:
			return name, 0, false, ErrName
		}
		if off+1+l > len(msg) {
			return name, 0, false, ErrName
		}
		need := l
		if len(name) > 0 {
			need++
		}
		if len(name)+need > cap(name) {
			return name, 0, false, ErrName
		}
		if len(name) > 0 {
			name = append(name, '.')
		}
		name = append(name, msg[off+1:off+1+l]...)
		off += 1 + l
	}
}

// SkipName returns the offset after the DNS name at msg[off:] without
// following compression pointers (a pointer ends the name).
func SkipName(msg []byte, off int) (int, error) {
	for n := 0; n < 128; n++ {
		if off >= len(msg) {
			return 0, ErrName
		}
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xc0 == 0xc0:
			if off+2 > len(msg) {
				return 0, ErrName
			}
			return off + 2, nil
		case l > 63:
			return 0, ErrName
		}
		off += 1 + l
	}
	return 0, ErrName
}

// DNSHeader is the fixed 12-byte header of DNS, mDNS, LLMNR and NBNS
// messages (RFC 1035 4.1.1).
type DNSHeader struct {
	ID, Flags      uint16
	QD, AN, NS, AR uint16 // section counts
}

// ParseDNSHeader reads the header; ok is false when b is shorter than 12.
func ParseDNSHeader(b []byte) (h DNSHeader, ok bool) {
	if len(b) < 12 {
		return h, false
	}
	return DNSHeader{
		ID: binary.BigEndian.Uint16(b), Flags: binary.BigEndian.Uint16(b[2:]),
		QD: binary.BigEndian.Uint16(b[4:]), AN: binary.BigEndian.Uint16(b[6:]),
		NS: binary.BigEndian.Uint16(b[8:]), AR: binary.BigEndian.Uint16(b[10:]),
	}, true
}

// RR is the fixed part of a resource record after its owner name.
type RR struct {
	Type, Class uint16
	TTL         uint32
	Data        []byte // RDATA, aliasing the message
	DataOff     int    // offset of RDATA in the message (for names in it)
}

// ParseRR reads the type, class, TTL and RDATA of the record whose fields
// start at msg[off:] (just after its owner name) and returns the offset of
// the next record.
func ParseRR(msg []byte, off int) (rr RR, next int, err error) {
	if off+10 > len(msg) {
		return rr, 0, ErrRecord
	}
	n := int(binary.BigEndian.Uint16(msg[off+8:]))
	if off+10+n > len(msg) {
		return rr, 0, ErrRecord
	}
	return RR{
		Type: binary.BigEndian.Uint16(msg[off:]), Class: binary.BigEndian.Uint16(msg[off+2:]),
		TTL: binary.BigEndian.Uint32(msg[off+4:]), Data: msg[off+10 : off+10+n], DataOff: off + 10,
	}, off + 10 + n, nil
}
