package store

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// classifierFunc adapts a function to Classifier.
type classifierFunc func(*fingerprint.Facts) fingerprint.Result

func (f classifierFunc) Classify(x *fingerprint.Facts) fingerprint.Result { return f(x) }

// recorder wraps a Classifier and keeps the last facts it saw per MAC.
type recorder struct {
	Classifier
	mu    sync.Mutex
	calls int
	facts map[model.MAC]fingerprint.Facts
	n     map[model.MAC]int // calls per MAC
}

func (r *recorder) Classify(f *fingerprint.Facts) fingerprint.Result {
	r.mu.Lock()
	r.calls++
	if r.facts == nil {
		r.facts = map[model.MAC]fingerprint.Facts{}
	}
	r.facts[f.MAC] = *f
	if r.n == nil {
		r.n = map[model.MAC]int{}
	}
	r.n[f.MAC]++
	r.mu.Unlock()
	return r.Classifier.Classify(f)
}

// ReadsServed passes on the classifier's answer (ServedReader), so that the
// store steps a server's classification as it would with the engine alone.
func (r *recorder) ReadsServed(proto uint8, port uint16) bool {
	sr, ok := r.Classifier.(ServedReader)
	return !ok || sr.ReadsServed(proto, port)
}

// count returns how many times the MAC was classified.
func (r *recorder) count(m model.MAC) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[m]
}

func (r *recorder) last(m model.MAC) fingerprint.Facts {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.facts[m]
}

func loadEngine(tb testing.TB) *fingerprint.Engine {
	tb.Helper()
	// The shipped rule pack, read from the file: configs.Fingerprints embeds
	// it, but configs imports this package (configs.Default).
	rules, err := os.ReadFile("../configs/fingerprints.yml")
	if err != nil {
		tb.Fatal(err)
	}
	e, err := fingerprint.Load(rules, "configs/fingerprints.yml", "")
	if err != nil {
		tb.Fatalf("fingerprint.Load: %v", err)
	}
	return e
}

type classEv struct {
	mac      string
	old, new string
}

// classEvents is each device's class history in time order: the class its
// new-device event carries (when the first flush classified it), then its
// class-changed events.
func classEvents(tb testing.TB, db *DB) []classEv {
	tb.Helper()
	type tev struct {
		t  time.Time
		id int64
		ev classEv
	}
	var all []tev
	for _, e := range mustEvents(tb, db, EventFilter{Type: model.EventNewDevice}) {
		if e.NewValue != "" && e.NewValue != string(model.ClassUnknown) {
			all = append(all, tev{e.Time, e.ID, classEv{e.Key.MAC.String(), string(model.ClassUnknown), e.NewValue}})
		}
	}
	for _, e := range mustEvents(tb, db, EventFilter{Type: model.EventClassChanged}) {
		all = append(all, tev{e.Time, e.ID, classEv{e.Key.MAC.String(), e.OldValue, e.NewValue}})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].t.Equal(all[j].t) {
			return all[i].t.Before(all[j].t)
		}
		return all[i].id < all[j].id
	})
	var out []classEv
	for _, e := range all {
		out = append(out, e.ev)
	}
	return out
}

