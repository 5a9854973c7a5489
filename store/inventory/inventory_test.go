package inventory_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// The fixture's devices and clock (inventorytest).
const (
	pumpMAC    = inventorytest.PumpMAC
	monitorMAC = inventorytest.MonitorMAC
	ctMAC      = inventorytest.CTMAC
	pacsMAC    = inventorytest.PACSMAC
	wsMAC      = inventorytest.WSMAC
	hostileMAC = inventorytest.HostileMAC
	routerMAC  = inventorytest.RouterMAC
	hostileTag = inventorytest.HostileTag
	formula    = inventorytest.Formula
)

var t0 = inventorytest.Now

// The database and the zones the service is wired with in production
// satisfy its interfaces.
var _ inventory.Store = (*store.DB)(nil)

func mustMAC(s string) model.MAC {
	m, err := model.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func macs(recs []inventory.AssetRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.MAC)
	}
	return out
}

func query(t *testing.T, raw string) inventory.AssetQuery {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q, err := inventory.ParseAssetQuery(v, t0, inventory.Paging{})
	if err != nil {
		t.Fatalf("ParseAssetQuery(%q): %v", raw, err)
	}
	return q
}

func TestAssetFilters(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	tests := []struct {
		query string
		want  []string // MACs, in order
	}{
		{"class=infusion-pump", []string{pumpMAC}},
		{"vendor=siemens", []string{ctMAC}},
		{"vendor=%25", nil},                                    // % is a literal, not a wildcard
		{"search=alaris-pc", []string{pumpMAC}},                // hostname, any case
		{"search=PACS_MAIN", []string{pacsMAC}},                // DICOM AE title
		{"search=hyperlink", []string{hostileMAC}},             // HL7 application
		{"search=' OR 1=1 --", nil},                            // bound, not SQL
		{"vlan=20&state=active", []string{routerMAC, pumpMAC}}, // key order: MAC
		{"state=dormant", []string{monitorMAC}},
		{"state=retired", []string{hostileMAC}},
		{"zone=pumps", []string{routerMAC, monitorMAC, pumpMAC}},
		{"zone=radiology", []string{wsMAC}}, // by its AE title RAD_WS07
		{"ip=10.50.0.20", []string{pacsMAC}},
		{"mac=00-00-0C-9F-F0-01", []string{routerMAC, routerMAC}},
		{"seen_since=90m", []string{pumpMAC, pacsMAC}},
		{"seen_since=2026-03-01T09:30:00Z&sort=-last_seen", []string{pacsMAC, pumpMAC, ctMAC}},
		{"new_since=3h&sort=last_seen", []string{ctMAC, pumpMAC, pacsMAC}},
		{"modality=CT", []string{ctMAC}},
		{"sort=-hostname&limit=2", []string{wsMAC, pacsMAC}},
		{"sort=-hostname&limit=2&offset=2", []string{monitorMAC, ctMAC}},
	}
	for _, tt := range tests {
		page, err := inv.Assets(ctx, query(t, tt.query))
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		if got := macs(page.Items); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.query, got, tt.want)
		}
	}
	// Totals count every match, not just the page.
	page, err := inv.Assets(ctx, query(t, "sort=-hostname&limit=2&offset=2"))
	if err != nil || page.Total != 8 || page.Limit != 2 || page.Offset != 2 {
		t.Errorf("paged total: %+v %v", page, err)
	}
	page, err = inv.Assets(ctx, query(t, "zone=pumps&limit=1&offset=1"))
	if err != nil || page.Total != 3 || len(page.Items) != 1 || page.Items[0].MAC != monitorMAC {
		t.Errorf("zone page: %+v %v", page, err)
	}
}

func TestAssetRecord(t *testing.T) {
	inv := inventorytest.Service(t, true)
	page, err := inv.Assets(context.Background(), query(t, "mac="+ctMAC))
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%+v %v", page, err)
	}
	r := page.Items[0]
	if r.Class != "imaging-modality" || r.Modality != "CT" || r.Zone != "imaging" || r.State != inventory.StateActive ||
		!slices.Equal(r.AETitles, []string{"CT_SCANNER1"}) || !slices.Equal(r.IPs, []string{"10.30.0.21"}) ||
		r.Hostname != "CT-SOMATOM-01" || r.VLAN != 30 || r.LastSeen != "2026-03-01T10:00:00Z" || r.ID == 0 {
		t.Errorf("CT record: %+v", r)
	}
	if !strings.Contains(r.Vendor, "Siemens") {
		t.Errorf("vendor %q", r.Vendor)
	}
}

