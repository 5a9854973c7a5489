package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// AssetFilter selects assets. Zero fields match everything. Every value is
// bound as a query parameter; Sort is looked up in a fixed table.
type AssetFilter struct {
	Vantage string
	VLAN    *uint16
	MAC     string     // any form model.ParseMAC accepts
	IP      netip.Addr // assets that used this address, or are keyed by it
	Limit   int        // at most this many; 0 for all

	IDs      []int64     // only these asset rows (nil: any; empty non-nil: none)
	Class    model.Class // device class, exactly (model.ClassUnknown for unclassified)
	Modality string      // DICOM modality of an imaging-modality ("CT"), exactly
	// Vendor matches a case-insensitive substring of the OUI vendor or of
	// the fingerprinted manufacturer.
	Vendor string
	// Search matches a case-insensitive substring of any hostname the
	// asset announced, its model or manufacturer, a DICOM AE title it used
	// as its own, or an HL7 application or facility it used as its own.
	Search         string
	SeenSince      time.Time // last seen at or after
	SeenBefore     time.Time // last seen before
	FirstSeenSince time.Time // first seen at or after
	// Sort is one of AssetSorts, "-" in front for descending; "" is the
	// key order (vantage, VLAN, MAC, key IP). Ties are broken by key order.
	Sort   string
	Offset int // skip this many (after sorting); needs no Limit
}

// EventFilter selects events. Zero fields match everything.
type EventFilter struct {
	Since   time.Time // events at or after
	Until   time.Time // events before
	Type    model.EventType
	Vantage string
	VLAN    *uint16
	MAC     string // the asset's MAC, any form model.ParseMAC accepts
	AfterID int64  // events with a larger ID, to tail the table
	Limit   int    // the first this many, in order; 0 for all

	AssetID int64      // events about this asset row
	IP      netip.Addr // events involving this address (the ip column)
	Offset  int        // skip this many (after ordering)
	Desc    bool       // newest first
}

const assetColumns = `id, vantage, vlan, mac, key_ip, outer_vlan, vendor, randomized, first_seen, last_seen,
	packets, bytes, hostname, dhcp_param_list, dhcp_max_msg_size, dhcp_vendor_class, dhcp_client_id,
	class, class_confidence, manufacturer, model, os, modality, class_strength, class_changed_at`

// Assets returns the assets matching f ordered by vantage, VLAN, MAC and
// key IP (or f.Sort), each with its addresses (ordered by first seen).
func (db *DB) Assets(ctx context.Context, f AssetFilter) ([]model.Asset, error) {
	details, err := db.AssetDetails(ctx, f)
	if err != nil {
		return nil, err
	}
	var assets []model.Asset
	if len(details) > 0 {
		assets = make([]model.Asset, len(details))
		for i := range details {
			assets[i] = details[i].Asset
		}
	}
	return assets, nil
}

// AssetDetails is Assets with the classification fields of AssetDetail.
func (db *DB) AssetDetails(ctx context.Context, f AssetFilter) ([]AssetDetail, error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		return nil, nil // no IDs: nothing matches
	}
	where, args, err := assetWhere(f)
	if err != nil {
		return nil, err
	}
	order, err := assetOrder(f.Sort)
	if err != nil {
		return nil, err
	}
	return db.queryAssetsPage(ctx, where, args, order, f.Limit, f.Offset)
}

// CountAssets returns how many assets match f (Limit, Offset and Sort
// ignored).
func (db *DB) CountAssets(ctx context.Context, f AssetFilter) (int, error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		return 0, nil
	}
	where, args, err := assetWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.rdb.QueryRowContext(ctx, "SELECT count(*) FROM assets"+whereClause(where), args...).Scan(&n); err != nil {
		return 0, wrap("count assets in", db.path, err)
	}
	return n, nil
}

// AssetSorts are the sort keys AssetFilter.Sort accepts.
var AssetSorts = []string{"vantage", "vlan", "mac", "hostname", "vendor", "class", "confidence",
	"first_seen", "last_seen", "packets", "bytes"}

// assetSortColumns maps AssetSorts to columns: Sort never reaches SQL.
var assetSortColumns = map[string]string{
	"vantage": "vantage", "vlan": "vlan", "mac": "mac", "hostname": "hostname", "vendor": "vendor",
	"class": "class", "confidence": "class_confidence", "first_seen": "first_seen", "last_seen": "last_seen",
	"packets": "packets", "bytes": "bytes",
}

const assetKeyOrder = "vantage, vlan, mac, key_ip"

func assetOrder(sort string) (string, error) {
	if sort == "" {
		return assetKeyOrder, nil
	}
	dir := "ASC"
	name := sort
	if strings.HasPrefix(sort, "-") {
		dir, name = "DESC", sort[1:]
	}
	col, ok := assetSortColumns[name]
	if !ok {
		return "", fmt.Errorf("assets filter: unknown sort %q (want one of %s, optionally with a leading -)",
			sort, strings.Join(AssetSorts, ", "))
	}
	if col == "vantage" {
		return "vantage " + dir + ", vlan, mac, key_ip", nil
	}
	return col + " " + dir + ", " + assetKeyOrder, nil
}

