package advisory

import (
	"regexp"
	"strconv"
	"strings"
)

// Versions in advisories are free text: "< 8.2.2", ">= 4.01 | <= 4.34",
// "9.13 | 9.19 | 9.33 | 12.1", "2.X", "<= 12.2.x.x", "B.02 | C.02", "<=N",
// "v8.x (with Wireless Battery Modules v17 | ...)", "9.x model 35700BAX3",
// "2.3.6 and  below", "vers:all/*", "< august 28". parseRange reads what can
// be read and says so; a version is only ever compared when both the
// advisory's range and the device's version parse.

// version is a parsed version: segments compared left to right, numbers
// numerically and letters alphabetically ("2.6A" = 2 . 6 . a, "22D19" = 22 .
// d . 19, "B.02" = b . 2). A number and a letter never compare: such a pair
// makes the comparison unknown, not false.
type version struct {
	segs []vseg
	// wild: the version ended in a wildcard ("2.x", "12.2.x.x"); it stands
	// for every version starting with segs.
	wild bool
}

type vseg struct {
	num   uint64
	alpha string // "" for a numeric segment
}

const (
	maxVersionLen  = 64
	maxVersionSegs = 16
	maxRangeLen    = 512
)

// parseVersion reads one version token. It accepts an optional leading "v",
// segments of digits or letters separated by . - _ + or by a change between
// digits and letters, and trailing wildcards (x, X, *). A token without a
// digit must be one or two letters (Philips revision letters: "N", "K");
// one that starts with three letters is a word or a model number.
func parseVersion(s string) (version, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxVersionLen {
		return version{}, false
	}
	if (s[0] == 'v' || s[0] == 'V') && len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		s = s[1:]
	}
	if !hasDigit(s) && (len(s) > 2 || !isLetters(strings.ToLower(s))) {
		return version{}, false
	}
	if len(s) >= 3 && isLetters(strings.ToLower(s[:3])) {
		return version{}, false // a word or a model number ("MMT-1715"), not a version
	}
	var v version
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' || r == '+' }) {
		if part == "x" || part == "X" || part == "*" {
			v.wild = true
			continue
		}
		if v.wild {
			return version{}, false // a wildcard must end the version
		}
		for part != "" {
			i := 0
			digit := part[0] >= '0' && part[0] <= '9'
			for i < len(part) && (part[i] >= '0' && part[i] <= '9') == digit {
				c := part[i]
				if !digit && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
					return version{}, false
				}
				i++
			}
			seg := part[:i]
			part = part[i:]
			if digit {
				if len(seg) > 18 {
					return version{}, false
				}
				n, _ := strconv.ParseUint(seg, 10, 64)
				v.segs = append(v.segs, vseg{num: n})
			} else {
				v.segs = append(v.segs, vseg{alpha: strings.ToLower(seg)})
			}
			if len(v.segs) > maxVersionSegs {
				return version{}, false
			}
		}
	}
	if len(v.segs) == 0 {
		return version{}, false
	}
	return v, true
}

// compareVersions compares a with b; ok is false when a number meets a
// letter. When b is wild, a is cut to b's length first (a prefix match). A
// missing segment is lower than any present one, except trailing zeros:
// 9.33 = 9.33.0 < 9.33.1, 2.6 < 2.6A.
func compareVersions(a, b version) (c int, ok bool) {
	as, bs := a.segs, b.segs
	if b.wild && len(as) > len(bs) {
		as = as[:len(bs)]
	}
	n := max(len(as), len(bs))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(as):
			if zeros(bs[i:]) {
				return 0, true
			}
			return -1, true
		case i >= len(bs):
			if zeros(as[i:]) {
				return 0, true
			}
			return 1, true
		}
		x, y := as[i], bs[i]
		if (x.alpha == "") != (y.alpha == "") {
			return 0, false
		}
		if x.alpha == "" {
			switch {
			case x.num < y.num:
				return -1, true
			case x.num > y.num:
				return 1, true
			}
			continue
		}
		if c := strings.Compare(x.alpha, y.alpha); c != 0 {
			return c, true
		}
	}
	return 0, true
}

func zeros(s []vseg) bool {
	for _, x := range s {
		if x.alpha != "" || x.num != 0 {
			return false
		}
	}
	return true
}

