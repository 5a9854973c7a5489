package advisory

import "strings"

// AliasKind says where an alias is looked for.
type AliasKind string

const (
	// AliasName is a company name. On a device it must start the field
	// (IEEE OUI organisation, manufacturer, DHCP vendor class, model, an HL7
	// equipment id component); in an advisory it may stand anywhere in the
	// vendor branch ("Silex Technology and GE Healthcare") or the product
	// name ("Welch Allyn Connex Spot Monitor" under Baxter).
	AliasName AliasKind = "name"
	// AliasBrand is a product brand that only one vendor uses. It is looked
	// for anywhere in a device's model, DHCP vendor class, host name and HL7
	// application and equipment ids, never in an advisory (a brand in a
	// product name does not change the advisory's vendor).
	AliasBrand AliasKind = "brand"
	// AliasDICOMRoot is the start of a DICOM implementation class UID
	// (whole components), the organisation's registered UID root.
	AliasDICOMRoot AliasKind = "dicom_root"
	// AliasDICOMVersion is the start of a DICOM implementation version name.
	AliasDICOMVersion AliasKind = "dicom_version"
)

// AliasScope limits a company-name alias to one side.
type AliasScope string

const (
	ScopeBoth     AliasScope = ""         // devices and advisories
	ScopeDevice   AliasScope = "device"   // only device fields (an IEEE registry spelling)
	ScopeAdvisory AliasScope = "advisory" // only advisories (a misspelling another company owns)
)

// Alias maps one spelling to a canonical vendor.
type Alias struct {
	Vendor string     // canonical vendor, as Match output names it
	Kind   AliasKind  //
	Text   string     // the spelling, as written by the vendor
	Scope  AliasScope // AliasName only
	Note   string     // why, where not obvious
}

