// Package tablefmt defines the binary layout of the embedded vendor table
// (table.bin.gz, before gzip). It is shared by the generator, which encodes
// it, and package oui, which decodes it.
//
// Layout (all integers are unsigned varints, encoding/binary.AppendUvarint):
//
//	magic     "WWOUI\x00\x01\n"
//	nOrgs
//	nOrgs × len(org)             organisation names, sorted, distinct
//	org bytes concatenated       (UTF-8)
//	for each Registry in order MA-L, MA-M, MA-S, IAB:
//	    n
//	    n × key delta            first delta is from 0; keys strictly increase
//	    n × org index            index into the organisation list
//
// A key is the assignment prefix as an integer of Registry.Bits() bits,
// e.g. MA-L 00:50:56 is 0x005056 and MA-S 70:B3:D5:F2:F is 0x70B3D5F2F.
package tablefmt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Magic starts every encoded table.
const Magic = "WWOUI\x00\x01\n"

// Registry is an IEEE registration authority registry.
type Registry uint8

// Registries, in encoding order.
const (
	MAL Registry = iota // MA-L, 24-bit OUI
	MAM                 // MA-M, 28-bit
	MAS                 // MA-S, 36-bit (OUI-36)
	IAB                 // Individual Address Block, 36-bit
	NumRegistries
)

// String returns the IEEE registry name: "MA-L", "MA-M", "MA-S" or "IAB".
func (r Registry) String() string {
	switch r {
	case MAL:
		return "MA-L"
	case MAM:
		return "MA-M"
	case MAS:
		return "MA-S"
	case IAB:
		return "IAB"
	}
	return fmt.Sprintf("Registry(%d)", uint8(r))
}

// Bits returns the assignment prefix length in bits.
func (r Registry) Bits() int {
	switch r {
	case MAL:
		return 24
	case MAM:
		return 28
	case MAS, IAB:
		return 36
	}
	return 0
}

// Section holds one registry's assignments: Keys sorted strictly ascending,
// Orgs[i] the index into Table.Orgs of Keys[i]'s organisation.
type Section struct {
	Keys []uint64
	Orgs []uint32
}

// Table is a decoded vendor table.
type Table struct {
	Orgs     []string // sorted, distinct
	Sections [NumRegistries]Section
}

// Len returns the number of assignments in all registries.
func (t *Table) Len() int {
	n := 0
	for _, s := range t.Sections {
		n += len(s.Keys)
	}
	return n
}

// Validate checks the invariants Decode relies on.
func (t *Table) Validate() error {
	for i := 1; i < len(t.Orgs); i++ {
		if t.Orgs[i-1] >= t.Orgs[i] {
			return fmt.Errorf("organisations not sorted and distinct at %d: %q >= %q", i, t.Orgs[i-1], t.Orgs[i])
		}
	}
	for r := range NumRegistries {
		s := &t.Sections[r]
		if len(s.Keys) != len(s.Orgs) {
			return fmt.Errorf("%v: %d keys but %d organisation indexes", r, len(s.Keys), len(s.Orgs))
		}
		limit := uint64(1) << r.Bits()
		for i, k := range s.Keys {
			if k >= limit {
				return fmt.Errorf("%v: key %#x exceeds %d bits", r, k, r.Bits())
			}
			if i > 0 && s.Keys[i-1] >= k {
				return fmt.Errorf("%v: keys not strictly ascending at %d (%#x >= %#x)", r, i, s.Keys[i-1], k)
			}
			if int(s.Orgs[i]) >= len(t.Orgs) {
				return fmt.Errorf("%v: organisation index %d out of range", r, s.Orgs[i])
			}
		}
	}
	return nil
}

// Encode appends the encoding of t to dst. t must be valid (see Validate).
func Encode(dst []byte, t *Table) ([]byte, error) {
	if err := t.Validate(); err != nil {
		return dst, err
	}
	dst = append(dst, Magic...)
	dst = binary.AppendUvarint(dst, uint64(len(t.Orgs)))
	for _, o := range t.Orgs {
		dst = binary.AppendUvarint(dst, uint64(len(o)))
	}
	for _, o := range t.Orgs {
		dst = append(dst, o...)
	}
	for _, s := range t.Sections {
		dst = binary.AppendUvarint(dst, uint64(len(s.Keys)))
		var prev uint64
		for _, k := range s.Keys {
			dst = binary.AppendUvarint(dst, k-prev)
			prev = k
		}
		for _, o := range s.Orgs {
			dst = binary.AppendUvarint(dst, uint64(o))
		}
	}
	return dst, nil
}

var errTruncated = errors.New("tablefmt: truncated table")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length and checks it is plausible: each counted item takes
// at least min bytes of what remains.
func (r *reader) count(min int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)/min) {
		r.err = errTruncated
		return 0
	}
	return int(v)
}

// Decode parses an encoded table and validates it. All organisation names
// share one backing string.
func Decode(data []byte) (*Table, error) {
	if !strings.HasPrefix(string(data), Magic) {
		return nil, errors.New("tablefmt: bad magic")
	}
	r := &reader{b: data[len(Magic):]}
	t := &Table{}

	n := r.count(1)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		l := r.uvarint()
		if l > uint64(len(r.b)) {
			return nil, errTruncated
		}
		lens[i] = int(l)
		total += int(l)
	}
	if r.err != nil {
		return nil, r.err
	}
	if total > len(r.b) {
		return nil, errTruncated
	}
	all := string(r.b[:total])
	r.b = r.b[total:]
	t.Orgs = make([]string, n)
	off := 0
	for i, l := range lens {
		t.Orgs[i] = all[off : off+l]
		off += l
	}

	for reg := range NumRegistries {
		s := &t.Sections[reg]
		n := r.count(2)
		s.Keys = make([]uint64, n)
		s.Orgs = make([]uint32, n)
		var k uint64
		for i := range s.Keys {
			d := r.uvarint()
			if d == 0 && i > 0 {
				r.err = fmt.Errorf("tablefmt: %v: duplicate key", reg)
			}
			k += d
			s.Keys[i] = k
		}
		for i := range s.Orgs {
			o := r.uvarint()
			if o >= uint64(len(t.Orgs)) {
				r.err = fmt.Errorf("tablefmt: %v: organisation index %d out of range", reg, o)
			}
			s.Orgs[i] = uint32(o)
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("tablefmt: %d trailing bytes", len(r.b))
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("tablefmt: %w", err)
	}
	return t, nil
}
