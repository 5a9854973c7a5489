package behaviour

import (
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
)

// The store's side of the stage, as cmd wires it.
var (
	_ Store   = (*store.DB)(nil)
	_ Classes = (*store.ClassIndex)(nil)
	_ Store   = (*Stage)(nil)
)

// pumpNames classifies a device whose DHCP host name starts with "PUMP"
// as an infusion pump.
type pumpNames struct{}

func (pumpNames) Classify(f *fingerprint.Facts) fingerprint.Result {
	if strings.HasPrefix(f.Hostname, "PUMP") {
		return fingerprint.Result{Class: model.ClassInfusionPump, Strength: fingerprint.StrengthDHCPVendorClass, Confidence: 80}
	}
	return fingerprint.Result{Class: model.ClassUnknown}
}

const sitePolicy = `zones:
  - name: pumps
    vlans: [20]
    cidrs: [10.20.0.0/16]
  - name: workstations
    cidrs: [10.40.0.0/16]
  - name: servers
    cidrs: [10.50.0.0/16]
`

// harness is a Stage in front of a real SQLite store, as cmd wires it.
type harness struct {
	t      *testing.T
	path   string
	db     *store.DB
	st     *Stage
	mu     sync.Mutex
	events []*Event
}

func newHarness(t *testing.T, path string, opts Options) *harness {
	t.Helper()
	db, err := store.Open(path, store.Options{Classifier: pumpNames{}, FlushInterval: time.Hour, FlushSize: 100000})
	if err != nil {
		t.Fatal(err)
	}
	db.Start(context.Background())
	p, err := policy.Parse([]byte(sitePolicy), "site.yml")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, path: path, db: db}
	opts.OnEvent = func(e *Event) {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}
	h.st = New(db, segment.Fixed(p), db.Classes(), opts)
	db.Classes().Watch(h.st.Committed)
	err = db.EachBaseline(context.Background(), store.BaselineFilter{}, func(b *store.Baseline) error {
		var items []Item
		for _, it := range b.Items {
			items = append(items, Item{Kind: it.Kind, Value: it.Value, Learned: it.Learned})
		}
		return h.st.Load(b.Key, b.Class, b.Started, items)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.st.Loaded()
	t.Cleanup(func() { h.close() })
	return h
}

func (h *harness) close() {
	if h.db != nil {
		h.db.Close()
		h.db = nil
	}
}

func (h *harness) submit(obs ...model.Observation) {
	h.t.Helper()
	for _, o := range obs {
		if err := h.st.Submit(context.Background(), o); err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.st.Flush(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// takeEvents returns the events reported since the last call, as
// "type kind value".
func (h *harness) takeEvents() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, string(e.Type)+" "+string(e.Item.Kind)+" "+e.Item.Value)
	}
	h.events = nil
	slices.Sort(out)
	return out
}

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func dev(mac string, vlan uint16) model.AssetKey {
	m, err := model.ParseMAC(mac)
	if err != nil {
		panic(err)
	}
	return model.AssetKey{Vantage: "span0", VLAN: vlan, MAC: m}
}

var router = dev("00:00:5e:00:01:14", 20)

// join is a device appearing with a DHCP host name (its class).
func join(k model.AssetKey, t time.Time, hostname string) []model.Observation {
	return []model.Observation{
		{Kind: model.ObsActivity, Key: k, Time: t, First: t, Packets: 1, Bytes: 60},
		{Kind: model.ObsDHCP, Key: k, Time: t, DHCP: &model.DHCPInfo{MsgType: 3, Hostname: hostname}},
	}
}

// routed is a flow from k (at cip) to a server behind the router.
func routed(k model.AssetKey, cip, sip string, proto uint8, port uint16, service string, t time.Time) model.Observation {
	return model.Observation{Kind: model.ObsFlow, Key: k, Time: t, First: t, Flow: &model.FlowInfo{
		Client: k, Server: router, ClientIP: netip.MustParseAddr(cip), ServerIP: netip.MustParseAddr(sip),
		ClientLocal: true, Proto: proto, Port: port, Service: service, Packets: 3, Bytes: 300, Connections: 1, First: t}}
}

func storedEvents(t *testing.T, db *store.DB) []string {
	t.Helper()
	evs, _, err := db.FindEvents(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Type.IsBehaviour() {
			out = append(out, string(e.Type)+" "+e.OldValue+" "+e.NewValue)
		}
	}
	slices.Sort(out)
	return out
}

// TestDriftAfterWindow: a pump learns for an hour; what it does later
// that it did not then is one event per new item, with the flow, in the
// store and to OnEvent; a restart loads the baseline and reports nothing
// twice.
func TestDriftAfterWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inventory.db")
	h := newHarness(t, path, Options{LearnFor: time.Hour})
	pump := dev("00:09:fb:00:00:01", 20)
	h.submit(join(pump, t0, "PUMP-1")...)
	h.submit(routed(pump, "10.20.0.11", "10.50.0.10", 6, 443, "https", t0.Add(time.Minute)))
	h.submit(routed(pump, "10.20.0.11", "10.50.0.12", 6, 2575, "hl7", t0.Add(30*time.Minute)))
	if got := h.takeEvents(); got != nil {
		t.Fatalf("events in the learning window: %v", got)
	}
	// After the window: the same as before is quiet, new things are not.
	h.submit(routed(pump, "10.20.0.11", "10.50.0.10", 6, 443, "https", t0.Add(2*time.Hour)))
	if got := h.takeEvents(); got != nil {
		t.Fatalf("events for known behaviour: %v", got)
	}
	h.submit(routed(pump, "10.20.0.11", "203.0.113.10", 6, 443, "https", t0.Add(2*time.Hour)),
		routed(pump, "10.20.0.11", "10.40.0.5", 6, 22, "ssh", t0.Add(2*time.Hour+time.Minute)))
	want := []string{
		"new-external-peer external-peer 203.0.113.10",
		"new-peer-zone peer-zone workstations",
		"new-protocol protocol ssh",
		"new-service service tcp/22",
	}
	if got := h.takeEvents(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	stored := storedEvents(t, h.db)
	if len(stored) != 4 {
		t.Fatalf("stored events: %q", stored)
	}
	for _, s := range stored {
		if !strings.Contains(s, "10.20.0.11 -> ") || !strings.Contains(s, "span0 vlan 20") {
			t.Errorf("event without its flow: %q", s)
		}
	}
	if !slices.Contains(stored, "new-service service tcp/22: 10.20.0.11 -> 10.40.0.5 tcp/22 (ssh), zones pumps -> workstations, span0 vlan 20") {
		t.Errorf("new-service event: %q", stored)
	}
	bs, err := h.db.Baselines(context.Background(), store.BaselineFilter{MAC: pump.MAC})
	if err != nil || len(bs) != 1 {
		t.Fatalf("baselines %v, %v", bs, err)
	}
	var learned, changes []string
	for _, it := range bs[0].Items {
		s := string(it.Kind) + " " + it.Value
		if it.Learned {
			learned = append(learned, s)
		} else {
			changes = append(changes, s)
		}
	}
	slices.Sort(learned)
	wantLearned := []string{"peer-zone servers", "protocol hl7", "protocol https", "service tcp/2575", "service tcp/443"}
	if !slices.Equal(learned, wantLearned) || len(changes) != 4 {
		t.Errorf("baseline: learned %q, changes %q", learned, changes)
	}
	if !bs[0].Started.Equal(t0.Add(time.Minute)) || bs[0].Class != model.ClassInfusionPump {
		t.Errorf("baseline started %v class %s", bs[0].Started, bs[0].Class)
	}

	// A restart: the baseline and the changes are known, nothing is
	// reported twice; something new still is.
	h.close()
	h = newHarness(t, path, Options{LearnFor: time.Hour})
	h.submit(routed(pump, "10.20.0.11", "203.0.113.10", 6, 443, "https", t0.Add(3*time.Hour)),
		routed(pump, "10.20.0.11", "10.50.0.10", 6, 443, "https", t0.Add(3*time.Hour)))
	if got := h.takeEvents(); got != nil {
		t.Fatalf("events after a restart for known items: %v", got)
	}
	h.submit(routed(pump, "10.20.0.11", "10.50.0.10", 17, 161, "snmp", t0.Add(3*time.Hour)))
	want = []string{"new-protocol protocol snmp", "new-service service udp/161"}
	if got := h.takeEvents(); !slices.Equal(got, want) {
		t.Fatalf("events after a restart:\n got %q\nwant %q", got, want)
	}

	// Reset: the device learns again from its next traffic.
	h.close()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.ResetBaselines(context.Background(), store.BaselineFilter{MAC: pump.MAC}); n != 1 || err != nil {
		t.Fatalf("reset: %d, %v", n, err)
	}
	db.Close()
	h = newHarness(t, path, Options{LearnFor: time.Hour})
	h.submit(routed(pump, "10.20.0.11", "10.90.0.1", 6, 8080, "", t0.Add(4*time.Hour)))
	if got := h.takeEvents(); got != nil {
		t.Fatalf("events after a reset: %v", got)
	}
	bs, _ = h.db.Baselines(context.Background(), store.BaselineFilter{MAC: pump.MAC})
	if len(bs) != 1 || !bs[0].Started.Equal(t0.Add(4*time.Hour)) || len(bs[0].Items) != 3 {
		t.Errorf("baseline after reset: %+v", bs)
	}
}

// TestUnusualForClass: with three pumps learned, a fourth that talks to a
// zone and a service no other pump does is flagged, in its own window;
// what the others do is not.
func TestUnusualForClass(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "inventory.db"), Options{LearnFor: time.Hour})
	var pumps []model.AssetKey
	for i := range 4 {
		k := dev("00:09:fb:00:01:0"+string(rune('1'+i)), 20)
		pumps = append(pumps, k)
		h.submit(join(k, t0, "PUMP-"+string(rune('1'+i)))...)
	}
	for i, k := range pumps[:3] {
		ip := "10.20.1." + string(rune('1'+i))
		h.submit(routed(k, ip, "10.50.0.10", 6, 443, "https", t0.Add(time.Minute)))
	}
	// The fourth starts later: its window is open while the others' have
	// ended.
	later := t0.Add(2 * time.Hour)
	h.submit(routed(pumps[3], "10.20.1.4", "10.50.0.10", 6, 443, "https", later))
	if got := h.takeEvents(); got != nil {
		t.Fatalf("events for usual behaviour: %v", got)
	}
	h.submit(routed(pumps[3], "10.20.1.4", "10.40.0.5", 6, 3389, "rdp", later.Add(time.Minute)))
	want := []string{
		"unusual-for-class peer-zone workstations",
		"unusual-for-class protocol rdp",
		"unusual-for-class service tcp/3389",
	}
	if got := h.takeEvents(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	for _, s := range storedEvents(t, h.db) {
		if !strings.Contains(s, "no other of 3 infusion-pump devices does") {
			t.Errorf("class event without its finding: %q", s)
		}
	}
	// Once its window ends the fourth pump's baseline counts for the
	// class: a first pump doing the same is a change of its own, not
	// unusual for the class.
	h.submit(routed(pumps[0], "10.20.1.1", "10.40.0.5", 6, 3389, "rdp", later.Add(2*time.Hour)))
	want = []string{"new-peer-zone peer-zone workstations", "new-protocol protocol rdp", "new-service service tcp/3389"}
	if got := h.takeEvents(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
}

// TestBounds: items per device and kind and devices are capped, counted,
// and a capped kind reports nothing more.
func TestBounds(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "inventory.db"), Options{LearnFor: time.Hour, MaxItems: 3, MaxAssets: 2})
	pump := dev("00:09:fb:00:02:01", 20)
	h.submit(join(pump, t0, "PUMP-9")...)
	h.submit(routed(pump, "10.20.2.1", "10.50.0.10", 6, 443, "https", t0))
	for port := uint16(1000); port < 1010; port++ {
		h.submit(routed(pump, "10.20.2.1", "10.50.0.10", 6, port, "", t0.Add(2*time.Hour)))
	}
	got := h.takeEvents()
	// Two more services (3 in all), one more protocol (tcp).
	want := []string{"new-protocol protocol tcp", "new-service service tcp/1000", "new-service service tcp/1001"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	for i := range 3 {
		k := dev("00:09:fb:00:02:1"+string(rune('0'+i)), 20)
		h.submit(join(k, t0, "")...)
		h.submit(routed(k, "10.20.2.1"+string(rune('0'+i)), "10.50.0.10", 6, 443, "https", t0))
	}
	st := h.st.Stats()
	if st.Assets != 2 || st.AssetsRefused == 0 || st.ItemsCapped != 8 {
		t.Errorf("stats %+v: want 2 devices, some refused, 8 items capped", st)
	}
}

