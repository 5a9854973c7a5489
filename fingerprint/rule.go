package fingerprint

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// matcherKind is one match key of the rule format.
type matcherKind uint8

const (
	mOUIVendor matcherKind = iota
	mOUIPrefix
	mDHCP55
	mDHCP55Prefix
	mDHCP60
	mHostname
	mDICOMSOPClass
	mDICOMAETitle
	mDICOMImplVersion
	mDICOMImplClassUID
	mDICOMCommand
	mHL7Application
	mHL7EquipmentID
	mHL7MessageType
	mDHCP55Like
	mSignal
	mServes
)

// matcher is one compiled match key. Regex keys use re; the others match any
// of values (normalised at load time; for oui_prefix, nibbles).
type matcher struct {
	kind    matcherKind
	re      *regexp.Regexp
	lit     *literalSet // re's words, when it is a finite set of them (literal.go): answers without re
	values  []string
	nibbles [][]byte // oui_prefix: one entry per value, hex digits as 0..15
	lists   [][]byte // dhcp_55_like: one entry per value, the option codes
	ports   []Served // serves: one entry per value, Proto and Port set
	src     model.EvidenceSource
	strong  int // mSignal: the source's strength; mHostname: StrengthDefaultName for a default_name rule, else 0
}

// rule is one compiled YAML rule.
type rule struct {
	name     string
	file     string
	line     int
	disabled bool // a site file's "disabled: true"

	host      []matcher // MAC, DHCP and host-name facts
	dicom     []matcher // all on the same DICOMFact
	dicomRole string    // "" any
	hl7       []matcher // all on the same HL7Fact
	hl7Role   string    // "" any
	unless    []matcher // signal matchers: the rule does not match when any of them does

	out      output
	strength int
	group    group     // the independence group of its strongest matcher
	tmpl     templates // outputs with ${name} references, compiled
	source   string    // where the rule comes from (provenance)
}

// output is what a matching rule says about the device.
type output struct {
	class                                      model.Class
	modality, manufacturer, model, os, version string
	confidence                                 int
	// implied: the class is implied by the operating system (a Windows
	// DHCP client is usually a workstation), not observed. It ranks as
	// StrengthOSImplied and never contradicts a clinical class.
	implied bool
	// clinical: the rule says the device is a medical device without
	// saying which class (no class): it lets weak evidence pick the class
	// and contradicts non-clinical classes.
	clinical bool
	// equipment: the rule's descriptive fields come from HL7 equipment
	// identifiers, which describe the device the message is about: its
	// model is not a gateway's or an engine's own.
	equipment bool
	// toolkit: the rule names a software toolkit or library the device's
	// implementation is built on (DCMTK, dcm4che, ...), not the device: its
	// model and version are the device's only when no other rule gives a
	// model (a product's model wins, and the toolkit's version is not that
	// product's version).
	toolkit bool
}

// DefaultConfidence is a rule's confidence when it does not set one.
const DefaultConfidence = 50

var (
	reRuleName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	reUID      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	reMsgType  = regexp.MustCompile(`^[A-Z0-9]{3}(\^[A-Z0-9]{2,3})?$`)
)

// dimseCommands are the values dicom_command accepts.
var dimseCommands = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{"C-STORE", "C-FIND", "C-MOVE", "C-GET", "C-ECHO", "C-CANCEL",
		"N-EVENT-REPORT", "N-GET", "N-SET", "N-ACTION", "N-CREATE", "N-DELETE"} {
		m[c+"-RQ"], m[c+"-RSP"] = true, true
	}
	m["C-CANCEL-RQ"] = true
	delete(m, "C-CANCEL-RSP")
	return m
}()

// compileRule validates one decoded rule and compiles it. line is the line
// of the rule's mapping. Every problem of the rule is reported, joined.
func compileRule(y *ruleYAML, file string, line int) (*rule, error) {
	rc := &ruleCompiler{file: file, name: y.Name.Value, line: line}
	if err := rc.checkName(y); err != nil {
		return nil, err
	}
	r := &rule{name: rc.name, file: file, line: line}
	if y.Disabled {
		return r, nil
	}
	rc.matchers(r, &y.Match)
	rc.roles(r, &y.Match)
	rc.unless(r, y.Unless)
	if len(rc.errs) == 0 && len(r.host)+len(r.dicom)+len(r.hl7) == 0 {
		rc.addf(line, "match: needs at least one matcher")
	}
	r.out = rc.output(y)
	if y.DefaultName {
		rc.defaultName(r, y)
	}
	r.source = y.Source
	if len(rc.errs) == 0 {
		var err error
		if r.tmpl, err = compileTemplates(r, y); err != nil {
			rc.addf(line, "%v", err)
		}
	}
	if len(rc.errs) > 0 {
		return nil, errors.Join(rc.errs...)
	}
	for _, ms := range [][]matcher{r.host, r.dicom, r.hl7} {
		for _, mt := range ms {
			if s := mt.strength(); s > r.strength {
				r.strength, r.group = s, groupOf(mt.source())
			}
		}
	}
	return r, nil
}

