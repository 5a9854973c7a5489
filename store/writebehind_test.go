package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// mixedObs is a deterministic stream of every kind of observation over a
// small network, with what makes the writer's decisions interesting:
// addresses that move between devices and come back (ip-moved, flip-flop),
// DHCP fingerprints and names that change, local, routed and unknown flow
// ends, violations whose ends are found by address, DICOM and HL7 reports
// (some behind the router), repeated reports of the same rows.
func mixedObs(n int) []model.Observation {
	r := rand.New(rand.NewPCG(1, 2))
	router := model.AssetKey{Vantage: "span0", VLAN: 10, MAC: model.MAC{0x00, 0x00, 0x0c, 0, 0, 0xfe}}
	dev := func(i int) model.AssetKey {
		k := nthKey(i % 40)
		if i%40 >= 30 {
			k.VLAN = 20
		}
		return k
	}
	ipOf := func(i int) string { return fmt.Sprintf("10.0.0.%d", 1+i%50) }
	names := []string{"ws-a", "ws-b", "pump-3"}
	obs := make([]model.Observation, 0, n)
	for i := range n {
		t := t0.Add(time.Duration(i) * 3 * time.Second)
		c, s := r.IntN(45), r.IntN(45) // 40..44: never seen sending
		var o model.Observation
		switch k := r.IntN(20); {
		case k < 4:
			o = activity(dev(c), t.Add(-time.Second), t, uint64(1+r.IntN(9)), uint64(100+r.IntN(900)))
		case k < 7:
			ip := c
			if r.IntN(6) == 0 {
				ip = s // a move, and often a move back later
			}
			o = arp(dev(c), t, ipOf(ip))
		case k == 7:
			o = ack(dev(c), t, ipOf(c))
		case k == 8:
			o = dhcp(dev(c), t, model.DHCPInfo{MsgType: 3, Hostname: names[r.IntN(3)], ParamList: []byte{1, 3, byte(6 + r.IntN(2))},
				VendorClass: []string{"", "MSFT 5.0", "udhcp 1.31.1"}[r.IntN(3)], ClientID: []byte{1, byte(c)}, MaxMsgSize: uint16(r.IntN(2) * 1500)})
		case k < 14:
			server := dev(s)
			sip := ipOf(s)
			o = flowObs(dev(c), server, ipOf(c), sip, uint16(100+r.IntN(4)), t, uint64(1+r.IntN(5)))
			if r.IntN(3) == 0 {
				o = withLocal(flowObs(dev(c), router, ipOf(c), fmt.Sprintf("192.0.2.%d", r.IntN(8)), 443, t, 2), true, false)
			}
			if r.IntN(5) == 0 {
				o = withLocal(o, false, o.Flow.ServerLocal) // client behind the router
			}
			if r.IntN(4) == 0 {
				o.Flow.Service = "dicom"
			}
			if r.IntN(3) == 0 {
				o = violationObs(o, []string{"default", "no-guests"}[r.IntN(2)], "guest", "imaging", []string{"high", "medium"}[r.IntN(2)])
			}
		case k < 17:
			d := model.DICOMInfo{Role: []string{model.RoleSCU, model.RoleSCP}[r.IntN(2)], AETitle: fmt.Sprintf("AE%d", c%5),
				PeerAETitle: "PACS", PeerIP: netip.MustParseAddr(ipOf(s)), Port: 104, NewAssociation: r.IntN(2) == 0,
				SOPClasses: []string{uidCT, uidMR}[:1+r.IntN(2)], Result: "accepted",
				Commands: []model.DICOMCommand{{Name: "C-STORE-RQ", SOPClass: uidCT}}}
			o = dicomObs(dev(c), t, d)
			if r.IntN(3) == 0 {
				o.Key, o.Remote, o.IP = router, true, netip.MustParseAddr(ipOf(c))
			}
		default:
			h := model.HL7Info{Role: []string{model.RoleSender, model.RoleReceiver}[r.IntN(2)], Application: "MON",
				Facility: "ICU", PeerApplication: "EMR", MessageType: []string{"ORU^R01", "ADT^A01"}[r.IntN(2)],
				Version: "2.5", EquipmentIDs: []string{fmt.Sprintf("EQ%d", r.IntN(3))}}
			if r.IntN(4) == 0 {
				h.AckCode, h.Role = "AA", model.RoleSender
			}
			o = hl7Obs(dev(c), t, h)
		}
		obs = append(obs, o)
	}
	return obs
}

