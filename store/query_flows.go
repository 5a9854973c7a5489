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
	ID         int64
	Vantage    string
	VLAN       uint16
	SrcAssetID int64
	Src        model.AssetKey // the client asset
	SrcIP      netip.Addr     // in the latest report; invalid if unknown
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
	Since   time.Time  // last seen at or after
	AssetID int64      // either end
	IP      netip.Addr // either end's IP
	MAC     model.MAC  // either end's asset MAC
	Vantage string
	VLAN    *uint16
	Proto   uint8
	Port    uint16
	Service string

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

// FindFlows returns the page of flows f selects and how many match f in
// all (Limit and Offset aside).
func (db *DB) FindFlows(ctx context.Context, f FlowFilter) ([]Flow, int, error) {
	var c conds
	endsConds(&c, "f", f.Since, f.AssetID, f.IP, f.MAC, f.Vantage, f.VLAN)
	eq(&c, f.Proto, "f.proto")
	eq(&c, f.Port, "f.port")
	eq(&c, f.Service, "f.service")
	q := pageQuery{op: "query flows in", columns: flowColumns, from: endsFrom("flows", "f"), conds: c,
		order: endsOrder("f", f.Chronological, f.Desc), limit: f.Limit, offset: f.Offset}
	var out []Flow
	total, err := db.find(ctx, q, func(rows *sql.Rows, total *int) error {
		var (
			x                                         Flow
			smac, skip, srcIP, dmac, dkip, dstIP      string
			first, last, packets, nbytes, connections int64
		)
		if err := rows.Scan(&x.ID, &x.Vantage, &x.VLAN, &x.SrcAssetID, &x.Src.Vantage, &x.Src.VLAN, &smac, &skip,
			&srcIP, &x.DstAssetID, &x.Dst.Vantage, &x.Dst.VLAN, &dmac, &dkip, &dstIP, &x.SrcLocal, &x.DstLocal,
			&x.Proto, &x.Port, &x.Service, &first, &last, &packets, &nbytes, &connections, total); err != nil {
			return err
		}
		if err := parseEnds(&x.Src, smac, skip, &x.SrcIP, srcIP, &x.Dst, dmac, dkip, &x.DstIP, dstIP); err != nil {
			return fmt.Errorf("flow %d: %w", x.ID, err)
		}
		x.FirstSeen, x.LastSeen = fromNS(first), fromNS(last)
		x.Packets, x.Bytes, x.Connections = uint64(packets), uint64(nbytes), uint64(connections)
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
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
