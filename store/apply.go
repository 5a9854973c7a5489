package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// FlipFlopWindow is arpwatch's flip-flop rule: an IP that returns to the
// MAC it had before its last change within this window is a flip-flop;
// later, or to a third MAC, it is an ip-moved.
const FlipFlopWindow = 24 * time.Hour

type stmtID int

const (
	sAssetTouch stmtID = iota
	sAssetTouchKey
	sAssetInsert
	sAssetGetKey
	sAssetDHCP
	sAddrTouch
	sAddrInsert
	sHostUpsert
	sBindGet
	sBindInsert
	sBindTouch
	sBindChange
	sEventInsert
	sDstAsset
	sOwnerByIP
	sFlowUpsert
	sViolationUpsert
	sDICOMUpsert
	sDICOMSOPUpsert
	sDICOMCmdUpsert
	sHL7Upsert
	sHL7TypeUpsert
	sHL7EquipInsert
	sHL7EquipTouch
	sFactsAsset
	sFactsDICOM
	sFactsDICOMSOP
	sFactsDICOMCmd
	sFactsHL7
	sFactsHL7Type
	sFactsHL7Equip
	sClassSet
	sEvidenceGet
	sEvidenceDelete
	sEvidenceInsert
	numStmts
)

// The writer's statements. ?1 first_seen, ?2 last_seen, ?3 packets,
// ?4 bytes, ?5 outer_vlan in the asset touches.
var stmtSQL = [numStmts]string{
	sAssetTouch: `UPDATE assets SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2),
		packets = packets + ?3, bytes = bytes + ?4,
		outer_vlan = CASE WHEN ?5 <> 0 THEN ?5 ELSE outer_vlan END
		WHERE id = ?6`,
	sAssetTouchKey: `UPDATE assets SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2),
		packets = packets + ?3, bytes = bytes + ?4,
		outer_vlan = CASE WHEN ?5 <> 0 THEN ?5 ELSE outer_vlan END
		WHERE vantage = ?6 AND vlan = ?7 AND mac = ?8 AND key_ip = ?9
		RETURNING id, hostname, dhcp_param_list, dhcp_vendor_class`,
	sAssetGetKey: `SELECT id, hostname, dhcp_param_list, dhcp_vendor_class FROM assets
		WHERE vantage = ? AND vlan = ? AND mac = ? AND key_ip = ?`,
	sAssetInsert: `INSERT INTO assets (vantage, vlan, mac, key_ip, keyed_by, outer_vlan, vendor, randomized,
		first_seen, last_seen, packets, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sAssetDHCP: `UPDATE assets SET hostname = ?1, dhcp_param_list = ?2,
		dhcp_max_msg_size = CASE WHEN ?3 <> 0 THEN ?3 ELSE dhcp_max_msg_size END,
		dhcp_vendor_class = ?4,
		dhcp_client_id = CASE WHEN ?5 <> '' THEN ?5 ELSE dhcp_client_id END,
		relay_circuit_id = CASE WHEN ?6 <> '' THEN ?6 ELSE relay_circuit_id END,
		relay_remote_id = CASE WHEN ?7 <> '' THEN ?7 ELSE relay_remote_id END
		WHERE id = ?8`,
	sAddrTouch: `UPDATE asset_addresses SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2),
		source = ?3 WHERE asset_id = ?4 AND ip = ?5`,
	sAddrInsert: `INSERT INTO asset_addresses (asset_id, ip, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)`,
	sHostUpsert: `INSERT INTO asset_hostnames (asset_id, name, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (asset_id, source, name) DO UPDATE SET
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
	sBindGet:    `SELECT mac, prev_mac, changed_at FROM ip_bindings WHERE vantage = ? AND vlan = ? AND ip = ?`,
	sBindInsert: `INSERT INTO ip_bindings (vantage, vlan, ip, mac, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
	sBindTouch:  `UPDATE ip_bindings SET last_seen = max(last_seen, ?) WHERE vantage = ? AND vlan = ? AND ip = ?`,
	sBindChange: `UPDATE ip_bindings SET mac = ?, prev_mac = ?, changed_at = ?, last_seen = max(last_seen, ?)
		WHERE vantage = ? AND vlan = ? AND ip = ?`,
	sEventInsert: `INSERT INTO events (time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value, asset_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	// ?1 vantage, ?2 vlan, ?3 mac, ?4 key_ip, ?5 the server IP it must have.
	sOwnerByIP: `SELECT a.vantage, a.vlan, a.mac, a.key_ip FROM asset_addresses x JOIN assets a ON a.id = x.asset_id
		WHERE x.ip = ?2 ORDER BY a.vantage = ?1 DESC, x.last_seen DESC, a.id DESC LIMIT 1`,
	sDstAsset: `SELECT id FROM assets WHERE vantage = ?1 AND vlan = ?2 AND mac = ?3 AND key_ip = ?4
		AND (key_ip = ?5 OR EXISTS (SELECT 1 FROM asset_addresses WHERE asset_id = assets.id AND ip = ?5))`,
	sFlowUpsert: `INSERT INTO flows (src_asset_id, dst_asset_id, src_ip, dst_ip, proto, port, src_local, dst_local,
		vantage, vlan, service, first_seen, last_seen, packets, bytes, connections)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (src_asset_id, src_ip, ifnull(dst_asset_id, 0), dst_ip, proto, port) DO UPDATE SET
		src_local = excluded.src_local, dst_local = excluded.dst_local,
		vantage = excluded.vantage, vlan = excluded.vlan,
		service = CASE WHEN excluded.service <> '' THEN excluded.service ELSE service END,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
		packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
		connections = connections + excluded.connections`,
	sViolationUpsert: `INSERT INTO violations (rule, src_zone, dst_zone, src_asset_id, dst_asset_id, src_ip, dst_ip,
		proto, port, service, severity, vantage, vlan, first_seen, last_seen, count, packets, bytes, connections)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (rule, src_zone, dst_zone, src_asset_id, src_ip, ifnull(dst_asset_id, 0), dst_ip, proto, port, service,
		severity) DO UPDATE SET
		vantage = excluded.vantage, vlan = excluded.vlan,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
		count = count + 1, packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
		connections = connections + excluded.connections
		RETURNING count`,
	sDICOMUpsert: `INSERT INTO dicom_aes (asset_id, role, ae_title, peer_ae_title, peer_ip, port, application_context,
		impl_class_uid, impl_version, max_pdu, first_seen, last_seen, associations, last_result)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (asset_id, role, ae_title, peer_ae_title, peer_ip) DO UPDATE SET
		port = CASE WHEN excluded.port <> 0 THEN excluded.port ELSE port END,
		application_context = CASE WHEN excluded.application_context <> '' THEN excluded.application_context
			ELSE application_context END,
		impl_class_uid = CASE WHEN excluded.impl_class_uid <> '' THEN excluded.impl_class_uid ELSE impl_class_uid END,
		impl_version = CASE WHEN excluded.impl_version <> '' THEN excluded.impl_version ELSE impl_version END,
		max_pdu = CASE WHEN excluded.max_pdu <> 0 THEN excluded.max_pdu ELSE max_pdu END,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
		associations = associations + excluded.associations,
		last_result = CASE WHEN excluded.last_result <> '' THEN excluded.last_result ELSE last_result END
		RETURNING id`,
	sDICOMSOPUpsert: `INSERT INTO dicom_sop_classes (ae_id, asset_id, role, sop_class_uid, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ae_id, sop_class_uid) DO UPDATE SET
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
	sDICOMCmdUpsert: `INSERT INTO dicom_commands (ae_id, asset_id, command, sop_class, count, last_seen)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ae_id, command, sop_class) DO UPDATE SET
		count = count + excluded.count, last_seen = max(last_seen, excluded.last_seen)`,
	sHL7Upsert: `INSERT INTO hl7_apps (asset_id, role, application, facility, peer_application, peer_facility, peer_ip,
		port, version, first_seen, last_seen, messages, acks_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (asset_id, role, application, facility, peer_application, peer_facility, peer_ip) DO UPDATE SET
		port = CASE WHEN excluded.port <> 0 THEN excluded.port ELSE port END,
		version = CASE WHEN excluded.version <> '' THEN excluded.version ELSE version END,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
		messages = messages + excluded.messages, acks_sent = acks_sent + excluded.acks_sent
		RETURNING id, messages, acks_sent`,
	sHL7TypeUpsert: `INSERT INTO hl7_message_types (app_id, asset_id, role, type, count, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, type) DO UPDATE SET count = count + excluded.count,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
		RETURNING count`,
	sHL7EquipInsert: `INSERT OR IGNORE INTO hl7_equipment (app_id, asset_id, equipment_id, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?)`,
	sHL7EquipTouch: `UPDATE hl7_equipment SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2)
		WHERE app_id = ?3 AND equipment_id = ?4`,
	// Classification: the facts of one asset, in first-seen order.
	sFactsAsset: `SELECT mac, vendor, randomized, dhcp_param_list, dhcp_vendor_class, hostname,
		class, class_confidence, class_strength, manufacturer, model, os, modality FROM assets WHERE id = ?`,
	sFactsDICOM: `SELECT id, role, ae_title, peer_ae_title, impl_class_uid, impl_version FROM dicom_aes
		WHERE asset_id = ? ORDER BY id`,
	sFactsDICOMSOP: `SELECT ae_id, sop_class_uid FROM dicom_sop_classes WHERE asset_id = ?
		ORDER BY first_seen, sop_class_uid`,
	sFactsDICOMCmd: `SELECT ae_id, command, sop_class FROM dicom_commands WHERE asset_id = ?
		ORDER BY command, sop_class`,
	sFactsHL7: `SELECT id, role, application, facility, peer_application, peer_facility, acks_sent FROM hl7_apps
		WHERE asset_id = ? ORDER BY id`,
	sFactsHL7Type:  `SELECT app_id, type FROM hl7_message_types WHERE asset_id = ? ORDER BY first_seen, type`,
	sFactsHL7Equip: `SELECT app_id, equipment_id FROM hl7_equipment WHERE asset_id = ? ORDER BY first_seen, equipment_id`,
	sClassSet: `UPDATE assets SET class = ?1, class_confidence = ?2, class_strength = ?3, manufacturer = ?4,
		model = ?5, os = ?6, modality = ?7, class_changed_at = CASE WHEN ?8 <> 0 THEN ?8 ELSE class_changed_at END
		WHERE id = ?9`,
	sEvidenceGet:    `SELECT source, value, rule, first_seen FROM evidence WHERE asset_id = ?`,
	sEvidenceDelete: `DELETE FROM evidence WHERE asset_id = ?`,
	sEvidenceInsert: `INSERT INTO evidence (asset_id, source, value, rule, strength, position, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (asset_id, source, value, rule) DO NOTHING`,
}

// stmts are the writer's statements, prepared once on its connection.
type stmts struct{ s [numStmts]*sql.Stmt }

func prepare(ctx context.Context, db *sql.DB) (*stmts, error) {
	st := &stmts{}
	for i, q := range stmtSQL {
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare statement %d: %w", i, err)
		}
		st.s[i] = s
	}
	return st, nil
}

func (st *stmts) close() {
	for i, s := range st.s {
		if s != nil {
			s.Close()
			st.s[i] = nil
		}
	}
}

// assetState is what the writer remembers of an asset: its row id and the
// fields whose changes are events.
type assetState struct {
	id          int64
	hostname    string
	params      string
	vendorClass string
}

type bindKey struct {
	vantage string
	vlan    uint16
	ip      netip.Addr
}

type binding struct {
	mac, prev string
	changedAt int64
}

// cache spares the writer a lookup per observation in steady state. It is
// emptied when it grows past max, and when a flush fails (a rollback may
// have removed rows it names).
type cache struct {
	max    int
	assets map[model.AssetKey]*assetState
	binds  map[bindKey]binding
	// dst resolves a flow's server end (server key, server IP) to the
	// asset id, 0 when it is not an asset there (a router's MAC). It is
	// emptied whenever an asset or an address is inserted, the only changes
	// that can turn a 0 into an id.
	dst map[dstKey]int64
}

func (c *cache) init(max int) {
	c.max = max
	c.reset()
}

func (c *cache) reset() {
	c.assets = make(map[model.AssetKey]*assetState)
	c.binds = make(map[bindKey]binding)
	c.dst = make(map[dstKey]int64)
}

func (c *cache) putAsset(k model.AssetKey, a *assetState) {
	if len(c.assets) >= c.max {
		c.assets = make(map[model.AssetKey]*assetState)
	}
	c.assets[k] = a
}

func (c *cache) putBinding(k bindKey, b binding) {
	if _, ok := c.binds[k]; !ok && len(c.binds) >= c.max {
		c.binds = make(map[bindKey]binding)
	}
	c.binds[k] = b
}

// batch is one flush's transaction.
type batch struct {
	ctx     context.Context
	db      *DB
	tx      *sql.Tx
	st      [numStmts]*sql.Stmt // tx-bound, made on first use
	invalid uint64
	ignored uint64
	// dirty are the assets whose fingerprint facts changed in the batch,
	// to classify before commit (only with Options.Classifier).
	dirty map[int64]*dirtyAsset
	// index are the changes to publish in DB.Classes once committed.
	index []indexOp
}

func (b *batch) stmt(id stmtID) *sql.Stmt {
	if b.st[id] == nil {
		b.st[id] = b.tx.StmtContext(b.ctx, b.db.stmts.s[id])
	}
	return b.st[id]
}

func (b *batch) exec(id stmtID, args ...any) (sql.Result, error) {
	return b.stmt(id).ExecContext(b.ctx, args...)
}

// writeBatch applies obs in one transaction.
func (db *DB) writeBatch(obs []model.Observation) error {
	ctx := context.Background()
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	b := &batch{ctx: ctx, db: db, tx: tx}
	for i := range obs {
		if err := b.apply(&obs[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("write %s observation of %s: %w", obs[i].Kind, obs[i].Key, err)
		}
	}
	if err := b.classify(); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.classes.apply(b.index)
	db.invalid.Add(b.invalid)
	db.ignored.Add(b.ignored)
	return nil
}

// normKey returns the key in the form the database keys assets by, and
// whether it names a device at all.
func normKey(k model.AssetKey) (model.AssetKey, bool) {
	if k.VLAN > 4095 {
		return k, false
	}
	if !k.MAC.IsZero() {
		k.IP = netip.Addr{}
		return k, !k.MAC.IsGroup()
	}
	k.IP = normIP(k.IP)
	return k, k.IP.IsValid() && !k.IP.IsUnspecified()
}

func normIP(ip netip.Addr) netip.Addr { return ip.Unmap().WithZone("") }

// usableIP reports whether ip can be an address binding (not a probe's
// 0.0.0.0).
func usableIP(ip netip.Addr) bool { return ip.IsValid() && !ip.IsUnspecified() }

func (b *batch) apply(o *model.Observation) error {
	key, ok := normKey(o.Key)
	if !ok {
		b.invalid++
		return nil
	}
	t := o.Time
	if t.IsZero() {
		t = b.db.opts.Now()
	}
	ip := normIP(o.IP)
	switch o.Kind {
	case model.ObsActivity:
		first := t
		if !o.First.IsZero() && o.First.Before(t) {
			first = o.First
		}
		_, err := b.asset(key, o.OuterVLAN, first, t, o.Packets, o.Bytes)
		return err

	case model.ObsAddress:
		a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
		if err != nil || !usableIP(ip) {
			return err
		}
		return b.address(a, key, ip, sourceOr(o.Source, o.Kind), t)

	case model.ObsARP, model.ObsDHCPAck:
		a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
		if err != nil || !usableIP(ip) {
			return err // a probe (sender 0.0.0.0) binds nothing
		}
		src := sourceOr(o.Source, o.Kind)
		if o.Kind == model.ObsDHCPAck {
			src = model.SourceDHCPAck
		}
		if err := b.address(a, key, ip, src, t); err != nil {
			return err
		}
		if key.KeyedByIP() {
			return nil
		}
		return b.bind(a, key, ip, t)

	case model.ObsDHCP:
		a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
		if err != nil || o.DHCP == nil {
			return err
		}
		// Classification reads hostname, option 55 and option 60: only a
		// change to one of them makes the asset worth classifying again.
		h, pl, vc := a.hostname, a.params, a.vendorClass
		if err := b.dhcp(a, key, ip, o.DHCP, t); err != nil {
			return err
		}
		if a.hostname != h || a.params != pl || a.vendorClass != vc {
			b.markDirty(a.id, key, t)
		}
		return nil

	case model.ObsFlow:
		if o.Flow != nil {
			return b.flow(key, o, t)
		}
	case model.ObsViolation:
		if o.Flow != nil && o.Violation != nil {
			return b.violation(key, o, t)
		}
	case model.ObsDICOM:
		if d := o.DICOM; d != nil && (d.Role == model.RoleSCU || d.Role == model.RoleSCP) {
			k, err := b.remoteOwner(key, o)
			if err != nil {
				return err
			}
			// Seen behind a router, the same association is usually also
			// seen on the end's own VLAN: record identity, not counts.
			return b.dicom(k, o.OuterVLAN, d, t, !o.Remote)
		}
	case model.ObsHL7:
		if h := o.HL7; h != nil && (h.Role == model.RoleSender || h.Role == model.RoleReceiver) {
			k, err := b.remoteOwner(key, o)
			if err != nil {
				return err
			}
			return b.hl7(k, o.OuterVLAN, h, t, !o.Remote)
		}
	case model.ObsMACFlood:
		// One event per flood episode, not tied to an asset: the flood's
		// MACs are exactly what is not stored.
		_, err := b.exec(sEventInsert, ns(t), model.EventMACFlood, key.Vantage, key.VLAN, key.MAC.String(), "", "",
			"", "new MACs beyond the new-asset budget are not recorded", nil)
		return err
	}
	b.ignored++ // a kind this schema does not persist, or one without its details
	return nil
}

// remoteOwner returns the asset a DICOM or HL7 fact belongs to. When the
// sensor saw the end behind a router (o.Remote: the frame's MAC is the
// router's), the fact goes to the asset that owns o.IP on this vantage
// (preferring this vantage, then any: several SPAN sessions of one switch
// may have their own vantage labels), or, if no asset owns it, to an asset
// keyed by IP with VLAN 0 (unknown): never to the router.
func (b *batch) remoteOwner(key model.AssetKey, o *model.Observation) (model.AssetKey, error) {
	if !o.Remote || !o.IP.IsValid() {
		return key, nil
	}
	ip := normIP(o.IP)
	k, ok, err := b.ownerOf(key.Vantage, ip)
	if err != nil || ok {
		return k, err
	}
	return model.AssetKey{Vantage: key.Vantage, IP: ip}, nil
}

// ownerOf returns the key of the asset that owns ip (has it among its
// addresses), preferring vantage and the most recent use; ok is false when
// no asset owns it.
func (b *batch) ownerOf(vantage string, ip netip.Addr) (k model.AssetKey, ok bool, err error) {
	var (
		v          string
		vlan       uint16
		mac, keyIP string
	)
	err = b.stmt(sOwnerByIP).QueryRowContext(b.ctx, vantage, ip.String()).Scan(&v, &vlan, &mac, &keyIP)
	switch {
	case err == nil:
		m, kip, perr := parseKey(mac, keyIP)
		if perr != nil {
			return k, false, perr
		}
		return model.AssetKey{Vantage: v, VLAN: vlan, MAC: m, IP: kip}, true, nil
	case errors.Is(err, sql.ErrNoRows):
		return k, false, nil
	}
	return k, false, err
}

// sourceOr returns s, or the name of the observation's kind when the
// observation names no source ("address", "arp").
func sourceOr(s model.ObsSource, k model.ObsKind) model.ObsSource {
	if s == "" {
		return model.ObsSource(k.String())
	}
	return s
}

// asset upserts the asset keyed by key: first_seen = min, last_seen = max,
// counters += deltas. A new asset gets its vendor and a new-asset event.
func (b *batch) asset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) (*assetState, error) {
	c := &b.db.cache
	if a := c.assets[key]; a != nil {
		res, err := b.exec(sAssetTouch, ns(first), ns(last), i64(packets), i64(bytes), outer, a.id)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return a, err
		}
		delete(c.assets, key) // the row was deleted behind the writer's back
	}
	mac, keyIP, _ := keyColumns(key)
	a := &assetState{}
	err := b.stmt(sAssetTouchKey).QueryRowContext(b.ctx, ns(first), ns(last), i64(packets), i64(bytes), outer,
		key.Vantage, key.VLAN, mac, keyIP).Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	if err == nil {
		c.putAsset(key, a)
		return a, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return b.insertAsset(key, outer, first, last, packets, bytes)
}

// ensureAsset returns the asset keyed by key, creating it (seen from first
// to last) if it does not exist, but leaving an existing one untouched: for
// observations that name an asset without saying when it sent (a flow
// report's times cover both directions).
// existingAsset returns the asset keyed by key, or nil if there is none.
func (b *batch) existingAsset(key model.AssetKey) (*assetState, error) {
	c := &b.db.cache
	if a := c.assets[key]; a != nil {
		return a, nil
	}
	mac, keyIP, _ := keyColumns(key)
	a := &assetState{}
	err := b.stmt(sAssetGetKey).QueryRowContext(b.ctx, key.Vantage, key.VLAN, mac, keyIP).
		Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	switch {
	case err == nil:
		c.putAsset(key, a)
		return a, nil
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	}
	return nil, err
}

func (b *batch) ensureAsset(key model.AssetKey, outer uint16, first, last time.Time) (*assetState, error) {
	c := &b.db.cache
	if a := c.assets[key]; a != nil {
		return a, nil
	}
	mac, keyIP, _ := keyColumns(key)
	a := &assetState{}
	err := b.stmt(sAssetGetKey).QueryRowContext(b.ctx, key.Vantage, key.VLAN, mac, keyIP).
		Scan(&a.id, &a.hostname, &a.params, &a.vendorClass)
	if err == nil {
		c.putAsset(key, a)
		return a, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return b.insertAsset(key, outer, first, last, 0, 0)
}

// insertAsset creates the asset keyed by key, with its vendor and a
// new-asset event.
func (b *batch) insertAsset(key model.AssetKey, outer uint16, first, last time.Time, packets, bytes uint64) (*assetState, error) {
	c := &b.db.cache
	mac, keyIP, keyedBy := keyColumns(key)
	a := &assetState{}
	var vendor string
	randomized := false
	if keyedBy == "mac" {
		if b.db.opts.Vendor != nil {
			vendor = b.db.opts.Vendor(key.MAC)
		}
		randomized = key.MAC.IsLocal()
	}
	res, err := b.exec(sAssetInsert, key.Vantage, key.VLAN, mac, keyIP, keyedBy, outer, vendor, randomized,
		ns(first), ns(last), i64(packets), i64(bytes))
	if err != nil {
		return nil, err
	}
	if a.id, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	c.putAsset(key, a)
	clear(c.dst)
	b.index = append(b.index, indexOp{key: key, class: model.ClassUnknown})
	if keyedBy == "mac" {
		b.markDirty(a.id, key, first) // vendor, randomized, virtual-NIC prefix
	}
	return a, b.event(model.EventNewAsset, first, key, a.id, netip.Addr{}, "", "")
}

// address records that the asset used ip; a new IP for it is a new-ip
// event.
func (b *batch) address(a *assetState, key model.AssetKey, ip netip.Addr, source model.ObsSource, t time.Time) error {
	s := ip.String()
	res, err := b.exec(sAddrTouch, ns(t), ns(t), source, a.id, s)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	if _, err := b.exec(sAddrInsert, a.id, s, source, ns(t), ns(t)); err != nil {
		return err
	}
	// Only the cached "no server asset" answer for this (asset, IP) can
	// change: owning an address is never undone.
	if nk, ok := normKey(key); ok {
		delete(b.db.cache.dst, dstKey{nk, normIP(ip)})
	}
	return b.event(model.EventNewIP, t, key, a.id, ip, "", s)
}

// bind applies arpwatch's rules to the binding ip -> key.MAC.
func (b *batch) bind(a *assetState, key model.AssetKey, ip netip.Addr, t time.Time) error {
	c := &b.db.cache
	bk := bindKey{key.Vantage, key.VLAN, ip}
	mac, ips := key.MAC.String(), ip.String()
	cur, ok := c.binds[bk]
	if !ok {
		err := b.stmt(sBindGet).QueryRowContext(b.ctx, key.Vantage, key.VLAN, ips).Scan(&cur.mac, &cur.prev, &cur.changedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := b.exec(sBindInsert, key.Vantage, key.VLAN, ips, mac, ns(t), ns(t)); err != nil {
				return err
			}
			c.putBinding(bk, binding{mac: mac})
			return b.event(model.EventNewStation, t, key, a.id, ip, "", mac)
		case err != nil:
			return err
		}
		c.putBinding(bk, cur)
	}
	if cur.mac == mac {
		_, err := b.exec(sBindTouch, ns(t), key.Vantage, key.VLAN, ips)
		return err
	}
	typ := model.EventIPMoved
	if cur.prev == mac && cur.changedAt != 0 && ns(t)-cur.changedAt < int64(FlipFlopWindow) {
		typ = model.EventFlipFlop
	}
	if _, err := b.exec(sBindChange, mac, cur.mac, ns(t), ns(t), key.Vantage, key.VLAN, ips); err != nil {
		return err
	}
	c.putBinding(bk, binding{mac: mac, prev: cur.mac, changedAt: ns(t)})
	return b.event(typ, t, key, a.id, ip, cur.mac, mac)
}

// dhcp stores a client's fingerprint and names, with an event for each
// change of a previously known hostname, vendor class or parameter list.
func (b *batch) dhcp(a *assetState, key model.AssetKey, ip netip.Addr, d *model.DHCPInfo, t time.Time) error {
	if !usableIP(ip) {
		ip = netip.Addr{}
	}
	type change struct {
		typ      model.EventType
		old, new string
	}
	var changes []change
	if d.Hostname != "" {
		if a.hostname != "" && !sameHost(a.hostname, d.Hostname) {
			changes = append(changes, change{model.EventHostname, a.hostname, d.Hostname})
		}
		a.hostname = d.Hostname
	} else if d.FQDN != "" && a.hostname == "" {
		a.hostname = d.FQDN // no option 12 known: the FQDN names it
	}
	if d.VendorClass != "" {
		if a.vendorClass != "" && a.vendorClass != d.VendorClass {
			changes = append(changes, change{model.EventVendorClass, a.vendorClass, d.VendorClass})
		}
		a.vendorClass = d.VendorClass
	}
	if params := paramList(d.ParamList); params != "" {
		if a.params != "" && a.params != params {
			changes = append(changes, change{model.EventDHCPFingerprint, a.params, params})
		}
		a.params = params
	}
	if _, err := b.exec(sAssetDHCP, a.hostname, a.params, d.MaxMsgSize, a.vendorClass,
		hex.EncodeToString(d.ClientID), relayID(d.RelayCircuitID), relayID(d.RelayRemoteID), a.id); err != nil {
		return err
	}
	for _, h := range [...]struct {
		name   string
		source model.ObsSource
	}{{d.Hostname, model.SourceDHCPOpt12}, {d.FQDN, model.SourceDHCPOpt81}} {
		if h.name == "" {
			continue
		}
		if _, err := b.exec(sHostUpsert, a.id, h.name, h.source, ns(t), ns(t)); err != nil {
			return err
		}
	}
	for _, ch := range changes {
		if err := b.event(ch.typ, t, key, a.id, ip, ch.old, ch.new); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) event(typ model.EventType, t time.Time, key model.AssetKey, assetID int64, ip netip.Addr, old, new string) error {
	mac, keyIP, _ := keyColumns(key)
	ips := ""
	if ip.IsValid() {
		ips = ip.String()
	}
	_, err := b.exec(sEventInsert, ns(t), typ, key.Vantage, key.VLAN, mac, keyIP, ips, old, new, assetID)
	return err
}

// keyColumns returns the mac, key_ip and keyed_by columns of a normalised
// key.
func keyColumns(k model.AssetKey) (mac, keyIP, keyedBy string) {
	if k.KeyedByIP() {
		return "", k.IP.String(), "ip"
	}
	return k.MAC.String(), "", "mac"
}

// sameHost reports whether two names name the same host: equal ignoring
// case, or one is the other's first label (an option 81 FQDN stored before
// the option 12 name arrived).
func sameHost(old, new string) bool {
	if strings.EqualFold(old, new) {
		return true
	}
	o, n := strings.ToLower(old), strings.ToLower(new)
	return strings.HasPrefix(o, n+".") || strings.HasPrefix(n, o+".")
}

// paramList formats option 55 as "1,3,6,15".
func paramList(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	buf := make([]byte, 0, 4*len(p))
	for i, c := range p {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendUint(buf, uint64(c), 10)
	}
	return string(buf)
}

// relayID formats an option 82 sub-option: as text if every byte is
// printable ASCII, else "0x" and lowercase hex.
func relayID(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	for _, c := range p {
		if c < 0x20 || c > 0x7e {
			return "0x" + hex.EncodeToString(p)
		}
	}
	return string(p)
}

// ns converts a time to the stored form: Unix nanoseconds, 0 for the zero
// time.
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNS is the inverse of ns, in UTC.
func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func i64(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
