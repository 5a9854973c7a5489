package central

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The devices of the central inventory (see inventory.go): assets rows
// grouped by assets.device.

// deviceSortColumns maps store.AssetSorts to device columns (text in
// byte order, as SQLite sorts).
var deviceSortColumns = map[string]string{
	"vantage": `d.vantage COLLATE "C"`, "vlan": "d.vlan", "mac": `d.mac COLLATE "C"`,
	"hostname": `d.hostname COLLATE "C"`, "vendor": `d.vendor COLLATE "C"`, "class": `d.class COLLATE "C"`,
	"model": `d.model COLLATE "C"`, "confidence": "d.class_confidence", "first_seen": "d.first_seen",
	"last_seen": "d.last_seen", "packets": "d.packets", "bytes": "d.bytes",
}

const deviceKeyOrder = `d.vantage COLLATE "C", d.vlan, d.mac COLLATE "C", d.key_ip COLLATE "C", d.sensor COLLATE "C", d.id`

func deviceOrder(s store.AssetSort) (string, error) {
	if s.By == "" {
		return deviceKeyOrder, nil
	}
	col, ok := deviceSortColumns[s.By]
	if !ok {
		return "", fmt.Errorf("assets filter: unknown sort %q (want one of %s)", s.By, strings.Join(store.AssetSorts, ", "))
	}
	dir := " ASC NULLS FIRST" // an unknown time sorts as the sensor's 0 does
	if s.Desc {
		dir = " DESC NULLS LAST"
	}
	return col + dir + ", " + deviceKeyOrder, nil
}

// deviceCTE groups the assets rows into devices d. Its row conditions
// select rows before grouping. ae is each device's latest non-empty DICOM
// AE title of its own (model.Asset.AETitle, which zones by AE title use).
const deviceCTE = `WITH r AS (SELECT a.* FROM assets a WHERE %s),
g AS (SELECT device, min(first_seen) first_seen, max(last_seen) last_seen, sum(packets)::bigint packets,
		sum(bytes)::bigint bytes,
		array_agg(key ORDER BY last_seen DESC NULLS LAST, key) keys,
		array_agg(sensor ORDER BY last_seen DESC NULLS LAST, key) v_sensor,
		array_agg(site ORDER BY last_seen DESC NULLS LAST, key) v_site,
		array_agg(vantage ORDER BY last_seen DESC NULLS LAST, key) v_vantage,
		array_agg(vlan::bigint ORDER BY last_seen DESC NULLS LAST, key) v_vlan,
		array_agg(` + "coalesce((extract(epoch FROM first_seen) * 1000000)::bigint, 0)" + ` ORDER BY last_seen DESC NULLS LAST, key) v_first,
		array_agg(` + "coalesce((extract(epoch FROM last_seen) * 1000000)::bigint, 0)" + ` ORDER BY last_seen DESC NULLS LAST, key) v_last
	FROM r GROUP BY device),
p AS (SELECT DISTINCT ON (device) * FROM r ORDER BY device, last_seen DESC NULLS LAST, key),
c AS (SELECT DISTINCT ON (device) device, class, class_confidence, manufacturer, model, os, modality, class_strength,
		class_changed_at, version
	FROM r ORDER BY device, class_strength DESC, class_confidence DESC, last_seen DESC NULLS LAST, key),
ae AS (SELECT DISTINCT ON (r.device) r.device, x.ae_title FROM dicom_aes x JOIN r ON r.key = x.asset_key
	WHERE x.ae_title <> '' ORDER BY r.device, x.last_seen DESC NULLS LAST, x.key DESC),
d AS (SELECT g.device id, p.sensor, p.site, p.vantage, p.vlan, p.mac, p.key_ip, p.outer_vlan, p.vendor, p.randomized,
		g.first_seen, g.last_seen, g.packets, g.bytes, p.hostname, p.dhcp_param_list, p.dhcp_max_msg_size,
		p.dhcp_vendor_class, p.dhcp_client_id, c.class, c.class_confidence, c.manufacturer, c.model, c.os, c.modality,
		c.class_strength, c.class_changed_at, c.version, coalesce(ae.ae_title, '') ae_title, g.keys, g.v_sensor, g.v_site,
		g.v_vantage, g.v_vlan, g.v_first, g.v_last
	FROM g JOIN p ON p.device = g.device JOIN c ON c.device = g.device LEFT JOIN ae ON ae.device = g.device)
`

var deviceColumns = `d.id, d.sensor, d.site, d.vantage, d.vlan, d.mac, d.key_ip, d.outer_vlan, d.vendor, d.randomized, ` +
	us("d.first_seen") + ", " + us("d.last_seen") + `, d.packets, d.bytes, d.hostname, d.dhcp_param_list,
	d.dhcp_max_msg_size, d.dhcp_vendor_class, d.dhcp_client_id, d.class, d.class_confidence, d.manufacturer, d.model,
	d.os, d.modality, d.class_strength, ` + us("d.class_changed_at") + `, d.version, d.ae_title, d.keys,
	d.v_sensor, d.v_site, d.v_vantage, d.v_vlan, d.v_first, d.v_last`

