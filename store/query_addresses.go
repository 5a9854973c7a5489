package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// fillAddresses loads the addresses of assets (asset_addresses), by first
// seen.
func (db *DB) fillAddresses(ctx context.Context, assets []AssetDetail) error {
	index := make(map[int64]int, len(assets))
	ids := make([]int64, len(assets))
	for i := range assets {
		index[assets[i].ID] = i
		ids[i] = assets[i].ID
	}
	return inChunks(ids, func(args []any) error {
		return db.scanEach(ctx, `SELECT asset_id, ip, source, first_seen, last_seen FROM asset_addresses
			WHERE asset_id IN (`+placeholders(len(args))+`) ORDER BY asset_id, first_seen, ip`, args, func(rows *sql.Rows) error {
			var (
				id          int64
				ip          string
				aa          model.AssetAddress
				first, last int64
			)
			if err := rows.Scan(&id, &ip, &aa.Source, &first, &last); err != nil {
				return err
			}
			var err error
			if aa.IP, err = netip.ParseAddr(ip); err != nil {
				return fmt.Errorf("asset %d address: %w", id, err)
			}
			aa.FirstSeen, aa.LastSeen = fromNS(first), fromNS(last)
			if i, ok := index[id]; ok {
				assets[i].Addresses = append(assets[i].Addresses, aa)
			}
			return nil
		})
	})
}

// HostnameRow is one name an asset announced.
type HostnameRow struct {
	Name                string
	Source              model.ObsSource // model.SourceDHCPOpt12 or model.SourceDHCPOpt81
	FirstSeen, LastSeen time.Time
}

// Hostnames returns every name the asset announced, by first seen.
func (db *DB) Hostnames(ctx context.Context, assetID int64) ([]HostnameRow, error) {
	var out []HostnameRow
	err := db.scanEach(ctx, `SELECT name, source, first_seen, last_seen FROM asset_hostnames
		WHERE asset_id = ? ORDER BY first_seen, source, name`, []any{assetID}, func(rows *sql.Rows) error {
		var h HostnameRow
		var first, last int64
		if err := rows.Scan(&h.Name, &h.Source, &first, &last); err != nil {
			return err
		}
		h.FirstSeen, h.LastSeen = fromNS(first), fromNS(last)
		out = append(out, h)
		return nil
	})
	if err != nil {
		return nil, wrap("query hostnames in", db.path, err)
	}
	return out, nil
}

// SignalRow is one value an asset said about itself to the sensor's
// passive decoders (asset_signals).
type SignalRow struct {
	Source              model.EvidenceSource // model.EvidenceLLDPSysDesc, model.EvidenceTLSJA4, ...
	Value               string
	Reports             int64 // the sensor's reports of it (once per value, then per refresh interval)
	FirstSeen, LastSeen time.Time
}

// Signals returns the asset's signals, by source and first seen.
func (db *DB) Signals(ctx context.Context, assetID int64) ([]SignalRow, error) {
	var out []SignalRow
	err := db.scanEach(ctx, `SELECT source, value, reports, first_seen, last_seen FROM asset_signals
		WHERE asset_id = ? ORDER BY source, first_seen, value`, []any{assetID}, func(rows *sql.Rows) error {
		var r SignalRow
		var first, last int64
		if err := rows.Scan(&r.Source, &r.Value, &r.Reports, &first, &last); err != nil {
			return err
		}
		r.FirstSeen, r.LastSeen = fromNS(first), fromNS(last)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, wrap("query signals in", db.path, err)
	}
	return out, nil
}
