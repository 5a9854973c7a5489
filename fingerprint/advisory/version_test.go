package advisory

import (
	"fmt"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		segs string
		wild bool
	}{
		{"9.33.1", true, "9 33 1", false},
		{"v12.1", true, "12 1", false},
		{"2.6A", true, "2 6 a", false},
		{"22D19", true, "22 d 19", false},
		{"B.02", true, "b 2", false},
		{"R4.1L1", true, "r 4 1 l 1", false},
		{"5.17.1-754993421", true, "5 17 1 754993421", false},
		{"2023.3_Build_9342", true, "2023 3 build 9342", false},
		{"N", true, "n", false},
		{"2.X", true, "2", true},
		{"12.2.x.x", true, "12 2", true},
		{"x", false, "", false},
		{"2.x.3", false, "", false},
		{"august", false, "", false},
		{"MMT-1715", false, "", false},
		{"LPI", false, "", false},
		{"8/30/2024", false, "", false},
		{"", false, "", false},
		{"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17", false, "", false},
		{"99999999999999999999", false, "", false},
	} {
		v, ok := parseVersion(c.in)
		if ok != c.ok || ok && (segString(v) != c.segs || v.wild != c.wild) {
			t.Errorf("parseVersion(%q) = %q wild %v ok %v; want %q %v %v", c.in, segString(v), v.wild, ok, c.segs, c.wild, c.ok)
		}
	}
}

func segString(v version) string {
	s := ""
	for i, x := range v.segs {
		if i > 0 {
			s += " "
		}
		if x.alpha != "" {
			s += x.alpha
		} else {
			s += fmt.Sprint(x.num)
		}
	}
	return s
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
		ok   bool
	}{
		{"9.33", "9.33.0", 0, true},
		{"9.33", "9.33.1", -1, true},
		{"9.5", "9.33", -1, true},
		{"2.6", "2.6A", -1, true},
		{"2.6A", "2.7A", -1, true},
		{"M", "N", -1, true},
		{"C.02.01", "C.03", -1, true},
		{"2.0", "B.02", 0, false},
		{"12.2.8.0", "12.2.x", 0, true},
		{"12.3", "12.2.x", 1, true},
	} {
		a, _ := parseVersion(c.a)
		b, _ := parseVersion(c.b)
		got, ok := compareVersions(a, b)
		if got != c.want || ok != c.ok {
			t.Errorf("compare(%q, %q) = %d %v; want %d %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
}

// Version texts of the ICSMA product trees, and what a device version
// makes of them: "in", "out", or "?" (cannot tell).
func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		text      string
		ok, all   bool
		qualified bool
		models    string
		versions  map[string]string
	}{
		{"vers:all/*", true, true, false, "", map[string]string{"1.0": "in", "B.02": "in"}},
		{"< 8.2.2", true, false, false, "", map[string]string{"8.2.1": "in", "8.2.2": "out", "8.2.2.1": "out", "B": "?"}},
		{"<= 9.33", true, false, false, "", map[string]string{"9.19": "in", "9.33": "in", "9.33.1": "in", "9.34": "out"}},
		{"<=12.1.3", true, false, false, "", map[string]string{"12.1.3": "in", "12.3.1": "out"}},
		{">= 4.01 | <= 4.34", true, false, false, "", map[string]string{"4.0": "out", "4.1": "in", "4.34": "in", "4.35": "out"}},
		{">= 1.3.4 | < 1.5.3", true, false, false, "", map[string]string{"1.5.2": "in", "1.5.3": "out"}},
		{"9.13 | 9.19 | 9.33 | 12.1", true, false, false, "", map[string]string{"9.19": "in", "9.19.2": "in", "9.2": "out", "12.1.0": "in", "12.3": "out"}},
		{"2.X", true, false, false, "", map[string]string{"2.0": "in", "2.9.1": "in", "3.0": "out", "1.9": "out"}},
		{"<= 12.2.x.x", true, false, false, "", map[string]string{"12.2.8.410": "in", "12.3": "out"}},
		{"< 3.x", true, false, false, "", map[string]string{"2.9": "in", "3.0": "out"}},
		{"B.02 | C.02 | C.03", true, false, false, "", map[string]string{"C.02": "in", "C.02.01": "in", "C.04": "out", "D.01": "?", "2.0": "?"}},
		{"<=N", true, false, false, "", map[string]string{"M": "in", "M.00.03": "in", "P": "out"}},
		{"<= U61 |<= L81", true, false, false, "", map[string]string{"U55": "in", "U62": "out", "L90": "out", "A10": "?"}},
		{"2.3.6 and  below", true, false, false, "", map[string]string{"2.3.6": "in", "2.3.7": "out"}},
		{"(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", true, false, false, "", map[string]string{"1.4.1": "in", "1.4.2": "out"}},
		{"9.x model 35700BAX3", true, false, false, "35700bax3", map[string]string{"9.1": "in", "8.5": "out"}},
		{"v8.x (with Wireless Battery Modules v17 | v17D19 | >= v20D29 | <= v20D32)", true, false, true, "", map[string]string{"8.2": "in", "9.0": "out"}},
		{"* (end-of-life 2011)", true, true, true, "", nil},
		{"vers:generic/>=2.0|<2.4.1", true, false, false, "", map[string]string{"2.3.9": "in", "2.4.1": "out", "1.9": "out"}},
		{"1.0 through 1.4", true, false, false, "", map[string]string{"1.2": "in", "1.5": "out"}},
		{"prior to 7.6.2", true, false, false, "", map[string]string{"7.6.1": "in", "7.6.2": "out"}},
		{"< august 28", false, false, false, "", map[string]string{"1.0": "?"}},
		{"<8/30/2024", false, false, false, "", nil},
		{"A10 < A11", false, false, false, "", nil},
		{"Rev J-M", false, false, false, "", nil},
		{"MMT-1715 | MMT-1754", false, false, false, "", nil},
		{"1.3.1 Build 13", false, false, false, "", nil},
		{"", false, false, false, "", nil},
	} {
		r := parseRange(c.text)
		if r.ok != c.ok || r.all != c.all || r.qualified != c.qualified || fmt.Sprint(r.models) != fmt.Sprint(splitOrNil(c.models)) {
			t.Errorf("parseRange(%q) = ok %v all %v qualified %v models %v", c.text, r.ok, r.all, r.qualified, r.models)
			continue
		}
		for v, want := range c.versions {
			pv, ok := parseVersion(v)
			if !ok {
				t.Fatalf("test version %q does not parse", v)
			}
			in, ok := r.contains(pv)
			got := "?"
			if ok && in {
				got = "in"
			} else if ok {
				got = "out"
			}
			if got != want {
				t.Errorf("%q contains %q: %s, want %s", c.text, v, got, want)
			}
		}
	}
}

func splitOrNil(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Every version text of the ICSMA set parses without panicking; the share
// that is machine-readable is what docs/advisories.md states.
func TestParseRangeICSMA(t *testing.T) {
	s, _ := icsma(t)
	total, readable := 0, 0
	for _, a := range s.Advisories() {
		for _, p := range a.Products {
			total++
			if p.Readable {
				readable++
			}
		}
	}
	t.Logf("%d of %d version texts machine-readable", readable, total)
	if total != 607 || readable != 516 {
		t.Errorf("%d of %d version texts readable; docs/advisories.md says 516 of 607", readable, total)
	}
}
