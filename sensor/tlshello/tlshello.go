// Package tlshello reads the TLS ClientHello that opens a TLS-over-TCP
// connection and yields what identifies the client without decrypting
// anything: the server name it asks for (SNI), its first ALPN protocol, and
// its JA4 fingerprint.
//
// JA4 (FoxIO's public JA4 specification, technical_details/JA4.md) is
// implemented for TLS over TCP: protocol "t"; the version (highest
// non-GREASE supported_versions entry, else the ClientHello version: "13",
// "12", "11", "10", "s3", "s2", "s1", DTLS "d1".."d3", else "00"); "d" when
// an SNI extension is present, else "i"; cipher and extension counts (GREASE
// removed, SNI and ALPN counted, capped at 99); the first and last
// character of the first ALPN value ("00" without one; the first and last
// hex digit of the value when either character is not an ASCII letter or
// digit); the first 12 hex digits of the SHA-256 of the sorted cipher list;
// and of the sorted extension list without SNI and ALPN, followed by "_" and
// the signature algorithms in their original order when there are any
// ("000000000000" for an empty list). Not implemented: QUIC ("q", the
// ClientHello is inside encrypted QUIC Initial packets), DTLS over UDP, the
// raw (JA4_r) and original-order (JA4_o) variants, and the other JA4+
// fingerprints.
//
// ParseInto does not allocate and neither does JA4 (the hashed lists are
// built in stack buffers). SNI and ALPN alias the input; a caller that keeps
// them copies them (they are untrusted text). Hostile input: every length is
// checked against its enclosing length; the ClientHello must be complete
// inside the first TLS record (a ClientHello fragmented over several
// records, which real clients do not send, is ErrFragmented); at most
// MaxCiphers ciphers, MaxExtensions extensions and MaxSigAlgs signature
// algorithms are kept, and a hello with more has no JA4 (Overflow).
//
// # Signals and their strength as evidence
//
//	tls.ja4  JA4 client fingerprint: identifies the TLS stack and its configuration (OS library, browser, embedded SDK, a medical device's firmware); strong when it matches a known fingerprint, shared by every client built on the same stack
//	tls.sni  server name: which service the client talks to (vendor cloud, update server); medium for manufacturer ("*.philips.com"), weak for the client itself
//	tls.alpn first ALPN protocol (h2, http/1.1, ...): part of JA4; weak alone
//
// The ClientHello's source is the client end of the connection.
package tlshello

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
)

// Bounds.
const (
	MaxCiphers    = 256
	MaxExtensions = 64
	MaxSigAlgs    = 64
)

// JA4Len is the length of a JA4 fingerprint.
const JA4Len = 36

// Errors.
var (
	// ErrNotHello means the data does not start with a TLS handshake record
	// holding a ClientHello.
	ErrNotHello = errors.New("tlshello: not a TLS ClientHello record")
	// ErrIncomplete means the first record is not complete in the data; see
	// RecordLen for how many bytes it needs.
	ErrIncomplete = errors.New("tlshello: TLS record incomplete")
	// ErrFragmented means the ClientHello continues in a following record.
	ErrFragmented = errors.New("tlshello: ClientHello fragmented over records")
	// ErrMalformed means a length inside the ClientHello is inconsistent.
	ErrMalformed = errors.New("tlshello: malformed ClientHello")
)

// Extension types used here.
const (
	extSNI           = 0x0000
	extSigAlgs       = 0x000d
	extALPN          = 0x0010
	extSupportedVers = 0x002b
)

// Hello is what one ClientHello says. Lists are in the order sent, GREASE
// values (RFC 8701) removed.
type Hello struct {
	RecordVersion    uint16
	HandshakeVersion uint16 // legacy_version of the ClientHello
	MaxVersion       uint16 // highest supported_versions entry, else HandshakeVersion

	SNI    []byte // first host_name of the server_name extension
	HasSNI bool   // the server_name extension is present (even if empty)
	ALPN   []byte // first protocol of the ALPN extension

	Ciphers       [MaxCiphers]uint16
	NumCiphers    int
	Extensions    [MaxExtensions]uint16
	NumExtensions int
	SigAlgs       [MaxSigAlgs]uint16
	NumSigAlgs    int

	// Overflow is set when a list held more entries than kept; JA4 is
	// then not computed.
	Overflow bool
}

