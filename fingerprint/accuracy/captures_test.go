package accuracy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// captureDevice is one labelled device of testdata/captures.yml, found by
// MAC, else by host name, DHCP vendor class, AE title or key IP.
type captureDevice struct {
	MAC         string        `yaml:"mac"`
	Hostname    string        `yaml:"hostname"`
	VendorClass string        `yaml:"vendor_class"`
	AE          string        `yaml:"ae"`
	IP          string        `yaml:"ip"` // an asset keyed by IP (no MAC on the link type)
	Name        string        `yaml:"name"`
	OS          string        `yaml:"os"`
	Type        model.Class   `yaml:"type"`
	Types       []model.Class `yaml:"types"` // any of these is right
	Not         []model.Class `yaml:"not"`
	Clinical    *bool         `yaml:"clinical"`
}

func (d *captureDevice) matches(a *replayed) bool {
	switch {
	case d.MAC != "":
		return a.Key.MAC.String() == d.MAC
	case d.Hostname != "":
		return a.Hostname == d.Hostname
	case d.VendorClass != "":
		return a.DHCPVendorClass == d.VendorClass
	case d.AE != "":
		return a.AETitle == d.AE
	case d.IP != "":
		return a.Key.KeyedByIP() && a.Key.IP.String() == d.IP
	}
	return false
}

func loadCaptureLabels(tb testing.TB) map[string][]captureDevice {
	tb.Helper()
	data, err := os.ReadFile("testdata/captures.yml")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		Captures []struct {
			Capture string          `yaml:"capture"`
			Devices []captureDevice `yaml:"devices"`
		} `yaml:"captures"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		tb.Fatal(err)
	}
	out := map[string][]captureDevice{}
	for _, c := range file.Captures {
		out[c.Capture] = append(out[c.Capture], c.Devices...)
	}
	return out
}

// captureReport is the measurement of one mode (as wired, or with the
// decoded signals) over every shared capture.
type captureReport struct {
	Captures, Assets, Classified, Unknown, VMs int
	LocalMobile                                int      // locally administered MACs classed mobile
	Missing                                    []string // labelled devices not found
	Scored                                     score
	Unlabelled                                 []string // assets with a class that no label covers
}

func measureCaptures(tb testing.TB, decoded bool) captureReport {
	tb.Helper()
	dir := sharedPcaps(tb)
	e := engine(tb)
	labels := loadCaptureLabels(tb)
	var r captureReport
	for _, c := range captureFiles(tb, dir) {
		r.Captures++
		assets := replay(tb, e, filepath.Join(dir, c), decoded)
		used := make([]bool, len(assets))
		for _, d := range labels[c] {
			found := false
			for i := range assets {
				a := &assets[i]
				if !d.matches(a) {
					continue
				}
				found, used[i] = true, true
				typ := d.Type
				if len(d.Types) > 0 && slices.Contains(d.Types, a.Class) {
					typ = a.Class
				} else if len(d.Types) > 0 {
					typ = d.Types[0]
				}
				clinical := fingerprint.IsClinical(typ)
				if d.Clinical != nil {
					clinical = *d.Clinical
				}
				r.Scored.add(label{name: c + " " + d.Name, os: d.OS, typ: typ, not: d.Not, clinical: clinical, got: result(a)})
			}
			if !found {
				r.Missing = append(r.Missing, c+" "+d.Name)
			}
		}
		for i := range assets {
			a := &assets[i]
			r.Assets++
			switch a.Class {
			case model.ClassUnknown:
				r.Unknown++
			case model.ClassVirtualMachine:
				r.VMs++
				r.Classified++
			default:
				r.Classified++
			}
			if a.Randomized && a.Class == model.ClassMobile {
				r.LocalMobile++
			}
			if !used[i] && a.Class != model.ClassUnknown && a.Class != model.ClassVirtualMachine {
				r.Unlabelled = append(r.Unlabelled, strings.TrimSpace(fmt.Sprintf("%s %s %s (%d) %s %s", c, a.Key.MAC, a.Class,
					a.ClassConfidence, a.Manufacturer, a.Model)))
			}
		}
	}
	return r
}

// result is the classification the store kept for a.
func result(a *replayed) fingerprint.Result {
	return fingerprint.Result{Class: a.Class, Confidence: a.ClassConfidence, Strength: a.ClassStrength,
		Manufacturer: a.Manufacturer, Model: a.Model, OS: a.OS, Version: a.Version}
}

// TestSharedCaptures replays every shared capture through the sensor and
// the store, as wired today and with the new decoders' signals, and checks
// the labelled devices: no non-clinical device with a clinical class, none
// wrong at high confidence, every label found, no locally administered MAC
// classed mobile.
func TestSharedCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("replays every shared capture (skipped with -short)")
	}
	for _, decoded := range []bool{false, true} {
		r := measureCaptures(t, decoded)
		mode := "as wired"
		if decoded {
			mode = "with decoded signals"
		}
		s := &r.Scored
		t.Logf("%s: %d captures, %d assets, %d classified (%d virtual machines), %d unknown; %d labelled: OS family right %d/%d, wrong %d; type right %d/%d, wrong %d, unknown %d",
			mode, r.Captures, r.Assets, r.Classified, r.VMs, r.Unknown, s.N, s.OSRight, s.OSLabelled, s.OSWrong, s.TypeRight, s.TypeLabelled, s.TypeWrong, s.TypeNo)
		for _, w := range s.Wrong {
			t.Logf("  %s: %s", mode, w)
		}
		for _, u := range r.Unlabelled {
			t.Logf("  %s: unlabelled: %s", mode, u)
		}
		if len(r.Missing) > 0 {
			t.Errorf("%s: labelled devices not in the replay: %v", mode, r.Missing)
		}
		if len(s.Clinical) > 0 {
			t.Errorf("%s: non-clinical devices with a clinical class: %v", mode, s.Clinical)
		}
		if len(s.HighConfWrong) > 0 {
			t.Errorf("%s: wrong at confidence >= %d: %v", mode, highConf, s.HighConfWrong)
		}
		if r.LocalMobile > 0 {
			t.Errorf("%s: %d locally administered MACs classed mobile", mode, r.LocalMobile)
		}
	}
}