// aliases is Wardwatch's own vendor alias table, written from the vendor
// strings of the CISA ICS medical advisories (github.com/cisagov/CSAF,
// csaf_files/OT/white), the IEEE registry organisations of the same
// companies, the manufacturer names configs/fingerprints.yml assigns, the
// DICOM UID roots that file already uses and the companies' public product
// names. Company-name and brand spellings are compared as token sequences
// (see tokens.go), so case, punctuation, "&" and diacritics do not matter
// ("Becton, Dickinson  and Company" = "becton dickinson and company").
var aliases = []Alias{
	// BD: Becton, Dickinson and Company, which bought CareFusion (Alaris,
	// Pyxis) in 2015. Advisories write "Becton, Dickinson and Company (BD)";
	// the IEEE registry has "Becton, Dickinson  and Company", "Carefusion",
	// "ALARIS MEDICAL SYSTEMS, INC." and "Alaris, Inc.".
	{Vendor: "BD", Kind: AliasName, Text: "BD"},
	{Vendor: "BD", Kind: AliasName, Text: "Becton Dickinson"},
	{Vendor: "BD", Kind: AliasName, Text: "Becton, Dickinson and Company"},
	{Vendor: "BD", Kind: AliasName, Text: "CareFusion", Note: "acquired by BD in 2015 (Alaris, Pyxis)"},
	{Vendor: "BD", Kind: AliasName, Text: "Alaris Medical Systems"},
	{Vendor: "BD", Kind: AliasName, Text: "Alaris, Inc.", Scope: ScopeDevice,
		Note: "IEEE registry; in an advisory \"Alaris\" alone is a product name (icsma-20-343-01 lists \"Alaris PC Unit\" under GE Healthcare)"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Alaris"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Guardrails", Note: "Alaris dose-error software, also an HL7 application name"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Pyxis"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Kiestra"},
	{Vendor: "BD", Kind: AliasBrand, Text: "FACSLyric"},
	{Vendor: "BD", Kind: AliasBrand, Text: "FACSChorus"},
	{Vendor: "BD", Kind: AliasBrand, Text: "BodyGuard"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Totalys"},
	{Vendor: "BD", Kind: AliasBrand, Text: "Synapsys"},

	// Philips ("Phillips" in two advisories).
	{Vendor: "Philips", Kind: AliasName, Text: "Philips"},
	{Vendor: "Philips", Kind: AliasName, Text: "Phillips", Scope: ScopeAdvisory,
		Note: "misspelling in icsma-18-025-01 and icsma-18-058-02; \"Phillips Machine & Welding\" owns it in the IEEE registry"},
	{Vendor: "Philips", Kind: AliasName, Text: "Koninklijke Philips"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "IntelliVue"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "IntelliSpace"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "IntelliBridge"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "Xcelera"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "SureSigns"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "PageWriter"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "Efficia"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "DigitalDiagnost"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "Brilliance"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "EPIQ"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "Affiniti"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "ClearVue"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "DoseWise"},
	{Vendor: "Philips", Kind: AliasBrand, Text: "HealthSuite"},

	// GE Healthcare ("General Electric (GE)" in two advisories). The IEEE
	// registry has "GE Healthcare", "GE Medical System(China) Co., Ltd." and
	// "DATEX DIVISION OF" (Datex-Ohmeda); other GE divisions (Appliances,
	// Aviation, Lighting, ...) are deliberately not aliases.
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "GE Healthcare"},
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "GE Medical"},
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "GEHC"},
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "General Electric (GE)", Note: "advisory spelling (icsma-19-190-01, icsma-20-023-01)"},
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "Datex-Ohmeda"},
	{Vendor: "GE Healthcare", Kind: AliasName, Text: "Datex Division of", Note: "IEEE registry spelling"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "CARESCAPE"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "ApexPro"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "LOGIQ"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Voluson"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Centricity"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Signa"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Aisys"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Aespire"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Aestiva"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Senographe"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Brivo"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Xeleris"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "EchoPAC"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "LightSpeed"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "BrightSpeed"},
	{Vendor: "GE Healthcare", Kind: AliasBrand, Text: "Definium"},
	{Vendor: "GE Healthcare", Kind: AliasDICOMRoot, Text: "1.2.840.113619", Note: "GE Healthcare's UID root"},

	// Baxter, which bought Hillrom (and with it Welch Allyn) in 2021.
	{Vendor: "Baxter", Kind: AliasName, Text: "Baxter"},
	{Vendor: "Baxter", Kind: AliasName, Text: "Baxter International"},
	{Vendor: "Baxter", Kind: AliasBrand, Text: "Sigma Spectrum"},
	{Vendor: "Baxter", Kind: AliasBrand, Text: "Spectrum IQ"},
	{Vendor: "Baxter", Kind: AliasBrand, Text: "ExactaMix"},
	{Vendor: "Baxter", Kind: AliasBrand, Text: "PrisMax"},
	{Vendor: "Baxter", Kind: AliasBrand, Text: "PrismaFlex"},
	{Vendor: "Hillrom", Kind: AliasName, Text: "Hillrom"},
	{Vendor: "Hillrom", Kind: AliasName, Text: "Hill-Rom"},
	{Vendor: "Hillrom", Kind: AliasName, Text: "Welch Allyn", Note: "Hillrom brand; Baxter advisories name products \"Welch Allyn ...\""},
	{Vendor: "Hillrom", Kind: AliasBrand, Text: "Connex"},

	{Vendor: "Medtronic", Kind: AliasName, Text: "Medtronic"},
	{Vendor: "Medtronic", Kind: AliasName, Text: "Covidien", Note: "Valleylab energy platforms"},
	{Vendor: "Medtronic", Kind: AliasBrand, Text: "CareLink"},
	{Vendor: "Medtronic", Kind: AliasBrand, Text: "MyCareLink"},
	{Vendor: "Medtronic", Kind: AliasBrand, Text: "MiniMed"},
	{Vendor: "Medtronic", Kind: AliasBrand, Text: "Valleylab"},
	{Vendor: "Medtronic", Kind: AliasBrand, Text: "Paceart"},

	{Vendor: "B. Braun", Kind: AliasName, Text: "B. Braun"},
	{Vendor: "B. Braun", Kind: AliasName, Text: "B.Braun Melsungen"},
	{Vendor: "B. Braun", Kind: AliasName, Text: "BBraun"},
	{Vendor: "B. Braun", Kind: AliasBrand, Text: "SpaceCom"},
	{Vendor: "B. Braun", Kind: AliasBrand, Text: "SpaceStation"},
	{Vendor: "B. Braun", Kind: AliasBrand, Text: "Infusomat"},
	{Vendor: "B. Braun", Kind: AliasBrand, Text: "Perfusor"},

	{Vendor: "Fresenius Kabi", Kind: AliasName, Text: "Fresenius Kabi"},
	{Vendor: "Fresenius Kabi", Kind: AliasName, Text: "Fresenius-Vial", Note: "IEEE registry spelling; Fresenius Medical Care is another company"},
	{Vendor: "Fresenius Kabi", Kind: AliasBrand, Text: "Agilia"},
	{Vendor: "Fresenius Kabi", Kind: AliasBrand, Text: "Volumat"},

	{Vendor: "Smiths Medical", Kind: AliasName, Text: "Smiths Medical"},
	{Vendor: "Smiths Medical", Kind: AliasBrand, Text: "Medfusion"},
	{Vendor: "Smiths Medical", Kind: AliasBrand, Text: "CADD"},

	{Vendor: "Dräger", Kind: AliasName, Text: "Dräger"},
	{Vendor: "Dräger", Kind: AliasName, Text: "Draeger"},
	{Vendor: "Dräger", Kind: AliasName, Text: "Drägerwerk"},
	{Vendor: "Dräger", Kind: AliasBrand, Text: "Infinity Delta"},
	{Vendor: "Dräger", Kind: AliasBrand, Text: "Infinity Explorer"},
	{Vendor: "Dräger", Kind: AliasBrand, Text: "Evita"},

	{Vendor: "Spacelabs", Kind: AliasName, Text: "Spacelabs"},
	{Vendor: "Spacelabs", Kind: AliasBrand, Text: "Xhibit"},
	{Vendor: "Spacelabs", Kind: AliasBrand, Text: "xprezzon"},

	{Vendor: "Siemens", Kind: AliasName, Text: "Siemens", Note: "advisories write \"Siemens\" for Siemens Healthineers"},
	{Vendor: "Siemens", Kind: AliasName, Text: "Siemens Healthineers"},
	{Vendor: "Siemens", Kind: AliasBrand, Text: "SOMATOM"},
	{Vendor: "Siemens", Kind: AliasBrand, Text: "Symbia"},
	{Vendor: "Siemens", Kind: AliasBrand, Text: "syngo"},
	{Vendor: "Siemens", Kind: AliasBrand, Text: "MAGNETOM"},
	{Vendor: "Siemens", Kind: AliasBrand, Text: "ACUSON"},
	{Vendor: "Siemens", Kind: AliasDICOMRoot, Text: "1.3.12.2.1107.5", Note: "Siemens Healthineers' UID root"},

	{Vendor: "Fujifilm", Kind: AliasName, Text: "Fujifilm"},
	{Vendor: "Fujifilm", Kind: AliasBrand, Text: "FCR"},
	{Vendor: "Fujifilm", Kind: AliasDICOMRoot, Text: "1.2.392.200036.9125", Note: "FUJIFILM's UID root"},

	{Vendor: "Philips", Kind: AliasDICOMRoot, Text: "1.3.46.670589", Note: "Philips Medical Systems' UID root"},
	{Vendor: "Canon Medical Systems", Kind: AliasName, Text: "Canon Medical"},
	{Vendor: "Canon Medical Systems", Kind: AliasName, Text: "Toshiba Medical"},
	{Vendor: "Canon Medical Systems", Kind: AliasDICOMRoot, Text: "1.2.392.200036.9116", Note: "Toshiba Medical Systems' UID root"},

	{Vendor: "OFFIS", Kind: AliasName, Text: "OFFIS"},
	{Vendor: "OFFIS", Kind: AliasBrand, Text: "DCMTK"},
	{Vendor: "OFFIS", Kind: AliasDICOMRoot, Text: "1.2.276.0.7230010.3", Note: "DCMTK's implementation class UID root"},
	{Vendor: "OFFIS", Kind: AliasDICOMVersion, Text: "OFFIS_DCMTK_", Note: "DCMTK's version name, e.g. OFFIS_DCMTK_366 (3.6.6)"},

	{Vendor: "Carestream", Kind: AliasName, Text: "Carestream"},
	{Vendor: "Abbott", Kind: AliasName, Text: "Abbott"},
	{Vendor: "Abbott", Kind: AliasName, Text: "St. Jude Medical", Note: "acquired by Abbott in 2017"},
	{Vendor: "Boston Scientific", Kind: AliasName, Text: "Boston Scientific"},
	{Vendor: "Boston Scientific", Kind: AliasBrand, Text: "ZOOM LATITUDE"},
	{Vendor: "BIOTRONIK", Kind: AliasName, Text: "BIOTRONIK"},
	{Vendor: "BIOTRONIK", Kind: AliasBrand, Text: "CardioMessenger"},
	{Vendor: "Natus", Kind: AliasName, Text: "Natus"},
	{Vendor: "Natus", Kind: AliasBrand, Text: "Xltek"},
	{Vendor: "Roche", Kind: AliasName, Text: "Roche"},
	{Vendor: "Roche", Kind: AliasBrand, Text: "Accu-Chek"},
	{Vendor: "Roche", Kind: AliasBrand, Text: "CoaguChek"},
	{Vendor: "Illumina", Kind: AliasName, Text: "Illumina"},
	{Vendor: "Illumina", Kind: AliasBrand, Text: "MiSeq"},
	{Vendor: "Illumina", Kind: AliasBrand, Text: "NextSeq"},
	{Vendor: "Illumina", Kind: AliasBrand, Text: "NovaSeq"},
	{Vendor: "Stryker", Kind: AliasName, Text: "Stryker"},
	{Vendor: "ZOLL", Kind: AliasName, Text: "ZOLL"},
	{Vendor: "Hamilton Medical", Kind: AliasName, Text: "Hamilton Medical"},
	{Vendor: "Insulet", Kind: AliasName, Text: "Insulet"},
	{Vendor: "Insulet", Kind: AliasBrand, Text: "Omnipod"},
	{Vendor: "Capsule", Kind: AliasName, Text: "Capsule Technologies"},
	{Vendor: "Capsule", Kind: AliasName, Text: "Capsule Tech"},
	{Vendor: "Capsule", Kind: AliasName, Text: "Qualcomm Life", Note: "owned Capsule 2015-2019"},
	{Vendor: "Capsule", Kind: AliasBrand, Text: "SmartLinx"},
	{Vendor: "Contec Health", Kind: AliasName, Text: "Contec Health", Note: "not CONTEC CO. or Contec GmbH of the IEEE registry"},
	{Vendor: "Contec Health", Kind: AliasName, Text: "Contec Medical"},
	{Vendor: "Silex Technology", Kind: AliasName, Text: "Silex Technology"},
	{Vendor: "Change Healthcare", Kind: AliasName, Text: "Change Healthcare"},
	{Vendor: "Change Healthcare", Kind: AliasName, Text: "McKesson"},
	{Vendor: "Vyaire Medical", Kind: AliasName, Text: "Vyaire"},
	{Vendor: "Johnson & Johnson", Kind: AliasName, Text: "Johnson & Johnson"},
	{Vendor: "Johnson & Johnson", Kind: AliasName, Text: "Ethicon"},
	{Vendor: "BeaconMedaes", Kind: AliasName, Text: "BeaconMedaes"},
	{Vendor: "BMC Medical", Kind: AliasName, Text: "BMC Medical"},
	{Vendor: "3B Medical", Kind: AliasName, Text: "3B Medical"},
	{Vendor: "Swisslog Healthcare", Kind: AliasName, Text: "Swisslog"},
	{Vendor: "Wind River", Kind: AliasName, Text: "Wind River"},
	{Vendor: "ENEA", Kind: AliasName, Text: "ENEA"},
	{Vendor: "Green Hills Software", Kind: AliasName, Text: "Green Hills Software"},
	{Vendor: "IP Infusion", Kind: AliasName, Text: "IP Infusion"},

	// Clinical vendors of the demo without an advisory in the ICSMA set, so a
	// future advisory matches their devices too.
	{Vendor: "Innokas", Kind: AliasName, Text: "Innokas", Note: "\"Innokas Yhtymä Oy\" in icsma-21-007-01, \"Innokas Group\" in the IEEE registry"},
	{Vendor: "ICU Medical", Kind: AliasName, Text: "ICU Medical"},
	{Vendor: "ICU Medical", Kind: AliasName, Text: "Hospira"},
	{Vendor: "ICU Medical", Kind: AliasBrand, Text: "MedNet", Note: "pump server, also an HL7 application name"},
	{Vendor: "Mindray", Kind: AliasName, Text: "Mindray"},
	{Vendor: "Mindray", Kind: AliasBrand, Text: "BeneVision"},
	{Vendor: "Nihon Kohden", Kind: AliasName, Text: "Nihon Kohden"},
	{Vendor: "Masimo", Kind: AliasName, Text: "Masimo"},
}

