package store

// The writer's prepared statements: one stmtID per statement, its SQL, and
// the set prepared once on the writer's connection.

import (
	"context"
	"database/sql"
	"fmt"
)

type stmtID int

const (
	sAssetTouch stmtID = iota
	sAssetInsert
	sAssetGetKey
	sAssetDHCP
	sAddrTouch
	sAddrInsert
	sOwnersOfIP
	sHostUpsert
	sBindGet
	sBindInsert
	sBindUpdate
	sEventInsert
	sFlowGet
	sFlowInsert
	sFlowUpdate
	sViolationGet
	sViolationInsert
	sViolationUpdate
	sCacheLoad
	sDICOMUpsert
	sDICOMSOPUpsert
	sDICOMCmdUpsert
	sAETitleByIP
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
	sFactsServed
	sOwnerClass
	sFactsFlows
	sFactsRouted
	sServersOf
	sClassSet
	sEvidenceGet
	sEvidenceTouch
	sEvidenceInsert
	sSignalUpsert
	sFactsSignals
	sBaselineStart
	sBaselineItem
	sEvidencePush
	sEvidenceDeleteOne
	sEvidenceUpdate
	sSignalWrite
	numStmts
)

// signalWriteSQL adds a signal report to its asset_signals row.
const signalWriteSQL = `INSERT INTO asset_signals (asset_id, source, value, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (asset_id, source, value) DO UPDATE SET
	first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
	reports = reports + 1`

