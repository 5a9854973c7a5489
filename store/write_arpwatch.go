package store

// Addresses and bindings, with arpwatch's rules and events (new-ip,
// new-station, ip-moved, flip-flop).

import (
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// FlipFlopWindow is arpwatch's flip-flop rule: an IP that returns to the
// MAC it had before its last change within this window is a flip-flop;
// later, or to a third MAC, it is an ip-moved.
const FlipFlopWindow = 24 * time.Hour

// ipOwners are the assets that have an address: every asset_addresses row
// of the IP, with the pending changes.
type ipOwners struct {
	addrs []*addrState
}

// addrState is one asset_addresses row: first_seen, last_seen and source
// are the row's current values (the database's merged with what the
// writer saw since).
type addrState struct {
	assetID     int64
	key         model.AssetKey // the asset's
	ip          netip.Addr
	source      model.ObsSource
	sourceAt    int64 // the time of the message that named source (a loaded row: its last_seen)
	first, last int64
	persisted   bool
	dirty       bool
}

// takeSource names the message (ARP, DHCP, NDP) of source s seen at tn as
// the address's source if it is the latest: the result does not depend on
// the order in which several workers' reports arrive (equal times are
// decided by name). The traffic never replaces a message that showed the
// address.
func (x *addrState) takeSource(s model.ObsSource, tn int64) {
	if s == model.SourceTraffic && x.source != "" {
		return
	}
	if x.source == "" || x.source == model.SourceTraffic || tn > x.sourceAt || tn == x.sourceAt && s > x.source {
		x.source, x.sourceAt = s, tn
	}
}

type bindKey struct {
	vantage string
	vlan    uint16
	ip      netip.Addr
}

// bindState is one ip_bindings row. A new row's first and last are its
// values; for a stored row last is the pending last_seen (merged with max).
type bindState struct {
	key         bindKey
	mac, prev   string
	changedAt   int64
	first, last int64
	persisted   bool
	dirty       bool
}

func (s *bindState) clean() { s.persisted, s.dirty, s.first, s.last = true, false, 0, 0 }

func (x *addrState) clean() { x.persisted, x.dirty = true, false }

// addressObs records an address the asset used (IPv6 neighbour discovery,
// DHCPv6): no binding, as arpwatch keeps bindings for ARP only.
func (b *batch) addressObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	ip := normIP(o.IP)
	a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
	if err != nil || !usableIP(ip) {
		return err
	}
	return b.address(a, ip, sourceOr(o.Source, o.Kind), t)
}

// bindingObs records an ARP binding or a DHCP ACK: the address, and (for
// an asset keyed by MAC) the binding IP -> MAC with arpwatch's events.
func (b *batch) bindingObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	ip := normIP(o.IP)
	a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
	if err != nil || !usableIP(ip) {
		return err // a probe (sender 0.0.0.0) binds nothing
	}
	src := sourceOr(o.Source, o.Kind)
	if o.Kind == model.ObsDHCPAck {
		src = model.SourceDHCPAck
	}
	if err := b.address(a, ip, src, t); err != nil {
		return err
	}
	if key.KeyedByIP() {
		return nil
	}
	return b.bind(a, key, ip, t)
}

// sourceOr returns s, or the name of the observation's kind when the
// observation names no source ("address", "arp").
func sourceOr(s model.ObsSource, k model.ObsKind) model.ObsSource {
	if s == "" {
		return model.ObsSource(k.String())
	}
	return s
}

