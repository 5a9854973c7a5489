package inventory

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// SummaryRecord is the inventory at a glance.
type SummaryRecord struct {
	GeneratedAt string              `json:"generated_at"`
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

// Summary counts the inventory by class, zone and state. The answer is
// reused for SummaryTTL.
func (s *Service) Summary(ctx context.Context) (SummaryRecord, error) {
	c := &s.summary
	c.Lock()
	defer c.Unlock()
	now := s.now()
	if c.rec != nil && now.Sub(c.at) < SummaryTTL && !now.Before(c.at) {
		return *c.rec, nil
	}
	sum, err := s.summarize(ctx, now)
	if err == nil {
		c.at, c.rec = now, &sum
	}
	return sum, err
}

func (s *Service) summarize(ctx context.Context, now time.Time) (SummaryRecord, error) {
	sum := SummaryRecord{GeneratedAt: RFC3339(now), ByClass: map[model.Class]int{}, ByZone: map[string]int{},
		ByState:      map[string]int{StateActive: 0, StateDormant: 0, StateRetired: 0},
		DormantAfter: s.life.DormantAfter.String(), RetiredAfter: s.life.RetiredAfter.String()}
	all, _, err := s.st.FindAssets(ctx, store.AssetFilter{})
	if err != nil {
		return sum, err
	}
	weekAgo := now.Add(-7 * 24 * time.Hour)
	for i := range all {
		a := &all[i].Asset
		sum.Assets++
		sum.ByClass[a.Class.OrUnknown()]++
		if z := s.zones.Zone(a); z != "" {
			sum.ByZone[z]++
		}
		sum.ByState[s.life.State(a.LastSeen, now)]++
		if !a.FirstSeen.Before(weekAgo) {
			sum.NewLast7d++
		}
	}
	vc, err := s.st.ViolationCounts(ctx, now.Add(-24*time.Hour))
	sum.Violations, sum.ViolationsLast24h, sum.NewViolationsLast24h = vc.All, vc.SeenSince, vc.NewSince
	return sum, err
}
