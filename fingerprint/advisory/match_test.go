package advisory

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// The Alaris PC unit (model 8015) is named four ways across four
// advisories; the model 8000 advisory, the other Alaris products and the
// GE Healthcare advisory whose tree lists an "Alaris PC Unit" are not it.
var alarisPCU = []string{"ICSMA-17-017-02", "ICSMA-20-170-06", "ICSMA-20-317-01", "ICSMA-23-194-01"}

func TestMatchDemoAlaris(t *testing.T) {
	s, _ := icsma(t)
	devices := []model.Asset{}
	for i := 42; i <= 47; i++ {
		devices = append(devices, alarisBD(i))
	}
	for i := 48; i <= 49; i++ {
		devices = append(devices, alarisCareFusion(i))
	}
	for _, d := range devices {
		t.Run(d.Hostname, func(t *testing.T) {
			ms := s.Match(d, Identity{})
			got := matchIDs(ms)
			want := map[string]Verdict{}
			for _, id := range alarisPCU {
				want[id] = PossiblyAffected // the version is unknown
			}
			if !maps.Equal(got, want) {
				t.Fatalf("matched %v, want %v", got, want)
			}
			for _, m := range ms {
				for _, p := range m.Products {
					if len(p.Reasons) != 1 || !strings.HasPrefix(p.Reasons[0], "the device's version is unknown") {
						t.Errorf("%s %s: reasons %q", m.ID, p.ProductID, p.Reasons)
					}
					if p.Evidence[0].Advisory != "vendor: Becton, Dickinson and Company (BD)" || p.Evidence[1].Field != FieldModel ||
						p.Evidence[1].Value != "Alaris PC 8015" {
						t.Errorf("%s %s: evidence %+v", m.ID, p.ProductID, p.Evidence)
					}
				}
				if len(m.Remediations) == 0 || len(m.CVEs) == 0 || m.CVSS == 0 {
					t.Errorf("%s: remediations %d CVEs %v CVSS %v", m.ID, len(m.Remediations), m.CVEs, m.CVSS)
				}
			}
			pcu := ms[0] // highest CVSS first: ICSMA-23-194-01 (8.2)
			if pcu.ID != "ICSMA-23-194-01" || pcu.Products[0].Evidence[1].Advisory != "product: BD Alaris Point-of-Care Unit (PCU) Model 8015 (<=12.1.3)" ||
				pcu.Products[0].Evidence[1].Rule != "model number 8015 and words alaris pcu" {
				t.Errorf("first match %s %+v", pcu.ID, pcu.Products[0].Evidence)
			}
		})
	}
}

// With the firmware known, versions decide: 9.19 is inside all four
// ranges, 12.3.1 (the fixed release) inside none.
func TestMatchAlarisFirmware(t *testing.T) {
	s, _ := icsma(t)
	d := alarisBD(42)
	ms := s.Match(d, Identity{Firmware: "9.19"})
	want := map[string]Verdict{}
	for _, id := range alarisPCU {
		want[id] = Affected
	}
	if got := matchIDs(ms); !maps.Equal(got, want) {
		t.Fatalf("firmware 9.19: %v, want %v", got, want)
	}
	for _, m := range ms {
		for _, p := range m.Products {
			last := p.Evidence[len(p.Evidence)-1]
			if p.Verdict != Affected || last.Field != FieldFirmware || last.Value != "9.19" || last.Rule != "version inside the range" {
				t.Errorf("%s %s (%s): %s %+v", m.ID, p.ProductID, p.Version, p.Verdict, last)
			}
		}
	}
	// ICSMA-17-017-02 lists three versions of the 8015; 9.19 is only in "<= 9.33".
	if m := ms[slices.IndexFunc(ms, func(m Match) bool { return m.ID == "ICSMA-17-017-02" })]; len(m.Products) != 1 || m.Products[0].Version != "<= 9.33" {
		t.Errorf("ICSMA-17-017-02 products %+v", m.Products)
	}
	if ms := s.Match(d, Identity{Firmware: "12.3.1"}); len(ms) != 0 {
		t.Errorf("firmware 12.3.1 (fixed): %v", matchIDs(ms))
	}
	// A version that does not compare keeps the match, as "possibly".
	ms = s.Match(d, Identity{Firmware: "build ABC"})
	if got := matchIDs(ms); len(got) != 4 || got["ICSMA-23-194-01"] != PossiblyAffected {
		t.Errorf("unreadable firmware: %v", got)
	}
}

