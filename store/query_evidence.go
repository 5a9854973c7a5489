package store

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// EvidenceRow is one piece of evidence behind an asset's classification.
type EvidenceRow struct {
	Source   model.EvidenceSource
	Value    string
	Rule     string
	Strength int
	// Sets names the classification fields the evidence's rule decided
	// ("class,manufacturer"), or "contradicts" (fingerprint.Fields.String).
	Sets string
	// FirstSeen is the first classification that included it, LastSeen the
	// latest.
	FirstSeen, LastSeen time.Time
}

// Evidence returns the evidence of the asset's current classification, in
// the classifier's order (the deciding rule's first).
func (db *DB) Evidence(ctx context.Context, assetID int64) ([]EvidenceRow, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT source, value, rule, strength, sets, first_seen, last_seen
		FROM evidence WHERE asset_id = ? ORDER BY position, source, value, rule`, assetID)
	if err != nil {
		return nil, wrap("query evidence in", db.path, err)
	}
	defer rows.Close()
	var out []EvidenceRow
	for rows.Next() {
		var e EvidenceRow
		var first, last int64
		if err := rows.Scan(&e.Source, &e.Value, &e.Rule, &e.Strength, &e.Sets, &first, &last); err != nil {
			return nil, wrap("query evidence in", db.path, err)
		}
		e.FirstSeen, e.LastSeen = fromNS(first), fromNS(last)
		out = append(out, e)
	}
	return out, wrap("query evidence in", db.path, rows.Err())
}
