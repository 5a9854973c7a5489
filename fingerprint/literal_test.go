package fingerprint

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// packMatchers are the regexp matchers of the shipped pack's rules.
func packMatchers(tb testing.TB) []*matcher {
	e := defaultEngine(tb)
	var out []*matcher
	for _, r := range e.rules {
		for _, ms := range [][]matcher{r.host, r.dicom, r.hl7, r.unless} {
			for i := range ms {
				if ms[i].re != nil {
					out = append(out, &ms[i])
				}
			}
		}
	}
	return out
}

// variants are texts around a word that a literal set must judge as the
// regexp does: the word in either case, inside other text, cut short, and
// with the non-ASCII letters Go's case folding treats as k and s.
func variants(w string) []string {
	out := []string{w, strings.ToUpper(w), strings.ToLower(w), "x" + w, w + "x", "a " + w + " b", ""}
	if len(w) > 1 {
		out = append(out, w[1:], w[:len(w)-1])
	}
	out = append(out, strings.ReplaceAll(strings.ToLower(w), "k", "\u212a"), strings.ReplaceAll(strings.ToLower(w), "s", "\u017f"))
	return out
}

// TestLiteralSetsMatchRegexps: for every rule expression of the shipped
// pack that has a literal set, the set answers as the regexp does, on its
// own words and their variants and on every value of the project's
// labelled and held-back sets.
func TestLiteralSetsMatchRegexps(t *testing.T) {
	var corpus []string
	for _, f := range []string{"labelled.yml", "captures.yml", "heldback.yml", "heldback2.yml", "heldback3.yml",
		"heldback4.yml", "heldback5.yml", "heldback6.yml", "heldback7.yml", "heldback8.yml", "heldback9.yml"} {
		b, err := os.ReadFile("accuracy/testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if _, v, ok := strings.Cut(l, ": "); ok {
				corpus = append(corpus, strings.Trim(strings.TrimSpace(v), `'"`))
			}
		}
	}
	ms := packMatchers(t)
	with := 0
	for _, m := range ms {
		if m.lit == nil {
			continue
		}
		with++
		texts := corpus
		for _, a := range m.lit.alts {
			texts = append(texts, variants(a.s)...)
		}
		for _, s := range texts {
			if got, want := m.matchString(s), m.re.MatchString(s); got != want {
				t.Errorf("%q on %q: literal set %v, regexp %v", m.re, s, got, want)
			}
		}
	}
	t.Logf("%d of %d rule expressions answered by literal sets", with, len(ms))
	// A guard on the literal compiler, not a quota on rule writing: the
	// word-set rules it answered when it was written (241) still have
	// their sets. Self-descriptions (sysDescr, User-Agents) need patterns.
	if with < 241 {
		t.Errorf("only %d of %d rule expressions have a literal set", with, len(ms))
	}
}

func TestCompileLiteral(t *testing.T) {
	for expr, want := range map[string]string{
		`^MSFT 5\.0$`:             "^MSFT 5.0$",
		`(?i)^(cobas|sysmex)`:     "fold ^cobas|^sysmex",
		`(?i)intellivue`:          "fold intellivue",
		`(?i)(pump|plum)`:         "fold pump|plum",
		`^(BRN|BRW)[0-9A-F]{12}$`: "",           // a repetition: the regexp
		`(?i)^a.b`:                "",           // any character
		`(?i)(a|b)x`:              "fold ax|bx", // the parser's [ABab]
		`x?y`:                     "y|xy",
		`(?m)^a`:                  "", // a line anchor
		`(?i)ab(?-i)c`:            "", // mixed folding
		`a$b`:                     "", // matches nothing: no alternative left
	} {
		ls := compileLiteral(expr)
		got := ""
		if ls != nil {
			var parts []string
			for _, a := range ls.alts {
				p := a.s
				if a.begin {
					p = "^" + p
				}
				if a.end {
					p += "$"
				}
				parts = append(parts, p)
			}
			got = strings.Join(parts, "|")
			if ls.fold {
				got = "fold " + got
			}
		}
		if got != want {
			t.Errorf("compileLiteral(%q) = %q, want %q", expr, got, want)
		}
	}
}

// FuzzLiteralSet: a literal set, when it can tell, answers as the regexp
// does, for any expression it accepts and any text.
func FuzzLiteralSet(f *testing.F) {
	for _, m := range packMatchers(f) {
		f.Add(m.re.String(), "Philips IntelliVue MX800")
	}
	for _, s := range []string{"(?i)^(cobas|sysmex)", `^MSFT 5\.0$`, "(?i)(a|b)x", "x?y", "(?i)kodak"} {
		f.Add(s, "KODAK \u212aodak cobas-8000")
	}
	f.Fuzz(func(t *testing.T, expr, text string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		ls := compileLiteral(expr)
		if ls == nil {
			return
		}
		if got, ok := ls.match(text); ok && got != re.MatchString(text) {
			t.Fatalf("%q on %q: literal set %v, regexp %v", expr, text, got, !got)
		}
	})
}

// TestLiteralSetNoAlloc: a case-insensitive set lowers the text on the
// stack, also a text longer than a conversion's 32-byte buffer.
func TestLiteralSetNoAlloc(t *testing.T) {
	ls := compileLiteral("(?i)(intellivue|alaris)")
	text := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Philips IntelliVue MX800"
	var got bool
	if n := testing.AllocsPerRun(100, func() { got, _ = ls.match(text) }); n != 0 {
		t.Errorf("match allocates %v times", n)
	}
	if !got {
		t.Error("no match")
	}
}
