package central

import (
	"fmt"
	"strings"
)

// kind is how a value read from SQLite is sent to PostgreSQL.
type kind uint8

const (
	kText kind = iota // TEXT -> text ('' for NULL)
	kInt              // INTEGER -> bigint (0 for NULL)
	kBool             // INTEGER 0/1 -> boolean
	kTime             // INTEGER Unix ns -> timestamptz, NULL for 0
)

func (k kind) pgArray() string {
	switch k {
	case kText:
		return "text[]"
	case kInt:
		return "bigint[]"
	case kBool:
		return "boolean[]"
	default:
		return "timestamptz[]"
	}
}

// column is one value read per row: sql is the SQLite expression, pg the
// central column it is stored in ("" for values only read to compute keys),
// name how keys refer to it (pg when empty).
type column struct {
	pg   string
	sql  string
	kind kind
	name string
}

func (c column) ref() string {
	if c.name != "" {
		return c.name
	}
	return c.pg
}

// key is a computed central key column: keyOf(tag, parts' values...) in
// order; parts name columns. A non-empty presentIf names an integer column
// that is 0 when the referenced row does not exist (a LEFT JOIN): the key
// is then NULL.
type key struct {
	pg        string
	tag       string
	parts     []string
	presentIf string
}

// table describes how one SQLite table is pushed.
type table struct {
	name string // the SQLite and the central table, and the cursor's name
	from string // SQLite FROM clause; x is the pushed table
	// seq orders the rows: x.push_seq (bounded by the closed epoch), or
	// for appendOnly tables the row id (no bound).
	seq        string
	appendOnly bool
	order      []column // tie-breakers within one seq value: x's key
	cols       []column
	keys       []key
	conflict   string // the central ON CONFLICT target
	// immutable: rows never change on the sensor; a re-push only updates
	// the site (the sensor moved).
	immutable bool
	// evidence: after each batch, replace the central evidence of the
	// batch's assets (tables whose order is the asset id only).
	withEvidence bool

	selectFirst, selectNext, upsert string // built by compile
	assign                          string // SQLite: give "new" rows (push_seq newSeq) a closed epoch
	idx                             map[string]int
}

// assetCols are the columns naming the asset alias a refers to, for asset
// keys, under the names p+"vantage", ...
func assetCols(a, p string) []column {
	return []column{
		{sql: a + ".vantage", kind: kText, name: p + "vantage"},
		{sql: a + ".vlan", kind: kInt, name: p + "vlan"},
		{sql: a + ".mac", kind: kText, name: p + "mac"},
		{sql: a + ".key_ip", kind: kText, name: p + "key_ip"},
	}
}

// optAssetCols are assetCols for a LEFT JOINed asset: ” and 0 when there is
// none, with p+"id" 0.
func optAssetCols(a, p string) []column {
	return []column{
		{sql: "ifnull(" + a + ".id, 0)", kind: kInt, name: p + "id"},
		{sql: "ifnull(" + a + ".vantage, '')", kind: kText, name: p + "vantage"},
		{sql: "ifnull(" + a + ".vlan, 0)", kind: kInt, name: p + "vlan"},
		{sql: "ifnull(" + a + ".mac, '')", kind: kText, name: p + "mac"},
		{sql: "ifnull(" + a + ".key_ip, '')", kind: kText, name: p + "key_ip"},
	}
}

func assetParts(p string) []string {
	return []string{p + "vantage", p + "vlan", p + "mac", p + "key_ip"}
}

func cols(list ...[]column) []column {
	var out []column
	for _, l := range list {
		out = append(out, l...)
	}
	return out
}

func text(names ...string) []column { return same(kText, names) }
func ints(names ...string) []column { return same(kInt, names) }
func times(names ...string) []column {
	return same(kTime, names)
}
func bools(names ...string) []column { return same(kBool, names) }

func same(k kind, names []string) []column {
	out := make([]column, len(names))
	for i, n := range names {
		out[i] = column{pg: n, sql: "x." + n, kind: k}
	}
	return out
}

var orderID = []column{{sql: "x.id", kind: kInt, name: "id"}}

