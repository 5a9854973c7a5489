package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// EventFilter selects events. Zero fields match everything.
type EventFilter struct {
	Sensor, Site string    // central inventory only (see AssetFilter)
	Since        time.Time // events at or after
	Until        time.Time // events before
	Type         model.EventType
	AssetID      int64      // events about this asset row
	MAC          model.MAC  // the asset's MAC
	IP           netip.Addr // events involving this address (the ip column) or about the asset keyed by it
	Vantage      string
	VLAN         *uint16
	AfterID      int64 // events with a larger ID, to tail the table

	Limit  int  // the first this many, in order; 0 for all
	Offset int  // skip this many (after ordering)
	Desc   bool // newest first
}

// eventQuery is the query of the events f selects.
func eventQuery(f *EventFilter) pageQuery {
	var c conds
	c.since("time", f.Since)
	c.before("time", f.Until)
	eq(&c, f.Type, "type")
	eq(&c, f.AssetID, "asset_id")
	c.mac(f.MAC, "mac")
	c.ip(f.IP, "ip", "key_ip")
	eq(&c, f.Vantage, "vantage")
	c.vlan("vlan", f.VLAN)
	if f.AfterID > 0 {
		c.add("id > ?", f.AfterID)
	}
	q := pageQuery{op: "query events in", columns: "id, time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value, ifnull(asset_id, 0)",
		from: "events", conds: c, order: "time, id", limit: f.Limit, offset: f.Offset}
	if f.Desc {
		q.order = "time DESC, id DESC"
	}
	return q
}

// FindEvents returns the page of events f selects, ordered by time, then
// ID (newest first with f.Desc), and how many match f in all (Limit and
// Offset aside).
func (db *DB) FindEvents(ctx context.Context, f EventFilter) ([]model.Event, int, error) {
	var events []model.Event
	total, err := db.find(ctx, eventQuery(&f), func(rows *sql.Rows, total *int) error {
		e, err := scanEvent(rows, total)
		events = append(events, e)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return events, total, nil
}

// scanEvent scans a row of eventQuery's columns, then total.
func scanEvent(rows *sql.Rows, total *int) (model.Event, error) {
	var (
		e              model.Event
		t              int64
		mac, keyIP, ip string
	)
	if err := rows.Scan(&e.ID, &t, &e.Type, &e.Key.Vantage, &e.Key.VLAN, &mac, &keyIP, &ip,
		&e.OldValue, &e.NewValue, &e.AssetID, total); err != nil {
		return e, err
	}
	e.Time = fromNS(t)
	var err error
	if e.Key.MAC, e.Key.IP, err = parseKey(mac, keyIP); err == nil {
		e.IP, err = parseIP(ip)
	}
	if err != nil {
		return e, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return e, nil
}

// LastEventID is the largest event ID (0 for none): where a tail of the
// events table (EventFilter.AfterID) starts to see only new events.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.rdb.QueryRowContext(ctx, `SELECT ifnull(max(id), 0) FROM events`).Scan(&id); err != nil {
		return 0, wrap("read events in", db.path, err)
	}
	return id, nil
}
