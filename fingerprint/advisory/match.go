package advisory

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// level is how well a device field names a product.
type level uint8

const (
	levelNone    level = iota
	levelPartial       // family words, or a model number without the words: "possibly"
	levelStrong        // model number and words agree, or the whole product name is there
)

// field is one device string, tokenised for comparison with product names.
type field struct {
	f     Field
	value string
	tok   tokens
	// nums: the field's model numbers count (not for host names: a
	// site's "ALARIS-PC-0042" numbers the pump, it is not a model).
	nums bool
	// top is the best level the field can give.
	top level
}

type vendorEvidence struct {
	f     Field
	value string
	alias string
	kind  AliasKind
}

type firmware struct {
	v      version
	text   string
	f      Field
	vendor string // "" applies to every product
}

// device is an asset prepared for matching.
type device struct {
	hasModel bool
	model    string
	vendors  map[string]vendorEvidence
	order    []string // vendors in the order they were found (most trusted field first)
	fields   []field
	os       []string
	osText   string
	fw       []firmware
}

// Match returns the advisories that name the device a (with what the
// clinical protocols told about it in id), best first: "affected" before
// "possibly affected", then by CVSS (highest first), then by id. Each match
// lists the product leaves it matched with their evidence.
func (s *Set) Match(a model.Asset, id Identity) []Match {
	if s == nil || len(s.advisories) == 0 {
		return nil
	}
	d := newDevice(a, id)
	if len(d.order) == 0 {
		return nil
	}
	var cand []ref
	for _, v := range d.order {
		cand = append(cand, s.byVendor[v]...)
	}
	if len(cand) == 0 {
		return nil
	}
	d.tokenizeFields(a, id)
	sort.Slice(cand, func(i, j int) bool {
		if cand[i].adv != cand[j].adv {
			return cand[i].adv < cand[j].adv
		}
		return cand[i].prod < cand[j].prod
	})
	cand = slices.Compact(cand) // a product of two of the device's vendors
	var out []Match
	for i := 0; i < len(cand); {
		j := i
		adv := s.advisories[cand[i].adv]
		var pms []ProductMatch
		var prods []*Product
		for ; j < len(cand) && cand[j].adv == cand[i].adv; j++ {
			p := &adv.Products[cand[j].prod]
			if pm, ok := d.matchProduct(p); ok {
				pms = append(pms, pm)
				prods = append(prods, p)
			}
		}
		if len(pms) > 0 {
			out = append(out, newMatch(adv, pms, prods))
		}
		i = j
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Verdict != b.Verdict {
			return a.Verdict == Affected
		}
		if a.CVSS != b.CVSS {
			return a.CVSS > b.CVSS
		}
		return a.ID < b.ID
	})
	return out
}

func newMatch(a *Advisory, pms []ProductMatch, prods []*Product) Match {
	m := Match{Advisory: a, ID: a.ID, Title: a.Title, Verdict: PossiblyAffected, Products: pms}
	ids := map[string]bool{}
	var cves []string
	for i, pm := range pms {
		if pm.Verdict == Affected {
			m.Verdict = Affected
		}
		ids[pm.ProductID] = true
		cves = append(cves, prods[i].CVEs...)
		m.CVSS = max(m.CVSS, prods[i].CVSS)
	}
	m.CVEs = sortUnique(cves)
	if len(m.CVEs) == 0 {
		m.CVEs = a.CVEs
	}
	if m.CVSS == 0 {
		m.CVSS = a.CVSS
	}
	m.Severity = severityOf(m.CVSS)
	if m.CVSS == a.CVSS {
		m.Severity = a.Severity
	}
	for _, r := range a.Remediations {
		applies := len(r.ProductIDs) == 0
		for _, id := range r.ProductIDs {
			if ids[id] {
				applies = true
				break
			}
		}
		if applies {
			m.Remediations = append(m.Remediations, r)
		}
	}
	sort.SliceStable(m.Products, func(i, j int) bool {
		return m.Products[i].Verdict == Affected && m.Products[j].Verdict != Affected
	})
	return m
}

// maxFieldLen bounds device strings (DHCP option 60 is at most 255 bytes;
// anything longer is not a name).
const maxFieldLen = 256