// synonym rewrites a token phrase before words are compared: one product
// is named differently across advisories and devices. implies adds model
// numbers a name stands for.
type synonym struct {
	from    []string
	to      []string
	implies []string
	note    string
}

// synonyms is ordered: the first phrase that matches at a position wins.
var synonyms = []synonym{
	{from: []string{"point", "of", "care", "unit"}, to: []string{"pcu"},
		note: "BD Alaris PCU: \"Point-of-Care Unit (PCU)\" in icsma-23-194-01"},
	{from: []string{"pc", "unit"}, to: []string{"pcu"},
		note: "BD Alaris PCU: \"PC Unit\" in icsma-20-317-01, \"8015 PC unit\" in icsma-17-017-02"},
	{from: []string{"alaris", "pc"}, to: []string{"alaris", "pcu"},
		note: "a device's \"Alaris PC 8015\" (DHCP vendor class of the PC unit)"},
	{from: []string{"patient", "information", "center", "ix"}, to: []string{"picix"},
		note: "Philips PIC iX, \"Patient Information Center iX (PICiX)\""},
	{from: []string{"intellivue", "information", "center", "ix"}, to: []string{"picix"},
		note: "Philips PIC iX, \"IntelliVue Information Center iX\" in icsma-18-233-01"},
	{from: []string{"pic", "ix"}, to: []string{"picix"}, note: "Philips PIC iX"},
	{from: []string{"spectrum", "iq"}, to: []string{"spectrum", "iq"}, implies: []string{"35700bax3"},
		note: "Baxter Spectrum IQ is model 35700BAX3 (icsma-22-251-01)"},
}

