package siem

import (
	"encoding/json"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// A critical device gone silent is an alert of high severity; heard again
// and alive by probe are low-severity information.
func TestSilentEvents(t *testing.T) {
	for typ, want := range map[model.EventType][2]string{
		model.EventSilent:       {"alert", "high"},
		model.EventHeardAgain:   {"event", "low"},
		model.EventAliveByProbe: {"event", "low"},
	} {
		e := advisoryEvent()
		e.Type, e.NewValue, e.Advisory = typ, "not heard from since 2026-01-05T08:00:00Z", nil
		var m map[string]any
		if err := json.Unmarshal(ECS(e, "sensor1"), &m); err != nil {
			t.Fatal(err)
		}
		ev := m["event"].(map[string]any)
		if ev["kind"] != want[0] || e.Severity() != want[1] || ev["action"] != string(typ) {
			t.Errorf("%s: kind %v, severity %s, action %v; want %s, %s", typ, ev["kind"], e.Severity(), ev["action"], want[0], want[1])
		}
		if _, ext, err := parseCEF(string(CEF(e, "sensor1", "1"))); err != nil || ext["cs5"] != e.NewValue {
			t.Errorf("%s: CEF %v %v", typ, ext, err)
		}
	}
}
