package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// TestEvidenceMovesAssetToOpenEpoch: an asset whose evidence rows a flush
// writes (rewritten, or only their times touched by a classification that
// found the same evidence) moves into the central pusher's open epoch, once,
// as the per-row triggers did before 0010_evidence_push.sql; an asset whose
// evidence no flush wrote stays in the closed epoch.
func TestEvidenceMovesAssetToOpenEpoch(t *testing.T) {
	opts := testOpts()
	opts.Classifier = loadEngine(t)
	opts.Vendor = func(m model.MAC) string {
		switch {
		case m[0] == 0x00 && m[1] == 0x12 && m[2] == 0x34:
			return "B.Braun Melsungen AG"
		case m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x0c:
			return "Cisco Systems, Inc"
		}
		return ""
	}
	path := filepath.Join(t.TempDir(), "push.db")
	db := mustOpen(t, path, opts)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	pump := key(t, "00:12:34:00:00:01")
	sw := key(t, "00:00:0c:00:00:02")
	still := key(t, "00:12:34:00:00:03")
	client := key(t, "00:aa:00:00:00:04")
	mustSubmit(t, db, activity(pump, t0, t0, 1, 1), activity(sw, t0, t0, 1, 1), activity(still, t0, t0, 1, 1),
		activity(client, t0, t0, 1, 1), arp(pump, t0, "10.0.0.7"), arp(sw, t0, "10.0.0.1"))
	for _, k := range []model.AssetKey{pump, sw, still} {
		if ev, err := db.Evidence(t.Context(), mustAsset(t, db, k).ID); err != nil || len(ev) == 0 {
			t.Fatalf("%s: evidence %+v, %v; want the OUI rule's", k.MAC, ev, err)
		}
	}

	// What the pusher does before a push: close epoch 1 and give every
	// row in it push_seq 1.
	sq, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	if _, err := sq.Exec(`UPDATE assets SET push_seq = 1; UPDATE central_state SET epoch = 2 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	seq := func(k model.AssetKey) int64 {
		t.Helper()
		var s int64
		if err := sq.QueryRow(`SELECT push_seq FROM assets WHERE id = ?`, mustAsset(t, db, k).ID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// A first DNS client (a port a rule reads) changes what the pump and
	// the switch serve, not their own rows: both are classified again. The
	// pump to the same result (its evidence rows' times are touched); the
	// switch, now answering DNS, with new evidence (its rows are rewritten).
	pumpDNS := flowObs(client, pump, "10.0.0.30", "10.0.0.7", 53, at(1), 1)
	pumpDNS.Flow.Proto = 17
	mustSubmit(t, db, pumpDNS, flowObs(client, sw, "10.0.0.30", "10.0.0.1", 53, at(1), 1))
	if a := mustAsset(t, db, sw); a.Class != model.ClassNetworkInfrastructure {
		t.Fatalf("switch after serving DNS: %+v", a)
	}
	for _, c := range []struct {
		name string
		k    model.AssetKey
		want int64
	}{{"touched", pump, 2}, {"rewritten", sw, 2}, {"not classified again", still, 1}} {
		if got := seq(c.k); got != c.want {
			t.Errorf("%s (%s): push_seq %d, want %d", c.name, c.k.MAC, got, c.want)
		}
	}
}
