package exporter

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector names of the central inventory's metrics.
const (
	CollectorCentral = "central" // Sources.Central: this sensor's push
	CollectorFleet   = "fleet"   // Sources.Fleet: the sensors of a central database (wardwatch central)
)

// CentralStats are the sensor's push to the central PostgreSQL database
// (store/central Pusher.Stats); cmd fills them.
type CentralStats struct {
	Rows      []Count // rows upserted per central table, cumulative
	Batches   uint64  // central transactions committed
	Errors    uint64  // failed pushes (connect, read or batch)
	Connected bool
	// Lag is how old the oldest change not known to be in the central
	// database may be.
	Lag time.Duration
	// LastSuccess is when the last complete push ended; zero: none yet.
	LastSuccess time.Time
}

// FleetSensor is one sensor as the central database knows it.
type FleetSensor struct {
	Sensor, Site string
	LastPush     time.Time
	CaughtUp     time.Time // zero until its first complete push
	Assets       int       // its assets rows
}

var (
	descCentralRows = prometheus.NewDesc(namespace+"_central_push_rows_total",
		"Rows this sensor upserted into the central database, by central table.", []string{"table"}, nil)
	descCentralBatches = prometheus.NewDesc(namespace+"_central_push_batches_total",
		"Central database transactions this sensor committed.", nil, nil)
	descCentralErrors = prometheus.NewDesc(namespace+"_central_push_errors_total",
		"Pushes to the central database that failed (connect, read or batch); each is retried with backoff.", nil, nil)
	descCentralConnected = prometheus.NewDesc(namespace+"_central_push_connected",
		"Whether the sensor holds a connection to the central database (1) or not (0).", nil, nil)
	descCentralLag = prometheus.NewDesc(namespace+"_central_push_lag_seconds",
		"How old the oldest change not known to be in the central database may be.", nil, nil)
	descCentralLastSuccess = prometheus.NewDesc(namespace+"_central_push_last_success_timestamp_seconds",
		"Unix time the last complete push to the central database ended; 0 before the first.", nil, nil)

	descFleetLastPush = prometheus.NewDesc(namespace+"_central_sensor_last_push_timestamp_seconds",
		"Unix time a sensor last pushed to this central database, by sensor and site.", []string{"sensor", "site"}, nil)
	descFleetCaughtUp = prometheus.NewDesc(namespace+"_central_sensor_caught_up_timestamp_seconds",
		"Every change a sensor made before this Unix time is in the central database (0: not yet), by sensor and site.",
		[]string{"sensor", "site"}, nil)
	descFleetAssets = prometheus.NewDesc(namespace+"_central_sensor_assets",
		"Assets rows a sensor pushed to the central database (a device two sensors see counts at each), by sensor and site.",
		[]string{"sensor", "site"}, nil)
)

// centralDescs are the descriptors of this file, for Describe.
var centralDescs = []*prometheus.Desc{descCentralRows, descCentralBatches, descCentralErrors, descCentralConnected,
	descCentralLag, descCentralLastSuccess, descFleetLastPush, descFleetCaughtUp, descFleetAssets}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func (m *Metrics) collectCentral() ([]prometheus.Metric, error) {
	s := m.src.Central()
	ms := make([]prometheus.Metric, 0, len(s.Rows)+5)
	for _, r := range s.Rows {
		ms = append(ms, counter(descCentralRows, r.N, r.Name))
	}
	connected := 0.0
	if s.Connected {
		connected = 1
	}
	return append(ms, counter(descCentralBatches, s.Batches), counter(descCentralErrors, s.Errors),
		gauge(descCentralConnected, connected), gauge(descCentralLag, s.Lag.Seconds()),
		gauge(descCentralLastSuccess, unixSeconds(s.LastSuccess))), nil
}

func (m *Metrics) collectFleet() ([]prometheus.Metric, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	sensors, err := m.src.Fleet(ctx)
	if err != nil {
		return nil, fmt.Errorf("sensors: %w", err)
	}
	type key struct{ sensor, site string }
	seen := map[key]int{} // a sensor whose database was replaced pushed twice: its latest row counts
	var ms []prometheus.Metric
	for _, s := range sensors {
		k := key{s.Sensor, s.Site}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = len(ms)
		ms = append(ms, gauge(descFleetLastPush, unixSeconds(s.LastPush), s.Sensor, s.Site),
			gauge(descFleetCaughtUp, unixSeconds(s.CaughtUp), s.Sensor, s.Site),
			gauge(descFleetAssets, float64(s.Assets), s.Sensor, s.Site))
	}
	return ms, nil
}
