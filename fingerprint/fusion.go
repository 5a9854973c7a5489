package fingerprint

import (
	"math"
	"slices"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Evidence is one fact that made one rule match.
type Evidence struct {
	Source   model.EvidenceSource // what kind of fact: model.EvidenceOUI, model.EvidenceDHCPParams, ...
	Value    string               // the fact's value: the vendor, the option 55 list, the SOP class UID, ...
	Rule     string               // the rule that used it
	Strength int                  // the source's strength (Strength* constants)
	// Sets says which fields of the Result the rule decided (FieldClass,
	// FieldModel, ...), or FieldContradicts when the rule's class is not
	// the Result's; 0 when the rule matched and decided nothing (it agreed,
	// or was outranked).
	Sets Fields
}

// Fields is a set of Result fields, the Sets of an Evidence.
type Fields uint8

// Result fields, and FieldContradicts for evidence against the class.
const (
	FieldClass Fields = 1 << iota
	FieldModality
	FieldManufacturer
	FieldModel
	FieldVersion
	FieldOS
	FieldContradicts
)

var fieldNames = [...]string{"class", "modality", "manufacturer", "model", "version", "os", "contradicts"}

// String lists the fields, comma-separated ("class,manufacturer"), "" for
// none.
func (fs Fields) String() string {
	var b strings.Builder
	for i, n := range fieldNames {
		if fs&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// ParseFields is the inverse of Fields.String; unknown names are ignored.
func ParseFields(s string) Fields {
	var fs Fields
	for _, p := range strings.Split(s, ",") {
		for i, n := range fieldNames {
			if p == n {
				fs |= 1 << i
			}
		}
	}
	return fs
}

// Result is a device classification: the device class with a confidence,
// and manufacturer, model, version and OS, each set by the evidence whose
// Sets names it.
type Result struct {
	Class        model.Class // one of model.Classes; model.ClassUnknown when no class could be decided
	Modality     string      // one of Modalities, for an imaging-modality whose modality is known
	Manufacturer string
	Model        string
	Version      string // firmware or software version, as the device reports it
	OS           string
	Confidence   int // 0..100: the fused confidence in Class (see Classify); 0 for unknown
	Strength     int // the ranking strength of Class (Strength* constants); 0 for unknown
	// Evidence lists what every matching rule used, the deciding rule's
	// first, then in the order rules rank (strength, confidence, order).
	Evidence []Evidence
	// Conflicts are the rules whose class contradicts Class, strongest
	// first; they lowered Confidence.
	Conflicts []Conflict
}

// Conflict is a matching rule whose class is not the Result's.
type Conflict struct {
	Class      model.Class // "" for a rule that said only that the device is clinical
	Rule       string
	Confidence int
	Strength   int
}

// Better reports whether the store should replace an asset's current
// classification with candidate: candidate's evidence is strictly stronger,
// or as strong with strictly higher confidence.
//
// The store keeps each asset's Class, Confidence and Strength (and the
// fields that come with them), calls Classify whenever the asset's facts
// change, and changes the class, recording a class-changed event, only when
// Better is true. Stronger evidence therefore always wins, equal evidence
// only with more confidence, and weaker evidence never overwrites stronger:
// a CT scanner identified by its DICOM storage proposals stays a CT scanner
// when it later renews a DHCP lease with a Windows fingerprint, and an asset
// does not flap between two equally strong, equally confident readings.
func Better(current, candidate Result) bool {
	return candidate.Strength > current.Strength ||
		candidate.Strength == current.Strength && candidate.Confidence > current.Confidence
}

// Fusion parameters (see Classify).
const (
	// WeakCap is the highest confidence of a class whose own evidence is
	// all weak (corroborated names and vendors, or weak evidence that a
	// stronger clinical context lets pick the class).
	WeakCap = 60
	// ImpliedCap is the highest confidence of a class whose votes are all
	// implied (an operating system says "usually a workstation"): a Windows
	// server sends the Windows client's DHCP fingerprint.
	ImpliedCap = 75
	// ContradictionWeight scales how much one contradicting vote lowers a
	// class's confidence: by ContradictionWeight x its confidence x its
	// strength relative to the class's (at most 1).
	ContradictionWeight = 0.5
)

// hit is one matching rule during Classify.
type hit struct {
	name     string // the rule's
	out      output
	strength int // its evidence's strength
	group    group
	order    int
	ev0, ev1 int // its evidence: ev[ev0:ev1]
}

// rank is the strength the hit's class ranks with: an implied class ranks
// as StrengthOSImplied.
func (h *hit) rank() int {
	if h.out.implied {
		return min(h.strength, StrengthOSImplied)
	}
	return h.strength
}

// orthogonal reports whether the hit's class describes another aspect of
// the device than its kind, so that it never contradicts another class: a
// class an operating system implies, or a hypervisor's virtual NIC.
func (h *hit) orthogonal() bool {
	return h.out.implied || h.out.class == model.ClassVirtualMachine
}

// outranks reports whether h ranks before o: stronger, then more confident,
// then earlier.
func (h *hit) outranks(o *hit) bool {
	if h.strength != o.strength {
		return h.strength > o.strength
	}
	if h.out.confidence != o.out.confidence {
		return h.out.confidence > o.out.confidence
	}
	return h.order < o.order
}

// candidate is one class some group voted for. Votes and hits are named
// by their index in the sorted hits (no pointers, so that the hits can stay
// on Classify's stack).
type candidate struct {
	class    model.Class
	best     int // its best vote, -1 for none
	rank     int
	conf     int
	eligible bool
	own      [numGroups]bool // the groups that voted for it
}

// Classify evaluates every rule against f and returns the classification.
// It is a pure, deterministic function of f and the rule set.
//
// Evidence fusion. Every matching rule that sets a class is a vote. Facts
// from one independence group (the DHCP client's options 55 and 60; the
// names a device was given; ...) corroborate each other little, so each
// group votes once, with its best-ranked rule. For each class voted for:
//
//   - It is eligible when some vote for it rests on evidence stronger than
//     a name (IsWeak; a documented default name, StrengthDefaultName, is
//     stronger, and its rules set no clinical class, so it can set a
//     non-clinical class alone); or, for a non-clinical class, when two
//     groups of weak evidence agree on it; or, for a clinical class, when a non-weak rule
//     says the device is clinical (clinical: true, e.g. it speaks DICOM) and
//     weak evidence says which class. Weak evidence alone (a MAC vendor, a
//     host name) never sets a class, and never a clinical one.
//   - Its confidence fuses its votes: 1 - prod(1 - c_i) over the groups
//     voting for it (plus the clinical context for a clinical class), at
//     most WeakCap when all its votes are weak, ImpliedCap when all are
//     implied. Each vote for another class
//     then lowers it by ContradictionWeight x c_j x min(1, s_j / s), s_j the
//     contradicting vote's rank and s the class's; a clinical context lowers
//     a non-clinical class the same way. Classes an operating system implies
//     (implied: true) and virtual-machine never contradict: a CT scanner may
//     run Windows, and any class may run in a virtual machine; an implied
//     class also never contradicts a clinical one.
//   - It ranks by the strongest of its votes, an implied class as
//     StrengthOSImplied (so a device whose Windows DHCP client says
//     "workstation" is a modality when its name and a clinical context say
//     so).
//
// The class is the eligible class with the highest rank, then confidence,
// then the earlier rule; none eligible leaves model.ClassUnknown with
// Confidence and Strength 0. A locally administered MAC is a flag
// (builtin/randomized-mac), never a class.
//
// Manufacturer, Model and Version come from the best-ranked rule that sets
// them and agrees with the class (sets the same class, or none), the
// manufacturer also from the MAC vendor's rule whatever its class (it made
// the network interface); a model from HL7 equipment identifiers describes
// the equipment, not a gateway, engine or central station that reports it.
// A toolkit rule's model and version (toolkit: true: DCMTK, dcm4che, ...;
// builtin/dicom-version too when a toolkit rule read its version name) are
// used only when no other rule gives a model: a toolkit names the software
// a device is built on, not the device.
// OS comes from the best-ranked rule that sets it, whatever its class (a
// PACS can run Windows); a TCP stack's OS (the kernel) yields to any other
// rule's system on that kernel (systemOS). Modality comes from the deciding vote, or else
// from the best rule that says imaging-modality and sets one.
func (e *Engine) Classify(f *Facts) Result {
	var hbuf [48]hit
	var ebuf [96]Evidence
	hits, ev := hbuf[:0], ebuf[:0]
	for i, r := range e.rules {
		start := len(ev)
		var ok bool
		var pct int
		if ev, ok, pct = r.eval(f, ev); !ok {
			continue
		}
		out := r.out
		if pct < 100 {
			out.confidence = max(1, out.confidence*pct/100)
		}
		if r.tmpl.any() {
			r.expand(&out, ev[start:])
		}
		hits = append(hits, hit{name: r.name, out: out, strength: r.strength, group: r.group, order: i, ev0: start, ev1: len(ev)})
	}
	for j := range e.builtins {
		b := &e.builtins[j]
		start := len(ev)
		out := b.out
		var ok bool
		if ev, ok = b.eval(f, ev, &out); ok {
			h := hit{name: b.name, out: out, order: len(e.rules) + j, ev0: start, ev1: len(ev)}
			for _, x := range ev[start:] {
				if x.Strength > h.strength {
					h.strength, h.group = x.Strength, groupOf(x.Source)
				}
			}
			hits = append(hits, h)
		}
	}
	toolkitVersion(hits, ev)
	// Insertion sort: a handful of hits, and stable and allocation-free.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].outranks(&hits[j-1]); j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	res := Result{Class: model.ClassUnknown}
	win := decide(hits, &res)
	fill(hits, win, &res)
	if len(ev) > 0 {
		res.Evidence = make([]Evidence, 0, len(ev))
		if win >= 0 {
			res.Evidence = append(res.Evidence, ev[hits[win].ev0:hits[win].ev1]...)
		}
		for i := range hits {
			if h := &hits[i]; i != win {
				res.Evidence = append(res.Evidence, ev[h.ev0:h.ev1]...)
			}
		}
		markEvidence(hits, win, &res)
	}
	return res
}

// voteList holds at most one vote per group, in group order: indices
// into the hits.
type voteList struct {
	v [numGroups]int
	n int
}

func (l *voteList) all() []int { return l.v[:l.n] }

// votes returns each group's vote: of its hits that set a class, the one
// with the highest rank (an observed class before one an OS implies), then
// the first in hit order (stronger, more confident, earlier), in group
// order.
func votes(hits []hit) voteList {
	var best [numGroups]int
	for i := range best {
		best[i] = -1
	}
	for i := range hits {
		h := &hits[i]
		if h.out.class == "" {
			continue
		}
		if b := best[h.group]; b < 0 || h.rank() > hits[b].rank() {
			best[h.group] = i
		}
	}
	var l voteList
	for _, b := range best {
		if b >= 0 {
			l.v[l.n] = b
			l.n++
		}
	}
	return l
}

// clinicalContext returns the index of the best non-weak hit that says the
// device is clinical without a class, or -1.
func clinicalContext(hits []hit) int {
	for i := range hits {
		if h := &hits[i]; h.out.clinical && h.out.class == "" && !IsWeak(h.strength) {
			return i
		}
	}
	return -1
}

// decide sets res's class, confidence, strength, modality and conflicts
// from the votes (see Classify) and returns the index of the deciding vote,
// or -1.
func decide(hits []hit, res *Result) int {
	vl := votes(hits)
	vs := vl.all()
	ctx := clinicalContext(hits)
	best := candidate{best: -1}
	for i, v := range vs {
		if firstVote(hits, vs, i) {
			c := score(hits, vs, hits[v].out.class, ctx)
			if c.eligible && (best.best < 0 || c.beats(&best, hits)) {
				best = c
			}
		}
	}
	if best.best < 0 {
		return -1
	}
	res.Class, res.Confidence, res.Strength = best.class, best.conf, best.rank
	res.Modality = hits[best.best].out.modality
	for _, v := range vs {
		if h := &hits[v]; contradicts(h, best.class) {
			res.Conflicts = append(res.Conflicts, Conflict{Class: h.out.class, Rule: h.name, Confidence: h.out.confidence, Strength: h.rank()})
		}
	}
	if contextContradicts(hits, ctx, best.class, &best.own) {
		h := &hits[ctx]
		res.Conflicts = append(res.Conflicts, Conflict{Rule: h.name, Confidence: h.out.confidence, Strength: h.strength})
	}
	return best.best
}

// firstVote reports whether vs[i] is the first vote for its class.
func firstVote(hits []hit, vs []int, i int) bool {
	for _, v := range vs[:i] {
		if hits[v].out.class == hits[vs[i]].out.class {
			return false
		}
	}
	return true
}

// contradicts reports whether vote v speaks against class c.
func contradicts(v *hit, c model.Class) bool {
	return v.out.class != c && !v.orthogonal() && !(c == model.ClassVirtualMachine)
}

func (c *candidate) beats(o *candidate, hits []hit) bool {
	if c.rank != o.rank {
		return c.rank > o.rank
	}
	if c.conf != o.conf {
		return c.conf > o.conf
	}
	return hits[c.best].order < hits[o.best].order
}

// score computes class c's candidacy from the votes vs and the clinical
// context ctx (-1 if none).
func score(hits []hit, vs []int, c model.Class, ctx int) candidate {
	cand := candidate{class: c, best: -1}
	clinical := IsClinical(c)
	nonWeak, observed, groups := false, false, 0
	miss := 1.0
	for _, i := range vs {
		v := &hits[i]
		if v.out.class != c {
			continue
		}
		if cand.best < 0 || v.rank() > hits[cand.best].rank() {
			cand.best = i
		}
		cand.rank = max(cand.rank, v.rank())
		nonWeak = nonWeak || !IsWeak(v.strength)
		observed = observed || !v.out.implied
		groups++
		cand.own[v.group] = true
		miss *= 1 - float64(v.out.confidence)/100
	}
	switch {
	case nonWeak:
		cand.eligible = true
	case clinical:
		cand.eligible = ctx >= 0
	default:
		cand.eligible = groups >= 2
	}
	if clinical && ctx >= 0 && !cand.own[hits[ctx].group] {
		miss *= 1 - float64(hits[ctx].out.confidence)/100
	}
	p := 1 - miss
	if !nonWeak {
		p = min(p, WeakCap/100.0)
	}
	if !observed {
		p = min(p, ImpliedCap/100.0)
	}
	weight := func(conf, strength int) float64 {
		return 1 - ContradictionWeight*float64(conf)/100*min(1, float64(strength)/float64(max(cand.rank, 1)))
	}
	for _, i := range vs {
		if v := &hits[i]; contradicts(v, c) && !(v.out.implied && clinical) {
			p *= weight(v.out.confidence, v.rank())
		}
	}
	if contextContradicts(hits, ctx, c, &cand.own) {
		p *= weight(hits[ctx].out.confidence, hits[ctx].strength)
	}
	cand.conf = min(99, max(1, int(math.Round(p*100))))
	return cand
}

// contextContradicts reports whether the clinical context ctx (-1 if
// none) speaks against class c, whose votes came from the groups own: it
// does for a non-clinical class other than virtual-machine, unless its own
// group voted for c (a DICOM worklist provider is a server, a DICOM film
// printer a printer).
func contextContradicts(hits []hit, ctx int, c model.Class, own *[numGroups]bool) bool {
	return ctx >= 0 && !IsClinical(c) && c != model.ClassVirtualMachine && !own[hits[ctx].group]
}

// gatewayClass reports whether c reports on other devices' behalf, so
// that equipment identifiers in its messages are not its own model.
func gatewayClass(c model.Class) bool {
	switch c {
	case model.ClassPumpGateway, model.ClassMedicalGateway, model.ClassHL7InterfaceEngine, model.ClassCentralStation:
		return true
	}
	return false
}

// toolkitVersion marks builtin/dicom-version a toolkit's (out.toolkit)
// when a toolkit rule read the same implementation version name: that name
// is then the toolkit's version ("OFFIS_DCMTK_367"), not the device's.
func toolkitVersion(hits []hit, ev []Evidence) {
	for i := range hits {
		b := &hits[i]
		if b.name != BuiltinDICOMVersion {
			continue
		}
		for j := range hits {
			if !hits[j].out.toolkit {
				continue
			}
			for _, x := range ev[hits[j].ev0:hits[j].ev1] {
				if x.Source == model.EvidenceDICOMImplVer && x.Value == b.out.version {
					b.out.toolkit = true
					return
				}
			}
		}
		return
	}
}

// fill sets the descriptive fields of res from the hits (see Classify).
// Toolkit hits (out.toolkit) fill model and version only when no other
// hit gave a model.
func fill(hits []hit, win int, res *Result) {
	defer func() {
		if res.OS == "" {
			for i := range hits {
				if res.OS = hits[i].out.os; res.OS != "" {
					break
				}
			}
		}
		res.OS = systemOS(hits, res.OS)
	}()
	for i := range hits {
		h := &hits[i]
		if h.out.toolkit {
			continue
		}
		agrees := h.out.class == "" || (win >= 0 && h.out.class == res.Class)
		if res.Manufacturer == "" && h.out.manufacturer != "" && (agrees || h.group == gMAC) {
			res.Manufacturer = h.out.manufacturer
		}
		if res.Model == "" && h.out.model != "" && agrees && !(h.out.equipment && gatewayClass(res.Class)) {
			res.Model = h.out.model
		}
		if res.Version == "" && h.out.version != "" && agrees {
			res.Version = h.out.version
		}
		if res.OS == "" && agrees {
			res.OS = h.out.os
		}
		if res.Modality == "" && win >= 0 && h.out.class == model.ClassImagingModality && res.Class == model.ClassImagingModality {
			res.Modality = h.out.modality
		}
	}
	if res.Model != "" {
		return
	}
	for i := range hits {
		if h := &hits[i]; h.out.toolkit {
			if res.Model == "" {
				res.Model = h.out.model
			}
			if res.Version == "" {
				res.Version = h.out.version
			}
		}
	}
}

// systemOS returns os, or, when os comes from a TCP stack's fingerprint,
// the OS of the best other rule that names a system built on that kernel,
// however weak: a SYN says which kernel sent it (Linux, Darwin), not which
// system (Android and ChromeOS run Linux, macOS and iOS Darwin), so an
// android- default name says more than a Linux SYN.
func systemOS(hits []hit, os string) string {
	if os == "" {
		return os
	}
	for i := range hits {
		if hits[i].out.os == os {
			if hits[i].group != gTCP {
				return os // the best rule that says so is no TCP stack's
			}
			break
		}
	}
	var systems []string // the OS families built on the stack's kernel
	switch {
	case OSFamily(os) == OSLinux:
		systems = []string{OSLinux, OSAndroid, OSChromeOS}
	case strings.HasPrefix(os, "Darwin"):
		systems = []string{OSMacOS, OSiOS}
	default:
		return os
	}
	for i := range hits {
		h := &hits[i]
		if h.group != gTCP && h.out.os != "" && slices.Contains(systems, OSFamily(h.out.os)) {
			return h.out.os
		}
	}
	return os
}

// markEvidence sets the Sets of res.Evidence: which rule decided which
// field, and which rules contradict the class (res.Conflicts).
func markEvidence(hits []hit, win int, res *Result) {
	sets := func(rule string, fs Fields) {
		for i := range res.Evidence {
			if res.Evidence[i].Rule == rule {
				res.Evidence[i].Sets |= fs
			}
		}
	}
	agrees := func(h *hit) bool { return h.out.class == "" || (win >= 0 && h.out.class == res.Class) }
	var done Fields
	pick := func(fs Fields, match func(h *hit) bool) {
		if done&fs != 0 {
			return
		}
		for i := range hits {
			if h := &hits[i]; match(h) {
				sets(h.name, fs)
				done |= fs
				return
			}
		}
	}
	if win >= 0 {
		w := &hits[win]
		sets(w.name, FieldClass)
		if res.Modality != "" && w.out.modality == res.Modality {
			sets(w.name, FieldModality)
			done |= FieldModality
		}
	}
	if res.Modality != "" {
		pick(FieldModality, func(h *hit) bool { return agrees(h) && h.out.modality == res.Modality })
	}
	if res.Manufacturer != "" {
		pick(FieldManufacturer, func(h *hit) bool {
			return h.out.manufacturer == res.Manufacturer && (agrees(h) || h.group == gMAC)
		})
	}
	// A field a toolkit could have given goes to another rule first (fill).
	for _, toolkit := range []bool{false, true} {
		if res.Model != "" {
			pick(FieldModel, func(h *hit) bool { return h.out.toolkit == toolkit && agrees(h) && h.out.model == res.Model })
		}
		if res.Version != "" {
			pick(FieldVersion, func(h *hit) bool { return h.out.toolkit == toolkit && agrees(h) && h.out.version == res.Version })
		}
	}
	if res.OS != "" {
		pick(FieldOS, func(h *hit) bool { return h.out.os == res.OS && agrees(h) })
		pick(FieldOS, func(h *hit) bool { return h.out.os == res.OS })
	}
	for _, c := range res.Conflicts {
		sets(c.Rule, FieldContradicts)
	}
}