// deviceSearch is the condition of AssetFilter.Search. The names are
// matched table by table, once each (a hashed subplan), not per device.
const deviceSearch = `(d.hostname ILIKE %s OR d.model ILIKE %s OR d.manufacturer ILIKE %s
	OR d.id IN (SELECT y.device FROM asset_hostnames h JOIN r y ON y.key = h.asset_key WHERE h.name ILIKE %s
		UNION ALL SELECT y.device FROM dicom_aes x JOIN r y ON y.key = x.asset_key WHERE x.ae_title ILIKE %s
		UNION ALL SELECT y.device FROM hl7_apps x JOIN r y ON y.key = x.asset_key
			WHERE x.application ILIKE %s OR x.facility ILIKE %s))`

// deviceQuery is the query of the devices f selects: text (with the
// total as its last column) and countText (the total alone).
type deviceQuery struct {
	text, count string
	args        []any
	countArgs   []any
}

func newDeviceQuery(f *store.AssetFilter) (deviceQuery, error) {
	order, err := deviceOrder(f.Sort)
	if err != nil {
		return deviceQuery{}, err
	}
	var q qb
	// Rows.
	qeq(&q, f.Sensor, "a.sensor")
	qeq(&q, f.Site, "a.site")
	qeq(&q, f.Vantage, "a.vantage")
	q.vlan("a.vlan", f.VLAN)
	if f.IDs != nil {
		q.add("a.device = ANY(?)", f.IDs)
	}
	q.mac(f.MAC, "a.mac")
	if f.IP.IsValid() {
		ip := q.arg(f.IP.Unmap().WithZone("").String())
		q.where = append(q.where, `a.device IN (SELECT x.device FROM assets x WHERE x.key_ip = `+ip+`
			UNION ALL SELECT x.device FROM asset_addresses aa JOIN assets x ON x.key = aa.asset_key WHERE aa.ip = `+ip+`)`)
	}
	rows := q.and()
	q.where = nil
	// Devices.
	qeq(&q, string(f.Class), "d.class")
	qeq(&q, f.Modality, "d.modality")
	q.like(f.Vendor, `(d.vendor ILIKE %s OR d.manufacturer ILIKE %s)`)
	q.like(f.Search, deviceSearch)
	q.since("d.last_seen", f.SeenSince)
	q.before("d.last_seen", f.SeenBefore)
	q.since("d.first_seen", f.FirstSeenSince)
	cte := fmt.Sprintf(deviceCTE, rows)
	dq := deviceQuery{count: cte + "SELECT count(*) FROM d" + q.clause()}
	dq.countArgs = slices.Clone(q.args)
	text := cte + "SELECT " + deviceColumns + ", count(*) OVER () FROM d" + q.clause() + " ORDER BY " + order
	dq.text = q.window(text, f.Limit, f.Offset)
	dq.args = q.args
	return dq, nil
}

// device is a device as scanned, with its rows' keys.
type device struct {
	store.AssetDetail
	keys []int64
}

func scanDevice(rows pgx.Rows, total *int) (device, error) {
	var (
		d                        device
		a                        = &d.Asset
		mac, keyIP, class        string
		vlan, outer, maxMsg      int64
		first, last, changed     int64
		packets, nbytes          int64
		vSensor, vSite, vVantage []string
		vVLAN, vFirst, vLast     []int64
	)
	if err := rows.Scan(&a.ID, &d.Sensor, &d.Site, &a.Key.Vantage, &vlan, &mac, &keyIP, &outer, &a.Vendor,
		&a.Randomized, &first, &last, &packets, &nbytes, &a.Hostname, &a.DHCPParamList, &maxMsg,
		&a.DHCPVendorClass, &a.DHCPClientID, &class, &a.ClassConfidence, &a.Manufacturer, &a.Model, &a.OS,
		&d.Modality, &d.ClassStrength, &changed, &a.Version, &a.AETitle, &d.keys, &vSensor, &vSite, &vVantage, &vVLAN, &vFirst,
		&vLast, total); err != nil {
		return d, err
	}
	var err error
	if a.Key.MAC, a.Key.IP, err = parseKey(mac, keyIP); err != nil {
		return d, fmt.Errorf("device %d: %w", a.ID, err)
	}
	a.Key.VLAN, a.OuterVLAN, a.DHCPMaxMsgSize = uint16(vlan), uint16(outer), uint16(maxMsg)
	a.Class = model.Class(class)
	a.FirstSeen, a.LastSeen, d.ClassChangedAt = fromUS(first), fromUS(last), fromUS(changed)
	a.Packets, a.Bytes = uint64(packets), uint64(nbytes)
	for i := range vSensor {
		d.Vantages = append(d.Vantages, store.Vantage{Sensor: vSensor[i], Site: vSite[i], Vantage: vVantage[i],
			VLAN: uint16(vVLAN[i]), FirstSeen: fromUS(vFirst[i]), LastSeen: fromUS(vLast[i])})
	}
	return d, nil
}

