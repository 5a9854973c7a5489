package central

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// Flows, violations and events of the central inventory: one row per
// sensor's row (IDs are the central keys), their asset ends as devices.

// endsJoin joins a flows or violations relation (alias x) with the assets
// rows of its client (s) and server (d).
func endsJoin(rel, x string) string {
	return rel + " " + x + " JOIN assets s ON s.key = " + x + ".src_asset_key LEFT JOIN assets d ON d.key = " + x +
		".dst_asset_key"
}

// endsColumns are the columns flows and violations share after their own:
// the ends as devices.
func endsColumns(x string) string {
	return x + `.vantage, ` + x + `.vlan, s.device, s.vantage, s.vlan, s.mac, s.key_ip, ` + x + `.src_ip,
	coalesce(d.device, 0), coalesce(d.vantage, ''), coalesce(d.vlan, 0), coalesce(d.mac, ''), coalesce(d.key_ip, ''),
	` + x + `.dst_ip, ` + x + `.proto, ` + x + `.port, ` + x + `.service, ` + us(x+".first_seen") + `, ` +
		us(x+".last_seen") + `, ` + x + `.packets, ` + x + `.bytes, ` + x + `.connections`
}

// endsOrder orders flows or violations (alias x) as store.FlowFilter says.
func endsOrder(x string, chronological, desc bool) string {
	if !chronological {
		if desc {
			return x + ".key DESC"
		}
		return x + ".key"
	}
	if desc {
		return x + ".first_seen DESC NULLS LAST, " + x + ".key DESC"
	}
	return x + ".first_seen NULLS FIRST, " + x + ".key"
}

// ends is what flows and violations share.
type ends struct {
	ID                          int64
	Sensor, Site                string
	Vantage                     string
	VLAN                        uint16
	SrcAssetID                  int64
	Src                         model.AssetKey
	SrcIP                       netip.Addr
	DstAssetID                  int64
	Dst                         model.AssetKey
	DstIP                       netip.Addr
	Proto                       uint8
	Port                        uint16
	Service                     string
	FirstSeen, LastSeen         time.Time
	Packets, Bytes, Connections uint64
}

// scanEnds scans a row of key, sensor, site, own (the columns between
// those and endsColumns), endsColumns and total.
func scanEnds(rows pgx.Rows, total *int, own ...any) (ends, error) {
	var (
		e                                   ends
		vlan, svlan, dvlan, proto, port     int64
		smac, skip, dmac, dkip, sip, dip    string
		first, last, packets, nbytes, conns int64
	)
	dst := append([]any{&e.ID, &e.Sensor, &e.Site}, own...)
	dst = append(dst, &e.Vantage, &vlan, &e.SrcAssetID, &e.Src.Vantage, &svlan, &smac, &skip, &sip,
		&e.DstAssetID, &e.Dst.Vantage, &dvlan, &dmac, &dkip, &dip, &proto, &port, &e.Service, &first, &last,
		&packets, &nbytes, &conns, total)
	if err := rows.Scan(dst...); err != nil {
		return e, err
	}
	var err error
	if e.Src.MAC, e.Src.IP, err = parseKey(smac, skip); err == nil {
		if e.Dst.MAC, e.Dst.IP, err = parseKey(dmac, dkip); err == nil {
			if e.SrcIP, err = parseIP(sip); err == nil {
				e.DstIP, err = parseIP(dip)
			}
		}
	}
	if err != nil {
		return e, fmt.Errorf("row %d: %w", e.ID, err)
	}
	e.VLAN, e.Src.VLAN, e.Dst.VLAN = uint16(vlan), uint16(svlan), uint16(dvlan)
	e.Proto, e.Port = uint8(proto), uint16(port)
	e.FirstSeen, e.LastSeen = fromUS(first), fromUS(last)
	e.Packets, e.Bytes, e.Connections = uint64(packets), uint64(nbytes), uint64(conns)
	return e, nil
}