// assetWhere turns f into conditions on assets, every value bound. The
// caller handles an empty non-nil f.IDs (nothing matches).
func assetWhere(f AssetFilter) (where []string, args []any, err error) {
	if len(f.IDs) > 0 {
		where = append(where, "id IN (?"+strings.Repeat(", ?", len(f.IDs)-1)+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Vantage != "" {
		where, args = append(where, "vantage = ?"), append(args, f.Vantage)
	}
	if f.VLAN != nil {
		where, args = append(where, "vlan = ?"), append(args, *f.VLAN)
	}
	if f.MAC != "" {
		m, err := model.ParseMAC(f.MAC)
		if err != nil {
			return nil, nil, fmt.Errorf("assets filter: %w", err)
		}
		where, args = append(where, "mac = ?"), append(args, m.String())
	}
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		where = append(where, "(key_ip = ? OR id IN (SELECT asset_id FROM asset_addresses WHERE ip = ?))")
		args = append(args, ip, ip)
	}
	if f.Class != "" {
		where, args = append(where, "class = ?"), append(args, f.Class)
	}
	if f.Modality != "" {
		where, args = append(where, "modality = ?"), append(args, f.Modality)
	}
	if f.Vendor != "" {
		p := likePattern(f.Vendor)
		where = append(where, `(vendor LIKE ? ESCAPE '\' OR manufacturer LIKE ? ESCAPE '\')`)
		args = append(args, p, p)
	}
	if f.Search != "" {
		p := likePattern(f.Search)
		where = append(where, `(hostname LIKE ? ESCAPE '\' OR model LIKE ? ESCAPE '\' OR manufacturer LIKE ? ESCAPE '\'
			OR id IN (SELECT asset_id FROM asset_hostnames WHERE name LIKE ? ESCAPE '\')
			OR id IN (SELECT asset_id FROM dicom_aes WHERE ae_title LIKE ? ESCAPE '\')
			OR id IN (SELECT asset_id FROM hl7_apps WHERE application LIKE ? ESCAPE '\' OR facility LIKE ? ESCAPE '\'))`)
		args = append(args, p, p, p, p, p, p, p)
	}
	if !f.SeenSince.IsZero() {
		where, args = append(where, "last_seen >= ?"), append(args, ns(f.SeenSince))
	}
	if !f.SeenBefore.IsZero() {
		where, args = append(where, "last_seen < ?"), append(args, ns(f.SeenBefore))
	}
	if !f.FirstSeenSince.IsZero() {
		where, args = append(where, "first_seen >= ?"), append(args, ns(f.FirstSeenSince))
	}
	return where, args, nil
}

// likePattern makes a LIKE pattern matching s as a substring: %, _ and \
// in s match themselves (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// queryAssets returns the assets matching the conditions where (joined with
// AND) ordered by vantage, VLAN, MAC and key IP, with their addresses.
func (db *DB) queryAssets(ctx context.Context, where []string, args []any, limit int) ([]AssetDetail, error) {
	return db.queryAssetsPage(ctx, where, args, assetKeyOrder, limit, 0)
}

// queryAssetsPage is queryAssets with an ORDER BY list (from assetOrder,
// never from input) and an offset.
func (db *DB) queryAssetsPage(ctx context.Context, where []string, args []any, order string, limit, offset int) ([]AssetDetail, error) {
	q := "SELECT " + assetColumns + " FROM assets" + whereClause(where) + " ORDER BY " + order
	q, args = limitOffset(q, args, limit, offset)
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("query assets in", db.path, err)
	}
	defer rows.Close()
	var assets []AssetDetail
	index := make(map[int64]int)
	for rows.Next() {
		var (
			d                                     AssetDetail
			a                                     = &d.Asset
			mac, keyIP                            string
			first, last, packets, nbytes, changed int64
		)
		if err := rows.Scan(&a.ID, &a.Key.Vantage, &a.Key.VLAN, &mac, &keyIP, &a.OuterVLAN, &a.Vendor,
			&a.Randomized, &first, &last, &packets, &nbytes, &a.Hostname, &a.DHCPParamList,
			&a.DHCPMaxMsgSize, &a.DHCPVendorClass, &a.DHCPClientID, &a.Class, &a.ClassConfidence,
			&a.Manufacturer, &a.Model, &a.OS, &d.Modality, &d.ClassStrength, &changed); err != nil {
			return nil, wrap("query assets in", db.path, err)
		}
		if a.Key.MAC, a.Key.IP, err = parseKey(mac, keyIP); err != nil {
			return nil, wrap("query assets in", db.path, fmt.Errorf("asset %d: %w", a.ID, err))
		}
		a.FirstSeen, a.LastSeen = fromNS(first), fromNS(last)
		a.Packets, a.Bytes = uint64(packets), uint64(nbytes)
		d.ClassChangedAt = fromNS(changed)
		index[a.ID] = len(assets)
		assets = append(assets, d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("query assets in", db.path, err)
	}
	rows.Close()
	if err := db.fillAddresses(ctx, assets, index); err != nil {
		return nil, wrap("query addresses in", db.path, err)
	}
	return assets, nil
}

// fillAddresses loads the addresses of assets, in chunks of bound IDs.
func (db *DB) fillAddresses(ctx context.Context, assets []AssetDetail, index map[int64]int) error {
	const chunk = 500
	for start := 0; start < len(assets); start += chunk {
		end := min(start+chunk, len(assets))
		args := make([]any, 0, end-start)
		for _, a := range assets[start:end] {
			args = append(args, a.ID)
		}
		q := `SELECT asset_id, ip, source, first_seen, last_seen FROM asset_addresses
			WHERE asset_id IN (?` + strings.Repeat(", ?", len(args)-1) + `) ORDER BY asset_id, first_seen, ip`
		if err := db.scanAddresses(ctx, q, args, assets, index); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) scanAddresses(ctx context.Context, q string, args []any, assets []AssetDetail, index map[int64]int) error {
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id          int64
			ip          string
			aa          model.AssetAddress
			first, last int64
		)
		if err := rows.Scan(&id, &ip, &aa.Source, &first, &last); err != nil {
			return err
		}
		if aa.IP, err = netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("asset %d address: %w", id, err)
		}
		aa.FirstSeen, aa.LastSeen = fromNS(first), fromNS(last)
		if i, ok := index[id]; ok {
			assets[i].Addresses = append(assets[i].Addresses, aa)
		}
	}
	return rows.Err()
}

