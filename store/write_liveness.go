package store

// Answers to the ARP liveness probe (model.ObsProbe), kept in
// probe_answers (written at the flush, after the assets). An answer never
// creates an asset nor touches its last-seen time: it is not traffic the
// sensor heard. (The daemon's silent / heard-again / alive-by-probe
// verdicts are events: model.ObsEvent, write_events.go.)

import (
	"context"
	"database/sql"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// probeRow is one pending probe answer.
type probeRow struct {
	assetID int64
	ip      netip.Addr
	t       int64
}

// probeObs records a probe answer (ObsProbe) for the asset key names.
func (b *batch) probeObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	a, err := b.existingAsset(key)
	if err != nil {
		return err
	}
	if a == nil {
		b.ignored++ // an asset the store never had: nothing to attach it to
		return nil
	}
	b.probes = append(b.probes, probeRow{assetID: a.id, ip: normIP(o.IP), t: ns(t)})
	b.changed()
	return nil
}

const probeUpsert = `INSERT INTO probe_answers (asset_id, ip, first_seen, last_seen, answers) VALUES (?, ?, ?, ?, 1)
	ON CONFLICT (asset_id) DO UPDATE SET ip = excluded.ip, last_seen = max(last_seen, excluded.last_seen),
		first_seen = min(first_seen, excluded.first_seen), answers = answers + 1`

// writeProbes upserts the pending probe answers, in order.
func (f *flush) writeProbes() error {
	if len(f.probes) == 0 {
		return nil
	}
	st, err := f.tx.PrepareContext(f.ctx, probeUpsert)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, p := range f.probes {
		if _, err := st.ExecContext(f.ctx, p.assetID, ipText(p.ip), p.t, p.t); err != nil {
			return err
		}
	}
	return nil
}

// ProbedAt returns, for those of the assets ids that ever answered the
// ARP liveness probe, the time of the latest answer.
func (db *DB) ProbedAt(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time)
	if len(ids) == 0 {
		return out, nil
	}
	err := inChunks(ids, func(args []any) error {
		q := `SELECT asset_id, last_seen FROM probe_answers WHERE asset_id IN (` + placeholders(len(args)) + `)`
		return db.scanEach(ctx, q, args, func(rows *sql.Rows) error {
			var id, last int64
			if err := rows.Scan(&id, &last); err != nil {
				return err
			}
			out[id] = fromNS(last)
			return nil
		})
	})
	if err != nil {
		return nil, wrap("query probe answers in", db.path, err)
	}
	return out, nil
}
