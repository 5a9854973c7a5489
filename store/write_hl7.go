package store

// HL7 v2: what each end of a message said (hl7_apps, hl7_message_types,
// hl7_equipment).

import (
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// hl7 records one end's view of an HL7 v2 message. An acknowledgement the
// asset sent is counted on its receiver row for that peer (acks_sent), as
// fingerprint.Facts.AddHL7 folds it. Only the fields the hl7_* tables
// document are kept (no MSA-1 code).
func (f *flush) hl7(a *assetState, h *model.HL7Info, t time.Time, count bool) error {
	n := int64(0)
	if count {
		n = max(i64(h.Count), 1) // Count 0 means 1
	}
	role, msgs, acks := h.Role, n, int64(0)
	ack := h.Role == model.RoleSender && h.AckCode != ""
	if ack {
		role, msgs, acks = model.RoleReceiver, 0, n
	}
	var appID, nMsgs, nAcks int64
	if err := f.stmt(sHL7Upsert).QueryRowContext(f.ctx, a.id, role, h.Application, h.Facility,
		h.PeerApplication, h.PeerFacility, ipText(normIP(h.PeerIP)), h.Port, h.Version, ns(t), ns(t),
		msgs, acks).Scan(&appID, &nMsgs, &nAcks); err != nil {
		return err
	}
	// The facts Classify sees change with a new row, the first ack, a new
	// message type or new equipment; counts do not matter to it.
	changed := nMsgs+nAcks == 1 || (ack && nAcks == 1)
	if !ack {
		newType, err := f.hl7MessageType(appID, a.id, role, h.MessageType, msgs, t)
		if err != nil {
			return err
		}
		newEquipment, err := f.hl7Equipment(appID, a.id, h.EquipmentIDs, t)
		if err != nil {
			return err
		}
		changed = changed || newType || newEquipment
	}
	if changed {
		f.dirty.mark(f.db, a, t)
	}
	return nil
}

// hl7MessageType counts msgs messages of type typ ("" for none) on the
// hl7_apps row appID, and reports whether the type is new there.
func (f *flush) hl7MessageType(appID, assetID int64, role, typ string, msgs int64, t time.Time) (bool, error) {
	if typ == "" {
		return false, nil
	}
	var n int64
	if err := f.stmt(sHL7TypeUpsert).QueryRowContext(f.ctx, appID, assetID, role, typ,
		msgs, ns(t), ns(t)).Scan(&n); err != nil {
		return false, err
	}
	return n == 1, nil
}

// hl7Equipment records the equipment identifiers of a message on the
// hl7_apps row appID, and reports whether one of them is new there.
func (f *flush) hl7Equipment(appID, assetID int64, ids []string, t time.Time) (bool, error) {
	added := false
	for i, id := range ids {
		if id == "" || seenBefore(ids[:i], id) {
			continue
		}
		res, err := f.exec(sHL7EquipInsert, appID, assetID, id, ns(t), ns(t))
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, err
		} else if n == 1 {
			added = true
			continue
		}
		if _, err := f.exec(sHL7EquipTouch, ns(t), ns(t), appID, id); err != nil {
			return false, err
		}
	}
	return added, nil
}