func TestLifecycle(t *testing.T) {
	l := inventory.Lifecycle{DormantAfter: 7 * 24 * time.Hour, RetiredAfter: 90 * 24 * time.Hour}
	for _, tt := range []struct {
		idle time.Duration
		want string
	}{
		{0, inventory.StateActive}, {-time.Hour, inventory.StateActive}, {7*24*time.Hour - time.Second, inventory.StateActive},
		{7 * 24 * time.Hour, inventory.StateDormant}, {89 * 24 * time.Hour, inventory.StateDormant},
		{90 * 24 * time.Hour, inventory.StateRetired}, {900 * 24 * time.Hour, inventory.StateRetired},
	} {
		if got := l.State(t0.Add(-tt.idle), t0); got != tt.want {
			t.Errorf("idle %v: %s, want %s", tt.idle, got, tt.want)
		}
	}
	// Custom thresholds from the config reach the queries.
	inv := inventory.New(inventory.Options{Store: inventorytest.DB(t), Now: func() time.Time { return t0 },
		Lifecycle: inventory.Lifecycle{DormantAfter: 30 * time.Minute, RetiredAfter: 3 * time.Hour}})
	page, err := inv.Assets(context.Background(), query(t, "state=active"))
	if err != nil || !slices.Equal(macs(page.Items), []string{pacsMAC}) {
		t.Errorf("active with 30m: %q %v", macs(page.Items), err)
	}
	s, err := inv.Summary(context.Background())
	if err != nil || s.ByState[inventory.StateActive] != 1 || s.ByState[inventory.StateDormant] != 2 || s.ByState[inventory.StateRetired] != 5 {
		t.Errorf("summary states: %v %v", s.ByState, err)
	}
}

