package advisory

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Product and device strings are compared as token sets, never as raw
// strings: "BD Alaris Point-of-Care Unit (PCU) Model 8015", "Alaris PC Unit
// Model 8015" and a device's "Alaris PC 8015" all become the words
// {alaris, pcu} and the model number {8015}.
//
// lex splits a string into lowercase ASCII tokens in order:
//   - letters are folded (ä→ae, é→e, ...); anything else that is not a letter
//     or digit separates tokens;
//   - a dotted token with a digit ("2.3.6", "3.0T", "v12.1") is a version or
//     a measurement, never a name, and is dropped;
//   - a model range with a letter prefix ("MX400-MX850", "MX400-550",
//     "MP2-MP90") becomes one range token;
//   - in a slash list an item of bare digits inherits the letter prefix of
//     the item before it ("MX800/700/600" → mx800 mx700 mx600); other
//     slash lists split ("PET/CT" → pet ct);
//   - a short letter prefix hyphenated to a number joins ("MMT-1715" →
//     mmt1715, "XC-2" → xc2, not "EPIQ-07"); other hyphenated words split
//     ("Point-of-Care").
//
// tokenize then rewrites synonym phrases (synonyms in alias.go), adds the
// model numbers some phrases imply, and sorts tokens into distinctive words
// and model numbers (anything with a digit). Stop words and company-name
// words are dropped from the words; single letters are dropped. A short
// letter token followed by a number also yields the joined form ("EC 40" →
// 40 and ec40), so "EC 40" and "EC40" agree.

// tok is one lexed token: a word or number, or a model range.
type tok struct {
	text string
	rng  *modelRange
}

// modelRange is a run of model numbers with one letter prefix, e.g.
// MX400-MX850 = {mx, 400, 850}.
type modelRange struct {
	prefix string
	lo, hi int
}

func (r modelRange) String() string {
	return r.prefix + strconv.Itoa(r.lo) + "-" + r.prefix + strconv.Itoa(r.hi)
}

// contains reports whether the model number n ("mx800") falls in r.
func (r modelRange) contains(n string) bool {
	if !strings.HasPrefix(n, r.prefix) {
		return false
	}
	digits := n[len(r.prefix):]
	if digits == "" || len(digits) > 9 {
		return false
	}
	v, err := strconv.Atoi(digits)
	return err == nil && v >= r.lo && v <= r.hi
}

// maxTokens bounds the work on one string: product names and device fields
// are short, anything longer is hostile or not a name.
const maxTokens = 64

// fold lowercases s and maps letters with diacritics to ASCII; every other
// rune that is not an ASCII letter or digit becomes c (a separator).
func fold(s string, sep byte) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == '-' || r == '/' || r == '.' || r == '_':
			b.WriteRune(r)
		default:
			if m, ok := foldMap[r]; ok {
				b.WriteString(m)
			} else {
				b.WriteByte(sep)
			}
		}
	}
	return b.String()
}

var foldMap = map[rune]string{
	'ä': "ae", 'Ä': "ae", 'ö': "oe", 'Ö': "oe", 'ü': "ue", 'Ü': "ue", 'ß': "ss",
	'á': "a", 'à': "a", 'â': "a", 'å': "a", 'ã': "a", 'Á': "a", 'À': "a", 'Â': "a", 'Å': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "e", 'È': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'ø': "o", 'Ó': "o", 'Ø': "o",
	'ú': "u", 'ù': "u", 'û': "u",
	'ñ': "n", 'ç': "c", 'Ç': "c",
}

// lex splits s into tokens as described above.
func lex(s string) []tok {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	var out []tok
	for _, chunk := range strings.Fields(fold(s, ' ')) {
		if len(out) >= maxTokens {
			break
		}
		out = lexChunk(out, strings.Trim(chunk, "-/._"))
	}
	if len(out) > maxTokens {
		out = out[:maxTokens]
	}
	return out
}

