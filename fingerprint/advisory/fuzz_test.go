package advisory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// Seeds: the version texts of the whole ICSMA set when the shared data is
// there, and these.
var rangeSeeds = []string{
	"vers:all/*", "< 8.2.2", "<= 9.33", ">= 4.01 | <= 4.34", "9.13 | 9.19 | 9.33 | 12.1", "2.X", "<= 12.2.x.x",
	"B.02 | C.02 | C.03", "<=N", "<= U61 |<= L81", "2.3.6 and  below", "(Release 1.3.2 1.4.0)", "9.x model 35700BAX3",
	"v8.x (with Wireless Battery Modules v17 | v17D19 | >= v20D29 | <= v20D32)", "6.x (Wireless Battery Modules (16 | 17",
	"* (end-of-life 2011)", "vers:generic/>=2.0|<2.4.1", "prior to 7.6.2", "1.0 through 1.4", "< august 28", "<8/30/2024",
	"A.01 <= C.0x | 4.0", "((((", ")))", "|||", ">=", "v", "x.x.x", "1-2-3_4+5",
}

func FuzzParseRange(f *testing.F) {
	for _, s := range rangeSeeds {
		f.Add(s, "9.19")
	}
	for _, v := range icsmaVersionTexts() {
		f.Add(v, "12.1.3")
	}
	f.Fuzz(func(t *testing.T, text, ver string) {
		r := parseRange(text)
		if r.all && !r.ok {
			t.Fatalf("%q: all but not ok", text)
		}
		v, ok := parseVersion(ver)
		if !ok {
			return
		}
		if in, ok := r.contains(v); r.all && (!in || !ok) {
			t.Fatalf("%q (all) does not contain %q", text, ver)
		}
		// Comparison is antisymmetric where both sides are concrete.
		if w, ok := parseVersion(text); ok && !v.wild && !w.wild {
			c1, ok1 := compareVersions(v, w)
			c2, ok2 := compareVersions(w, v)
			if ok1 != ok2 || ok1 && c1 != -c2 {
				t.Fatalf("compare(%q, %q) = %d %v but reversed %d %v", ver, text, c1, ok1, c2, ok2)
			}
		}
	})
}

// icsmaSample is every sixth ICSMA document (24 of 144, the Alaris ones
// among them): fuzz workers each load their seeds, and all 144 would use
// up a short fuzz run on baseline coverage.
func icsmaSample() []string {
	dir, err := sharedICSMA()
	if err != nil {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []string
	for i, f := range files {
		if i%6 == 0 || strings.Contains(f, "icsma-23-194-01") || strings.Contains(f, "icsma-17-017-02") {
			out = append(out, f)
		}
	}
	return out
}

// icsmaVersionTexts are the distinct version texts of the ICSMA product
// trees, read from the JSON directly (no schema check: it is only seeds).
func icsmaVersionTexts() []string {
	dir, err := sharedICSMA()
	if err != nil {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if c, _ := x["category"].(string); c == "product_version" || c == "product_version_range" {
				if n, _ := x["name"].(string); !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, f := range files {
		var doc map[string]any
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &doc) == nil {
			walk(doc["product_tree"])
		}
	}
	sort.Strings(out)
	return out
}

// FuzzLoad feeds documents to Load, and what loads to Match.
func FuzzLoad(f *testing.F) {
	if b, err := os.ReadFile("testdata/example-groups.json"); err == nil {
		f.Add(b)
	}
	for _, name := range icsmaSample() {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"document": {}}`))
	f.Add([]byte(`{"document": null, "product_tree": {"product_groups": [1]}}`))
	f.Add([]byte(`[]`))
	devices := []model.Asset{alarisBD(1), {Vendor: "Example Medical GmbH", Model: "VitalLink Gateway VL-200"},
		{Vendor: "GE Healthcare", Model: "CARESCAPE B450"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Load("fuzz.json", data)
		if err != nil {
			if a != nil {
				t.Fatal("an advisory and an error")
			}
			return
		}
		if a.ID == "" {
			t.Fatal("loaded without an id")
		}
		for _, r := range a.Remediations {
			for _, m := range r.Mentions {
				if m.Start < 0 || m.End > len(r.Details) || r.Details[m.Start:m.End] != m.Text {
					t.Fatalf("mention %+v outside its text", m)
				}
			}
		}
		s := newSet([]*Advisory{a})
		for _, d := range devices {
			for _, m := range s.Match(d, Identity{Firmware: "2.3"}) {
				if len(m.Products) == 0 || m.Verdict == "" {
					t.Fatalf("empty match %+v", m)
				}
			}
		}
	})
}

// FuzzMatchDevice: device strings come off the wire (DHCP option 60 and
// 12, HL7 and DICOM identifiers) and are hostile.
func FuzzMatchDevice(f *testing.F) {
	a := fixture(f)
	advs := []*Advisory{a}
	for _, name := range icsmaSample() {
		if b, err := os.ReadFile(name); err == nil {
			if x, err := Load(filepath.Base(name), b); err == nil {
				advs = append(advs, x)
			}
		}
	}
	s := newSet(advs)
	f.Add("Alaris PC 8015", "BD Alaris PC 8015", "ALARIS-PC-0042", "ALARIS_GW", "PUMP-1^ALARIS^8015", "OFFIS_DCMTK_366", "9.19")
	f.Add("VitalLink VM-400/500", "Example Medical", "", "", "^^^", "", "C.02")
	f.Add(strings.Repeat("MX400-MX850/", 50), strings.Repeat("\xff", 300), "-", "_", "^", "OFFIS_DCMTK_", "v")
	f.Fuzz(func(t *testing.T, mdl, dhcp, host, app, equip, dicomVN, fw string) {
		d := model.Asset{Vendor: "Becton, Dickinson  and Company", Manufacturer: mdl, Model: mdl, DHCPVendorClass: dhcp, Hostname: host, OS: dhcp}
		id := Identity{HL7Applications: []string{app}, HL7EquipmentIDs: []string{equip}, DICOMImplVersion: dicomVN,
			DICOMImplClassUID: dicomVN, Firmware: fw}
		for _, m := range s.Match(d, id) {
			for _, p := range m.Products {
				if len(p.Evidence) < 2 {
					t.Fatalf("match without evidence: %+v", p)
				}
				if p.Verdict == Affected && (mdl == "" || len(p.Reasons) > 0) {
					t.Fatalf("affected without a model or with reasons: %+v", p)
				}
			}
		}
	})
}