// The writer's statements. Lookups (…Get, sOwnersOfIP) run outside any
// transaction when an observation names a row the writer's cache does not
// hold; the rest run in a flush, once per changed row.
var stmtSQL = [numStmts]string{
	// ?1 first_seen, ?2 last_seen, ?3 packets, ?4 bytes, ?5 outer_vlan.
	sAssetTouch: `UPDATE assets SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2),
		packets = packets + ?3, bytes = bytes + ?4,
		outer_vlan = CASE WHEN ?5 <> 0 THEN ?5 ELSE outer_vlan END
		WHERE id = ?6`,
	sAssetGetKey: `SELECT id, hostname, dhcp_param_list, dhcp_vendor_class FROM assets
		WHERE vantage = ? AND vlan = ? AND mac = ? AND key_ip = ?`,
	sAssetInsert: `INSERT INTO assets (id, vantage, vlan, mac, key_ip, keyed_by, outer_vlan, vendor, randomized,
		first_seen, last_seen, packets, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sAssetDHCP: `UPDATE assets SET hostname = ?1, dhcp_param_list = ?2,
		dhcp_max_msg_size = CASE WHEN ?3 <> 0 THEN ?3 ELSE dhcp_max_msg_size END,
		dhcp_vendor_class = ?4,
		dhcp_client_id = CASE WHEN ?5 <> '' THEN ?5 ELSE dhcp_client_id END,
		relay_circuit_id = CASE WHEN ?6 <> '' THEN ?6 ELSE relay_circuit_id END,
		relay_remote_id = CASE WHEN ?7 <> '' THEN ?7 ELSE relay_remote_id END
		WHERE id = ?8`,
	// ?1 asset_id, ?2 ip, ?3 source, ?4 first_seen, ?5 last_seen.
	sAddrTouch: `UPDATE asset_addresses SET first_seen = min(first_seen, ?4), last_seen = max(last_seen, ?5),
		source = ?3 WHERE asset_id = ?1 AND ip = ?2`,
	sAddrInsert: `INSERT INTO asset_addresses (asset_id, ip, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)`,
	sOwnersOfIP: `SELECT x.asset_id, a.vantage, a.vlan, a.mac, a.key_ip, x.source, x.first_seen, x.last_seen
		FROM asset_addresses x JOIN assets a ON a.id = x.asset_id WHERE x.ip = ?`,
	sHostUpsert: `INSERT INTO asset_hostnames (asset_id, name, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (asset_id, source, name) DO UPDATE SET
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
	sBindGet: `SELECT mac, prev_mac, changed_at FROM ip_bindings WHERE vantage = ? AND vlan = ? AND ip = ?`,
	sBindInsert: `INSERT INTO ip_bindings (vantage, vlan, ip, mac, prev_mac, first_seen, last_seen, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	sBindUpdate: `UPDATE ip_bindings SET mac = ?, prev_mac = ?, changed_at = ?, last_seen = max(last_seen, ?)
		WHERE vantage = ? AND vlan = ? AND ip = ?`,
	sEventInsert: `INSERT INTO events (time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value, asset_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sFlowGet: `SELECT id FROM flows WHERE src_asset_id = ? AND src_ip = ? AND ifnull(dst_asset_id, 0) = ? AND dst_ip = ?
		AND proto = ? AND port = ?`,
	sFlowInsert: `INSERT INTO flows (id, src_asset_id, dst_asset_id, src_ip, dst_ip, proto, port, src_local, dst_local,
		vantage, vlan, service, first_seen, last_seen, packets, bytes, connections)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sFlowUpdate: `UPDATE flows SET src_local = ?1, dst_local = ?2, vantage = ?3, vlan = ?4,
		service = CASE WHEN ?5 <> '' THEN ?5 ELSE service END,
		first_seen = min(first_seen, ?6), last_seen = max(last_seen, ?7),
		packets = packets + ?8, bytes = bytes + ?9, connections = connections + ?10
		WHERE id = ?11`,
	sViolationGet: `SELECT id FROM violations WHERE rule = ? AND src_zone = ? AND dst_zone = ? AND src_asset_id = ?
		AND src_ip = ? AND ifnull(dst_asset_id, 0) = ? AND dst_ip = ? AND proto = ? AND port = ? AND service = ?
		AND severity = ?`,
	sViolationInsert: `INSERT INTO violations (id, rule, src_zone, dst_zone, src_asset_id, dst_asset_id, src_ip, dst_ip,
		proto, port, service, severity, vantage, vlan, first_seen, last_seen, count, packets, bytes, connections)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	sCacheLoad: loadCacheQuery,
	sViolationUpdate: `UPDATE violations SET vantage = ?1, vlan = ?2,
		first_seen = min(first_seen, ?3), last_seen = max(last_seen, ?4),
		count = count + ?5, packets = packets + ?6, bytes = bytes + ?7, connections = connections + ?8
		WHERE id = ?9`,
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
	sAETitleByIP: `INSERT INTO ae_titles_by_ip (vantage, ip, ae_title, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)
		ON CONFLICT (vantage, ip) DO UPDATE SET
		ae_title = CASE WHEN excluded.last_seen >= last_seen THEN excluded.ae_title ELSE ae_title END,
		first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
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
		class, class_confidence, class_strength, manufacturer, model, os, modality, version FROM assets WHERE id = ?`,
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
	// The flows the asset answered (as a flow's server), one row each, with
	// the class of the client asset (for a routed client, src_local 0, the
	// router's): flowFacts counts clients and classes. Plain rows, no
	// temporary b-tree (each costs a page cache's allocation).
	sFactsServed: servedFlows + `SELECT f.proto, f.port, f.service, f.src_asset_id, f.src_ip, f.src_local, f.vantage, a.class
		FROM served f JOIN assets a ON a.id = f.src_asset_id`,
	// The asset that has the address on the vantage (the latest to use it),
	// and its class: a routed client's.
	sOwnerClass: `SELECT y.id, y.class, max(x.last_seen) FROM asset_addresses x JOIN assets y ON y.id = x.asset_id
		WHERE x.ip = ? AND y.vantage = ?`,
	// Whether the asset may have any flows for sFactsServed or sFactsRouted
	// (most assets serve nothing).
	sFactsFlows: `SELECT EXISTS (SELECT 1 FROM flows WHERE dst_asset_id = ?1)
		OR EXISTS (SELECT 1 FROM flows WHERE src_asset_id = ?1 AND src_local = 0)
		OR EXISTS (SELECT 1 FROM asset_addresses x JOIN flows f ON f.dst_ip = x.ip
			WHERE x.asset_id = ?1 AND f.dst_asset_id IS NULL AND f.dst_local = 1)`,
	// How many other addresses' traffic its MAC carried (as a router).
	sFactsRouted: `SELECT DISTINCT src_ip FROM flows WHERE src_asset_id = ? AND src_local = 0 AND src_ip <> ''`,
	// The servers an asset was a client of, on the link or routed (by
	// its addresses): their facts include its class. A flow's server is
	// its dst_asset_id or, for a flow to an address on the link no asset
	// was resolved for, the assets that have the address there
	// (servedFlows). (A server once per flow: DISTINCT would need a
	// temporary b-tree.)
	sServersOf: `WITH cf AS (SELECT f.dst_asset_id, f.dst_ip, f.dst_local, f.vantage, f.vlan FROM flows f
		WHERE f.src_asset_id = ?1 AND f.src_local = 1
		OR f.src_local = 0 AND f.vantage = (SELECT vantage FROM assets WHERE id = ?1)
			AND f.src_ip IN (SELECT ip FROM asset_addresses WHERE asset_id = ?1))
		SELECT a.id, a.vantage, a.vlan, a.mac, a.key_ip FROM cf JOIN assets a ON a.id = cf.dst_asset_id
		UNION ALL SELECT a.id, a.vantage, a.vlan, a.mac, a.key_ip FROM cf
			JOIN asset_addresses x ON x.ip = cf.dst_ip
			JOIN assets a ON a.id = x.asset_id AND a.vantage = cf.vantage AND a.vlan = cf.vlan
		WHERE cf.dst_asset_id IS NULL AND cf.dst_local = 1`,
	sClassSet: `UPDATE assets SET class = ?1, class_confidence = ?2, class_strength = ?3, manufacturer = ?4,
		model = ?5, os = ?6, modality = ?7, class_changed_at = CASE WHEN ?8 <> 0 THEN ?8 ELSE class_changed_at END,
		version = ?10 WHERE id = ?9`,
	sEvidenceGet: `SELECT source, value, rule, first_seen, strength, position, sets FROM evidence WHERE asset_id = ?`,
	// The times replaceEvidence gives rows that stay: ?2 the classification's.
	sEvidenceTouch: `UPDATE evidence SET first_seen = CASE WHEN first_seen <> 0 AND (?2 = 0 OR first_seen < ?2)
		THEN first_seen ELSE ?2 END, last_seen = ?2 WHERE asset_id = ?1`,
	sEvidenceDeleteOne: `DELETE FROM evidence WHERE asset_id = ? AND source = ? AND value = ? AND rule = ?`,
	sEvidenceUpdate: `UPDATE evidence SET strength = ?5, position = ?6, sets = ?7
		WHERE asset_id = ?1 AND source = ?2 AND value = ?3 AND rule = ?4`,
	sEvidenceInsert: `INSERT INTO evidence (asset_id, source, value, rule, strength, position, first_seen, last_seen, sets)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (asset_id, source, value, rule) DO NOTHING`,
	sSignalUpsert: signalWriteSQL + ` RETURNING reports, first_seen`,
	// sSignalUpsert without reading the row back, for an asset whose
	// signals the facts cache holds (writeSignal).
	sSignalWrite:   signalWriteSQL,
	sFactsSignals:  `SELECT source, value, first_seen FROM asset_signals WHERE asset_id = ? ORDER BY first_seen, source, value`,
	sBaselineStart: `INSERT INTO baselines (asset_id, started) VALUES (?, ?) ON CONFLICT (asset_id) DO NOTHING`,
	sBaselineItem: `INSERT INTO baseline_items (asset_id, kind, value, first_seen, learned, peer_ip, evidence)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (asset_id, kind, value) DO NOTHING`,
	// The asset whose evidence a flush wrote moves into the open push
	// epoch (0010_evidence_push.sql): the central pusher copies an asset's
	// evidence with the asset.
	sEvidencePush: `UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
		WHERE id = ?1 AND push_seq < (SELECT epoch FROM central_state WHERE id = 1)`,
}

// servedFlows (a WITH clause for one bound asset id, ?1) selects the flows
// the asset answered: those resolved to it, and those to one of its
// addresses on its link that were written before it owned the address
// (dst_asset_id is resolved when a flow report is written).
const servedFlows = `WITH me AS (SELECT id, vantage, vlan FROM assets WHERE id = ?1),
	served AS (SELECT f.* FROM flows f WHERE f.dst_asset_id = ?1
		UNION ALL SELECT f.* FROM flows f, me WHERE f.dst_asset_id IS NULL AND f.dst_local = 1
		AND f.vantage = me.vantage AND f.vlan = me.vlan
		AND f.dst_ip IN (SELECT ip FROM asset_addresses WHERE asset_id = ?1)) `

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