// mergedFlows is the PostgreSQL form of the sensor's merged flows (see
// store's mergedFlows: the two copies of a routed flow as one), grouped
// per sensor too.
func mergedFlows(where string) string {
	return `(SELECT min(x.key) AS key, x.sensor, min(x.site) AS site, x.vantage,
		coalesce(max(CASE WHEN x.src_local THEN x.vlan END), min(x.vlan)) AS vlan,
		coalesce(max(CASE WHEN x.src_local THEN x.src_asset_key END), min(x.src_asset_key)) AS src_asset_key,
		x.src_ip, coalesce(max(CASE WHEN x.dst_local THEN x.dst_asset_key END), max(x.dst_asset_key)) AS dst_asset_key,
		x.dst_ip, bool_or(x.src_local) AS src_local, bool_or(x.dst_local) AS dst_local, x.proto, x.port,
		max(x.service) AS service, min(x.first_seen) AS first_seen, max(x.last_seen) AS last_seen,
		max(x.packets) AS packets, max(x.bytes) AS bytes, max(x.connections) AS connections
	FROM flows x` + where + `
	GROUP BY x.sensor, x.vantage, x.src_ip, CASE WHEN x.src_ip = '' THEN x.src_asset_key END, x.dst_ip, x.proto, x.port,
		CASE WHEN x.src_local AND x.dst_local THEN x.key END)`
}

// listQuery is a list's query: text with the total last, count alone.
type listQuery struct {
	text, count     string
	args, countArgs []any
	offset          int
}

func newListQuery(q *qb, columns, from, order string, limit, offset int) listQuery {
	lq := listQuery{count: "SELECT count(*) FROM " + from + q.clause(), countArgs: append([]any(nil), q.args...),
		offset: offset}
	text := "SELECT " + columns + ", count(*) OVER () FROM " + from + q.clause() + " ORDER BY " + order
	lq.text = q.window(text, limit, offset)
	lq.args = q.args
	return lq
}

// deviceRows is the condition that a column holds an assets key of the
// device bound at ph.
func deviceRows(col, ph string) string {
	return col + " IN (SELECT key FROM assets WHERE device = " + ph + ")"
}

func flowQuery(f *store.FlowFilter) listQuery {
	var q qb
	from := endsJoin("flows", "f")
	if f.Merge {
		// Conditions true of every copy narrow the copies first; the others
		// test the merged row (see store's flowQuery).
		qeq(&q, f.Sensor, "x.sensor")
		qeq(&q, f.Site, "x.site")
		qeq(&q, f.Vantage, "x.vantage")
		q.ip(f.IP, "x.src_ip", "x.dst_ip")
		qeq(&q, int64(f.Proto), "x.proto")
		qeq(&q, int64(f.Port), "x.port")
		if f.AssetID != 0 || !f.MAC.IsZero() {
			var own []string
			if f.AssetID != 0 {
				ph := q.arg(f.AssetID)
				own = append(own, deviceRows("y.src_asset_key", ph), deviceRows("y.dst_asset_key", ph))
			}
			if !f.MAC.IsZero() {
				ph := q.arg(f.MAC.String())
				own = append(own, "y.src_asset_key IN (SELECT key FROM assets WHERE mac = "+ph+")",
					"y.dst_asset_key IN (SELECT key FROM assets WHERE mac = "+ph+")")
			}
			cond := "(x.sensor, x.vantage, x.src_ip, x.dst_ip, x.proto, x.port) IN " +
				"(SELECT y.sensor, y.vantage, y.src_ip, y.dst_ip, y.proto, y.port FROM flows y WHERE "
			for i, o := range own {
				if i > 0 {
					cond += " OR "
				}
				cond += o
			}
			q.where = append(q.where, cond+")")
		}
		from = endsJoin(mergedFlows(q.clause()), "f")
		q.where = nil // the arguments stay bound: the subquery's placeholders are numbered
		q.since("f.last_seen", f.Since)
		if f.AssetID != 0 {
			qeq(&q, f.AssetID, "s.device", "d.device")
		}
		q.mac(f.MAC, "s.mac", "d.mac")
		if f.VLAN != nil {
			ph := q.arg(int64(*f.VLAN))
			q.where = append(q.where, "(f.vlan = "+ph+" OR d.vlan = "+ph+")")
		}
	} else {
		qeq(&q, f.Sensor, "f.sensor")
		qeq(&q, f.Site, "f.site")
		q.since("f.last_seen", f.Since)
		qeq(&q, f.AssetID, "s.device", "d.device")
		q.ip(f.IP, "f.src_ip", "f.dst_ip")
		q.mac(f.MAC, "s.mac", "d.mac")
		qeq(&q, f.Vantage, "f.vantage")
		q.vlan("f.vlan", f.VLAN)
		qeq(&q, int64(f.Proto), "f.proto")
		qeq(&q, int64(f.Port), "f.port")
	}
	qeq(&q, f.Service, "f.service")
	return newListQuery(&q, "f.key, f.sensor, f.site, f.src_local, f.dst_local, "+endsColumns("f"), from,
		endsOrder("f", f.Chronological, f.Desc), f.Limit, f.Offset)
}

