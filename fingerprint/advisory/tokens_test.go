package advisory

import (
	"slices"
	"strings"
	"testing"
)

// One case per tokenizing rule (tokens.go).
func TestTokenize(t *testing.T) {
	for _, c := range []struct {
		rule, in    string
		words, nums []string
		ranges      []string
	}{
		{"case and punctuation", "IntelliVue: Patient-Worn!", []string{"intellivue", "worn"}, nil, nil},
		{"diacritics fold", "Drägerwerk Évita", []string{"evita"}, nil, nil},
		{"dotted versions dropped", "Xeleris 1.0 / 3.0T Signa v12.1", []string{"signa", "xeleris"}, nil, nil},
		{"model numbers have a digit", "Optima CT660 B450 8015", []string{"optima"}, []string{"8015", "b450", "ct660"}, nil},
		{"single digits are model numbers", "LOGIQ 5", []string{"logiq"}, []string{"5"}, nil},
		{"model range with prefix on both ends", "IntelliVue MX400-MX850", []string{"intellivue"}, nil, []string{"mx400-mx850"}},
		{"model range with prefix on the low end", "MX (MX400-550)", []string{"mx"}, nil, []string{"mx400-mx550"}},
		{"model range of short numbers", "MP2-MP90", nil, nil, []string{"mp2-mp90"}},
		{"a part number is no range", "Part M8096-67501", nil, []string{"67501", "m8096"}, nil},
		{"a descending pair is no range", "MX850-MX400", nil, []string{"mx400", "mx850"}, nil},
		{"slash list inherits the prefix", "MX800/700/600", nil, []string{"mx600", "mx700", "mx800"}, nil},
		{"slash list inherits from the item before", "MP2/X2/MP30/MX700/800", nil, []string{"mp2", "mp30", "mx700", "mx800", "x2"}, nil},
		{"slash list inherits through a hyphen", "VM-400/500", nil, []string{"vm400", "vm500"}, nil},
		{"slash between words splits", "PET/CT Assurity/Allure", []string{"allure", "assurity", "ct", "pet"}, nil, nil},
		{"short prefix hyphen joins", "MMT-1715 CR-IR XC-2", []string{"cr", "ir"}, []string{"mmt1715", "xc2"}, nil},
		{"a word before a short number stays apart", "EPIQ-07", []string{"epiq"}, []string{"07"}, nil},
		{"hyphenated words split", "Point-of-Sale Accu-Chek", []string{"accu", "chek", "point", "sale"}, nil, nil},
		{"underscore splits", "OFFIS_DCMTK_366", []string{"dcmtk"}, []string{"366"}, nil},
		{"glued including is cut", "(includingMP2/X2)", nil, []string{"mp2", "x2"}, nil},
		{"short letters before a number join too", "IntelliBridge EC 40 Hub", []string{"ec", "hub", "intellibridge"}, []string{"40", "ec40"}, nil},
		{"stop words", "the Alaris System Software Model with Version", []string{"alaris"}, nil, nil},
		{"company-name words", "BD Becton Dickinson Welch Allyn Connex", []string{"connex"}, nil, nil},
		{"brand words stay", "Alaris Medical Systems", []string{"alaris"}, nil, nil},
		{"single letters dropped", "Vivid I", []string{"vivid"}, nil, nil},
		{"synonym: point of care unit", "BD Alaris Point-of-Care Unit Model 8015", []string{"alaris", "pcu"}, []string{"8015"}, nil},
		{"synonym: PC unit", "Alaris 8015 PC unit", []string{"alaris", "pcu"}, []string{"8015"}, nil},
		{"synonym: Alaris PC", "BD Alaris PC 8015", []string{"alaris", "pcu"}, []string{"8015"}, nil},
		{"synonym: PIC iX", "Patient Information Center iX", []string{"picix"}, nil, nil},
		{"synonym: IntelliVue Information Center iX", "Philips IntelliVue Information Center iX", []string{"picix"}, nil, nil},
		{"synonym: PIC iX short", "PIC iX", []string{"picix"}, nil, nil},
		{"synonym implies a model number", "Baxter Spectrum IQ", []string{"iq", "spectrum"}, []string{"35700bax3"}, nil},
		{"hostile: invalid UTF-8", "Alaris\xff\xfe PC", []string{"alaris", "pcu"}, nil, nil},
		{"hostile: empty", "", nil, nil, nil},
	} {
		t.Run(c.rule, func(t *testing.T) {
			got := tokenize(c.in)
			var rs []string
			for _, r := range got.ranges {
				rs = append(rs, r.String())
			}
			if !slices.Equal(got.words, c.words) || !slices.Equal(got.nums, c.nums) || !slices.Equal(rs, c.ranges) {
				t.Errorf("tokenize(%q) = words %q nums %q ranges %q; want %q %q %q", c.in, got.words, got.nums, rs, c.words, c.nums, c.ranges)
			}
		})
	}
	long := strings.Repeat("word ", 10000)
	if got := tokenize(long); len(got.words) != 1 {
		t.Errorf("a long string: %q", got.words)
	}
	if got := lex(strings.Repeat("a1 ", 1000)); len(got) > maxTokens {
		t.Errorf("lex kept %d tokens", len(got))
	}
}