// tables in push order. The order only matters for how soon a referenced
// row follows its referrer (see 0001_init.sql): correctness never depends
// on it.
var tables = mustCompile([]*table{
	{
		name:  "assets",
		from:  "assets x",
		seq:   "x.push_seq",
		order: orderID,
		cols: cols(
			text("vantage"), ints("vlan"), text("mac", "key_ip", "keyed_by"), ints("outer_vlan"),
			text("vendor"), bools("randomized"), times("first_seen", "last_seen"), ints("packets", "bytes"),
			text("hostname", "dhcp_param_list"), ints("dhcp_max_msg_size"),
			text("dhcp_vendor_class", "dhcp_client_id", "relay_circuit_id", "relay_remote_id", "class"),
			ints("class_confidence"), text("manufacturer", "model", "os", "modality"), ints("class_strength"),
			times("class_changed_at"), text("version"),
		),
		keys:         []key{{pg: "key", tag: tagAsset, parts: []string{"vantage", "vlan", "mac", "key_ip"}}},
		conflict:     "key",
		withEvidence: true,
	},
	{
		name:  "asset_addresses",
		from:  "asset_addresses x JOIN assets a ON a.id = x.asset_id",
		seq:   "x.push_seq",
		order: []column{{sql: "x.asset_id", kind: kInt, name: "o_asset_id"}, {sql: "x.ip", kind: kText, name: "o_ip"}},
		cols:  cols(assetCols("a", "a_"), text("ip", "source"), times("first_seen", "last_seen")),
		keys: []key{
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "asset_key, ip",
	},
	{
		name: "asset_hostnames",
		from: "asset_hostnames x JOIN assets a ON a.id = x.asset_id",
		seq:  "x.push_seq",
		order: []column{{sql: "x.asset_id", kind: kInt, name: "o_asset_id"},
			{sql: "x.source", kind: kText, name: "o_source"}, {sql: "x.name", kind: kText, name: "o_name"}},
		cols:     cols(assetCols("a", "a_"), text("name", "source"), times("first_seen", "last_seen")),
		keys:     []key{{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")}},
		conflict: "asset_key, source, name",
	},
	{
		name:  "dicom_aes",
		from:  "dicom_aes x JOIN assets a ON a.id = x.asset_id",
		seq:   "x.push_seq",
		order: orderID,
		cols: cols(assetCols("a", "a_"), text("role", "ae_title", "peer_ae_title", "peer_ip"), ints("port"),
			text("application_context", "impl_class_uid", "impl_version"), ints("max_pdu"),
			times("first_seen", "last_seen"), ints("associations"), text("last_result")),
		keys: []key{
			{pg: "key", tag: tagDICOMAE, parts: append(assetParts("a_"), "role", "ae_title", "peer_ae_title", "peer_ip")},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "key",
	},
	{
		name: "dicom_sop_classes",
		from: "dicom_sop_classes x JOIN dicom_aes p ON p.id = x.ae_id JOIN assets a ON a.id = p.asset_id",
		seq:  "x.push_seq",
		order: []column{{sql: "x.ae_id", kind: kInt, name: "o_ae_id"},
			{sql: "x.sop_class_uid", kind: kText, name: "o_sop_class_uid"}},
		cols: cols(assetCols("a", "a_"), aeCols, text("role", "sop_class_uid"), times("first_seen", "last_seen")),
		keys: []key{
			{pg: "ae_key", tag: tagDICOMAE, parts: aeParts},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "ae_key, sop_class_uid",
	},
	{
		name: "dicom_commands",
		from: "dicom_commands x JOIN dicom_aes p ON p.id = x.ae_id JOIN assets a ON a.id = p.asset_id",
		seq:  "x.push_seq",
		order: []column{{sql: "x.ae_id", kind: kInt, name: "o_ae_id"},
			{sql: "x.command", kind: kText, name: "o_command"}, {sql: "x.sop_class", kind: kText, name: "o_sop_class"}},
		cols: cols(assetCols("a", "a_"), aeCols, text("command", "sop_class"), ints("count"), times("last_seen")),
		keys: []key{
			{pg: "ae_key", tag: tagDICOMAE, parts: aeParts},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "ae_key, command, sop_class",
	},
	{
		name:  "hl7_apps",
		from:  "hl7_apps x JOIN assets a ON a.id = x.asset_id",
		seq:   "x.push_seq",
		order: orderID,
		cols: cols(assetCols("a", "a_"),
			text("role", "application", "facility", "peer_application", "peer_facility", "peer_ip"), ints("port"),
			text("version"), times("first_seen", "last_seen"), ints("messages", "acks_sent")),
		keys: []key{
			{pg: "key", tag: tagHL7App, parts: append(assetParts("a_"),
				"role", "application", "facility", "peer_application", "peer_facility", "peer_ip")},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "key",
	},
	{
		name: "hl7_message_types",
		from: "hl7_message_types x JOIN hl7_apps p ON p.id = x.app_id JOIN assets a ON a.id = p.asset_id",
		seq:  "x.push_seq",
		order: []column{{sql: "x.app_id", kind: kInt, name: "o_app_id"},
			{sql: "x.type", kind: kText, name: "o_type"}},
		cols: cols(assetCols("a", "a_"), appCols, text("role", "type"), ints("count"), times("first_seen", "last_seen")),
		keys: []key{
			{pg: "app_key", tag: tagHL7App, parts: appParts},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "app_key, type",
	},
	{
		name: "hl7_equipment",
		from: "hl7_equipment x JOIN hl7_apps p ON p.id = x.app_id JOIN assets a ON a.id = p.asset_id",
		seq:  "x.push_seq",
		order: []column{{sql: "x.app_id", kind: kInt, name: "o_app_id"},
			{sql: "x.equipment_id", kind: kText, name: "o_equipment_id"}},
		cols: cols(assetCols("a", "a_"), appCols, text("equipment_id"), times("first_seen", "last_seen")),
		keys: []key{
			{pg: "app_key", tag: tagHL7App, parts: appParts},
			{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")},
		},
		conflict: "app_key, equipment_id",
	},
	{
		name:  "flows",
		from:  "flows x JOIN assets s ON s.id = x.src_asset_id LEFT JOIN assets d ON d.id = x.dst_asset_id",
		seq:   "x.push_seq",
		order: orderID,
		cols: cols(assetCols("s", "s_"), optAssetCols("d", "d_"), text("src_ip", "dst_ip"), ints("proto", "port"),
			bools("src_local", "dst_local"), text("vantage"), ints("vlan"), text("service"),
			times("first_seen", "last_seen"), ints("packets", "bytes", "connections")),
		keys: []key{
			{pg: "key", tag: tagFlow, parts: cat(assetParts("s_"), []string{"src_ip"}, assetParts("d_"),
				[]string{"dst_ip", "proto", "port"})},
			{pg: "src_asset_key", tag: tagAsset, parts: assetParts("s_")},
			{pg: "dst_asset_key", tag: tagAsset, parts: assetParts("d_"), presentIf: "d_id"},
		},
		conflict: "key",
	},
	{
		name:  "violations",
		from:  "violations x JOIN assets s ON s.id = x.src_asset_id LEFT JOIN assets d ON d.id = x.dst_asset_id",
		seq:   "x.push_seq",
		order: orderID,
		cols: cols(assetCols("s", "s_"), optAssetCols("d", "d_"), text("rule", "src_zone", "dst_zone", "src_ip", "dst_ip"),
			ints("proto", "port"), text("service", "severity", "vantage"), ints("vlan"),
			times("first_seen", "last_seen"), ints("count", "packets", "bytes", "connections")),
		keys: []key{
			{pg: "key", tag: tagViolation, parts: cat([]string{"rule", "src_zone", "dst_zone"}, assetParts("s_"),
				[]string{"src_ip"}, assetParts("d_"), []string{"dst_ip", "proto", "port", "service", "severity"})},
			{pg: "src_asset_key", tag: tagAsset, parts: assetParts("s_")},
			{pg: "dst_asset_key", tag: tagAsset, parts: assetParts("d_"), presentIf: "d_id"},
		},
		conflict: "key",
	},
	{
		name: "ae_titles_by_ip",
		from: "ae_titles_by_ip x",
		seq:  "x.push_seq",
		order: []column{{sql: "x.vantage", kind: kText, name: "o_vantage"},
			{sql: "x.ip", kind: kText, name: "o_ip"}},
		cols:     cols(text("vantage", "ip", "ae_title"), times("first_seen", "last_seen")),
		conflict: "sensor, vantage, ip",
	},
	{
		name:     "probe_answers",
		from:     "probe_answers x JOIN assets a ON a.id = x.asset_id",
		seq:      "x.push_seq",
		order:    []column{{sql: "x.asset_id", kind: kInt, name: "o_asset_id"}},
		cols:     cols(assetCols("a", "a_"), text("ip"), times("first_seen", "last_seen"), ints("answers")),
		keys:     []key{{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")}},
		conflict: "asset_key",
	},
	{
		name:       "events",
		from:       "events x",
		seq:        "x.id",
		appendOnly: true,
		cols: cols([]column{{pg: "db_id", sql: "(SELECT db_id FROM central_state WHERE id = 1)", kind: kText},
			{pg: "event_id", sql: "x.id", kind: kInt}},
			times("time"), text("type", "vantage"), ints("vlan"), text("mac", "key_ip", "ip", "old_value", "new_value")),
		keys: []key{
			{pg: "key", tag: tagEvent, parts: []string{"db_id", "event_id"}},
			{pg: "asset_key", tag: tagAsset, parts: []string{"vantage", "vlan", "mac", "key_ip"}},
		},
		conflict:  "key",
		immutable: true,
	},
})

// evidenceTable is pushed with assets (table.withEvidence): the rows of the
// assets whose local ids are in the JSON array parameter.
var evidenceTable = mustCompileOne(&table{
	name: "evidence",
	from: "evidence x JOIN assets a ON a.id = x.asset_id",
	cols: cols(assetCols("a", "a_"), text("source", "value", "rule"), ints("strength", "position"),
		times("first_seen", "last_seen"), text("sets")),
	keys:     []key{{pg: "asset_key", tag: tagAsset, parts: assetParts("a_")}},
	conflict: "asset_key, source, value, rule",
})

// The DICOM AE (p) and HL7 application (p) a fact row belongs to, for its
// ae_key / app_key.
var (
	aeCols = []column{
		{sql: "p.role", kind: kText, name: "p_role"},
		{sql: "p.ae_title", kind: kText, name: "p_ae_title"},
		{sql: "p.peer_ae_title", kind: kText, name: "p_peer_ae_title"},
		{sql: "p.peer_ip", kind: kText, name: "p_peer_ip"},
	}
	aeParts = append(assetParts("a_"), "p_role", "p_ae_title", "p_peer_ae_title", "p_peer_ip")

	appCols = []column{
		{sql: "p.role", kind: kText, name: "p_role"},
		{sql: "p.application", kind: kText, name: "p_application"},
		{sql: "p.facility", kind: kText, name: "p_facility"},
		{sql: "p.peer_application", kind: kText, name: "p_peer_application"},
		{sql: "p.peer_facility", kind: kText, name: "p_peer_facility"},
		{sql: "p.peer_ip", kind: kText, name: "p_peer_ip"},
	}
	appParts = append(assetParts("a_"), "p_role", "p_application", "p_facility", "p_peer_application",
		"p_peer_facility", "p_peer_ip")
)

func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func mustCompile(ts []*table) []*table {
	for _, t := range ts {
		mustCompileOne(t)
	}
	return ts
}

func mustCompileOne(t *table) *table {
	if err := t.compile(); err != nil {
		panic(err) // a defect in the table list, caught by any test
	}
	return t
}

// compile checks the spec and builds its statements.
//
// SQLite, first batch of an epoch range (no key yet) and the next ones
// (keyset pagination on (seq, order...) with a row value):
//
//	SELECT seq, order..., cols... FROM from WHERE seq > ?1 AND seq <= ?2 ORDER BY seq, order... LIMIT ?3
//	SELECT ... WHERE (seq, order...) > (?1, ?4, ...) AND seq <= ?2 ...
//
// appendOnly tables have no upper bound (?2 is ignored).
//
// PostgreSQL: one INSERT ... SELECT FROM unnest($3::type[], ...) per batch,
// $1 and $2 the sensor and site.
func (t *table) compile() error {
	t.idx = make(map[string]int)
	var sel []string
	n := 0
	add := func(c column) error {
		if _, dup := t.idx[c.ref()]; dup {
			return fmt.Errorf("central: table %s: column %q twice", t.name, c.ref())
		}
		t.idx[c.ref()] = n
		n++
		sel = append(sel, c.sql)
		return nil
	}
	for _, c := range t.order {
		if err := add(c); err != nil {
			return err
		}
	}
	for _, c := range t.cols {
		if err := add(c); err != nil {
			return err
		}
	}
	for _, k := range t.keys {
		for _, p := range k.parts {
			if _, ok := t.idx[p]; !ok {
				return fmt.Errorf("central: table %s: key %s: no column %q", t.name, k.pg, p)
			}
		}
		if k.presentIf != "" {
			if _, ok := t.idx[k.presentIf]; !ok {
				return fmt.Errorf("central: table %s: key %s: no column %q", t.name, k.pg, k.presentIf)
			}
		}
	}
	if t.withEvidence && (len(t.order) != 1 || t.order[0].sql != "x.id") {
		return fmt.Errorf("central: table %s: evidence needs the asset id as the only order column", t.name)
	}

	if t.seq != "" {
		keyset := []string{t.seq}
		for _, c := range t.order {
			keyset = append(keyset, c.sql)
		}
		base := "SELECT " + t.seq + ", " + strings.Join(sel, ", ") + " FROM " + t.from + " WHERE "
		bound := " AND " + t.seq + " <= ?2"
		if t.appendOnly {
			bound = "" // ?2 stays an unused parameter
		}
		tail := bound + " ORDER BY " + strings.Join(keyset, ", ") + " LIMIT ?3"
		t.selectFirst = base + t.seq + " > ?1" + tail
		if len(t.order) > 0 {
			ph := []string{"?1"}
			for i := range t.order {
				ph = append(ph, fmt.Sprintf("?%d", i+4))
			}
			t.selectNext = base + "(" + strings.Join(keyset, ", ") + ") > (" + strings.Join(ph, ", ") + ")" + tail
		}
	} else {
		t.selectFirst = "SELECT " + strings.Join(sel, ", ") + " FROM " + t.from +
			" WHERE x.asset_id IN (SELECT value FROM json_each(?1))"
	}

	if t.seq != "" && !t.appendOnly {
		var k []string
		for _, c := range t.order {
			k = append(k, strings.TrimPrefix(c.sql, "x."))
		}
		key := strings.Join(k, ", ")
		if len(k) > 1 {
			key = "(" + key + ")"
		}
		t.assign = "UPDATE " + t.name + " SET push_seq = ?1 WHERE " + key + " IN (SELECT " + strings.Join(k, ", ") +
			" FROM " + t.name + " WHERE push_seq = ?2 LIMIT ?3)"
	}

	// PostgreSQL.
	var pgCols, unnest, set []string
	pgCols = append(pgCols, "sensor", "site")
	i := 3
	arg := func(name string, k kind) {
		pgCols = append(pgCols, name)
		unnest = append(unnest, fmt.Sprintf("$%d::%s", i, k.pgArray()))
		i++
	}
	for _, k := range t.keys {
		arg(k.pg, kInt)
	}
	for _, c := range t.cols {
		if c.pg != "" {
			arg(c.pg, c.kind)
		}
	}
	conflict := map[string]bool{}
	for _, c := range strings.Split(t.conflict, ",") {
		conflict[strings.TrimSpace(c)] = true
	}
	for _, c := range pgCols {
		if !conflict[c] {
			set = append(set, c+" = EXCLUDED."+c)
		}
	}
	action := "DO UPDATE SET " + strings.Join(set, ", ")
	if t.immutable {
		action = "DO UPDATE SET site = EXCLUDED.site WHERE " + t.name + ".site <> EXCLUDED.site"
	}
	t.upsert = "INSERT INTO " + t.name + " (" + strings.Join(pgCols, ", ") + ") SELECT $1::text, $2::text, * FROM unnest(" +
		strings.Join(unnest, ", ") + ") ON CONFLICT (" + t.conflict + ") " + action
	return nil
}
