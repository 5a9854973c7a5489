package store

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
)

// flowObs is a flow report from client (at cip) to server port sport at sip,
// the frames' server MAC being server's.
func flowObs(client, server model.AssetKey, cip, sip string, port uint16, t time.Time, packets uint64) model.Observation {
	return model.Observation{Kind: model.ObsFlow, Key: client, Time: t, Flow: &model.FlowInfo{
		Client: client, Server: server, ClientIP: netip.MustParseAddr(cip), ServerIP: netip.MustParseAddr(sip),
		Proto: 6, Port: port, Packets: packets, Bytes: packets * 100, Connections: 1, First: t.Add(-time.Second),
		ClientLocal: true, ServerLocal: true, // as the sensor reports ends it has no reason to doubt
	}}
}

// withLocal sets the sensor's ClientLocal and ServerLocal.
func withLocal(o model.Observation, client, server bool) model.Observation {
	f := *o.Flow
	f.ClientLocal, f.ServerLocal = client, server
	o.Flow = &f
	return o
}

func violationObs(f model.Observation, rule, src, dst, severity string) model.Observation {
	f.Kind = model.ObsViolation
	f.Violation = &model.ViolationInfo{Rule: rule, SrcZone: src, DstZone: dst, Severity: severity}
	return f
}

func mustFlows(tb testing.TB, db *DB, f FlowFilter) []Flow {
	tb.Helper()
	fs, _, err := db.FindFlows(context.Background(), f)
	if err != nil {
		tb.Fatalf("Flows: %v", err)
	}
	return fs
}

func assetID(tb testing.TB, db *DB, k model.AssetKey) int64 {
	tb.Helper()
	a, err := db.AssetByKey(context.Background(), k)
	if err != nil {
		tb.Fatalf("AssetByKey(%s): %v", k, err)
	}
	return a.ID
}

