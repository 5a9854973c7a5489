package store

import (
	"context"
	"database/sql"
	"net/netip"
	"time"
)

// HL7Fact is one hl7_apps row: what an asset did in HL7 v2 messages in one
// role, as one application, towards one peer application at one peer IP.
type HL7Fact struct {
	Role                          string // "sender" or "receiver"
	Application, Facility         string // the asset's own
	PeerApplication, PeerFacility string
	PeerIP                        netip.Addr
	Port                          uint16 // the receiver's
	Version                       string // MSH-12 of the latest message
	FirstSeen, LastSeen           time.Time
	Messages                      uint64 // messages, acknowledgements the asset sent excluded
	AcksSent                      uint64 // acknowledgements the asset sent this peer (receiver rows)
	MessageTypes                  []HL7MessageType
	Equipment                     []HL7Equipment
}

// HL7MessageType is a message type with how many messages had it.
type HL7MessageType struct {
	Type                string // MSH-9, "ORU^R01"
	Count               uint64
	FirstSeen, LastSeen time.Time
}

// HL7Equipment is an equipment identifier seen in an asset's messages.
type HL7Equipment struct {
	ID                  string
	FirstSeen, LastSeen time.Time
}

// HL7 returns the asset's HL7 facts, by first seen. The asset's total of
// acknowledgements sent is the sum of AcksSent.
func (db *DB) HL7(ctx context.Context, assetID int64) ([]HL7Fact, error) {
	const op = "query hl7 in"
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, role, application, facility, peer_application, peer_facility,
		peer_ip, port, version, first_seen, last_seen, messages, acks_sent
		FROM hl7_apps WHERE asset_id = ? ORDER BY first_seen, id`, assetID)
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	var out []HL7Fact
	index := map[int64]int{}
	for rows.Next() {
		var (
			h                           HL7Fact
			id, first, last, msgs, acks int64
			peer                        string
		)
		if err := rows.Scan(&id, &h.Role, &h.Application, &h.Facility, &h.PeerApplication, &h.PeerFacility,
			&peer, &h.Port, &h.Version, &first, &last, &msgs, &acks); err != nil {
			return nil, wrap(op, db.path, err)
		}
		if h.PeerIP, err = parseIP(peer); err != nil {
			return nil, wrap(op, db.path, err)
		}
		h.FirstSeen, h.LastSeen, h.Messages, h.AcksSent = fromNS(first), fromNS(last), uint64(msgs), uint64(acks)
		index[id] = len(out)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	err = db.scanEach(ctx, `SELECT app_id, type, count, first_seen, last_seen FROM hl7_message_types
		WHERE asset_id = ? ORDER BY first_seen, type`, []any{assetID}, func(rows *sql.Rows) error {
		var id, n, first, last int64
		var m HL7MessageType
		if err := rows.Scan(&id, &m.Type, &n, &first, &last); err != nil {
			return err
		}
		m.Count, m.FirstSeen, m.LastSeen = uint64(n), fromNS(first), fromNS(last)
		if i, ok := index[id]; ok {
			out[i].MessageTypes = append(out[i].MessageTypes, m)
		}
		return nil
	})
	if err == nil {
		err = db.scanEach(ctx, `SELECT app_id, equipment_id, first_seen, last_seen FROM hl7_equipment
			WHERE asset_id = ? ORDER BY first_seen, equipment_id`, []any{assetID}, func(rows *sql.Rows) error {
			var id, first, last int64
			var e HL7Equipment
			if err := rows.Scan(&id, &e.ID, &first, &last); err != nil {
				return err
			}
			e.FirstSeen, e.LastSeen = fromNS(first), fromNS(last)
			if i, ok := index[id]; ok {
				out[i].Equipment = append(out[i].Equipment, e)
			}
			return nil
		})
	}
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	return out, nil
}