// Events returns the events matching f ordered by time, then ID (newest
// first with f.Desc).
func (db *DB) Events(ctx context.Context, f EventFilter) ([]model.Event, error) {
	where, args, err := eventWhere(f)
	if err != nil {
		return nil, err
	}
	q := "SELECT id, time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value FROM events" + whereClause(where)
	if f.Desc {
		q += " ORDER BY time DESC, id DESC"
	} else {
		q += " ORDER BY time, id"
	}
	q, args = limitOffset(q, args, f.Limit, f.Offset)
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("query events in", db.path, err)
	}
	defer rows.Close()
	var events []model.Event
	for rows.Next() {
		var (
			e              model.Event
			t              int64
			mac, keyIP, ip string
		)
		if err := rows.Scan(&e.ID, &t, &e.Type, &e.Key.Vantage, &e.Key.VLAN, &mac, &keyIP, &ip,
			&e.OldValue, &e.NewValue); err != nil {
			return nil, wrap("query events in", db.path, err)
		}
		e.Time = fromNS(t)
		if e.Key.MAC, e.Key.IP, err = parseKey(mac, keyIP); err == nil && ip != "" {
			e.IP, err = netip.ParseAddr(ip)
		}
		if err != nil {
			return nil, wrap("query events in", db.path, fmt.Errorf("event %d: %w", e.ID, err))
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("query events in", db.path, err)
	}
	return events, nil
}

// CountEvents returns how many events match f (Limit, Offset and Desc
// ignored).
func (db *DB) CountEvents(ctx context.Context, f EventFilter) (int, error) {
	where, args, err := eventWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.rdb.QueryRowContext(ctx, "SELECT count(*) FROM events"+whereClause(where), args...).Scan(&n); err != nil {
		return 0, wrap("count events in", db.path, err)
	}
	return n, nil
}

func eventWhere(f EventFilter) (where []string, args []any, err error) {
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, ns(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, ns(f.Until))
	}
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, f.Type)
	}
	if f.Vantage != "" {
		where, args = append(where, "vantage = ?"), append(args, f.Vantage)
	}
	if f.VLAN != nil {
		where, args = append(where, "vlan = ?"), append(args, *f.VLAN)
	}
	if f.MAC != "" {
		m, err := model.ParseMAC(f.MAC)
		if err != nil {
			return nil, nil, fmt.Errorf("events filter: %w", err)
		}
		where, args = append(where, "mac = ?"), append(args, m.String())
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.AssetID != 0 {
		where, args = append(where, "asset_id = ?"), append(args, f.AssetID)
	}
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		where, args = append(where, "(ip = ? OR key_ip = ?)"), append(args, ip, ip)
	}
	return where, args, nil
}

// Counts returns how many assets and events the database holds.
func (db *DB) Counts(ctx context.Context) (assets, events int, err error) {
	err = db.rdb.QueryRowContext(ctx,
		`SELECT (SELECT count(*) FROM assets), (SELECT count(*) FROM events)`).Scan(&assets, &events)
	if err != nil {
		return 0, 0, wrap("count in", db.path, err)
	}
	return assets, events, nil
}

func parseKey(mac, keyIP string) (m model.MAC, ip netip.Addr, err error) {
	if mac != "" {
		if m, err = model.ParseMAC(mac); err != nil {
			return m, ip, err
		}
	}
	if keyIP != "" {
		ip, err = netip.ParseAddr(keyIP)
	}
	return m, ip, err
}