// ruleCompiler collects the problems of one rule, each a *RuleError.
type ruleCompiler struct {
	file, name string
	line       int // the rule's mapping, for problems of the rule as a whole
	errs       []error
}

// fail is a problem at line at (0: the rule's line).
func (rc *ruleCompiler) fail(at int, format string, args ...any) error {
	if at == 0 {
		at = rc.line
	}
	return &RuleError{File: rc.file, Line: at, Rule: rc.name, Err: fmt.Errorf(format, args...)}
}

func (rc *ruleCompiler) addf(at int, format string, args ...any) {
	rc.errs = append(rc.errs, rc.fail(at, format, args...))
}

// checkName checks the rule's name; a site file may name a built-in rule
// only to disable it.
func (rc *ruleCompiler) checkName(y *ruleYAML) error {
	switch {
	case rc.name == "":
		return rc.fail(rc.line, "missing name")
	case reRuleName.MatchString(rc.name) || y.Disabled && isBuiltinName(rc.name):
		return nil
	case isBuiltinName(rc.name):
		return rc.fail(y.Name.Line, "a built-in rule can only be disabled (disabled: true)")
	}
	return rc.fail(y.Name.Line, "invalid name: use letters, digits, '.', '_' and '-', starting with a letter or digit")
}

// matchers compiles the match keys into r's host, DICOM and HL7 matchers.
func (rc *ruleCompiler) matchers(r *rule, m *matchYAML) {
	rc.regex(m.OUIVendor, "oui_vendor", mOUIVendor, &r.host)
	rc.list(m.OUIPrefix, "oui_prefix", mOUIPrefix, &r.host, normOUIPrefix)
	rc.list(m.DHCP55, "dhcp_55", mDHCP55, &r.host, normParamList)
	rc.list(m.DHCP55Prefix, "dhcp_55_prefix", mDHCP55Prefix, &r.host, normParamList)
	rc.regex(m.DHCP60, "dhcp_60", mDHCP60, &r.host)
	rc.regex(m.Hostname, "hostname", mHostname, &r.host)

	rc.list(m.DICOMSOPClass, "dicom_sop_class", mDICOMSOPClass, &r.dicom, normUID)
	rc.regex(m.DICOMAETitle, "dicom_ae_title", mDICOMAETitle, &r.dicom)
	rc.regex(m.DICOMImplVersion, "dicom_impl_version", mDICOMImplVersion, &r.dicom)
	rc.list(m.DICOMImplClassUID, "dicom_impl_class_uid", mDICOMImplClassUID, &r.dicom,
		func(s string) (string, error) { return normUID(strings.TrimSuffix(s, ".")) })
	rc.list(m.DICOMCommand, "dicom_command", mDICOMCommand, &r.dicom, normCommand)

	rc.list(m.DHCP55Like, "dhcp_55_like", mDHCP55Like, &r.host, normParamList)
	rc.signals(r, m)
	rc.list(m.Serves, "serves", mServes, &r.host, normServed)

	rc.regex(m.HL7Application, "hl7_application", mHL7Application, &r.hl7)
	rc.regex(m.HL7EquipmentID, "hl7_equipment_id", mHL7EquipmentID, &r.hl7)
	rc.list(m.HL7MessageType, "hl7_message_type", mHL7MessageType, &r.hl7, normMsgType)
}

// signals compiles the signal match keys (signalKeys) onto r's host
// matchers; any other key left in m.Signals is unknown.
func (rc *ruleCompiler) signals(r *rule, m *matchYAML) {
	for _, key := range slices.Sorted(maps.Keys(m.Signals)) {
		sc := m.Signals[key]
		k, ok := signalKey(key)
		if !ok {
			rc.addf(sc.Line, "unknown key %q in match", key)
			continue
		}
		n := len(r.host)
		rc.regex(sc, key, mSignal, &r.host)
		if len(r.host) > n {
			r.host[n].src, r.host[n].strong = k.Source, k.Strength
		}
	}
}