// dumpDB returns every table the writer writes, as sorted text, but for
// classification: events without their ids and without class changes,
// assets without their class columns, no evidence. Classification runs once
// per flush on the facts as they are then, so where flushes fall decides
// its path (and, between equally strong rules, its result), as it always
// did.
func dumpDB(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	raw := rawDB(tb, path)
	tables := map[string]string{
		"assets": `SELECT id, vantage, vlan, mac, key_ip, keyed_by, outer_vlan, vendor, randomized, first_seen, last_seen,
			packets, bytes, hostname, dhcp_param_list, dhcp_max_msg_size, dhcp_vendor_class, dhcp_client_id,
			relay_circuit_id, relay_remote_id FROM assets`,
		"asset_addresses":   "SELECT * FROM asset_addresses",
		"asset_hostnames":   "SELECT * FROM asset_hostnames",
		"ip_bindings":       "SELECT * FROM ip_bindings",
		"flows":             "SELECT * FROM flows",
		"violations":        "SELECT * FROM violations",
		"dicom_aes":         "SELECT * FROM dicom_aes",
		"dicom_sop_classes": "SELECT * FROM dicom_sop_classes",
		"dicom_commands":    "SELECT * FROM dicom_commands",
		"hl7_apps":          "SELECT * FROM hl7_apps",
		"hl7_message_types": "SELECT * FROM hl7_message_types",
		"hl7_equipment":     "SELECT * FROM hl7_equipment",
	}
	out := map[string][]string{}
	for name, q := range tables {
		rows, err := raw.Query(q)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			out[name] = append(out[name], fmt.Sprint(vals...))
		}
		rows.Close()
		slices.Sort(out[name])
	}
	out["events"] = dumpEvents(tb, raw)
	return out
}

