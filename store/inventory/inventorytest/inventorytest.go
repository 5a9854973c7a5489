// Package inventorytest builds the small hospital the inventory's tests
// (store/inventory, exporter/api) query: a real SQLite database filled
// through the store's writer with the real fingerprint rules, and the
// example policy. Like net/http/httptest it is for tests only.
package inventorytest

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/fingerprint/oui"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// Now is the fixture's "now": the inventory clock of every test.
var Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var t0 = Now

// The fixture's devices.
const (
	PumpMAC    = "9c:c8:ae:23:c3:65" // BD Alaris, VLAN 20, active; violates pumps-to-internet
	MonitorMAC = "00:09:5c:81:66:e5" // Philips monitor, VLAN 20, dormant (10 days)
	CTMAC      = "00:18:65:04:85:95" // Siemens CT, VLAN 30, active, DICOM SCU
	PACSMAC    = "dc:4a:3e:a2:c8:32" // PACS, VLAN 50, DICOM SCP, served by the workstation
	WSMAC      = "04:0e:3c:0b:13:30" // workstation, VLAN 50, DICOM SCU to the PACS (same VLAN)
	HostileMAC = "02:00:5e:10:00:01" // randomized, VLAN 40, retired (100 days); hostile names
	RouterMAC  = "00:00:0c:9f:f0:01" // the same MAC on VLANs 20 and 30
	HostileTag = `<script>alert("x")</script>`
	Formula    = `=HYPERLINK("http://evil.example/","x")`
)

