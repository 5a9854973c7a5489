package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// TestFactsCacheCoherent runs a random workload of addresses, DHCP
// messages, signals and flows (local, routed, to servers the frames name
// wrongly, clients that become patient monitors and pumps) through many
// small flushes, then checks that what the flusher's facts cache holds for
// every asset is what the database gives: the facts classification reads,
// the current classification and the evidence rows.
func TestFactsCacheCoherent(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { factsCacheCoherent(t, seed) })
	}
}

func factsCacheCoherent(t *testing.T, seed uint64) {
	opts := testOpts()
	opts.FlushSize = 1 // due at once: the chunks below are committed without Flush
	opts.Classifier = loadEngine(t)
	db := mustOpen(t, filepath.Join(t.TempDir(), "coherent.db"), opts)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 99))
	const n = 40
	keys := make([]model.AssetKey, n)
	ips := make([]string, n)
	for i := range keys {
		keys[i] = key(t, fmt.Sprintf("00:aa:01:00:%02x:%02x", seed, i+1))
		ips[i] = fmt.Sprintf("10.1.%d.%d", seed, i+1)
	}
	router := key(t, fmt.Sprintf("00:aa:01:ff:%02x:01", seed))
	vendors := []string{"Philips IntelliVue MX800", "BD Alaris PC 8015", "MSFT 5.0", "Cisco Systems, Inc. IP Phone CP-8845", ""}
	ports := []struct {
		proto uint8
		port  uint16
	}{{17, 53}, {6, 443}, {6, 9100}, {6, 2575}, {17, 123}, {6, 80}}
	signals := []struct {
		src model.EvidenceSource
		v   string
	}{{model.EvidenceLLDPSysName, "sw-core"}, {model.EvidenceLLDPCapabilities, "bridge,router"},
		{model.EvidenceCDPPlatform, "cisco WS-C2960"}, {model.EvidenceLLDPMEDModel, "MX800"}}
	var chunk []model.Observation
	submit := func(o model.Observation) {
		// Chunks committed before the next: many small flushes, as on a
		// live link, rather than one at Flush.
		if chunk = append(chunk, o); len(chunk) == 25 {
			submitNoFlush(t, db, chunk...)
			chunk = chunk[:0]
		}
	}
	submit(arp(router, t0, fmt.Sprintf("10.1.%d.254", seed)))
	for step := range 1500 {
		at := t0.Add(time.Duration(step) * time.Second)
		i, j := r.IntN(n), r.IntN(n)
		switch x := r.IntN(10); {
		case x == 0:
			submit(arp(keys[i], at, ips[i]))
		case x == 1:
			submit(dhcp(keys[i], at, model.DHCPInfo{MsgType: 3, VendorClass: vendors[r.IntN(len(vendors))],
				ParamList: []byte{1, 3, 6, 15}}))
		case x == 2:
			s := signals[r.IntN(len(signals))]
			submit(signal(keys[i], s.src, s.v, at))
		case x == 3:
			// Routed: the router's MAC carries another address's traffic.
			o := flowObs(router, keys[j], fmt.Sprintf("10.9.%d.%d", seed, r.IntN(30)), ips[j], 443, at, 1)
			submit(withLocal(o, false, true))
		case x == 4:
			// The frames name another MAC than the address's owner.
			p := ports[r.IntN(len(ports))]
			o := flowObs(keys[i], keys[(j+1)%n], ips[i], ips[j], p.port, at, 1)
			o.Flow.Proto = p.proto
			submit(o)
		default:
			p := ports[r.IntN(len(ports))]
			o := flowObs(keys[i], keys[j], ips[i], ips[j], p.port, at, 1)
			o.Flow.Proto = p.proto
			if r.IntN(3) == 0 {
				o.Flow.Service = "svc" + fmt.Sprint(r.IntN(3))
			}
			submit(o)
		}
	}
	submitNoFlush(t, db, chunk...)
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st := db.Stats(); st.Flushes < 20 {
		t.Errorf("the workload made %d flushes, want many", st.Flushes)
	}
	// The writer is idle after Flush: read its cache, and the database in
	// a transaction of its own connection.
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	f := &flush{db: db, ctx: ctx, tx: tx}
	cached := db.facts.m
	if len(cached) == 0 {
		t.Fatal("facts cache empty")
	}
	checked := map[string]int{}
	for id, e := range cached {
		d := &dirtyAsset{a: &assetState{id: id}, clinical: clinicalSome}
		db.facts.m = map[int64]*cachedFacts{id: e}
		fromCache, curCache, err := f.loadFacts(d)
		if err != nil {
			t.Fatal(err)
		}
		db.facts.m = map[int64]*cachedFacts{}
		fromDB, curDB, err := f.loadFacts(d)
		if err != nil {
			t.Fatal(err)
		}
		norm := func(x *fingerprint.Facts) {
			if len(x.Served) == 0 {
				x.Served = nil
			}
			if len(x.Clients) == 0 {
				x.Clients = nil
			}
			if len(x.Signals) == 0 {
				x.Signals = nil
			}
		}
		norm(fromCache)
		norm(fromDB)
		if !reflect.DeepEqual(fromCache, fromDB) {
			t.Errorf("asset %d: cached facts\n%+v\ndatabase\n%+v", id, fromCache, fromDB)
		}
		if !reflect.DeepEqual(curCache, curDB) {
			t.Errorf("asset %d: cached classification %+v, database %+v", id, curCache, curDB)
		}
		if e.evOK {
			ev, err := f.readEvidence(id)
			if err != nil {
				t.Fatal(err)
			}
			if len(ev) == 0 && len(e.evidence) == 0 {
				ev = e.evidence
			}
			if !reflect.DeepEqual(e.evidence, ev) {
				t.Errorf("asset %d: cached evidence %+v, database %+v", id, e.evidence, ev)
			}
			checked["evidence"]++
		}
		if len(fromDB.Served) > 0 {
			checked["served"]++
		}
		if len(fromDB.Clients) > 0 {
			checked["clients"]++
		}
		if fromDB.RoutedIPs > 0 {
			checked["routed"]++
		}
		if len(fromDB.Signals) > 0 {
			checked["signals"]++
		}
	}
	db.facts.m = cached
	for _, what := range []string{"evidence", "served", "clients", "routed", "signals"} {
		if checked[what] == 0 {
			t.Errorf("the workload left no asset with %s to compare: %v", what, checked)
		}
	}
	t.Logf("compared %d cached assets: %v", len(cached), checked)
}