// owners returns the assets that have ip among their addresses, reading
// them from the database the first time.
func (b *batch) owners(ip netip.Addr) (*ipOwners, error) {
	c := &b.db.cache
	if e := c.ips[ip]; e != nil {
		return e, nil
	}
	e := &ipOwners{}
	if !c.ipsComplete {
		st, err := b.lookup(sOwnersOfIP)
		if err != nil {
			return nil, err
		}
		rows, err := st.QueryContext(b.ctx, ip.String())
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			x := &addrState{ip: ip, persisted: true}
			var mac, keyIP string
			if err := rows.Scan(&x.assetID, &x.key.Vantage, &x.key.VLAN, &mac, &keyIP, &x.source, &x.first,
				&x.last); err != nil {
				rows.Close()
				return nil, err
			}
			x.sourceAt = x.last
			if x.key.MAC, x.key.IP, err = parseKey(mac, keyIP); err != nil {
				rows.Close()
				return nil, err
			}
			e.addrs = append(e.addrs, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	c.ips[ip] = e
	return e, nil
}

// dirty reports whether one of the addresses has pending changes.
func (e *ipOwners) dirty() bool {
	for _, x := range e.addrs {
		if x.dirty {
			return true
		}
	}
	return false
}

// has reports whether the asset id has the address.
func (e *ipOwners) has(id int64) bool {
	for _, x := range e.addrs {
		if x.assetID == id {
			return true
		}
	}
	return false
}

// ownerOf returns the key of the asset that owns ip (has it among its
// addresses), preferring vantage, then the most recent use, then the
// newest asset; ok is false when no asset owns it.
func (b *batch) ownerOf(vantage string, ip netip.Addr) (k model.AssetKey, ok bool, err error) {
	e, err := b.owners(ip)
	if err != nil {
		return k, false, err
	}
	var best *addrState
	for _, x := range e.addrs {
		if best == nil || betterOwner(x, best, vantage) {
			best = x
		}
	}
	if best == nil {
		return k, false, nil
	}
	return best.key, true, nil
}

// betterOwner orders owners as sOwnersOfIP's callers want: on vantage
// first, then the latest last_seen, then the highest asset id.
func betterOwner(x, y *addrState, vantage string) bool {
	if xv, yv := x.key.Vantage == vantage, y.key.Vantage == vantage; xv != yv {
		return xv
	}
	if x.last != y.last {
		return x.last > y.last
	}
	return x.assetID > y.assetID
}

// address records that the asset used ip; a new IP for it is a new-ip
// event. The source is the latest message that showed the address; an
// address the sensor learned from traffic (model.SourceTraffic) keeps the
// message's.
func (b *batch) address(a *assetState, ip netip.Addr, source model.ObsSource, t time.Time) error {
	e, err := b.owners(ip)
	if err != nil {
		return err
	}
	tn := ns(t)
	for _, x := range e.addrs {
		if x.assetID == a.id {
			x.first, x.last = minNS(x.first, tn), maxNS(x.last, tn)
			x.takeSource(source, tn)
			b.markAddr(x)
			return nil
		}
	}
	x := &addrState{assetID: a.id, key: a.key, ip: ip, source: source, sourceAt: tn, first: tn, last: tn}
	e.addrs = append(e.addrs, x)
	b.markAddr(x)
	// Flows to the address written before the asset owned it are now its
	// (fingerprint.Facts.Served), if there are any.
	if b.db.cache.mayServe(ip) {
		b.markDirty(a, t)
		b.flowsChanged[a.id] = struct{}{}
	}
	if b.firstIP(a.id, ip) {
		return nil // carried by the device's new-device event
	}
	b.event(model.EventNewIP, t, a.key, a.id, ip, "", ip.String())
	return nil
}

func (b *batch) markAddr(x *addrState) { pend(b, &x.dirty, &b.addrs, x) }

// writeAddresses inserts the new addresses and updates the changed ones.
func (f *flush) writeAddresses() error {
	ins := news(len(f.addrs), func(i int) bool { return !f.addrs[i].persisted })
	err := f.insert(sAddrInsert, len(ins), func(i int, args []any) []any {
		x := &f.addrs[ins[i]]
		return append(args, x.assetID, x.ip.String(), x.source, x.first, x.last)
	})
	if err != nil {
		return err
	}
	for i := range f.addrs {
		if x := &f.addrs[i]; x.persisted {
			if _, err := f.exec(sAddrTouch, x.assetID, x.ip.String(), x.source, x.first, x.last); err != nil {
				return err
			}
		}
	}
	return nil
}

// bind applies arpwatch's rules to the binding ip -> key.MAC.
func (b *batch) bind(a *assetState, key model.AssetKey, ip netip.Addr, t time.Time) error {
	c := &b.db.cache
	bk := bindKey{key.Vantage, key.VLAN, ip}
	mac, tn := key.MAC.String(), ns(t)
	cur := c.binds[bk]
	if cur == nil && !c.bindsComplete {
		st, err := b.lookup(sBindGet)
		if err != nil {
			return err
		}
		s := &bindState{key: bk, persisted: true}
		err = st.QueryRowContext(b.ctx, key.Vantage, key.VLAN, ip.String()).Scan(&s.mac, &s.prev, &s.changedAt)
		switch {
		case err == nil:
			c.binds[bk] = s
			cur = s
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	if cur == nil {
		s := &bindState{key: bk, mac: mac, first: tn, last: tn}
		c.binds[bk] = s
		b.markBind(s)
		if f := b.fresh[a.id]; f != nil && f.ip == ip {
			return nil // a new device's first address: its new-device event says so
		}
		b.event(model.EventNewStation, t, key, a.id, ip, "", mac)
		return nil
	}
	if cur.mac != mac && tn < cur.changedAt {
		// A report from before the address last moved (another worker's,
		// arriving late): the move it would make is not news.
		return nil
	}
	cur.last = maxNS(cur.last, tn)
	b.markBind(cur)
	if cur.mac == mac {
		return nil
	}
	typ := model.EventIPMoved
	if cur.prev == mac && cur.changedAt != 0 && tn-cur.changedAt < int64(FlipFlopWindow) {
		typ = model.EventFlipFlop
	}
	old := cur.mac
	cur.mac, cur.prev, cur.changedAt = mac, old, tn
	b.event(typ, t, key, a.id, ip, old, mac)
	return nil
}

func (b *batch) markBind(s *bindState) { pend(b, &s.dirty, &b.binds, s) }

// writeBindings inserts the new bindings and updates the changed ones.
func (f *flush) writeBindings() error {
	ins := news(len(f.binds), func(i int) bool { return !f.binds[i].persisted })
	err := f.insert(sBindInsert, len(ins), func(i int, args []any) []any {
		s := &f.binds[ins[i]]
		return append(args, s.key.vantage, s.key.vlan, s.key.ip.String(), s.mac, s.prev, s.first, s.last, s.changedAt)
	})
	if err != nil {
		return err
	}
	for i := range f.binds {
		if s := &f.binds[i]; s.persisted {
			k := s.key
			if _, err := f.exec(sBindUpdate, s.mac, s.prev, s.changedAt, s.last, k.vantage, k.vlan, k.ip.String()); err != nil {
				return err
			}
		}
	}
	return nil
}
