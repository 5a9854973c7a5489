package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// AssetNames are the application-level names an asset used: what biomed
// staff search for and what zones may match on.
type AssetNames struct {
	// AETitles are the distinct non-empty DICOM AE titles the asset used as
	// its own (either role), latest first: AETitles[0] is the latest, the
	// one the policy checker matches ae_title zones against.
	AETitles []string
	// HL7Apps are the distinct non-empty HL7 applications (MSH-3 as sender,
	// MSH-5 as receiver) the asset used as its own, latest first.
	HL7Apps []string
}

// AssetNames returns the names of the asset rows ids; assets without names
// are absent from the map.
func (db *DB) AssetNames(ctx context.Context, ids []int64) (map[int64]AssetNames, error) {
	const op, chunk = "query names in", 500
	out := make(map[int64]AssetNames)
	for start := 0; start < len(ids); start += chunk {
		end := min(start+chunk, len(ids))
		args := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		in := "(?" + strings.Repeat(", ?", len(args)-1) + ")"
		q := `SELECT asset_id, 'ae', ae_title, max(last_seen) m FROM dicom_aes
				WHERE ae_title <> '' AND asset_id IN ` + in + ` GROUP BY asset_id, ae_title
			UNION ALL
			SELECT asset_id, 'hl7', application, max(last_seen) m FROM hl7_apps
				WHERE application <> '' AND asset_id IN ` + in + ` GROUP BY asset_id, application
			ORDER BY 1, 2, 4 DESC, 3`
		rows, err := db.rdb.QueryContext(ctx, q, append(args, args...)...)
		if err != nil {
			return nil, wrap(op, db.path, err)
		}
		for rows.Next() {
			var (
				id         int64
				kind, name string
				last       int64
			)
			if err := rows.Scan(&id, &kind, &name, &last); err != nil {
				rows.Close()
				return nil, wrap(op, db.path, err)
			}
			n := out[id]
			if kind == "ae" {
				n.AETitles = append(n.AETitles, name)
			} else {
				n.HL7Apps = append(n.HL7Apps, name)
			}
			out[id] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, wrap(op, db.path, err)
		}
	}
	return out, nil
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
		WHERE asset_id = ? ORDER BY first_seen, source, name`, assetID, func(rows *sql.Rows) error {
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
