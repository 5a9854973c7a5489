package store

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Totals are row counts that need no policy (zones): for metrics and
// status pages.
type Totals struct {
	Assets, Events       int
	Flows                int // flows rows
	Violations           int // violations rows (distinct flagged flows)
	ViolationsBySeverity map[string]int
	DICOMAEs             int // dicom_aes rows
	HL7Apps              int // hl7_apps rows
}

// Totals counts the inventory's rows.
func (db *DB) Totals(ctx context.Context) (Totals, error) {
	const op = "count in"
	var t Totals
	err := db.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM assets), (SELECT count(*) FROM events),
		(SELECT count(*) FROM flows), (SELECT count(*) FROM violations), (SELECT count(*) FROM dicom_aes),
		(SELECT count(*) FROM hl7_apps)`).Scan(&t.Assets, &t.Events, &t.Flows, &t.Violations, &t.DICOMAEs, &t.HL7Apps)
	if err != nil {
		return t, wrap(op, db.path, err)
	}
	t.ViolationsBySeverity, err = countBy[string, int](ctx, db, op, `SELECT severity, count(*) FROM violations GROUP BY severity`)
	return t, err
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

// ClassCounts returns how many assets have each device class.
func (db *DB) ClassCounts(ctx context.Context) (map[model.Class]int, error) {
	return countBy[model.Class, int](ctx, db, "count classes in", `SELECT class, count(*) FROM assets GROUP BY class`)
}

// EventTypeCounts returns how many events of each type the database holds.
// Events are never deleted, so the counts only grow: the exporter serves
// them as wardwatch_asset_events_total.
func (db *DB) EventTypeCounts(ctx context.Context) (map[model.EventType]uint64, error) {
	return countBy[model.EventType, uint64](ctx, db, "count events in", `SELECT type, count(*) FROM events GROUP BY type`)
}

// ViolationCounts are how many violations are stored, how many of them
// were seen since a time and how many were first seen since then.
type ViolationCounts struct {
	All, SeenSince, NewSince int
}

// ViolationCounts counts the violations, those last seen at or after since
// and those first seen at or after since, in one pass.
func (db *DB) ViolationCounts(ctx context.Context, since time.Time) (ViolationCounts, error) {
	var v ViolationCounts
	err := db.rdb.QueryRowContext(ctx, `SELECT count(*), ifnull(sum(last_seen >= ?), 0),
		ifnull(sum(first_seen >= ?), 0) FROM violations`, ns(since), ns(since)).Scan(&v.All, &v.SeenSince, &v.NewSince)
	if err != nil {
		return v, wrap("count violations in", db.path, err)
	}
	return v, nil
}

// countBy runs q, which selects a name and a count per row, into a map.
func countBy[K ~string, N int | uint64](ctx context.Context, db *DB, op, q string) (map[K]N, error) {
	rows, err := db.rdb.QueryContext(ctx, q)
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	m := map[K]N{}
	for rows.Next() {
		var name K
		var n N
		if err := rows.Scan(&name, &n); err != nil {
			return nil, wrap(op, db.path, err)
		}
		m[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	return m, nil
}
