package store

// Behaviour baselines: the items package behaviour reports (ObsBehaviour)
// and the events they raise. Items are written once (the baseline keeps
// the first sight of each); the writer keeps nothing of them in memory but
// the pending rows.

import (
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// baselineRow is one pending baseline_items row (and its baselines row).
type baselineRow struct {
	assetID  int64
	started  int64
	kind     model.BehaviourKind
	value    string
	first    int64
	learned  bool
	peer     netip.Addr
	evidence string
}

// behaviourObs records a baseline item of an existing asset, and its
// events. An item of an asset the store does not hold is ignored: the
// behaviour stage reports only ends that are in the inventory (or that the
// flow it follows created).
func (b *batch) behaviourObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	bi := o.Behaviour
	if !bi.Kind.Valid() || bi.Value == "" {
		b.ignored++
		return nil
	}
	a, err := b.existingAsset(key)
	if err != nil {
		return err
	}
	if a == nil {
		b.ignored++
		return nil
	}
	started := bi.Started
	if started.IsZero() {
		started = t
	}
	b.baselines = append(b.baselines, baselineRow{assetID: a.id, started: ns(started), kind: bi.Kind, value: bi.Value,
		first: ns(t), learned: bi.Learned, peer: normIP(bi.Peer), evidence: bi.Evidence})
	// Not counted towards FlushSize (b.changed): a baseline row follows a
	// flow report, which counts, so the flushes fall where they would
	// without baselines.
	for _, typ := range bi.Events {
		b.event(typ, t, a.key, a.id, normIP(bi.Peer), string(bi.Kind), BehaviourEventValue(bi))
	}
	return nil
}

// BehaviourEventValue is the new_value of a behaviour event: the item, the
// class finding if any, and the flow that showed it.
func BehaviourEventValue(bi *model.BehaviourInfo) string {
	s := bi.Value
	if bi.Detail != "" {
		s += " (" + bi.Detail + ")"
	}
	if bi.Evidence != "" {
		s += ": " + bi.Evidence
	}
	return s
}

// writeBaselines inserts the pending baseline items (and the baselines
// rows they belong to), keeping an item already there. The baselines row
// is written once per asset and flush, not once per item (a device learns
// a dozen items in its first minutes: 36k statements per replay of the
// benchmark capture were 3k).
func (f *flush) writeBaselines() error {
	started := make(map[int64]struct{}, min(len(f.baselines), 1024))
	for i := range f.baselines {
		r := &f.baselines[i]
		if _, ok := started[r.assetID]; !ok {
			started[r.assetID] = struct{}{}
			if _, err := f.exec(sBaselineStart, r.assetID, r.started); err != nil {
				return err
			}
		}
		if _, err := f.exec(sBaselineItem, r.assetID, string(r.kind), r.value, r.first, r.learned, ipText(r.peer),
			r.evidence); err != nil {
			return err
		}
	}
	return nil
}
