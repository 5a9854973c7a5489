package fingerprint

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint/oui"
	"github.com/wardwatch/wardwatch/model"
)

// packPath is the shipped rule pack, read from disk so the test needs no
// import of configs (which embeds the same file).
const packPath = "../configs/fingerprints.yml"

var (
	packOnce sync.Once
	pack     []byte
	packErr  error
)

// defaultEngine loads the shipped rule pack.
func defaultEngine(tb testing.TB) *Engine {
	tb.Helper()
	packOnce.Do(func() { pack, packErr = os.ReadFile(packPath) })
	if packErr != nil {
		tb.Fatal(packErr)
	}
	e, err := Load(pack, "configs/fingerprints.yml", "")
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return e
}

// fact builders; combine them with merge.

// mac sets the MAC from a prefix ("00:12:21"), padded with :00:00:01, and
// the vendor as the embedded IEEE registry has it, so OUI rules are tested
// against real registry strings.
func mac(tb testing.TB, prefix string) Facts {
	tb.Helper()
	digits := strings.NewReplacer(":", "", "-", "").Replace(prefix)
	m, err := model.ParseMAC(digits + "000000000001"[len(digits):])
	if err != nil {
		tb.Fatal(err)
	}
	f := Facts{MAC: m, Randomized: m.IsLocal()}
	if v, ok := oui.Lookup(m); ok {
		f.Vendor = v
	}
	return f
}

func dhcp(p55, p60, host string) Facts {
	return Facts{DHCPParamList: p55, DHCPVendorClass: p60, Hostname: host}
}

func dicom(d ...DICOMFact) Facts { return Facts{DICOM: d} }

func hl7(h ...HL7Fact) Facts { return Facts{HL7: h} }

func scu(sop ...string) DICOMFact {
	return DICOMFact{Role: model.RoleSCU, AETitle: "SCU", SOPClasses: sop}
}
func scp(sop ...string) DICOMFact {
	return DICOMFact{Role: model.RoleSCP, AETitle: "SCP", SOPClasses: sop}
}

// cmd is a DIMSE command with its affected SOP class ("" for none).
func cmd(name, sop string) model.DICOMCommand { return model.DICOMCommand{Name: name, SOPClass: sop} }

// merge combines facts: later non-zero fields win, lists append.
func merge(fs ...Facts) Facts {
	var out Facts
	for _, f := range fs {
		if !f.MAC.IsZero() {
			out.MAC, out.Vendor, out.Randomized = f.MAC, f.Vendor, f.Randomized
		}
		if f.DHCPParamList != "" {
			out.DHCPParamList = f.DHCPParamList
		}
		if f.DHCPVendorClass != "" {
			out.DHCPVendorClass = f.DHCPVendorClass
		}
		if f.Hostname != "" {
			out.Hostname = f.Hostname
		}
		out.DICOM = append(out.DICOM, f.DICOM...)
		out.HL7 = append(out.HL7, f.HL7...)
		out.Served = append(out.Served, f.Served...)
		out.Clients = append(out.Clients, f.Clients...)
		out.Signals = append(out.Signals, f.Signals...)
		out.RoutedIPs = max(out.RoutedIPs, f.RoutedIPs)
	}
	return out
}

// sig is a fact with one passive signal.
func sig(src model.EvidenceSource, value string) Facts {
	return Facts{Signals: []Signal{{Source: src, Value: value}}}
}

// serves is a fact with one served service.
func serves(proto uint8, port uint16, service string, clients int) Facts {
	return Facts{Served: []Served{{Proto: proto, Port: port, Service: service, Clients: clients}}}
}

// clients is a fact with n distinct clients of class c on tcp/443.
func clients(c model.Class, n int) Facts {
	return Facts{Clients: []ClassCount{{Proto: 6, Port: 443, Class: c, Count: n}}}
}

// want is the expected classification; empty fields are not checked, except
// Class, which defaults to unknown. Confidence and Strength are checked when
// non-zero.
type want struct {
	Class                                      model.Class
	Modality, Manufacturer, Model, OS, Version string
	Confidence, Strength                       int
}

// classCase is one named facts-to-classification case.
type classCase struct {
	name string
	f    Facts
	w    want
}

// checkCases classifies each case's facts with e, as a subtest.
func checkCases(t *testing.T, e *Engine, cases []classCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, e.Classify(&c.f), c.w) })
	}
}

func check(t *testing.T, got Result, w want) {
	t.Helper()
	if w.Class == "" {
		w.Class = model.ClassUnknown
	}
	if got.Class != w.Class {
		t.Errorf("class = %q, want %q", got.Class, w.Class)
	}
	for _, c := range []struct{ name, got, want string }{
		{"modality", got.Modality, w.Modality},
		{"manufacturer", got.Manufacturer, w.Manufacturer},
		{"model", got.Model, w.Model},
		{"os", got.OS, w.OS},
		{"version", got.Version, w.Version},
	} {
		if c.want != "" && c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if w.Confidence != 0 && got.Confidence != w.Confidence {
		t.Errorf("confidence = %d, want %d", got.Confidence, w.Confidence)
	}
	if w.Strength != 0 && got.Strength != w.Strength {
		t.Errorf("strength = %d, want %d", got.Strength, w.Strength)
	}
	if t.Failed() {
		t.Logf("evidence: %+v", got.Evidence)
	}
}

func usedRule(r Result, name string) bool {
	return slices.ContainsFunc(r.Evidence, func(e Evidence) bool { return e.Rule == name })
}