// versionRange is an advisory's version text, parsed.
type versionRange struct {
	// all: every version is affected ("vers:all/*", "*").
	all bool
	// ok: the text was read completely (all, or intervals).
	ok bool
	// qualified: the text adds a condition Wardwatch cannot check (a
	// parenthesised qualifier such as "with Wireless Battery Modules v17",
	// or text after "*"). A version inside such a range is only "possibly"
	// affected; one outside is still not affected.
	qualified bool
	intervals []interval
	// models are model numbers the text names ("9.x model 35700BAX3").
	models []string
}

type interval struct {
	lo, hi bound
}

type bound struct {
	v    version
	set  bool
	incl bool
}

var (
	modelClause = regexp.MustCompile(`(?i)\bmodels?(\s+numbers?)?\s+([a-z0-9][a-z0-9-]*)`)
	orLess      = regexp.MustCompile(`(?i)\s+(and|or)\s+(below|prior|earlier|lower|older|before)$`)
	priorTo     = regexp.MustCompile(`(?i)^(prior\s+to|before|up\s+to)\s+`)
	through     = regexp.MustCompile(`(?i)^(\S+)\s+(through|thru|to)\s+(\S+)$`)
	noiseWords  = setOf("versions", "version", "release", "releases", "software", "firmware", "sw", "rev", "revision")
)

// parseRange reads an advisory's version text.
func parseRange(s string) versionRange {
	var r versionRange
	t := strings.TrimSpace(s)
	if t == "" || len(t) > maxRangeLen {
		return r
	}
	if strings.HasPrefix(strings.ToLower(t), "vers:") {
		// VERS (the package-URL version range syntax): vers:<scheme>/<constraints>.
		_, cons, ok := strings.Cut(t[len("vers:"):], "/")
		if !ok {
			return r
		}
		t = strings.TrimSpace(cons)
	}
	if m := modelClause.FindAllStringSubmatchIndex(t, 4); m != nil {
		var rest strings.Builder
		prev := 0
		for _, loc := range m {
			r.models = append(r.models, tokenize(t[loc[4]:loc[5]]).nums...)
			rest.WriteString(t[prev:loc[0]])
			prev = loc[1]
		}
		rest.WriteString(t[prev:])
		t = strings.TrimSpace(rest.String())
	}
	if strings.Contains(t, "(") || strings.Contains(t, ")") {
		outside, inside := splitParens(t)
		if strings.TrimSpace(outside) != "" {
			t, r.qualified = outside, true
		} else {
			t = inside
		}
	}
	t = strings.TrimSpace(t)
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(t, "*"):
		r.all, r.ok = true, true
		r.qualified = r.qualified || strings.TrimSpace(t[1:]) != ""
		return r
	case lower == "all" || lower == "all versions":
		r.all, r.ok = true, true
		return r
	case t == "":
		if len(r.models) > 0 {
			// "model 35700BAX" alone names no version: every version.
			r.all, r.ok = true, true
		}
		return r
	}
	cons, ok := parseConstraints(t)
	if !ok {
		return r
	}
	r.intervals = combine(cons)
	r.ok = len(r.intervals) > 0
	return r
}

// splitParens returns s without its parenthesised groups, and the text of
// those groups. An unclosed "(" runs to the end.
func splitParens(s string) (outside, inside string) {
	var out, in strings.Builder
	depth := 0
	for _, c := range s {
		switch {
		case c == '(':
			if depth > 0 {
				in.WriteRune(' ')
			}
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
			if depth > 0 {
				in.WriteRune(' ')
			}
		case depth > 0:
			in.WriteRune(c)
		default:
			out.WriteRune(c)
		}
	}
	return out.String(), in.String()
}

type constraint struct {
	op string // "", "<", "<=", ">", ">="
	v  version
}

// parseConstraints splits t on "|" and reads each part: an optional
// comparator and one version, or a list of exact versions.
func parseConstraints(t string) ([]constraint, bool) {
	var out []constraint
	for _, part := range strings.Split(t, "|") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if m := through.FindStringSubmatch(part); m != nil && !priorTo.MatchString(part) {
			lo, ok1 := parseVersion(m[1])
			hi, ok2 := parseVersion(m[3])
			if !ok1 || !ok2 {
				return nil, false
			}
			out = append(out, constraint{op: ">=", v: lo}, constraint{op: "<=", v: hi})
			continue
		}
		op := ""
		if loc := orLess.FindStringIndex(part); loc != nil {
			part, op = part[:loc[0]], "<="
		} else if loc := priorTo.FindStringIndex(part); loc != nil {
			part, op = part[loc[1]:], "<"
		}
		part = strings.TrimSpace(part)
		if op == "" {
			op, part = cutOperator(part)
		}
		var vs []version
		for _, f := range strings.FieldsFunc(part, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
			if noiseWords[strings.ToLower(f)] {
				continue
			}
			v, ok := parseVersion(f)
			if !ok {
				return nil, false
			}
			vs = append(vs, v)
		}
		switch {
		case len(vs) == 0:
			return nil, false
		case op != "" && len(vs) != 1:
			return nil, false
		}
		for _, v := range vs {
			out = append(out, constraint{op: op, v: v})
		}
		if len(out) > 64 {
			return nil, false
		}
	}
	return out, len(out) > 0
}

