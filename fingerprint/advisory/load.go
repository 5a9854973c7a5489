package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"
)

// MaxFileSize is the largest document LoadDir reads (CISA's largest ICSMA
// document is 121 KiB; vendor documents with thousands of products stay
// well below this).
const MaxFileSize = 16 << 20

// Bounds on one document, against hostile input.
const (
	maxBranchDepth = 32
	maxLeaves      = 20000
	maxNameLen     = 1024
)

// Set is the loaded advisories, indexed for matching. It is immutable and
// safe for concurrent use.
type Set struct {
	advisories []*Advisory
	byID       map[string]*Advisory
	byVendor   map[string][]ref // canonical vendor → product leaves
}

type ref struct{ adv, prod int32 }

// Advisories returns the loaded advisories sorted by id.
func (s *Set) Advisories() []*Advisory { return s.advisories }

// Len is the number of loaded advisories.
func (s *Set) Len() int { return len(s.advisories) }

// Advisory returns the advisory with tracking id id, or nil.
func (s *Set) Advisory(id string) *Advisory { return s.byID[id] }

// LoadDir loads every *.json file under dir (recursively; hidden entries
// are skipped) as a CSAF 2.0 document. Each file either loads or is
// reported as a LoadError with its path relative to dir and the cause.
// When two documents carry the same tracking id the newer one (current
// release date, then file name) is kept and the other reported. LoadDir
// never touches the network.
func LoadDir(dir string) (*Set, []LoadError) {
	var advs []*Advisory
	var errs []LoadError
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		if err != nil {
			errs = append(errs, LoadError{File: rel, Err: err})
			if d != nil && d.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(d.Name()), ".json") {
			return nil
		}
		data, err := readCapped(path)
		if err != nil {
			errs = append(errs, LoadError{File: rel, Err: err})
			return nil
		}
		a, err := Load(rel, data)
		if err != nil {
			errs = append(errs, LoadError{File: rel, Err: err})
			return nil
		}
		advs = append(advs, a)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, LoadError{File: dir, Err: walkErr})
	}
	advs, dups := dedupe(advs)
	errs = append(errs, dups...)
	sort.Slice(errs, func(i, j int) bool { return errs[i].File < errs[j].File })
	return newSet(advs), errs
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return data, nil
}

// dedupe keeps one advisory per tracking id: the newest current release,
// then the lexically last file name.
func dedupe(advs []*Advisory) ([]*Advisory, []LoadError) {
	sort.Slice(advs, func(i, j int) bool {
		a, b := advs[i], advs[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if !a.Updated.Equal(b.Updated) {
			return a.Updated.After(b.Updated)
		}
		return a.File > b.File
	})
	var out []*Advisory
	var errs []LoadError
	for _, a := range advs {
		if n := len(out); n > 0 && out[n-1].ID == a.ID {
			errs = append(errs, LoadError{File: a.File, Err: fmt.Errorf("tracking id %s is also in %s, which is newer and was kept", a.ID, out[n-1].File)})
			continue
		}
		out = append(out, a)
	}
	return out, errs
}

func newSet(advs []*Advisory) *Set {
	s := &Set{advisories: advs, byID: make(map[string]*Advisory, len(advs)), byVendor: map[string][]ref{}}
	for i, a := range advs {
		s.byID[a.ID] = a
		for j := range a.Products {
			p := &a.Products[j]
			if !p.Affected || (p.tok.empty() && p.altTok.empty()) {
				continue
			}
			for _, v := range p.Vendors {
				s.byVendor[v] = append(s.byVendor[v], ref{adv: int32(i), prod: int32(j)})
			}
		}
	}
	return s
}

// Errors of Load.
var (
	ErrNotCSAF  = errors.New("not a CSAF document")
	ErrInvalid  = errors.New("does not conform to the CSAF 2.0 schema")
	ErrNoTrack  = errors.New("document has no tracking id")
	ErrTrailing = errors.New("data after the JSON document")
)

// Load reads one CSAF 2.0 document. name is only used in the result
// (Advisory.File). The document must be one JSON object, conform to the
// CSAF 2.0 JSON schema (csaf.ValidateCSAF, embedded and offline) and pass
// csaf.Advisory.Validate.
//
// Two defects of gocsaf/csaf v3.7.0's document types are worked around:
// its Go field tags spell "acknowledgements" where CSAF 2.0 has
// "acknowledgments" (so strict decoding, as csaf.LoadAdvisory does it,
// rejects 132 of the 144 ICSMA documents; acknowledgments are not used
// here), and it types product_tree.product_groups and the group_ids of
// remediations, threats and flags as an object where CSAF has an array, so
// a document using product groups cannot be decoded into its types at all.
// Load reads the groups from the schema-checked generic form, removes them,
// and decodes the rest into csaf.Advisory.
func Load(name string, data []byte) (*Advisory, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrTrailing
	}
	obj, ok := raw.(map[string]any)
	if !ok || obj["document"] == nil {
		return nil, ErrNotCSAF
	}
	msgs, err := csaf.ValidateCSAF(raw)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if len(msgs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, summarize(msgs))
	}
	groups, remGroups := takeGroups(obj)
	clean, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("JSON: %w", err)
	}
	var doc csaf.Advisory
	if err := json.Unmarshal(clean, &doc); err != nil {
		return nil, fmt.Errorf("CSAF types: %w", err)
	}
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("CSAF: %w", err)
	}
	return convert(name, &doc, groups, remGroups)
}

