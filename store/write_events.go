package store

// The events table.

import (
	"net/netip"
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
