package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/sensor/model"
)

// AssetFilter selects assets. Zero fields match everything.
type AssetFilter struct {
	Vantage string
	VLAN    *uint16
	MAC     string     // any form model.ParseMAC accepts
	IP      netip.Addr // assets that used this address, or are keyed by it
	Limit   int        // at most this many; 0 for all
}

// EventFilter selects events. Zero fields match everything.
type EventFilter struct {
	Since   time.Time // events at or after
	Until   time.Time // events before
	Type    string    // one of the model.Event* constants
	Vantage string
	VLAN    *uint16
	MAC     string // the asset's MAC, any form model.ParseMAC accepts
	AfterID int64  // events with a larger ID, to tail the table
	Limit   int    // the first this many, in order; 0 for all
}

const assetColumns = `id, vantage, vlan, mac, key_ip, outer_vlan, vendor, randomized, first_seen, last_seen,
	packets, bytes, hostname, dhcp_param_list, dhcp_max_msg_size, dhcp_vendor_class, dhcp_client_id,
	class, class_confidence, manufacturer, model, os, modality, class_strength, class_changed_at`

// Assets returns the assets matching f ordered by vantage, VLAN, MAC and
// key IP, each with its addresses (ordered by first seen).
func (db *DB) Assets(ctx context.Context, f AssetFilter) ([]model.Asset, error) {
	var where []string
	var args []any
	if f.Vantage != "" {
		where, args = append(where, "vantage = ?"), append(args, f.Vantage)
	}
	if f.VLAN != nil {
		where, args = append(where, "vlan = ?"), append(args, *f.VLAN)
	}
	if f.MAC != "" {
		m, err := model.ParseMAC(f.MAC)
		if err != nil {
			return nil, fmt.Errorf("assets filter: %w", err)
		}
		where, args = append(where, "mac = ?"), append(args, m.String())
	}
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		where = append(where, "(key_ip = ? OR id IN (SELECT asset_id FROM asset_addresses WHERE ip = ?))")
		args = append(args, ip, ip)
	}
	details, err := db.queryAssets(ctx, where, args, f.Limit)
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

// queryAssets returns the assets matching the conditions where (joined with
// AND) ordered by vantage, VLAN, MAC and key IP, with their addresses.
func (db *DB) queryAssets(ctx context.Context, where []string, args []any, limit int) ([]AssetDetail, error) {
	q := "SELECT " + assetColumns + " FROM assets"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY vantage, vlan, mac, key_ip"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
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

// Events returns the events matching f ordered by time, then ID.
func (db *DB) Events(ctx context.Context, f EventFilter) ([]model.Event, error) {
	var where []string
	var args []any
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
			return nil, fmt.Errorf("events filter: %w", err)
		}
		where, args = append(where, "mac = ?"), append(args, m.String())
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	q := "SELECT id, time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY time, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
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
