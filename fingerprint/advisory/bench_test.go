package advisory

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// inventory builds n assets the way a hospital's inventory looks: about a
// third ordinary IT, the rest clinical devices of the demo's kinds (with
// and without a model, some with a known version), each with its own host
// name.
func inventory(n int) ([]model.Asset, []Identity) {
	clinical := []model.Asset{
		alarisBD(0), alarisCareFusion(0),
		{Vendor: "Becton, Dickinson  and Company", DHCPVendorClass: "BD Alaris PC 8015", Manufacturer: "BD"},
		{Vendor: "Baxter International Inc", DHCPVendorClass: "Baxter Spectrum IQ", Manufacturer: "Baxter", Model: "Spectrum IQ"},
		{Vendor: "ICU Medical, Inc.", DHCPVendorClass: "ICU Medical Plum 360", Manufacturer: "ICU Medical", Model: "Plum 360"},
		{Vendor: "Philips Medical Systems - Cardiac and Monitoring Systems (CM", DHCPVendorClass: "Philips IntelliVue MX800", Manufacturer: "Philips", Model: "IntelliVue MX800"},
		{Vendor: "Mindray Co., Ltd.", DHCPVendorClass: "Mindray BeneVision N17", Manufacturer: "Mindray"},
		{Vendor: "Draeger Medical Systems, Inc.", DHCPVendorClass: "Draeger Infinity M540", Manufacturer: "Dräger", Model: "Infinity M540"},
		{Vendor: "SPACELABS MEDICAL", DHCPVendorClass: "Spacelabs xprezzon", Manufacturer: "Spacelabs"},
		{Vendor: "GE Healthcare", DHCPVendorClass: "GE Healthcare CARESCAPE B450", Manufacturer: "GE Healthcare", Model: "CARESCAPE B450"},
		{Vendor: "Siemens Healthcare Diagnostics Manufacturing Ltd", DHCPVendorClass: "MSFT 5.0", Manufacturer: "Siemens Healthineers", OS: "Windows 10+"},
		{Vendor: "GE Medical System(China) Co., Ltd.", DHCPVendorClass: "MSFT 5.0", Manufacturer: "GE Healthcare", Model: "LOGIQ E10"},
		{Vendor: "FUJIFILM Corporation", DHCPVendorClass: "FUJIFILM FCR PRIMA", Manufacturer: "FUJIFILM"},
		{Vendor: "Philips Healthcare PCCI", DHCPVendorClass: "MSFT 5.0", Manufacturer: "Philips", Model: "DigitalDiagnost"},
	}
	var it []model.Asset
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range nonMedical {
			if !yield(k) {
				return
			}
		}
	}) {
		it = append(it, nonMedical[k])
	}
	firmware := []string{"", "", "9.19", "12.3.1", "2.1", "C.02.01"}
	assets := make([]model.Asset, n)
	ids := make([]Identity, n)
	for i := range assets {
		var a model.Asset
		if i%3 == 0 {
			a = it[i/3%len(it)]
		} else {
			a = clinical[i%len(clinical)]
			ids[i].Firmware = firmware[i%len(firmware)]
		}
		a.Hostname = fmt.Sprintf("%s-%05d", a.Hostname, i)
		assets[i] = a
	}
	return assets, ids
}

// BenchmarkMatchInventory matches an inventory of 10 000 assets against
// every ICSMA advisory (one op = the whole inventory).
func BenchmarkMatchInventory(b *testing.B) {
	s, _ := icsma(b)
	assets, ids := inventory(10000)
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for range b.N {
		matched = 0
		for i := range assets {
			if len(s.Match(assets[i], ids[i])) > 0 {
				matched++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(assets)), "ns/asset")
	b.ReportMetric(float64(matched), "matched-assets")
}

// BenchmarkLoadDir loads the whole ICSMA set (144 documents).
func BenchmarkLoadDir(b *testing.B) {
	dir := icsmaDir(b)
	b.ReportAllocs()
	for range b.N {
		if _, errs := LoadDir(dir); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}