// A device without a model is never affected: the demo's pumps as the
// classifier sees them today (manufacturer from the OUI, no model) still
// meet their advisories through the DHCP vendor class.
func TestMatchWithoutModel(t *testing.T) {
	s, _ := icsma(t)
	d := alarisBD(42)
	d.Model = ""
	ms := s.Match(d, Identity{Firmware: "9.19"})
	if got := matchIDs(ms); len(got) != 4 {
		t.Fatalf("matched %v", got)
	}
	for _, m := range ms {
		if m.Verdict != PossiblyAffected {
			t.Errorf("%s: %s without a model", m.ID, m.Verdict)
		}
		for _, p := range m.Products {
			if p.Evidence[1].Field != FieldDHCPVendorClass || !slices.Contains(p.Reasons, "the device has no model") {
				t.Errorf("%s %s: evidence %+v reasons %q", m.ID, p.ProductID, p.Evidence, p.Reasons)
			}
		}
	}
	// Only a site's host name convention: "possibly", from the name, for
	// every PC unit advisory (the name cannot tell the 8000 from the 8015),
	// still not GE Healthcare's.
	ms = s.Match(model.Asset{Vendor: "Carefusion", Hostname: "ALARIS-PC-0042"}, Identity{})
	want := append([]string{"ICSMA-17-017-01"}, alarisPCU...)
	if got := matchIDs(ms); !slices.Equal(slices.Sorted(maps.Keys(got)), want) {
		t.Errorf("host name only: %v", got)
	}
	for _, m := range ms {
		if m.Verdict != PossiblyAffected || m.Products[0].Evidence[1].Field != FieldHostname {
			t.Errorf("host name only: %s %s %+v", m.ID, m.Verdict, m.Products[0].Evidence)
		}
	}
	// The vendor alone names nothing.
	if ms := s.Match(model.Asset{Vendor: "Becton, Dickinson  and Company", Manufacturer: "BD"}, Identity{}); len(ms) != 0 {
		t.Errorf("vendor only: %v", matchIDs(ms))
	}
}

// Ordinary IT devices match no advisory, though some ICSMA product trees
// name Windows versions and HP workstations.
func TestMatchNonMedical(t *testing.T) {
	s, _ := icsma(t)
	for name, d := range nonMedical {
		for _, id := range []Identity{{}, {Firmware: "10.0.19045"}} {
			if ms := s.Match(d, id); len(ms) != 0 {
				t.Errorf("%s: matched %v", name, matchIDs(ms))
			}
		}
	}
}