// unless compiles the rule's "unless:" keys: signal matchers (the match
// keys of signalKeys) any of which, matching, keeps the rule from matching.
func (rc *ruleCompiler) unless(r *rule, m map[string]scalar) {
	for _, key := range slices.Sorted(maps.Keys(m)) {
		sc := m[key]
		k, ok := signalKey(key)
		if !ok {
			rc.addf(sc.Line, "unless: %q is not a signal matcher (only signal keys, like lldp_capabilities, may veto a rule)", key)
			continue
		}
		n := len(r.unless)
		rc.regex(sc, "unless: "+key, mSignal, &r.unless)
		if len(r.unless) > n {
			r.unless[n].src, r.unless[n].strong = k.Source, k.Strength
		}
	}
}

// regex compiles a regular-expression match key, if set, onto dst.
func (rc *ruleCompiler) regex(s scalar, key string, kind matcherKind, dst *[]matcher) {
	if s.Line == 0 {
		return
	}
	if s.Value == "" {
		rc.addf(s.Line, "%s: empty pattern", key)
		return
	}
	re, err := regexp.Compile(s.Value)
	if err != nil {
		rc.addf(s.Line, "%s: invalid regular expression: %v", key, err)
		return
	}
	*dst = append(*dst, matcher{kind: kind, re: re, lit: compileLiteral(s.Value)})
}

// list compiles a match key of values, if set, onto dst, each normalised
// by norm.
func (rc *ruleCompiler) list(l strList, key string, kind matcherKind, dst *[]matcher, norm func(string) (string, error)) {
	if l.Line == 0 {
		return
	}
	mt := matcher{kind: kind}
	for _, v := range l.Values {
		n, err := norm(strings.TrimSpace(v))
		if err != nil {
			rc.addf(l.Line, "%s: %q: %v", key, v, err)
			return
		}
		mt.values = append(mt.values, n)
		switch kind {
		case mOUIPrefix:
			mt.nibbles = append(mt.nibbles, hexNibbles(n))
		case mDHCP55Like:
			mt.lists = append(mt.lists, paramCodes(n))
		case mServes:
			mt.ports = append(mt.ports, servedPort(n))
		}
	}
	*dst = append(*dst, mt)
}

// roles checks dicom_role and hl7_role: a known role, with a matcher of
// the same protocol to apply to.
func (rc *ruleCompiler) roles(r *rule, m *matchYAML) {
	if s := m.DICOMRole; s.Line != 0 {
		r.dicomRole = s.Value
		switch {
		case s.Value != model.RoleSCU && s.Value != model.RoleSCP:
			rc.addf(s.Line, "dicom_role: %q is not scu or scp", s.Value)
		case len(r.dicom) == 0 && m.DICOMSOPClass.Line == 0 && m.DICOMAETitle.Line == 0 &&
			m.DICOMImplVersion.Line == 0 && m.DICOMImplClassUID.Line == 0 && m.DICOMCommand.Line == 0:
			rc.addf(s.Line, "dicom_role needs a dicom_* matcher")
		}
	}
	if s := m.HL7Role; s.Line != 0 {
		r.hl7Role = s.Value
		switch {
		case s.Value != model.RoleSender && s.Value != model.RoleReceiver:
			rc.addf(s.Line, "hl7_role: %q is not sender or receiver", s.Value)
		case len(r.hl7) == 0 && m.HL7Application.Line == 0 && m.HL7EquipmentID.Line == 0 && m.HL7MessageType.Line == 0:
			rc.addf(s.Line, "hl7_role needs an hl7_* matcher")
		}
	}
}

