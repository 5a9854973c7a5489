package exporter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCentralMetrics(t *testing.T) {
	src := Sources{
		Central: func() CentralStats {
			return CentralStats{Rows: []Count{{Name: "assets", N: 40}, {Name: "flows", N: 7}}, Batches: 3, Errors: 1,
				Connected: true, Lag: 12500 * time.Millisecond, LastSuccess: time.Unix(1700000000, 0)}
		},
		Fleet: func(context.Context) ([]FleetSensor, error) {
			return []FleetSensor{
				{Sensor: "a", Site: "north", LastPush: time.Unix(1700000100, 0), CaughtUp: time.Unix(1700000090, 0), Assets: 12},
				{Sensor: "a", Site: "north", LastPush: time.Unix(1600000000, 0), Assets: 3}, // its replaced database
				{Sensor: "b", Site: "south", LastPush: time.Unix(1700000200, 0), Assets: 5},
			}, nil
		},
	}
	m, _ := newTestMetrics(t, src, Options{})
	want := `
# HELP wardwatch_central_push_rows_total Rows this sensor upserted into the central database, by central table.
# TYPE wardwatch_central_push_rows_total counter
wardwatch_central_push_rows_total{table="assets"} 40
wardwatch_central_push_rows_total{table="flows"} 7
# HELP wardwatch_central_push_errors_total Pushes to the central database that failed (connect, read or batch); each is retried with backoff.
# TYPE wardwatch_central_push_errors_total counter
wardwatch_central_push_errors_total 1
# HELP wardwatch_central_push_connected Whether the sensor holds a connection to the central database (1) or not (0).
# TYPE wardwatch_central_push_connected gauge
wardwatch_central_push_connected 1
# HELP wardwatch_central_push_lag_seconds How old the oldest change not known to be in the central database may be.
# TYPE wardwatch_central_push_lag_seconds gauge
wardwatch_central_push_lag_seconds 12.5
# HELP wardwatch_central_push_last_success_timestamp_seconds Unix time the last complete push to the central database ended; 0 before the first.
# TYPE wardwatch_central_push_last_success_timestamp_seconds gauge
wardwatch_central_push_last_success_timestamp_seconds 1.7e+09
# HELP wardwatch_central_sensor_assets Assets rows a sensor pushed to the central database (a device two sensors see counts at each), by sensor and site.
# TYPE wardwatch_central_sensor_assets gauge
wardwatch_central_sensor_assets{sensor="a",site="north"} 12
wardwatch_central_sensor_assets{sensor="b",site="south"} 5
# HELP wardwatch_central_sensor_caught_up_timestamp_seconds Every change a sensor made before this Unix time is in the central database (0: not yet), by sensor and site.
# TYPE wardwatch_central_sensor_caught_up_timestamp_seconds gauge
wardwatch_central_sensor_caught_up_timestamp_seconds{sensor="a",site="north"} 1.70000009e+09
wardwatch_central_sensor_caught_up_timestamp_seconds{sensor="b",site="south"} 0
`
	names := []string{"wardwatch_central_push_rows_total", "wardwatch_central_push_errors_total",
		"wardwatch_central_push_connected", "wardwatch_central_push_lag_seconds",
		"wardwatch_central_push_last_success_timestamp_seconds", "wardwatch_central_sensor_assets",
		"wardwatch_central_sensor_caught_up_timestamp_seconds"}
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	// A failing fleet query fails its collector only.
	src.Fleet = func(context.Context) ([]FleetSensor, error) { return nil, errors.New("connection refused") }
	m, _ = newTestMetrics(t, src, Options{})
	want = `
# HELP wardwatch_scrape_collector_success Whether a collector succeeded in the last scrape (1) or failed (0).
# TYPE wardwatch_scrape_collector_success gauge
wardwatch_scrape_collector_success{collector="central"} 1
wardwatch_scrape_collector_success{collector="fleet"} 0
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "wardwatch_scrape_collector_success"); err != nil {
		t.Fatal(err)
	}
}
