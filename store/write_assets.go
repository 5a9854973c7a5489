package store

// Assets: created on first sight (with vendor; their new-device event is
// written last in the flush), touched by activity, and found by an address
// they own.

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// assetState is what the writer knows of an asset: its row id, the fields
// whose changes are events, and its changes since the last flush.
type assetState struct {
	id          int64
	key         model.AssetKey
	hostname    string
	params      string
	vendorClass string
	persisted   bool   // the row is in the database
	born        uint64 // the cache epoch in which this writer created it, 0 if it found it
	clinical    int8   // whether it has DICOM or HL7 rows: clinicalUnknown, clinicalNone or clinicalSome

	dirty bool // in batch.assets
	// Pending touch, merged into the row at the flush: first_seen = min,
	// last_seen = max, counters added, outer_vlan the latest non-zero.
	touched         bool
	first, last     int64
	packets, bytes  uint64
	outer           uint16
	vendor          string // a new asset's
	dhcp            bool   // the DHCP columns changed
	maxMsg          uint16 // latest non-zero option 57
	clientID        string // latest non-empty option 61 (hex)
	circuit, remote string // latest non-empty option 82 sub-options
}

const (
	clinicalUnknown int8 = iota
	clinicalNone
	clinicalSome
)

// markAsset adds the asset to the batch's changed rows.
func (b *batch) markAsset(a *assetState) { pend(b, &a.dirty, &b.assets, a) }

func (a *assetState) touch(outer uint16, first, last int64, packets, bytes uint64) {
	if a.touched {
		a.first, a.last = minNS(a.first, first), maxNS(a.last, last)
	} else {
		a.touched, a.first, a.last = true, first, last
	}
	a.packets += packets
	a.bytes += bytes
	if outer != 0 {
		a.outer = outer
	}
}

func (a *assetState) clean() {
	a.persisted, a.dirty, a.touched, a.dhcp = true, false, false, false
	a.first, a.last, a.packets, a.bytes, a.outer = 0, 0, 0, 0, 0
	a.vendor, a.maxMsg, a.clientID, a.circuit, a.remote = "", 0, "", "", ""
}

// activity adds an activity report's counters to its asset (created if
// new): first_seen = min, last_seen = max.
func (b *batch) activity(key model.AssetKey, o *model.Observation, t time.Time) error {
	first := t
	if !o.First.IsZero() && o.First.Before(t) {
		first = o.First
	}
	_, err := b.asset(key, o.OuterVLAN, first, t, o.Packets, o.Bytes)
	return err
}

// asset touches the asset keyed by key: first_seen = min, last_seen = max,
// counters += deltas. A new asset gets its vendor and, at the flush, a
// new-device event.
func (b *batch) asset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) (*assetState, error) {
	a, err := b.existingAsset(key)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return b.insertAsset(key, outer, first, last, packets, bytes), nil
	}
	a.touch(outer, ns(first), ns(last), packets, bytes)
	b.markAsset(a)
	return a, nil
}

// existingAsset returns the asset keyed by key, or nil if there is none.
func (b *batch) existingAsset(key model.AssetKey) (*assetState, error) {
	c := &b.db.cache
	if a, ok := c.assets[key]; ok || c.assetsComplete {
		return a, nil
	}
	mac, keyIP, _ := keyColumns(key)
	st, err := b.lookup(sAssetGetKey)
	if err != nil {
		return nil, err
	}
	a := &assetState{key: key, persisted: true}
	err = st.QueryRowContext(b.ctx, key.Vantage, key.VLAN, mac, keyIP).Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	switch {
	case err == nil:
		c.assets[key] = a
		return a, nil
	case errors.Is(err, sql.ErrNoRows):
		c.assets[key] = nil
		return nil, nil
	}
	return nil, err
}

// ensureAsset returns the asset keyed by key, creating it (seen from first
// to last) if it does not exist, but leaving an existing one untouched: for
// observations that name an asset without saying when it sent (a flow
// report's times cover both directions).
func (b *batch) ensureAsset(key model.AssetKey, outer uint16, first, last time.Time) (*assetState, error) {
	a, err := b.existingAsset(key)
	if err != nil || a != nil {
		return a, err
	}
	return b.insertAsset(key, outer, first, last, 0, 0), nil
}

