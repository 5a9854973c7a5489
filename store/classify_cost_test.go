package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// The classification cost follows what changes: a server gaining clients
// is classified again at the counts where a rule may change (the first
// client, 2 on an infrastructure port, 3 on TCP) and for a client of a class
// the rules count (a pump, a monitor), the other counts at the next settle
// (Flush, Close, every settleInterval), and its flow facts are read again
// only when its flows changed.

// submitNoFlush submits the observations and waits until the writer has
// committed them, without calling Flush (which settles).
func submitNoFlush(tb testing.TB, db *DB, obs ...model.Observation) {
	tb.Helper()
	want := db.Stats().Written + uint64(len(obs))
	for _, o := range obs {
		if err := db.Submit(context.Background(), o); err != nil {
			tb.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for db.Stats().Written < want {
		if time.Now().After(deadline) {
			tb.Fatalf("writer did not commit: %+v", db.Stats())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// servedEvidence returns the asset's flow.served evidence value.
func servedEvidence(tb testing.TB, db *DB, k model.AssetKey) string {
	tb.Helper()
	a := mustAsset(tb, db, k)
	ev, err := db.Evidence(context.Background(), a.ID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ev {
		if e.Source == model.EvidenceServed {
			return e.Value
		}
	}
	return ""
}

// stepDB opens a database named name whose writer flushes as soon as the
// flusher is free (no Flush, which settles, needed), classifying with the
// shipped engine through a recorder; vendor may be nil.
func stepDB(t *testing.T, name string, vendor func(model.MAC) string) (*DB, *recorder) {
	t.Helper()
	opts := testOpts()
	opts.FlushSize = 1
	rec := &recorder{Classifier: loadEngine(t)}
	opts.Classifier = rec
	if vendor != nil {
		opts.Vendor = vendor
	}
	return mustOpen(t, filepath.Join(t.TempDir(), name), opts), rec
}

func TestGrowingServerClassifiedAtSteps(t *testing.T) {
	db, rec := stepDB(t, "steps.db", nil)
	dns := key(t, "00:aa:00:00:02:01")
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	client := func(i int) (model.AssetKey, string) {
		return key(t, fmt.Sprintf("00:aa:00:00:03:%02x", i)), fmt.Sprintf("10.0.3.%d", i)
	}
	dnsFlow := func(i int) model.Observation {
		k, ip := client(i)
		o := flowObs(k, dns, ip, "10.0.0.53", 53, at(i), 2)
		o.Flow.Proto, o.Flow.Service = 17, "dns"
		return o
	}
	mustSubmit(t, db, arp(dns, t0, "10.0.0.53"))
	for i := 1; i <= 4; i++ {
		k, ip := client(i)
		mustSubmit(t, db, arp(k, at(i), ip))
	}
	for i := 1; i <= 4; i++ {
		mustSubmit(t, db, dnsFlow(i))
	}
	if got := servedEvidence(t, db, dns); got != "udp/53 (dns) to 4 clients" {
		t.Fatalf("after 4 clients: %q", got)
	}
	before := rec.count(dns.MAC)

	// Clients 5 to 7 are between steps: no classification until a settle.
	for i := 5; i <= 7; i++ {
		k, ip := client(i)
		submitNoFlush(t, db, arp(k, at(i), ip), dnsFlow(i))
	}
	if n := rec.count(dns.MAC); n != before {
		t.Errorf("server classified %d more times for clients between steps", n-before)
	}
	if got := servedEvidence(t, db, dns); got != "udp/53 (dns) to 4 clients" {
		t.Errorf("between steps, before a settle: %q", got)
	}

	// A DHCP message (another reason) classifies it with its flow facts
	// as they are now: the cached ones were dropped when its flows changed.
	submitNoFlush(t, db, dhcp(dns, at(8), model.DHCPInfo{MsgType: 3, Hostname: "dns01"}))
	if n := rec.count(dns.MAC); n != before+1 {
		t.Errorf("classified %d times for a DHCP message, want once", n-before)
	}
	if s := rec.last(dns.MAC).Served; len(s) != 1 || s[0].Clients != 7 {
		t.Errorf("classified for a DHCP message after clients 5-7 with served %+v, want 7 clients (stale flow facts?)", s)
	}

	// The eighth and ninth are not steps either, until Flush settles.
	for i := 8; i <= 9; i++ {
		k, ip := client(i)
		submitNoFlush(t, db, arp(k, at(i), ip), dnsFlow(i))
	}
	if n := rec.count(dns.MAC); n != before+1 {
		t.Errorf("9 clients before a settle: classified %d more times", n-before-1)
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := rec.last(dns.MAC).Served; rec.count(dns.MAC) != before+2 || len(s) != 1 || s[0].Clients != 9 {
		t.Errorf("after Flush settles: classified %d times, served %+v", rec.count(dns.MAC)-before, s)
	}
}

// A port's first client classifies its server again only when a rule reads
// that port (fingerprint.Engine.ReadsServed): DNS, not HTTPS; the HTTPS
// port reaches the server's classification at the next settle.
func TestFirstClientOfUnreadPortWaitsForSettle(t *testing.T) {
	db, rec := stepDB(t, "first.db", nil)
	srv, cl := key(t, "00:aa:00:00:09:01"), key(t, "00:aa:00:00:09:02")
	mustSubmit(t, db, arp(srv, t0, "10.0.9.1"), arp(cl, t0, "10.0.9.2"))
	before := rec.count(srv.MAC)
	submitNoFlush(t, db, flowObs(cl, srv, "10.0.9.2", "10.0.9.1", 443, t0.Add(time.Second), 2))
	if n := rec.count(srv.MAC); n != before {
		t.Errorf("the first HTTPS client classified the server %d times before a settle", n-before)
	}
	dns := flowObs(cl, srv, "10.0.9.2", "10.0.9.1", 53, t0.Add(2*time.Second), 2)
	dns.Flow.Proto, dns.Flow.Service = 17, "dns"
	submitNoFlush(t, db, dns)
	if n := rec.count(srv.MAC); n != before+1 {
		t.Errorf("the first DNS client classified the server %d times, want once", n-before)
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := rec.last(srv.MAC).Served; len(s) != 2 {
		t.Errorf("after Flush settles: the server's classification saw served %+v, want DNS and HTTPS", s)
	}
}

// A server whose evidence shows no count (classified by its DHCP
// fingerprint, not by what it serves) is not classified again at a settle
// for clients between steps: neither its result nor its evidence text can
// change. Its facts still follow its flows.
func TestQuietServerNotSettled(t *testing.T) {
	db, rec := stepDB(t, "quiet.db", nil)
	srv := key(t, "00:aa:00:00:0a:01")
	win := model.DHCPInfo{MsgType: 3, VendorClass: "MSFT 5.0", Hostname: "ws01",
		ParamList: []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}}
	mustSubmit(t, db, arp(srv, t0, "10.0.10.1"), dhcp(srv, t0, win))
	if ev, err := db.Evidence(context.Background(), mustAsset(t, db, srv).ID); err != nil || len(ev) == 0 {
		t.Fatalf("evidence %+v, %v", ev, err)
	} else {
		for _, e := range ev {
			if countSource(e.Source) {
				t.Fatalf("the test needs evidence without counts: %+v", e)
			}
		}
	}
	before := rec.count(srv.MAC)
	for i := 1; i <= 5; i++ {
		k, ip := key(t, fmt.Sprintf("00:aa:00:00:0b:%02x", i)), fmt.Sprintf("10.0.11.%d", i)
		o := flowObs(k, srv, ip, "10.0.10.1", 5000, t0.Add(time.Duration(i)*time.Second), 2)
		o.Flow.Proto = 17
		submitNoFlush(t, db, arp(k, t0, ip), o)
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(srv.MAC); n != before {
		t.Errorf("classified %d times for clients its evidence does not count", n-before)
	}
	win.Hostname = "ws02"
	submitNoFlush(t, db, dhcp(srv, t0.Add(time.Minute), win))
	if s := rec.last(srv.MAC).Served; rec.count(srv.MAC) != before+1 || len(s) != 1 || s[0].Clients != 5 {
		t.Errorf("classified again for its DHCP: %d times, served %+v; want once, 5 clients", rec.count(srv.MAC)-before, s)
	}
}

// A new client whose class the rules count among a server's clients (an
// infusion pump) classifies the server at once, whatever the count; the
// second pump makes it a pump server (builtin/pump-clients) without waiting
// for a settle.
func TestClientOfCountedClassIsAStep(t *testing.T) {
	db, rec := stepDB(t, "pumps.db", func(m model.MAC) string {
		if m[0] == 0x00 && m[1] == 0x12 && m[2] == 0x34 {
			return "B.Braun Melsungen AG"
		}
		return ""
	})
	srv := key(t, "00:aa:00:00:06:01")
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	mustSubmit(t, db, arp(srv, t0, "10.0.6.10"))
	// Four clients of no counted class, then two B. Braun pumps (their
	// DHCP vendor class names the pump, so they are classified before
	// their flows come).
	for i := 1; i <= 4; i++ {
		k := key(t, fmt.Sprintf("00:aa:00:00:07:%02x", i))
		mustSubmit(t, db, arp(k, at(i), fmt.Sprintf("10.0.7.%d", i)),
			flowObs(k, srv, fmt.Sprintf("10.0.7.%d", i), "10.0.6.10", 8080, at(i), 2))
	}
	pumps := make([]model.AssetKey, 2)
	for i := range pumps {
		pumps[i] = key(t, fmt.Sprintf("00:12:34:00:08:%02x", i+1))
		mustSubmit(t, db, dhcp(pumps[i], at(10+i), model.DHCPInfo{MsgType: 3, VendorClass: "BBraun Space", Hostname: fmt.Sprintf("pump%d", i+1)}))
		if a := mustAsset(t, db, pumps[i]); a.Class != model.ClassInfusionPump {
			t.Fatalf("pump %d: class %s; the test needs an infusion pump", i+1, a.Class)
		}
	}
	before := rec.count(srv.MAC)
	for i, p := range pumps {
		ip := fmt.Sprintf("10.0.8.%d", i+1)
		submitNoFlush(t, db, arp(p, at(20+i), ip), flowObs(p, srv, ip, "10.0.6.10", 8080, at(20+i), 2))
		if n := rec.count(srv.MAC); n != before+i+1 {
			t.Errorf("after pump %d (client %d): the server was classified %d more times, want %d", i+1, 5+i, n-before, i+1)
		}
	}
	if c := rec.last(srv.MAC).Clients; len(c) == 0 {
		t.Errorf("the server's last classification saw no counted clients: %+v", c)
	}
}

// A flow whose server end is on the link but not resolved to an asset
// (the frames' server MAC does not own the address) is the address owner's
// (servedFlows): its cached flow facts are dropped when such a flow comes.
func TestFlowFactsCacheUnresolvedServer(t *testing.T) {
	opts := testOpts()
	rec := &recorder{Classifier: loadEngine(t)}
	opts.Classifier = rec
	db := mustOpen(t, filepath.Join(t.TempDir(), "unresolved.db"), opts)
	srv := key(t, "00:aa:00:00:04:01")
	other := key(t, "00:aa:00:00:04:02") // a MAC that does not own 10.0.4.80
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	mustSubmit(t, db, arp(srv, t0, "10.0.4.80"), arp(other, t0, "10.0.4.81"))
	clients := make([]model.AssetKey, 5)
	for i := range clients {
		clients[i] = key(t, fmt.Sprintf("00:aa:00:00:05:%02x", i+1))
		mustSubmit(t, db, arp(clients[i], at(i), fmt.Sprintf("10.0.5.%d", i+1)))
	}
	for i := range 3 {
		mustSubmit(t, db, flowObs(clients[i], srv, fmt.Sprintf("10.0.5.%d", i+1), "10.0.4.80", 8080, at(10+i), 3))
	}
	served := func() []fingerprint.Served { f := rec.last(srv.MAC); return f.Served }
	if s := served(); len(s) != 1 || s[0].Clients != 3 {
		t.Fatalf("served after 3 resolved clients: %+v", s)
	}
	// A fourth client's frames name the other MAC as the server end.
	mustSubmit(t, db, flowObs(clients[3], other, "10.0.5.4", "10.0.4.80", 8080, at(20), 3))
	// Classify the server again for another reason.
	mustSubmit(t, db, dhcp(srv, at(21), model.DHCPInfo{MsgType: 3, Hostname: "app01"}))
	if s := served(); len(s) != 1 || s[0].Clients != 4 {
		t.Errorf("served after a fourth client through another MAC: %+v, want 4 clients", s)
	}
}
