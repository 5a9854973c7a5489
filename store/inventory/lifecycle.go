package inventory

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// Asset lifecycle states.
const (
	StateActive  = "active"  // seen within Lifecycle.DormantAfter
	StateDormant = "dormant" // not seen for DormantAfter, seen within RetiredAfter
	StateRetired = "retired" // not seen for RetiredAfter
)

// States are the lifecycle states, in order.
var States = []string{StateActive, StateDormant, StateRetired}

// Lifecycle holds the thresholds of the asset lifecycle
// (configs.InventoryConfig).
type Lifecycle struct {
	DormantAfter time.Duration
	RetiredAfter time.Duration
}

// Default lifecycle thresholds, applied to a zero Lifecycle; configs.Default
// is built from them.
const (
	DefaultDormantAfter = 7 * 24 * time.Hour
	DefaultRetiredAfter = 90 * 24 * time.Hour
)

// State returns the state of an asset last seen at lastSeen, at now.
func (l Lifecycle) State(lastSeen, now time.Time) string {
	idle := now.Sub(lastSeen)
	switch {
	case idle >= l.RetiredAfter:
		return StateRetired
	case idle >= l.DormantAfter:
		return StateDormant
	}
	return StateActive
}

// bounds returns the last-seen range [since, before) of state at now; zero
// times are open ends.
func (l Lifecycle) bounds(state string, now time.Time) (since, before time.Time) {
	switch state {
	case StateActive:
		return now.Add(-l.DormantAfter), time.Time{}
	case StateDormant:
		return now.Add(-l.RetiredAfter), now.Add(-l.DormantAfter)
	case StateRetired:
		return time.Time{}, now.Add(-l.RetiredAfter)
	case StateSilent, StateSleeping, StateAliveByProbe: // without critical devices: none
		return now, now
	}
	return time.Time{}, time.Time{}
}

// Liveness states of a critical device (the policy file's critical
// section, judged by Options.Liveness), shown as its state instead of
// active or dormant: silent (not heard from for longer than its interval
// and grace, outside its sleep schedule), sleeping (silent by schedule),
// alive-by-probe (not heard from, but it answered the ARP liveness probe).
// A retired device stays retired.
const (
	StateSilent       = "silent"
	StateSleeping     = "sleeping"
	StateAliveByProbe = "alive-by-probe"
)

// FilterStates are the states an asset query may select: the lifecycle
// states and the liveness states of critical devices.
var FilterStates = []string{StateActive, StateDormant, StateRetired, StateSilent, StateSleeping, StateAliveByProbe}

// hasCritical reports whether some device may be critical (the policy
// has a critical section): then states are computed per device.
func (s *Service) hasCritical() bool { return s.live != nil && s.live.HasCritical() }

// state returns the state of a at now (probed: its latest probe answer)
// and whether it is critical.
func (s *Service) state(a *model.Asset, probed, now time.Time) (state string, critical bool) {
	state = s.life.State(a.LastSeen, now)
	if !s.hasCritical() {
		return state, false
	}
	if a.LastSeen.Before(s.since) { // the sensor was not listening: judge from when it started
		cp := *a
		cp.LastSeen = s.since
		a = &cp
	}
	critical, live := s.live.Liveness(a, probed, now)
	if live != "" && state != StateRetired {
		state = live
	}
	return state, critical
}

// probed returns the latest probe answers of those of ds that are
// critical (none without a critical section).
func (s *Service) probed(ctx context.Context, ds []store.AssetDetail) (map[int64]time.Time, error) {
	if !s.hasCritical() {
		return nil, nil
	}
	var want []int64
	for i := range ds {
		if crit, _ := s.live.Liveness(&ds[i].Asset, time.Time{}, time.Time{}); crit {
			want = append(want, ds[i].ID)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	return s.st.ProbedAt(ctx, want)
}

// CriticalAssets returns the records of the critical devices, with their
// states at the service's now: what the daemon's liveness monitor judges
// (silent events, probes). Nil without a critical section.
func (s *Service) CriticalAssets(ctx context.Context) ([]AssetRecord, error) {
	if !s.hasCritical() {
		return nil, nil
	}
	now := s.now()
	var out []AssetRecord
	err := s.st.EachAsset(ctx, store.AssetFilter{}, 0, func(ctx context.Context, ds []store.AssetDetail) error {
		var crit []store.AssetDetail
		for i := range ds {
			if c, _ := s.live.Liveness(&ds[i].Asset, time.Time{}, time.Time{}); c {
				crit = append(crit, ds[i])
			}
		}
		if len(crit) == 0 {
			return nil
		}
		recs, err := s.assetRecords(ctx, crit, now)
		out = append(out, recs...)
		return err
	})
	return out, err
}