func TestAssetDetail(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	d, err := inv.Asset(ctx, "DC-4A-3E-A2-C8-32", inventory.AssetRefQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Asset.MAC != pacsMAC || d.Classification.Class == "" || len(d.Addresses) != 1 || len(d.Hostnames) != 1 {
		t.Errorf("PACS: %+v", d)
	}
	if len(d.DICOM) != 1 || d.DICOM[0].AETitle != "PACS_MAIN" || d.DICOM[0].Role != "scp" ||
		d.DICOM[0].SOPClasses[0].Name != "Verification" {
		t.Errorf("PACS DICOM: %+v", d.DICOM)
	}
	// The workstation on the same VLAN is a named peer; the CT's flow came
	// through the router (server end not an asset on VLAN 30).
	if len(d.Peers) != 1 || d.Peers[0].Role != "server" || d.Peers[0].PeerHostname != "WS-RAD-07" ||
		d.Peers[0].PeerMAC != wsMAC || d.Peers[0].Service != "dicom" || d.PeersTotal != 1 {
		t.Errorf("PACS peers: %+v", d.Peers)
	}
	if len(d.Events) == 0 || d.EventsTotal != len(d.Events) || d.Events[0].Type == "" {
		t.Errorf("PACS events: %+v", d.Events)
	}

	ct, err := inv.Asset(ctx, "10.30.0.21", inventory.AssetRefQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.Classification.Evidence) == 0 || ct.Classification.Evidence[0].Source != "dicom.sop_class" {
		t.Errorf("CT evidence: %+v", ct.Classification.Evidence)
	}
	// Routed: no MAC on VLAN 30, but the name of the device using the IP.
	if len(ct.Peers) != 1 || ct.Peers[0].Role != "client" || ct.Peers[0].PeerIP != "10.50.0.20" || ct.Peers[0].PeerMAC != "" ||
		ct.Peers[0].PeerHostname != "PACS01" || ct.Peers[0].PeerClass != "pacs" {
		t.Errorf("CT peers: %+v", ct.Peers)
	}

	pump, err := inv.Asset(ctx, pumpMAC, inventory.AssetRefQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pump.Violations) != 1 || pump.ViolationsTotal != 1 || pump.Violations[0].Rule != "pumps-to-internet" ||
		pump.Violations[0].SrcHostname != "ALARIS-PC-0042" || pump.Violations[0].DstIP != "203.0.113.10" {
		t.Errorf("pump violations: %+v", pump.Violations)
	}
	if pump.Asset.Class != "infusion-pump" || pump.Asset.Zone != "pumps" {
		t.Errorf("pump: %+v", pump.Asset)
	}

	hostile, err := inv.Asset(ctx, hostileMAC, inventory.AssetRefQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !hostile.Asset.Randomized || hostile.Asset.Hostname != hostileTag || hostile.Asset.State != inventory.StateRetired ||
		len(hostile.HL7) != 1 || hostile.HL7[0].Application != formula {
		t.Errorf("hostile: %+v", hostile)
	}

	// The router's MAC is on two VLANs: the latest one, the other listed;
	// a VLAN narrows it.
	r, err := inv.Asset(ctx, routerMAC, inventory.AssetRefQuery{})
	if err != nil || r.Asset.VLAN != 30 || len(r.OtherMatches) != 1 || r.OtherMatches[0].VLAN != 20 {
		t.Errorf("router: %+v %v", r, err)
	}
	v20 := uint16(20)
	r, err = inv.Asset(ctx, routerMAC, inventory.AssetRefQuery{VLAN: &v20})
	if err != nil || r.Asset.VLAN != 20 || len(r.OtherMatches) != 0 {
		t.Errorf("router on VLAN 20: %+v %v", r, err)
	}
	if _, err := inv.Asset(ctx, "00:11:22:33:44:55", inventory.AssetRefQuery{}); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("missing asset: %v", err)
	}
	var pe *inventory.ParamError
	if _, err := inv.Asset(ctx, "pump-7", inventory.AssetRefQuery{}); !errors.As(err, &pe) || pe.Param != "asset" {
		t.Errorf("bad ref: %v", err)
	}
}

func TestSummary(t *testing.T) {
	inv := inventorytest.Service(t, true)
	s, err := inv.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Assets != 8 || s.ByClass["infusion-pump"] != 1 || s.ByZone["pumps"] != 3 || s.ByZone["radiology"] != 1 ||
		s.ByState[inventory.StateActive] != 6 || s.ByState[inventory.StateDormant] != 1 || s.ByState[inventory.StateRetired] != 1 ||
		s.Violations != 1 || s.ViolationsLast24h != 1 || s.NewViolationsLast24h != 1 || s.NewLast7d != 6 ||
		s.GeneratedAt != "2026-03-01T12:00:00Z" || s.DormantAfter != "168h0m0s" {
		t.Errorf("summary: %+v", s)
	}
	// Without a policy there are no zones.
	s, err = inventorytest.Service(t, false).Summary(context.Background())
	if err != nil || len(s.ByZone) != 0 {
		t.Errorf("summary without policy: %v %v", s.ByZone, err)
	}
}

func TestListQueries(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	vs, err := inv.Violations(ctx, inventory.ViolationQuery{Zone: "internet"})
	if err != nil || vs.Total != 1 || vs.Items[0].SrcMAC != pumpMAC || vs.Items[0].Proto != "tcp" {
		t.Errorf("violations: %+v %v", vs, err)
	}
	vs, err = inv.Violations(ctx, inventory.ViolationQuery{Severity: "low"})
	if err != nil || vs.Total != 0 || vs.Items == nil {
		t.Errorf("no violations: %+v %v", vs, err)
	}
	fs, err := inv.Flows(ctx, inventory.FlowQuery{Service: "dicom", Desc: true})
	if err != nil || fs.Total != 2 || fs.Items[0].SrcMAC != ctMAC || fs.Items[0].DstMAC != "" ||
		fs.Items[1].DstMAC != pacsMAC {
		t.Errorf("dicom flows: %+v %v", fs, err)
	}
	fs, err = inv.Flows(ctx, inventory.FlowQuery{MAC: mustMAC(pacsMAC)})
	if err != nil || fs.Total != 1 {
		t.Errorf("flows of the PACS: %+v %v", fs, err)
	}
	evs, err := inv.Events(ctx, inventory.EventQuery{Type: "new-device", Limit: 3, Offset: 1})
	if err != nil || evs.Total != 8 || len(evs.Items) != 3 {
		t.Errorf("events: %+v %v", evs, err)
	}
	evs, err = inv.Events(ctx, inventory.EventQuery{MAC: mustMAC(hostileMAC), Type: "new-device"})
	if err != nil || evs.Total != 1 || evs.Items[0].Time != "2025-11-21T11:00:00Z" {
		t.Errorf("hostile events: %+v %v", evs, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ query, param, msg string }{
		{"vlan=x", "vlan", `"x" is not a VLAN id (0..4095)`},
		{"vlan=4096", "vlan", `"4096" is not a VLAN id (0..4095)`},
		{"class=toaster", "class", `"toaster" is not one of`},
		{"mac=zz", "mac", `"zz" is not a MAC address`},
		{"ip=10.0.0.256", "ip", `is not an IP address`},
		{"state=asleep", "state", `"asleep" is not one of active, dormant, retired`},
		{"seen_since=-1h", "seen_since", `is not a duration`},
		{"seen_since=yesterday", "seen_since", `is not a duration`},
		{"new_since=7w", "new_since", `is not a duration`},
		{"sort=hostname%3Bdrop", "sort", `is not one of`},
		{"limit=-1", "limit", `"-1" is not a count`},
		{"offset=x", "offset", `"x" is not a count`},
		{"modality=XX", "modality", `"XX" is not one of CT, MR`},
		{"bogus=1", "bogus", `unknown parameter`},
		{"class=pacs&class=pacs", "class", `given more than once`},
		{"search=" + strings.Repeat("a", 201), "search", `longer than 200 bytes`},
	} {
		v, _ := url.ParseQuery(tt.query)
		_, err := inventory.ParseAssetQuery(v, t0, inventory.Paging{Default: 100, Max: 1000})
		var pe *inventory.ParamError
		if !errors.As(err, &pe) || pe.Param != tt.param || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("%s: %v, want parameter %q: %s", tt.query, err, tt.param, tt.msg)
		}
	}
	v, _ := url.ParseQuery("limit=1001")
	if _, err := inventory.ParseAssetQuery(v, t0, inventory.Paging{Default: 100, Max: 1000}); err == nil {
		t.Error("limit over the maximum accepted")
	}
	for _, tt := range []struct {
		s    string
		want time.Duration
	}{{"90m", 90 * time.Minute}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"1.5d", 36 * time.Hour}} {
		if d, err := inventory.ParseDuration(tt.s); err != nil || d != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.s, d, err)
		}
	}
	for _, bad := range []string{"", "d", "-1d", "NaNd", "Infd", "1e9d", "5 days"} {
		if _, err := inventory.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
	for q, param := range map[string]string{"proto=sctp": "proto", "port=0": "port", "order=up": "order"} {
		v, _ := url.ParseQuery(q)
		_, err := inventory.ParseFlowQuery(v, t0, inventory.Paging{}, false)
		var pe *inventory.ParamError
		if !errors.As(err, &pe) || pe.Param != param {
			t.Errorf("%s: %v", q, err)
		}
	}
	v, _ = url.ParseQuery("type=reboot")
	if _, err := inventory.ParseEventQuery(v, t0, inventory.Paging{}, false); err == nil {
		t.Error("event type reboot accepted")
	}
	v, _ = url.ParseQuery("severity=urgent")
	if _, err := inventory.ParseViolationQuery(v, t0, inventory.Paging{}, false); err == nil {
		t.Error("severity urgent accepted")
	}
}