// FindAssets returns the page of devices f selects (see inventory.go),
// each with its addresses and vantages, and how many match in all.
func (inv *Inventory) FindAssets(ctx context.Context, f store.AssetFilter) ([]store.AssetDetail, int, error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		return nil, 0, nil
	}
	q, err := newDeviceQuery(&f)
	if err != nil {
		return nil, 0, err
	}
	var ds []device
	total, err := inv.find(ctx, "query devices", q.text, q.args, q.count, q.countArgs, f.Offset,
		func(rows pgx.Rows, total *int) error {
			d, err := scanDevice(rows, total)
			ds = append(ds, d)
			return err
		})
	if err != nil {
		return nil, 0, err
	}
	out, err := inv.withAddresses(ctx, ds)
	return out, total, err
}

// EachAsset calls fn with the devices FindAssets would return for f, in
// chunks of at most chunk.
func (inv *Inventory) EachAsset(ctx context.Context, f store.AssetFilter, chunk int,
	fn func(context.Context, []store.AssetDetail) error) error {
	if f.IDs != nil && len(f.IDs) == 0 {
		return nil
	}
	q, err := newDeviceQuery(&f)
	if err != nil {
		return err
	}
	return each(ctx, inv, "query devices", q.text, q.args, chunk, scanDevice, nil,
		func(ctx context.Context, ds []device) error {
			out, err := inv.withAddresses(ctx, ds)
			if err != nil {
				return err
			}
			return fn(ctx, out)
		})
}