// RecordLen returns the length of the TLS record at the start of b
// (header included), or 0 when b is shorter than a record header. A caller
// buffering the first bytes of a connection needs that many.
func RecordLen(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	return 5 + int(binary.BigEndian.Uint16(b[3:]))
}

// IsGREASE reports whether v is one of the reserved GREASE values.
func IsGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// ParseInto decodes the ClientHello in the TLS record at the start of b
// into h without allocating. h is reset first.
func ParseInto(b []byte, h *Hello) error {
	h.reset()
	if len(b) < 5 || b[0] != 0x16 || b[1] != 3 {
		return ErrNotHello
	}
	n := RecordLen(b)
	if len(b) < n {
		if len(b) >= 6 && b[5] != 1 {
			return ErrNotHello
		}
		return ErrIncomplete
	}
	h.RecordVersion = binary.BigEndian.Uint16(b[1:])
	rec := b[5:n]
	if len(rec) < 4 || rec[0] != 1 {
		return ErrNotHello
	}
	hl := int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
	if 4+hl > len(rec) {
		return ErrFragmented
	}
	return h.clientHello(rec[4 : 4+hl])
}

func (h *Hello) reset() {
	h.RecordVersion, h.HandshakeVersion, h.MaxVersion = 0, 0, 0
	h.SNI, h.HasSNI, h.ALPN = nil, false, nil
	h.NumCiphers, h.NumExtensions, h.NumSigAlgs, h.Overflow = 0, 0, 0, false
}

// vec cuts a vector with an n-byte length prefix off b.
func vec(b []byte, n int) (v, rest []byte, ok bool) {
	if len(b) < n {
		return nil, nil, false
	}
	l := 0
	for i := range n {
		l = l<<8 | int(b[i])
	}
	if len(b) < n+l {
		return nil, nil, false
	}
	return b[n : n+l], b[n+l:], true
}

func (h *Hello) clientHello(b []byte) error {
	if len(b) < 34 {
		return ErrMalformed
	}
	h.HandshakeVersion = binary.BigEndian.Uint16(b)
	h.MaxVersion = h.HandshakeVersion
	_, b, ok := vec(b[34:], 1) // session id
	if !ok {
		return ErrMalformed
	}
	ciphers, b, ok := vec(b, 2)
	if !ok || len(ciphers)%2 != 0 {
		return ErrMalformed
	}
	for ; len(ciphers) >= 2; ciphers = ciphers[2:] {
		h.NumCiphers = h.add(h.Ciphers[:], h.NumCiphers, binary.BigEndian.Uint16(ciphers))
	}
	if _, b, ok = vec(b, 1); !ok { // compression methods
		return ErrMalformed
	}
	if len(b) == 0 {
		return nil // no extensions (SSL 3.0 / early TLS clients)
	}
	exts, _, ok := vec(b, 2)
	if !ok {
		return ErrMalformed
	}
	for len(exts) > 0 {
		if len(exts) < 4 {
			return ErrMalformed
		}
		typ := binary.BigEndian.Uint16(exts)
		var data []byte
		if data, exts, ok = vec(exts[2:], 2); !ok {
			return ErrMalformed
		}
		if IsGREASE(typ) {
			continue
		}
		h.NumExtensions = h.add(h.Extensions[:], h.NumExtensions, typ)
		if err := h.extension(typ, data); err != nil {
			return err
		}
	}
	return nil
}

// add appends v (unless GREASE) to list and returns the new count; a full
// list sets Overflow.
func (h *Hello) add(list []uint16, n int, v uint16) int {
	if IsGREASE(v) {
		return n
	}
	if n == len(list) {
		h.Overflow = true
		return n
	}
	list[n] = v
	return n + 1
}