func bounded(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxFieldLen {
		s = s[:maxFieldLen]
	}
	return s
}

// newDevice finds the device's canonical vendors, most trusted field first.
func newDevice(a model.Asset, id Identity) *device {
	d := &device{vendors: map[string]vendorEvidence{}, model: bounded(a.Model)}
	d.hasModel = d.model != "" && !strings.EqualFold(d.model, "unknown")
	add := func(f Field, value string, hs []vendorHit) {
		for _, h := range hs {
			if _, ok := d.vendors[h.vendor]; !ok {
				d.vendors[h.vendor] = vendorEvidence{f: f, value: value, alias: h.alias, kind: h.kind}
				d.order = append(d.order, h.vendor)
			}
		}
	}
	company := func(f Field, value string) {
		if value = bounded(value); value == "" {
			return
		}
		ws := nameWords(value)
		hs := phrasesIn(ws, index.names, ScopeDevice, AliasName)
		if len(hs) == 0 && len(ws) > 0 {
			hs = []vendorHit{{vendor: strings.Join(ws, " "), alias: value, kind: AliasName}} // fallbackVendor
		}
		add(f, value, hs)
	}
	named := func(f Field, value string, names bool) {
		if value = bounded(value); value == "" {
			return
		}
		ws := nameWords(value)
		if names {
			add(f, value, phrasesIn(ws, index.names, ScopeDevice, AliasName))
		}
		add(f, value, phrasesIn(ws, index.brands, "", AliasBrand))
	}
	company(FieldManufacturer, a.Manufacturer)
	company(FieldOUIVendor, a.Vendor)
	named(FieldDHCPVendorClass, a.DHCPVendorClass, true)
	named(FieldModel, a.Model, true)
	if h, ok := dicomRootOf(bounded(id.DICOMImplClassUID)); ok {
		add(FieldDICOMImplClassUID, bounded(id.DICOMImplClassUID), []vendorHit{h})
	}
	if vn := bounded(id.DICOMImplVersion); vn != "" {
		if h, ok := dicomVersionOf(vn); ok {
			add(FieldDICOMImplVersion, vn, []vendorHit{h})
		}
		add(FieldDICOMImplVersion, vn, brandsIn(vn))
	}
	for _, e := range boundedList(id.HL7EquipmentIDs) {
		named(FieldHL7Equipment, equipmentText(e), true)
	}
	for _, app := range boundedList(id.HL7Applications) {
		named(FieldHL7Application, app, false)
	}
	named(FieldHostname, a.Hostname, false)
	return d
}

// maxListLen bounds the HL7 identifiers considered per device.
const maxListLen = 16

func boundedList(l []string) []string {
	if len(l) > maxListLen {
		l = l[:maxListLen]
	}
	return l
}

// equipmentText keeps the components of an HL7 equipment id (EI: entity
// id ^ namespace ^ universal id ^ universal id type) that can name a
// product: not the first (the instance, e.g. "PUMP-0042"), not hardware
// addresses or UIDs, not the id type.
func equipmentText(e string) string {
	comps := strings.Split(bounded(e), "^")
	var keep []string
	for i, c := range comps {
		c = strings.TrimSpace(c)
		if i == 0 && len(comps) > 1 || c == "" || idTypes[strings.ToUpper(c)] || looksLikeAddress(c) {
			continue
		}
		keep = append(keep, c)
	}
	return strings.Join(keep, " ")
}

var idTypes = map[string]bool{"EUI-64": true, "EUI64": true, "ISO": true, "DNS": true, "GUID": true, "UUID": true,
	"URI": true, "L": true, "M": true, "N": true, "HL7": true, "X500": true, "IP": true}

// looksLikeAddress: 12+ hex digits (a MAC or EUI-64, maybe with
// separators) or a dotted UID.
func looksLikeAddress(s string) bool {
	hex := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			hex++
		case c == ':' || c == '-' || c == '.':
		default:
			return false
		}
	}
	return hex >= 12 || strings.Count(s, ".") >= 3
}