func cutOperator(s string) (op, rest string) {
	for _, o := range []string{">=", "<=", "=>", "=<", "==", ">", "<", "="} {
		if strings.HasPrefix(s, o) {
			rest = strings.TrimSpace(s[len(o):])
			switch o {
			case "=>":
				o = ">="
			case "=<":
				o = "<="
			case "==", "=":
				o = ""
			}
			return o, rest
		}
	}
	return "", s
}

// combine turns constraints into intervals the way CISA's trees use them
// (and VERS does): ">= a | <= b" is one interval, a lone "<= b" runs from
// the lowest version, a lone ">= a" to the highest, a bare version is its
// release line (see upper).
func combine(cons []constraint) []interval {
	var out []interval
	var pending *bound
	for _, c := range cons {
		switch c.op {
		case ">", ">=":
			if pending != nil {
				out = append(out, interval{lo: *pending})
			}
			pending = &bound{v: c.v, set: true, incl: c.op == ">="}
		case "<", "<=":
			iv := interval{hi: upper(c.v, c.op == "<=")}
			if pending != nil {
				iv.lo = *pending
				pending = nil
			}
			out = append(out, iv)
		default:
			if pending != nil {
				out = append(out, interval{lo: *pending})
				pending = nil
			}
			out = append(out, interval{lo: bound{v: c.v, set: true, incl: true}, hi: upper(c.v, true)})
		}
	}
	if pending != nil {
		out = append(out, interval{lo: *pending})
	}
	return out
}

// upper is an upper bound. An inclusive one names a release line: "<=
// 9.33" and "9.33" include 9.33.1, as "C.02" includes C.02.01 (advisories
// name releases, devices report builds of them). "< 9.33" excludes all of
// 9.33.
func upper(v version, incl bool) bound {
	if incl {
		v.wild = true
	}
	return bound{v: v, set: true, incl: incl}
}

// contains reports whether v is in the range; ok is false when that cannot
// be told (the text was not readable, or v does not compare with it).
func (r versionRange) contains(v version) (in, ok bool) {
	if r.all {
		return true, true
	}
	if !r.ok {
		return false, false
	}
	// A range that spans several letter series ("<= U61 | <= L81": US and
	// international releases; "B.02 | C.02") compares a version that starts
	// with a letter only with the bounds of its own series.
	lead := leadingAlpha(v)
	series := r.series()
	if lead != "" && len(series) > 1 && !series[lead] {
		return false, false
	}
	unknown := false
	for _, iv := range r.intervals {
		if lead != "" && len(series) > 1 && !iv.inSeries(lead) {
			continue
		}
		in, ok := iv.contains(v)
		if !ok {
			unknown = true
			continue
		}
		if in {
			return true, true
		}
	}
	if unknown {
		return false, false
	}
	return false, true
}

func leadingAlpha(v version) string {
	if len(v.segs) > 0 {
		return v.segs[0].alpha
	}
	return ""
}

// series returns the leading letters of the range's bounds.
func (r versionRange) series() map[string]bool {
	var m map[string]bool
	for _, iv := range r.intervals {
		for _, b := range []bound{iv.lo, iv.hi} {
			if a := leadingAlpha(b.v); b.set && a != "" {
				if m == nil {
					m = map[string]bool{}
				}
				m[a] = true
			}
		}
	}
	return m
}

func (iv interval) inSeries(lead string) bool {
	return iv.lo.set && leadingAlpha(iv.lo.v) == lead || iv.hi.set && leadingAlpha(iv.hi.v) == lead
}

func (iv interval) contains(v version) (in, ok bool) {
	if iv.lo.set {
		c, ok := compareVersions(v, iv.lo.v)
		if !ok {
			return false, false
		}
		if c < 0 || (c == 0 && !iv.lo.incl) {
			return false, true
		}
	}
	if iv.hi.set {
		c, ok := compareVersions(v, iv.hi.v)
		if !ok {
			return false, false
		}
		if c > 0 || (c == 0 && !iv.hi.incl) {
			return false, true
		}
	}
	return true, true
}
