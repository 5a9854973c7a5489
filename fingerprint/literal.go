package fingerprint

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Most of the rules' regular expressions name a few words: "(?i)^(cobas|
// sysmex|architect)", "^MSFT 5\.0$", "(?i)intellivue". Go's regexp runs
// those in its backtracker at 1-3 µs a call, and the rules engine calls
// them some 100 times per classification: they were ~60 % of its time,
// and classification the largest step of the store's flush (issue 11).
// A literalSet answers such an expression with plain string comparisons,
// exactly as the regexp would; an expression it cannot express (a
// repetition, a wide class, a multi-line anchor) keeps the regexp.

// literalSet is what a regular expression that matches only a finite set
// of literal words matches: any of alts, each anchored or not.
type literalSet struct {
	fold bool // case-insensitive: alts are lower case, the text is lowered (ASCII only)
	alts []literalAlt
}

type literalAlt struct {
	s          string
	begin, end bool // must start (^) or end ($) the text
}

// Bounds of what compileLiteral expands: a class of more runes than
// maxClassRunes, or an expression of more alternatives than maxAlts,
// keeps the regexp.
const (
	maxClassRunes = 4
	maxAlts       = 64
	// maxFoldText: a longer text for a case-insensitive set goes to the
	// regexp (the set lowers the text into a buffer on the stack).
	maxFoldText = 256
)

// compileLiteral returns the literal set of expr, or nil when expr is not
// one (then the caller keeps the regexp).
func compileLiteral(expr string) *literalSet {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	fold := -1 // unknown yet; 0 or 1 once a literal is seen
	alts, ok := expandLiteral(re, &fold)
	if !ok || len(alts) == 0 {
		return nil
	}
	ls := &literalSet{fold: fold == 1}
	seen := map[literalAlt]bool{}
	for _, a := range alts {
		if ls.fold {
			a.s = strings.ToLower(a.s)
		}
		if !seen[a] {
			seen[a] = true
			ls.alts = append(ls.alts, a)
		}
	}
	return ls
}