func lexChunk(out []tok, c string) []tok {
	if c == "" {
		return out
	}
	if strings.HasPrefix(c, "including") && len(c) > len("including") {
		c = c[len("including"):] // "(includingMP2/X2/...)" in icsma-18-156-01
	}
	if strings.Contains(c, ".") {
		if hasDigit(c) {
			return out // a version or a measurement
		}
		for _, p := range strings.Split(c, ".") {
			out = lexChunk(out, p)
		}
		return out
	}
	if r, ok := parseModelRange(c); ok {
		return append(out, tok{rng: &r})
	}
	if strings.Contains(c, "/") {
		return lexSlash(out, c)
	}
	if strings.Contains(c, "-") || strings.Contains(c, "_") {
		if j := joinHyphen(c); j != c {
			return append(out, tok{text: j})
		}
		for _, p := range strings.FieldsFunc(c, func(r rune) bool { return r == '-' || r == '_' }) {
			out = lexChunk(out, p)
		}
		return out
	}
	return append(out, tok{text: c})
}

// lexSlash handles "MX800/700/600" (an item of bare digits inherits the
// letter prefix of the item before it) and "PET/CT".
func lexSlash(out []tok, c string) []tok {
	prefix, digits := "", ""
	for _, p := range strings.Split(c, "/") {
		if isDigits(p) && prefix != "" && len(p) == len(digits) {
			out = append(out, tok{text: prefix + p})
			continue
		}
		if pp, dd, ss := splitModel(joinHyphen(p)); pp != "" && dd != "" && ss == "" {
			prefix, digits = pp, dd
		} else if !isDigits(p) {
			prefix, digits = "", ""
		}
		out = lexChunk(out, p)
	}
	return out
}

