package store

import (
	"context"
	"database/sql"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// DICOMFact is one dicom_aes row: what an asset did in DICOM associations in
// one role, under one AE title, towards one peer AE title at one peer IP.
type DICOMFact struct {
	Role                string // "scu" or "scp"
	AETitle             string
	PeerAETitle         string
	PeerIP              netip.Addr
	Port                uint16 // the SCP's
	ApplicationContext  string
	ImplClassUID        string
	ImplVersion         string
	MaxPDU              uint32
	FirstSeen, LastSeen time.Time
	Associations        uint64
	LastResult          string
	SOPClasses          []DICOMSOPClass // by first seen, then UID
	Commands            []DICOMCommand  // by command, SOP class
}

// DICOMSOPClass is a SOP class an asset proposed (scu) or accepted (scp).
type DICOMSOPClass struct {
	UID                 string
	FirstSeen, LastSeen time.Time
}

// DICOMCommand is a DIMSE command an asset sent (Count: how many times in
// all), with when it last did.
type DICOMCommand struct {
	model.DICOMCommand
	LastSeen time.Time
}

// DICOM returns the asset's DICOM facts, by first seen.
func (db *DB) DICOM(ctx context.Context, assetID int64) ([]DICOMFact, error) {
	const op = "query dicom in"
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, role, ae_title, peer_ae_title, peer_ip, port,
		application_context, impl_class_uid, impl_version, max_pdu, first_seen, last_seen, associations, last_result
		FROM dicom_aes WHERE asset_id = ? ORDER BY first_seen, id`, assetID)
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	var out []DICOMFact
	index := map[int64]int{}
	for rows.Next() {
		var (
			d                  DICOMFact
			id, first, last, n int64
			peer               string
		)
		if err := rows.Scan(&id, &d.Role, &d.AETitle, &d.PeerAETitle, &peer, &d.Port, &d.ApplicationContext,
			&d.ImplClassUID, &d.ImplVersion, &d.MaxPDU, &first, &last, &n, &d.LastResult); err != nil {
			return nil, wrap(op, db.path, err)
		}
		if d.PeerIP, err = parseIP(peer); err != nil {
			return nil, wrap(op, db.path, err)
		}
		d.FirstSeen, d.LastSeen, d.Associations = fromNS(first), fromNS(last), uint64(n)
		index[id] = len(out)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	err = db.scanEach(ctx, `SELECT ae_id, sop_class_uid, first_seen, last_seen FROM dicom_sop_classes
		WHERE asset_id = ? ORDER BY first_seen, sop_class_uid`, []any{assetID}, func(rows *sql.Rows) error {
		var id, first, last int64
		var s DICOMSOPClass
		if err := rows.Scan(&id, &s.UID, &first, &last); err != nil {
			return err
		}
		s.FirstSeen, s.LastSeen = fromNS(first), fromNS(last)
		if i, ok := index[id]; ok {
			out[i].SOPClasses = append(out[i].SOPClasses, s)
		}
		return nil
	})
	if err == nil {
		err = db.scanEach(ctx, `SELECT ae_id, command, sop_class, count, last_seen FROM dicom_commands
			WHERE asset_id = ? ORDER BY command, sop_class`, []any{assetID}, func(rows *sql.Rows) error {
			var id, n, last int64
			var c DICOMCommand
			if err := rows.Scan(&id, &c.Name, &c.SOPClass, &n, &last); err != nil {
				return err
			}
			c.Count, c.LastSeen = uint64(n), fromNS(last)
			if i, ok := index[id]; ok {
				out[i].Commands = append(out[i].Commands, c)
			}
			return nil
		})
	}
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	return out, nil
}
