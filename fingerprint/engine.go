package fingerprint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Evidence is one fact that made one rule match.
type Evidence struct {
	Source   model.EvidenceSource // what kind of fact: model.EvidenceOUI, model.EvidenceDHCPParams, ...
	Value    string               // the fact's value: the vendor, the option 55 list, the SOP class UID, ...
	Rule     string               // the rule that used it
	Strength int                  // the source's strength (Strength* constants)
}

// Result is a device classification.
type Result struct {
	Class        model.Class // one of model.Classes; model.ClassUnknown when no rule set a class
	Modality     string      // one of Modalities, for an imaging-modality whose modality is known
	Manufacturer string
	Model        string
	OS           string
	Confidence   int // 0..100: the confidence of the rule that set Class
	Strength     int // the strength of the rule that set Class (Strength* constants); 0 for unknown
	// Evidence lists what every matching rule used, the deciding rule's
	// first, then in the order rules rank (strength, confidence, order).
	Evidence []Evidence
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

// Engine holds a compiled rule set. It is immutable and safe for concurrent
// use.
type Engine struct {
	rules    []*rule   // YAML rules in evaluation order
	builtins []builtin // enabled built-in rules
}

// Load compiles the default rules (the contents of a rule file; name is the
// file name used in errors, e.g. "configs/fingerprints.yml") and then every
// *.yml file in userDir, in lexical order. userDir "" means none; a userDir
// that cannot be read is an error.
//
// A user rule whose name is that of a default rule replaces it in place (so
// it keeps the default's position in tie-breaking); with disabled: true it
// removes it. A built-in rule (builtin/...) can be disabled but not
// replaced. Other user rules are added after the default rules, in file
// order. Two user files defining the same name, a duplicate name within a
// file, and disabling a rule that does not exist are errors.
//
// Errors are *RuleError values (joined with errors.Join when a file has
// several), each naming the file, the line and the rule.
func Load(rules []byte, name string, userDir string) (*Engine, error) {
	defaults, err := compileFile(rules, name)
	if err != nil {
		return nil, err
	}
	e := &Engine{}
	index := map[string]int{} // default rule name -> index in e.rules
	for _, r := range defaults {
		if isBuiltinName(r.name) {
			return nil, &RuleError{File: r.file, Line: r.line, Rule: r.name, Err: errors.New("built-in rules can only be disabled from a site rule file")}
		}
		if r.disabled {
			continue
		}
		index[r.name] = len(e.rules)
		e.rules = append(e.rules, r)
	}
	disabledBuiltins := map[string]bool{}
	if userDir != "" {
		entries, err := os.ReadDir(userDir)
		if err != nil {
			return nil, fmt.Errorf("fingerprint: site rules: %w", err)
		}
		userDefined := map[string]*rule{} // names set by user files so far
		for _, ent := range entries {
			if ent.IsDir() || !strings.HasSuffix(ent.Name(), ".yml") {
				continue
			}
			path := filepath.Join(userDir, ent.Name())
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("fingerprint: site rules: %w", err)
			}
			user, err := compileFile(data, path)
			if err != nil {
				return nil, err
			}
			for _, r := range user {
				if prev := userDefined[r.name]; prev != nil {
					return nil, &RuleError{File: r.file, Line: r.line, Rule: r.name,
						Err: fmt.Errorf("also defined in %s at line %d", prev.file, prev.line)}
				}
				userDefined[r.name] = r
				switch i, isDefault := index[r.name]; {
				case isBuiltinName(r.name):
					if !knownBuiltin(r.name) {
						return nil, &RuleError{File: r.file, Line: r.line, Rule: r.name, Err: errors.New("no such built-in rule")}
					}
					disabledBuiltins[r.name] = true
				case isDefault && r.disabled:
					e.rules[i] = nil
				case isDefault:
					e.rules[i] = r
				case r.disabled:
					return nil, &RuleError{File: r.file, Line: r.line, Rule: r.name, Err: errors.New("disables a rule that does not exist")}
				default:
					e.rules = append(e.rules, r)
				}
			}
		}
	}
	kept := e.rules[:0]
	for _, r := range e.rules {
		if r != nil {
			kept = append(kept, r)
		}
	}
	e.rules = kept
	for _, b := range builtins() {
		if !disabledBuiltins[b.name] {
			e.builtins = append(e.builtins, b)
		}
	}
	return e, nil
}