// The demo hospital's other clinical devices, as their DHCP vendor class
// names them (identification puts the same into the model).
func TestMatchDemoClinical(t *testing.T) {
	s, _ := icsma(t)
	dev := func(oui, class string) model.Asset {
		words := strings.Fields(class)
		return model.Asset{Vendor: oui, DHCPVendorClass: class, Model: strings.Join(words[1:], " ")}
	}
	cases := []struct {
		name string
		a    model.Asset
		id   Identity
		want map[string]Verdict
	}{
		{"Baxter Spectrum IQ", dev("Baxter International Inc", "Baxter Spectrum IQ"), Identity{},
			map[string]Verdict{"ICSMA-20-170-04": PossiblyAffected, "ICSMA-22-251-01": PossiblyAffected}},
		{"Baxter Spectrum IQ 9.1", dev("Baxter International Inc", "Baxter Spectrum IQ"), Identity{Firmware: "9.1"},
			map[string]Verdict{"ICSMA-20-170-04": Affected, "ICSMA-22-251-01": Affected}},
		{"Philips IntelliVue MX800", dev("Philips Medical Systems - Cardiac and Monitoring Systems (CM", "Philips IntelliVue MX800"), Identity{},
			map[string]Verdict{"ICSMA-18-156-01": PossiblyAffected, "ICSMA-19-255-01": PossiblyAffected, "ICSMA-20-254-01": PossiblyAffected}},
		{"GE CARESCAPE B450", dev("GE Healthcare", "GE Healthcare CARESCAPE B450"), Identity{Firmware: "2.0.1"},
			map[string]Verdict{"ICSMA-20-023-01": Affected}},
		{"GE CARESCAPE B450 v3", dev("GE Healthcare", "GE Healthcare CARESCAPE B450"), Identity{Firmware: "3.1"}, nil},
		{"GE LOGIQ E10", model.Asset{Vendor: "GE Medical System(China) Co., Ltd.", Manufacturer: "GE Healthcare", Model: "LOGIQ E10"}, Identity{},
			map[string]Verdict{"ICSMA-20-049-02": Affected}}, // "LOGIQ, not including LOGIQ 100 Pro": all versions
		{"GE LOGIQ 100 Pro", model.Asset{Vendor: "GE Healthcare", Model: "LOGIQ 100 Pro"}, Identity{}, nil},
		{"Dräger Infinity M540", dev("Draeger Medical Systems, Inc.", "Draeger Infinity M540"), Identity{}, nil},
		{"Dräger Infinity Delta", model.Asset{Vendor: "Draeger Medical Systems, Inc.", Model: "Infinity Delta XL"}, Identity{},
			map[string]Verdict{"ICSMA-19-022-01": Affected}},
		{"Spacelabs xprezzon", dev("SPACELABS MEDICAL", "Spacelabs xprezzon"), Identity{}, nil},
		{"Spacelabs Windows XP", model.Asset{Vendor: "SPACELABS MEDICAL", OS: "Windows XP"}, Identity{},
			map[string]Verdict{"ICSMA-20-049-01": PossiblyAffected}},
		{"Mindray BeneVision", dev("Mindray Co., Ltd.", "Mindray BeneVision N17"), Identity{}, nil},
		{"ICU Medical Plum 360", dev("ICU Medical, Inc.", "ICU Medical Plum 360"), Identity{}, nil},
		{"Fujifilm FCR", dev("FUJIFILM Corporation", "FUJIFILM FCR PRIMA"), Identity{}, nil},
		{"Fujifilm FCR XC-2", model.Asset{Vendor: "FUJIFILM Corporation", Model: "FCR XC-2"}, Identity{},
			map[string]Verdict{"ICSMA-19-113-01": PossiblyAffected}}, // "CR-IR 357" is not a version
		// One product, three names: "IntelliVue Information Center iX",
		// "Patient Information Center iX (PICiX)", "(PIC iX)".
		{"Philips PIC iX", model.Asset{Vendor: "Philips Healthcare PCCI", Model: "IntelliVue Information Center iX"}, Identity{},
			map[string]Verdict{"ICSMA-20-254-01": PossiblyAffected, "ICSMA-21-322-02": PossiblyAffected, "ICSMA-18-233-01": PossiblyAffected}},
		{"Philips PIC iX C.02.01", model.Asset{Vendor: "Philips Healthcare PCCI", Model: "PIC iX"}, Identity{Firmware: "C.02.01"},
			map[string]Verdict{"ICSMA-20-254-01": Affected, "ICSMA-21-322-02": Affected}},
		{"DCMTK workstation", model.Asset{Vendor: "Dell Inc.", Model: "DCMTK-based", DHCPVendorClass: "MSFT 5.0", OS: "Windows 10+"},
			Identity{DICOMImplClassUID: "1.2.276.0.7230010.3.0.3.6.6", DICOMImplVersion: "OFFIS_DCMTK_366"},
			map[string]Verdict{"ICSMA-22-174-01": Affected}},
		{"DCMTK 3.6.7", model.Asset{Vendor: "Dell Inc.", Model: "DCMTK-based"},
			Identity{DICOMImplClassUID: "1.2.276.0.7230010.3.0.3.6.7", DICOMImplVersion: "OFFIS_DCMTK_367"}, nil},
		{"HL7 pump gateway ids", model.Asset{Vendor: "Dell Inc.", DHCPVendorClass: "MSFT 5.0"},
			Identity{HL7Applications: []string{"ALARIS_GW"}, HL7EquipmentIDs: []string{"PUMP-0042^ALARIS^8015", "PUMP-0042^ALARIS^0012A3FFFE4B5C6D^EUI-64"}},
			// "ALARIS^8015" names the model number, not the PC unit: not
			// ICSMA-20-170-06's "Alaris PC Unit" without a number.
			map[string]Verdict{"ICSMA-17-017-02": PossiblyAffected, "ICSMA-20-317-01": PossiblyAffected, "ICSMA-23-194-01": PossiblyAffected}},
		{"HL7 gateway application only", model.Asset{Vendor: "Dell Inc.", DHCPVendorClass: "MSFT 5.0", Hostname: "ALARIS-GW01"},
			Identity{HL7Applications: []string{"ALARIS_GW"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := s.Match(c.a, c.id)
			got := matchIDs(ms)
			if c.want == nil {
				c.want = map[string]Verdict{}
			}
			if !maps.Equal(got, c.want) {
				for _, m := range ms {
					for _, p := range m.Products {
						t.Logf("%s %s %q %q: %s %+v %q", m.ID, p.ProductID, p.Product, p.Version, p.Verdict, p.Evidence, p.Reasons)
					}
				}
				t.Errorf("matched %v, want %v", got, c.want)
			}
		})
	}
}

// Matching is deterministic, sorted (affected first, then CVSS, then id)
// and safe for concurrent use.
func TestMatchDeterministic(t *testing.T) {
	s, _ := icsma(t)
	d := model.Asset{Vendor: "GE Healthcare", Manufacturer: "GE Healthcare", Model: "Optima CT660", DHCPVendorClass: "GE Healthcare Optima CT660", OS: "Linux"}
	first := s.Match(d, Identity{})
	if len(first) == 0 {
		t.Fatal("no match for a GE Optima CT660")
	}
	for i := 1; i < len(first); i++ {
		a, b := first[i-1], first[i]
		if a.Verdict != b.Verdict && a.Verdict != Affected || a.Verdict == b.Verdict && (a.CVSS < b.CVSS || a.CVSS == b.CVSS && a.ID > b.ID) {
			t.Errorf("order: %s %s %v before %s %s %v", a.ID, a.Verdict, a.CVSS, b.ID, b.Verdict, b.CVSS)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if got := s.Match(d, Identity{}); !reflect.DeepEqual(got, first) {
					t.Error("a later Match differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A product the advisory lists only as fixed never matches; remediations
// are those of the matched products; group ids resolve.
func TestMatchFixture(t *testing.T) {
	a := fixture(t)
	s := newSet([]*Advisory{a})
	gw := model.Asset{Vendor: "Example Medical GmbH", Model: "VitalLink Gateway VL-200"}
	for _, c := range []struct {
		fw       string
		verdict  Verdict
		products []string
	}{
		{"", PossiblyAffected, []string{"VL200-OLD", "VL200-ON-CENTRAL"}},
		{"2.3.9", Affected, []string{"VL200-OLD", "VL200-ON-CENTRAL"}},
		{"2.4.1", "", nil}, // the fixed release
		{"1.9", "", nil},
	} {
		ms := s.Match(gw, Identity{Firmware: c.fw})
		if c.verdict == "" {
			if len(ms) != 0 {
				t.Errorf("firmware %q: %+v", c.fw, ms)
			}
			continue
		}
		if len(ms) != 1 || ms[0].Verdict != c.verdict {
			t.Fatalf("firmware %q: %+v", c.fw, ms)
		}
		var ids []string
		for _, p := range ms[0].Products {
			ids = append(ids, p.ProductID)
		}
		if !slices.Equal(ids, c.products) || ms[0].CVSS != 9.8 || ms[0].Severity != SeverityCritical ||
			!slices.Equal(ms[0].CVEs, []string{"CVE-2026-99901"}) || len(ms[0].Remediations) != 2 {
			t.Errorf("firmware %q: products %v CVSS %v %s CVEs %v remediations %d", c.fw, ids, ms[0].CVSS, ms[0].Severity, ms[0].CVEs, len(ms[0].Remediations))
		}
	}
	// The monitor's range is qualified ("with Wi-Fi module"): possibly.
	mon := model.Asset{Vendor: "Example Medical GmbH", Model: "VitalLink VM-500"}
	ms := s.Match(mon, Identity{Firmware: "5.1"})
	if len(ms) != 1 || ms[0].Verdict != PossiblyAffected || ms[0].CVSS != 6.5 || len(ms[0].Remediations) != 2 ||
		!strings.Contains(fmt.Sprint(ms[0].Products[0].Reasons), "qualifies") {
		t.Errorf("monitor: %+v", ms)
	}
	if ms := s.Match(model.Asset{Vendor: "Example Medical GmbH", Model: "VitalLink VM-600"}, Identity{}); len(ms) != 0 {
		t.Errorf("another model number: %+v", ms)
	}
}
