package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Violation is one violations row: a flow the policy flagged under one
// rule, with how often.
type Violation struct {
	ID                          int64
	Sensor, Site                string // the central inventory's pushing sensor; "" locally
	Rule, SrcZone, DstZone      string
	Severity                    string
	Vantage                     string
	VLAN                        uint16
	SrcAssetID                  int64
	Src                         model.AssetKey
	SrcIP                       netip.Addr
	DstAssetID                  int64          // 0 when the server is not an asset there (see Flow)
	Dst                         model.AssetKey // zero when DstAssetID is 0
	DstIP                       netip.Addr
	Proto                       uint8
	Port                        uint16
	Service                     string
	FirstSeen, LastSeen         time.Time
	Count                       uint64 // observations that reported it
	Packets, Bytes, Connections uint64 // sums of the flow deltas they carried
}

// ViolationFilter selects violations. Zero fields match everything.
type ViolationFilter struct {
	Sensor, Site string    // central inventory only (see AssetFilter)
	Since        time.Time // last seen at or after
	FirstSince   time.Time // first seen at or after
	Rule         string
	Severity     string
	Zone         string     // either end's zone
	SrcZone      string     // the client's zone
	DstZone      string     // the server's zone
	AssetID      int64      // either end
	IP           netip.Addr // either end's IP
	MAC          model.MAC  // either end's asset MAC
	Vantage      string
	VLAN         *uint16

	Limit  int  // the first this many, in order; 0 for all
	Offset int  // skip this many (after ordering)
	Desc   bool // newest first
	// Chronological orders by first seen, then ID (see FlowFilter);
	// otherwise by ID.
	Chronological bool
}

const violationColumns = `v.id, v.rule, v.src_zone, v.dst_zone, v.severity, v.vantage, v.vlan,
	v.src_asset_id, s.vantage, s.vlan, s.mac, s.key_ip, v.src_ip,
	ifnull(v.dst_asset_id, 0), ifnull(d.vantage, ''), ifnull(d.vlan, 0), ifnull(d.mac, ''), ifnull(d.key_ip, ''),
	v.dst_ip, v.proto, v.port, v.service, v.first_seen, v.last_seen, v.count, v.packets, v.bytes, v.connections`

// violationQuery is the query of the violations f selects.
func violationQuery(f *ViolationFilter) pageQuery {
	var c conds
	endsConds(&c, "v", f.Since, f.AssetID, f.IP, f.MAC, f.Vantage, f.VLAN)
	c.since("v.first_seen", f.FirstSince)
	eq(&c, f.Rule, "v.rule")
	eq(&c, f.Severity, "v.severity")
	eq(&c, f.Zone, "v.src_zone", "v.dst_zone")
	eq(&c, f.SrcZone, "v.src_zone")
	eq(&c, f.DstZone, "v.dst_zone")
	return pageQuery{op: "query violations in", columns: violationColumns, from: endsFrom("violations", "v"), conds: c,
		order: endsOrder("v", f.Chronological, f.Desc), limit: f.Limit, offset: f.Offset}
}

// FindViolations returns the page of violations f selects and how many
// match f in all (Limit and Offset aside).
func (db *DB) FindViolations(ctx context.Context, f ViolationFilter) ([]Violation, int, error) {
	var out []Violation
	total, err := db.find(ctx, violationQuery(&f), func(rows *sql.Rows, total *int) error {
		x, err := scanViolation(rows, total)
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// scanViolation scans a row of violationColumns, then total.
func scanViolation(rows *sql.Rows, total *int) (Violation, error) {
	var (
		x                                                Violation
		smac, skip, srcIP, dmac, dkip, dstIP             string
		first, last, count, packets, nbytes, connections int64
	)
	if err := rows.Scan(&x.ID, &x.Rule, &x.SrcZone, &x.DstZone, &x.Severity, &x.Vantage, &x.VLAN,
		&x.SrcAssetID, &x.Src.Vantage, &x.Src.VLAN, &smac, &skip, &srcIP,
		&x.DstAssetID, &x.Dst.Vantage, &x.Dst.VLAN, &dmac, &dkip, &dstIP, &x.Proto, &x.Port, &x.Service,
		&first, &last, &count, &packets, &nbytes, &connections, total); err != nil {
		return x, err
	}
	if err := parseEnds(&x.Src, smac, skip, &x.SrcIP, srcIP, &x.Dst, dmac, dkip, &x.DstIP, dstIP); err != nil {
		return x, fmt.Errorf("violation %d: %w", x.ID, err)
	}
	x.FirstSeen, x.LastSeen = fromNS(first), fromNS(last)
	x.Count, x.Packets, x.Bytes, x.Connections = uint64(count), uint64(packets), uint64(nbytes), uint64(connections)
	return x, nil
}