func (h *Hello) extension(typ uint16, d []byte) error {
	switch typ {
	case extSNI:
		h.HasSNI = true
		list, _, ok := vec(d, 2)
		if !ok {
			return ErrMalformed
		}
		for len(list) >= 3 {
			nt := list[0]
			var name []byte
			if name, list, ok = vec(list[1:], 2); !ok {
				return ErrMalformed
			}
			if nt == 0 && h.SNI == nil {
				h.SNI = name
			}
		}
	case extALPN:
		list, _, ok := vec(d, 2)
		if !ok {
			return ErrMalformed
		}
		if len(list) > 0 {
			p, _, ok := vec(list, 1)
			if !ok {
				return ErrMalformed
			}
			h.ALPN = p
		}
	case extSigAlgs:
		list, _, ok := vec(d, 2)
		if !ok || len(list)%2 != 0 {
			return ErrMalformed
		}
		for ; len(list) >= 2; list = list[2:] {
			h.NumSigAlgs = h.add(h.SigAlgs[:], h.NumSigAlgs, binary.BigEndian.Uint16(list))
		}
	case extSupportedVers:
		list, _, ok := vec(d, 1)
		if !ok || len(list)%2 != 0 {
			return ErrMalformed
		}
		var max uint16
		for ; len(list) >= 2; list = list[2:] {
			if v := binary.BigEndian.Uint16(list); !IsGREASE(v) && v > max {
				max = v
			}
		}
		if max != 0 {
			h.MaxVersion = max
		}
	}
	return nil
}

// JA4 returns the JA4 fingerprint of the hello; ok is false when a list
// overflowed its bound.
func (h *Hello) JA4() (fp [JA4Len]byte, ok bool) {
	if h.Overflow {
		return fp, false
	}
	a := fp[:0]
	a = append(a, 't')
	a = append(a, versionCode(h.MaxVersion)...)
	if h.HasSNI {
		a = append(a, 'd')
	} else {
		a = append(a, 'i')
	}
	a = twoDigits(a, h.NumCiphers)
	a = twoDigits(a, h.NumExtensions)
	a = alpnCode(a, h.ALPN)
	a = append(a, '_')

	var list [MaxCiphers]uint16
	ciphers := list[:h.NumCiphers]
	copy(ciphers, h.Ciphers[:h.NumCiphers])
	slices.Sort(ciphers)
	var buf [MaxCiphers * 5]byte
	a = hash12(a, hexList(buf[:0], ciphers))
	a = append(a, '_')

	exts := list[:0]
	for _, e := range h.Extensions[:h.NumExtensions] {
		if e != extSNI && e != extALPN {
			exts = append(exts, e)
		}
	}
	slices.Sort(exts)
	s := hexList(buf[:0], exts)
	if h.NumSigAlgs > 0 {
		s = append(s, '_')
		s = hexList(s, h.SigAlgs[:h.NumSigAlgs])
	}
	a = hash12(a, s)
	return fp, len(a) == JA4Len
}

func versionCode(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0200, 0x0002:
		return "s2"
	case 0x0100:
		return "s1"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func twoDigits(dst []byte, n int) []byte {
	n = min(n, 99)
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

func alnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

const hexDigits = "0123456789abcdef"

func alpnCode(dst, p []byte) []byte {
	if len(p) == 0 {
		return append(dst, '0', '0')
	}
	first, last := p[0], p[len(p)-1]
	if alnum(first) && alnum(last) {
		return append(dst, first, last)
	}
	return append(dst, hexDigits[first>>4], hexDigits[last&0xf])
}

// hexList appends the values as comma-separated 4-digit lower-case hex.
func hexList(dst []byte, vs []uint16) []byte {
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
	}
	return dst
}

// hash12 appends the first 12 hex digits of SHA-256(s), or 12 zeros for
// an empty s.
func hash12(dst, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, "000000000000"...)
	}
	sum := sha256.Sum256(s)
	var h [12]byte
	hex.Encode(h[:], sum[:6])
	return append(dst, h[:]...)
}
