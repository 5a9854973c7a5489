package inventory

import (
	"context"
	"sort"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// SummaryRecord is the inventory at a glance.
type SummaryRecord struct {
	GeneratedAt string              `json:"generated_at"` // the service's clock: what states are as of
	Assets      int                 `json:"assets"`
	ByClass     map[model.Class]int `json:"by_class"`
	ByZone      map[string]int      `json:"by_zone"` // empty without a policy
	ByState     map[string]int      `json:"by_state"`
	// NewLast7d counts assets first seen in the last 7 days.
	NewLast7d int `json:"new_last_7d"`
	// Violations counts the violations (flagged flows) stored;
	// ViolationsLast24h those seen in the last 24 hours, NewViolationsLast24h
	// those first seen then.
	Violations           int    `json:"violations"`
	ViolationsLast24h    int    `json:"violations_last_24h"`
	NewViolationsLast24h int    `json:"new_violations_last_24h"`
	DormantAfter         string `json:"dormant_after"` // Go duration, "168h0m0s"
	RetiredAfter         string `json:"retired_after"`
}

// AssetCount is how many assets have one class, zone and state: the
// breakdown behind wardwatch_assets{class,zone,state}.
type AssetCount struct {
	Class model.Class // never "": model.ClassUnknown
	Zone  string      // "" without a policy
	State string      // StateActive, StateDormant, StateRetired; a critical device's liveness state (lifecycle.go)
	// Critical: the assets are in the policy file's critical section.
	Critical bool
	N        int
}

// summary is what one pass over the assets yields, cached for SummaryTTL.
type summary struct {
	rec    SummaryRecord
	counts []AssetCount
}

// Summary counts the inventory by class, zone and state. The answer is
// reused for SummaryTTL.
func (s *Service) Summary(ctx context.Context) (SummaryRecord, error) {
	sum, err := s.cachedSummary(ctx)
	return sum.rec, err
}

// AssetCounts counts the assets by class, zone and state together, in
// that order; computed with Summary (and reused as long).
func (s *Service) AssetCounts(ctx context.Context) ([]AssetCount, error) {
	sum, err := s.cachedSummary(ctx)
	return sum.counts, err
}

func (s *Service) cachedSummary(ctx context.Context) (*summary, error) {
	return s.summary.get(s.now(), func(now time.Time) (*summary, error) { return s.summarize(ctx, now) })
}

// summarize reads every asset once, with a cursor.
func (s *Service) summarize(ctx context.Context, now time.Time) (*summary, error) {
	sum := &summary{rec: SummaryRecord{GeneratedAt: RFC3339(now), ByClass: map[model.Class]int{}, ByZone: map[string]int{},
		ByState:      map[string]int{StateActive: 0, StateDormant: 0, StateRetired: 0},
		DormantAfter: s.life.DormantAfter.String(), RetiredAfter: s.life.RetiredAfter.String()}}
	r := &sum.rec
	counts := map[AssetCount]int{}
	weekAgo := now.Add(-7 * 24 * time.Hour)
	err := s.st.EachAsset(ctx, store.AssetFilter{}, 0, func(ctx context.Context, ds []store.AssetDetail) error {
		probed, err := s.probed(ctx, ds)
		if err != nil {
			return err
		}
		for i := range ds {
			a := &ds[i].Asset
			k := AssetCount{Class: a.Class.OrUnknown(), Zone: s.zones.Zone(a)}
			k.State, k.Critical = s.state(a, probed[a.ID], now)
			counts[k]++
			r.Assets++
			r.ByClass[k.Class]++
			if k.Zone != "" {
				r.ByZone[k.Zone]++
			}
			r.ByState[k.State]++
			if !a.FirstSeen.Before(weekAgo) {
				r.NewLast7d++
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	for k, n := range counts {
		k.N = n
		sum.counts = append(sum.counts, k)
	}
	sort.Slice(sum.counts, func(i, j int) bool {
		a, b := sum.counts[i], sum.counts[j]
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if a.State != b.State {
			return a.State < b.State
		}
		return !a.Critical && b.Critical
	})
	vc, err := s.st.ViolationCounts(ctx, now.Add(-24*time.Hour))
	r.Violations, r.ViolationsLast24h, r.NewViolationsLast24h = vc.All, vc.SeenSince, vc.NewSince
	return sum, err
}
