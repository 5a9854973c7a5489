package store

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// A probe answer is the asset's probe evidence: kept in probe_answers,
// never its last-seen time, never an asset of its own. A liveness event
// (model.ObsEvent) is recorded for a known asset only.
func TestProbeAnswersAndLivenessEvents(t *testing.T) {
	db, path := newDB(t)
	pump := key(t, "00:12:21:0a:04:17")
	stranger := key(t, "00:12:21:0a:04:99")
	heard := t0.Add(time.Minute)
	mustSubmit(t, db, arp(pump, heard, "10.20.0.21"))

	probe := func(k model.AssetKey, at time.Time) model.Observation {
		return model.Observation{Kind: model.ObsProbe, Key: k, Time: at, IP: netip.MustParseAddr("10.20.0.21"),
			Source: model.SourceProbe}
	}
	silent := model.Observation{Kind: model.ObsEvent, Key: pump, Time: t0.Add(20 * time.Minute),
		IP: netip.MustParseAddr("10.20.0.21"), Event: &model.EventInfo{Type: model.EventSilent, NewValue: "not heard"}}
	mustSubmit(t, db, silent, probe(pump, t0.Add(25*time.Minute)), probe(pump, t0.Add(30*time.Minute)),
		probe(stranger, t0.Add(30*time.Minute)),
		model.Observation{Kind: model.ObsEvent, Key: stranger, Time: t0, Event: &model.EventInfo{Type: model.EventSilent}})

	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 1 {
		t.Fatalf("%d assets, want 1 (a probe answer or event creates none)", len(as))
	}
	if !as[0].LastSeen.Equal(heard) {
		t.Errorf("last seen %v, want %v: a probe answer is not traffic heard", as[0].LastSeen, heard)
	}
	probed, err := db.ProbedAt(context.Background(), []int64{as[0].ID, as[0].ID + 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(probed) != 1 || !probed[as[0].ID].Equal(t0.Add(30*time.Minute)) {
		t.Errorf("ProbedAt = %v, want the latest answer %v", probed, t0.Add(30*time.Minute))
	}
	var answers int
	var first int64
	if err := rawDB(t, path).QueryRow(`SELECT answers, first_seen FROM probe_answers`).Scan(&answers, &first); err != nil {
		t.Fatal(err)
	}
	if answers != 2 || first != t0.Add(25*time.Minute).UnixNano() {
		t.Errorf("answers %d, first %d: want 2 from %v", answers, first, t0.Add(25*time.Minute))
	}
	got := events(t, db)
	want := []ev{{model.EventNewDevice, "10.20.0.21", "", "unknown"}, {model.EventSilent, "10.20.0.21", "", "not heard"}}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %v, want %v", i, got[i], want[i])
		}
	}
}