func mustAsset(tb testing.TB, db *DB, k model.AssetKey) AssetDetail {
	tb.Helper()
	a, err := db.AssetByKey(context.Background(), k)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestClassifyWithEngine runs the shipped rule pack through the writer.
func TestClassifyWithEngine(t *testing.T) {
	rec := &recorder{Classifier: loadEngine(t)}
	opts := testOpts()
	opts.Classifier = rec
	opts.Vendor = func(m model.MAC) string {
		if m[0] == 0x00 && m[1] == 0x12 && m[2] == 0x34 {
			return "B.Braun Melsungen AG"
		}
		return ""
	}
	path := filepath.Join(t.TempDir(), "classify.db")
	db := mustOpen(t, path, opts)
	ctx := context.Background()
	pump := key(t, "00:12:34:00:00:01")
	ct := key(t, "00:aa:00:00:00:02")
	pacs := key(t, "00:aa:00:00:00:03")
	eng := key(t, "00:aa:00:00:00:04")
	vm := key(t, "00:50:56:00:00:05")
	quiet := key(t, "00:aa:00:00:00:06")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	// New assets: the hypervisor prefix classifies at once; a vendor alone
	// is weak evidence, which sets the manufacturer but no class.
	mustSubmit(t, db, activity(pump, t0, t0, 1, 1), activity(ct, t0, t0, 1, 1), activity(pacs, t0, t0, 1, 1),
		activity(eng, t0, t0, 1, 1), activity(vm, t0, t0, 1, 1), activity(quiet, t0, t0, 1, 1))
	a := mustAsset(t, db, pump)
	if a.Class != model.ClassUnknown || a.Manufacturer != "B. Braun" || a.ClassStrength != 0 || !a.ClassChangedAt.IsZero() {
		t.Errorf("pump = %+v", a)
	}
	if ev, err := db.Evidence(ctx, a.ID); err != nil || len(ev) == 0 ||
		ev[0] != (EvidenceRow{"oui", "B.Braun Melsungen AG", "oui-b-braun", 20, "manufacturer", t0, t0}) {
		t.Errorf("pump evidence = %+v, %v", ev, err)
	}
	if a := mustAsset(t, db, vm); a.Class != "virtual-machine" {
		t.Errorf("vm = %+v", a)
	}
	// Activity alone does not reclassify.
	calls := rec.calls
	mustSubmit(t, db, activity(pump, at(1), at(1), 1, 1), activity(quiet, at(1), at(1), 1, 1))
	if rec.calls != calls {
		t.Errorf("activity observations reclassified %d assets", rec.calls-calls)
	}
	// A new address no flow went to changes no facts: no classification.
	calls = rec.calls
	mustSubmit(t, db, arp(pump, at(1), "10.0.0.8"))
	if rec.calls != calls {
		t.Errorf("a new address without flows reclassified %d assets", rec.calls-calls)
	}
	// A new address that flows on the link went to, no asset having it
	// then, classifies again (those flows are the pump's now); the same
	// result keeps the evidence rows and their first sight.
	mustSubmit(t, db, flowObs(quiet, quiet, "10.0.0.30", "10.0.0.7", 8000, at(1), 1))
	mustSubmit(t, db, arp(pump, at(1), "10.0.0.7"))
	if ev, err := db.Evidence(ctx, a.ID); err != nil || len(ev) == 0 ||
		ev[0] != (EvidenceRow{"oui", "B.Braun Melsungen AG", "oui-b-braun", 20, "manufacturer", t0, at(1)}) {
		t.Errorf("pump evidence after its address = %+v, %v", ev, err)
	}

	// DHCP: a Windows fingerprint makes the CT's host a workstation...
	win := model.DHCPInfo{MsgType: 3, VendorClass: "MSFT 5.0", ParamList: []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}}
	mustSubmit(t, db, dhcp(ct, at(2), win))
	if a := mustAsset(t, db, ct); a.Class != "workstation" || a.OS != "Windows 10+" || a.ClassStrength != fingerprint.StrengthOSImplied {
		t.Errorf("ct after DHCP = %+v", a)
	}
	// ... until its DICOM storage proposals show what it is.
	pacsIP := netip.MustParseAddr("10.0.10.20")
	mustSubmit(t, db,
		dicomObs(ct, at(3), model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", PeerIP: pacsIP, Port: 104,
			SOPClasses: []string{uidCT}, ImplClassUID: "1.2.840.113619.6.374", Commands: []model.DICOMCommand{{Name: "C-STORE-RQ", SOPClass: uidCT}},
			Result: "released"}),
		dicomObs(pacs, at(3), model.DICOMInfo{Role: "scp", AETitle: "PACS", PeerAETitle: "CT01",
			PeerIP: netip.MustParseAddr("10.0.10.5"), Port: 104, SOPClasses: []string{uidCT, uidMR, uidCR, uidCommit},
			Result: "accepted"}),
	)
	a = mustAsset(t, db, ct)
	if a.Class != "imaging-modality" || a.Modality != "CT" || a.ClassStrength != 100 || !a.ClassChangedAt.Equal(at(3)) {
		t.Errorf("ct after DICOM = %+v", a)
	}
	ev, err := db.Evidence(ctx, a.ID)
	if err != nil || len(ev) == 0 || ev[0].Rule != fingerprint.BuiltinDICOMModality || ev[0].Value != uidCT ||
		ev[0].Strength != 100 || !ev[0].FirstSeen.Equal(at(3)) {
		t.Errorf("ct evidence = %+v, %v", ev, err)
	}
	if a := mustAsset(t, db, pacs); a.Class != "pacs" {
		t.Errorf("pacs = %+v", a)
	}
	// A DHCP renewal with the Windows fingerprint does not demote it.
	renew := win
	renew.Hostname = "DESKTOP-AB12CD3"
	mustSubmit(t, db, dhcp(ct, at(4), renew))
	if a := mustAsset(t, db, ct); a.Class != "imaging-modality" || a.Modality != "CT" || !a.ClassChangedAt.Equal(at(3)) {
		t.Errorf("ct after renewal = %+v", a)
	}

	// HL7: acknowledging three applications makes an interface engine (the
	// acks are stored on receiver rows and must come back as SentAck).
	var acks []model.Observation
	for i, peer := range []string{"LAB", "ADT", "RIS"} {
		acks = append(acks, hl7Obs(eng, at(5+i), model.HL7Info{Role: "sender", Application: "HUB", Facility: "HOSP",
			PeerApplication: peer, PeerFacility: "HOSP", PeerIP: netip.MustParseAddr("10.0.10.9"), Port: 2575,
			MessageType: "ACK^R01", AckCode: "AA"}))
	}
	mustSubmit(t, db, acks...)
	a = mustAsset(t, db, eng)
	if a.Class != "hl7-interface-engine" || a.ClassConfidence != 90 {
		t.Errorf("engine = %+v", a)
	}

	want := []classEv{
		{vm.MAC.String(), "unknown", "virtual-machine"},
		{ct.MAC.String(), "unknown", "workstation"},
		{ct.MAC.String(), "workstation", "imaging-modality"},
		{pacs.MAC.String(), "unknown", "pacs"},
		{eng.MAC.String(), "unknown", "hl7-interface-engine"},
	}
	if got := classEvents(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("class-changed events:\n got %v\nwant %v", got, want)
	}
	counts, err := db.ClassCounts(ctx)
	if err != nil || !reflect.DeepEqual(counts, map[model.Class]int{"imaging-modality": 1, "pacs": 1,
		"hl7-interface-engine": 1, "virtual-machine": 1, model.ClassUnknown: 2}) {
		t.Errorf("ClassCounts = %v, %v", counts, err)
	}

	// The facts the store rebuilt are those the observations fold into.
	var direct fingerprint.Facts
	direct.AddDICOM(&model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", SOPClasses: []string{uidCT},
		ImplClassUID: "1.2.840.113619.6.374", Commands: []model.DICOMCommand{{Name: "C-STORE-RQ", SOPClass: uidCT}}})
	got := rec.last(ct.MAC)
	if got.DHCPVendorClass != "MSFT 5.0" || got.Hostname != "DESKTOP-AB12CD3" || got.MAC != ct.MAC ||
		!reflect.DeepEqual(got.DICOM, direct.DICOM) {
		t.Errorf("ct facts = %+v, want DICOM %+v", got, direct.DICOM)
	}
	direct = fingerprint.Facts{}
	for _, o := range acks {
		direct.AddHL7(o.HL7)
	}
	if got := rec.last(eng.MAC); !reflect.DeepEqual(got.HL7, direct.HL7) {
		t.Errorf("engine HL7 facts:\n got %+v\nwant %+v", got.HL7, direct.HL7)
	}

	// The class index follows, and is rebuilt from the database on reopen.
	check := func(db *DB) {
		t.Helper()
		for k, w := range map[model.AssetKey][2]string{ct: {"imaging-modality", "CT01"}, pacs: {"pacs", "PACS"},
			quiet: {"unknown", ""}} {
			if c, ae, ok := db.Classes().Lookup(k); !ok || string(c) != w[0] || ae != w[1] {
				t.Errorf("Lookup(%s) = %q, %q, %v; want %q, %q", k, c, ae, ok, w[0], w[1])
			}
		}
		if _, _, ok := db.Classes().Lookup(key(t, "00:aa:00:00:00:99")); ok {
			t.Errorf("Lookup(missing) found it")
		}
	}
	check(db)
	if c, ae := db.ClassOf(ctx, ct); c != "imaging-modality" || ae != "CT01" {
		t.Errorf("ClassOf(ct) = %q, %q", c, ae)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := mustOpen(t, path, opts)
	check(db2)
	if n := db2.Classes().Len(); n != 6 {
		t.Errorf("index holds %d assets, want 6", n)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	check(ro)
}

// TestClassifyRules checks the replacement rules with a scripted
// classifier keyed by DHCP host name.
func TestClassifyRules(t *testing.T) {
	ev := func(v string) []fingerprint.Evidence {
		return []fingerprint.Evidence{{Source: "dhcp.opt12", Value: v, Rule: "r-" + v, Strength: 40}}
	}
	script := map[string]fingerprint.Result{
		"a": {Class: "workstation", Strength: 40, Confidence: 50, Evidence: ev("a")},
		"b": {Class: "server", Strength: 40, Confidence: 40, Evidence: ev("b")}, // weaker: ignored
		"c": {Class: "workstation", Strength: 40, Confidence: 50, Manufacturer: "Dell", OS: "Windows",
			Evidence: append(ev("c"), ev("a")...)}, // same reading: fills in, refreshes evidence
		"d": {Class: "workstation", Strength: 60, Confidence: 50, Model: "OptiPlex", Evidence: ev("a")}, // better, same class
		"e": {Class: "server", Strength: 80, Confidence: 10, OS: "Linux", Evidence: ev("e")},            // better, new class
		"f": {Class: model.ClassUnknown},
	}
	opts := testOpts()
	opts.Classifier = classifierFunc(func(f *fingerprint.Facts) fingerprint.Result { return script[f.Hostname] })
	db := mustOpen(t, filepath.Join(t.TempDir(), "rules.db"), opts)
	k := key(t, "00:aa:00:00:00:01")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	type state struct {
		class, manufacturer, model, os string
		strength, confidence           int
		changedAt                      time.Time
		evidence                       []string
	}
	get := func() state {
		a := mustAsset(t, db, k)
		rows, err := db.Evidence(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var evs []string
		for _, r := range rows {
			evs = append(evs, r.Value+"@"+r.FirstSeen.Sub(t0).String())
		}
		return state{string(a.Class), a.Manufacturer, a.Model, a.OS, a.ClassStrength, a.ClassConfidence, a.ClassChangedAt, evs}
	}
	steps := []struct {
		host string
		want state
	}{
		{"a", state{"workstation", "", "", "", 40, 50, at(1), []string{"a@1m0s"}}},
		{"b", state{"workstation", "", "", "", 40, 50, at(1), []string{"a@1m0s"}}},
		{"c", state{"workstation", "Dell", "", "Windows", 40, 50, at(1), []string{"c@3m0s", "a@1m0s"}}},
		{"d", state{"workstation", "Dell", "OptiPlex", "Windows", 60, 50, at(1), []string{"a@1m0s"}}},
		{"e", state{"server", "", "", "Linux", 80, 10, at(5), []string{"e@5m0s"}}},
		{"f", state{"server", "", "", "Linux", 80, 10, at(5), []string{"e@5m0s"}}},
	}
	for i, s := range steps {
		mustSubmit(t, db, dhcp(k, at(i+1), model.DHCPInfo{MsgType: 3, Hostname: s.host}))
		if got := get(); !reflect.DeepEqual(got, s.want) {
			t.Errorf("after %q:\n got %+v\nwant %+v", s.host, got, s.want)
		}
	}
	want := []classEv{{k.MAC.String(), "unknown", "workstation"}, {k.MAC.String(), "workstation", "server"}}
	if got := classEvents(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("class-changed events = %v, want %v", got, want)
	}
	// The first class came with the new-device event; the change to
	// server is the one class-changed event.
	es := mustEvents(t, db, EventFilter{Type: model.EventClassChanged})
	if len(es) != 1 || !es[0].Time.Equal(at(5)) || es[0].Key != k {
		t.Errorf("class-changed events = %+v", es)
	}
	if c, _, _ := db.Classes().Lookup(k); c != "server" {
		t.Errorf("index class = %q", c)
	}
}

// A failed batch must not publish its changes to the class index.
func TestClassIndexOnlyAfterCommit(t *testing.T) {
	opts := testOpts()
	opts.Classifier = classifierFunc(func(f *fingerprint.Facts) fingerprint.Result {
		if f.Hostname == "" {
			return fingerprint.Result{Class: model.ClassUnknown}
		}
		return fingerprint.Result{Class: "printer", Strength: 40, Confidence: 50}
	})
	path := filepath.Join(t.TempDir(), "idx.db")
	db := mustOpen(t, path, opts)
	k, k2 := key(t, "00:aa:00:00:00:01"), key(t, "00:aa:00:00:00:02")
	mustSubmit(t, db, activity(k, t0, t0, 1, 1))
	raw := rawDB(t, path)
	if _, err := raw.Exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'class-changed'
		BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db.Submit(ctx, activity(k2, t0, t0, 1, 1))
	db.Submit(ctx, dhcp(k, t0, model.DHCPInfo{MsgType: 3, Hostname: "NPI123456"}))
	if err := db.Flush(ctx); err == nil {
		t.Fatal("flush succeeded despite the trigger")
	}
	if c, _, _ := db.Classes().Lookup(k); c != model.ClassUnknown {
		t.Errorf("index class after a failed flush = %q", c)
	}
	if _, _, ok := db.Classes().Lookup(k2); ok {
		t.Errorf("the failed batch's new asset is in the index")
	}
	if _, err := raw.Exec(`DROP TRIGGER boom`); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := db.Classes().Lookup(k); c != "printer" {
		t.Errorf("index class after the retry = %q", c)
	}
	if c, _, ok := db.Classes().Lookup(k2); !ok || c != model.ClassUnknown {
		t.Errorf("Lookup(k2) after the retry = %q, %v", c, ok)
	}
	if got := classEvents(t, db); len(got) != 1 {
		t.Errorf("events = %v", got)
	}
}

// TestClassifyFromFlowsAndIdentity: a new client of a server's port
// classifies the server again (Facts.Served), a client's class change
// classifies its servers again (Facts.Clients), and the version and the
// evidence's Sets are kept.
func TestClassifyFromFlowsAndIdentity(t *testing.T) {
	opts := testOpts()
	opts.Classifier = loadEngine(t)
	db := mustOpen(t, filepath.Join(t.TempDir(), "flows.db"), opts)
	ctx := context.Background()
	dns := key(t, "00:aa:00:00:01:01")
	central := key(t, "00:aa:00:00:01:02")
	mon1, mon2 := key(t, "00:aa:00:00:01:03"), key(t, "00:aa:00:00:01:04")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	dnsFlow := func(client model.AssetKey, cip string, m int) model.Observation {
		o := flowObs(client, dns, cip, "10.0.0.53", 53, at(m), 2)
		o.Flow.Proto, o.Flow.Service = 17, "dns"
		return o
	}
	mustSubmit(t, db, arp(dns, t0, "10.0.0.53"), arp(central, t0, "10.0.0.60"), arp(mon1, t0, "10.0.0.11"), arp(mon2, t0, "10.0.0.12"))
	mustSubmit(t, db, dnsFlow(mon1, "10.0.0.11", 1))
	if a := mustAsset(t, db, dns); a.Class != model.ClassUnknown {
		t.Errorf("dns server with one client = %+v", a)
	}
	mustSubmit(t, db, dnsFlow(mon2, "10.0.0.12", 2))
	a := mustAsset(t, db, dns)
	if a.Class != model.ClassServer {
		t.Errorf("dns server with two clients = %+v", a)
	}
	if ev, err := db.Evidence(ctx, a.ID); err != nil || len(ev) == 0 || ev[0].Source != model.EvidenceServed ||
		ev[0].Value != "udp/53 (dns) to 2 clients" || ev[0].Sets != "class" {
		t.Errorf("dns evidence = %+v, %v", ev, err)
	}

	// Two monitors talk to the central station before anyone knows they
	// are monitors; their DHCP vendor classes then classify them, and the
	// central station with them.
	mustSubmit(t, db, flowObs(mon1, central, "10.0.0.11", "10.0.0.60", 443, at(3), 5), flowObs(mon2, central, "10.0.0.12", "10.0.0.60", 443, at(3), 5))
	if a := mustAsset(t, db, central); a.Class != model.ClassUnknown {
		t.Errorf("central before its clients are known = %+v", a)
	}
	mon := model.DHCPInfo{MsgType: 3, VendorClass: "Philips IntelliVue MX800", ParamList: []byte{1, 3, 6, 15}}
	mustSubmit(t, db, dhcp(mon1, at(4), mon), dhcp(mon2, at(4), mon))
	if a := mustAsset(t, db, mon1); a.Class != model.ClassPatientMonitor || a.Model != "IntelliVue MX800" {
		t.Errorf("monitor = %+v", a)
	}
	if a := mustAsset(t, db, central); a.Class != model.ClassCentralStation {
		t.Errorf("central after its clients are known = %+v", a)
	}

	// A MAC that carries three other addresses' traffic is a router's.
	router := key(t, "00:aa:00:00:01:05")
	mustSubmit(t, db, arp(router, at(5), "10.0.0.1"))
	for i, ip := range []string{"10.9.0.1", "10.9.0.2", "10.9.0.3"} {
		mustSubmit(t, db, withLocal(flowObs(router, central, ip, "10.0.0.60", 8443, at(5+i), 1), false, true))
	}
	if a := mustAsset(t, db, router); a.Class != model.ClassNetworkInfrastructure {
		t.Errorf("router = %+v", a)
	}

	// The DICOM implementation version name is the software version.
	mustSubmit(t, db, dicomObs(central, at(5), model.DICOMInfo{Role: "scu", AETitle: "CMS", PeerAETitle: "PACS",
		PeerIP: netip.MustParseAddr("10.0.0.20"), Port: 104, SOPClasses: []string{"1.2.840.10008.1.1"},
		ImplClassUID: "1.2.276.0.7230010.3.0.3.6.4", ImplVersion: "OFFIS_DCMTK_364", Result: "accepted"}))
	if a := mustAsset(t, db, central); a.Version != "DCMTK 364" || a.Class != model.ClassCentralStation {
		t.Errorf("central after DICOM = %+v", a)
	}
}

// A better classification that names another model or firmware version
// than the device had is a model-changed / firmware-changed event; a first
// model or version is not.
func TestModelFirmwareChangeEvents(t *testing.T) {
	ev := func(v string) []fingerprint.Evidence {
		return []fingerprint.Evidence{{Source: "dhcp.opt60", Value: v, Rule: "r-" + v, Strength: 80}}
	}
	script := map[string]fingerprint.Result{
		"a": {Class: model.ClassInfusionPump, Strength: 40, Confidence: 50, Evidence: ev("a")},
		"b": {Class: model.ClassInfusionPump, Strength: 60, Confidence: 50, Model: "Alaris PC 8015", Version: "9.19", Evidence: ev("b")},
		"c": {Class: model.ClassInfusionPump, Strength: 80, Confidence: 60, Model: "Alaris PC 8015", Version: "12.3.1", Evidence: ev("c")},
		"d": {Class: model.ClassInfusionPump, Strength: 100, Confidence: 70, Model: "Alaris 8100", Evidence: ev("d")},
	}
	opts := testOpts()
	opts.Classifier = classifierFunc(func(f *fingerprint.Facts) fingerprint.Result { return script[f.Hostname] })
	db := mustOpen(t, filepath.Join(t.TempDir(), "identity.db"), opts)
	k := key(t, "00:aa:00:00:00:02")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for i, h := range []string{"a", "b", "c", "d"} {
		mustSubmit(t, db, dhcp(k, at(i+1), model.DHCPInfo{MsgType: 3, Hostname: h}))
	}
	var got []string
	for _, typ := range []model.EventType{model.EventModelChanged, model.EventFirmwareChanged} {
		for _, e := range mustEvents(t, db, EventFilter{Type: typ}) {
			got = append(got, fmt.Sprintf("%s %s %s->%s @%v", e.Type, e.Key.MAC, e.OldValue, e.NewValue, e.Time.Sub(t0)))
		}
	}
	want := []string{
		"model-changed 00:aa:00:00:00:02 Alaris PC 8015->Alaris 8100 @4m0s",
		"firmware-changed 00:aa:00:00:00:02 9.19->12.3.1 @3m0s",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("identity change events:\n got %q\nwant %q", got, want)
	}
	if a := mustAsset(t, db, k); a.Model != "Alaris 8100" || a.Version != "12.3.1" {
		t.Errorf("asset model %q version %q", a.Model, a.Version)
	}
}

// scripted is a Classifier that gives its results in turn (the last one
// again when they run out).
type scripted struct {
	mu  sync.Mutex
	out []fingerprint.Result
	n   int
}

func (s *scripted) Classify(*fingerprint.Facts) fingerprint.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.out[min(s.n, len(s.out)-1)]
	s.n++
	return r
}

// A classification of the same class as strong and as sure as the current
// one gives the fields (they describe the device from all its facts so
// far, whatever order they came in); a weaker one only fills the fields
// that are empty.
func TestEqualResultGivesFields(t *testing.T) {
	ev := []fingerprint.Evidence{{Source: model.EvidenceOUI, Value: "HP", Rule: "r", Strength: 20}}
	res := func(strength, conf int, os, mdl string) fingerprint.Result {
		return fingerprint.Result{Class: model.ClassPrinter, Strength: strength, Confidence: conf, Manufacturer: "HP",
			Model: mdl, OS: os, Evidence: ev}
	}
	cl := &scripted{out: []fingerprint.Result{
		res(80, 90, "Windows NT 10.0", ""),
		res(80, 90, "Linux", ""),          // as strong and sure: its OS wins
		res(60, 70, "BSD", "LaserJet M4"), // weaker: fills the model only
	}}
	opts := testOpts()
	opts.Classifier = cl
	db := mustOpen(t, filepath.Join(t.TempDir(), "fields.db"), opts)
	pr := key(t, "00:1a:4b:69:25:b6")
	want := []struct{ os, model string }{{"Windows NT 10.0", ""}, {"Linux", ""}, {"Linux", "LaserJet M4"}}
	for i, w := range want {
		mustSubmit(t, db, signal(pr, model.EvidenceHTTPUserAgent, fmt.Sprintf("agent %d", i), t0.Add(time.Duration(i)*time.Second)))
		var os, mdl string
		if err := db.rdb.QueryRow(`SELECT os, model FROM assets`).Scan(&os, &mdl); err != nil {
			t.Fatal(err)
		}
		if os != w.os || mdl != w.model {
			t.Errorf("after classification %d: os %q model %q, want %q %q", i+1, os, mdl, w.os, w.model)
		}
	}
	if cl.n != 3 {
		t.Errorf("%d classifications, want 3", cl.n)
	}
}

// TestEvidenceDiff: an asset classified again to the same reading gets the
// classifier's evidence rows, whatever changed between the two lists
// (gained, lost, reordered, stronger, deciding other fields); rows that stay
// keep their first_seen; every row is seen at the latest classification.
// replaceEvidence writes only the difference, so each step is checked
// against the whole list.
func TestEvidenceDiff(t *testing.T) {
	e := func(v string, strength int, sets fingerprint.Fields) fingerprint.Evidence {
		return fingerprint.Evidence{Source: "dhcp.opt60", Value: v, Rule: "r-" + v, Strength: strength, Sets: sets}
	}
	cls, os := fingerprint.FieldClass, fingerprint.FieldOS
	lists := map[string][]fingerprint.Evidence{
		"h1": {e("a", 40, cls), e("b", 20, 0)},
		"h2": {e("a", 40, cls), e("b", 20, 0)},                     // the same
		"h3": {e("a", 40, cls), e("c", 30, os), e("b", 20, 0)},     // gains c in the middle
		"h4": {e("c", 30, os), e("a", 40, cls)},                    // loses b, reordered
		"h5": {e("c", 35, os|cls), e("a", 40, 0), e("a", 40, cls)}, // stronger, other fields, a duplicate
		"h6": {},
		"h7": {e("b", 20, 0)},
	}
	opts := testOpts()
	opts.Classifier = classifierFunc(func(f *fingerprint.Facts) fingerprint.Result {
		return fingerprint.Result{Class: "workstation", Strength: 40, Confidence: 50, Evidence: lists[f.Hostname]}
	})
	db := mustOpen(t, filepath.Join(t.TempDir(), "evdiff.db"), opts)
	k := key(t, "00:aa:00:00:00:02")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	first := map[string]time.Time{} // value -> first classification with it, reset when it leaves
	for i, h := range []string{"h1", "h2", "h3", "h4", "h5", "h6", "h7"} {
		now := at(i + 1)
		mustSubmit(t, db, dhcp(k, now, model.DHCPInfo{MsgType: 3, Hostname: h}))
		var want []EvidenceRow
		keep := map[string]bool{}
		for _, x := range lists[h] {
			if keep[x.Value] {
				continue // the first of duplicates
			}
			keep[x.Value] = true
			if _, ok := first[x.Value]; !ok {
				first[x.Value] = now
			}
			want = append(want, EvidenceRow{Source: x.Source, Value: x.Value, Rule: x.Rule, Strength: x.Strength,
				Sets: x.Sets.String(), FirstSeen: first[x.Value], LastSeen: now})
		}
		for v := range first {
			if !keep[v] {
				delete(first, v)
			}
		}
		got, err := db.Evidence(context.Background(), mustAsset(t, db, k).ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after %s:\n got %+v\nwant %+v", h, got, want)
		}
	}
}