func TestAgeAndCSVCells(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 42 * time.Second: "42s", 5 * time.Minute: "5m", 47 * time.Hour: "47h",
		12 * 24 * time.Hour: "12d", 999 * 24 * time.Hour: "999d", 3 * 365 * 24 * time.Hour: "3y",
	} {
		if got := inventory.Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
	for in, want := range map[string]string{"=1+2": "'=1+2", "+1": "'+1", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "PACS01": "PACS01", "": "", "10.0.0.1": "10.0.0.1"} {
		if got := inventory.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFlowEnds: a flow's ends carry their devices' names, classes and
// zones; an end known only by its address (routed, outside) its zone by
// that address.
func TestFlowEnds(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	fs, err := inv.Flows(ctx, inventory.FlowQuery{Service: "dicom"})
	if err != nil || len(fs.Items) != 2 {
		t.Fatalf("%+v %v", fs, err)
	}
	ws, ct := fs.Items[0], fs.Items[1]
	if ws.SrcHostname != "WS-RAD-07" || ws.SrcZone != "radiology" || ws.DstHostname != "PACS01" || ws.DstClass != "pacs" ||
		ws.DstZone != "pacs" || ws.DstVLAN != 50 {
		t.Errorf("workstation to PACS: %+v", ws)
	}
	if ct.SrcHostname != "CT-SOMATOM-01" || ct.SrcClass != "imaging-modality" || ct.SrcZone != "imaging" ||
		ct.DstMAC != "" || ct.DstHostname != "" || ct.DstClass != "" || ct.DstZone != "pacs" || ct.DstVLAN != 30 {
		t.Errorf("CT to PACS (routed): %+v", ct)
	}
	fs, _ = inv.Flows(ctx, inventory.FlowQuery{Port: 443})
	if len(fs.Items) != 1 || fs.Items[0].DstZone != "internet" || fs.Items[0].SrcZone != "pumps" {
		t.Errorf("pump to the internet: %+v", fs.Items)
	}
	// Without a policy: names and classes, no zones.
	fs, _ = inventorytest.Service(t, false).Flows(ctx, inventory.FlowQuery{Service: "dicom"})
	if fs.Items[0].SrcZone != "" || fs.Items[0].DstZone != "" || fs.Items[0].DstHostname != "PACS01" {
		t.Errorf("without a policy: %+v", fs.Items[0])
	}
	// Events name their device.
	evs, err := inv.Events(ctx, inventory.EventQuery{MAC: mustMAC(ctMAC), Type: model.EventNewDevice})
	if err != nil || len(evs.Items) != 1 || evs.Items[0].Hostname != "CT-SOMATOM-01" {
		t.Errorf("CT's new-device event: %+v %v", evs.Items, err)
	}
}

// TestEachMatchesPages: the cursors give what the pages give, chunk by
// chunk, for every list, filters (a zone, computed here) and limits
// included.
func TestEachMatchesPages(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	for _, raw := range []string{"", "zone=pumps", "zone=pumps&limit=2&offset=1", "sort=-hostname&limit=3", "state=active"} {
		q := query(t, raw)
		page, err := inv.Assets(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []inventory.AssetRecord
		n, err := inv.EachAsset(ctx, q, func(rs []inventory.AssetRecord) error { got = append(got, rs...); return nil })
		if err != nil || n != len(got) || !slices.Equal(macs(got), macs(page.Items)) {
			t.Errorf("%s: each %q (%d, %v), page %q", raw, macs(got), n, err, macs(page.Items))
		}
	}
	fp, _ := inv.Flows(ctx, inventory.FlowQuery{})
	var fs []inventory.FlowRecord
	if n, err := inv.EachFlow(ctx, inventory.FlowQuery{}, func(r []inventory.FlowRecord) error { fs = append(fs, r...); return nil }); err != nil ||
		n != fp.Total || !slices.Equal(fs, fp.Items) {
		t.Errorf("flows: each %d %v, page %d", n, err, fp.Total)
	}
	ep, _ := inv.Events(ctx, inventory.EventQuery{})
	var es []inventory.EventRecord
	if n, err := inv.EachEvent(ctx, inventory.EventQuery{}, func(r []inventory.EventRecord) error { es = append(es, r...); return nil }); err != nil ||
		n != ep.Total || !slices.Equal(es, ep.Items) {
		t.Errorf("events: each %d %v, page %d", n, err, ep.Total)
	}
}

// TestMatrixAndCounts: the zone matrix counts the flows between zones and
// the violations; the asset counts break the inventory down by class,
// zone and state together, adding up to the summary.
func TestMatrixAndCounts(t *testing.T) {
	inv := inventorytest.Service(t, true)
	ctx := context.Background()
	m, err := inv.Matrix(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Cell("pumps", "internet"); c.Flows != 1 || c.Violations != 1 {
		t.Errorf("pumps → internet: %+v", c)
	}
	if c := m.Cell("radiology", "pacs"); c.Flows != 1 || c.Violations != 0 || c.Bytes != 500 {
		t.Errorf("radiology → pacs: %+v", c)
	}
	if c := m.Cell("pacs", "pumps"); c.Flows != 0 {
		t.Errorf("pacs → pumps: %+v", c)
	}
	if !slices.Contains(m.Zones, "imaging") || !slices.IsSorted(m.Zones) {
		t.Errorf("zones %q", m.Zones)
	}
	counts, err := inv.AssetCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := inv.Summary(ctx)
	total, byState := 0, map[string]int{}
	for _, c := range counts {
		total += c.N
		byState[c.State] += c.N
	}
	if total != sum.Assets || !maps.Equal(byState, map[string]int{"active": 6, "dormant": 1, "retired": 1}) {
		t.Errorf("counts %+v", counts)
	}
	if m, _ := inventorytest.Service(t, false).Matrix(ctx); len(m.Cells) != 0 {
		t.Errorf("a matrix without a policy: %+v", m)
	}
}
