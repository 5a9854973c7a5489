package behaviour

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
)

func TestChangeType(t *testing.T) {
	for typ, want := range map[model.EventType]string{
		model.EventNewDevice: ChangeNewDevice, model.EventClassChanged: ChangeClass, model.EventNewIP: ChangeIP,
		model.EventIPMoved: ChangeIP, model.EventHostname: ChangeHostname, model.EventDHCPFingerprint: ChangeFingerprint,
		model.EventNewService: ChangeBehaviour, model.EventUnusualForClass: ChangeBehaviour,
		model.EventViolation: "", model.EventMACFlood: "", model.EventNewStation: "",
		"model-changed": ChangeModel, "firmware-changed": ChangeFirmware, "advisory-match": "",
	} {
		if got := ChangeType(typ); got != want {
			t.Errorf("%s: %q, want %q", typ, got, want)
		}
	}
	for _, typ := range model.EventTypes {
		if ChangeType(typ) != "" && !isKnownChange(ChangeType(typ)) {
			t.Errorf("%s maps to %q, not in ChangeTypes", typ, ChangeType(typ))
		}
	}
}

// TestTracker: change events recorded by a real store are counted by type
// and maintenance window, from the tracker's start on; the gauges count
// the day's devices, the day's earlier events included.
func TestTracker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inventory.db")
	db, err := store.Open(path, store.Options{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Start(context.Background())
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.Local)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	submit := func(obs ...model.Observation) {
		t.Helper()
		for _, o := range obs {
			if err := db.Submit(context.Background(), o); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := dev("00:09:fb:00:04:01", 20), dev("00:09:fb:00:04:02", 20), dev("00:09:fb:00:04:03", 20)
	hostname := func(k model.AssetKey, h int, name string) model.Observation {
		return model.Observation{Kind: model.ObsDHCP, Key: k, Time: at(h), DHCP: &model.DHCPInfo{MsgType: 3, Hostname: name}}
	}
	// Yesterday's device, then today's before the tracker starts.
	submit(model.Observation{Kind: model.ObsActivity, Key: a, Time: at(-5), First: at(-5), Packets: 1},
		hostname(a, -5, "a1"))
	submit(model.Observation{Kind: model.ObsActivity, Key: b, Time: at(1), First: at(1), Packets: 1},
		hostname(a, 2, "a2"))

	p, err := policy.Parse([]byte(`maintenance_windows:
  - name: nightly
    weekly:
      - days: daily
        from: "03:00"
        to: "04:00"
`), "w.yml")
	if err != nil {
		t.Fatal(err)
	}
	now := at(12)
	tr := NewTracker(db, segment.Fixed(p), func() time.Time { return now })
	st, err := tr.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.NewToday != 1 || st.ChangedToday != 1 || total(st) != 0 {
		t.Fatalf("at start: %+v", st)
	}
	// In the window: a hostname change and a new device; after it, a
	// behaviour change.
	submit(hostname(b, 3, "b1"), hostname(b, 3, "b2"),
		model.Observation{Kind: model.ObsActivity, Key: c, Time: at(3), First: at(3), Packets: 1},
		model.Observation{Kind: model.ObsBehaviour, Key: a, Time: at(5), Behaviour: &model.BehaviourInfo{
			Kind: model.BehaviourService, Value: "tcp/22", Events: []model.EventType{model.EventNewService}}})
	st, err = tr.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[ChangeCount]uint64{
		{Type: ChangeHostname, Planned: true}: 1, {Type: ChangeNewDevice, Planned: true}: 1,
		{Type: ChangeBehaviour, Planned: false}: 1,
	}
	for _, cc := range st.Counts {
		k := ChangeCount{Type: cc.Type, Planned: cc.Planned}
		if cc.N != want[k] {
			t.Errorf("%s planned=%v: %d, want %d", cc.Type, cc.Planned, cc.N, want[k])
		}
	}
	if len(st.Counts) != 2*len(ChangeTypes) {
		t.Errorf("%d series, want %d", len(st.Counts), 2*len(ChangeTypes))
	}
	// b: new today, its host name change does not make it "changed";
	// a: changed (host name, behaviour); c: new.
	if st.NewToday != 2 || st.ChangedToday != 1 {
		t.Errorf("today: %+v", st)
	}
	// The next day starts with nothing.
	now = at(30)
	if st, err = tr.Stats(context.Background()); err != nil || st.NewToday != 0 || st.ChangedToday != 0 || total(st) != 3 {
		t.Errorf("next day: %+v, %v", st, err)
	}
}

func total(st ChangeStats) uint64 {
	var n uint64
	for _, c := range st.Counts {
		n += c.N
	}
	return n
}