// tokenizeFields prepares the fields that can name a product, most
// trusted first, and the device's version.
func (d *device) tokenizeFields(a model.Asset, id Identity) {
	addField := func(f Field, value string, nums bool, top level) {
		if value = bounded(value); value == "" {
			return
		}
		if t := tokenize(value); !t.empty() {
			d.fields = append(d.fields, field{f: f, value: value, tok: t, nums: nums, top: top})
		}
	}
	if d.hasModel {
		addField(FieldModel, d.model, true, levelStrong)
	}
	addField(FieldDHCPVendorClass, a.DHCPVendorClass, true, levelStrong)
	for _, e := range boundedList(id.HL7EquipmentIDs) {
		addField(FieldHL7Equipment, equipmentText(e), true, levelStrong)
	}
	addField(FieldDICOMImplVersion, id.DICOMImplVersion, false, levelStrong)
	for _, app := range boundedList(id.HL7Applications) {
		addField(FieldHL7Application, app, false, levelPartial)
	}
	addField(FieldHostname, a.Hostname, false, levelPartial)
	if osText := bounded(a.OS); osText != "" {
		d.osText = osText
		for _, t := range lex(osText) {
			if t.rng == nil {
				d.os = append(d.os, t.text)
			}
		}
	}
	if fw := bounded(id.Firmware); fw != "" {
		if v, ok := parseVersion(fw); ok {
			d.fw = append(d.fw, firmware{v: v, text: fw, f: FieldFirmware})
		} else {
			d.fw = append(d.fw, firmware{text: fw, f: FieldFirmware}) // known but unreadable
		}
	}
	if v, text, ok := toolkitVersion(bounded(id.DICOMImplVersion)); ok {
		d.fw = append(d.fw, firmware{v: v, text: text, f: FieldDICOMImplVersion, vendor: "OFFIS"})
	}
}

// toolkitVersion reads DCMTK's version from its implementation version name
// ("OFFIS_DCMTK_366" → 3.6.6, "OFFIS_DCMTK_3610" → 3.6.10).
func toolkitVersion(vn string) (version, string, bool) {
	h, ok := dicomVersionOf(vn)
	if !ok || h.vendor != "OFFIS" {
		return version{}, "", false
	}
	digits := vn[len(h.alias):]
	if !isDigits(digits) || len(digits) < 3 || len(digits) > 5 {
		return version{}, "", false
	}
	text := digits[:1] + "." + digits[1:2] + "." + digits[2:]
	v, ok := parseVersion(text)
	return v, text, ok
}

// firmwareFor returns the device version that applies to a product of
// the given vendors: one tied to a vendor (a toolkit's) first, else the
// device's own.
func (d *device) firmwareFor(vendors []string) *firmware {
	var general *firmware
	for i := range d.fw {
		fw := &d.fw[i]
		if fw.vendor == "" {
			if general == nil {
				general = fw
			}
			continue
		}
		for _, v := range vendors {
			if v == fw.vendor {
				return fw
			}
		}
	}
	return general
}

// nameMatch is how one device field names one product.
type nameMatch struct {
	lvl      level
	conflict bool
	numAgree bool // a model number of the field is the product's
	kind     matchKind
	fld      *field
	p        *tokens
	agree    string // the agreeing model number
	agreeRng int    // index of the range it falls in, or -1
}

type matchKind uint8

const (
	kindNone        matchKind = iota
	kindConflict              // model numbers differ
	kindNumberWords           // a model number and (if the product has any) a word
	kindNumberOnly            // the field is a bare model number
	kindFamily                // family words; the product's model number not confirmed
	kindAllWords              // every word of the product name
	kindSomeWords             // most words of the product name
)

