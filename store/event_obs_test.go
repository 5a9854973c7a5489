package store

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// TestEventObservation: an event decided outside the sensor (ObsEvent) is
// recorded for the asset its key names, with its time, address and
// values; for an asset the store does not have, nothing is recorded (and
// no asset is created); LastEventID tails the table.
func TestEventObservation(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	k := key(t, "00:1b:63:84:45:e6")
	mustSubmit(t, db, activity(k, t0, t0.Add(time.Minute), 1, 60))
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	last, err := db.LastEventID(ctx)
	if err != nil || last == 0 {
		t.Fatalf("LastEventID %d, %v: want the new-device event's", last, err)
	}
	at := t0.Add(time.Hour)
	mustSubmit(t, db,
		model.Observation{Kind: model.ObsEvent, Key: k, Time: at, IP: netip.MustParseAddr("10.0.0.7"),
			Event: &model.EventInfo{Type: model.EventAdvisoryMatch, NewValue: model.AdvisoryMatchValue("ICSMA-1", "affected")}},
		model.Observation{Kind: model.ObsEvent, Key: key(t, "00:1b:63:00:00:01"), Time: at,
			Event: &model.EventInfo{Type: model.EventAdvisoryMatch, NewValue: "x (affected)"}},
		model.Observation{Kind: model.ObsEvent, Key: k, Time: at, Event: &model.EventInfo{Type: "no-such-type"}},
		model.Observation{Kind: model.ObsEvent, Key: k, Time: at}, // no event
	)
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	evs := mustEvents(t, db, EventFilter{AfterID: last})
	if len(evs) != 1 {
		t.Fatalf("events after %d: %+v, want the one advisory match", last, evs)
	}
	e := evs[0]
	if e.Type != model.EventAdvisoryMatch || !e.Time.Equal(at) || e.Key != k || e.IP.String() != "10.0.0.7" ||
		e.NewValue != "ICSMA-1 (affected)" || e.AssetID == 0 {
		t.Errorf("event %+v", e)
	}
	if id, v, ok := model.ParseAdvisoryMatchValue(e.NewValue); !ok || id != "ICSMA-1" || v != "affected" {
		t.Errorf("ParseAdvisoryMatchValue(%q) = %q, %q, %v", e.NewValue, id, v, ok)
	}
	if as := mustAssets(t, db, AssetFilter{}); len(as) != 1 {
		t.Errorf("%d assets: an event must not create one", len(as))
	}
	if n, _ := db.LastEventID(ctx); n != e.ID {
		t.Errorf("LastEventID %d, want %d", n, e.ID)
	}
}