// joinHyphen joins a short letter prefix hyphenated to a number
// ("mmt-1715" → "mmt1715", "xc-2" → "xc2"); a longer word before a short
// number stays apart ("epiq-07" is a host name); anything else comes back
// unchanged.
func joinHyphen(c string) string {
	parts := strings.FieldsFunc(c, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 2 && isLetters(parts[0]) && len(parts[0]) <= 4 && startsDigit(parts[1]) && isAlnum(parts[1]) &&
		(len(parts[0]) <= 2 || len(parts[1]) >= 3) {
		return parts[0] + parts[1]
	}
	return c
}

// parseModelRange recognises "mx400-mx850", "mx400-550" and "mp2-mp90": a
// letter prefix of 1-4 letters, a number, a hyphen, the same prefix (or
// none) and a larger number.
func parseModelRange(c string) (modelRange, bool) {
	a, b, ok := strings.Cut(c, "-")
	if !ok || strings.Contains(b, "-") {
		return modelRange{}, false
	}
	pa, da, sa := splitModel(a)
	pb, db, sb := splitModel(b)
	if pa == "" || len(pa) > 4 || da == "" || db == "" || sa != "" || sb != "" || (pb != "" && pb != pa) {
		return modelRange{}, false
	}
	if pb == "" && len(da) != len(db) {
		return modelRange{}, false // "M8096-67501" is a part number
	}
	if len(da) > 9 || len(db) > 9 {
		return modelRange{}, false
	}
	lo, _ := strconv.Atoi(da)
	hi, _ := strconv.Atoi(db)
	if hi <= lo {
		return modelRange{}, false
	}
	return modelRange{prefix: pa, lo: lo, hi: hi}, true
}

// splitModel splits "mx800" into ("mx", "800", "") and "nm750b" into ("nm",
// "750", "b"); anything else gives empty digits.
func splitModel(s string) (prefix, digits, suffix string) {
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	k := j
	for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
		k++
	}
	if k != len(s) || j == i {
		return "", "", ""
	}
	return s[:i], s[i:j], s[j:]
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

func startsDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// tokens is a string reduced to what matching compares.
type tokens struct {
	words  []string     // distinctive words, sorted, unique
	opt    []string     // optional words (a product name's parentheses), sorted, unique
	nums   []string     // model numbers (tokens with a digit), sorted, unique
	ranges []modelRange // model ranges
}

func (t tokens) empty() bool {
	return len(t.words) == 0 && len(t.opt) == 0 && len(t.nums) == 0 && len(t.ranges) == 0
}

// tokenize reduces s to words and model numbers (see the comment at the top
// of this file).
func tokenize(s string) tokens {
	return classify(rewrite(lex(s)))
}

// rewrite applies the synonym table and the model numbers phrases imply.
func rewrite(ts []tok) []tok {
	if len(ts) == 0 {
		return ts
	}
	out := make([]tok, 0, len(ts)+2)
	for i := 0; i < len(ts); {
		if ts[i].rng == nil {
			if syn, n := matchSynonym(ts, i); n > 0 {
				for _, w := range syn.to {
					out = append(out, tok{text: w})
				}
				for _, m := range syn.implies {
					out = append(out, tok{text: m})
				}
				i += n
				continue
			}
		}
		out = append(out, ts[i])
		i++
	}
	return out
}

func matchSynonym(ts []tok, i int) (synonym, int) {
	for _, s := range synonyms {
		if i+len(s.from) > len(ts) {
			continue
		}
		ok := true
		for j, w := range s.from {
			if ts[i+j].rng != nil || ts[i+j].text != w {
				ok = false
				break
			}
		}
		if ok {
			return s, len(s.from)
		}
	}
	return synonym{}, 0
}

// classify sorts tokens into words and model numbers.
func classify(ts []tok) tokens {
	var t tokens
	for i, x := range ts {
		if x.rng != nil {
			t.ranges = append(t.ranges, *x.rng)
			continue
		}
		w := x.text
		if hasDigit(w) {
			t.nums = append(t.nums, w)
			continue
		}
		if len(w) <= 2 && i+1 < len(ts) && ts[i+1].rng == nil && isDigits(ts[i+1].text) && !stopWords[w] {
			t.nums = append(t.nums, w+ts[i+1].text)
		}
		if len(w) < 2 || stopWords[w] || vendorWords[w] {
			continue
		}
		t.words = append(t.words, w)
	}
	t.words = sortUnique(t.words)
	t.nums = sortUnique(t.nums)
	return t
}

func sortUnique(s []string) []string {
	if len(s) < 2 {
		return s
	}
	// insertion sort: token lists are short
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

func containsSorted(s []string, v string) bool {
	lo, hi := 0, len(s)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case s[m] == v:
			return true
		case s[m] < v:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

// eachCommon calls f with each element common to two sorted unique lists.
func eachCommon(a, b []string, f func(string)) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			f(a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
}

// intersect returns the common elements of two sorted unique lists.
func intersect(a, b []string) []string {
	var out []string
	eachCommon(a, b, func(s string) { out = append(out, s) })
	return out
}

// countCommon counts the common elements of two sorted unique lists.
func countCommon(a, b []string) int {
	n := 0
	eachCommon(a, b, func(string) { n++ })
	return n
}

// stopWords carry no product identity: generic nouns of product names,
// connectives and the words CISA's product trees put around names.
var stopWords = setOf(
	"a", "an", "and", "or", "of", "for", "in", "on", "by", "to", "as", "at", "the", "with", "without", "via",
	"all", "only", "new", "not", "no", "including", "includes", "included", "excluding", "except",
	"unit", "units", "system", "systems", "software", "firmware", "sw", "hardware", "model", "models",
	"series", "family", "device", "devices", "product", "products", "version", "versions", "release",
	"based", "application", "applications", "app", "module", "modules", "number", "edition",
	"medical", "healthcare", "health", "patient", "monitor", "monitors", "monitoring", "pump", "pumps",
	"used", "running", "shipped", "between", "through", "option", "options", "integrated", "into",
	"part", "installed", "previously", "sold", "supported", "longer", "end", "life", "old",
	"unsupported", "operating", "prior", "earlier", "later", "below", "above", "and", "build",
	"inc", "corp", "co", "ltd", "llc", "gmbh", "ag", "bv", "sa", "oy", "kg", "aa", "plc", "limited",
	"corporation", "company", "incorporated",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