// Aliases returns a copy of the alias table (for documentation and tests).
func Aliases() []Alias { return append([]Alias(nil), aliases...) }

// aliasIndex is the alias table compiled to token phrases.
type aliasIndex struct {
	names   []phrase // company names
	brands  []phrase
	roots   []Alias // DICOM UID roots
	dicomVN []Alias // DICOM version name prefixes
}

type phrase struct {
	words  []string
	vendor string
	alias  string
	scope  AliasScope
}

var index = buildIndex()

// vendorWords are the words of company names: not distinctive in product
// names ("BD Alaris ..." = "Alaris ..."). Brand words ("Alaris" of "Alaris
// Medical Systems") and keepWords stay distinctive.
var vendorWords = map[string]bool{}

func buildIndex() aliasIndex {
	var ix aliasIndex
	for _, a := range aliases {
		switch a.Kind {
		case AliasName, AliasBrand:
			w := phraseWords(a.Text)
			if len(w) == 0 {
				panic("advisory: alias without words: " + a.Text)
			}
			p := phrase{words: w, vendor: a.Vendor, alias: a.Text, scope: a.Scope}
			if a.Kind == AliasName {
				ix.names = append(ix.names, p)
			} else {
				ix.brands = append(ix.brands, p)
			}
		case AliasDICOMRoot:
			ix.roots = append(ix.roots, a)
		case AliasDICOMVersion:
			ix.dicomVN = append(ix.dicomVN, a)
		}
	}
	return ix
}

