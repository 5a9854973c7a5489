package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Flow is one flows row: the traffic between a client asset and a server
// (port) since first seen.
type Flow struct {
	ID           int64
	Sensor, Site string // the central inventory's pushing sensor; "" locally
	Vantage      string
	VLAN         uint16
	SrcAssetID   int64
	Src          model.AssetKey // the client asset
	SrcIP        netip.Addr     // in the latest report; invalid if unknown
	// DstAssetID is the server asset, 0 when the frames' server MAC was
	// not an asset owning DstIP there (a router's: a routed flow). Dst is
	// its key, zero when DstAssetID is 0.
	DstAssetID int64
	Dst        model.AssetKey
	DstIP      netip.Addr
	// SrcLocal and DstLocal are the sensor's latest ClientLocal and
	// ServerLocal: the end's MAC is its own, not a router's.
	SrcLocal, DstLocal          bool
	Proto                       uint8
	Port                        uint16
	Service                     string
	FirstSeen, LastSeen         time.Time
	Packets, Bytes, Connections uint64
}

// FlowFilter selects flows. Zero fields match everything.
type FlowFilter struct {
	Sensor, Site string     // central inventory only (see AssetFilter)
	Since        time.Time  // last seen at or after
	AssetID      int64      // either end
	IP           netip.Addr // either end's IP
	MAC          model.MAC  // either end's asset MAC
	Vantage      string
	VLAN         *uint16
	Proto        uint8
	Port         uint16
	Service      string
	// Merge lists the two copies of a routed flow (one per VLAN it
	// crossed) as one flow between the client and the server assets (see
	// mergedFlows); VLAN then matches either end's VLAN.
	Merge bool

	Limit  int  // the first this many, in order; 0 for all
	Offset int  // skip this many (after ordering)
	Desc   bool // newest first
	// Chronological orders by first seen, then ID. IDs follow the
	// writer's batches, which concurrent reports may reorder; first-seen
	// times come from the capture, so this order is the same on every
	// replay of a file. Otherwise the order is by ID (creation).
	Chronological bool
}

const flowColumns = `f.id, f.vantage, f.vlan, f.src_asset_id, s.vantage, s.vlan, s.mac, s.key_ip, f.src_ip,
	ifnull(f.dst_asset_id, 0), ifnull(d.vantage, ''), ifnull(d.vlan, 0), ifnull(d.mac, ''), ifnull(d.key_ip, ''),
	f.dst_ip, f.src_local, f.dst_local, f.proto, f.port, f.service, f.first_seen, f.last_seen,
	f.packets, f.bytes, f.connections`

// endsFrom joins the table t (alias x: flows or violations) with the
// assets of its client (s) and server (d) ends.
func endsFrom(t, x string) string {
	return t + " " + x + " JOIN assets s ON s.id = " + x + ".src_asset_id LEFT JOIN assets d ON d.id = " + x +
		".dst_asset_id"
}

// endsConds adds the conditions flows and violations (alias x, joined by
// endsFrom) share.
func endsConds(c *conds, x string, since time.Time, assetID int64, ip netip.Addr, mac model.MAC, vantage string,
	vlan *uint16) {
	c.since(x+".last_seen", since)
	eq(c, assetID, x+".src_asset_id", x+".dst_asset_id")
	c.ip(ip, x+".src_ip", x+".dst_ip")
	c.mac(mac, "s.mac", "d.mac")
	eq(c, vantage, x+".vantage")
	c.vlan(x+".vlan", vlan)
}

// endsOrder is the order of flows and violations (alias x): by ID, or by
// first seen and ID; descending with desc.
func endsOrder(x string, chronological, desc bool) string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	if chronological {
		return x + ".first_seen" + dir + ", " + x + ".id" + dir
	}
	return x + ".id" + dir
}

// mergedFlows is flows with the copies of a routed flow grouped into one
// row (FlowFilter.Merge). A flow routed between two mirrored VLANs is
// stored twice, once per VLAN: on the client's VLAN with the router's MAC
// as the server (dst_local 0, no server asset), on the server's with the
// router's MAC as the client (src_local 0). The copies share vantage,
// addresses, protocol and port (policy/segment's test for "the same flow");
// a flow whose two ends are both local is its own group. The merged row
// takes the client and its VLAN from the copy where the client's MAC is
// its own, the server from the copy where the server's is, the earliest
// first and latest last seen, and the largest counters (both copies count
// the same packets, seen twice). where (its args first) narrows the
// copies before grouping; only conditions true of every copy of a flow
// belong there.
func mergedFlows(where string) string {
	return `(SELECT min(x.id) id, x.vantage vantage,
		coalesce(max(CASE WHEN x.src_local THEN x.vlan END), min(x.vlan)) vlan,
		coalesce(max(CASE WHEN x.src_local THEN x.src_asset_id END), min(x.src_asset_id)) src_asset_id,
		x.src_ip src_ip,
		coalesce(max(CASE WHEN x.dst_local THEN x.dst_asset_id END), max(x.dst_asset_id)) dst_asset_id,
		x.dst_ip dst_ip, max(x.src_local) src_local, max(x.dst_local) dst_local, x.proto proto, x.port port,
		max(x.service) service, min(x.first_seen) first_seen, max(x.last_seen) last_seen,
		max(x.packets) packets, max(x.bytes) bytes, max(x.connections) connections
	FROM flows x` + where + `
	GROUP BY x.vantage, x.src_ip, CASE WHEN x.src_ip = '' THEN x.src_asset_id END, x.dst_ip, x.proto, x.port,
		CASE WHEN x.src_local AND x.dst_local THEN x.id END)`
}

