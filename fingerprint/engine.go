package fingerprint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Engine holds a compiled rule set. It is immutable and safe for concurrent
// use.
type Engine struct {
	rules    []*rule   // YAML rules in evaluation order
	builtins []builtin // enabled built-in rules
	// patterns are the signal matchers' (and unless:') expressions by
	// source, each expression once: the Facts.Signals sources some rule
	// reads (ReadsSignal) and the values it may match (ReadsSignalValue);
	// nil for an Engine not made by Load. names: some rule reads host
	// names.
	patterns map[model.EvidenceSource][]*regexp.Regexp
	names    bool
	// served are the ports a serves: matcher lists (ReadsServed); med and
	// printing: the LLDP-MED and serves-printing built-ins are enabled.
	served        map[Served]bool
	med, printing bool
}

// ReadsSignal reports whether a rule of the engine reads signals of source
// src: a signal matcher or an unless: on it, a hostname matcher (which
// reads the names a device gave itself: NetBIOS, LLMNR, mDNS, DHCPv6 FQDN,
// LLDP, CDP, SNMP), or the LLDP-MED built-in. A new value of any other
// source cannot change what Classify returns: the store does not classify
// an asset again for it (issue 11: signal values were most of a replay's
// new facts). The value is still in the asset's facts for the next
// classification. ReadsSignalValue also looks at the value.
func (e *Engine) ReadsSignal(src model.EvidenceSource) bool {
	if e.patterns == nil {
		return true // not made by Load: assume it reads everything
	}
	return len(e.patterns[src]) > 0 || e.readsEveryValue(src)
}

// ReadsSignalValue reports whether a new value of source src may change
// what Classify returns: the source is read by name (a hostname matcher,
// the LLDP-MED built-in: any value counts), or some signal matcher or
// unless: on it matches the value. A signal matcher's evidence is the
// first of the device's values that matches it, so a value that matches no
// expression of its source adds no evidence, vetoes nothing and moves no
// other value's evidence (issue 11: the TCP signatures of most hosts match
// no rule, and each was a classification of its asset).
func (e *Engine) ReadsSignalValue(src model.EvidenceSource, value string) bool {
	if e.patterns == nil || e.readsEveryValue(src) {
		return true // not made by Load (it reads everything), or any value counts
	}
	for _, re := range e.patterns[src] {
		if re.MatchString(value) {
			return true
		}
	}
	return false
}

// readsEveryValue reports whether any value of src counts: a hostname
// matcher reads the names a device gave itself, the LLDP-MED built-in its
// inventory fields.
func (e *Engine) readsEveryValue(src model.EvidenceSource) bool {
	var out output
	return e.names && nameSource(src) || e.med && lldpMEDField(src, &out) != nil
}

// ReadsServed reports whether the first client of proto/port may change
// what Classify returns: a serves: matcher lists the port, or it is a
// printing port and the serves-printing built-in is enabled. The built-ins
// that count the clients of other ports wait for more of them
// (ServedCountMatters), so the store does not classify a server again when
// a port no rule reads gains its first client (issue 11: first clients of
// HTTPS and other ports made over a quarter of a replay's classifications). The
// port is still in the server's facts for the next classification.
func (e *Engine) ReadsServed(proto uint8, port uint16) bool {
	if e.patterns == nil {
		return true // not made by Load: assume it reads everything
	}
	return e.served[Served{Proto: proto, Port: port}] || e.printing && proto == 6 && slices.Contains(printPorts, port)
}

// noteReads fills patterns, names, served, med and printing from the rules
// and the enabled built-ins.
func (e *Engine) noteReads() {
	e.patterns, e.names, e.served = map[model.EvidenceSource][]*regexp.Regexp{}, false, map[Served]bool{}
	for _, b := range e.builtins {
		e.med = e.med || b.kind == bLLDPMED
		e.printing = e.printing || b.kind == bServesPrinting
	}
	for _, r := range e.rules {
		for _, ms := range [...][]matcher{r.host, r.unless} {
			for i := range ms {
				switch ms[i].kind {
				case mSignal:
					src, re := ms[i].src, ms[i].re
					if !slices.ContainsFunc(e.patterns[src], func(x *regexp.Regexp) bool { return x.String() == re.String() }) {
						e.patterns[src] = append(e.patterns[src], re)
					}
				case mHostname:
					e.names = true
				case mServes:
					for _, p := range ms[i].ports {
						e.served[Served{Proto: p.Proto, Port: p.Port}] = true
					}
				}
			}
		}
	}
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
	e.noteReads()
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
