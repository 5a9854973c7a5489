package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Baseline is a device's behaviour baseline as stored: when its learning
// window began and its items, learned ones and those first seen after the
// window (the changes reported), ordered by kind, then first sight.
type Baseline struct {
	AssetID int64
	Key     model.AssetKey
	Class   model.Class
	Started time.Time
	Items   []BaselineItem
}

// BaselineItem is one baseline_items row.
type BaselineItem struct {
	Kind      model.BehaviourKind
	Value     string
	FirstSeen time.Time
	Learned   bool
	Peer      netip.Addr
	Evidence  string
}

// BaselineFilter selects baselines. Zero fields match everything.
type BaselineFilter struct {
	AssetID int64
	MAC     model.MAC
	Class   model.Class
}

func (f *BaselineFilter) conds() conds {
	var c conds
	eq(&c, f.AssetID, "b.asset_id")
	c.mac(f.MAC, "a.mac")
	eq(&c, f.Class, "a.class")
	return c
}

// EachBaseline calls fn with every baseline f selects, in asset id order,
// each with its items.
func (db *DB) EachBaseline(ctx context.Context, f BaselineFilter, fn func(*Baseline) error) error {
	c := f.conds()
	q := `SELECT b.asset_id, a.vantage, a.vlan, a.mac, a.key_ip, a.class, b.started,
		i.kind, i.value, i.first_seen, i.learned, i.peer_ip, i.evidence
		FROM baselines b JOIN assets a ON a.id = b.asset_id
		LEFT JOIN baseline_items i ON i.asset_id = b.asset_id` + c.clause() + `
		ORDER BY b.asset_id, i.kind, i.first_seen, i.value`
	var cur *Baseline
	err := db.scanEach(ctx, q, c.args, func(rows *sql.Rows) error {
		var (
			id                      int64
			vantage, mac, keyIP     string
			class                   string
			vlan                    uint16
			started                 int64
			kind, value, peer, evid sql.NullString
			first                   sql.NullInt64
			learned                 sql.NullBool
		)
		if err := rows.Scan(&id, &vantage, &vlan, &mac, &keyIP, &class, &started, &kind, &value, &first, &learned,
			&peer, &evid); err != nil {
			return err
		}
		if cur == nil || cur.AssetID != id {
			if cur != nil {
				if err := fn(cur); err != nil {
					return err
				}
			}
			m, ip, err := parseKey(mac, keyIP)
			if err != nil {
				return fmt.Errorf("baseline of asset %d: %w", id, err)
			}
			cur = &Baseline{AssetID: id, Key: model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: m, IP: ip},
				Class: model.Class(class), Started: fromNS(started)}
		}
		if !kind.Valid {
			return nil
		}
		p, err := parseIP(peer.String)
		if err != nil {
			return fmt.Errorf("baseline of asset %d: %w", id, err)
		}
		cur.Items = append(cur.Items, BaselineItem{Kind: model.BehaviourKind(kind.String), Value: value.String,
			FirstSeen: fromNS(first.Int64), Learned: learned.Bool, Peer: p, Evidence: evid.String})
		return nil
	})
	if err == nil && cur != nil {
		err = fn(cur)
	}
	if err != nil {
		return wrap("read baselines in", db.path, err)
	}
	return nil
}

// Baselines returns the baselines f selects.
func (db *DB) Baselines(ctx context.Context, f BaselineFilter) ([]Baseline, error) {
	var out []Baseline
	err := db.EachBaseline(ctx, f, func(b *Baseline) error {
		out = append(out, *b)
		return nil
	})
	return out, err
}

// ResetBaselines deletes the baselines f selects (at least one field must
// be set), with their items, and returns how many: those devices learn
// again from their next traffic. The events they raised stay. It writes
// directly, so it needs the database opened read-write, and no running
// sensor (which holds the write lock and the baselines in memory).
func (db *DB) ResetBaselines(ctx context.Context, f BaselineFilter) (int, error) {
	if db.readOnly {
		return 0, db.errReadOnly("reset baselines")
	}
	if f == (BaselineFilter{}) {
		return 0, &pathError{op: "reset baselines", path: db.path, msg: "no device or class given"}
	}
	c := f.conds()
	q := `DELETE FROM baselines WHERE asset_id IN (SELECT b.asset_id FROM baselines b JOIN assets a ON a.id = b.asset_id` +
		c.clause() + `)`
	res, err := db.wdb.ExecContext(ctx, q, c.args...)
	if err != nil {
		return 0, wrap("reset baselines in", db.path, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
