package advisory

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// Every alias of the table reaches its vendor from the fields it is meant
// for, and only from those.
func TestAliasTable(t *testing.T) {
	for _, a := range Aliases() {
		t.Run(fmt.Sprintf("%s/%s/%s", a.Vendor, a.Kind, a.Text), func(t *testing.T) {
			var dev *device
			switch a.Kind {
			case AliasName:
				// On a device: the start of the OUI organisation or the
				// manufacturer; in an advisory: anywhere in the vendor branch.
				dev = newDevice(model.Asset{Vendor: a.Text + ", Inc."}, Identity{})
				adv := namesIn("Foo Corp. and "+a.Text, ScopeAdvisory)
				inAdv := hasVendor(adv, a.Vendor)
				onDev := dev.vendors[a.Vendor].f == FieldOUIVendor
				switch a.Scope {
				case ScopeBoth:
					if !inAdv || !onDev {
						t.Errorf("advisory %v device %v", inAdv, onDev)
					}
				case ScopeDevice:
					if inAdv || !onDev {
						t.Errorf("device-only alias: advisory %v device %v", inAdv, onDev)
					}
				case ScopeAdvisory:
					if !inAdv || onDev {
						t.Errorf("advisory-only alias: advisory %v device %v", inAdv, onDev)
					}
				}
				if d := newDevice(model.Asset{Vendor: "Foo " + a.Text}, Identity{}); d.vendors[a.Vendor].f != "" {
					t.Errorf("a company name must start the device field: %+v", d.vendors)
				}
			case AliasBrand:
				// Anywhere in a model, DHCP vendor class, host name or HL7
				// identifier; never in an advisory's vendor or product name.
				for _, d := range []*device{
					newDevice(model.Asset{Model: "X " + a.Text + " 2000"}, Identity{}),
					newDevice(model.Asset{DHCPVendorClass: "acme " + a.Text}, Identity{}),
					newDevice(model.Asset{Hostname: strings.ReplaceAll(a.Text, " ", "-") + "-07"}, Identity{}),
					newDevice(model.Asset{}, Identity{HL7Applications: []string{strings.ToUpper(strings.ReplaceAll(a.Text, " ", "_")) + "_GW"}}),
					newDevice(model.Asset{}, Identity{HL7EquipmentIDs: []string{"DEV-1^" + strings.ToUpper(a.Text) + "^100"}}),
				} {
					if _, ok := d.vendors[a.Vendor]; !ok {
						t.Errorf("not found: %+v", d.vendors)
					}
				}
				if hasVendor(namesIn("Foo "+a.Text+" Bar", ScopeAdvisory), a.Vendor) {
					t.Error("a brand changed an advisory's vendor")
				}
			case AliasDICOMRoot:
				d := newDevice(model.Asset{}, Identity{DICOMImplClassUID: a.Text + ".1.2.3"})
				if d.vendors[a.Vendor].f != FieldDICOMImplClassUID {
					t.Errorf("UID under the root: %+v", d.vendors)
				}
				if d := newDevice(model.Asset{}, Identity{DICOMImplClassUID: a.Text + "9.1"}); len(d.vendors) != 0 {
					t.Errorf("a root is matched by whole components: %+v", d.vendors)
				}
			case AliasDICOMVersion:
				d := newDevice(model.Asset{}, Identity{DICOMImplVersion: a.Text + "366"})
				if d.vendors[a.Vendor].f != FieldDICOMImplVersion {
					t.Errorf("version name: %+v", d.vendors)
				}
			default:
				t.Errorf("unknown kind %q", a.Kind)
			}
		})
	}
}

func hasVendor(hs []vendorHit, v string) bool {
	for _, h := range hs {
		if h.vendor == v {
			return true
		}
	}
	return false
}

// Spellings that must not reach a clinical vendor: other companies that
// share a word, the IEEE registry's other divisions.
func TestAliasNegatives(t *testing.T) {
	for _, c := range []struct {
		a    model.Asset
		id   Identity
		none string
	}{
		{a: model.Asset{Vendor: "TALARIS SYSTEMS, INC."}, none: "BD"},
		{a: model.Asset{Vendor: "Talaris (Sweden) AB"}, none: "BD"},
		{a: model.Asset{Vendor: "GE Appliances"}, none: "GE Healthcare"},
		{a: model.Asset{Vendor: "GE Lighting"}, none: "GE Healthcare"},
		{a: model.Asset{Vendor: "Ge Ruili Intelligent Technology ( Beijing ) Co., Ltd."}, none: "GE Healthcare"},
		{a: model.Asset{Vendor: "CONTEC CO., LTD."}, none: "Contec Health"},
		{a: model.Asset{Vendor: "Contec GmbH"}, none: "Contec Health"},
		{a: model.Asset{Vendor: "Phillips Machine & Welding Co., Inc."}, none: "Philips"},
		{a: model.Asset{Vendor: "Nokia Siemens Networks GmbH & Co. KG."}, none: "Siemens"},
		{a: model.Asset{Vendor: "Fujitsu Siemens Computers"}, none: "Siemens"},
		{a: model.Asset{Vendor: "Fresenius Medical Care Deutschland GmbH"}, none: "Fresenius Kabi"},
		{a: model.Asset{Vendor: "Brivo Systems, LLC"}, none: "GE Healthcare"},
		{a: model.Asset{Vendor: "PYXIS S.R.L."}, none: "BD"},
		{a: model.Asset{Vendor: "Itron Inc"}, none: "Wind River"},
		{a: model.Asset{Vendor: "Smiths Detection"}, none: "Smiths Medical"},
		{a: model.Asset{Manufacturer: "Cisco"}, none: "Capsule"},
		{a: model.Asset{Hostname: "talaris-01"}, none: "BD"},
		{id: Identity{DICOMImplClassUID: "1.2.840.1136190.1"}, none: "GE Healthcare"},
		{id: Identity{DICOMImplVersion: "dcm4che-5.31"}, none: "OFFIS"},
	} {
		d := newDevice(c.a, c.id)
		if ev, ok := d.vendors[c.none]; ok {
			t.Errorf("%+v %+v reached %s via %+v", c.a, c.id, c.none, ev)
		}
	}
}

// Device fields feed vendors in order of trust; the first evidence of a
// vendor is kept.
func TestDeviceVendors(t *testing.T) {
	d := newDevice(alarisBD(42), Identity{HL7Applications: []string{"ALARIS_GW"}})
	if len(d.order) != 1 || d.order[0] != "BD" || d.vendors["BD"].f != FieldManufacturer {
		t.Errorf("order %v %+v", d.order, d.vendors)
	}
	d = newDevice(model.Asset{Vendor: "Ypsomed AG"}, Identity{})
	if len(d.order) != 1 || d.order[0] != "ypsomed" {
		t.Errorf("a vendor outside the table keeps its own words: %v", d.order)
	}
}

// docs/advisories.md names every alias and synonym of the tables.
func TestDocsListAliases(t *testing.T) {
	b, err := os.ReadFile("../../docs/advisories.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, a := range Aliases() {
		if !strings.Contains(doc, "`"+a.Text+"`") {
			t.Errorf("docs/advisories.md does not name alias %q (%s)", a.Text, a.Vendor)
		}
	}
	for _, s := range synonyms {
		if !strings.Contains(doc, "| "+strings.Join(s.from, " ")+" | "+strings.Join(s.to, " ")+" |") {
			t.Errorf("docs/advisories.md does not list synonym %q", strings.Join(s.from, " "))
		}
	}
}
