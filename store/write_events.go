package store

// The events table: events are kept in memory in the order the
// observations made them, and inserted in that order at the flush.

import (
	"net/netip"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// noIP is an event's address when it involves none.
var noIP netip.Addr

// eventRow is one pending events row.
type eventRow struct {
	t        int64
	typ      model.EventType
	key      model.AssetKey
	assetID  int64 // 0: NULL
	ip       netip.Addr
	old, new string
	flood    bool // a mac-flood: the key's MAC as is, no asset
}

// event records an event of type typ about the asset assetID (keyed by key),
// with the address it involves (if any) and the old and new values.
func (b *batch) event(typ model.EventType, t time.Time, key model.AssetKey, assetID int64, ip netip.Addr, old, new string) {
	b.events = append(b.events, eventRow{t: ns(t), typ: typ, key: key, assetID: assetID, ip: ip, old: old, new: new})
}

// macFlood records a mac-flood event: one per flood episode, not tied to an
// asset (the flood's MACs are exactly what is not stored).
func (b *batch) macFlood(key model.AssetKey, t time.Time) {
	b.events = append(b.events, eventRow{t: ns(t), typ: model.EventMACFlood, key: key, flood: true,
		new: "new MACs beyond the new-asset budget are not recorded"})
}

// eventObs records an event decided outside the sensor (ObsEvent) for the
// asset key names; an asset the store does not have gets none.
func (b *batch) eventObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	a, err := b.existingAsset(key)
	if err != nil || a == nil {
		if a == nil && err == nil {
			b.ignored++
		}
		return err
	}
	b.event(o.Event.Type, t, key, a.id, normIP(o.IP), o.Event.OldValue, o.Event.NewValue)
	b.changed()
	return nil
}

// writeEvents inserts the pending events in order.
func (f *flush) writeEvents() error {
	return f.insert(sEventInsert, len(f.events), func(i int, args []any) []any { return f.events[i].args(args) })
}

// args appends the events row's values.
func (e *eventRow) args(args []any) []any {
	var mac, keyIP string
	if e.flood {
		mac = e.key.MAC.String()
	} else {
		mac, keyIP, _ = keyColumns(e.key)
	}
	return append(args, e.t, e.typ, e.key.Vantage, e.key.VLAN, mac, keyIP, ipText(e.ip), e.old, e.new,
		nullID(e.assetID))
}

// eventNow inserts an event at once, during a flush (classification).
func (f *flush) eventNow(typ model.EventType, t time.Time, key model.AssetKey, assetID int64, ip netip.Addr, old, new string) error {
	e := eventRow{t: ns(t), typ: typ, key: key, assetID: assetID, ip: ip, old: old, new: new}
	_, err := f.exec(sEventInsert, e.args(nil)...)
	return err
}

// freshDevice is an asset created since the last flush.
type freshDevice struct {
	key   model.AssetKey
	first time.Time
	ip    netip.Addr  // first address learned in the batch
	class model.Class // class learned in the batch
}

func (b *batch) freshDevice(id int64, key model.AssetKey, first time.Time) {
	b.fresh[id] = &freshDevice{key: key, first: first, class: model.ClassUnknown}
}

// firstIP reports whether ip is the first address of an asset created
// since the last flush (recording it): its new-device event carries that
// address; further addresses are new-ip events as usual.
func (b *batch) firstIP(id int64, ip netip.Addr) bool {
	f := b.fresh[id]
	if f == nil {
		return false
	}
	if !f.ip.IsValid() {
		f.ip = ip
	}
	return f.ip == ip
}

// newDevices writes one new-device event per asset created since the last
// flush, last, in id order, with its first IP and the class the flush
// gave it.
func (f *flush) newDevices() error {
	ids := make([]int64, 0, len(f.fresh))
	for id := range f.fresh {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		d := f.fresh[id]
		if err := f.eventNow(model.EventNewDevice, d.first, d.key, id, d.ip, "", string(d.class)); err != nil {
			return err
		}
	}
	return nil
}