// expandLiteral lists the alternatives re matches. fold is the case
// folding of its literals, which must be the same for all (-1 before the
// first).
func expandLiteral(re *syntax.Regexp, fold *int) ([]literalAlt, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []literalAlt{{}}, true
	case syntax.OpBeginText:
		return []literalAlt{{begin: true}}, true
	case syntax.OpEndText:
		return []literalAlt{{end: true}}, true
	case syntax.OpLiteral:
		f := 0
		if re.Flags&syntax.FoldCase != 0 {
			f = 1
		}
		if !sameFold(fold, f) {
			return nil, false
		}
		s := string(re.Rune)
		if !isASCII(s) {
			return nil, false
		}
		return []literalAlt{{s: s}}, true
	case syntax.OpCharClass:
		return expandClass(re, fold)
	case syntax.OpCapture:
		return expandLiteral(re.Sub[0], fold)
	case syntax.OpQuest:
		sub, ok := expandLiteral(re.Sub[0], fold)
		if !ok {
			return nil, false
		}
		return append([]literalAlt{{}}, sub...), len(sub)+1 <= maxAlts
	case syntax.OpAlternate:
		var out []literalAlt
		for _, s := range re.Sub {
			sub, ok := expandLiteral(s, fold)
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
			if len(out) > maxAlts {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		out := []literalAlt{{}}
		for _, s := range re.Sub {
			sub, ok := expandLiteral(s, fold)
			if !ok {
				return nil, false
			}
			var next []literalAlt
			for _, a := range out {
				for _, b := range sub {
					if c, ok := concatAlt(a, b); ok {
						next = append(next, c)
					}
				}
			}
			if len(next) > maxAlts {
				return nil, false
			}
			out = next
		}
		return out, true
	}
	return nil, false // repetition, any character, line anchors, word boundaries
}

// concatAlt is a followed by b, and false when that can match no text: text
// after the end ($x), or a start after text (x^).
func concatAlt(a, b literalAlt) (literalAlt, bool) {
	if a.end && b.s != "" || b.begin && a.s != "" {
		return literalAlt{}, false
	}
	return literalAlt{s: a.s + b.s, begin: a.begin || b.begin, end: a.end || b.end}, true
}

// expandClass lists the runes of a small ASCII class: a class closed under
// ASCII case (the parser's form of a case-folded letter) as folded lower
// case letters, one without letters as either, any other as not folded.
func expandClass(re *syntax.Regexp, fold *int) ([]literalAlt, bool) {
	var runes []rune
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi >= utf8.RuneSelf || hi-lo+1 > maxClassRunes {
			return nil, false
		}
		for r := lo; r <= hi; r++ {
			runes = append(runes, r)
			if len(runes) > maxClassRunes {
				return nil, false
			}
		}
	}
	if len(runes) == 0 {
		return nil, false
	}
	// A class closed under ASCII case ([Aa], [ABab]: the parser's form of
	// (?i)a or (?i)(a|b)) is folded; one without letters fits either; any
	// other is not folded. Go widens (?i)k and (?i)s with non-ASCII runes,
	// so those classes were refused above.
	in := map[rune]bool{}
	letters, closed := false, true
	for _, r := range runes {
		in[r] = true
	}
	for _, r := range runes {
		if o := swapCase(r); o != r {
			letters = true
			if !in[o] {
				closed = false
			}
		}
	}
	switch {
	case !letters:
	case closed:
		if !sameFold(fold, 1) {
			return nil, false
		}
	default:
		if !sameFold(fold, 0) {
			return nil, false
		}
	}
	var out []literalAlt
	done := map[string]bool{}
	for _, r := range runes {
		s := string(r)
		if letters && closed {
			s = strings.ToLower(s)
		}
		if !done[s] {
			done[s] = true
			out = append(out, literalAlt{s: s})
		}
	}
	return out, true
}

// swapCase is r in the other ASCII case, r itself if not a letter.
func swapCase(r rune) rune {
	switch {
	case 'a' <= r && r <= 'z':
		return r - 'a' + 'A'
	case 'A' <= r && r <= 'Z':
		return r - 'A' + 'a'
	}
	return r
}

// sameFold records f as the expression's folding, or reports that it
// differs from what was recorded.
func sameFold(fold *int, f int) bool {
	if *fold == -1 {
		*fold = f
	}
	return *fold == f
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// match reports whether the set matches text, and false for ok when it
// cannot tell (a case-insensitive set and a text with non-ASCII letters,
// which Go folds more widely, or one too long): then the caller asks the
// regexp.
func (ls *literalSet) match(text string) (matched, ok bool) {
	if ls.fold {
		if len(text) > maxFoldText || !isASCII(text) {
			return false, false
		}
		var buf [maxFoldText]byte
		b := buf[:len(text)]
		for i := 0; i < len(text); i++ {
			c := text[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		// A string over the stack buffer, not a copy (a conversion
		// allocates for a text of more than 32 bytes): matchExact keeps
		// no part of it.
		return ls.matchExact(unsafe.String(unsafe.SliceData(b), len(b))), true
	}
	return ls.matchExact(text), true
}

func (ls *literalSet) matchExact(text string) bool {
	for _, a := range ls.alts {
		var m bool
		switch {
		case a.begin && a.end:
			m = text == a.s
		case a.begin:
			m = strings.HasPrefix(text, a.s)
		case a.end:
			m = strings.HasSuffix(text, a.s)
		default:
			m = strings.Contains(text, a.s)
		}
		if m {
			return true
		}
	}
	return false
}

// matchString reports whether m's expression matches s: by its literal set
// when it has one and can tell, else by the regexp.
func (m *matcher) matchString(s string) bool {
	if m.lit != nil {
		if v, ok := m.lit.match(s); ok {
			return v
		}
	}
	return m.re.MatchString(s)
}