// compare compares a product's name tokens (p) and model numbers with one
// device field. It allocates nothing; detail describes the result.
func compare(p *tokens, f *field) nameMatch {
	m := nameMatch{fld: f, p: p, agreeRng: -1}
	var dn []string
	if f.nums {
		dn = f.tok.nums
	}
	for _, n := range dn {
		if containsSorted(p.nums, n) {
			m.agree = n
			break
		}
		for i, r := range p.ranges {
			if r.contains(n) {
				m.agree, m.agreeRng = n, i
				break
			}
		}
		if m.agree != "" {
			break
		}
	}
	m.numAgree = m.agree != ""
	hasPN := len(p.nums)+len(p.ranges) > 0
	if hasPN && len(dn) > 0 && !m.numAgree {
		m.conflict, m.kind = true, kindConflict
		return m
	}
	wp := p.words
	common := countCommon(wp, f.tok.words)
	all := common == len(wp)
	common += countCommon(p.opt, f.tok.words) // optional words count, never required
	need := max(min(len(wp), 2), (len(wp)+1)/2)
	switch {
	case m.numAgree && (len(wp) == 0 || common > 0):
		m.lvl, m.kind = levelStrong, kindNumberWords
	case m.numAgree:
		if len(f.tok.words) == 0 { // the field is a bare model number ("8015")
			m.lvl, m.kind = levelPartial, kindNumberOnly
		}
	case len(wp) == 0:
	case hasPN:
		// The advisory names a model number the field lacks: family words
		// are enough for "possibly" unless the field has words of its own
		// ("FCR PRIMA" is not "FCR XC-2").
		if common >= need && !hasExtraWords(f.tok.words, p) {
			m.lvl, m.kind = levelPartial, kindFamily
		}
	case all:
		m.lvl, m.kind = levelStrong, kindAllWords
	case common >= need:
		m.lvl, m.kind = levelPartial, kindSomeWords
	}
	if m.lvl > f.top {
		m.lvl = f.top
	}
	return m
}

// detail says in words how the field matched.
func (m nameMatch) detail() string {
	words := strings.Join(append(intersect(m.p.words, m.fld.tok.words), intersect(m.p.opt, m.fld.tok.words)...), " ")
	agree := m.agree
	if m.agreeRng >= 0 {
		agree += " (in " + m.p.ranges[m.agreeRng].String() + ")"
	}
	switch m.kind {
	case kindConflict:
		return fmt.Sprintf("model numbers differ (device %s, advisory %s)", strings.Join(m.fld.tok.nums, " "), numbersOf(m.p))
	case kindNumberWords:
		if words == "" {
			return "model number " + agree
		}
		return "model number " + agree + " and words " + words
	case kindNumberOnly:
		return "model number " + agree + " only"
	case kindFamily:
		return "words " + words + "; the advisory's model number (" + numbersOf(m.p) + ") not confirmed"
	case kindAllWords:
		return "every word of the product name (" + words + ")"
	case kindSomeWords:
		return "words " + words + " of " + strings.Join(m.p.words, " ")
	}
	return ""
}

// hasExtraWords: the field has words the product name does not.
func hasExtraWords(ws []string, p *tokens) bool {
	for _, w := range ws {
		if !containsSorted(p.words, w) && !containsSorted(p.opt, w) {
			return true
		}
	}
	return false
}

func numbersOf(p *tokens) string {
	s := append([]string(nil), p.nums...)
	for _, r := range p.ranges {
		s = append(s, r.String())
	}
	return strings.Join(s, " ")
}