// compileFile parses and compiles one rule file.
func compileFile(data []byte, file string) ([]*rule, error) {
	ys, lines, err := parseFile(data, file)
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]*rule, 0, len(ys))
	seen := map[string]int{}
	for i := range ys {
		r, err := compileRule(&ys[i], file, lines[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first, dup := seen[r.name]; dup {
			errs = append(errs, &RuleError{File: file, Line: r.line, Rule: r.name, Err: fmt.Errorf("duplicate rule name (first at line %d)", first)})
			continue
		}
		seen[r.name] = r.line
		r.disabled = ys[i].Disabled
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func knownBuiltin(name string) bool {
	for _, b := range builtins() {
		if b.name == name {
			return true
		}
	}
	return false
}

// Rules returns the number of rules in effect: YAML rules plus enabled
// built-in rules.
func (e *Engine) Rules() int { return len(e.rules) + len(e.builtins) }

// RuleNames returns the names of the rules in effect, in evaluation order
// (YAML rules, then built-in rules).
func (e *Engine) RuleNames() []string {
	names := make([]string, 0, e.Rules())
	for _, r := range e.rules {
		names = append(names, r.name)
	}
	for _, b := range e.builtins {
		names = append(names, b.name)
	}
	return names
}

// hit is one matching rule during Classify.
type hit struct {
	out      output
	strength int
	order    int
	ev0, ev1 int // its evidence: ev[ev0:ev1]
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

// Classify evaluates every rule against f and returns the classification.
// It is a pure, deterministic function of f and the rule set.
//
// Rules are ranked by strength, then confidence, then order. Class,
// Confidence and Strength come from the best-ranked rule that sets a class;
// when none does, Class is model.ClassUnknown with Confidence and Strength 0.
// Modality comes from that rule, or else from the best-ranked rule that also
// says imaging-modality and sets one. Manufacturer and Model come from the
// best-ranked rule that sets them and agrees with the class (sets the same
// class, or none); OS from the best-ranked rule that sets it, whatever its
// class (a PACS can run Windows).
func (e *Engine) Classify(f *Facts) Result {
	var hbuf [32]hit
	var ebuf [64]Evidence
	hits, ev := hbuf[:0], ebuf[:0]
	for i, r := range e.rules {
		start := len(ev)
		var ok bool
		if ev, ok = r.eval(f, ev); ok {
			hits = append(hits, hit{out: r.out, strength: r.strength, order: i, ev0: start, ev1: len(ev)})
		}
	}
	for j := range e.builtins {
		b := &e.builtins[j]
		start := len(ev)
		out := b.out
		var ok bool
		if ev, ok = b.eval(f, ev, &out); ok {
			s := 0
			for _, x := range ev[start:] {
				s = max(s, x.Strength)
			}
			hits = append(hits, hit{out: out, strength: s, order: len(e.rules) + j, ev0: start, ev1: len(ev)})
		}
	}
	// Insertion sort: a handful of hits, and stable and allocation-free.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].outranks(&hits[j-1]); j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}

	res := Result{Class: model.ClassUnknown}
	var win *hit
	for i := range hits {
		if hits[i].out.class != "" {
			win = &hits[i]
			break
		}
	}
	if win != nil {
		res.Class, res.Confidence, res.Strength, res.Modality = win.out.class, win.out.confidence, win.strength, win.out.modality
	}
	for i := range hits {
		h := &hits[i]
		if h.out.class == "" || (win != nil && h.out.class == win.out.class) {
			if res.Manufacturer == "" {
				res.Manufacturer = h.out.manufacturer
			}
			if res.Model == "" {
				res.Model = h.out.model
			}
			if res.Modality == "" && h.out.class == model.ClassImagingModality {
				res.Modality = h.out.modality
			}
		}
		if res.OS == "" {
			res.OS = h.out.os
		}
	}
	if len(ev) > 0 {
		res.Evidence = make([]Evidence, 0, len(ev))
		if win != nil {
			res.Evidence = append(res.Evidence, ev[win.ev0:win.ev1]...)
		}
		for i := range hits {
			if h := &hits[i]; h != win {
				res.Evidence = append(res.Evidence, ev[h.ev0:h.ev1]...)
			}
		}
	}
	return res
}
