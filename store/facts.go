package store

import (
	"database/sql"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// dstKey is a flow's server end as the frames name it.
type dstKey struct {
	key model.AssetKey
	ip  netip.Addr
}

// flowEnds returns the client key (Flow.Client, or the observation's key
// when the flow has none), the client IP (invalid if unknown) and the server
// IP of o, and whether they can be stored: the server IP is required.
func flowEnds(key model.AssetKey, f *model.FlowInfo) (client model.AssetKey, src, dst netip.Addr, ok bool) {
	client = key
	if f.Client != (model.AssetKey{}) {
		if client, ok = normKey(f.Client); !ok {
			return client, src, dst, false
		}
	}
	src, dst = normIP(f.ClientIP), normIP(f.ServerIP)
	if !usableIP(src) {
		src = netip.Addr{}
	}
	return client, src, dst, usableIP(dst)
}

// serverAsset resolves a flow's server end: the asset of f.Server when that
// key is a device on the client's vantage and VLAN and the asset has
// serverIP among its addresses (or is keyed by it); otherwise 0, the
// frames' server MAC being a router's (or a device whose address the store
// does not know yet). It never creates an asset, and does not use the
// sensor's ServerLocal, which gives unknown MACs the benefit of the doubt.
func (b *batch) serverAsset(client model.AssetKey, f *model.FlowInfo, serverIP netip.Addr) (int64, error) {
	sk, ok := normKey(f.Server)
	if !ok || sk.Vantage != client.Vantage || sk.VLAN != client.VLAN || !f.ServerLocal {
		// Not on the client's link, or the sensor knows the MAC is a
		// router's (bound to other addresses): no server asset.
		return 0, nil
	}
	c := &b.db.cache
	dk := dstKey{sk, serverIP}
	if id, ok := c.dst[dk]; ok {
		return id, nil
	}
	mac, keyIP, _ := keyColumns(sk)
	var id int64
	err := b.stmt(sDstAsset).QueryRowContext(b.ctx, sk.Vantage, sk.VLAN, mac, keyIP, serverIP.String()).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if len(c.dst) >= c.max {
		clear(c.dst)
	}
	c.dst[dk] = id
	return id, nil
}

// flowStart is the start of a flow report's interval.
func flowStart(o *model.Observation, t time.Time) time.Time {
	first := o.Flow.First
	if first.IsZero() {
		first = o.First
	}
	if !first.IsZero() && first.Before(t) {
		return first
	}
	return t
}

// flow adds a flow report to its flows row. The client asset is created if
// new, but an existing one is not touched: its times and counters come from
// activity observations (a flow's times cover both directions).
func (b *batch) flow(key model.AssetKey, o *model.Observation, t time.Time) error {
	f := o.Flow
	client, src, dst, ok := flowEnds(key, f)
	if !ok {
		b.invalid++
		return nil
	}
	first := flowStart(o, t)
	var a *assetState
	var err error
	if f.ClientLocal {
		a, err = b.ensureAsset(client, o.OuterVLAN, first, t)
	} else {
		// Behind a router, or never seen sending: use the asset as it
		// exists (the router), never create one for a MAC that only
		// received frames.
		a, err = b.existingAsset(client)
	}
	if err != nil {
		return err
	}
	if a == nil {
		b.ignored++
		return nil
	}
	dstID, err := b.serverAsset(client, f, dst)
	if err != nil {
		return err
	}
	_, err = b.exec(sFlowUpsert, a.id, nullID(dstID), ipText(src), dst.String(), f.Proto, f.Port,
		f.ClientLocal, f.ServerLocal, client.Vantage, client.VLAN, f.Service, ns(first), ns(t), i64(f.Packets), i64(f.Bytes), i64(f.Connections))
	return err
}

// violation counts a policy violation; the first report of a (rule, flow)
// is a policy-violation event.
func (b *batch) violation(key model.AssetKey, o *model.Observation, t time.Time) error {
	f, v := o.Flow, o.Violation
	client, src, dst, ok := flowEnds(key, f)
	if !ok {
		b.invalid++
		return nil
	}
	first := flowStart(o, t)
	// An end seen behind a router is the asset that owns its address (if
	// any): both halves of a routed flow, seen on two VLANs, are then one
	// violation.
	link := client // the frame's view: the server must be on its link
	if !f.ClientLocal && src.IsValid() {
		if k, ok, err := b.ownerOf(client.Vantage, src); err != nil {
			return err
		} else if ok {
			client = k
		}
	}
	a, err := b.ensureAsset(client, o.OuterVLAN, first, t)
	if err != nil {
		return err
	}
	var dstID int64
	if f.ServerLocal {
		if dstID, err = b.serverAsset(link, f, dst); err != nil {
			return err
		}
	} else if k, ok, err := b.ownerOf(client.Vantage, dst); err != nil {
		return err
	} else if ok {
		da, err := b.ensureAsset(k, 0, first, t)
		if err != nil {
			return err
		}
		dstID = da.id
	}
	var count int64
	if err := b.stmt(sViolationUpsert).QueryRowContext(b.ctx, v.Rule, v.SrcZone, v.DstZone, a.id, nullID(dstID),
		ipText(src), dst.String(), f.Proto, f.Port, f.Service, v.Severity, client.Vantage, client.VLAN,
		ns(first), ns(t), i64(f.Packets), i64(f.Bytes), i64(f.Connections)).Scan(&count); err != nil {
		return err
	}
	if count != 1 {
		return nil
	}
	return b.event(model.EventViolation, t, client, a.id, dst, "", ViolationEventValue(v, dst, f.Port))
}

// ViolationEventValue is the new_value of a policy-violation event:
// "<rule> <src_zone>-><dst_zone> <ip>:<port>" (an IPv6 address in
// brackets, "[2001:db8::1]:104").
func ViolationEventValue(v *model.ViolationInfo, dst netip.Addr, port uint16) string {
	return v.Rule + " " + v.SrcZone + "->" + v.DstZone + " " + netip.AddrPortFrom(dst, port).String()
}

// dicom records one end's view of a DICOM association. Only the fields the
// dicom_* tables document are kept (no transfer syntaxes).
func (b *batch) dicom(key model.AssetKey, outer uint16, d *model.DICOMInfo, t time.Time, count bool) error {
	a, err := b.asset(key, outer, t, t, 0, 0)
	if err != nil {
		return err
	}
	ae := trimAE(d.AETitle)
	var aeID int64
	if err := b.stmt(sDICOMUpsert).QueryRowContext(b.ctx, a.id, d.Role, ae, trimAE(d.PeerAETitle),
		ipText(normIP(d.PeerIP)), d.Port, trimAE(d.ApplicationContext), trimAE(d.ImplClassUID),
		trimAE(d.ImplVersion), d.MaxPDU, ns(t), ns(t), boolInt(count && d.NewAssociation), d.Result).Scan(&aeID); err != nil {
		return err
	}
	if !(d.Role == model.RoleSCP && d.Result == "rejected") {
		for i, uid := range d.SOPClasses {
			uid = trimAE(uid)
			if uid == "" || seenBefore(d.SOPClasses[:i], uid) {
				continue
			}
			if _, err := b.exec(sDICOMSOPUpsert, aeID, a.id, d.Role, uid, ns(t), ns(t)); err != nil {
				return err
			}
		}
	}
	for i, c := range d.Commands {
		name, sop := strings.TrimSpace(c.Name), trimAE(c.SOPClass)
		if name == "" || seenCommand(d.Commands[:i], c) {
			continue
		}
		n := max(c.Count, 1)
		if !count {
			n = 0
		}
		if _, err := b.exec(sDICOMCmdUpsert, aeID, a.id, name, sop, i64(n), ns(t)); err != nil {
			return err
		}
	}
	b.markDirty(a.id, key, t)
	if ae != "" {
		b.index = append(b.index, indexOp{key: key, ae: ae})
	}
	return nil
}

// hl7 records one end's view of an HL7 v2 message. An acknowledgement the
// asset sent is counted on its receiver row for that peer (acks_sent), as
// fingerprint.Facts.AddHL7 folds it. Only the fields the hl7_* tables
// document are kept (no MSA-1 code).
func (b *batch) hl7(key model.AssetKey, outer uint16, h *model.HL7Info, t time.Time, count bool) error {
	a, err := b.asset(key, outer, t, t, 0, 0)
	if err != nil {
		return err
	}
	n := int64(1)
	if h.Count > 0 {
		n = i64(h.Count)
	}
	if !count {
		n = 0
	}
	role, msgs, acks := h.Role, n, int64(0)
	ack := h.Role == model.RoleSender && h.AckCode != ""
	if ack {
		role, msgs, acks = model.RoleReceiver, 0, n
	}
	var appID, nMsgs, nAcks int64
	if err := b.stmt(sHL7Upsert).QueryRowContext(b.ctx, a.id, role, h.Application, h.Facility,
		h.PeerApplication, h.PeerFacility, ipText(normIP(h.PeerIP)), h.Port, h.Version, ns(t), ns(t),
		msgs, acks).Scan(&appID, &nMsgs, &nAcks); err != nil {
		return err
	}
	// The facts Classify sees change with a new row, the first ack, a new
	// message type or new equipment; counts do not matter to it.
	changed := nMsgs+nAcks == 1 || (ack && nAcks == 1)
	if !ack {
		if h.MessageType != "" {
			var n int64
			if err := b.stmt(sHL7TypeUpsert).QueryRowContext(b.ctx, appID, a.id, role, h.MessageType,
				msgs, ns(t), ns(t)).Scan(&n); err != nil {
				return err
			}
			changed = changed || n == 1
		}
		for i, id := range h.EquipmentIDs {
			if id == "" || seenBefore(h.EquipmentIDs[:i], id) {
				continue
			}
			res, err := b.exec(sHL7EquipInsert, appID, a.id, id, ns(t), ns(t))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				changed = true
				continue
			}
			if _, err := b.exec(sHL7EquipTouch, ns(t), ns(t), appID, id); err != nil {
				return err
			}
		}
	}
	if changed {
		b.markDirty(a.id, key, t)
	}
	return nil
}

// trimAE drops the space and NUL padding of DICOM AE titles and UIDs.
func trimAE(s string) string { return strings.Trim(s, " \x00") }

// seenCommand reports whether s has a command with c's name and SOP class.
func seenCommand(s []model.DICOMCommand, c model.DICOMCommand) bool {
	for _, x := range s {
		if x.Name == c.Name && x.SOPClass == c.SOPClass {
			return true
		}
	}
	return false
}

func seenBefore(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ipText is an address's stored form, empty when invalid.
func ipText(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
