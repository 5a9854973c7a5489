package inventory

import "time"

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
	}
	return time.Time{}, time.Time{}
}
