// Package ieeecsv reads the IEEE registration authority CSV exports (as
// shipped by Debian's ieee-data package in /usr/share/ieee-data) into a
// tablefmt.Table. It is used by the generator and by tests; the sensor binary
// never parses CSV.
package ieeecsv

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/tablefmt"
)

// File names a registry export and the registry it holds.
type File struct {
	Name     string
	Registry tablefmt.Registry
}

// Files are the exports Build reads, one per registry.
var Files = []File{
	{"oui.csv", tablefmt.MAL},
	{"mam.csv", tablefmt.MAM},
	{"oui36.csv", tablefmt.MAS},
	{"iab.csv", tablefmt.IAB},
}

// Build reads the four registry exports in dir and returns the table.
// Warnings describe tolerated oddities in the input (duplicate assignments,
// rows without an organisation).
func Build(dir string) (t *tablefmt.Table, warnings []string, err error) {
	var regs [tablefmt.NumRegistries]map[uint64][]string
	for _, f := range Files {
		m, w, err := readFile(filepath.Join(dir, f.Name), f.Registry)
		if err != nil {
			return nil, nil, err
		}
		regs[f.Registry] = m
		warnings = append(warnings, w...)
	}

	// Resolve duplicates and intern organisation names.
	resolved := make([]map[uint64]string, len(regs))
	orgSet := map[string]struct{}{}
	for r, m := range regs {
		res := make(map[uint64]string, len(m))
		for k, orgs := range m {
			slices.Sort(orgs)
			orgs = slices.Compact(orgs)
			if len(orgs) > 1 {
				warnings = append(warnings, fmt.Sprintf("%s %s assigned to %d organisations: %q",
					tablefmt.Registry(r), FormatKey(tablefmt.Registry(r), k), len(orgs), orgs))
			}
			org := strings.Join(orgs, " / ")
			res[k] = org
			orgSet[org] = struct{}{}
		}
		resolved[r] = res
	}
	slices.Sort(warnings)

	t = &tablefmt.Table{Orgs: make([]string, 0, len(orgSet))}
	for o := range orgSet {
		t.Orgs = append(t.Orgs, o)
	}
	slices.Sort(t.Orgs)
	index := make(map[string]uint32, len(t.Orgs))
	for i, o := range t.Orgs {
		index[o] = uint32(i)
	}
	for r, res := range resolved {
		s := &t.Sections[r]
		for k := range res {
			s.Keys = append(s.Keys, k)
		}
		slices.Sort(s.Keys)
		s.Orgs = make([]uint32, len(s.Keys))
		for i, k := range s.Keys {
			s.Orgs[i] = index[res[k]]
		}
	}
	if err := t.Validate(); err != nil {
		return nil, nil, err
	}
	return t, warnings, nil
}

// FormatKey formats a registry key as its assignment, e.g. "00-50-56" or
// "70-B3-D5-F2-F".
func FormatKey(r tablefmt.Registry, k uint64) string {
	digits := r.Bits() / 4
	s := fmt.Sprintf("%0*X", digits, k)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%2 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func readFile(path string, reg tablefmt.Registry) (map[uint64][]string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	m, w, err := parse(f, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, w, nil
}

var header = []string{"Registry", "Assignment", "Organization Name"}

func parse(rd io.Reader, reg tablefmt.Registry) (m map[uint64][]string, warnings []string, err error) {
	cr := csv.NewReader(bufio.NewReader(rd))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("reading header: %w", err)
	}
	if len(hdr) > 0 {
		hdr[0] = strings.TrimPrefix(hdr[0], "\ufeff")
	}
	if len(hdr) < len(header) {
		return nil, nil, fmt.Errorf("unexpected header %q", hdr)
	}
	for i, h := range header {
		if !strings.EqualFold(strings.TrimSpace(hdr[i]), h) {
			return nil, nil, fmt.Errorf("unexpected header %q, want %q", hdr, header)
		}
	}
	digits := reg.Bits() / 4
	m = map[uint64][]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 3 {
			return nil, nil, fmt.Errorf("line %d: %d fields, want at least 3", line, len(rec))
		}
		if got := strings.TrimSpace(rec[0]); got != reg.String() {
			return nil, nil, fmt.Errorf("line %d: registry %q, want %q", line, got, reg)
		}
		a := strings.TrimSpace(rec[1])
		if len(a) != digits {
			return nil, nil, fmt.Errorf("line %d: assignment %q is not %d hex digits", line, a, digits)
		}
		k, err := strconv.ParseUint(a, 16, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: assignment %q: %w", line, a, err)
		}
		org := NormalizeOrg(rec[2])
		if org == "" {
			warnings = append(warnings, fmt.Sprintf("%s %s: no organisation name, skipped", reg, FormatKey(reg, k)))
			continue
		}
		m[k] = append(m[k], org)
	}
	return m, warnings, nil
}

// NormalizeOrg trims an organisation name, collapses each run of white space
// (including no-break and other Unicode spaces) to one ASCII space and drops
// invisible format characters such as zero-width spaces.
func NormalizeOrg(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