func summarize(msgs []string) string {
	const show = 3
	s := strings.Join(msgs[:min(show, len(msgs))], "; ")
	if len(msgs) > show {
		s += fmt.Sprintf(" (and %d more)", len(msgs)-show)
	}
	return s
}

// takeGroups removes product_tree.product_groups and every group_ids from
// the generic document (see Load) and returns the groups (group id →
// product ids) and the group ids of each remediation (by vulnerability and
// remediation index).
func takeGroups(obj map[string]any) (map[string][]string, map[[2]int][]string) {
	groups := map[string][]string{}
	if pt, ok := obj["product_tree"].(map[string]any); ok {
		if gs, ok := pt["product_groups"].([]any); ok {
			for _, g := range gs {
				gm, _ := g.(map[string]any)
				id, _ := gm["group_id"].(string)
				groups[id] = append(groups[id], strings_(gm["product_ids"])...)
			}
		}
		delete(pt, "product_groups")
	}
	remGroups := map[[2]int][]string{}
	vs, _ := obj["vulnerabilities"].([]any)
	for i, v := range vs {
		vm, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for _, key := range []string{"remediations", "threats", "flags"} {
			items, _ := vm[key].([]any)
			for j, it := range items {
				im, ok := it.(map[string]any)
				if !ok {
					continue
				}
				if key == "remediations" {
					if ids := strings_(im["group_ids"]); len(ids) > 0 {
						remGroups[[2]int{i, j}] = ids
					}
				}
				delete(im, "group_ids")
			}
		}
	}
	return groups, remGroups
}