// output checks and compiles what the rule says about a device: class
// (or at least manufacturer, model, os, version or clinical), modality,
// confidence, implied, clinical and toolkit.
func (rc *ruleCompiler) output(y *ruleYAML) output {
	out := output{class: model.Class(y.Class.Value), modality: y.Modality.Value, manufacturer: y.Manufacturer.Value,
		model: y.Model.Value, os: y.OS.Value, version: y.Version.Value, confidence: DefaultConfidence,
		implied: y.Implied, clinical: y.Clinical, equipment: y.Match.HL7EquipmentID.Line != 0, toolkit: y.Toolkit}
	switch c := out.class; {
	case y.Class.Line == 0 || c == "":
		if out.manufacturer == "" && out.model == "" && out.os == "" && out.version == "" && !out.clinical {
			rc.addf(rc.line, "sets nothing: needs class, or manufacturer, model, os, version or clinical")
		}
		if y.Implied {
			rc.addf(rc.line, "implied: needs a class")
		}
		if y.Toolkit && (out.model == "" && out.version == "" || out.manufacturer != "" || out.os != "" || out.clinical) {
			rc.addf(rc.line, "toolkit: sets a model or version, and nothing else (a toolkit names no maker, OS or device kind)")
		}
	case c == model.ClassUnknown:
		rc.addf(y.Class.Line, "class %q cannot be assigned; leave class out for a rule that only sets manufacturer, model or os", c)
	case !c.Valid():
		rc.addf(y.Class.Line, "unknown class %q (see model.Classes)", c)
	case y.Clinical:
		rc.addf(y.Class.Line, "clinical: true is for rules without a class (a class says more)")
	case y.Toolkit:
		rc.addf(y.Class.Line, "toolkit: true is for rules without a class (a toolkit does not say what the device is)")
	case y.Implied && IsClinical(c):
		rc.addf(y.Class.Line, "implied: a clinical class cannot be implied by an operating system")
	}
	if y.Modality.Line != 0 {
		switch {
		case !IsModality(y.Modality.Value):
			rc.addf(y.Modality.Line, "unknown modality %q (one of %s)", y.Modality.Value, strings.Join(Modalities, ", "))
		case out.class != model.ClassImagingModality:
			rc.addf(y.Modality.Line, "modality needs class %s", model.ClassImagingModality)
		}
	}
	if s := y.Confidence; s.Line != 0 {
		c, err := strconv.Atoi(s.Value)
		if err != nil || c < 1 || c > 100 {
			rc.addf(s.Line, "confidence: %q is not an integer 1..100", s.Value)
		}
		out.confidence = c
	}
	return out
}

// DefaultNameMaxConfidence is the highest confidence a default_name rule
// may give: a default name says how a device was set up, and a device
// keeps its factory name in a different role too (a print server's name on
// a re-purposed box), so it stays as confident as corroborated weak
// evidence (WeakCap).
const DefaultNameMaxConfidence = WeakCap

// defaultName checks a default_name rule and ranks its hostname matcher as
// StrengthDefaultName. The name must be the rule's evidence: a hostname
// matcher, anchored at both ends (a default is a whole generated name, not
// a token in one), and besides it only oui_* matchers, which narrow the
// rule (an "NPI" name on an HP NIC) without changing its strength; any
// other matcher is stronger than the name or another name, and would leave
// unclear what the rule's strength rests on. A clinical class never comes
// from a name: the rule may not set one, nor say clinical: true.
func (rc *ruleCompiler) defaultName(r *rule, y *ruleYAML) {
	host, other := -1, len(r.dicom)+len(r.hl7) > 0
	for i := range r.host {
		switch r.host[i].kind {
		case mHostname:
			host = i
		case mOUIVendor, mOUIPrefix:
		default:
			other = true
		}
	}
	switch {
	case other:
		rc.addf(rc.line, "default_name: only hostname, oui_vendor and oui_prefix matchers (other evidence ranks by its own strength)")
	case host < 0:
		rc.addf(rc.line, "default_name: needs a hostname matcher")
	case !anchored(y.Match.Hostname.Value):
		rc.addf(y.Match.Hostname.Line, "default_name: hostname must be anchored with ^ and $ (a default is a whole name)")
	default:
		r.host[host].strong = StrengthDefaultName
	}
	if c := r.out.class; c != "" && IsClinical(c) {
		rc.addf(y.Class.Line, "default_name: a clinical class never comes from a name")
	}
	if r.out.clinical {
		rc.addf(rc.line, "default_name: clinical: true never comes from a name")
	}
	if r.out.confidence > DefaultNameMaxConfidence {
		rc.addf(y.Confidence.Line, "default_name: confidence at most %d", DefaultNameMaxConfidence)
	}
}

// anchored reports whether every match of the regular expression pattern
// spans the whole text: each alternative begins with ^ and ends with $
// (without the m flag).
func anchored(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	return anchoredAt(re, syntax.OpBeginText) && anchoredAt(re, syntax.OpEndText)
}

// anchoredAt reports whether every match of re starts (op OpBeginText) or
// ends (OpEndText) at the text's edge.
func anchoredAt(re *syntax.Regexp, op syntax.Op) bool {
	switch re.Op {
	case op:
		return true
	case syntax.OpCapture:
		return anchoredAt(re.Sub[0], op)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !anchoredAt(s, op) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return false
		}
		if op == syntax.OpBeginText {
			return anchoredAt(re.Sub[0], op)
		}
		return anchoredAt(re.Sub[len(re.Sub)-1], op)
	}
	return false
}