// insertAsset creates the asset keyed by key, with its vendor and a
// new-device event (written at the flush, see write_events.go).
func (b *batch) insertAsset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) *assetState {
	c := &b.db.cache
	a := &assetState{id: c.nextAsset, key: key, born: c.epoch, clinical: clinicalNone}
	c.nextAsset++
	if !key.KeyedByIP() && b.db.opts.Vendor != nil {
		a.vendor = b.db.opts.Vendor(key.MAC)
	}
	a.touch(outer, ns(first), ns(last), packets, bytes)
	c.assets[key] = a
	b.markAsset(a)
	b.index = append(b.index, indexOp{key: key, class: model.ClassUnknown})
	if !key.KeyedByIP() {
		b.markDirty(a, first) // vendor, randomized, virtual-NIC prefix
	}
	b.freshDevice(a.id, key, first) // its new-device event is written at the flush
	return a
}

// writeAssets inserts the new assets and updates the changed ones.
func (f *flush) writeAssets() error {
	ins := news(len(f.assets), func(i int) bool { return !f.assets[i].persisted })
	err := f.insert(sAssetInsert, len(ins), func(i int, args []any) []any {
		a := &f.assets[ins[i]]
		mac, keyIP, keyedBy := keyColumns(a.key)
		randomized := keyedBy == "mac" && a.key.MAC.IsLocal()
		return append(args, a.id, a.key.Vantage, a.key.VLAN, mac, keyIP, keyedBy, a.outer,
			a.vendor, randomized, a.first, a.last, i64(a.packets), i64(a.bytes))
	})
	if err != nil {
		return err
	}
	for _, i := range ins {
		f.db.facts.inserted(&f.assets[i])
	}
	for i := range f.assets {
		a := &f.assets[i]
		if a.persisted && a.touched {
			if _, err := f.exec(sAssetTouch, a.first, a.last, i64(a.packets), i64(a.bytes), a.outer, a.id); err != nil {
				return err
			}
		}
		if a.dhcp {
			if _, err := f.exec(sAssetDHCP, a.hostname, a.params, a.maxMsg, a.vendorClass, a.clientID, a.circuit,
				a.remote, a.id); err != nil {
				return err
			}
			f.db.facts.dhcp(a)
		}
	}
	return nil
}

// setDHCP records a DHCP message's columns on the asset (hostname, params
// and vendorClass are set by the caller).
func (a *assetState) setDHCP(d *model.DHCPInfo) {
	a.dhcp = true
	if d.MaxMsgSize != 0 {
		a.maxMsg = d.MaxMsgSize
	}
	if len(d.ClientID) > 0 {
		a.clientID = hex.EncodeToString(d.ClientID)
	}
	if s := relayID(d.RelayCircuitID); s != "" {
		a.circuit = s
	}
	if s := relayID(d.RelayRemoteID); s != "" {
		a.remote = s
	}
}

// clinicalObs records a DICOM or HL7 observation (one end's view of an
// association or a message) on the asset remoteOwner names. Seen behind a
// router, the same association is usually also seen on the end's own VLAN:
// it records identity then, not counts.
func (b *batch) clinicalObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	k, err := b.remoteOwner(key, o)
	if err != nil {
		return err
	}
	a, err := b.asset(k, o.OuterVLAN, t, t, 0, 0)
	if err != nil {
		return err
	}
	a.clinical = clinicalSome
	b.clinical = append(b.clinical, clinicalOp{a: a, dicom: o.DICOM, hl7: o.HL7, t: t, count: !o.Remote,
		vantage: key.Vantage, ip: o.IP})
	b.changed()
	return nil
}

// remoteOwner returns the asset a DICOM or HL7 fact belongs to. When the
// sensor saw the end behind a router (o.Remote: the frame's MAC is the
// router's), the fact goes to the asset that owns o.IP on this vantage
// (preferring this vantage, then any: several SPAN sessions of one switch
// may have their own vantage labels), or, if no asset owns it, to an asset
// keyed by IP with VLAN 0 (unknown): never to the router.
func (b *batch) remoteOwner(key model.AssetKey, o *model.Observation) (model.AssetKey, error) {
	if !o.Remote || !o.IP.IsValid() {
		return key, nil
	}
	ip := normIP(o.IP)
	k, ok, err := b.ownerOf(key.Vantage, ip)
	if err != nil || ok {
		return k, err
	}
	return model.AssetKey{Vantage: key.Vantage, IP: ip}, nil
}
