package main

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
)

// The daemon's judgement of critical devices over a real store: one silent
// event per silence (not repeated while it lasts, sleeping included, nor
// after a restart), heard-again when the device sends again, and nothing
// for a device that is not critical.
func TestLivenessEvents(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC) // a Wednesday
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	at := func(d time.Duration) { mu.Lock(); now = t0.Add(d); mu.Unlock() }

	p, err := policy.Parse([]byte(`critical:
  - name: pumps
    macs: ["00:12:21:0a:04:17"]
    every: 10m
    grace: 5m
    sleep: ["22:00-06:00"]
    timezone: UTC
`), "policy.yml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "wardwatch.db")
	db, err := store.Open(path, store.Options{FlushInterval: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	db.Start(ctx)
	defer db.Close()
	pump := model.AssetKey{Vantage: "span0", VLAN: 20, MAC: must(model.ParseMAC("00:12:21:0a:04:17"))}
	other := model.AssetKey{Vantage: "span0", VLAN: 20, MAC: must(model.ParseMAC("00:12:21:0a:04:18"))}
	submit := func(o model.Observation) {
		t.Helper()
		if err := db.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
		if err := db.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	heard := func(k model.AssetKey, ip string) {
		submit(model.Observation{Kind: model.ObsARP, Key: k, Time: clock(), IP: netip.MustParseAddr(ip),
			Source: model.SourceARPReply, ARP: &model.ARPInfo{Op: 2}})
	}
	heard(pump, "10.20.0.21")
	heard(other, "10.20.0.22")

	seg := segment.Fixed(p)
	newLive := func() *liveness {
		return newLiveness(newInventory(db, seg, configs.Default(), clock, time.Time{}, nil), seg, db, zap.NewNop(), probeOpts{})
	}
	l := newLive()
	eval := func(d time.Duration) {
		t.Helper()
		at(d)
		if err := l.evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	types := func() []model.EventType {
		t.Helper()
		evs, _, err := db.FindEvents(ctx, store.EventFilter{AssetID: 1})
		if err != nil {
			t.Fatal(err)
		}
		var out []model.EventType
		for _, e := range evs {
			if e.Type != model.EventNewDevice {
				out = append(out, e.Type)
			}
		}
		return out
	}
	check := func(when string, want ...model.EventType) {
		t.Helper()
		got := types()
		if len(got) != len(want) {
			t.Fatalf("%s: events %v, want %v", when, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: events %v, want %v", when, got, want)
			}
		}
	}

	eval(14 * time.Minute)
	check("within every+grace")
	eval(16 * time.Minute)
	check("past every+grace", model.EventSilent)
	eval(30 * time.Minute)
	check("still silent", model.EventSilent)
	eval(5*time.Hour + 30*time.Minute) // 22:30: sleeping
	check("sleeping", model.EventSilent)
	eval(13*time.Hour + 30*time.Minute) // 06:30 next day: silent again, the same silence
	check("awake, still silent", model.EventSilent)

	// A restart does not report the same silence again.
	l = newLive()
	eval(14 * time.Hour)
	check("after a restart", model.EventSilent)

	heard(pump, "10.20.0.21")
	eval(14*time.Hour + time.Minute)
	check("heard again", model.EventSilent, model.EventHeardAgain)
	eval(14*time.Hour + 20*time.Minute)
	check("silent again", model.EventSilent, model.EventHeardAgain, model.EventSilent)

	// A restart after an outage: the device is not judged before the
	// sensor had its interval, and then its silence is the one reported.
	at(14*time.Hour + 30*time.Minute)
	l = newLiveness(newInventory(db, seg, configs.Default(), clock, clock(), nil), seg, db, zap.NewNop(), probeOpts{})
	eval(14*time.Hour + 31*time.Minute)
	check("restarted, not judged yet", model.EventSilent, model.EventHeardAgain, model.EventSilent)
	eval(14*time.Hour + 50*time.Minute)
	check("restarted, silent", model.EventSilent, model.EventHeardAgain, model.EventSilent)

	evs, _, err := db.FindEvents(ctx, store.EventFilter{Type: model.EventSilent})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Key.MAC != pump.MAC || e.IP != netip.MustParseAddr("10.20.0.21") {
			t.Errorf("silent event about %s (%s): only the critical pump goes silent", e.Key.MAC, e.IP)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestProbeWarnings(t *testing.T) {
	p, err := policy.Parse([]byte("critical:\n  - name: a\n    classes: [infusion-pump]\n    every: 2m\n    grace: 1m\n"+
		"  - name: b\n    classes: [patient-monitor]\n    every: 10m\n"), "p.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    *policy.Policy
		want []string
	}{
		{nil, []string{"probe.enabled is true but the policy has no critical section: nothing will be probed"}},
		{p, []string{"probe.interval is longer than a critical entry's every + grace: an alive device falls back to silent between two probes"}},
	} {
		core, logs := observer.New(zap.WarnLevel)
		probeWarnings(zap.New(core), 5*time.Minute, tc.p)
		var got []string
		for _, e := range logs.All() {
			got = append(got, e.Message)
			if tc.p != nil && e.ContextMap()["critical"] != "a" {
				t.Errorf("warning about %v, want a (3m < 5m; b's 15m is fine)", e.ContextMap()["critical"])
			}
		}
		if len(got) != len(tc.want) || got[0] != tc.want[0] {
			t.Errorf("warnings %q, want %q", got, tc.want)
		}
	}
}

// check-config counts the policy's critical entries.
func TestCheckConfigCritical(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yml")
	writeFile(t, pol, []byte("critical:\n  - name: pumps\n    classes: [infusion-pump]\n    every: 15m\n"), 0o644)
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("capture:\n  interfaces: [{name: eth1}]\npolicy:\n  file: "+pol+"\n"), 0o644)
	r := runMain("check-config", "--config.file", cfg)
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, ": 2 zones, 0 rules, 1 critical entry") {
		t.Errorf("check-config: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// replay judges the critical devices at the end of the capture, on the
// capture's clock: the pumps not heard from in the last 20s of the demo
// are silent (one event each), the CT idle for a minute is sleeping (its
// sleep window covers the capture), and `assets` as of the capture's end
// agrees.
func TestReplayCritical(t *testing.T) {
	dir := t.TempDir()
	base, err := os.ReadFile(demoPolicy)
	if err != nil {
		t.Fatal(err)
	}
	pol := filepath.Join(dir, "policy.yml")
	writeFile(t, pol, append(base, []byte(`
critical:
  - name: pumps
    classes: [infusion-pump]
    every: 20s
    grace: 0s
  - name: imaging
    classes: [imaging-modality]
    every: 1m
    grace: 0s
    sleep: ["07:00-09:00"]
    timezone: UTC
`)...), 0o644)
	db := filepath.Join(dir, "wardwatch.db")
	if r := runMain("replay", "-q", "--db", db, "--policy.file", pol, filepath.Join("..", "..", "testdata", "demo.pcap")); r.code != 0 {
		t.Fatalf("replay: exit %d: %s", r.code, r.stderr)
	}
	wantSilent := []string{"58:46:e1:aa:d2:de", "9c:c8:ae:49:e2:29", "9c:c8:ae:9b:11:09", "9c:c8:ae:af:89:c7"}
	r := runMain("events", "--db", db, "--type", "silent", "-o", "json")
	var evs []struct {
		Time string `json:"time"`
		MAC  string `json:"mac"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil {
		t.Fatalf("events: %v: %s%s", err, r.stdout, r.stderr)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.MAC)
		if !strings.HasPrefix(e.Time, "2026-01-05T08:09:5") {
			t.Errorf("silent event at %s, want the capture's end (2026-01-05T08:09:5x)", e.Time)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, wantSilent) {
		t.Errorf("silent events for %v, want %v", got, wantSilent)
	}
	for state, want := range map[string][]string{"silent": wantSilent, "sleeping": {"00:18:65:04:85:95"}} {
		a := runMain("assets", "--db", db, "--policy.file", pol, "--now", "2026-01-05T08:09:56Z", "--state", state, "-o", "json")
		var recs []struct {
			MAC string `json:"mac"`
		}
		if err := json.Unmarshal([]byte(a.stdout), &recs); err != nil {
			t.Fatalf("assets --state %s: %v: %s%s", state, err, a.stdout, a.stderr)
		}
		var macs []string
		for _, rec := range recs {
			macs = append(macs, rec.MAC)
		}
		slices.Sort(macs)
		if !slices.Equal(macs, want) {
			t.Errorf("assets --state %s: %v, want %v", state, macs, want)
		}
	}
}