func TestFlowServerResolution(t *testing.T) {
	db, _ := newDB(t)
	client := key(t, "00:1b:63:00:00:01")
	server := key(t, "00:1b:63:00:00:02")
	router := key(t, "00:00:0c:00:00:fe")
	late := key(t, "00:1b:63:00:00:03") // gets its address after its first flow
	otherVLAN := server
	otherVLAN.VLAN = 20
	unknown := key(t, "00:1b:63:00:00:99") // never seen
	fresh := key(t, "00:1b:63:00:00:04")   // never sent anything; the sensor calls it local
	mustSubmit(t, db,
		arp(server, t0, "10.0.10.20"),
		arp(router, t0, "10.0.10.1"),
		activity(late, t0, t0, 1, 1),
	)
	t1 := t0.Add(time.Minute)
	mustSubmit(t, db,
		flowObs(client, server, "10.0.10.5", "10.0.10.20", 104, t1, 10),                      // local server
		flowObs(client, router, "10.0.10.5", "8.8.8.8", 443, t1, 5),                          // routed: router MAC
		flowObs(client, router, "10.0.10.5", "10.0.20.7", 104, t1, 5),                        // routed to another VLAN
		flowObs(client, server, "10.0.10.5", "10.0.10.99", 22, t1, 1),                        // server MAC, not its IP
		flowObs(client, unknown, "10.0.10.5", "10.0.10.98", 80, t1, 1),                       // unknown MAC: not created
		flowObs(client, otherVLAN, "10.0.10.5", "10.0.10.20", 8080, t1, 1),                   // server key on another VLAN
		flowObs(client, late, "10.0.10.5", "10.0.10.30", 2575, t1, 1),                        // no address yet
		arp(late, t1.Add(time.Second), "10.0.10.30"),                                         // now it has one
		flowObs(client, late, "10.0.10.5", "10.0.10.30", 2575, t1.Add(2*time.Second), 1),     // same batch: resolved
		flowObs(client, server, "10.0.10.5", "10.0.10.20", 104, t1.Add(time.Minute), 20),     // aggregates
		withLocal(flowObs(client, fresh, "10.0.10.5", "10.0.10.40", 443, t1, 1), true, true), // the sensor knows the binding
	)
	cid, sid, lid := assetID(t, db, client), assetID(t, db, server), assetID(t, db, late)
	for _, k := range []model.AssetKey{unknown, fresh} {
		if _, err := db.AssetByKey(context.Background(), k); !errors.Is(err, ErrNoAsset) {
			t.Errorf("server %s became an asset (%v)", k, err)
		}
	}
	type row struct {
		dst   int64
		dstIP string
		port  uint16
		pk    uint64
	}
	var got []row
	for _, f := range mustFlows(t, db, FlowFilter{}) {
		if f.SrcAssetID != cid || f.Src != client || f.SrcIP != netip.MustParseAddr("10.0.10.5") ||
			f.Vantage != "span0" || f.VLAN != 10 || f.Proto != 6 {
			t.Errorf("flow %+v: wrong client side", f)
		}
		if (f.DstAssetID == 0) != (f.Dst == model.AssetKey{}) {
			t.Errorf("flow %+v: dst id and key disagree", f)
		}
		got = append(got, row{f.DstAssetID, f.DstIP.String(), f.Port, f.Packets})
	}
	want := []row{
		{sid, "10.0.10.20", 104, 30},
		{0, "8.8.8.8", 443, 5},
		{0, "10.0.20.7", 104, 5},
		{0, "10.0.10.99", 22, 1},
		{0, "10.0.10.98", 80, 1},
		{0, "10.0.10.20", 8080, 1},
		{0, "10.0.10.30", 2575, 1},
		{lid, "10.0.10.30", 2575, 1},
		{0, "10.0.10.40", 443, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows:\n got %v\nwant %v", got, want)
	}
	f := mustFlows(t, db, FlowFilter{Port: 104, IP: netip.MustParseAddr("10.0.10.20")})
	if len(f) != 1 || f[0].Dst != server || f[0].Connections != 2 || f[0].Bytes != 3000 ||
		!f[0].FirstSeen.Equal(t1.Add(-time.Second)) || !f[0].LastSeen.Equal(t1.Add(time.Minute)) {
		t.Errorf("aggregated flow = %+v", f)
	}
	if f := mustFlows(t, db, FlowFilter{AssetID: sid}); len(f) != 1 {
		t.Errorf("flows of the server: %+v", f)
	}
	if f := mustFlows(t, db, FlowFilter{Since: t1.Add(30 * time.Second)}); len(f) != 1 {
		t.Errorf("flows since: %+v", f)
	}
	// The client was created by its first flow, seen during that flow;
	// later flows do not touch it (activity observations do).
	a, err := db.Asset(context.Background(), cid)
	if err != nil || !a.FirstSeen.Equal(t1.Add(-time.Second)) || !a.LastSeen.Equal(t1) || a.Packets != 0 {
		t.Errorf("client = %+v, %v", a, err)
	}
	if a := mustAsset(t, db, server); !a.LastSeen.Equal(t0) {
		t.Errorf("server touched by flows: %+v", a)
	}
	if s := db.Stats(); s.Ignored != 0 || s.Invalid != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestViolationDedupAndEvent(t *testing.T) {
	db, _ := newDB(t)
	client := key(t, "00:1b:63:00:00:01")
	server := key(t, "00:1b:63:00:00:02")
	router := key(t, "00:00:0c:00:00:fe")
	mustSubmit(t, db, arp(server, t0, "10.0.10.20"), arp(router, t0, "10.0.10.1"), activity(client, t0, t0, 1, 1))
	t1 := t0.Add(time.Minute)
	local := flowObs(client, server, "10.0.10.5", "10.0.10.20", 104, t1, 10)
	routed := flowObs(client, router, "10.0.10.5", "192.0.2.7", 22, t1, 3)
	routed6 := flowObs(client, router, "2001:db8::5", "2001:db8:1::7", 443, t1, 3)
	mustSubmit(t, db,
		violationObs(local, "no-dicom-from-guests", "guest", "imaging", "high"),
		violationObs(routed, "default", "guest", "internet", "medium"),
		violationObs(routed6, "default", "guest", "internet", "medium"),
	)
	later := func(o model.Observation, d time.Duration) model.Observation {
		o.Time = o.Time.Add(d)
		f := *o.Flow
		f.First = f.First.Add(d)
		o.Flow = &f
		return o
	}
	mustSubmit(t, db,
		violationObs(later(local, time.Minute), "no-dicom-from-guests", "guest", "imaging", "high"),
		violationObs(later(routed, time.Minute), "default", "guest", "internet", "medium"),                // NULL dst: deduplicated too
		violationObs(later(local, 2*time.Minute), "no-dicom-from-guests", "guest", "imaging", "critical"), // new severity: new row
		violationObs(later(local, 2*time.Minute), "other-rule", "guest", "imaging", "high"),
	)
	vs, _, err := db.FindViolations(context.Background(), ViolationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		rule, sev, dst string
		dstAsset       bool
		count, pk, cn  uint64
	}
	var got []row
	for _, v := range vs {
		got = append(got, row{v.Rule, v.Severity, netip.AddrPortFrom(v.DstIP, v.Port).String(), v.DstAssetID != 0,
			v.Count, v.Packets, v.Connections})
	}
	want := []row{
		{"no-dicom-from-guests", "high", "10.0.10.20:104", true, 2, 20, 2},
		{"default", "medium", "192.0.2.7:22", false, 2, 6, 2},
		{"default", "medium", "[2001:db8:1::7]:443", false, 1, 3, 1},
		{"no-dicom-from-guests", "critical", "10.0.10.20:104", true, 1, 10, 1},
		{"other-rule", "high", "10.0.10.20:104", true, 1, 10, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("violations:\n got %v\nwant %v", got, want)
	}
	if v := vs[0]; v.Src != client || v.Dst != server || v.SrcZone != "guest" || v.DstZone != "imaging" ||
		!v.FirstSeen.Equal(t1.Add(-time.Second)) || !v.LastSeen.Equal(t1.Add(time.Minute)) {
		t.Errorf("violation 0 = %+v", v)
	}
	var vev []ev
	for _, e := range events(t, db) {
		if e.typ == model.EventViolation {
			vev = append(vev, e)
		}
	}
	wantEv := []ev{
		{model.EventViolation, "10.0.10.20", "", "no-dicom-from-guests guest->imaging 10.0.10.20:104"},
		{model.EventViolation, "192.0.2.7", "", "default guest->internet 192.0.2.7:22"},
		{model.EventViolation, "2001:db8:1::7", "", "default guest->internet [2001:db8:1::7]:443"},
		{model.EventViolation, "10.0.10.20", "", "no-dicom-from-guests guest->imaging 10.0.10.20:104"},
		{model.EventViolation, "10.0.10.20", "", "other-rule guest->imaging 10.0.10.20:104"},
	}
	if !reflect.DeepEqual(vev, wantEv) {
		t.Errorf("violation events:\n got %v\nwant %v", vev, wantEv)
	}
	if es := mustEvents(t, db, EventFilter{Type: model.EventViolation}); es[0].Key != client {
		t.Errorf("event key = %v, want the client's", es[0].Key)
	}
	for _, f := range []ViolationFilter{{Rule: "default"}, {Severity: "medium"}} {
		if vs, _, err := db.FindViolations(context.Background(), f); err != nil || len(vs) != 2 {
			t.Errorf("Violations(%+v) = %d rows, %v", f, len(vs), err)
		}
	}
	if vs, _, _ := db.FindViolations(context.Background(), ViolationFilter{AssetID: assetID(t, db, server)}); len(vs) != 3 {
		t.Errorf("violations of the server: %d", len(vs))
	}
	// Violations are not flows: the flows table is fed by ObsFlow only.
	if fs := mustFlows(t, db, FlowFilter{}); len(fs) != 0 {
		t.Errorf("violations made flows: %+v", fs)
	}
	tot, err := db.Totals(context.Background())
	if err != nil || tot.Violations != 5 || tot.ViolationsBySeverity["medium"] != 2 || tot.Assets != 3 {
		t.Errorf("Totals = %+v, %v", tot, err)
	}
}

func TestFlowInvalidAndIgnored(t *testing.T) {
	db, _ := newDB(t)
	client := key(t, "00:1b:63:00:00:01")
	noServerIP := flowObs(client, client, "10.0.10.5", "10.0.10.6", 80, t0, 1)
	noServerIP.Flow.ServerIP = netip.Addr{}
	groupClient := flowObs(client, client, "10.0.10.5", "10.0.10.6", 80, t0, 1)
	groupClient.Flow.Client = key(t, "01:00:5e:00:00:01")
	mustSubmit(t, db,
		noServerIP, groupClient,
		model.Observation{Kind: model.ObsViolation, Key: client, Time: t0, Flow: noServerIP.Flow}, // no Violation
		model.Observation{Kind: model.ObsDICOM, Key: client, Time: t0},
		model.Observation{Kind: model.ObsDICOM, Key: client, Time: t0, DICOM: &model.DICOMInfo{Role: "both"}},
		model.Observation{Kind: model.ObsHL7, Key: client, Time: t0, HL7: &model.HL7Info{}},
	)
	if s := db.Stats(); s.Invalid != 2 || s.Ignored != 4 || s.Written != 6 {
		t.Errorf("stats = %+v, want Invalid 2, Ignored 4", s)
	}
	if as := mustAssets(t, db, AssetFilter{}); len(as) != 0 {
		t.Errorf("assets = %+v", as)
	}
}

// TestFlowFacts: the stored flows with both ends' facts, turned into
// endpoints by policy/segment as the live checker does: a local end carries
// its asset's MAC, class and latest AE title; an end behind a router is
// known by its address, and by the AE title an association named for it.
func TestFlowFacts(t *testing.T) {
	opts := testOpts()
	opts.Classifier = classifierFunc(func(f *fingerprint.Facts) fingerprint.Result {
		for _, d := range f.DICOM {
			if d.Role == "scp" {
				return fingerprint.Result{Class: "pacs", Strength: 100, Confidence: 90}
			}
			return fingerprint.Result{Class: "imaging-modality", Strength: 100, Confidence: 85}
		}
		return fingerprint.Result{Class: model.ClassUnknown}
	})
	db := mustOpen(t, filepath.Join(t.TempDir(), "learn.db"), opts)
	ct := key(t, "00:1b:63:00:00:01")
	pacs := key(t, "00:1b:63:00:00:02")
	router := key(t, "00:00:0c:00:00:fe")
	byIP := model.AssetKey{Vantage: "lo0", IP: netip.MustParseAddr("127.0.0.1")}
	assoc := func(k model.AssetKey, role, ae, peer, peerIP string) model.Observation {
		return model.Observation{Kind: model.ObsDICOM, Key: k, Time: t0, DICOM: &model.DICOMInfo{Role: role,
			AETitle: ae, PeerAETitle: peer, PeerIP: netip.MustParseAddr(peerIP), Port: 104, Result: "accepted"}}
	}
	// A workstation behind the router, named by its association (the
	// frames carry the router's MAC: Remote).
	ws := assoc(router, "scu", "WS7 ", "PACS", "10.0.10.20")
	ws.IP, ws.Remote = netip.MustParseAddr("10.0.30.7"), true
	mustSubmit(t, db,
		arp(pacs, t0, "10.0.10.20"),
		assoc(ct, "scu", "CT01  ", "PACS_AE", "10.0.10.20"),
		assoc(pacs, "scp", "PACS", "CT01", "10.0.10.5"), // the called AE as the client used it wins
		assoc(ct, "scu", "CT01", "REMOTE_PACS", "192.0.2.9"),
		ws,
	)
	t1 := t0.Add(time.Minute)
	mustSubmit(t, db,
		activity(router, t0, t0, 1, 60), // the router sent frames: routed flows use its asset
		withLocal(flowObs(ct, pacs, "10.0.10.5", "10.0.10.20", 104, t1, 10), true, true),
		withLocal(flowObs(ct, pacs, "10.0.10.5", "10.0.10.20", 22, t1, 2), true, true), // AE titles are per asset
		withLocal(flowObs(ct, router, "10.0.10.5", "192.0.2.9", 104, t1, 4), true, false),
		// Routed clients carry the router's MAC; they stay apart by IP.
		withLocal(flowObs(router, pacs, "10.0.30.7", "10.0.10.20", 104, t1, 1), false, true),
		withLocal(flowObs(router, pacs, "10.0.30.8", "10.0.10.20", 104, t1, 1), false, true),
		model.Observation{Kind: model.ObsFlow, Key: byIP, Time: t1, Flow: &model.FlowInfo{Client: byIP,
			Server:   model.AssetKey{Vantage: "lo0", IP: netip.MustParseAddr("127.0.0.1")},
			ClientIP: netip.MustParseAddr("127.0.0.1"), ServerIP: netip.MustParseAddr("127.0.0.1"), Proto: 17, Port: 53,
			Packets: 1, Bytes: 60, ClientLocal: true, ServerLocal: true}},
	)
	facts, err := db.FlowFacts(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := segment.ObservedFlows(facts)
	ep := func(vantage string, vlan uint16, m model.MAC, ip string, class model.Class, ae string) policy.Endpoint {
		return policy.Endpoint{Vantage: vantage, VLAN: vlan, MAC: m, IP: netip.MustParseAddr(ip), Class: class, AETitle: ae}
	}
	want := []policy.ObservedFlow{
		{Src: ep("span0", 10, ct.MAC, "10.0.10.5", "imaging-modality", "CT01"),
			Dst: ep("span0", 10, pacs.MAC, "10.0.10.20", "pacs", "PACS"), Proto: 6, Port: 104,
			Packets: 10, Bytes: 1000, Connections: 1, Conv: 1},
		{Src: ep("span0", 10, ct.MAC, "10.0.10.5", "imaging-modality", "CT01"),
			Dst: ep("span0", 10, pacs.MAC, "10.0.10.20", "pacs", "PACS"), Proto: 6, Port: 22,
			Packets: 2, Bytes: 200, Connections: 1, Conv: 2},
		{Src: ep("span0", 10, ct.MAC, "10.0.10.5", "imaging-modality", "CT01"),
			Dst: ep("span0", 10, model.MAC{}, "192.0.2.9", "unknown", ""), Proto: 6, Port: 104,
			Packets: 4, Bytes: 400, Connections: 1, Conv: 3},
		{Src: ep("span0", 10, model.MAC{}, "10.0.30.7", "unknown", "WS7"),
			Dst: ep("span0", 10, pacs.MAC, "10.0.10.20", "pacs", "PACS"), Proto: 6, Port: 104,
			Packets: 1, Bytes: 100, Connections: 1, Conv: 4},
		{Src: ep("span0", 10, model.MAC{}, "10.0.30.8", "unknown", ""),
			Dst: ep("span0", 10, pacs.MAC, "10.0.10.20", "pacs", "PACS"), Proto: 6, Port: 104,
			Packets: 1, Bytes: 100, Connections: 1, Conv: 5},
		{Src: ep("lo0", 0, model.MAC{}, "127.0.0.1", "unknown", ""),
			Dst: ep("lo0", 0, model.MAC{}, "127.0.0.1", "unknown", ""), Proto: 17, Port: 53, Packets: 1, Bytes: 60, Conv: 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FlowFacts as endpoints:\n got %+v\nwant %+v", got, want)
	}
	if got, _ := db.FlowFacts(context.Background(), t1.Add(time.Second)); len(got) != 0 {
		t.Errorf("FlowFacts(later) = %+v", got)
	}
}

// TestFlowNeverCreatesReceiverOnlyClient: a flow whose client MAC never
// sent a frame (ClientLocal false, no asset) is not recorded and creates no
// asset; an asymmetric SPAN must not invent devices.
func TestFlowNeverCreatesReceiverOnlyClient(t *testing.T) {
	db, _ := newDB(t)
	ghost := key(t, "00:1b:63:00:00:99")
	srv := key(t, "00:1b:63:00:00:02")
	mustSubmit(t, db,
		activity(srv, t0, t0, 1, 60),
		withLocal(flowObs(ghost, srv, "10.0.10.99", "10.0.10.20", 443, t0, 3), false, true),
	)
	if n := len(mustFlows(t, db, FlowFilter{})); n != 0 {
		t.Errorf("%d flows recorded for a client that never sent", n)
	}
	if as := mustAssets(t, db, AssetFilter{}); len(as) != 1 {
		t.Errorf("assets = %d, want only the server", len(as))
	}
}

// TestViolationRecordsItsFlow: the violation of a routed flow (client MAC
// a router's) is recorded with its flow, even when the flow's report came
// before the router was a device (another worker's frames created it); the
// violation of a flow whose client MAC is no device is not recorded, and
// invents no device.
func TestViolationRecordsItsFlow(t *testing.T) {
	db, _ := newDB(t)
	router := key(t, "00:00:0c:00:00:fe")
	ghost := key(t, "00:1b:63:00:00:99")
	srv := key(t, "00:1b:63:00:00:02")
	routed := withLocal(flowObs(router, srv, "10.0.30.7", "10.0.10.20", 104, t0, 3), false, true)
	mustSubmit(t, db, activity(srv, t0, t0, 1, 60), routed) // the router is no device yet: not recorded
	if n := len(mustFlows(t, db, FlowFilter{})); n != 0 {
		t.Fatalf("%d flows before the router is a device", n)
	}
	mustSubmit(t, db, activity(router, t0, t0, 1, 60),
		violationObs(routed, "r", "a", "b", "high"),
		violationObs(withLocal(flowObs(ghost, srv, "10.0.10.99", "10.0.10.20", 443, t0, 3), false, true), "r", "a", "b", "high"))
	fs := mustFlows(t, db, FlowFilter{})
	if len(fs) != 1 || fs[0].SrcIP.String() != "10.0.30.7" || fs[0].Packets != 0 {
		t.Errorf("flows = %+v, want the routed flow, without counts", fs)
	}
	vs, _, err := db.FindViolations(context.Background(), ViolationFilter{})
	if err != nil || len(vs) != 1 || vs[0].SrcIP.String() != "10.0.30.7" {
		t.Errorf("violations = %+v, %v; want the routed flow's only", vs, err)
	}
	if as := mustAssets(t, db, AssetFilter{}); len(as) != 2 {
		t.Errorf("%d assets, want the server and the router", len(as))
	}
}