// flowQuery is the query of the flows f selects.
func flowQuery(f *FlowFilter) pageQuery {
	var c conds
	from := endsFrom("flows", "f")
	if f.Merge {
		// Conditions every copy shares narrow the copies first (an index
		// then finds them); the others test the merged row, whose ends
		// are the client and server assets, never a router.
		var inner conds
		eq(&inner, f.Vantage, "x.vantage")
		inner.ip(f.IP, "x.src_ip", "x.dst_ip")
		eq(&inner, f.Proto, "x.proto")
		eq(&inner, f.Port, "x.port")
		if f.AssetID != 0 || !f.MAC.IsZero() {
			var own conds
			eq(&own, f.AssetID, "y.src_asset_id", "y.dst_asset_id")
			if !f.MAC.IsZero() {
				own.add("(y.src_asset_id IN (SELECT id FROM assets WHERE mac = ?) OR y.dst_asset_id IN (SELECT id FROM assets WHERE mac = ?))",
					f.MAC.String(), f.MAC.String())
			}
			inner.add(`(x.vantage, x.src_ip, x.dst_ip, x.proto, x.port) IN
				(SELECT y.vantage, y.src_ip, y.dst_ip, y.proto, y.port FROM flows y`+own.clause()+`)`, own.args...)
		}
		from = endsFrom(mergedFlows(inner.clause()), "f")
		c.args = append(c.args, inner.args...) // bound first: the subquery comes first in the text
		endsConds(&c, "f", f.Since, f.AssetID, netip.Addr{}, f.MAC, "", nil)
		if f.VLAN != nil {
			c.add("(f.vlan = ? OR d.vlan = ?)", *f.VLAN, *f.VLAN)
		}
	} else {
		endsConds(&c, "f", f.Since, f.AssetID, f.IP, f.MAC, f.Vantage, f.VLAN)
		eq(&c, f.Proto, "f.proto")
		eq(&c, f.Port, "f.port")
	}
	eq(&c, f.Service, "f.service")
	return pageQuery{op: "query flows in", columns: flowColumns, from: from, conds: c,
		order: endsOrder("f", f.Chronological, f.Desc), limit: f.Limit, offset: f.Offset}
}

// FindFlows returns the page of flows f selects and how many match f in
// all (Limit and Offset aside).
func (db *DB) FindFlows(ctx context.Context, f FlowFilter) ([]Flow, int, error) {
	var out []Flow
	total, err := db.find(ctx, flowQuery(&f), func(rows *sql.Rows, total *int) error {
		x, err := scanFlow(rows, total)
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// scanFlow scans a row of flowColumns, then total.
func scanFlow(rows *sql.Rows, total *int) (Flow, error) {
	var (
		x                                         Flow
		smac, skip, srcIP, dmac, dkip, dstIP      string
		first, last, packets, nbytes, connections int64
	)
	if err := rows.Scan(&x.ID, &x.Vantage, &x.VLAN, &x.SrcAssetID, &x.Src.Vantage, &x.Src.VLAN, &smac, &skip,
		&srcIP, &x.DstAssetID, &x.Dst.Vantage, &x.Dst.VLAN, &dmac, &dkip, &dstIP, &x.SrcLocal, &x.DstLocal,
		&x.Proto, &x.Port, &x.Service, &first, &last, &packets, &nbytes, &connections, total); err != nil {
		return x, err
	}
	if err := parseEnds(&x.Src, smac, skip, &x.SrcIP, srcIP, &x.Dst, dmac, dkip, &x.DstIP, dstIP); err != nil {
		return x, fmt.Errorf("flow %d: %w", x.ID, err)
	}
	x.FirstSeen, x.LastSeen = fromNS(first), fromNS(last)
	x.Packets, x.Bytes, x.Connections = uint64(packets), uint64(nbytes), uint64(connections)
	return x, nil
}

// parseEnds parses the two asset keys and IPs of a flow or violation row.
func parseEnds(src *model.AssetKey, smac, skip string, srcIP *netip.Addr, srcIPText string,
	dst *model.AssetKey, dmac, dkip string, dstIP *netip.Addr, dstIPText string) error {
	var err error
	if src.MAC, src.IP, err = parseKey(smac, skip); err != nil {
		return err
	}
	if dst.MAC, dst.IP, err = parseKey(dmac, dkip); err != nil {
		return err
	}
	if *srcIP, err = parseIP(srcIPText); err != nil {
		return err
	}
	*dstIP, err = parseIP(dstIPText)
	return err
}