// withAddresses returns the devices with the addresses of their rows: one
// per address, first seen the earliest, last seen and source the latest;
// by first seen, then address.
func (inv *Inventory) withAddresses(ctx context.Context, ds []device) ([]store.AssetDetail, error) {
	out := make([]store.AssetDetail, len(ds))
	owner := map[int64]int{}
	var keys []int64
	for i := range ds {
		out[i] = ds[i].AssetDetail
		for _, k := range ds[i].keys {
			owner[k] = i
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := inv.pool.Query(ctx, `SELECT asset_key, ip, source, `+us("first_seen")+`, `+us("last_seen")+`
		FROM asset_addresses WHERE asset_key = ANY($1)`, keys)
	if err != nil {
		return nil, inv.wrap("query addresses", err)
	}
	defer rows.Close()
	type ipOf struct {
		dev int
		ip  string
	}
	index := map[ipOf]int{} // into out[dev].Addresses
	for rows.Next() {
		var (
			key         int64
			ip, source  string
			first, last int64
		)
		if err := rows.Scan(&key, &ip, &source, &first, &last); err != nil {
			return nil, inv.wrap("query addresses", err)
		}
		addr, err := parseIP(ip)
		if err != nil || !addr.IsValid() {
			return nil, inv.wrap("query addresses", fmt.Errorf("asset %d address %q: %v", key, ip, err))
		}
		dev := owner[key]
		a := &out[dev]
		ft, lt := fromUS(first), fromUS(last)
		if j, ok := index[ipOf{dev, ip}]; ok {
			x := &a.Addresses[j]
			if !ft.IsZero() && (x.FirstSeen.IsZero() || ft.Before(x.FirstSeen)) {
				x.FirstSeen = ft
			}
			if lt.After(x.LastSeen) {
				x.LastSeen, x.Source = lt, model.ObsSource(source)
			}
			continue
		}
		index[ipOf{dev, ip}] = len(a.Addresses)
		a.Addresses = append(a.Addresses, model.AssetAddress{IP: addr, Source: model.ObsSource(source), FirstSeen: ft,
			LastSeen: lt})
	}
	if err := rows.Err(); err != nil {
		return nil, inv.wrap("query addresses", err)
	}
	for i := range out {
		slices.SortFunc(out[i].Addresses, func(x, y model.AssetAddress) int {
			if c := x.FirstSeen.Compare(y.FirstSeen); c != 0 {
				return c
			}
			return strings.Compare(x.IP.String(), y.IP.String())
		})
	}
	return out, nil
}

// AssetNames returns the DICOM AE titles and HL7 applications the devices
// ids used as their own, latest first; devices without are absent.
func (inv *Inventory) AssetNames(ctx context.Context, ids []int64) (map[int64]store.AssetNames, error) {
	out := make(map[int64]store.AssetNames)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := inv.pool.Query(ctx, `SELECT id, kind, name FROM (
			SELECT y.device id, 'ae' kind, x.ae_title name, max(x.last_seen) m FROM dicom_aes x
				JOIN assets y ON y.key = x.asset_key
				WHERE x.ae_title <> '' AND y.device = ANY($1) GROUP BY y.device, x.ae_title
			UNION ALL
			SELECT y.device, 'hl7', x.application, max(x.last_seen) FROM hl7_apps x
				JOIN assets y ON y.key = x.asset_key
				WHERE x.application <> '' AND y.device = ANY($1) GROUP BY y.device, x.application) u
		ORDER BY id, kind, m DESC NULLS LAST, name COLLATE "C"`, ids)
	if err != nil {
		return nil, inv.wrap("query names", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, name string
		if err := rows.Scan(&id, &kind, &name); err != nil {
			return nil, inv.wrap("query names", err)
		}
		n := out[id]
		if kind == "ae" {
			n.AETitles = append(n.AETitles, name)
		} else {
			n.HL7Apps = append(n.HL7Apps, name)
		}
		out[id] = n
	}
	return out, inv.wrap("query names", rows.Err())
}

// Hostnames returns every name the device announced to any sensor, by
// first seen.
func (inv *Inventory) Hostnames(ctx context.Context, id int64) ([]store.HostnameRow, error) {
	rows, err := inv.pool.Query(ctx, `SELECT h.name, h.source, `+us("min(h.first_seen)")+`, `+us("max(h.last_seen)")+`
		FROM asset_hostnames h JOIN assets y ON y.key = h.asset_key WHERE y.device = $1
		GROUP BY h.name, h.source ORDER BY min(h.first_seen) NULLS FIRST, h.source COLLATE "C", h.name COLLATE "C"`, id)
	if err != nil {
		return nil, inv.wrap("query hostnames", err)
	}
	defer rows.Close()
	var out []store.HostnameRow
	for rows.Next() {
		var h store.HostnameRow
		var source string
		var first, last int64
		if err := rows.Scan(&h.Name, &source, &first, &last); err != nil {
			return nil, inv.wrap("query hostnames", err)
		}
		h.Source, h.FirstSeen, h.LastSeen = model.ObsSource(source), fromUS(first), fromUS(last)
		out = append(out, h)
	}
	return out, inv.wrap("query hostnames", rows.Err())
}

// Signals returns nothing: the push does not carry the sensors' signals
// (asset_signals) to the central inventory.
func (inv *Inventory) Signals(ctx context.Context, id int64) ([]store.SignalRow, error) {
	return nil, nil
}

// Evidence returns the evidence of the device's classification: that of
// the row its class comes from (the best-evidenced), in the classifier's
// order.
func (inv *Inventory) Evidence(ctx context.Context, id int64) ([]store.EvidenceRow, error) {
	rows, err := inv.pool.Query(ctx, `SELECT source, value, rule, strength, sets, `+us("first_seen")+`, `+us("last_seen")+`
		FROM evidence WHERE asset_key = (SELECT key FROM assets WHERE device = $1
			ORDER BY class_strength DESC, class_confidence DESC, last_seen DESC NULLS LAST, key LIMIT 1)
		ORDER BY position, source COLLATE "C", value COLLATE "C", rule COLLATE "C"`, id)
	if err != nil {
		return nil, inv.wrap("query evidence", err)
	}
	defer rows.Close()
	var out []store.EvidenceRow
	for rows.Next() {
		var e store.EvidenceRow
		var source string
		var strength, first, last int64
		if err := rows.Scan(&source, &e.Value, &e.Rule, &strength, &e.Sets, &first, &last); err != nil {
			return nil, inv.wrap("query evidence", err)
		}
		e.Source, e.Strength, e.FirstSeen, e.LastSeen = model.EvidenceSource(source), int(strength), fromUS(first), fromUS(last)
		out = append(out, e)
	}
	return out, inv.wrap("query evidence", rows.Err())
}

// scanTimes converts Unix-microsecond pairs.
func scanTimes(first, last int64) (time.Time, time.Time) { return fromUS(first), fromUS(last) }

// ProbedAt returns the latest ARP liveness probe answer any sensor got
// from each of the devices ids that answered one.
func (inv *Inventory) ProbedAt(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := inv.pool.Query(ctx, `SELECT y.device, `+us("max(x.last_seen)")+` FROM probe_answers x
		JOIN assets y ON y.key = x.asset_key WHERE y.device = ANY($1) GROUP BY y.device`, ids)
	if err != nil {
		return nil, inv.wrap("query probe answers", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, last int64
		if err := rows.Scan(&id, &last); err != nil {
			return nil, inv.wrap("query probe answers", err)
		}
		out[id] = fromUS(last)
	}
	return out, inv.wrap("query probe answers", rows.Err())
}