// matchProduct decides one product leaf for the device.
func (d *device) matchProduct(p *Product) (ProductMatch, bool) {
	vkey := ""
	for _, v := range d.order {
		for _, pv := range p.Vendors {
			if v == pv {
				vkey = v
				break
			}
		}
		if vkey != "" {
			break
		}
	}
	if vkey == "" {
		return ProductMatch{}, false
	}
	vev := d.vendors[vkey]
	best := nameMatch{}
	agreed, conflicted := false, false
	for i := range d.fields {
		f := &d.fields[i]
		if !p.excl.empty() {
			if x := compare(&p.excl, f); x.lvl == levelStrong && !x.conflict {
				return ProductMatch{}, false // "LOGIQ, not including LOGIQ 100 Pro"
			}
		}
		m := compare(&p.tok, f)
		if m.conflict {
			if f.f == FieldModel {
				return ProductMatch{}, false // the device's model is another model
			}
			conflicted = true
			continue
		}
		agreed = agreed || m.numAgree
		if !p.altTok.empty() {
			alt := compare(&p.altTok, f)
			if alt.lvl > m.lvl {
				m = alt
			}
		}
		if m.lvl > best.lvl {
			best = m
		}
	}
	if conflicted && !agreed {
		// A field that carries model numbers (DHCP vendor class, HL7
		// equipment id) names another model, and none names this one.
		return ProductMatch{}, false
	}
	osMatch := false
	if best.lvl == levelNone && p.osWord != nil && findPhrase(d.os, p.osWord, false) {
		osMatch = true
	}
	if best.lvl == levelNone && !osMatch {
		return ProductMatch{}, false
	}
	pm := ProductMatch{ProductID: p.ID, Vendor: p.Vendor, Product: p.Name, Version: p.Version}
	pm.Evidence = append(pm.Evidence, Evidence{Field: vev.f, Value: vev.value, Advisory: "vendor: " + p.Vendor,
		Rule: fmt.Sprintf("%s alias %q → %s", vev.kind, vev.alias, vkey)})
	var reasons []string
	strong := false
	if osMatch {
		pm.Evidence = append(pm.Evidence, Evidence{Field: FieldOS, Value: d.osText, Advisory: "product: " + p.Name, Rule: "operating system named by the advisory"})
		reasons = append(reasons, "matched on the operating system only")
	} else {
		pm.Evidence = append(pm.Evidence, Evidence{Field: best.fld.f, Value: best.fld.value, Advisory: "product: " + p.Name + versionSuffix(p), Rule: best.detail()})
		strong = best.lvl == levelStrong && best.fld.f == FieldModel
		switch {
		case !d.hasModel:
			reasons = append(reasons, "the device has no model")
		case best.fld.f != FieldModel:
			reasons = append(reasons, fmt.Sprintf("named by the %s, not by the device's model %q", fieldName(best.fld.f), d.model))
		case best.lvl != levelStrong:
			reasons = append(reasons, "the model matches only partly: "+best.detail())
		}
	}
	ev, why, keep := d.versionCheck(p)
	if !keep {
		return ProductMatch{}, false
	}
	pm.Evidence = append(pm.Evidence, ev...)
	reasons = append(reasons, why...)
	pm.Verdict = PossiblyAffected
	if strong && len(reasons) == 0 {
		pm.Verdict = Affected
	} else {
		pm.Reasons = reasons
	}
	return pm, true
}

func versionSuffix(p *Product) string {
	if p.Version == "" {
		return ""
	}
	return " (" + p.Version + ")"
}

func fieldName(f Field) string {
	switch f {
	case FieldDHCPVendorClass:
		return "DHCP vendor class"
	case FieldHostname:
		return "host name"
	case FieldHL7Application:
		return "HL7 application"
	case FieldHL7Equipment:
		return "HL7 equipment id"
	case FieldDICOMImplVersion:
		return "DICOM implementation version name"
	}
	return string(f)
}

// versionCheck compares the device's version with the product's range.
// keep is false when both parse and the device is outside the range.
func (d *device) versionCheck(p *Product) (ev []Evidence, reasons []string, keep bool) {
	fw := d.firmwareFor(p.Vendors)
	r := p.rng
	switch {
	case r.all && !r.qualified:
		value := "unknown"
		f := FieldFirmware
		if fw != nil {
			value, f = fw.text, fw.f
		}
		return []Evidence{{Field: f, Value: value, Advisory: "version: " + versionText(p), Rule: "all versions affected"}}, nil, true
	case r.all:
		return nil, []string{fmt.Sprintf("the advisory qualifies its versions: %q", p.Version)}, true
	case !r.ok:
		return nil, []string{fmt.Sprintf("the advisory's version text is not machine-readable: %q", p.Version)}, true
	case fw == nil:
		return nil, []string{fmt.Sprintf("the device's version is unknown; the advisory names %q", p.Version)}, true
	case len(fw.v.segs) == 0:
		return nil, []string{fmt.Sprintf("the device's version %q is not machine-readable", fw.text)}, true
	}
	in, ok := r.contains(fw.v)
	switch {
	case !ok:
		return nil, []string{fmt.Sprintf("the device's version %q does not compare with %q", fw.text, p.Version)}, true
	case !in:
		return nil, nil, false
	}
	ev = []Evidence{{Field: fw.f, Value: fw.text, Advisory: "version: " + p.Version, Rule: "version inside the range"}}
	if r.qualified {
		reasons = []string{fmt.Sprintf("the advisory qualifies its versions: %q", p.Version)}
	}
	return ev, reasons, true
}

func versionText(p *Product) string {
	if p.Version == "" {
		return "(none given: all versions)"
	}
	return p.Version
}
