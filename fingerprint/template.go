package fingerprint

import (
	"fmt"
	"regexp"
	"strings"
)

// Output templates: a rule's manufacturer, model, os or version may refer
// to named groups of its regex matchers, "${model}", and is then filled in
// from the text the matcher matched ("BD Alaris PC 8015" with
// '^BD (?P<model>Alaris.*)$' gives model "Alaris PC 8015").

// tpart is one piece of a template: a literal, or the named group gi of
// the regex matcher whose evidence is at index mi of the rule's evidence.
type tpart struct {
	lit    string
	mi, gi int // mi < 0: literal
}

// templates are the compiled templates of a rule's fields, nil for a
// field without one.
type templates struct {
	manufacturer, model, os, version []tpart
}

func (t *templates) any() bool {
	return t.manufacturer != nil || t.model != nil || t.os != nil || t.version != nil
}

var reRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// compileTemplates compiles the output fields of y that contain ${name}
// references against the named groups of r's regex matchers.
func compileTemplates(r *rule, y *ruleYAML) (templates, error) {
	var t templates
	ms := r.matchers()
	compile := func(field, s string) ([]tpart, error) {
		refs := reRef.FindAllStringSubmatchIndex(s, -1)
		if refs == nil {
			if strings.Contains(s, "${") {
				return nil, fmt.Errorf("%s: %q: a reference is ${name}", field, s)
			}
			return nil, nil
		}
		var parts []tpart
		last := 0
		for _, ref := range refs {
			if ref[0] > last {
				parts = append(parts, tpart{lit: s[last:ref[0]], mi: -1})
			}
			name := s[ref[2]:ref[3]]
			found := false
			for mi, m := range ms {
				if m.re == nil {
					continue
				}
				if gi := m.re.SubexpIndex(name); gi > 0 {
					parts = append(parts, tpart{mi: mi, gi: gi})
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("%s: no matcher of the rule has a group (?P<%s>...)", field, name)
			}
			last = ref[1]
		}
		if last < len(s) {
			parts = append(parts, tpart{lit: s[last:], mi: -1})
		}
		return parts, nil
	}
	var err error
	for _, f := range []struct {
		name string
		s    scalar
		dst  *[]tpart
	}{
		{"manufacturer", y.Manufacturer, &t.manufacturer},
		{"model", y.Model, &t.model},
		{"os", y.OS, &t.os},
		{"version", y.Version, &t.version},
	} {
		if *f.dst, err = compile(f.name, f.s.Value); err != nil {
			return t, err
		}
	}
	return t, nil
}

// expand fills in the templated fields of out from the evidence values ev
// of the rule's matchers (one per matcher, in order).
func (r *rule) expand(out *output, ev []Evidence) {
	ms := r.matchers()
	var subs [8][]int // submatch indices per matcher, computed on demand
	exp := func(parts []tpart, dst *string) {
		if parts == nil {
			return
		}
		var b strings.Builder
		for _, p := range parts {
			if p.mi < 0 {
				b.WriteString(p.lit)
				continue
			}
			if p.mi >= len(ev) || p.mi >= len(ms) {
				continue
			}
			v := ev[p.mi].Value
			var idx []int
			if p.mi < len(subs) {
				if subs[p.mi] == nil {
					subs[p.mi] = ms[p.mi].re.FindStringSubmatchIndex(v)
				}
				idx = subs[p.mi]
			} else {
				idx = ms[p.mi].re.FindStringSubmatchIndex(v)
			}
			if 2*p.gi+1 < len(idx) && idx[2*p.gi] >= 0 {
				b.WriteString(v[idx[2*p.gi]:idx[2*p.gi+1]])
			}
		}
		*dst = strings.TrimSpace(b.String())
	}
	exp(r.tmpl.manufacturer, &out.manufacturer)
	exp(r.tmpl.model, &out.model)
	exp(r.tmpl.os, &out.os)
	exp(r.tmpl.version, &out.version)
}

// matchers returns the rule's matchers in evidence order.
func (r *rule) matchers() []*matcher {
	ms := make([]*matcher, 0, len(r.host)+len(r.dicom)+len(r.hl7))
	for _, l := range [][]matcher{r.host, r.dicom, r.hl7} {
		for i := range l {
			ms = append(ms, &l[i])
		}
	}
	return ms
}
