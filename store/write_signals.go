package store

// Signals: what an asset said about itself to the sensor's passive
// decoders (asset_signals), facts of its classification. Written at the
// flush, in order.

import (
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// signalOp is a signal waiting for the flush, on the asset it was
// resolved to when it arrived.
type signalOp struct {
	a      *assetState
	source model.EvidenceSource
	value  string
	t      time.Time
	// clinical is op.a.clinical when the batch was sealed (the flusher
	// must not read the writer's asset state).
	clinical int8
}

// signalObs records one signal (model.ObsSignal) for its asset. A signal
// the sensor saw through a router (o.Remote) goes to the asset that owns
// o.IP on the vantage; when none does it is dropped (counted as ignored):
// a signal alone does not make an address an asset.
func (b *batch) signalObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	if o.Remote {
		if !o.IP.IsValid() {
			b.ignored++
			return nil
		}
		k, ok, err := b.ownerOf(key.Vantage, normIP(o.IP))
		if err != nil {
			return err
		}
		if !ok {
			b.ignored++
			return nil
		}
		key = k
	}
	a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
	if err != nil {
		return err
	}
	b.signals = append(b.signals, signalOp{a: a, source: o.Signal.Source, value: o.Signal.Value, t: t})
	b.changed()
	return nil
}

// writeSignals writes the pending signals in order. A value new to its
// asset changes the asset's facts: it is classified again, if the
// classifier reads the value (SignalValueReader) or its source
// (SignalReader).
func (f *flush) writeSignals() error {
	for _, op := range f.signals {
		isNew, err := f.writeSignal(&op)
		if err != nil {
			return err
		}
		if isNew && f.db.readsSignal(op.source, op.value) {
			f.dirty.markAs(f.db, op.a, op.t, op.clinical)
		}
	}
	return nil
}

// writeSignal writes one signal row, keeps the facts cache in step and
// reports whether the value is new to its asset. When the facts cache
// holds all of the asset's signals it says so, and the row is written
// without reading it back (a plain statement on the writer's driver
// connection, not a query: issue 11); otherwise the row's count tells.
func (f *flush) writeSignal(op *signalOp) (bool, error) {
	id, t := op.a.id, ns(op.t)
	if e := f.db.facts.m[id]; e != nil && e.sigOK {
		i := slices.IndexFunc(e.signals, func(x cachedSignal) bool { return x.source == op.source && x.value == op.value })
		if _, err := f.exec(sSignalWrite, id, op.source, op.value, t, t); err != nil {
			return false, err
		}
		if i < 0 || t < e.signals[i].first {
			f.db.facts.signal(id, cachedSignal{source: op.source, value: op.value, first: t})
		}
		return i < 0, nil
	}
	var reports, first int64
	if err := f.stmt(sSignalUpsert).QueryRowContext(f.ctx, id, op.source, op.value, t, t).Scan(&reports, &first); err != nil {
		return false, err
	}
	f.db.facts.signal(id, cachedSignal{source: op.source, value: op.value, first: first})
	return reports == 1, nil
}