func scanFlow(rows pgx.Rows, total *int) (store.Flow, error) {
	var x store.Flow
	e, err := scanEnds(rows, total, &x.SrcLocal, &x.DstLocal)
	x.ID, x.Sensor, x.Site, x.Vantage, x.VLAN = e.ID, e.Sensor, e.Site, e.Vantage, e.VLAN
	x.SrcAssetID, x.Src, x.SrcIP, x.DstAssetID, x.Dst, x.DstIP = e.SrcAssetID, e.Src, e.SrcIP, e.DstAssetID, e.Dst, e.DstIP
	x.Proto, x.Port, x.Service, x.FirstSeen, x.LastSeen = e.Proto, e.Port, e.Service, e.FirstSeen, e.LastSeen
	x.Packets, x.Bytes, x.Connections = e.Packets, e.Bytes, e.Connections
	return x, err
}

// FindFlows returns the page of flows f selects and how many match in all.
func (inv *Inventory) FindFlows(ctx context.Context, f store.FlowFilter) ([]store.Flow, int, error) {
	q := flowQuery(&f)
	var out []store.Flow
	total, err := inv.find(ctx, "query flows", q.text, q.args, q.count, q.countArgs, q.offset,
		func(rows pgx.Rows, total *int) error {
			x, err := scanFlow(rows, total)
			out = append(out, x)
			return err
		})
	return out, total, err
}

// EachFlow calls fn with the flows FindFlows would return, in chunks.
func (inv *Inventory) EachFlow(ctx context.Context, f store.FlowFilter, chunk int,
	fn func(context.Context, []store.Flow) error) error {
	q := flowQuery(&f)
	return each(ctx, inv, "query flows", q.text, q.args, chunk, scanFlow, nil, fn)
}

func violationQuery(f *store.ViolationFilter) listQuery {
	var q qb
	qeq(&q, f.Sensor, "v.sensor")
	qeq(&q, f.Site, "v.site")
	q.since("v.last_seen", f.Since)
	q.since("v.first_seen", f.FirstSince)
	qeq(&q, f.AssetID, "s.device", "d.device")
	q.ip(f.IP, "v.src_ip", "v.dst_ip")
	q.mac(f.MAC, "s.mac", "d.mac")
	qeq(&q, f.Vantage, "v.vantage")
	q.vlan("v.vlan", f.VLAN)
	qeq(&q, f.Rule, "v.rule")
	qeq(&q, f.Severity, "v.severity")
	qeq(&q, f.Zone, "v.src_zone", "v.dst_zone")
	qeq(&q, f.SrcZone, "v.src_zone")
	qeq(&q, f.DstZone, "v.dst_zone")
	return newListQuery(&q, "v.key, v.sensor, v.site, v.rule, v.src_zone, v.dst_zone, v.severity, v.count, "+
		endsColumns("v"), endsJoin("violations", "v"), endsOrder("v", f.Chronological, f.Desc), f.Limit, f.Offset)
}

func scanViolation(rows pgx.Rows, total *int) (store.Violation, error) {
	var x store.Violation
	var count int64
	e, err := scanEnds(rows, total, &x.Rule, &x.SrcZone, &x.DstZone, &x.Severity, &count)
	x.ID, x.Sensor, x.Site, x.Vantage, x.VLAN, x.Count = e.ID, e.Sensor, e.Site, e.Vantage, e.VLAN, uint64(count)
	x.SrcAssetID, x.Src, x.SrcIP, x.DstAssetID, x.Dst, x.DstIP = e.SrcAssetID, e.Src, e.SrcIP, e.DstAssetID, e.Dst, e.DstIP
	x.Proto, x.Port, x.Service, x.FirstSeen, x.LastSeen = e.Proto, e.Port, e.Service, e.FirstSeen, e.LastSeen
	x.Packets, x.Bytes, x.Connections = e.Packets, e.Bytes, e.Connections
	return x, err
}

