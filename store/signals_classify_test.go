package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// TestSignalsClassify: an asset's signals are facts of its classification
// (fingerprint.Facts.Signals): the shipped rule pack's CDP rule names an
// access point from its platform, and a new value classifies it again.
func TestSignalsClassify(t *testing.T) {
	rec := &recorder{Classifier: loadEngine(t)}
	opts := testOpts()
	opts.Classifier = rec
	db := mustOpen(t, filepath.Join(t.TempDir(), "signals.db"), opts)
	ap := key(t, "00:aa:00:00:00:07")
	mustSubmit(t, db, activity(ap, t0, t0, 1, 60),
		signal(ap, model.EvidenceCDPPlatform, "cisco AIR-CAP2602I-Q-K9", t0),
		signal(ap, model.EvidenceCDPDeviceID, "APb838.61f3.05ac", t0))
	a := mustAsset(t, db, ap)
	if a.Class != model.ClassNetworkInfrastructure || a.Manufacturer != "Cisco" || a.Model != "AIR-CAP2602I-Q-K9" {
		t.Errorf("class %s, manufacturer %q, model %q; want network-infrastructure, Cisco, AIR-CAP2602I-Q-K9",
			a.Class, a.Manufacturer, a.Model)
	}
	want := []fingerprint.Signal{{Source: model.EvidenceCDPDeviceID, Value: "APb838.61f3.05ac"},
		{Source: model.EvidenceCDPPlatform, Value: "cisco AIR-CAP2602I-Q-K9"}} // by first seen, then source
	if got := rec.last(ap.MAC).Signals; !slices.Equal(got, want) {
		t.Errorf("facts' signals %+v, want %+v", got, want)
	}
	ev, err := db.Evidence(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ev, func(e EvidenceRow) bool { return e.Source == model.EvidenceCDPPlatform }) {
		t.Errorf("evidence %+v lacks cdp.platform", ev)
	}
	calls := func() int {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.calls
	}
	before := calls()
	mustSubmit(t, db, signal(ap, model.EvidenceCDPPlatform, "cisco AIR-CAP2602I-Q-K9", t0.Add(time.Minute)))
	if calls() != before {
		t.Errorf("a known signal classified the asset again")
	}
	mustSubmit(t, db, signal(ap, model.EvidenceCDPSoftware, "Cisco IOS Software, C2600 Software, Version 15.3(3)JAB", t0.Add(2*time.Minute)))
	if calls() == before {
		t.Errorf("a new signal did not classify the asset again")
	}
}