func (m *matcher) strength() int {
	switch m.kind {
	case mOUIVendor, mOUIPrefix:
		return StrengthOUI
	case mHostname:
		if m.strong > 0 {
			return m.strong // a default name's
		}
		return StrengthHostname
	case mDHCP55, mDHCP55Prefix, mDHCP55Like:
		return StrengthDHCPParams
	case mDHCP60:
		return StrengthDHCPVendorClass
	case mSignal:
		return m.strong
	case mServes:
		return StrengthBehaviour
	}
	return StrengthApplication
}

// source is the evidence source the matcher's evidence has.
func (m *matcher) source() model.EvidenceSource {
	switch m.kind {
	case mOUIVendor, mOUIPrefix:
		return model.EvidenceOUI
	case mHostname:
		return model.EvidenceHostname
	case mDHCP55, mDHCP55Prefix, mDHCP55Like:
		return model.EvidenceDHCPParams
	case mDHCP60:
		return model.EvidenceDHCPVendorClass
	case mSignal:
		return m.src
	case mServes:
		return model.EvidenceServed
	case mDICOMSOPClass:
		return model.EvidenceDICOMSOPClass
	case mDICOMAETitle:
		return model.EvidenceDICOMAETitle
	case mDICOMImplVersion:
		return model.EvidenceDICOMImplVer
	case mDICOMImplClassUID:
		return model.EvidenceDICOMImplUID
	case mDICOMCommand:
		return model.EvidenceDICOMCommand
	case mHL7Application:
		return model.EvidenceHL7SendingApp
	case mHL7EquipmentID:
		return model.EvidenceHL7Equipment
	case mHL7MessageType:
		return model.EvidenceHL7MessageType
	}
	return ""
}

// normServed accepts "udp/53" or "tcp/9100".
func normServed(s string) (string, error) {
	proto, port, ok := strings.Cut(strings.ToLower(s), "/")
	n, err := strconv.Atoi(port)
	if !ok || (proto != "tcp" && proto != "udp") || err != nil || n < 1 || n > 65535 || port != strconv.Itoa(n) {
		return "", errors.New(`not a served port such as "udp/53" or "tcp/9100"`)
	}
	return proto + "/" + port, nil
}

// servedPort returns a normalised "udp/53" as a Served with Proto and Port.
func servedPort(s string) Served {
	proto, port, _ := strings.Cut(s, "/")
	n, _ := strconv.Atoi(port)
	p := Served{Proto: 6, Port: uint16(n)}
	if proto == "udp" {
		p.Proto = 17
	}
	return p
}

// paramCodes returns a normalised option 55 list as its codes.
func paramCodes(s string) []byte {
	var out []byte
	for _, p := range strings.Split(s, ",") {
		n, _ := strconv.Atoi(p)
		out = append(out, byte(n))
	}
	return out
}

// normOUIPrefix accepts 6 to 12 hex digits, with or without ':', '-' or '.'
// separators, and returns them as "00:50:56" (a 28- or 36-bit prefix keeps
// its odd last digit: "70:b3:d5:4").
func normOUIPrefix(s string) (string, error) {
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':' || c == '-' || c == '.':
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
			d = append(d, c)
		case 'A' <= c && c <= 'F':
			d = append(d, c+'a'-'A')
		default:
			return "", errors.New("not a MAC prefix (6 to 12 hex digits)")
		}
	}
	if len(d) < 6 || len(d) > 12 {
		return "", errors.New("not a MAC prefix (6 to 12 hex digits)")
	}
	var b strings.Builder
	for i, c := range d {
		if i > 0 && i%2 == 0 {
			b.WriteByte(':')
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func hexNibbles(p string) []byte {
	var n []byte
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case '0' <= c && c <= '9':
			n = append(n, c-'0')
		case 'a' <= c && c <= 'f':
			n = append(n, c-'a'+10)
		}
	}
	return n
}

// normParamList accepts "1,3,6,15" (spaces allowed) and returns it without
// spaces.
func normParamList(s string) (string, error) {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p != strconv.Itoa(n) {
			return "", errors.New("not a comma-separated list of option codes 0..255")
		}
		parts[i] = p
	}
	return strings.Join(parts, ","), nil
}

func normUID(s string) (string, error) {
	if len(s) > 64 || !reUID.MatchString(s) {
		return "", errors.New("not a DICOM UID (digits and dots, at most 64 characters)")
	}
	return s, nil
}

func normCommand(s string) (string, error) {
	if !dimseCommands[s] {
		return "", errors.New("not a DIMSE command such as C-STORE-RQ or C-FIND-RSP")
	}
	return s, nil
}

func normMsgType(s string) (string, error) {
	if !reMsgType.MatchString(s) {
		return "", errors.New(`not an HL7 message type such as "ORU^R01" or "ORU"`)
	}
	return s, nil
}