// dumpEvents returns the events as sorted text, in the form that does not
// depend on where flushes fell: a device's new-device event carries the
// first address and class its flush learned, where another flush point
// makes new-ip and new-station events of that address and class-changed
// events. So: new-device events without address and class, no
// class-changed events, the addresses announced per asset (by new-device
// or new-ip, whatever the time), no new-station event for an asset's first
// announced address (ip_bindings, compared apart, holds the bindings).
func dumpEvents(tb testing.TB, raw *sql.DB) []string {
	tb.Helper()
	rows, err := raw.Query(`SELECT time, type, vantage, vlan, mac, key_ip, ip, old_value, new_value, ifnull(asset_id, 0)
		FROM events ORDER BY time, id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	type event struct {
		t                                  int64
		typ, vantage                       string
		vlan                               int
		mac, keyIP, ip, oldValue, newValue string
		asset                              int64
	}
	var evs []event
	firstIP := map[int64]string{}
	var out []string
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.t, &e.typ, &e.vantage, &e.vlan, &e.mac, &e.keyIP, &e.ip, &e.oldValue, &e.newValue, &e.asset); err != nil {
			tb.Fatal(err)
		}
		switch model.EventType(e.typ) {
		case model.EventClassChanged:
			continue
		case model.EventNewDevice, model.EventNewIP:
			if e.ip != "" {
				out = append(out, fmt.Sprint("announced ", e.asset, " ", e.ip))
				if _, ok := firstIP[e.asset]; !ok {
					firstIP[e.asset] = e.ip
				}
			}
			if e.typ == string(model.EventNewDevice) {
				e.ip, e.newValue = "", ""
			} else {
				continue
			}
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	for _, e := range evs {
		if e.typ == string(model.EventNewStation) && firstIP[e.asset] == e.ip {
			continue
		}
		out = append(out, fmt.Sprint(e))
	}
	slices.Sort(out)
	return out
}

// TestWriteBehindEquivalence writes the same observations with very
// different flush points, cache sizes and restarts: the database must end
// up the same, row for row, as the first run, which flushes once: what the
// writer keeps in memory between flushes, trims from its cache or reads
// back after a restart must not change a decision, a count or an event.
func TestWriteBehindEquivalence(t *testing.T) {
	obs := mixedObs(3000)
	run := func(t *testing.T, opts Options, restartEvery int) map[string][]string {
		opts.Classifier = loadEngine(t)
		path := filepath.Join(t.TempDir(), "w.db")
		db, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		db.Start(context.Background())
		for i, o := range obs {
			if restartEvery > 0 && i > 0 && i%restartEvery == 0 {
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				if db, err = Open(path, opts); err != nil {
					t.Fatal(err)
				}
				db.Start(context.Background())
			}
			if err := db.Submit(context.Background(), o); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return dumpDB(t, path)
	}
	base := testOpts()
	base.FlushSize = 1 << 30
	want := run(t, base, 0)
	if len(want["violations"]) == 0 || len(want["dicom_aes"]) == 0 || len(want["hl7_apps"]) == 0 || len(want["flows"]) == 0 {
		t.Fatalf("the stream misses a kind: %v", func() (n []int) {
			for _, v := range want {
				n = append(n, len(v))
			}
			return
		}())
	}
	evs := strings.Join(want["events"], "\n")
	for _, typ := range []model.EventType{model.EventIPMoved, model.EventFlipFlop, model.EventHostname, model.EventViolation, model.EventNewStation} {
		if !strings.Contains(evs, string(typ)) {
			t.Errorf("the stream makes no %s event", typ)
		}
	}
	for _, tc := range []struct {
		name    string
		flush   int // FlushSize
		cache   int // CacheSize
		restart int // observations between restarts
	}{
		{"flush every change", 1, 0, 0},
		{"small flushes, tiny cache", 7, 3, 0},
		{"restarts", 1 << 30, 0, 700},
		{"restarts, small flushes and cache", 50, 20, 450},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOpts()
			opts.FlushSize, opts.CacheSize = tc.flush, tc.cache
			got := run(t, opts, tc.restart)
			for table, rows := range want {
				if !slices.Equal(got[table], rows) {
					t.Errorf("%s differs:\n got %d rows %q\nwant %d rows %q", table, len(got[table]), head(got[table]), len(rows), head(rows))
				}
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// TestRowsFollowChanges: many observations of the same few rows cost one
// write per row and flush, not one per observation.
func TestRowsFollowChanges(t *testing.T) {
	db, _ := newDB(t)
	client, server := nthKey(1), nthKey(2)
	mustSubmit(t, db, arp(client, t0, "10.0.0.1"), arp(server, t0, "10.0.0.2"))
	before := db.Stats().RowsWritten
	var obs []model.Observation
	for i := range 1000 {
		ti := t0.Add(time.Duration(i) * time.Second)
		obs = append(obs, activity(client, ti, ti, 1, 100), activity(server, ti, ti, 1, 100),
			flowObs(client, server, "10.0.0.1", "10.0.0.2", 104, ti, 1), arp(client, ti, "10.0.0.1"))
	}
	mustSubmit(t, db, obs...)
	// 2 assets, 1 flow, 1 address and 1 binding changed.
	if got := db.Stats().RowsWritten - before; got != 5 {
		t.Errorf("4000 observations of 5 rows wrote %d rows", got)
	}
	as := mustAssets(t, db, AssetFilter{})
	fs := mustFlows(t, db, FlowFilter{})
	if len(as) != 2 || as[0].Packets != 1000 || !as[0].LastSeen.Equal(t0.Add(999*time.Second)) || len(fs) != 1 ||
		fs[0].Packets != 1000 || fs[0].Connections != 1000 {
		t.Errorf("assets %+v, flows %+v", as, fs)
	}
}

// TestWriterTakesWhileFlushing: a flush under way (here stuck on a lock
// another connection holds) does not stop the writer from taking
// observations: Submit does not block on a queue far smaller than what is
// submitted meanwhile, and everything is written once the lock goes.
func TestWriterTakesWhileFlushing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	opts := testOpts()
	opts.FlushInterval = 10 * time.Millisecond
	opts.QueueSize = 4
	opts.BusyTimeout = 3 * time.Second
	db := mustOpen(t, path, opts)
	ctx := context.Background()
	raw := rawDB(t, path)
	tx, err := raw.Begin() // _txlock=immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	mustSubmitNoFlush := func(from, to int) {
		for i := from; i < to; i++ {
			if err := db.Submit(ctx, activity(nthKey(i), t0, t0, 1, 1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustSubmitNoFlush(0, 1)
	waitFor(t, "a flush under way", func() bool { return db.Stats().Pending == 1 && db.commits.Load() == 1 })
	start := time.Now()
	mustSubmitNoFlush(1, 200)
	if d := time.Since(start); d > time.Second {
		t.Errorf("199 Submits on a queue of 4 took %v while a flush waited for the lock", d)
	}
	waitFor(t, "all 200 taken", func() bool { return db.Stats().Pending == 200 })
	if s := db.Stats(); s.Written != 0 || s.Flushes != 0 {
		t.Errorf("while locked: %+v", s)
	}
	tx.Rollback()
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Written != 200 || s.Pending != 0 || s.Dropped != 0 {
		t.Errorf("after the lock: %+v", s)
	}
	if n := countAssets(t, path); n != 200 {
		t.Errorf("%d assets, want 200", n)
	}
}

// TestGiveUpDropsWhatFollows: when a flush fails MaxRetries times it is
// dropped with everything applied after it (which may name its rows), and
// the writer starts afresh from the database.
func TestGiveUpDropsWhatFollows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	opts := testOpts()
	opts.FlushInterval = 10 * time.Millisecond
	opts.BusyTimeout = 300 * time.Millisecond // the retry is under way long after the Submits below
	opts.MaxRetries = 1
	db := mustOpen(t, path, opts)
	ctx := context.Background()
	mustSubmit(t, db, activity(nthKey(1), t0, t0, 1, 1)) // known before the trouble
	raw := rawDB(t, path)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, activity(nthKey(2), t0, t0, 1, 1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a failed flush", func() bool { return db.Stats().FlushErrors == 1 })
	// Applied after the failed flush: a touch of its new asset, and more.
	for _, o := range []model.Observation{activity(nthKey(2), t0, t0, 1, 1), activity(nthKey(1), t0, t0, 1, 1)} {
		if err := db.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the flush given up", func() bool { return db.Stats().DroppedFailed > 0 })
	tx.Rollback()
	mustSubmit(t, db, activity(nthKey(3), t0, t0, 1, 1), activity(nthKey(1), t0, t0, 1, 1))
	s := db.Stats()
	if s.DroppedFailed != 3 || s.Written != 3 || s.Pending != 0 {
		t.Errorf("stats = %+v", s)
	}
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 2 || as[0].Key != nthKey(1) || as[0].Packets != 2 || as[1].Key != nthKey(3) {
		t.Errorf("assets = %+v", as)
	}
}
