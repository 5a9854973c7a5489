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
// is classified again at the count's steps (1-4, then powers of two), the
// counts between steps at the next settle (Flush, Close, every
// settleInterval), and its flow facts are read again only when its flows
// changed.

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

func TestGrowingServerClassifiedAtSteps(t *testing.T) {
	opts := testOpts()
	opts.FlushSize = 1 // a flush as soon as the flusher is free: no Flush needed
	rec := &recorder{Classifier: loadEngine(t)}
	opts.Classifier = rec
	db := mustOpen(t, filepath.Join(t.TempDir(), "steps.db"), opts)
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

	// The eighth client is a step: classified without a settle.
	k, ip := client(8)
	submitNoFlush(t, db, arp(k, at(8), ip), dnsFlow(8))
	if s := rec.last(dns.MAC).Served; rec.count(dns.MAC) != before+2 || len(s) != 1 || s[0].Clients != 8 {
		t.Errorf("at the step of 8 clients: classified %d times, served %+v", rec.count(dns.MAC)-before, s)
	}

	// The ninth is not, until Flush settles.
	k, ip = client(9)
	submitNoFlush(t, db, arp(k, at(9), ip), dnsFlow(9))
	if n := rec.count(dns.MAC); n != before+2 {
		t.Errorf("9 clients before a settle: classified %d more times", n-before-2)
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := rec.last(dns.MAC).Served; rec.count(dns.MAC) != before+3 || len(s) != 1 || s[0].Clients != 9 {
		t.Errorf("after Flush settles: classified %d times, served %+v", rec.count(dns.MAC)-before, s)
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
