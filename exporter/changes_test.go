package exporter

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wardwatch/wardwatch/model"
)

// TestChangeMetrics: the behaviour counter the exporter owns and the change
// metrics read from Sources.Changes at scrape time.
func TestChangeMetrics(t *testing.T) {
	m, _ := newTestMetrics(t, Sources{Changes: func(context.Context) (ChangeStats, error) {
		return ChangeStats{Events: []ChangeCount{
			{Type: "new-device", N: 4}, {Type: "new-device", Planned: true, N: 1}, {Type: "behaviour", N: 2},
			{Type: "", Planned: true},
		}, NewToday: 3, ChangedToday: 7}, nil
	}}, Options{NoRuntimeMetrics: true})
	m.BehaviourChange(model.EventNewService, model.ClassInfusionPump, "pumps")
	m.BehaviourChange(model.EventNewService, model.ClassInfusionPump, "pumps")
	m.BehaviourChange(model.EventUnusualForClass, "", "")
	const want = `
# HELP wardwatch_behaviour_changes_total Behaviour changes (a device did what its baseline or its class lacks), by event type, device class and zone.
# TYPE wardwatch_behaviour_changes_total counter
wardwatch_behaviour_changes_total{class="infusion-pump",type="new-service",zone="pumps"} 2
wardwatch_behaviour_changes_total{class="unknown",type="unusual-for-class",zone="unknown"} 1
# HELP wardwatch_change_events_total Changes to devices recorded, by change type (new-device, class, model, firmware, fingerprint, ip, hostname, behaviour) and whether a maintenance window of the policy covered them (planned="true") or not (unplanned).
# TYPE wardwatch_change_events_total counter
wardwatch_change_events_total{planned="false",type="behaviour"} 2
wardwatch_change_events_total{planned="false",type="new-device"} 4
wardwatch_change_events_total{planned="true",type="new-device"} 1
wardwatch_change_events_total{planned="true",type="unknown"} 0
# HELP wardwatch_devices_changed_today Devices new (change="new") or changed (change="changed": another change event) since midnight, the sensor's local time.
# TYPE wardwatch_devices_changed_today gauge
wardwatch_devices_changed_today{change="changed"} 7
wardwatch_devices_changed_today{change="new"} 3
# HELP wardwatch_scrape_collector_success Whether a collector succeeded in the last scrape (1) or failed (0).
# TYPE wardwatch_scrape_collector_success gauge
wardwatch_scrape_collector_success{collector="changes"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "wardwatch_behaviour_changes_total",
		"wardwatch_change_events_total", "wardwatch_devices_changed_today", "wardwatch_scrape_collector_success"); err != nil {
		t.Fatal(err)
	}

	// A failing source exports nothing of the collector, and says so.
	m, _ = newTestMetrics(t, Sources{Changes: func(context.Context) (ChangeStats, error) {
		return ChangeStats{}, errors.New("database is locked")
	}}, Options{NoRuntimeMetrics: true})
	if err := testutil.CollectAndCompare(m, strings.NewReader(`
# HELP wardwatch_scrape_collector_success Whether a collector succeeded in the last scrape (1) or failed (0).
# TYPE wardwatch_scrape_collector_success gauge
wardwatch_scrape_collector_success{collector="changes"} 0
`), "wardwatch_change_events_total", "wardwatch_devices_changed_today", "wardwatch_scrape_collector_success"); err != nil {
		t.Fatal(err)
	}
}