func strings_(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func str[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func parseTime(p *string) time.Time {
	t, _ := time.Parse(time.RFC3339, str(p))
	return t.UTC()
}

// convert reduces a decoded document to an Advisory.
func convert(name string, doc *csaf.Advisory, groups map[string][]string, remGroups map[[2]int][]string) (*Advisory, error) {
	d := doc.Document
	if d == nil || d.Tracking == nil || str(d.Tracking.ID) == "" {
		return nil, ErrNoTrack
	}
	a := &Advisory{
		ID:       strings.TrimSpace(str(d.Tracking.ID)),
		Title:    str(d.Title),
		File:     name,
		Version:  str(d.Tracking.Version),
		Released: parseTime(d.Tracking.InitialReleaseDate),
		Updated:  parseTime(d.Tracking.CurrentReleaseDate),
	}
	for _, r := range d.References {
		if r != nil && str(r.ReferenceCategory) == string(csaf.CSAFReferenceCategorySelf) && a.URL == "" {
			a.URL = str(r.URL)
		}
	}
	var err error
	if a.Products, err = leaves(doc.ProductTree); err != nil {
		return nil, err
	}
	a.vulns, a.Remediations = vulnerabilities(doc.Vulnerabilities, groups, remGroups)
	summarizeScores(a, doc.Vulnerabilities)
	return a, nil
}

// leaves flattens the product tree: branches (vendor → product_name →
// version), top-level full product names and relationships.
func leaves(pt *csaf.ProductTree) ([]Product, error) {
	if pt == nil {
		return nil, nil
	}
	var out []Product
	var walk func(bs csaf.Branches, path []*csaf.Branch) error
	walk = func(bs csaf.Branches, path []*csaf.Branch) error {
		if len(path) > maxBranchDepth {
			return fmt.Errorf("product tree deeper than %d branches", maxBranchDepth)
		}
		for _, b := range bs {
			if b == nil {
				continue
			}
			p := append(path[:len(path):len(path)], b)
			if b.Product != nil {
				if len(out) >= maxLeaves {
					return fmt.Errorf("more than %d products", maxLeaves)
				}
				out = append(out, leafFromPath(p))
			}
			if err := walk(b.Branches, p); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(pt.Branches, nil); err != nil {
		return nil, err
	}
	// A full product name outside the branches names no vendor; in a
	// single-vendor document it is that vendor's.
	soleVendor := ""
	for i, p := range out {
		if i == 0 {
			soleVendor = p.Vendor
		} else if p.Vendor != soleVendor {
			soleVendor = ""
			break
		}
	}
	if pt.FullProductNames != nil {
		for _, f := range *pt.FullProductNames {
			if f != nil && len(out) < maxLeaves {
				full := str(f.Name)
				out = append(out, newProduct(str(f.ProductID), soleVendor, full, "", full))
			}
		}
	}
	if pt.RelationShips != nil {
		byID := map[string]int{}
		for i := range out {
			byID[out[i].ID] = i
		}
		for _, r := range *pt.RelationShips {
			if r == nil || r.FullProductName == nil || len(out) >= maxLeaves {
				continue
			}
			// "X installed on Y": the leaf is X's vendor, name and version.
			full := str(r.FullProductName.Name)
			p := newProduct(str(r.FullProductName.ProductID), soleVendor, full, "", full)
			if i, ok := byID[str(r.ProductReference)]; ok {
				x := out[i]
				p = newProduct(p.ID, x.Vendor, x.Name, x.Version, full)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func leafFromPath(path []*csaf.Branch) Product {
	var vendor, name, ver []string
	for _, b := range path {
		n := strings.TrimSpace(str(b.Name))
		switch str(b.Category) {
		case "vendor":
			vendor = append(vendor, n)
		case "product_family", "product_name":
			name = append(name, n)
		case "product_version", "product_version_range":
			ver = append(ver, n)
		}
	}
	leaf := path[len(path)-1].Product
	return newProduct(str(leaf.ProductID), strings.Join(vendor, " "), strings.Join(name, " "), strings.Join(ver, " "), str(leaf.Name))
}

var exclusion = regexp.MustCompile(`(?i)[,;]?\s*\b(not\s+including|excluding|except(\s+for)?)\b`)

// newProduct builds a leaf and its match data.
func newProduct(id, vendor, name, ver, full string) Product {
	p := Product{ID: id, Vendor: clip(vendor), Name: clip(name), Version: clip(ver), FullName: clip(full)}
	seen := map[string]bool{}
	add := func(hs []vendorHit) {
		for _, h := range hs {
			if !seen[h.vendor] {
				seen[h.vendor] = true
				p.Vendors = append(p.Vendors, h.vendor)
			}
		}
	}
	add(namesIn(p.Vendor, ScopeAdvisory))
	if len(p.Vendors) == 0 && p.Vendor != "" {
		if k := fallbackVendor(p.Vendor); k != "" {
			seen[k] = true
			p.Vendors = append(p.Vendors, k)
		}
	}
	nameText := p.Name
	if nameText == "" {
		nameText = p.FullName
	}
	add(namesIn(nameText, ScopeAdvisory))
	main := nameText
	if loc := exclusion.FindStringIndex(nameText); loc != nil {
		main = nameText[:loc[0]]
		p.excl = tokenize(nameText[loc[1]:])
	}
	p.tok = tokenizeName(main)
	if vw := nameWords(p.Vendor); len(vw) > 0 {
		// A vendor the alias table does not know still is no product word
		// ("Example Medical VitalLink Central Station").
		p.tok.words = without(p.tok.words, vw)
		p.tok.opt = without(p.tok.opt, vw)
	}
	p.rng = parseRange(p.Version)
	if p.Version == "" {
		p.rng = versionRange{all: true, ok: true} // a product without a version: all of it
	}
	p.Readable = p.rng.ok
	if len(p.rng.models) > 0 {
		p.tok.nums = sortUnique(append(p.tok.nums, p.rng.models...))
	}
	if !p.rng.ok && p.Version != "" {
		// An unreadable version text often names models or the product
		// itself ("MMT-1715 | MMT-1754", "Accu-Chek Inform II").
		extra := tokenize(p.Version)
		p.tok.nums = sortUnique(append(p.tok.nums, extra.nums...))
		p.tok.ranges = append(p.tok.ranges, extra.ranges...)
		p.altTok = tokens{words: extra.words}
	}
	if !p.altTok.empty() {
		p.altTok.nums, p.altTok.ranges = p.tok.nums, p.tok.ranges // the same product, another name
	}
	p.osWord = osPhrase(main)
	return p
}

// tokenizeName tokenises a product name. Words in parentheses are
// optional ("Point-of-Care Unit (PCU)", "Connex Spot Monitor (CSM)",
// "SupplyStation (including RF, EC, CP)"); model numbers in them count
// ("FT10 Energy Platform (VLFT10GEN)").
func tokenizeName(name string) tokens {
	outside, inside := splitParens(name)
	if strings.TrimSpace(outside) == "" {
		return tokenize(inside)
	}
	t := tokenize(outside)
	if strings.TrimSpace(inside) != "" {
		in := tokenize(inside)
		t.nums = sortUnique(append(t.nums, in.nums...))
		t.ranges = append(t.ranges, in.ranges...)
		for _, w := range in.words {
			if !containsSorted(t.words, w) {
				t.opt = append(t.opt, w)
			}
		}
		t.opt = sortUnique(t.opt)
	}
	return t
}

func without(s, drop []string) []string {
	out := s[:0]
	for _, w := range s {
		keep := true
		for _, d := range drop {
			if w == d {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, w)
		}
	}
	return out
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxNameLen {
		s = s[:maxNameLen]
	}
	return strings.ToValidUTF8(s, "")
}

// osPhrase returns a product name's tokens when the name is an operating
// system ("Windows XP", "Windows Server 2008 R2"), else nil.
func osPhrase(name string) []string {
	var ws []string
	for _, t := range lex(name) {
		if t.rng == nil && !vendorWords[t.text] {
			ws = append(ws, t.text)
		}
	}
	if len(ws) >= 2 && osFamilies[ws[0]] {
		return ws
	}
	return nil
}

var osFamilies = setOf("windows", "linux", "vxworks", "android", "macos", "ios", "qnx")

// vulnerabilities reads CVEs, scores, affected products and remediations.
func vulnerabilities(vs csaf.Vulnerabilities, groups map[string][]string, remGroups map[[2]int][]string) ([]vuln, []Remediation) {
	var out []vuln
	var rems []Remediation
	remIdx := map[string]int{}
	for i, v := range vs {
		if v == nil {
			continue
		}
		x := vuln{cve: str(v.CVE), affected: map[string]bool{}, notAff: map[string]bool{}, scored: map[string]float64{}}
		if st := v.ProductStatus; st != nil {
			for _, l := range []*csaf.Products{st.KnownAffected, st.FirstAffected, st.LastAffected} {
				for _, id := range products(l) {
					x.affected[id] = true
				}
			}
			for _, l := range []*csaf.Products{st.Fixed, st.FirstFixed, st.KnownNotAffected, st.Recommended} {
				for _, id := range products(l) {
					x.notAff[id] = true
				}
			}
		}
		for _, s := range v.Scores {
			if s == nil || s.CVSS3 == nil || s.CVSS3.BaseScore == nil {
				continue
			}
			score := *s.CVSS3.BaseScore
			x.cvss = max(x.cvss, score)
			for _, id := range products(s.Products) {
				x.scored[id] = max(x.scored[id], score)
			}
		}
		out = append(out, x)
		for j, r := range v.Remediations {
			if r == nil {
				continue
			}
			ids := products(r.ProductIds)
			for _, g := range remGroups[[2]int{i, j}] {
				ids = append(ids, groups[g]...)
			}
			ids = sortUnique(ids)
			rem := Remediation{Category: str(r.Category), Details: strings.TrimSpace(str(r.Details)), URL: str(r.URL)}
			key := rem.Category + "\x00" + rem.Details + "\x00" + rem.URL
			if k, ok := remIdx[key]; ok {
				if len(rems[k].ProductIDs) > 0 && len(ids) > 0 {
					rems[k].ProductIDs = sortUnique(append(rems[k].ProductIDs, ids...))
				} else {
					rems[k].ProductIDs = nil // one occurrence applies to the whole document
				}
				continue
			}
			rem.ProductIDs = ids
			rem.Mentions = findMentions(rem.Details)
			remIdx[key] = len(rems)
			rems = append(rems, rem)
		}
	}
	return out, rems
}

func products(p *csaf.Products) []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(*p))
	for _, id := range *p {
		if id != nil {
			out = append(out, string(*id))
		}
	}
	return out
}

// summarizeScores sets the document's CVEs and highest score, and each
// product's CVEs, score and affected flag (see Product.Affected).
func summarizeScores(a *Advisory, vs csaf.Vulnerabilities) {
	sev := Severity("")
	for _, v := range vs {
		if v == nil {
			continue
		}
		for _, s := range v.Scores {
			if s == nil || s.CVSS3 == nil || s.CVSS3.BaseScore == nil {
				continue
			}
			if score := *s.CVSS3.BaseScore; score > a.CVSS || sev == "" {
				a.CVSS = max(a.CVSS, score)
				sev = Severity(strings.ToLower(str(s.CVSS3.BaseSeverity)))
			}
		}
	}
	switch sev {
	case SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
	default:
		sev = severityOf(a.CVSS) // the document's own severity, else the CVSS v3 table
	}
	a.Severity = sev
	var cves []string
	for _, v := range a.vulns {
		if v.cve != "" {
			cves = append(cves, v.cve)
		}
	}
	a.CVEs = sortUnique(cves)
	for i := range a.Products {
		p := &a.Products[i]
		named := false
		var pc []string
		for _, v := range a.vulns {
			named = named || v.affected[p.ID] || v.notAff[p.ID]
			_, scored := v.scored[p.ID]
			if !v.affected[p.ID] && (v.notAff[p.ID] || !scored) {
				continue
			}
			p.Affected = true
			if v.cve != "" {
				pc = append(pc, v.cve)
			}
			if sc, ok := v.scored[p.ID]; ok {
				p.CVSS = max(p.CVSS, sc)
			} else {
				p.CVSS = max(p.CVSS, v.cvss)
			}
		}
		if !named {
			p.Affected = true
		}
		p.CVEs = sortUnique(pc)
	}
}