// Product names: parentheses are optional words, "not including" is an
// exclusion, model clauses and unreadable versions add model numbers.
func TestProductName(t *testing.T) {
	for _, c := range []struct {
		rule, name, version string
		words, opt, nums    []string
		excl                []string
	}{
		{"parentheses are optional", "BD Alaris Point-of-Care Unit (PCU) Model 8015", "<=12.1.3", []string{"alaris", "pcu"}, nil, []string{"8015"}, nil},
		{"parenthesised words", "Welch Allyn Connex Spot Monitor (CSM)", "<=1.52", []string{"connex", "spot"}, []string{"csm"}, nil, nil},
		{"parenthesised model number", "Valleylab FT10 Energy Platform (VLFT10GEN)", "<= 2.1.0", []string{"energy", "platform", "valleylab"}, nil, []string{"ft10", "vlft10gen"}, nil},
		{"not including", "LOGIQ, not including LOGIQ 100 Pro", "vers:all/*", []string{"logiq"}, nil, nil, []string{"logiq", "pro"}},
		{"model clause in the version", "Baxter Spectrum", "v8.x model 35700BAX2", []string{"spectrum"}, nil, []string{"35700bax2"}, nil},
		{"unreadable version names models", "MiniMed 630G", "MMT-1715 | MMT-1754", []string{"minimed"}, nil, []string{"630g", "mmt1715", "mmt1754"}, nil},
		{"a vendor outside the table is no product word", "Example Medical VitalLink", "", []string{"vitallink"}, nil, nil, nil},
	} {
		t.Run(c.rule, func(t *testing.T) {
			vendor := "Becton, Dickinson and Company (BD)"
			if strings.HasPrefix(c.name, "Example") {
				vendor = "Example Medical"
			}
			p := newProduct("P1", vendor, c.name, c.version, c.name)
			if !slices.Equal(p.tok.words, c.words) || !slices.Equal(p.tok.opt, c.opt) || !slices.Equal(p.tok.nums, c.nums) || !slices.Equal(p.excl.words, c.excl) {
				t.Errorf("%q %q: words %q opt %q nums %q excl %q", c.name, c.version, p.tok.words, p.tok.opt, p.tok.nums, p.excl.words)
			}
		})
	}
}

// One case per rule of comparing a product name with a device field
// (match.go compare).
func TestCompare(t *testing.T) {
	for _, c := range []struct {
		rule, product, field string
		nums                 bool
		want                 level
		conflict             bool
	}{
		{"model number and a word", "Alaris 8015 PC unit", "Alaris PC 8015", true, levelStrong, false},
		{"model number, product has no words", "B450", "CARESCAPE B450", true, levelStrong, false},
		{"model number in a range", "IntelliVue MX400-MX850", "IntelliVue MX800", true, levelStrong, false},
		{"model number outside the range", "IntelliVue MX400-MX850", "IntelliVue MX100", true, levelNone, true},
		{"model numbers differ", "Alaris 8000 PC unit", "Alaris PC 8015", true, levelNone, true},
		{"bare model number", "Alaris 8015 PC unit", "8015", true, levelPartial, false},
		{"model number, other words", "GE Aespire 7100 100", "LOGIQ 100 Pro", true, levelNone, false},
		{"every product word, no numbers", "Alaris PC Unit", "Alaris PC 8015", true, levelStrong, false},
		{"optional words never required", "Connex Spot Monitor (CSM)", "Connex Spot", true, levelStrong, false},
		{"family words, number not confirmed", "Alaris 8015 PC unit", "Alaris PC", true, levelPartial, false},
		{"family words and a word of its own", "FCR XC-2", "FCR PRIMA", true, levelNone, false},
		{"most words", "Pyxis MedStation ES", "Pyxis MedStation 4000", true, levelPartial, false},
		{"too few words", "Alaris Gateway Workstation", "Alaris PC 8015", true, levelNone, false},
		{"two-word product needs both", "Alaris CC", "Alaris PC", true, levelNone, false},
		{"numbers ignored for host names", "Alaris 8000 PC unit", "ALARIS-PC-0042", false, levelPartial, false},
	} {
		t.Run(c.rule, func(t *testing.T) {
			p := newProduct("P", "BD", c.product, "", c.product)
			f := field{f: FieldModel, value: c.field, tok: tokenize(c.field), nums: c.nums, top: levelStrong}
			m := compare(&p.tok, &f)
			if m.lvl != c.want || m.conflict != c.conflict {
				t.Errorf("compare(%q, %q) = level %d conflict %v (%s); want %d %v", c.product, c.field, m.lvl, m.conflict, m.detail(), c.want, c.conflict)
			}
		})
	}
	// A field's ceiling: host names and HL7 application names only ever
	// give "partial".
	p := newProduct("P", "BD", "Alaris PC Unit", "", "")
	f := field{f: FieldHostname, tok: tokenize("ALARIS-PC-0042"), top: levelPartial}
	if m := compare(&p.tok, &f); m.lvl != levelPartial {
		t.Errorf("host name level %d", m.lvl)
	}
}
