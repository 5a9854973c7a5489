package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

// AssetDetail is an asset with the classification fields model.Asset does
// not have.
type AssetDetail struct {
	model.Asset
	Modality       string    // DICOM modality of an imaging-modality ("CT", ...), "" otherwise
	ClassStrength  int       // strength of the evidence behind Class (fingerprint Strength*), 0 if unclassified
	ClassChangedAt time.Time // when Class last changed value; zero if never
}

// Asset returns the asset with row id id, with its addresses. A missing
// asset is an error matching ErrNoAsset.
func (db *DB) Asset(ctx context.Context, id int64) (AssetDetail, error) {
	as, err := db.queryAssets(ctx, []string{"id = ?"}, []any{id}, 1)
	if err == nil && len(as) == 0 {
		err = &pathError{op: "query asset in", path: db.path, kind: ErrNoAsset, msg: fmt.Sprintf("no asset with id %d", id)}
	}
	if err != nil {
		return AssetDetail{}, err
	}
	return as[0], nil
}

// AssetByKey returns the asset keyed by k (normalised as the writer keys
// assets). A missing asset is an error matching ErrNoAsset.
func (db *DB) AssetByKey(ctx context.Context, k model.AssetKey) (AssetDetail, error) {
	nk, ok := normKey(k)
	var as []AssetDetail
	var err error
	if ok {
		mac, keyIP, _ := keyColumns(nk)
		as, err = db.queryAssets(ctx, []string{"vantage = ?", "vlan = ?", "mac = ?", "key_ip = ?"},
			[]any{nk.Vantage, nk.VLAN, mac, keyIP}, 1)
	}
	if err == nil && len(as) == 0 {
		err = &pathError{op: "query asset in", path: db.path, kind: ErrNoAsset, msg: "no asset " + k.String()}
	}
	if err != nil {
		return AssetDetail{}, err
	}
	return as[0], nil
}

// ClassOf returns the device class (model.ClassUnknown until classified) and the
// latest non-empty DICOM AE title of the asset keyed by k, from the
// database; both are "" when the asset is not in the inventory. A failed
// query is logged and reported as "". Per-flow callers should use Classes
// instead, which needs no query.
func (db *DB) ClassOf(ctx context.Context, k model.AssetKey) (class model.Class, aeTitle string) {
	nk, ok := normKey(k)
	if !ok {
		return "", ""
	}
	mac, keyIP, _ := keyColumns(nk)
	err := db.rdb.QueryRowContext(ctx, `SELECT class,
		ifnull((SELECT ae_title FROM dicom_aes d WHERE d.asset_id = a.id AND d.ae_title <> ''
			ORDER BY d.last_seen DESC, d.id DESC LIMIT 1), '')
		FROM assets a WHERE vantage = ? AND vlan = ? AND mac = ? AND key_ip = ?`,
		nk.Vantage, nk.VLAN, mac, keyIP).Scan(&class, &aeTitle)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		db.log.Warn("store: class lookup failed", zap.String("path", db.path), zap.Stringer("asset", nk),
			zap.Error(err))
	}
	if err != nil {
		return "", ""
	}
	return class, aeTitle
}

