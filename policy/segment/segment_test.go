package segment

import (
	"net/netip"
	"testing"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// The inventory service places assets through this method.
var _ interface{ Zone(*model.Asset) string } = (*Segmenter)(nil)

const testPolicy = `default: allow
zones:
  - name: radiology
    ae_titles: [RAD_WS07]
  - name: pumps
    classes: [infusion-pump]
  - name: workstations
    vlans: [40]
    cidrs: [10.40.0.0/16]
  - name: v6
    cidrs: ["fd00::/8"]
rules: []
`

func mustPolicy(t *testing.T, y string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(y), "test.yml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func addrs(ips ...string) []model.AssetAddress {
	var out []model.AssetAddress
	for _, s := range ips {
		out = append(out, model.AssetAddress{IP: netip.MustParseAddr(s)})
	}
	return out
}

func TestAssetEndpoint(t *testing.T) {
	mac := model.MAC{0x98, 0xe7, 0x43, 0x2e, 0xe8, 0x6a}
	a := model.Asset{Key: model.AssetKey{Vantage: "demo", VLAN: 40, MAC: mac},
		Addresses: addrs("fd00::7", "10.40.0.107", "10.40.0.200"), AETitle: " RAD_WS07 "}
	e := AssetEndpoint(&a)
	want := policy.Endpoint{Vantage: "demo", VLAN: 40, MAC: mac, IP: netip.MustParseAddr("10.40.0.107"),
		Class: model.ClassUnknown, AETitle: "RAD_WS07"}
	if e != want {
		t.Errorf("AssetEndpoint = %+v, want %+v", e, want)
	}
	for _, tt := range []struct {
		name string
		a    model.Asset
		want string
	}{
		{"first IPv4", model.Asset{Addresses: addrs("fd00::1", "10.0.0.2", "10.0.0.1")}, "10.0.0.2"},
		{"IPv6 only", model.Asset{Addresses: addrs("fd00::1", "fd00::2")}, "fd00::1"},
		{"keyed by IP", model.Asset{Key: model.AssetKey{IP: netip.MustParseAddr("127.0.0.1")}, Addresses: addrs("10.0.0.9")}, "127.0.0.1"},
	} {
		if got := AssetIP(&tt.a); got.String() != tt.want {
			t.Errorf("%s: AssetIP = %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := AssetIP(&model.Asset{}); got.IsValid() {
		t.Errorf("AssetIP of an asset without addresses = %s", got)
	}
}

func TestZone(t *testing.T) {
	p := mustPolicy(t, testPolicy)
	h := policy.NewHolder(nil)
	s := New(h)
	ws := model.Asset{Key: model.AssetKey{VLAN: 40, MAC: model.MAC{2, 0, 0, 0, 0, 1}}, Addresses: addrs("10.40.0.107"),
		Class: "dicom-workstation", AETitle: "RAD_WS07"}
	if z := s.Zone(&ws); z != "" {
		t.Errorf("zone without a policy = %q", z)
	}
	h.Swap(p) // a reload applies at once
	if z := s.Zone(&ws); z != "radiology" {
		t.Errorf("zone by AE title = %q, want radiology", z)
	}
	ws.AETitle = ""
	if z := s.Zone(&ws); z != "workstations" {
		t.Errorf("zone by CIDR = %q, want workstations", z)
	}
	pump := model.Asset{Key: model.AssetKey{VLAN: 20, MAC: model.MAC{2, 0, 0, 0, 0, 2}}, Class: "infusion-pump"}
	if z := Fixed(p).Zone(&pump); z != "pumps" {
		t.Errorf("zone by class = %q, want pumps", z)
	}
	if z := Fixed(nil).Zone(&pump); z != "" {
		t.Errorf("Fixed(nil) zone = %q", z)
	}
}
