package central

import (
	"context"

	"github.com/wardwatch/wardwatch/store"
)

// DICOM returns the device's DICOM facts as every sensor recorded them (a
// sensor's row each), by first seen.
func (inv *Inventory) DICOM(ctx context.Context, id int64) ([]store.DICOMFact, error) {
	const op = "query dicom"
	rows, err := inv.pool.Query(ctx, `SELECT x.key, x.role, x.ae_title, x.peer_ae_title, x.peer_ip, x.port,
		x.application_context, x.impl_class_uid, x.impl_version, x.max_pdu, `+us("x.first_seen")+`, `+us("x.last_seen")+`,
		x.associations, x.last_result
		FROM dicom_aes x JOIN assets y ON y.key = x.asset_key WHERE y.device = $1
		ORDER BY x.first_seen NULLS FIRST, x.key`, id)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	defer rows.Close()
	var out []store.DICOMFact
	var keys []int64
	index := map[int64]int{}
	for rows.Next() {
		var (
			d                              store.DICOMFact
			key, port, pdu, first, last, n int64
			peer                           string
		)
		if err := rows.Scan(&key, &d.Role, &d.AETitle, &d.PeerAETitle, &peer, &port, &d.ApplicationContext,
			&d.ImplClassUID, &d.ImplVersion, &pdu, &first, &last, &n, &d.LastResult); err != nil {
			return nil, inv.wrap(op, err)
		}
		if d.PeerIP, err = parseIP(peer); err != nil {
			return nil, inv.wrap(op, err)
		}
		d.Port, d.MaxPDU, d.Associations = uint16(port), uint32(pdu), uint64(n)
		d.FirstSeen, d.LastSeen = scanTimes(first, last)
		index[key] = len(out)
		keys = append(keys, key)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, inv.wrap(op, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	rows, err = inv.pool.Query(ctx, `SELECT ae_key, sop_class_uid, `+us("first_seen")+`, `+us("last_seen")+`
		FROM dicom_sop_classes WHERE ae_key = ANY($1) ORDER BY first_seen NULLS FIRST, sop_class_uid COLLATE "C"`, keys)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	for rows.Next() {
		var key, first, last int64
		var s store.DICOMSOPClass
		if err := rows.Scan(&key, &s.UID, &first, &last); err != nil {
			rows.Close()
			return nil, inv.wrap(op, err)
		}
		s.FirstSeen, s.LastSeen = scanTimes(first, last)
		if i, ok := index[key]; ok {
			out[i].SOPClasses = append(out[i].SOPClasses, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, inv.wrap(op, err)
	}
	rows, err = inv.pool.Query(ctx, `SELECT ae_key, command, sop_class, count, `+us("last_seen")+`
		FROM dicom_commands WHERE ae_key = ANY($1) ORDER BY command COLLATE "C", sop_class COLLATE "C"`, keys)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, n, last int64
		var c store.DICOMCommand
		if err := rows.Scan(&key, &c.Name, &c.SOPClass, &n, &last); err != nil {
			return nil, inv.wrap(op, err)
		}
		c.Count, c.LastSeen = uint64(n), fromUS(last)
		if i, ok := index[key]; ok {
			out[i].Commands = append(out[i].Commands, c)
		}
	}
	return out, inv.wrap(op, rows.Err())
}

// HL7 returns the device's HL7 facts as every sensor recorded them, by
// first seen.
func (inv *Inventory) HL7(ctx context.Context, id int64) ([]store.HL7Fact, error) {
	const op = "query hl7"
	rows, err := inv.pool.Query(ctx, `SELECT x.key, x.role, x.application, x.facility, x.peer_application,
		x.peer_facility, x.peer_ip, x.port, x.version, `+us("x.first_seen")+`, `+us("x.last_seen")+`, x.messages, x.acks_sent
		FROM hl7_apps x JOIN assets y ON y.key = x.asset_key WHERE y.device = $1
		ORDER BY x.first_seen NULLS FIRST, x.key`, id)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	defer rows.Close()
	var out []store.HL7Fact
	var keys []int64
	index := map[int64]int{}
	for rows.Next() {
		var (
			h                                  store.HL7Fact
			key, port, first, last, msgs, acks int64
			peer                               string
		)
		if err := rows.Scan(&key, &h.Role, &h.Application, &h.Facility, &h.PeerApplication, &h.PeerFacility,
			&peer, &port, &h.Version, &first, &last, &msgs, &acks); err != nil {
			return nil, inv.wrap(op, err)
		}
		if h.PeerIP, err = parseIP(peer); err != nil {
			return nil, inv.wrap(op, err)
		}
		h.Port, h.Messages, h.AcksSent = uint16(port), uint64(msgs), uint64(acks)
		h.FirstSeen, h.LastSeen = scanTimes(first, last)
		index[key] = len(out)
		keys = append(keys, key)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, inv.wrap(op, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	rows, err = inv.pool.Query(ctx, `SELECT app_key, type, count, `+us("first_seen")+`, `+us("last_seen")+`
		FROM hl7_message_types WHERE app_key = ANY($1) ORDER BY first_seen NULLS FIRST, type COLLATE "C"`, keys)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	for rows.Next() {
		var key, n, first, last int64
		var m store.HL7MessageType
		if err := rows.Scan(&key, &m.Type, &n, &first, &last); err != nil {
			rows.Close()
			return nil, inv.wrap(op, err)
		}
		m.Count = uint64(n)
		m.FirstSeen, m.LastSeen = scanTimes(first, last)
		if i, ok := index[key]; ok {
			out[i].MessageTypes = append(out[i].MessageTypes, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, inv.wrap(op, err)
	}
	rows, err = inv.pool.Query(ctx, `SELECT app_key, equipment_id, `+us("first_seen")+`, `+us("last_seen")+`
		FROM hl7_equipment WHERE app_key = ANY($1) ORDER BY first_seen NULLS FIRST, equipment_id COLLATE "C"`, keys)
	if err != nil {
		return nil, inv.wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, first, last int64
		var e store.HL7Equipment
		if err := rows.Scan(&key, &e.ID, &first, &last); err != nil {
			return nil, inv.wrap(op, err)
		}
		e.FirstSeen, e.LastSeen = scanTimes(first, last)
		if i, ok := index[key]; ok {
			out[i].Equipment = append(out[i].Equipment, e)
		}
	}
	return out, inv.wrap(op, rows.Err())
}