func mustMAC(s string) model.MAC {
	m, err := model.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func key(vlan uint16, mac string) model.AssetKey {
	return model.AssetKey{Vantage: "span0", VLAN: vlan, MAC: mustMAC(mac)}
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// DB builds a small hospital: six devices and a router, DICOM and HL7
// facts, flows and a violation, with the real fingerprint rules. The
// database is closed when the test ends.
func DB(tb testing.TB) *store.DB {
	tb.Helper()
	eng := rules(tb)
	path := filepath.Join(tb.TempDir(), "fixture.db")
	db, err := store.Open(path, store.Options{
		FlushInterval: time.Hour, Classifier: eng,
		Vendor: func(m model.MAC) string { org, _ := oui.Lookup(m); return org },
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	db.Start(ctx)
	tb.Cleanup(func() { db.Close() })

	var obs []model.Observation
	add := func(o ...model.Observation) { obs = append(obs, o...) }
	seen := func(k model.AssetKey, last time.Time, addr, host string, d model.DHCPInfo) {
		first := last.Add(-time.Hour)
		add(model.Observation{Kind: model.ObsActivity, Key: k, First: first, Time: last, Packets: 10, Bytes: 1000})
		if addr != "" {
			add(model.Observation{Kind: model.ObsARP, Key: k, Time: first, IP: ip(addr), Source: "arp.reply",
				ARP: &model.ARPInfo{Op: 2}})
		}
		if host != "" || d.VendorClass != "" {
			d.MsgType, d.Hostname = 3, host
			add(model.Observation{Kind: model.ObsDHCP, Key: k, Time: first, DHCP: &d})
		}
	}
	pump, monitor, ct := key(20, PumpMAC), key(20, MonitorMAC), key(30, CTMAC)
	pacs, ws, hostile := key(50, PACSMAC), key(50, WSMAC), key(40, HostileMAC)
	seen(pump, t0.Add(-time.Hour), "10.20.0.101", "ALARIS-PC-0042", model.DHCPInfo{VendorClass: "CareFusion Alaris PC"})
	seen(monitor, t0.Add(-10*24*time.Hour), "10.20.0.115", "MX800-ICU-02", model.DHCPInfo{})
	seen(ct, t0.Add(-2*time.Hour), "10.30.0.21", "CT-SOMATOM-01", model.DHCPInfo{})
	seen(pacs, t0.Add(-time.Minute), "10.50.0.20", "PACS01", model.DHCPInfo{})
	seen(ws, t0.Add(-3*time.Hour), "10.50.0.60", "WS-RAD-07", model.DHCPInfo{})
	seen(hostile, t0.Add(-100*24*time.Hour), "10.40.0.66", HostileTag, model.DHCPInfo{})
	seen(key(20, RouterMAC), t0.Add(-5*time.Hour), "10.20.0.1", "", model.DHCPInfo{})
	seen(key(30, RouterMAC), t0.Add(-4*time.Hour), "10.30.0.1", "", model.DHCPInfo{})

	const ctStorage = "1.2.840.10008.5.1.4.1.1.2"
	add(model.Observation{Kind: model.ObsDICOM, Key: ct, Time: t0.Add(-3 * time.Hour), IP: ip("10.30.0.21"),
		DICOM: &model.DICOMInfo{Role: "scu", AETitle: "CT_SCANNER1", PeerAETitle: "PACS_MAIN", PeerIP: ip("10.50.0.20"),
			Port: 104, SOPClasses: []string{"1.2.840.10008.1.1", ctStorage}, Commands: []model.DICOMCommand{{Name: "C-STORE-RQ", SOPClass: ctStorage}},
			Result: "released"}})
	add(model.Observation{Kind: model.ObsDICOM, Key: pacs, Time: t0.Add(-3 * time.Hour), IP: ip("10.50.0.20"),
		DICOM: &model.DICOMInfo{Role: "scp", AETitle: "PACS_MAIN", PeerAETitle: "RAD_WS07", PeerIP: ip("10.50.0.60"),
			Port: 104, SOPClasses: []string{"1.2.840.10008.1.1"}, Result: "released"}})
	add(model.Observation{Kind: model.ObsDICOM, Key: ws, Time: t0.Add(-3 * time.Hour), IP: ip("10.50.0.60"),
		DICOM: &model.DICOMInfo{Role: "scu", AETitle: "RAD_WS07", PeerAETitle: "PACS_MAIN", PeerIP: ip("10.50.0.20"),
			Port: 104, SOPClasses: []string{"1.2.840.10008.1.1"}, Result: "released"}})
	add(model.Observation{Kind: model.ObsHL7, Key: hostile, Time: t0.Add(-100 * 24 * time.Hour), IP: ip("10.40.0.66"),
		HL7: &model.HL7Info{Role: "sender", Application: Formula, Facility: HostileTag, PeerApplication: "ENGINE",
			PeerIP: ip("10.50.0.30"), Port: 2575, MessageType: "ORU^R01", Version: "2.5"}})

	flow := func(kind model.ObsKind, c, s model.AssetKey, cip, sip string, port uint16, service string, v *model.ViolationInfo) {
		add(model.Observation{Kind: kind, Key: c, Time: t0.Add(-90 * time.Minute),
			Flow: &model.FlowInfo{Client: c, Server: s, ClientIP: ip(cip), ServerIP: ip(sip), ClientLocal: true,
				ServerLocal: s.VLAN == c.VLAN, Proto: 6, Port: port, Service: service, Packets: 5, Bytes: 500,
				Connections: 1, First: t0.Add(-2 * time.Hour)}, Violation: v})
	}
	flow(model.ObsFlow, ws, pacs, "10.50.0.60", "10.50.0.20", 104, "dicom", nil)
	flow(model.ObsFlow, ct, key(30, RouterMAC), "10.30.0.21", "10.50.0.20", 104, "dicom", nil)
	flow(model.ObsFlow, pump, key(20, RouterMAC), "10.20.0.101", "203.0.113.10", 443, "https", nil)
	flow(model.ObsViolation, pump, key(20, RouterMAC), "10.20.0.101", "203.0.113.10", 443, "https",
		&model.ViolationInfo{Rule: "pumps-to-internet", SrcZone: "pumps", DstZone: "internet", Severity: "critical"})

	for _, o := range obs {
		if err := db.Submit(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// rules is the engine of the shipped rule pack, read from the file:
// configs.Fingerprints embeds it, but configs imports this package
// (configs.Default).
func rules(tb testing.TB) *fingerprint.Engine {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "configs", "fingerprints.yml"))
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := fingerprint.Load(b, "configs/fingerprints.yml", "")
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// repoRoot is the repository's directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Policy is the example hospital policy (configs/policy.yml: zones by
// VLAN, CIDR, AE title).
func Policy(tb testing.TB) *policy.Policy {
	tb.Helper()
	p, err := policy.Load(filepath.Join(repoRoot(), "configs", "policy.yml"))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Service is the inventory over DB, with the zones of Policy (no zones
// when withPolicy is false) and the clock at Now.
func Service(tb testing.TB, withPolicy bool) *inventory.Service {
	tb.Helper()
	o := inventory.Options{Store: DB(tb), Now: func() time.Time { return Now }}
	if withPolicy {
		o.Zones = segment.Fixed(Policy(tb))
	}
	return inventory.New(o)
}

// Large builds an inventory of n devices through the store's writer: n/200
// VLANs of up to 200 devices, each with an address, a hostname and a DHCP
// fingerprint (classified by the real rules), and a flow from every tenth
// device to its VLAN's first. It is what the export and flood tests
// measure against; 200 000 devices take a few seconds.
func Large(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "large.db"), store.Options{FlushInterval: time.Hour,
		FlushSize: 20000, Classifier: rules(tb), Vendor: func(m model.MAC) string { org, _ := oui.Lookup(m); return org }})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	db.Start(ctx)
	tb.Cleanup(func() { db.Close() })
	submit := func(o model.Observation) {
		if err := db.Submit(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		vlan, host := uint16(100+i/200), i%200
		k := model.AssetKey{Vantage: "span0", VLAN: vlan,
			MAC: model.MAC{0x00, 0x09, 0x5c, byte(i >> 16), byte(i >> 8), byte(i)}} // Philips OUI
		addr := netip.AddrFrom4([4]byte{10, byte(vlan >> 8), byte(vlan), byte(host + 1)})
		last := Now.Add(-time.Duration(i%(120*24)) * time.Hour) // active, dormant and retired devices
		submit(model.Observation{Kind: model.ObsActivity, Key: k, First: last.Add(-time.Hour), Time: last, Packets: 10,
			Bytes: 1000})
		submit(model.Observation{Kind: model.ObsARP, Key: k, Time: last, IP: addr, Source: "arp.reply",
			ARP: &model.ARPInfo{Op: 2}})
		submit(model.Observation{Kind: model.ObsDHCP, Key: k, Time: last, DHCP: &model.DHCPInfo{MsgType: 3,
			Hostname: fmt.Sprintf("MX800-%06d", i), VendorClass: "Philips IntelliVue"}})
		if host%10 == 9 {
			first := model.AssetKey{Vantage: "span0", VLAN: vlan, MAC: model.MAC{0x00, 0x09, 0x5c, byte((i - host) >> 16),
				byte((i - host) >> 8), byte(i - host)}}
			submit(model.Observation{Kind: model.ObsFlow, Key: k, Time: last, Flow: &model.FlowInfo{Client: k, Server: first,
				ClientIP: addr, ServerIP: netip.AddrFrom4([4]byte{10, byte(vlan >> 8), byte(vlan), 1}), ClientLocal: true,
				ServerLocal: true, Proto: 6, Port: 2575, Service: model.ServiceHL7, Packets: 5, Bytes: 500, Connections: 1,
				First: last.Add(-time.Minute)}})
		}
	}
	if err := db.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

var (
	icsmaOnce sync.Once
	icsmaSet  *advisory.Set
	icsmaErr  error
)

// ICSMA is the whole set of CISA's ICS Medical Advisories beside the
// repository (../shared/advisories/cisa-icsma), loaded once per test
// binary; the test is skipped, saying so, when the folder is absent.
func ICSMA(tb testing.TB) *advisory.Set {
	tb.Helper()
	icsmaOnce.Do(func() {
		dir := ICSMADir()
		if _, err := os.Stat(dir); err != nil {
			icsmaErr = err
			return
		}
		var errs []advisory.LoadError
		icsmaSet, errs = advisory.LoadDir(dir)
		if len(errs) > 0 {
			icsmaErr = fmt.Errorf("%d advisories not loaded, first %v", len(errs), errs[0])
		}
	})
	if icsmaSet == nil {
		tb.Skipf("CISA ICSMA advisories not found beside the repo (../shared/advisories/cisa-icsma): %v", icsmaErr)
	}
	if icsmaErr != nil {
		tb.Fatal(icsmaErr)
	}
	return icsmaSet
}

// ICSMADir is where ICSMA looks: ../shared/advisories/cisa-icsma from the
// repository's root.
func ICSMADir() string {
	return filepath.Join(repoRoot(), "..", "shared", "advisories", "cisa-icsma")
}

// ServiceWithAdvisories is Service (with the example policy) matching the
// devices to the ICSMA advisories.
func ServiceWithAdvisories(tb testing.TB) *inventory.Service {
	tb.Helper()
	set := ICSMA(tb)
	return inventory.New(inventory.Options{Store: DB(tb), Now: func() time.Time { return Now },
		Zones: segment.Fixed(Policy(tb)), Advisories: func() *advisory.Set { return set }})
}
