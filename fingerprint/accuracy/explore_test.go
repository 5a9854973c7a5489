package accuracy

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/fingerprint"
)

func TestZZExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	e, err := fingerprint.Load(configs.Fingerprints, "configs/fingerprints.yml", "")
	if err != nil {
		t.Fatal(err)
	}
	dir := sharedPcaps(t)
	for _, c := range captureFiles(t, dir) {
		sig, _ := decodedSignals(filepath.Join(dir, c))
		for _, a := range replay(t, e, filepath.Join(dir, c), os.Getenv("EXPLORE") == "signals") {
			fmt.Printf("%s|%d|%s|%s|%s|%s|%d|%s|%s|%s|%q|%q|%v\n", c, a.Key.VLAN, a.Key.MAC, a.Vendor, a.Hostname, a.Class, a.ClassConfidence,
				a.Manufacturer, a.Model, a.OS, a.DHCPParamList, a.DHCPVendorClass, sig[a.Key.MAC])
		}
	}
}
