package store

import (
	"context"

	"github.com/wardwatch/wardwatch/model"
)

// EventTypeCounts returns how many events of each type the database holds.
// Events are never deleted, so the counts only grow: the exporter serves
// them as wardwatch_asset_events_total.
func (db *DB) EventTypeCounts(ctx context.Context) (map[model.EventType]uint64, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT type, count(*) FROM events GROUP BY type`)
	if err != nil {
		return nil, wrap("count events in", db.path, err)
	}
	defer rows.Close()
	out := map[model.EventType]uint64{}
	for rows.Next() {
		var t model.EventType
		var n uint64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}