// FindViolations returns the page of violations f selects and how many
// match in all.
func (inv *Inventory) FindViolations(ctx context.Context, f store.ViolationFilter) ([]store.Violation, int, error) {
	q := violationQuery(&f)
	var out []store.Violation
	total, err := inv.find(ctx, "query violations", q.text, q.args, q.count, q.countArgs, q.offset,
		func(rows pgx.Rows, total *int) error {
			x, err := scanViolation(rows, total)
			out = append(out, x)
			return err
		})
	return out, total, err
}

// EachViolation calls fn with the violations FindViolations would return,
// in chunks.
func (inv *Inventory) EachViolation(ctx context.Context, f store.ViolationFilter, chunk int,
	fn func(context.Context, []store.Violation) error) error {
	q := violationQuery(&f)
	return each(ctx, inv, "query violations", q.text, q.args, chunk, scanViolation, nil, fn)
}

// ViolationCounts counts the violations of every sensor, those last seen
// at or after since and those first seen then.
func (inv *Inventory) ViolationCounts(ctx context.Context, since time.Time) (store.ViolationCounts, error) {
	var v store.ViolationCounts
	err := inv.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE last_seen >= $1),
		count(*) FILTER (WHERE first_seen >= $1) FROM violations`, since).Scan(&v.All, &v.SeenSince, &v.NewSince)
	return v, inv.wrap("count violations", err)
}

func eventQuery(f *store.EventFilter) listQuery {
	var q qb
	qeq(&q, f.Sensor, "e.sensor")
	qeq(&q, f.Site, "e.site")
	q.since("e.time", f.Since)
	q.before("e.time", f.Until)
	qeq(&q, string(f.Type), "e.type")
	if f.AssetID != 0 {
		q.where = append(q.where, deviceRows("e.asset_key", q.arg(f.AssetID)))
	}
	q.mac(f.MAC, "e.mac")
	q.ip(f.IP, "e.ip", "e.key_ip")
	qeq(&q, f.Vantage, "e.vantage")
	q.vlan("e.vlan", f.VLAN)
	order := "e.time NULLS FIRST, e.key"
	if f.Desc {
		order = "e.time DESC NULLS LAST, e.key DESC"
	}
	// An event's asset is its device when the sensor's asset row is here
	// (0 otherwise, as the sensor's own asset_id is NULL without a row).
	return newListQuery(&q, "e.key, e.sensor, e.site, "+us("e.time")+`, e.type, e.vantage, e.vlan, e.mac, e.key_ip, e.ip,
		e.old_value, e.new_value, coalesce(a.device, 0)`, "events e LEFT JOIN assets a ON a.key = e.asset_key", order,
		f.Limit, f.Offset)
}

func scanEvent(rows pgx.Rows, total *int) (model.Event, error) {
	var (
		e                   model.Event
		t, vlan             int64
		typ, mac, keyIP, ip string
	)
	if err := rows.Scan(&e.ID, &e.Sensor, &e.Site, &t, &typ, &e.Key.Vantage, &vlan, &mac, &keyIP, &ip, &e.OldValue,
		&e.NewValue, &e.AssetID, total); err != nil {
		return e, err
	}
	e.Time, e.Type, e.Key.VLAN = fromUS(t), model.EventType(typ), uint16(vlan)
	var err error
	if e.Key.MAC, e.Key.IP, err = parseKey(mac, keyIP); err == nil {
		e.IP, err = parseIP(ip)
	}
	if err != nil {
		return e, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return e, nil
}

// FindEvents returns the page of events f selects (by time) and how many
// match in all. AfterID does not apply (central IDs are keys, not a
// sequence).
func (inv *Inventory) FindEvents(ctx context.Context, f store.EventFilter) ([]model.Event, int, error) {
	q := eventQuery(&f)
	var out []model.Event
	total, err := inv.find(ctx, "query events", q.text, q.args, q.count, q.countArgs, q.offset,
		func(rows pgx.Rows, total *int) error {
			x, err := scanEvent(rows, total)
			out = append(out, x)
			return err
		})
	return out, total, err
}

// EachEvent calls fn with the events FindEvents would return, in chunks.
func (inv *Inventory) EachEvent(ctx context.Context, f store.EventFilter, chunk int,
	fn func(context.Context, []model.Event) error) error {
	q := eventQuery(&f)
	return each(ctx, inv, "query events", q.text, q.args, chunk, scanEvent, nil, fn)
}
