package store

// Flows: the flows table, keyed by client asset, server end and port.

import (
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// flowKey is a flows row's unique key (dst 0 for NULL).
type flowKey struct {
	src   int64
	srcIP netip.Addr
	dst   int64
	dstIP netip.Addr
	proto uint8
	port  uint16
}

// flowDelta is what flow reports added to a flows or violations row since
// the last flush: first_seen = min, last_seen = max, counters added.
type flowDelta struct {
	dirty                 bool // the row is pending
	first, last           int64
	packets, bytes, conns uint64
}

// add merges a report of f over [first, last] into d, and reports whether
// that made the row pending.
func (d *flowDelta) add(first, last time.Time, f *model.FlowInfo) bool {
	fn, tn := ns(first), ns(last)
	was := d.dirty
	if was {
		d.first, d.last = minNS(d.first, fn), maxNS(d.last, tn)
	} else {
		d.dirty, d.first, d.last = true, fn, tn
	}
	d.packets += f.Packets
	d.bytes += f.Bytes
	d.conns += f.Connections
	return !was
}

// flowState is one flows row and its pending changes: the latest ends,
// vantage, VLAN and non-empty service, and the reports' delta.
type flowState struct {
	id                 int64
	key                flowKey
	persisted          bool
	srcLocal, dstLocal bool
	vantage            string
	vlan               uint16
	service            string
	// known is the last service reported for the row (kept across
	// flushes): a new one changes the server's facts.
	known string
	flowDelta
}

func (f *flowState) clean() {
	f.persisted, f.service, f.flowDelta = true, "", flowDelta{}
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
// serverIP among its addresses (or is keyed by it); otherwise nil, the
// frames' server MAC being a router's (or a device whose address the store
// does not know yet). It never creates an asset, and does not use the
// sensor's ServerLocal, which gives unknown MACs the benefit of the doubt.
func (b *batch) serverAsset(client model.AssetKey, f *model.FlowInfo, serverIP netip.Addr) (*assetState, error) {
	sk, ok := normKey(f.Server)
	if !ok || sk.Vantage != client.Vantage || sk.VLAN != client.VLAN || !f.ServerLocal {
		// Not on the client's link, or the sensor knows the MAC is a
		// router's (bound to other addresses): no server asset.
		return nil, nil
	}
	a, err := b.existingAsset(sk)
	if err != nil || a == nil {
		return nil, err
	}
	if sk.KeyedByIP() && sk.IP == serverIP {
		return a, nil
	}
	e, err := b.owners(serverIP)
	if err != nil || !e.has(a.id) {
		return nil, err
	}
	return a, nil
}

// idOf is the asset's id, 0 for none.
func idOf(a *assetState) int64 {
	if a == nil {
		return 0
	}
	return a.id
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
	srv, err := b.serverAsset(client, f, dst)
	if err != nil {
		return err
	}
	s, created, err := b.flowRow(a, flowKey{src: a.id, srcIP: src, dst: idOf(srv), dstIP: dst, proto: f.Proto, port: f.Port})
	if err != nil {
		return err
	}
	// The flusher's cached flow facts follow the new rows it writes
	// (factsCache.applyFlows); a new service on a row, and rows to an
	// address on the link no asset was resolved for, it cannot follow.
	newService := !created && f.Service != "" && f.Service != s.known
	switch {
	case srv != nil && newService:
		b.flowsChanged[srv.id] = struct{}{}
		b.deferGrowth(srv, t)
	case srv == nil && f.ServerLocal && (created || newService):
		b.flowsChangedIPs[dst] = struct{}{} // served by whoever has the address (servedFlows)
		b.db.cache.unresolved[dst] = struct{}{}
	}
	if f.Service != "" {
		s.known = f.Service
	}
	if created && srv != nil {
		// Perhaps a new client (asset and address) of one of its ports:
		// the server's facts changed (fingerprint.Facts.Served).
		b.markGrown(srv, grownKey{srv.id, f.Proto, f.Port}, grownClient{a.id, src}, b.classMatters(a.key), t)
	}
	if created && !f.ClientLocal && src.IsValid() {
		// Another address behind the client's MAC, a router's, perhaps a
		// new one (fingerprint.Facts.RoutedIPs).
		b.markGrown(a, grownKey{asset: a.id}, grownClient{ip: src}, false, t)
	}
	s.srcLocal, s.dstLocal, s.vantage, s.vlan = f.ClientLocal, f.ServerLocal, client.Vantage, client.VLAN
	if f.Service != "" {
		s.service = f.Service
	}
	if s.add(first, t, f) {
		b.flows = append(b.flows, s)
		b.changed()
	}
	return nil
}

// flowRow returns the flows row of k, a new one (with its id, created
// true) if there is none. The client asset a tells whether the database can
// hold rows the cache does not.
func (b *batch) flowRow(a *assetState, k flowKey) (s *flowState, created bool, err error) {
	c := &b.db.cache
	if s := c.flows[k]; s != nil {
		return s, false, nil
	}
	s = &flowState{key: k}
	if !c.flowsComplete && a.born != c.epoch {
		st, err := b.lookup(sFlowGet)
		if err != nil {
			return nil, false, err
		}
		err = st.QueryRowContext(b.ctx, k.src, ipText(k.srcIP), k.dst, k.dstIP.String(), k.proto, k.port).Scan(&s.id)
		switch {
		case err == nil:
			s.persisted = true
		case !errors.Is(err, sql.ErrNoRows):
			return nil, false, err
		}
	}
	if !s.persisted {
		s.id = c.nextFlow
		c.nextFlow++
	}
	c.flows[k] = s
	return s, !s.persisted, nil
}

// writeFlows inserts the new flows and updates the changed ones.
func (f *flush) writeFlows() error {
	ins := news(len(f.flows), func(i int) bool { return !f.flows[i].persisted })
	err := f.insert(sFlowInsert, len(ins), func(i int, args []any) []any {
		s := &f.flows[ins[i]]
		k := s.key
		return append(args, s.id, k.src, nullID(k.dst), ipText(k.srcIP), k.dstIP.String(), k.proto, k.port,
			s.srcLocal, s.dstLocal, s.vantage, s.vlan, s.service, s.first, s.last, i64(s.packets), i64(s.bytes),
			i64(s.conns))
	})
	if err != nil {
		return err
	}
	for i := range f.flows {
		if s := &f.flows[i]; s.persisted {
			if _, err := f.exec(sFlowUpdate, s.srcLocal, s.dstLocal, s.vantage, s.vlan, s.service, s.first, s.last,
				i64(s.packets), i64(s.bytes), i64(s.conns), s.id); err != nil {
				return err
			}
		}
	}
	return nil
}
