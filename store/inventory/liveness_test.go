package inventory_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// The example policy with a critical section: the patient monitor heard at
// least hourly, infusion pumps weekly, the hostile (retired) device by MAC.
func criticalService(t *testing.T) *inventory.Service {
	t.Helper()
	base, err := os.ReadFile(filepath.Join("..", "..", "configs", "policy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(append(base, []byte(`
critical:
  - name: monitors
    macs: ["`+inventorytest.MonitorMAC+`"]
    every: 1h
  - name: pumps
    classes: [infusion-pump]
    every: 168h
  - name: gone
    macs: ["`+inventorytest.HostileMAC+`"]
    every: 1m
`)...), "policy.yml")
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Fixed(p)
	return inventory.New(inventory.Options{Store: inventorytest.DB(t), Zones: seg, Liveness: seg,
		Now: func() time.Time { return inventorytest.Now }})
}

func TestCriticalStates(t *testing.T) {
	ctx := context.Background()
	inv := criticalService(t)
	page, err := inv.Assets(ctx, query(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	states, critical := map[string]string{}, map[string]bool{}
	for _, r := range page.Items {
		states[r.MAC], critical[r.MAC] = r.State, r.Critical
	}
	for mac, want := range map[string]string{
		inventorytest.MonitorMAC: inventory.StateSilent,  // dormant for 10 days, critical hourly
		inventorytest.PumpMAC:    inventory.StateActive,  // heard within its week
		inventorytest.HostileMAC: inventory.StateRetired, // a retired device stays retired
		inventorytest.CTMAC:      inventory.StateActive,  // not critical
	} {
		if states[mac] != want {
			t.Errorf("%s: state %q, want %q", mac, states[mac], want)
		}
	}
	if !critical[inventorytest.MonitorMAC] || !critical[inventorytest.PumpMAC] || critical[inventorytest.CTMAC] {
		t.Errorf("critical: %v", critical)
	}

	// The state filter, the detail, the summary and the counts agree.
	silent, err := inv.Assets(ctx, query(t, "state=silent"))
	if err != nil || !slices.Equal(macs(silent.Items), []string{inventorytest.MonitorMAC}) || silent.Total != 1 {
		t.Errorf("state=silent: %v (total %d) %v", macs(silent.Items), silent.Total, err)
	}
	dormant, err := inv.Assets(ctx, query(t, "state=dormant"))
	if err != nil || slices.Contains(macs(dormant.Items), inventorytest.MonitorMAC) {
		t.Errorf("state=dormant lists the silent monitor: %v %v", macs(dormant.Items), err)
	}
	d, err := inv.Asset(ctx, inventorytest.MonitorMAC, inventory.AssetRefQuery{})
	if err != nil || d.Asset.State != inventory.StateSilent || !d.Asset.Critical {
		t.Errorf("detail: %+v %v", d, err)
	}
	sum, err := inv.Summary(ctx)
	if err != nil || sum.ByState[inventory.StateSilent] != 1 {
		t.Errorf("summary by state: %v %v", sum.ByState, err)
	}
	counts, err := inv.AssetCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var silentN, criticalN int
	for _, c := range counts {
		if c.Critical {
			criticalN += c.N
			if c.State == inventory.StateSilent {
				silentN += c.N
			}
		}
	}
	if silentN != 1 || criticalN != 3 {
		t.Errorf("counts: %d silent of %d critical, want 1 of 3: %+v", silentN, criticalN, counts)
	}
	crit, err := inv.CriticalAssets(ctx)
	if err != nil || len(crit) != 3 {
		t.Errorf("CriticalAssets: %v %v", macs(crit), err)
	}

	// Without a critical section nothing changes.
	plain := inventorytest.Service(t, true)
	if got, _ := plain.CriticalAssets(ctx); got != nil {
		t.Errorf("CriticalAssets without a critical section: %v", macs(got))
	}
	if page, err := plain.Assets(ctx, query(t, "state=silent")); err != nil || page.Total != 0 {
		t.Errorf("state=silent without a critical section: %v %v", macs(page.Items), err)
	}
}

// BenchmarkCriticalAssets: one pass of the daemon's liveness monitor over
// an inventory of 20 000 devices (the large fixture's are patient
// monitors): all of them critical (the worst case), and none.
func BenchmarkCriticalAssets(b *testing.B) {
	db := inventorytest.Large(b, 20000)
	for _, class := range []string{"patient-monitor", "infusion-pump"} {
		b.Run(class, func(b *testing.B) {
			p, err := policy.Parse([]byte("critical:\n  - name: c\n    classes: ["+class+"]\n    every: 1h\n"), "p.yml")
			if err != nil {
				b.Fatal(err)
			}
			seg := segment.Fixed(p)
			inv := inventory.New(inventory.Options{Store: db, Zones: seg, Liveness: seg})
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				recs, err := inv.CriticalAssets(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(recs)), "critical")
			}
		})
	}
}

// A sensor that started listening 30 minutes ago (a restart after an
// outage) has not had the monitors' hour to hear them: not silent yet.
func TestCriticalListeningSince(t *testing.T) {
	p, err := policy.Parse([]byte("critical:\n  - name: monitors\n    macs: [\""+inventorytest.MonitorMAC+"\"]\n    every: 1h\n"), "p.yml")
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Fixed(p)
	for _, tc := range []struct {
		since time.Duration
		want  string
	}{{30 * time.Minute, inventory.StateDormant}, {2 * time.Hour, inventory.StateSilent}} {
		inv := inventory.New(inventory.Options{Store: inventorytest.DB(t), Zones: seg, Liveness: seg,
			ListeningSince: inventorytest.Now.Add(-tc.since), Now: func() time.Time { return inventorytest.Now }})
		d, err := inv.Asset(context.Background(), inventorytest.MonitorMAC, inventory.AssetRefQuery{})
		if err != nil || d.Asset.State != tc.want {
			t.Errorf("listening for %v: state %q, want %q (%v)", tc.since, d.Asset.State, tc.want, err)
		}
	}
}
