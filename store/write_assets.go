package store

// Assets: created on first sight (with vendor; their new-device event is written at the end of the batch),
// touched by activity, and found by an address they own.

import (
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// assetState is what the writer remembers of an asset: its row id and the
// fields whose changes are events.
type assetState struct {
	id          int64
	hostname    string
	params      string
	vendorClass string
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

// asset upserts the asset keyed by key: first_seen = min, last_seen = max,
// counters += deltas. A new asset gets its vendor and, at the end of the batch, a new-device event.
func (b *batch) asset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) (*assetState, error) {
	c := &b.db.cache
	if a := c.assets[key]; a != nil {
		res, err := b.exec(sAssetTouch, ns(first), ns(last), i64(packets), i64(bytes), outer, a.id)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return a, err
		}
		delete(c.assets, key) // the row was deleted behind the writer's back
	}
	mac, keyIP, _ := keyColumns(key)
	a := &assetState{}
	err := b.stmt(sAssetTouchKey).QueryRowContext(b.ctx, ns(first), ns(last), i64(packets), i64(bytes), outer,
		key.Vantage, key.VLAN, mac, keyIP).Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	if err == nil {
		c.putAsset(key, a)
		return a, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return b.insertAsset(key, outer, first, last, packets, bytes)
}

// existingAsset returns the asset keyed by key, or nil if there is none.
func (b *batch) existingAsset(key model.AssetKey) (*assetState, error) {
	c := &b.db.cache
	if a := c.assets[key]; a != nil {
		return a, nil
	}
	mac, keyIP, _ := keyColumns(key)
	a := &assetState{}
	err := b.stmt(sAssetGetKey).QueryRowContext(b.ctx, key.Vantage, key.VLAN, mac, keyIP).
		Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	switch {
	case err == nil:
		c.putAsset(key, a)
		return a, nil
	case errors.Is(err, sql.ErrNoRows):
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
	return b.insertAsset(key, outer, first, last, 0, 0)
}

// insertAsset creates the asset keyed by key, with its vendor and a
// new-device event (written at the end of the batch, see write_events.go).
func (b *batch) insertAsset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) (*assetState, error) {
	c := &b.db.cache
	mac, keyIP, keyedBy := keyColumns(key)
	a := &assetState{}
	var vendor string
	randomized := false
	if keyedBy == "mac" {
		if b.db.opts.Vendor != nil {
			vendor = b.db.opts.Vendor(key.MAC)
		}
		randomized = key.MAC.IsLocal()
	}
	res, err := b.exec(sAssetInsert, key.Vantage, key.VLAN, mac, keyIP, keyedBy, outer, vendor, randomized,
		ns(first), ns(last), i64(packets), i64(bytes))
	if err != nil {
		return nil, err
	}
	if a.id, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	c.putAsset(key, a)
	clear(c.dst)
	b.index = append(b.index, indexOp{key: key, class: model.ClassUnknown})
	if keyedBy == "mac" {
		b.markDirty(a.id, key, first) // vendor, randomized, virtual-NIC prefix
	}
	b.freshDevice(a.id, key, first)
	return a, nil
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
	count := !o.Remote
	if o.Kind == model.ObsDICOM {
		if err := b.aeTitleByIP(key.Vantage, o.IP, o.DICOM.AETitle, t); err != nil {
			return err
		}
		return b.dicom(k, o.OuterVLAN, o.DICOM, t, count)
	}
	return b.hl7(k, o.OuterVLAN, o.HL7, t, count)
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

// ownerOf returns the key of the asset that owns ip (has it among its
// addresses), preferring vantage and the most recent use; ok is false when
// no asset owns it.
func (b *batch) ownerOf(vantage string, ip netip.Addr) (k model.AssetKey, ok bool, err error) {
	var (
		v          string
		vlan       uint16
		mac, keyIP string
	)
	err = b.stmt(sOwnerByIP).QueryRowContext(b.ctx, vantage, ip.String()).Scan(&v, &vlan, &mac, &keyIP)
	switch {
	case err == nil:
		m, kip, perr := parseKey(mac, keyIP)
		if perr != nil {
			return k, false, perr
		}
		return model.AssetKey{Vantage: v, VLAN: vlan, MAC: m, IP: kip}, true, nil
	case errors.Is(err, sql.ErrNoRows):
		return k, false, nil
	}
	return k, false, err
}
