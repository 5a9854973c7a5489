package store

// Flows: the flows table, keyed by client asset, server end and port.

import (
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// dstKey is a flow's server end as the frames name it.
type dstKey struct {
	key model.AssetKey
	ip  netip.Addr
}

// flowEnds returns the client key (Flow.Client, or the observation's key
// when the flow has none), the client IP (invalid if unknown) and the server
// IP of o, and whether they can be stored: the server IP is required.
func flowEnds(key model.AssetKey, f *model.FlowInfo) (client model.AssetKey, src, dst netip.Addr, ok bool) {
	client = key
	if f.Client != (model.AssetKey{}) {
		if client, ok = normKey(f.Client); !ok {
			return client, src, dst, false
		}
	}
	src, dst = normIP(f.ClientIP), normIP(f.ServerIP)
	if !usableIP(src) {
		src = netip.Addr{}
	}
	return client, src, dst, usableIP(dst)
}

// serverAsset resolves a flow's server end: the asset of f.Server when that
// key is a device on the client's vantage and VLAN and the asset has
// serverIP among its addresses (or is keyed by it); otherwise 0, the
// frames' server MAC being a router's (or a device whose address the store
// does not know yet). It never creates an asset, and does not use the
// sensor's ServerLocal, which gives unknown MACs the benefit of the doubt.
func (b *batch) serverAsset(client model.AssetKey, f *model.FlowInfo, serverIP netip.Addr) (int64, error) {
	sk, ok := normKey(f.Server)
	if !ok || sk.Vantage != client.Vantage || sk.VLAN != client.VLAN || !f.ServerLocal {
		// Not on the client's link, or the sensor knows the MAC is a
		// router's (bound to other addresses): no server asset.
		return 0, nil
	}
	c := &b.db.cache
	dk := dstKey{sk, serverIP}
	if id, ok := c.dst[dk]; ok {
		return id, nil
	}
	mac, keyIP, _ := keyColumns(sk)
	var id int64
	err := b.stmt(sDstAsset).QueryRowContext(b.ctx, sk.Vantage, sk.VLAN, mac, keyIP, serverIP.String()).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if len(c.dst) >= c.max {
		clear(c.dst)
	}
	c.dst[dk] = id
	return id, nil
}

// flowStart is the start of a flow report's interval.
func flowStart(o *model.Observation, t time.Time) time.Time {
	first := o.Flow.First
	if first.IsZero() {
		first = o.First
	}
	if !first.IsZero() && first.Before(t) {
		return first
	}
	return t
}

// flow adds a flow report to its flows row. The client asset is created if
// new, but an existing one is not touched: its times and counters come from
// activity observations (a flow's times cover both directions).
func (b *batch) flow(key model.AssetKey, o *model.Observation, t time.Time) error {
	f := o.Flow
	client, src, dst, ok := flowEnds(key, f)
	if !ok {
		b.invalid++
		return nil
	}
	first := flowStart(o, t)
	var a *assetState
	var err error
	if f.ClientLocal {
		a, err = b.ensureAsset(client, o.OuterVLAN, first, t)
	} else {
		// Behind a router, or never seen sending: use the asset as it
		// exists (the router), never create one for a MAC that only
		// received frames.
		a, err = b.existingAsset(client)
	}
	if err != nil {
		return err
	}
	if a == nil {
		b.ignored++
		return nil
	}
	dstID, err := b.serverAsset(client, f, dst)
	if err != nil {
		return err
	}
	_, err = b.exec(sFlowUpsert, a.id, nullID(dstID), ipText(src), dst.String(), f.Proto, f.Port,
		f.ClientLocal, f.ServerLocal, client.Vantage, client.VLAN, f.Service, ns(first), ns(t), i64(f.Packets), i64(f.Bytes), i64(f.Connections))
	return err
}
