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

type bindKey struct {
	vantage string
	vlan    uint16
	ip      netip.Addr
}

type binding struct {
	mac, prev string
	changedAt int64
}

// addressObs records an address the asset used (IPv6 neighbour discovery,
// DHCPv6): no binding, as arpwatch keeps bindings for ARP only.
func (b *batch) addressObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	ip := normIP(o.IP)
	a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
	if err != nil || !usableIP(ip) {
		return err
	}
	return b.address(a, key, ip, sourceOr(o.Source, o.Kind), t)
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
	if err := b.address(a, key, ip, src, t); err != nil {
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

// address records that the asset used ip; a new IP for it is a new-ip
// event.
func (b *batch) address(a *assetState, key model.AssetKey, ip netip.Addr, source model.ObsSource, t time.Time) error {
	s := ip.String()
	res, err := b.exec(sAddrTouch, ns(t), ns(t), source, a.id, s)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	if _, err := b.exec(sAddrInsert, a.id, s, source, ns(t), ns(t)); err != nil {
		return err
	}
	// Only the cached "no server asset" answer for this (asset, IP) can
	// change: owning an address is never undone.
	if nk, ok := normKey(key); ok {
		delete(b.db.cache.dst, dstKey{nk, normIP(ip)})
	}
	if b.firstIP(a.id, ip) {
		return nil // carried by the device's new-device event
	}
	return b.event(model.EventNewIP, t, key, a.id, ip, "", s)
}

// bind applies arpwatch's rules to the binding ip -> key.MAC.
func (b *batch) bind(a *assetState, key model.AssetKey, ip netip.Addr, t time.Time) error {
	c := &b.db.cache
	bk := bindKey{key.Vantage, key.VLAN, ip}
	mac, ips := key.MAC.String(), ip.String()
	cur, ok := c.binds[bk]
	if !ok {
		err := b.stmt(sBindGet).QueryRowContext(b.ctx, key.Vantage, key.VLAN, ips).Scan(&cur.mac, &cur.prev, &cur.changedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := b.exec(sBindInsert, key.Vantage, key.VLAN, ips, mac, ns(t), ns(t)); err != nil {
				return err
			}
			c.putBinding(bk, binding{mac: mac})
			if f := b.fresh[a.id]; f != nil && f.ip == ip {
				return nil // a new device's first address: its new-device event says so
			}
			return b.event(model.EventNewStation, t, key, a.id, ip, "", mac)
		case err != nil:
			return err
		}
		c.putBinding(bk, cur)
	}
	if cur.mac == mac {
		_, err := b.exec(sBindTouch, ns(t), key.Vantage, key.VLAN, ips)
		return err
	}
	typ := model.EventIPMoved
	if cur.prev == mac && cur.changedAt != 0 && ns(t)-cur.changedAt < int64(FlipFlopWindow) {
		typ = model.EventFlipFlop
	}
	if _, err := b.exec(sBindChange, mac, cur.mac, ns(t), ns(t), key.Vantage, key.VLAN, ips); err != nil {
		return err
	}
	c.putBinding(bk, binding{mac: mac, prev: cur.mac, changedAt: ns(t)})
	return b.event(typ, t, key, a.id, ip, cur.mac, mac)
}