// TestNoPolicy: without a policy there are no zones; a public address is
// still outside the site.
func TestNoPolicy(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "inventory.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Start(context.Background())
	var got []string
	st := New(db, segment.Fixed(nil), db.Classes(), Options{LearnFor: time.Minute, OnEvent: func(e *Event) {
		got = append(got, string(e.Type)+" "+e.Item.Value)
	}})
	k := dev("00:09:fb:00:03:01", 20)
	for _, o := range []model.Observation{routed(k, "10.20.3.1", "10.50.0.10", 6, 443, "https", t0),
		routed(k, "10.20.3.1", "198.51.100.7", 6, 443, "https", t0.Add(time.Hour))} {
		if err := st.Submit(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []string{"new-external-peer 198.51.100.7"}) {
		t.Errorf("events %q", got)
	}
}

func TestParseService(t *testing.T) {
	for _, s := range []string{"tcp/443", "udp/53", "ip/47", "tcp/0"} {
		p, port, ok := ParseService(s)
		if !ok || ServiceText(p, port) != s {
			t.Errorf("%s: %d %d %v", s, p, port, ok)
		}
	}
	for _, s := range []string{"", "tcp", "tcp/x", "sctp/1", "ip/300", "tcp/70000"} {
		if _, _, ok := ParseService(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

// TestConcurrentWorkers: the sensor's workers submit at once (run with
// -race); every device's change is reported once.
func TestConcurrentWorkers(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "inventory.db"), Options{LearnFor: time.Minute})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				k := dev("00:09:fb:05:"+hex2(w)+":"+hex2(i), 20)
				ip := "10.20." + strconv.Itoa(w) + "." + strconv.Itoa(i+1)
				for _, o := range []model.Observation{routed(k, ip, "10.50.0.10", 6, 443, "https", t0),
					routed(k, ip, "10.50.0.10", 6, 8080, "", t0.Add(time.Hour)),
					routed(k, ip, "10.50.0.10", 6, 8080, "", t0.Add(time.Hour))} {
					if err := h.st.Submit(context.Background(), o); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := h.st.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := h.takeEvents()
	if len(got) != 200 { // new-service tcp/8080 and new-protocol tcp for each of 100 devices
		t.Errorf("%d events, want 200", len(got))
	}
	if n := len(storedEvents(t, h.db)); n != 200 {
		t.Errorf("%d stored events, want 200", n)
	}
}

func hex2(i int) string { return strconv.FormatInt(int64(i+0x100), 16)[1:] }

// TestEvidenceText: the evidence of an item, as stored and shown.
func TestEvidenceText(t *testing.T) {
	c := dev("00:09:fb:06:00:01", 20)
	f := &model.FlowInfo{Client: c, ClientIP: netip.MustParseAddr("10.20.6.1"),
		ServerIP: netip.MustParseAddr("2001:db8::1"), Proto: 6, Port: 443, Service: "https"}
	for _, tc := range []struct {
		server      bool
		zone, peer  string
		proto, want string
	}{
		{false, "pumps", "internet", "",
			"10.20.6.1 -> 2001:db8::1 tcp/443 (https), zones pumps -> internet, " + c.Vantage + " vlan 20"},
		{true, "pacs", "", "", "10.20.6.1 -> 2001:db8::1 tcp/443 (https), zones - -> pacs, " + c.Vantage + " vlan 20"},
		{false, "", "", "udp", "10.20.6.1 -> 2001:db8::1 udp/443, " + c.Vantage + " vlan 20"},
	} {
		g := *f
		if tc.proto == "udp" {
			g.Proto, g.Service = 17, ""
		}
		if got := evidence(&g, tc.server, tc.zone, tc.peer); got != tc.want {
			t.Errorf("evidence = %q, want %q", got, tc.want)
		}
	}
	if got := ServiceText(47, 0); got != "ip/47" {
		t.Errorf("ServiceText(47, 0) = %q", got)
	}
	g := *f
	g.ClientIP = netip.Addr{}
	if got := evidence(&g, false, "", ""); !strings.HasPrefix(got, "invalid IP -> ") {
		t.Errorf("evidence without a client address = %q", got)
	}
}
