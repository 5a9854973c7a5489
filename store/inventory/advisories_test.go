package inventory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// alarisPCU are the advisories that name the BD Alaris PC unit (model
// 8015) under BD (docs/advisories.md, "The demo's BD Alaris pumps").
var alarisPCU = []string{"ICSMA-23-194-01", "ICSMA-17-017-02", "ICSMA-20-317-01", "ICSMA-20-170-06"}

// TestAdvisories matches the fixture hospital to the whole ICSMA set: the
// Alaris pump (DHCP vendor class "CareFusion Alaris PC", host name
// ALARIS-PC-0042, no model) is possibly affected by the PC unit
// advisories, with the evidence; the workstation, the PACS and the router
// are matched to nothing; the counts agree with the list.
func TestAdvisories(t *testing.T) {
	inv := inventorytest.ServiceWithAdvisories(t)
	ctx := context.Background()
	rec, err := inv.Advisories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Loaded < 144 || rec.Assets != 8 {
		t.Errorf("loaded %d, assets %d; want 144+ and 8", rec.Loaded, rec.Assets)
	}
	byID := map[string]*inventory.AdvisoryRecord{}
	for i := range rec.Advisories {
		a := &rec.Advisories[i]
		byID[a.ID] = a
		if len(a.Devices) != a.Affected+a.PossiblyAffected || len(a.Devices) == 0 {
			t.Errorf("%s: %d devices, %d affected + %d possibly", a.ID, len(a.Devices), a.Affected, a.PossiblyAffected)
		}
		for _, d := range a.Devices {
			switch d.Device.MAC {
			case wsMAC, pacsMAC, routerMAC:
				t.Errorf("%s names %s (%s): nothing non-medical may match", a.ID, d.Device.MAC, d.Device.Hostname)
			}
			for _, p := range d.Products {
				if len(p.Evidence) == 0 {
					t.Errorf("%s %s: no evidence", a.ID, p.Product)
				}
			}
		}
	}
	for _, id := range alarisPCU {
		a := byID[id]
		if a == nil {
			t.Errorf("%s does not name the Alaris pump", id)
			continue
		}
		d := a.Devices[0]
		if d.Device.MAC != pumpMAC || d.Verdict != "possibly affected" || len(d.CVEs) == 0 || a.Title == "" {
			t.Errorf("%s: %+v", id, d)
		}
		var evs []string
		for _, e := range d.Products[0].Evidence {
			evs = append(evs, inventory.EvidenceText(e))
		}
		if ev := strings.Join(evs, "; "); !strings.Contains(ev, "Alaris") {
			t.Errorf("%s: evidence %q does not name the Alaris vendor class or host name", id, ev)
		}
	}

	counts, err := inv.AdvisoryCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	possibly := 0
	for _, c := range counts {
		if c.Verdict == "possibly affected" {
			possibly = max(possibly, c.N)
		}
		if c.N <= 0 || c.Severity == "" {
			t.Errorf("count %+v", c)
		}
	}
	if possibly == 0 || possibly > rec.Matched {
		t.Errorf("counts %+v against %d matched assets", counts, rec.Matched)
	}

	// The device's own answer is the same advisories.
	d, err := inv.Asset(ctx, pumpMAC, inventory.AssetRefQuery{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range d.Advisories {
		got[a.ID] = a.Verdict
		if len(a.Products) == 0 || a.CVSS == 0 {
			t.Errorf("%s: %+v", a.ID, a)
		}
	}
	for _, id := range alarisPCU {
		if got[id] != "possibly affected" {
			t.Errorf("asset: %s is %q, want possibly affected (all: %v)", id, got[id], got)
		}
	}
	for _, a := range rec.Advisories {
		for _, dev := range a.Devices {
			if dev.Device.MAC == pumpMAC && got[a.ID] != dev.Verdict {
				t.Errorf("%s: list says %s, asset says %q", a.ID, dev.Verdict, got[a.ID])
			}
		}
	}

	// Remediations come with what they name: ICSMA-23-194-01's PCU text
	// names DNS, DHCP and port 3613.
	var mentions []string
	for _, a := range d.Advisories {
		if a.ID != "ICSMA-23-194-01" {
			continue
		}
		for _, r := range a.Remediations {
			for _, m := range r.Mentions {
				if r.Details[m.Start:m.End] != m.Text {
					t.Errorf("mention %q at %d..%d does not fit its text", m.Text, m.Start, m.End)
				}
				mentions = append(mentions, m.Text)
			}
		}
	}
	if !strings.Contains(strings.Join(mentions, "|"), "port 3613") {
		t.Errorf("ICSMA-23-194-01 remediations name %q, want port 3613 among them", mentions)
	}

	// Every pair the events are written from is in the list.
	ms, err := inv.AdvisoryMatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range rec.Advisories {
		n += len(a.Devices)
	}
	if len(ms) != n {
		t.Errorf("%d matches, %d advisory devices", len(ms), n)
	}
}

// TestAdvisoriesNone: without advisories the answers are empty, not
// errors.
func TestAdvisoriesNone(t *testing.T) {
	inv := inventorytest.Service(t, true)
	rec, err := inv.Advisories(context.Background())
	if err != nil || rec.Loaded != 0 || len(rec.Advisories) != 0 {
		t.Errorf("%+v, %v", rec, err)
	}
	d, err := inv.Asset(context.Background(), pumpMAC, inventory.AssetRefQuery{})
	if err != nil || d.Advisories == nil || len(d.Advisories) != 0 {
		t.Errorf("asset advisories %v, %v; want [] (not null)", d.Advisories, err)
	}
}

// BenchmarkAdvisories matches an inventory of 10 000 Philips monitors
// (inventorytest.Large: vendor class "Philips IntelliVue", host names
// MX800-NNNNNN) to the whole ICSMA set: what the metric and the page cost
// once per AdvisoryTTL.
func BenchmarkAdvisories(b *testing.B) {
	set := inventorytest.ICSMA(b)
	inv := inventory.New(inventory.Options{Store: inventorytest.Large(b, 10000),
		Now: func() time.Time { return inventorytest.Now }, Advisories: func() *advisory.Set { return set }})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		ms, err := inv.AdvisoryMatches(ctx)
		if err != nil || len(ms) == 0 {
			b.Fatal(len(ms), err)
		}
		b.ReportMetric(float64(len(ms)), "matches")
	}
}
