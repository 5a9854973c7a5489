package advisory

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// icsmaDir returns the CISA ICSMA folder of the shared data beside the
// repository (../shared/advisories/cisa-icsma from the module root), or
// skips the test.
func icsmaDir(tb testing.TB) string {
	tb.Helper()
	dir, err := sharedICSMA()
	if err != nil {
		tb.Skipf("CISA ICSMA advisories not found beside the repo (../shared/advisories/cisa-icsma): %v", err)
	}
	return dir
}

func sharedICSMA() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "advisories", "cisa-icsma")
			_, err := os.Stat(p)
			return p, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

var (
	icsmaOnce sync.Once
	icsmaSet  *Set
	icsmaErrs []LoadError
)

// icsma loads the whole ICSMA set once per test binary.
func icsma(tb testing.TB) (*Set, []LoadError) {
	tb.Helper()
	dir := icsmaDir(tb)
	icsmaOnce.Do(func() { icsmaSet, icsmaErrs = LoadDir(dir) })
	return icsmaSet, icsmaErrs
}

// matchIDs returns the ids of ms with their verdicts.
func matchIDs(ms []Match) map[string]Verdict {
	out := map[string]Verdict{}
	for _, m := range ms {
		out[m.ID] = m.Verdict
	}
	return out
}

// Devices as the demo capture's generator (testdata/gen/demo.go) builds
// them: what they send (OUI, DHCP option 60 and 12) and what
// identification makes of it (manufacturer, model).

func alarisBD(i int) model.Asset {
	return model.Asset{Vendor: "Becton, Dickinson  and Company", DHCPVendorClass: "BD Alaris PC 8015",
		Hostname: fmt.Sprintf("ALARIS-PC-%04d", i),
		Class:    "infusion-pump", Manufacturer: "BD", Model: "Alaris PC 8015"}
}

func alarisCareFusion(i int) model.Asset {
	a := alarisBD(i)
	a.Vendor, a.DHCPVendorClass = "Carefusion", "CareFusion Alaris PC 8015"
	return a
}

// nonMedical are ordinary IT devices of a hospital network.
var nonMedical = map[string]model.Asset{
	"windows workstation": {Vendor: "Dell Inc.", DHCPVendorClass: "MSFT 5.0", Hostname: "WS-RAD-07",
		Class: "workstation", OS: "Windows 10+"},
	"HP printer": {Vendor: "HP Inc.", DHCPVendorClass: "Hewlett-Packard JetDirect", Hostname: "NPI8C2A1F",
		Class: "printer", Manufacturer: "HP", Model: "LaserJet Pro M404dn"},
	"Cisco phone": {Vendor: "Cisco Systems, Inc", DHCPVendorClass: "Cisco Systems, Inc. IP Phone CP-8841",
		Hostname: "SEP001B54A1B2C3", Class: "voip-phone", Manufacturer: "Cisco", Model: "CP-8841"},
	"Dell server": {Vendor: "Dell Inc.", DHCPVendorClass: "MSFT 5.0", Hostname: "EHR-APP01",
		Class: "server", Manufacturer: "Dell", Model: "PowerEdge R740", OS: "Windows Server 2019"},
	"generic Linux": {Vendor: "Intel Corporate", DHCPVendorClass: "dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel",
		Hostname: "ubuntu", Class: "server", OS: "Linux"},
	"Linux with udhcpc": {Vendor: "Raspberry Pi Trading Ltd", DHCPVendorClass: "udhcp 1.36.1", Hostname: "raspberrypi",
		Class: "iot", Manufacturer: "Raspberry Pi", OS: "Linux (BusyBox)"},
	"Zebra label printer": {Vendor: "Zebra Technologies Inc", DHCPVendorClass: "Zebra Technologies ZD510",
		Hostname: "ZBR-WRIST-01", Class: "printer", Manufacturer: "Zebra"},
	"Android handheld": {Vendor: "Zebra Technologies Inc", DHCPVendorClass: "android-dhcp-11", Hostname: "ZBR-TC52-01",
		Class: "mobile", OS: "Android"},
	"Cisco core switch": {Vendor: "Cisco Systems, Inc", Class: "network-infrastructure", Manufacturer: "Cisco"},
	"Windows 7 PC": {Vendor: "Hewlett Packard", DHCPVendorClass: "MSFT 5.0", Hostname: "WS-ADM-01",
		Class: "workstation", OS: "Windows 7/8"},
}

// fixture loads testdata/example-groups.json, the project's own CSAF
// document (a fictional vendor) that uses product groups, group ids, full
// product names, a relationship and a VERS range.
func fixture(t testing.TB) *Advisory {
	t.Helper()
	b, err := os.ReadFile("testdata/example-groups.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Load("example-groups.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
