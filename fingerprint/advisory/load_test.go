package advisory

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every ICSMA document loads or is reported with its error; the numbers
// are the ones the shared README measured.
func TestLoadICSMA(t *testing.T) {
	dir := icsmaDir(t)
	s, errs := icsma(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 144 {
		t.Errorf("%d JSON files in %s, the README says 144", len(files), dir)
	}
	if got := s.Len() + len(errs); got != len(files) {
		t.Fatalf("%d loaded + %d errors != %d files", s.Len(), len(errs), len(files))
	}
	for _, e := range errs {
		t.Errorf("not loaded: %v", e) // every ICSMA document conforms to CSAF 2.0
	}
	leaves, ranges := 0, 0
	for _, a := range s.Advisories() {
		if !strings.HasPrefix(a.ID, "ICSMA-") || a.Title == "" || a.File == "" || a.Updated.IsZero() {
			t.Errorf("%s: id %q title %q file %q updated %v", a.File, a.ID, a.Title, a.File, a.Updated)
		}
		if len(a.Products) == 0 || len(a.CVEs) == 0 || a.CVSS <= 0 || a.Severity == "" {
			t.Errorf("%s: %d products, CVEs %v, CVSS %v %q", a.ID, len(a.Products), a.CVEs, a.CVSS, a.Severity)
		}
		if severityOf(a.CVSS) != a.Severity {
			t.Errorf("%s: CVSS %v is %s, document says %s", a.ID, a.CVSS, severityOf(a.CVSS), a.Severity)
		}
		if len(a.Remediations) == 0 {
			t.Errorf("%s: no remediations", a.ID)
		}
		for _, p := range a.Products {
			leaves++
			if len(p.Vendors) == 0 || !p.Affected {
				t.Errorf("%s %s: vendors %v affected %v", a.ID, p.ID, p.Vendors, p.Affected)
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ranges += strings.Count(string(b), `"product_version_range"`)
	}
	if leaves != 607 || ranges != 236 {
		t.Errorf("%d product leaves (%d version ranges), the README says 607 (236)", leaves, ranges)
	}
	if s.Advisory("ICSMA-23-194-01") == nil || s.Advisory("no-such-id") != nil {
		t.Error("Advisory(id) lookup")
	}
	if !slices.IsSortedFunc(s.Advisories(), func(a, b *Advisory) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("advisories not sorted by id")
	}
}

// One document in detail: icsma-23-194-01 (BD Alaris System).
func TestLoadICSMAAlarisSystem(t *testing.T) {
	s, _ := icsma(t)
	a := s.Advisory("ICSMA-23-194-01")
	if a == nil {
		t.Fatal("ICSMA-23-194-01 not loaded")
	}
	if a.Title != "BD Alaris System with Guardrails Suite MX" || a.CVSS != 8.2 || a.Severity != SeverityHigh {
		t.Errorf("title %q CVSS %v %s", a.Title, a.CVSS, a.Severity)
	}
	want := []string{"CVE-2018-1285", "CVE-2023-30559", "CVE-2023-30560", "CVE-2023-30561", "CVE-2023-30562",
		"CVE-2023-30563", "CVE-2023-30564", "CVE-2023-30565"}
	if !slices.Equal(a.CVEs, want) {
		t.Errorf("CVEs %v", a.CVEs)
	}
	if len(a.Products) != 6 || a.Products[0].Name != "BD Alaris Point-of-Care Unit (PCU) Model 8015" ||
		a.Products[0].Version != "<=12.1.3" || a.Products[0].Vendors[0] != "BD" {
		t.Errorf("first product %+v of %d", a.Products[0], len(a.Products))
	}
	// The remediation names what the PCU needs: DNS, DHCP and the Systems
	// Manager on port 3613.
	var found bool
	for _, r := range a.Remediations {
		if !strings.HasPrefix(r.Details, "The PCU only requires access to DNS") {
			continue
		}
		found = true
		var got []string
		for _, m := range r.Mentions {
			if r.Details[m.Start:m.End] != m.Text {
				t.Errorf("mention %+v does not point at its text", m)
			}
			got = append(got, string(m.Kind)+":"+m.Text)
		}
		if w := []string{"service:DNS", "service:DHCP", "port:port 3613"}; !slices.Equal(got, w) {
			t.Errorf("mentions %v, want %v", got, w)
		}
	}
	if !found {
		t.Error("the PCU's network remediation is missing")
	}
	for i, r := range a.Remediations {
		for _, q := range a.Remediations[i+1:] {
			if r.Category == q.Category && r.Details == q.Details && r.URL == q.URL {
				t.Errorf("remediation repeated: %q", r.Details)
			}
		}
	}
}

// Vendor spellings of the advisories all reach their canonical vendor.
func TestLoadICSMAVendorSpellings(t *testing.T) {
	s, _ := icsma(t)
	want := map[string][]string{
		"Philips":                            {"Philips"},
		"Phillips":                           {"Philips"},
		"GE Healthcare":                      {"GE Healthcare"},
		"General Electric (GE)":              {"GE Healthcare"},
		"Becton, Dickinson and Company (BD)": {"BD"},
		"B. Braun":                           {"B. Braun"},
		"B. Braun Medical":                   {"B. Braun"},
		"B. Braun Melsungen AG":              {"B. Braun"},
		"Dräger":                             {"Dräger"},
		"Hillrom and ELI, Baxter International Inc.": {"Baxter", "Hillrom"},
		"Silex Technology and GE Healthcare":         {"GE Healthcare", "Silex Technology"},
		"Natus Medical, Inc. (Natus)":                {"Natus"},
		"St. Jude Medical":                           {"Abbott"},
		"Qualcomm Life":                              {"Capsule"},
		"Innokas YhtymÃ¤ Oy":                         {"Innokas"},
		"Ypsomed":                                    {"ypsomed"}, // not in the table: its own words
	}
	seen := map[string]bool{}
	for _, a := range s.Advisories() {
		for _, p := range a.Products {
			w, ok := want[p.Vendor]
			if !ok {
				continue
			}
			seen[p.Vendor] = true
			got := slices.Clone(p.Vendors)
			slices.Sort(got)
			if !slices.Equal(got, w) {
				t.Errorf("%s %s: vendor %q → %v, want %v", a.ID, p.ID, p.Vendor, got, w)
			}
		}
	}
	for v := range want {
		if !seen[v] {
			t.Errorf("vendor spelling %q not in the ICSMA set", v)
		}
	}
}

// LoadDir reports every file that does not load, with its name and cause,
// and loads the rest.
func TestLoadDirReportsErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/example-groups.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	older := strings.Replace(string(good), `"current_release_date": "2026-01-10T00:00:00.000Z"`, `"current_release_date": "2026-01-06T00:00:00.000Z"`, 1)
	write("2026/good.json", good)
	write("2025/older-copy.json", []byte(older))
	write("broken.json", good[:len(good)/2])
	write("not-csaf.json", []byte(`{"canonical_url": "https://example.invalid/provider-metadata.json"}`))
	write("array.json", []byte(`[1, 2, 3]`))
	write("trailing.json", append(append([]byte{}, good...), []byte(`{}`)...))
	write("no-title.json", []byte(strings.Replace(string(good), `"title": "Example Medical`, `"titel": "Example Medical`, 1)))
	write("bad-cvss.json", []byte(strings.Replace(string(good), `"baseScore": 9.8`, `"baseScore": "high"`, 1)))
	write("README.md", []byte("not a document"))
	write("checksums.sha512", []byte("0000"))
	write(".git/HEAD.json", []byte("{"))
	big := filepath.Join(dir, "huge.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s, errs := LoadDir(dir)
	if s.Len() != 1 || s.Advisory("WWT-2026-0001") == nil || s.Advisory("WWT-2026-0001").File != filepath.Join("2026", "good.json") {
		t.Fatalf("loaded %d advisories: %+v", s.Len(), s.Advisories())
	}
	want := map[string]string{
		filepath.Join("2025", "older-copy.json"): "also in 2026/good.json, which is newer",
		"array.json":                             ErrNotCSAF.Error(),
		"bad-cvss.json":                          ErrInvalid.Error(),
		"broken.json":                            "JSON: unexpected EOF",
		"huge.json":                              "larger than",
		"no-title.json":                          ErrInvalid.Error(),
		"not-csaf.json":                          ErrNotCSAF.Error(),
		"trailing.json":                          ErrTrailing.Error(),
	}
	for _, e := range errs {
		w, ok := want[e.File]
		if !ok {
			t.Errorf("unexpected error %v", e)
			continue
		}
		delete(want, e.File)
		if !strings.Contains(e.Error(), w) || !strings.HasPrefix(e.Error(), e.File+": ") {
			t.Errorf("%s: error %q, want it to name the file and contain %q", e.File, e.Error(), w)
		}
	}
	for f, w := range want {
		t.Errorf("%s not reported (want %q)", f, w)
	}
	var le LoadError
	if len(errs) == 0 || !errors.As(errs[0], &le) {
		t.Error("LoadError does not satisfy errors.As")
	}

	_, errs = LoadDir(filepath.Join(dir, "missing"))
	if len(errs) != 1 || !errors.Is(errs[0], os.ErrNotExist) {
		t.Errorf("missing directory: %v", errs)
	}
}

// The project's fixture uses what the ICSMA set does not: product groups
// and remediation group ids (which gocsaf/csaf's types cannot decode),
// full product names outside the branches, a relationship and a VERS range.
func TestLoadProductGroups(t *testing.T) {
	a := fixture(t)
	if a.ID != "WWT-2026-0001" || a.URL != "https://wardwatch.invalid/advisories/wwt-2026-0001.json" ||
		a.CVSS != 9.8 || a.Severity != SeverityCritical || !slices.Equal(a.CVEs, []string{"CVE-2026-99901", "CVE-2026-99902"}) {
		t.Errorf("advisory %+v", a)
	}
	byID := map[string]Product{}
	for _, p := range a.Products {
		byID[p.ID] = p
	}
	if p := byID["VL-CENTRAL"]; p.Vendor != "Example Medical" || !slices.Equal(p.Vendors, []string{"example medical"}) ||
		!slices.Equal(p.tok.words, []string{"central", "station", "vitallink"}) || !p.Affected || !p.rng.all {
		t.Errorf("full product name leaf %+v", p)
	}
	if p := byID["VL200-FIXED"]; p.Affected {
		t.Error("a fixed product is not affected")
	}
	if p := byID["VL200-ON-CENTRAL"]; p.Name != "VitalLink Gateway VL-200" || p.Version != "vers:generic/>=2.0|<2.4.1" {
		t.Errorf("relationship leaf %+v", p)
	}
	if p := byID["VM-WIFI"]; !slices.Equal(p.CVEs, []string{"CVE-2026-99901", "CVE-2026-99902"}) || p.CVSS != 6.5 ||
		!slices.Equal(p.tok.nums, []string{"vm400", "vm500"}) || !p.rng.qualified {
		t.Errorf("monitor leaf %+v", p)
	}
	var grp *Remediation
	for i := range a.Remediations {
		if a.Remediations[i].Category == "mitigation" {
			grp = &a.Remediations[i]
		}
	}
	if grp == nil || !slices.Equal(grp.ProductIDs, []string{"VL-CENTRAL", "VL200-OLD", "VM-WIFI"}) {
		t.Fatalf("group remediation %+v", grp)
	}
	var got []string
	for _, m := range grp.Mentions {
		got = append(got, m.Text)
	}
	if w := []string{"HL7", "TCP port 2575", "10.50.0.30", "NTP", "UDP 161", "ports 23 and 8080", "ports 23 and 8080", "10.20.0.0/24"}; !slices.Equal(got, w) {
		t.Errorf("mentions %q, want %q", got, w)
	}
}
