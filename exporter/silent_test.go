package exporter

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// wardwatch_silent_critical_assets counts the silent critical devices by
// class and zone, 0 for every class and zone with critical devices; the
// probe's counters are wardwatch_probes_total{result}.
func TestSilentCriticalAndProbes(t *testing.T) {
	m, _ := newTestMetrics(t, Sources{
		AssetCounts: func(context.Context) ([]AssetCount, error) {
			return []AssetCount{
				{Class: "infusion-pump", Zone: "pumps", State: StateSilent, Critical: true, N: 2},
				{Class: "infusion-pump", Zone: "pumps", State: "active", Critical: true, N: 5},
				{Class: "infusion-pump", Zone: "pumps", State: "active", N: 1}, // not critical
				{Class: "imaging-modality", Zone: "imaging", State: "sleeping", Critical: true, N: 1},
				{Class: "patient-monitor", Zone: "", State: StateSilent, Critical: true, N: 1},
				{Class: "workstation", Zone: "office", State: StateSilent, N: 3}, // cannot be: not critical, not counted
			}, nil
		},
		Probe: func() ProbeStats {
			return ProbeStats{Sent: 12, Answered: 1, Unanswered: 10, SendErrors: 1, NotAllowed: 3, TooSoon: 4}
		},
	}, Options{})
	want := `
# HELP wardwatch_silent_critical_assets ` + helpOf(t, m, "wardwatch_silent_critical_assets") + `
# TYPE wardwatch_silent_critical_assets gauge
wardwatch_silent_critical_assets{class="imaging-modality",zone="imaging"} 0
wardwatch_silent_critical_assets{class="infusion-pump",zone="pumps"} 2
wardwatch_silent_critical_assets{class="patient-monitor",zone="unknown"} 1
# HELP wardwatch_probes_total ` + helpOf(t, m, "wardwatch_probes_total") + `
# TYPE wardwatch_probes_total counter
wardwatch_probes_total{result="answered"} 1
wardwatch_probes_total{result="not_allowed"} 3
wardwatch_probes_total{result="queue_full"} 0
wardwatch_probes_total{result="send_error"} 1
wardwatch_probes_total{result="sent"} 12
wardwatch_probes_total{result="too_soon"} 4
wardwatch_probes_total{result="unanswered"} 10
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "wardwatch_silent_critical_assets",
		"wardwatch_probes_total"); err != nil {
		t.Fatal(err)
	}
}

// helpOf is the help text of the family name.
func helpOf(t *testing.T, m *Metrics, name string) string {
	t.Helper()
	for _, mf := range gatherFamilies(t, m) {
		if mf.GetName() == name {
			return mf.GetHelp()
		}
	}
	t.Fatalf("no family %s", name)
	return ""
}