func init() {
	brand := map[string]bool{}
	for _, p := range index.brands {
		for _, w := range p.words {
			brand[w] = true
		}
	}
	for _, p := range index.names {
		for _, w := range p.words {
			if !brand[w] && !keepWords[w] {
				vendorWords[w] = true
			}
		}
	}
}

// keepWords occur in company names but also name products ("IP Infusion"
// vs "Alaris Infusion Central"): they stay distinctive.
var keepWords = setOf("infusion")

// phraseWords is the token sequence an alias text is compared as.
func phraseWords(s string) []string {
	var out []string
	for _, t := range lex(s) {
		if t.rng == nil && !corporateSuffix[t.text] {
			out = append(out, t.text)
		}
	}
	return out
}

// corporateSuffix words are ignored when company names are compared.
var corporateSuffix = setOf("inc", "corp", "corporation", "co", "company", "ltd", "llc", "gmbh", "ag",
	"bv", "sa", "oy", "kg", "aa", "plc", "limited", "incorporated", "and", "of", "the")

// nameWords lexes s to the words a company-name comparison uses.
func nameWords(s string) []string { return phraseWords(s) }

// findPhrase reports whether p occurs in ws (at position 0 when atStart).
func findPhrase(ws, p []string, atStart bool) bool {
	last := len(ws) - len(p)
	if atStart && last > 0 {
		last = 0
	}
	for i := 0; i <= last; i++ {
		ok := true
		for j, w := range p {
			if ws[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// vendorHit is one canonical vendor found in a string.
type vendorHit struct {
	vendor string
	alias  string
	kind   AliasKind
}

// namesIn returns the canonical vendors whose company names occur in s,
// in table order, without duplicates: on a device field (at its start) or
// in an advisory (anywhere).
func namesIn(s string, side AliasScope) []vendorHit {
	return phrasesIn(nameWords(s), index.names, side, AliasName)
}

// brandsIn returns the canonical vendors whose brands occur in s (a
// device field).
func brandsIn(s string) []vendorHit {
	return phrasesIn(nameWords(s), index.brands, "", AliasBrand)
}

// phrasesIn looks for table's phrases in ws: at the start for side
// ScopeDevice, anywhere otherwise; aliases scoped to the other side are
// skipped.
func phrasesIn(ws []string, table []phrase, side AliasScope, kind AliasKind) []vendorHit {
	if len(ws) == 0 {
		return nil
	}
	var out []vendorHit
	for _, p := range table {
		if p.scope != ScopeBoth && p.scope != side {
			continue
		}
		if !findPhrase(ws, p.words, side == ScopeDevice) {
			continue
		}
		dup := false
		for _, h := range out {
			if h.vendor == p.vendor {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, vendorHit{vendor: p.vendor, alias: p.alias, kind: kind})
		}
	}
	return out
}

// dicomRootOf returns the vendor whose UID root starts uid (whole
// components: 1.2.840.113619 is not a root of 1.2.840.1136190).
func dicomRootOf(uid string) (vendorHit, bool) {
	uid = strings.TrimSpace(uid)
	for _, a := range index.roots {
		if uid == a.Text || strings.HasPrefix(uid, a.Text+".") {
			return vendorHit{vendor: a.Vendor, alias: a.Text, kind: AliasDICOMRoot}, true
		}
	}
	return vendorHit{}, false
}

// dicomVersionOf returns the vendor whose version name prefix starts vn.
func dicomVersionOf(vn string) (vendorHit, bool) {
	vn = strings.TrimSpace(vn)
	for _, a := range index.dicomVN {
		if len(vn) >= len(a.Text) && strings.EqualFold(vn[:len(a.Text)], a.Text) {
			return vendorHit{vendor: a.Vendor, alias: a.Text, kind: AliasDICOMVersion}, true
		}
	}
	return vendorHit{}, false
}

// fallbackVendor is the canonical key of a vendor string the table does
// not know: its company-name words joined, so "Ypsomed" in an advisory and
// "Ypsomed AG" in the IEEE registry agree.
func fallbackVendor(s string) string {
	return strings.Join(nameWords(s), " ")
}
