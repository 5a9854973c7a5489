package store

// The events table.

import (
	"net/netip"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// event records an event of type typ about the asset assetID (keyed by key),
// with the address it involves (if any) and the old and new values.
func (b *batch) event(typ model.EventType, t time.Time, key model.AssetKey, assetID int64, ip netip.Addr, old, new string) error {
	mac, keyIP, _ := keyColumns(key)
	ips := ""
	if ip.IsValid() {
		ips = ip.String()
	}
	_, err := b.exec(sEventInsert, ns(t), typ, key.Vantage, key.VLAN, mac, keyIP, ips, old, new, assetID)
	return err
}

// macFlood records a mac-flood event: one per flood episode, not tied to an
// asset (the flood's MACs are exactly what is not stored).
func (b *batch) macFlood(key model.AssetKey, t time.Time) error {
	_, err := b.exec(sEventInsert, ns(t), model.EventMACFlood, key.Vantage, key.VLAN, key.MAC.String(), "", "",
		"", "new MACs beyond the new-asset budget are not recorded", nil)
	return err
}

// freshDevice is an asset created in the current batch.
type freshDevice struct {
	key   model.AssetKey
	first time.Time
	ip    netip.Addr  // first address learned in the batch
	class model.Class // class learned in the batch
}

func (b *batch) freshDevice(id int64, key model.AssetKey, first time.Time) {
	if b.fresh == nil {
		b.fresh = map[int64]*freshDevice{}
	}
	b.fresh[id] = &freshDevice{key: key, first: first, class: model.ClassUnknown}
}

// firstIP reports whether ip is the first address of an asset created in
// this batch (recording it): its new-device event carries that address;
// further addresses are new-ip events as usual.
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

// newDevices writes one new-device event per asset created in the batch,
// in id order, with its first IP and its class.
func (b *batch) newDevices() error {
	ids := make([]int64, 0, len(b.fresh))
	for id := range b.fresh {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		f := b.fresh[id]
		if err := b.event(model.EventNewDevice, f.first, f.key, id, f.ip, "", string(f.class)); err != nil {
			return err
		}
	}
	return nil
}
