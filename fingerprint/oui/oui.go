// Package oui maps MAC addresses to the organisation the IEEE registration
// authority assigned their prefix to (the "vendor").
//
// The registry is embedded: table.bin.gz and table_gen.go are generated from
// Debian's ieee-data package by ./gen and committed, so building needs no
// ieee-data. SourceDate and SourceVersion say which snapshot is embedded.
// To refresh it, update ieee-data (apt-get install ieee-data, or
// update-ieee-data) and run `go generate` in this directory.
//
// The table is decompressed on first use (about 10 ms; about 1.5 MB of heap
// is retained); after that lookups are lock-free and do not allocate, so they
// are safe on the per-packet path and from any number of goroutines.
package oui

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/tablefmt"
	"github.com/wardwatch/wardwatch/model"
)

//go:generate go run ./gen -in /usr/share/ieee-data -out table.bin.gz -go table_gen.go

//go:embed table.bin.gz
var tableGz []byte

// Registry names returned by LookupRegistry.
const (
	RegistryMAL = "MA-L" // 24-bit prefix (OUI)
	RegistryMAM = "MA-M" // 28-bit prefix
	RegistryMAS = "MA-S" // 36-bit prefix (OUI-36)
	RegistryIAB = "IAB"  // 36-bit Individual Address Block (legacy MA-S)
)

// section is one registry's assignments, keys sorted ascending.
type section[K uint32 | uint64] struct {
	keys []K
	orgs []uint32 // index into db.orgs
}

func (s *section[K]) find(k K) (uint32, bool) {
	i, ok := slices.BinarySearch(s.keys, k)
	if !ok {
		return 0, false
	}
	return s.orgs[i], true
}

type db struct {
	orgs []string // distinct; all share one backing string
	mal  section[uint32]
	mam  section[uint32]
	mas  section[uint64]
	iab  section[uint64]
	// sub has bit (m[1]<<8 | m[2]) set when some MA-M, MA-S or IAB block
	// lies under an OUI with those low 16 bits. Sub-assignments sit under a
	// few hundred OUIs, so for almost all addresses the 28- and 36-bit
	// searches are skipped.
	sub [1 << 16 / 64]uint64
}

var (
	loadOnce sync.Once
	table    *db
)

func get() *db {
	loadOnce.Do(load)
	return table
}

func load() {
	d, err := decode(tableGz)
	if err != nil {
		// The table is embedded at build time and checked by the tests, so
		// this is a build defect, not a runtime condition.
		panic("oui: embedded table: " + err.Error())
	}
	table = d
}

func decode(gz []byte) (*db, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	// The gzip trailer records the uncompressed size (mod 2^32): read into a
	// buffer of that size instead of growing one.
	var buf bytes.Buffer
	if n := len(gz); n >= 4 {
		if size := binary.LittleEndian.Uint32(gz[n-4:]); size < 64<<20 {
			buf.Grow(int(size) + bytes.MinRead)
		}
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	t, err := tablefmt.Decode(raw)
	if err != nil {
		return nil, err
	}
	d := &db{orgs: t.Orgs}
	d.mal = narrow(t.Sections[tablefmt.MAL])
	d.mam = narrow(t.Sections[tablefmt.MAM])
	d.mas = section[uint64]{keys: t.Sections[tablefmt.MAS].Keys, orgs: t.Sections[tablefmt.MAS].Orgs}
	d.iab = section[uint64]{keys: t.Sections[tablefmt.IAB].Keys, orgs: t.Sections[tablefmt.IAB].Orgs}
	for _, k := range d.mam.keys {
		d.markSub(uint64(k) >> 4)
	}
	for _, k := range d.mas.keys {
		d.markSub(k >> 12)
	}
	for _, k := range d.iab.keys {
		d.markSub(k >> 12)
	}
	if got, want := [5]int{len(d.mal.keys), len(d.mam.keys), len(d.mas.keys), len(d.iab.keys), len(d.orgs)},
		[5]int{genCountMAL, genCountMAM, genCountMAS, genCountIAB, genCountOrgs}; got != want {
		return nil, fmt.Errorf("counts %v do not match table_gen.go %v; regenerate both with go generate", got, want)
	}
	return d, nil
}

// narrow converts a 24- or 28-bit section to 32-bit keys (half the memory,
// twice the keys per cache line).
func narrow(s tablefmt.Section) section[uint32] {
	out := section[uint32]{keys: make([]uint32, len(s.Keys)), orgs: s.Orgs}
	for i, k := range s.Keys {
		out.keys[i] = uint32(k)
	}
	return out
}

func (d *db) markSub(oui uint64) {
	i := oui & 0xffff
	d.sub[i/64] |= 1 << (i % 64)
}

// lookup returns the organisation index and registry of mac.
func (d *db) lookup(mac model.MAC) (org uint32, reg string, ok bool) {
	if mac.IsGroup() || mac.IsLocal() {
		return 0, "", false
	}
	if i := uint(mac[1])<<8 | uint(mac[2]); d.sub[i/64]&(1<<(i%64)) != 0 {
		k36 := uint64(mac[0])<<28 | uint64(mac[1])<<20 | uint64(mac[2])<<12 | uint64(mac[3])<<4 | uint64(mac[4])>>4
		if o, ok := d.mas.find(k36); ok {
			return o, RegistryMAS, true
		}
		if o, ok := d.iab.find(k36); ok {
			return o, RegistryIAB, true
		}
		k28 := uint32(mac[0])<<20 | uint32(mac[1])<<12 | uint32(mac[2])<<4 | uint32(mac[3])>>4
		if o, ok := d.mam.find(k28); ok {
			return o, RegistryMAM, true
		}
	}
	k24 := uint32(mac[0])<<16 | uint32(mac[1])<<8 | uint32(mac[2])
	if o, ok := d.mal.find(k24); ok {
		return o, RegistryMAL, true
	}
	return 0, "", false
}

// Lookup returns the organisation registered for mac's prefix, trying MA-S
// (36 bit) first, then MA-M (28 bit), then MA-L (24 bit). Locally
// administered or group addresses return "", false.
//
// Organisation names are as registered, with white space trimmed and
// collapsed. A few MA-L prefixes were assigned to more than one organisation;
// their names are joined with " / ". Addresses in a block the IEEE sells as
// MA-M/MA-S but whose sub-block is unassigned return the parent MA-L holder,
// "IEEE Registration Authority".
//
// Lookup does not allocate; the returned strings are shared.
func Lookup(mac model.MAC) (org string, ok bool) {
	d := get()
	o, _, ok := d.lookup(mac)
	if !ok {
		return "", false
	}
	return d.orgs[o], true
}

// LookupRegistry is Lookup that also reports which registry matched:
// "MA-L", "MA-M", "MA-S" or "IAB" (see the Registry constants).
func LookupRegistry(mac model.MAC) (org, registry string, ok bool) {
	d := get()
	o, reg, ok := d.lookup(mac)
	if !ok {
		return "", "", false
	}
	return d.orgs[o], reg, true
}

// Len returns the number of assignments (prefixes of all registries) in the
// embedded table.
func Len() int {
	d := get()
	return len(d.mal.keys) + len(d.mam.keys) + len(d.mas.keys) + len(d.iab.keys)
}