// ClassCounts returns how many assets have each device class.
func (db *DB) ClassCounts(ctx context.Context) (map[model.Class]int, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT class, count(*) FROM assets GROUP BY class`)
	if err != nil {
		return nil, wrap("count classes in", db.path, err)
	}
	defer rows.Close()
	m := map[model.Class]int{}
	for rows.Next() {
		var c model.Class
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, wrap("count classes in", db.path, err)
		}
		m[c] = n
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("count classes in", db.path, err)
	}
	return m, nil
}

// Totals are row counts that need no policy (zones): for metrics and
// status pages.
type Totals struct {
	Assets, Events       int
	Flows                int // flows rows
	Violations           int // violations rows (distinct flagged flows)
	ViolationsBySeverity map[string]int
	DICOMAEs             int // dicom_aes rows
	HL7Apps              int // hl7_apps rows
}

// Totals counts the inventory's rows.
func (db *DB) Totals(ctx context.Context) (Totals, error) {
	var t Totals
	err := db.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM assets), (SELECT count(*) FROM events),
		(SELECT count(*) FROM flows), (SELECT count(*) FROM violations), (SELECT count(*) FROM dicom_aes),
		(SELECT count(*) FROM hl7_apps)`).Scan(&t.Assets, &t.Events, &t.Flows, &t.Violations, &t.DICOMAEs, &t.HL7Apps)
	if err != nil {
		return t, wrap("count in", db.path, err)
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT severity, count(*) FROM violations GROUP BY severity`)
	if err != nil {
		return t, wrap("count in", db.path, err)
	}
	defer rows.Close()
	t.ViolationsBySeverity = map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return t, wrap("count in", db.path, err)
		}
		t.ViolationsBySeverity[s] = n
	}
	return t, wrap("count in", db.path, rows.Err())
}

// Flow is one flows row: the traffic between a client asset and a server
// (port) since first seen.
type Flow struct {
	ID         int64
	Vantage    string
	VLAN       uint16
	SrcAssetID int64
	Src        model.AssetKey // the client asset
	SrcIP      netip.Addr     // in the latest report; invalid if unknown
	// DstAssetID is the server asset, 0 when the frames' server MAC was
	// not an asset owning DstIP there (a router's: a routed flow). Dst is
	// its key, zero when DstAssetID is 0.
	DstAssetID int64
	Dst        model.AssetKey
	DstIP      netip.Addr
	// SrcLocal and DstLocal are the sensor's latest ClientLocal and
	// ServerLocal: the end's MAC is its own, not a router's.
	SrcLocal, DstLocal          bool
	Proto                       uint8
	Port                        uint16
	Service                     string
	FirstSeen, LastSeen         time.Time
	Packets, Bytes, Connections uint64
}

// FlowFilter selects flows. Zero fields match everything.
type FlowFilter struct {
	Since   time.Time  // last seen at or after
	AssetID int64      // either end
	IP      netip.Addr // either end's IP
	Vantage string
	VLAN    *uint16
	Proto   uint8
	Port    uint16
	Service string
	Limit   int // the first this many, by ID; 0 for all

	MAC    string // either end's asset MAC, any form model.ParseMAC accepts
	Offset int    // skip this many (after ordering)
	Desc   bool   // newest (highest ID) first
	// Chronological orders by first seen, then ID. IDs follow the
	// writer's batches, which concurrent reports may reorder; first-seen
	// times come from the capture, so this order is the same on every
	// replay of a file.
	Chronological bool
}

// Flows returns the flows matching f, by ID (creation order; newest first
// with f.Desc).
func (db *DB) Flows(ctx context.Context, f FlowFilter) ([]Flow, error) {
	where, args, err := flowWhere(f)
	if err != nil {
		return nil, err
	}
	q := `SELECT f.id, f.vantage, f.vlan, f.src_asset_id, s.vantage, s.vlan, s.mac, s.key_ip, f.src_ip,
		ifnull(f.dst_asset_id, 0), ifnull(d.vantage, ''), ifnull(d.vlan, 0), ifnull(d.mac, ''), ifnull(d.key_ip, ''),
		f.dst_ip, f.src_local, f.dst_local, f.proto, f.port, f.service, f.first_seen, f.last_seen,
		f.packets, f.bytes, f.connections
		FROM flows f JOIN assets s ON s.id = f.src_asset_id LEFT JOIN assets d ON d.id = f.dst_asset_id`
	q += whereClause(where) + order("f", f.Chronological, f.Desc)
	q, args = limitOffset(q, args, f.Limit, f.Offset)
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("query flows in", db.path, err)
	}
	defer rows.Close()
	var out []Flow
	for rows.Next() {
		var (
			x                                         Flow
			smac, skip, srcIP, dmac, dkip, dstIP      string
			first, last, packets, nbytes, connections int64
		)
		if err := rows.Scan(&x.ID, &x.Vantage, &x.VLAN, &x.SrcAssetID, &x.Src.Vantage, &x.Src.VLAN, &smac, &skip,
			&srcIP, &x.DstAssetID, &x.Dst.Vantage, &x.Dst.VLAN, &dmac, &dkip, &dstIP, &x.SrcLocal, &x.DstLocal,
			&x.Proto, &x.Port,
			&x.Service, &first, &last, &packets, &nbytes, &connections); err != nil {
			return nil, wrap("query flows in", db.path, err)
		}
		err := parseEnds(&x.Src, smac, skip, &x.SrcIP, srcIP, &x.Dst, dmac, dkip, &x.DstIP, dstIP)
		if err != nil {
			return nil, wrap("query flows in", db.path, fmt.Errorf("flow %d: %w", x.ID, err))
		}
		x.FirstSeen, x.LastSeen = fromNS(first), fromNS(last)
		x.Packets, x.Bytes, x.Connections = uint64(packets), uint64(nbytes), uint64(connections)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("query flows in", db.path, err)
	}
	return out, nil
}

// CountFlows returns how many flows match f (Limit, Offset, Desc ignored).
func (db *DB) CountFlows(ctx context.Context, f FlowFilter) (int, error) {
	where, args, err := flowWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	q := `SELECT count(*) FROM flows f JOIN assets s ON s.id = f.src_asset_id
		LEFT JOIN assets d ON d.id = f.dst_asset_id` + whereClause(where)
	if err := db.rdb.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, wrap("count flows in", db.path, err)
	}
	return n, nil
}

func flowWhere(f FlowFilter) (where []string, args []any, err error) {
	if !f.Since.IsZero() {
		where, args = append(where, "f.last_seen >= ?"), append(args, ns(f.Since))
	}
	if f.AssetID != 0 {
		where, args = append(where, "(f.src_asset_id = ? OR f.dst_asset_id = ?)"), append(args, f.AssetID, f.AssetID)
	}
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		where, args = append(where, "(f.src_ip = ? OR f.dst_ip = ?)"), append(args, ip, ip)
	}
	if f.MAC != "" {
		m, err := model.ParseMAC(f.MAC)
		if err != nil {
			return nil, nil, fmt.Errorf("flows filter: %w", err)
		}
		where, args = append(where, "(s.mac = ? OR d.mac = ?)"), append(args, m.String(), m.String())
	}
	where, args = commonFilter(where, args, f.Vantage, f.VLAN, f.Proto, f.Port, f.Service)
	return where, args, nil
}

// Violation is one violations row: a flow the policy flagged under one
// rule, with how often.
type Violation struct {
	ID                          int64
	Rule, SrcZone, DstZone      string
	Severity                    string
	Vantage                     string
	VLAN                        uint16
	SrcAssetID                  int64
	Src                         model.AssetKey
	SrcIP                       netip.Addr
	DstAssetID                  int64          // 0 when the server is not an asset there (see Flow)
	Dst                         model.AssetKey // zero when DstAssetID is 0
	DstIP                       netip.Addr
	Proto                       uint8
	Port                        uint16
	Service                     string
	FirstSeen, LastSeen         time.Time
	Count                       uint64 // observations that reported it
	Packets, Bytes, Connections uint64 // sums of the flow deltas they carried
}

// ViolationFilter selects violations. Zero fields match everything.
type ViolationFilter struct {
	Since    time.Time // last seen at or after
	Rule     string
	Severity string
	AssetID  int64 // either end
	Vantage  string
	VLAN     *uint16
	Limit    int // the first this many, by ID; 0 for all

	MAC        string     // either end's asset MAC, any form model.ParseMAC accepts
	IP         netip.Addr // either end's IP
	Zone       string     // either end's zone
	FirstSince time.Time  // first seen at or after
	Offset     int        // skip this many (after ordering)
	Desc       bool       // newest (highest ID) first
	// Chronological orders by first seen, then ID (see FlowFilter).
	Chronological bool
}

// Violations returns the violations matching f, by ID (first-seen order;
// newest first with f.Desc).
func (db *DB) Violations(ctx context.Context, f ViolationFilter) ([]Violation, error) {
	where, args, err := violationWhere(f)
	if err != nil {
		return nil, err
	}
	q := `SELECT v.id, v.rule, v.src_zone, v.dst_zone, v.severity, v.vantage, v.vlan,
		v.src_asset_id, s.vantage, s.vlan, s.mac, s.key_ip, v.src_ip,
		ifnull(v.dst_asset_id, 0), ifnull(d.vantage, ''), ifnull(d.vlan, 0), ifnull(d.mac, ''), ifnull(d.key_ip, ''),
		v.dst_ip, v.proto, v.port, v.service, v.first_seen, v.last_seen, v.count, v.packets, v.bytes, v.connections
		FROM violations v JOIN assets s ON s.id = v.src_asset_id LEFT JOIN assets d ON d.id = v.dst_asset_id`
	q += whereClause(where) + order("v", f.Chronological, f.Desc)
	q, args = limitOffset(q, args, f.Limit, f.Offset)
	return db.scanViolations(ctx, q, args)
}

// CountViolations returns how many violations match f (Limit, Offset,
// Desc ignored).
func (db *DB) CountViolations(ctx context.Context, f ViolationFilter) (int, error) {
	where, args, err := violationWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	q := `SELECT count(*) FROM violations v JOIN assets s ON s.id = v.src_asset_id
		LEFT JOIN assets d ON d.id = v.dst_asset_id` + whereClause(where)
	if err := db.rdb.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, wrap("count violations in", db.path, err)
	}
	return n, nil
}

func violationWhere(f ViolationFilter) (where []string, args []any, err error) {
	if !f.Since.IsZero() {
		where, args = append(where, "v.last_seen >= ?"), append(args, ns(f.Since))
	}
	if f.Rule != "" {
		where, args = append(where, "v.rule = ?"), append(args, f.Rule)
	}
	if f.Severity != "" {
		where, args = append(where, "v.severity = ?"), append(args, f.Severity)
	}
	if f.AssetID != 0 {
		where, args = append(where, "(v.src_asset_id = ? OR v.dst_asset_id = ?)"), append(args, f.AssetID, f.AssetID)
	}
	if f.Vantage != "" {
		where, args = append(where, "v.vantage = ?"), append(args, f.Vantage)
	}
	if f.VLAN != nil {
		where, args = append(where, "v.vlan = ?"), append(args, *f.VLAN)
	}
	if f.MAC != "" {
		m, err := model.ParseMAC(f.MAC)
		if err != nil {
			return nil, nil, fmt.Errorf("violations filter: %w", err)
		}
		where, args = append(where, "(s.mac = ? OR d.mac = ?)"), append(args, m.String(), m.String())
	}
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		where, args = append(where, "(v.src_ip = ? OR v.dst_ip = ?)"), append(args, ip, ip)
	}
	if f.Zone != "" {
		where, args = append(where, "(v.src_zone = ? OR v.dst_zone = ?)"), append(args, f.Zone, f.Zone)
	}
	if !f.FirstSince.IsZero() {
		where, args = append(where, "v.first_seen >= ?"), append(args, ns(f.FirstSince))
	}
	return where, args, nil
}

func (db *DB) scanViolations(ctx context.Context, q string, args []any) ([]Violation, error) {
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("query violations in", db.path, err)
	}
	defer rows.Close()
	var out []Violation
	for rows.Next() {
		var (
			x                                                Violation
			smac, skip, srcIP, dmac, dkip, dstIP             string
			first, last, count, packets, nbytes, connections int64
		)
		if err := rows.Scan(&x.ID, &x.Rule, &x.SrcZone, &x.DstZone, &x.Severity, &x.Vantage, &x.VLAN,
			&x.SrcAssetID, &x.Src.Vantage, &x.Src.VLAN, &smac, &skip, &srcIP,
			&x.DstAssetID, &x.Dst.Vantage, &x.Dst.VLAN, &dmac, &dkip, &dstIP, &x.Proto, &x.Port, &x.Service,
			&first, &last, &count, &packets, &nbytes, &connections); err != nil {
			return nil, wrap("query violations in", db.path, err)
		}
		err := parseEnds(&x.Src, smac, skip, &x.SrcIP, srcIP, &x.Dst, dmac, dkip, &x.DstIP, dstIP)
		if err != nil {
			return nil, wrap("query violations in", db.path, fmt.Errorf("violation %d: %w", x.ID, err))
		}
		x.FirstSeen, x.LastSeen = fromNS(first), fromNS(last)
		x.Count, x.Packets, x.Bytes, x.Connections = uint64(count), uint64(packets), uint64(nbytes), uint64(connections)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("query violations in", db.path, err)
	}
	return out, nil
}

// EvidenceRow is one piece of evidence behind an asset's classification.
type EvidenceRow struct {
	Source   model.EvidenceSource
	Value    string
	Rule     string
	Strength int
	// FirstSeen is the first classification that included it, LastSeen the
	// latest.
	FirstSeen, LastSeen time.Time
}

// Evidence returns the evidence of the asset's current classification, in
// the classifier's order (the deciding rule's first).
func (db *DB) Evidence(ctx context.Context, assetID int64) ([]EvidenceRow, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT source, value, rule, strength, first_seen, last_seen
		FROM evidence WHERE asset_id = ? ORDER BY position, source, value, rule`, assetID)
	if err != nil {
		return nil, wrap("query evidence in", db.path, err)
	}
	defer rows.Close()
	var out []EvidenceRow
	for rows.Next() {
		var e EvidenceRow
		var first, last int64
		if err := rows.Scan(&e.Source, &e.Value, &e.Rule, &e.Strength, &first, &last); err != nil {
			return nil, wrap("query evidence in", db.path, err)
		}
		e.FirstSeen, e.LastSeen = fromNS(first), fromNS(last)
		out = append(out, e)
	}
	return out, wrap("query evidence in", db.path, rows.Err())
}

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
		WHERE asset_id = ? ORDER BY first_seen, sop_class_uid`, assetID, func(rows *sql.Rows) error {
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
			WHERE asset_id = ? ORDER BY command, sop_class`, assetID, func(rows *sql.Rows) error {
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
		WHERE asset_id = ? ORDER BY first_seen, type`, assetID, func(rows *sql.Rows) error {
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
			WHERE asset_id = ? ORDER BY first_seen, equipment_id`, assetID, func(rows *sql.Rows) error {
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

// LearnEndpoint is one end of a LearnFlow, with the fields of
// policy.Endpoint.
type LearnEndpoint struct {
	Vantage string
	// VLAN is the flow's (the client's) VLAN for both ends, as
	// policy.Endpoint wants it for the server end of a routed flow.
	VLAN uint16
	// MAC is the end's own MAC: zero for an IP-keyed asset and for an end
	// whose frames carried a router's MAC (not local).
	MAC model.MAC
	IP  netip.Addr
	// Class is the end's device class: model.ClassUnknown until
	// classified, and for an end that is not local.
	Class model.Class
	// AETitle is the end's latest DICOM AE title (any association), ""
	// if none or not local.
	AETitle string
}

// LearnFlow is a flow with its totals, as policy.Learn takes it
// (policy.ObservedFlow).
type LearnFlow struct {
	Src, Dst                    LearnEndpoint // client, server
	Proto                       uint8
	Port                        uint16
	Packets, Bytes, Connections uint64
}

// FlowsForLearn returns every flow seen at or after since (all flows for
// the zero time), by ID, for proposing a policy. The counters are the flow
// rows' totals (since the flow was first seen: the store does not keep
// per-window counts).
//
// Endpoints are built the way the daemon's policy checker builds them from
// a live flow report, so that a policy learned from them allows the same
// flows live: an end is "local" as the sensor last reported it
// (ClientLocal/ServerLocal); a local end carries its asset's MAC, class and
// latest AE title (what Classes returns), an end that is not local zero,
// model.ClassUnknown and "".
func (db *DB) FlowsForLearn(ctx context.Context, since time.Time) ([]LearnFlow, error) {
	const op = "query flows in"
	const latestAE = `ifnull((SELECT ae_title FROM dicom_aes x WHERE x.asset_id = %s.id AND x.ae_title <> ''
		ORDER BY x.last_seen DESC, x.id DESC LIMIT 1), '')`
	rows, err := db.rdb.QueryContext(ctx, `SELECT f.vantage, f.vlan, f.src_ip, f.dst_ip, f.proto, f.port,
		f.packets, f.bytes, f.connections, f.src_local, s.mac, s.key_ip, s.class, `+fmt.Sprintf(latestAE, "s")+`,
		f.dst_local AND d.id IS NOT NULL, ifnull(d.mac, ''), ifnull(d.class, ''), `+fmt.Sprintf(latestAE, "d")+`
		FROM flows f JOIN assets s ON s.id = f.src_asset_id LEFT JOIN assets d ON d.id = f.dst_asset_id
		WHERE f.last_seen >= ? ORDER BY f.id`, ns(since))
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	var out []LearnFlow
	for rows.Next() {
		var (
			x                              LearnFlow
			srcIP, dstIP, smac, skip, dmac string
			srcLocal, dstLocal             bool
			packets, nbytes, connections   int64
		)
		if err := rows.Scan(&x.Src.Vantage, &x.Src.VLAN, &srcIP, &dstIP, &x.Proto, &x.Port,
			&packets, &nbytes, &connections, &srcLocal, &smac, &skip, &x.Src.Class, &x.Src.AETitle,
			&dstLocal, &dmac, &x.Dst.Class, &x.Dst.AETitle); err != nil {
			return nil, wrap(op, db.path, err)
		}
		var keyIP netip.Addr
		if x.Src.MAC, keyIP, err = parseKey(smac, skip); err == nil {
			x.Src.IP, err = parseIP(srcIP)
		}
		if err == nil {
			x.Dst.MAC, _, err = parseKey(dmac, "")
		}
		if err == nil {
			x.Dst.IP, err = parseIP(dstIP)
		}
		if err != nil {
			return nil, wrap(op, db.path, err)
		}
		if !x.Src.IP.IsValid() {
			x.Src.IP = keyIP
		}
		x.Dst.Vantage, x.Dst.VLAN = x.Src.Vantage, x.Src.VLAN
		if !srcLocal {
			x.Src.MAC, x.Src.Class, x.Src.AETitle = model.MAC{}, model.ClassUnknown, ""
		}
		if !dstLocal {
			x.Dst.MAC, x.Dst.Class, x.Dst.AETitle = model.MAC{}, model.ClassUnknown, ""
		}
		x.Packets, x.Bytes, x.Connections = uint64(packets), uint64(nbytes), uint64(connections)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	return out, nil
}

// scanEach runs q with one argument and calls fn for each row.
func (db *DB) scanEach(ctx context.Context, q string, arg any, fn func(*sql.Rows) error) error {
	rows, err := db.rdb.QueryContext(ctx, q, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// commonFilter adds the flow filters flows and violations share.
func commonFilter(where []string, args []any, vantage string, vlan *uint16, proto uint8, port uint16,
	service string) ([]string, []any) {
	if vantage != "" {
		where, args = append(where, "f.vantage = ?"), append(args, vantage)
	}
	if vlan != nil {
		where, args = append(where, "f.vlan = ?"), append(args, *vlan)
	}
	if proto != 0 {
		where, args = append(where, "f.proto = ?"), append(args, proto)
	}
	if port != 0 {
		where, args = append(where, "f.port = ?"), append(args, port)
	}
	if service != "" {
		where, args = append(where, "f.service = ?"), append(args, service)
	}
	return where, args
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// limitOffset appends LIMIT n (none for n <= 0) and OFFSET off (when > 0).
func limitOffset(q string, args []any, n, off int) (string, []any) {
	if n > 0 || off > 0 {
		if n <= 0 {
			n = -1 // SQLite: no limit
		}
		q += " LIMIT ?"
		args = append(args, n)
	}
	if off > 0 {
		q += " OFFSET ?"
		args = append(args, off)
	}
	return q, args
}

// order is the ORDER BY clause of flows and violations (alias t): by ID,
// or by first seen and ID; descending with desc.
func order(t string, chronological, desc bool) string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	if chronological {
		return " ORDER BY " + t + ".first_seen" + dir + ", " + t + ".id" + dir
	}
	return " ORDER BY " + t + ".id" + dir
}

// parseEnds parses the two asset keys and IPs of a flow or violation row.
func parseEnds(src *model.AssetKey, smac, skip string, srcIP *netip.Addr, srcIPText string,
	dst *model.AssetKey, dmac, dkip string, dstIP *netip.Addr, dstIPText string) error {
	var err error
	if src.MAC, src.IP, err = parseKey(smac, skip); err != nil {
		return err
	}
	if dst.MAC, dst.IP, err = parseKey(dmac, dkip); err != nil {
		return err
	}
	if *srcIP, err = parseIP(srcIPText); err != nil {
		return err
	}
	*dstIP, err = parseIP(dstIPText)
	return err
}

// parseIP parses a stored address; "" is the invalid Addr.
func parseIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}
