package exporter

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/wardwatch/wardwatch/model"
)

// testLayers are the protocol layers the fixture's decode errors name, as
// the sensor's would (cmd adapts sensor.LayerNames).
var testLayers = []string{"link", "vlan", "arp", "ipv4", "ipv6", "tcp", "udp", "gre", "tunnel", "dhcp"}

// withCounts completes s as cmd passes it: every layer and every
// observation kind, zeros included.
func withCounts(s CaptureStats, layers, kinds map[string]uint64) CaptureStats {
	for _, l := range testLayers {
		s.DecodeErrors = append(s.DecodeErrors, Count{l, layers[l]})
	}
	for k := model.ObsKind(1); int(k) < model.NumObsKinds; k++ {
		s.Observations = append(s.Observations, Count{k.String(), kinds[k.String()]})
	}
	return s
}

// fixedSources returns callbacks with known values.
func fixedSources() Sources {
	return Sources{
		Capture: func() []CaptureStats {
			a := withCounts(CaptureStats{Interface: "span0", Packets: 1000, Bytes: 150000,
				KernelDrops: 3, Truncated: 2, Malformed: 1, ObsDropped: 7, AssetCapHits: 1},
				map[string]uint64{"ipv4": 4, "dhcp": 1},
				map[string]uint64{model.ObsActivity.String(): 10, model.ObsARP.String(): 5})
			// A second worker on the same interface: summed.
			b := withCounts(CaptureStats{Interface: "span0", Packets: 500, Bytes: 50000, BindCapHits: 2, DHCPUnplaced: 3},
				map[string]uint64{"ipv4": 1}, map[string]uint64{model.ObsDHCP.String(): 2})
			c := withCounts(CaptureStats{Interface: "span1", Packets: 10, Bytes: 600, InspectCaps: 6}, nil, nil)
			return []CaptureStats{a, b, c}
		},
		Store: func() StoreStats {
			return StoreStats{Written: 42, Discarded: 3, Queued: 5,
				Steps: []StepTime{{Step: "flows", Seconds: 1.5}, {Step: "commit", Seconds: 0.25}}}
		},
		AssetCounts: func(context.Context) ([]AssetCount, error) {
			return []AssetCount{
				{Class: "infusion-pump", Zone: "clinical", State: "active", N: 3},
				{N: 2},
				{Class: "infusion-pump", Zone: "clinical", State: "active", N: 1},
				{Class: "infusion-pump", Zone: "clinical", State: "retired", N: 1},
				{Class: "workstation", Zone: "office", State: "dormant", N: 4},
			}, nil
		},
		EventCounts: func() map[model.EventType]uint64 {
			return map[model.EventType]uint64{model.EventNewDevice: 9, model.EventIPMoved: 1, "custom-type": 2}
		},
		AdvisoryCounts: func(context.Context) ([]AdvisoryCount, error) {
			return []AdvisoryCount{{Severity: "high", Verdict: "affected", N: 2},
				{Severity: "high", Verdict: "possibly affected", N: 4}}, nil
		},
	}
}

func newTestMetrics(t *testing.T, src Sources, opts Options) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	return NewMetrics(reg, src, opts), reg
}

// exercise records the counters the exporter owns.
func exercise(m *Metrics) {
	m.Violation("no-internet", "imaging", "internet", "critical")
	m.Violation("no-internet", "imaging", "internet", "critical")
	m.Violation("", "clinical", "", "")
	m.ObserveFlush(3906250*time.Nanosecond, nil) // 1/256 s
	m.ObserveFlush(31250*time.Microsecond, errors.New("disk full"))
	m.ObserveFlush(2*time.Second, nil)
	m.ReloadResult(true, time.Unix(1700000000, 500000000))
}

const expectedExposition = `
# HELP wardwatch_advisory_matched_assets Assets a manufacturer advisory (advisories.dir) names, by the advisory's CVSS v3 severity and the verdict (affected, possibly affected). An asset named by several advisories counts once in each series it is in.
# TYPE wardwatch_advisory_matched_assets gauge
wardwatch_advisory_matched_assets{advisory_severity="critical",verdict="affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="critical",verdict="possibly affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="high",verdict="affected"} 2
wardwatch_advisory_matched_assets{advisory_severity="high",verdict="possibly affected"} 4
wardwatch_advisory_matched_assets{advisory_severity="low",verdict="affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="low",verdict="possibly affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="medium",verdict="affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="medium",verdict="possibly affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="none",verdict="affected"} 0
wardwatch_advisory_matched_assets{advisory_severity="none",verdict="possibly affected"} 0
# HELP wardwatch_asset_events_total Asset events recorded, by event type.
# TYPE wardwatch_asset_events_total counter
wardwatch_asset_events_total{type="advisory-match"} 0
wardwatch_asset_events_total{type="alive-by-probe"} 0
wardwatch_asset_events_total{type="class-changed"} 0
wardwatch_asset_events_total{type="custom-type"} 2
wardwatch_asset_events_total{type="dhcp-fingerprint-changed"} 0
wardwatch_asset_events_total{type="firmware-changed"} 0
wardwatch_asset_events_total{type="flip-flop"} 0
wardwatch_asset_events_total{type="heard-again"} 0
wardwatch_asset_events_total{type="hostname-changed"} 0
wardwatch_asset_events_total{type="ip-moved"} 1
wardwatch_asset_events_total{type="mac-flood"} 0
wardwatch_asset_events_total{type="model-changed"} 0
wardwatch_asset_events_total{type="new-device"} 9
wardwatch_asset_events_total{type="new-external-peer"} 0
wardwatch_asset_events_total{type="new-ip"} 0
wardwatch_asset_events_total{type="new-peer-zone"} 0
wardwatch_asset_events_total{type="new-protocol"} 0
wardwatch_asset_events_total{type="new-service"} 0
wardwatch_asset_events_total{type="new-station"} 0
wardwatch_asset_events_total{type="policy-violation"} 0
wardwatch_asset_events_total{type="silent"} 0
wardwatch_asset_events_total{type="unusual-for-class"} 0
wardwatch_asset_events_total{type="vendor-class-changed"} 0
# HELP wardwatch_assets Assets in the inventory by device class, policy zone and lifecycle state: active, dormant (not seen for inventory.dormant_after) or retired (not seen for inventory.retired_after). Retired devices are counted too; state="active" selects the devices on the network now.
# TYPE wardwatch_assets gauge
wardwatch_assets{class="infusion-pump",state="active",zone="clinical"} 4
wardwatch_assets{class="infusion-pump",state="retired",zone="clinical"} 1
wardwatch_assets{class="unknown",state="unknown",zone="unknown"} 2
wardwatch_assets{class="workstation",state="dormant",zone="office"} 4
# HELP wardwatch_build_info A metric with a constant '1' value labelled by the version, revision and Go version Wardwatch was built from.
# TYPE wardwatch_build_info gauge
wardwatch_build_info{goversion="%s",revision="abc123",version="1.2.3"} 1
# HELP wardwatch_capture_bytes_total Bytes on the wire of the packets read from the capture interface.
# TYPE wardwatch_capture_bytes_total counter
wardwatch_capture_bytes_total{interface="span0"} 200000
wardwatch_capture_bytes_total{interface="span1"} 600
# HELP wardwatch_capture_kernel_drops_total Packets the kernel dropped because the capture ring was full (live capture only).
# TYPE wardwatch_capture_kernel_drops_total counter
wardwatch_capture_kernel_drops_total{interface="span0"} 3
wardwatch_capture_kernel_drops_total{interface="span1"} 0
# HELP wardwatch_capture_malformed_total Frames nothing could be decoded from.
# TYPE wardwatch_capture_malformed_total counter
wardwatch_capture_malformed_total{interface="span0"} 1
wardwatch_capture_malformed_total{interface="span1"} 0
# HELP wardwatch_capture_packets_total Packets read from the capture interface (or file).
# TYPE wardwatch_capture_packets_total counter
wardwatch_capture_packets_total{interface="span0"} 1500
wardwatch_capture_packets_total{interface="span1"} 10
# HELP wardwatch_capture_truncated_total Frames shorter than their headers said (snap length or corrupt length fields).
# TYPE wardwatch_capture_truncated_total counter
wardwatch_capture_truncated_total{interface="span0"} 2
wardwatch_capture_truncated_total{interface="span1"} 0
# HELP wardwatch_config_last_reload_success_timestamp_seconds Unix time of the last successful configuration load or reload.
# TYPE wardwatch_config_last_reload_success_timestamp_seconds gauge
wardwatch_config_last_reload_success_timestamp_seconds 1.7000000005e+09
# HELP wardwatch_config_last_reload_successful Whether the last configuration load or reload succeeded (1) or failed (0).
# TYPE wardwatch_config_last_reload_successful gauge
wardwatch_config_last_reload_successful 1
# HELP wardwatch_limit_hits_total Times a configured bound was reached, by limit: a full table evicted its least valuable entry for a new one (assets, bindings, flows), a connection was not followed (streams), a stream direction was cut (stream_bytes), a new MAC was refused by the new-asset budget (new_assets), a parser buffer was refused (stream_buffer), the signal table forgot a reported value for a new one (signals), a table the capture workers share dropped an entry for a new one (shared_bindings, shared_assets), the hold of relayed DHCP messages for clients not yet seen dropped its oldest (dhcp_hold).
# TYPE wardwatch_limit_hits_total counter
wardwatch_limit_hits_total{limit="assets"} 1
wardwatch_limit_hits_total{limit="bindings"} 2
wardwatch_limit_hits_total{limit="dhcp_hold"} 0
wardwatch_limit_hits_total{limit="flows"} 0
wardwatch_limit_hits_total{limit="new_assets"} 0
wardwatch_limit_hits_total{limit="shared_assets"} 0
wardwatch_limit_hits_total{limit="shared_bindings"} 0
wardwatch_limit_hits_total{limit="signals"} 0
wardwatch_limit_hits_total{limit="stream_bytes"} 6
wardwatch_limit_hits_total{limit="streams"} 0
# HELP wardwatch_observations_dropped_total Observations dropped because the store queue had no room for them.
# TYPE wardwatch_observations_dropped_total counter
wardwatch_observations_dropped_total 7
# HELP wardwatch_dhcp_unplaced_total Relayed DHCP messages dropped because no frame of their client was seen on any VLAN within 30 s of capture time (the mirror does not see the clients' VLANs).
# TYPE wardwatch_dhcp_unplaced_total counter
wardwatch_dhcp_unplaced_total 3
# HELP wardwatch_policy_violations_total Flows the segmentation policy flagged, by rule, source/destination zone and the rule's severity.
# TYPE wardwatch_policy_violations_total counter
wardwatch_policy_violations_total{dst_zone="internet",rule="no-internet",severity="critical",src_zone="imaging"} 2
wardwatch_policy_violations_total{dst_zone="unknown",rule="unknown",severity="unknown",src_zone="clinical"} 1
# HELP wardwatch_scrape_collector_success Whether a collector succeeded in the last scrape (1) or failed (0).
# TYPE wardwatch_scrape_collector_success gauge
wardwatch_scrape_collector_success{collector="advisories"} 1
wardwatch_scrape_collector_success{collector="assets"} 1
wardwatch_scrape_collector_success{collector="capture"} 1
wardwatch_scrape_collector_success{collector="events"} 1
wardwatch_scrape_collector_success{collector="store"} 1
# HELP wardwatch_store_flush_duration_seconds Duration of store flush attempts (one SQLite transaction each), failed ones included.
# TYPE wardwatch_store_flush_duration_seconds histogram
wardwatch_store_flush_duration_seconds_bucket{le="0.001"} 0
wardwatch_store_flush_duration_seconds_bucket{le="0.0025"} 0
wardwatch_store_flush_duration_seconds_bucket{le="0.005"} 1
wardwatch_store_flush_duration_seconds_bucket{le="0.01"} 1
wardwatch_store_flush_duration_seconds_bucket{le="0.025"} 1
wardwatch_store_flush_duration_seconds_bucket{le="0.05"} 2
wardwatch_store_flush_duration_seconds_bucket{le="0.1"} 2
wardwatch_store_flush_duration_seconds_bucket{le="0.25"} 2
wardwatch_store_flush_duration_seconds_bucket{le="0.5"} 2
wardwatch_store_flush_duration_seconds_bucket{le="1"} 2
wardwatch_store_flush_duration_seconds_bucket{le="2.5"} 3
wardwatch_store_flush_duration_seconds_bucket{le="5"} 3
wardwatch_store_flush_duration_seconds_bucket{le="10"} 3
wardwatch_store_flush_duration_seconds_bucket{le="+Inf"} 3
wardwatch_store_flush_duration_seconds_sum 2.03515625
wardwatch_store_flush_duration_seconds_count 3
# HELP wardwatch_store_flush_errors_total Store flush attempts that failed.
# TYPE wardwatch_store_flush_errors_total counter
wardwatch_store_flush_errors_total 1
# HELP wardwatch_store_flush_step_seconds_total Time store flushes spent in each step: writing each kind of row (assets, flows, violations, baselines, events, ...), classifying the changed devices, and SQLite's commit.
# TYPE wardwatch_store_flush_step_seconds_total counter
wardwatch_store_flush_step_seconds_total{step="commit"} 0.25
wardwatch_store_flush_step_seconds_total{step="flows"} 1.5
# HELP wardwatch_store_observations_discarded_total Observations the store gave up on after repeated flush failures.
# TYPE wardwatch_store_observations_discarded_total counter
wardwatch_store_observations_discarded_total 3
# HELP wardwatch_store_observations_written_total Observations committed to the store.
# TYPE wardwatch_store_observations_written_total counter
wardwatch_store_observations_written_total 42
# HELP wardwatch_store_queued_observations Observations waiting to be written to the store.
# TYPE wardwatch_store_queued_observations gauge
wardwatch_store_queued_observations 5
`

// decodeErrorLines are the wardwatch_decode_errors_total samples of
// fixedSources: every layer of testLayers on every interface.
func decodeErrorLines() string {
	var b strings.Builder
	b.WriteString("# HELP wardwatch_decode_errors_total Decode errors by capture interface and protocol layer.\n")
	b.WriteString("# TYPE wardwatch_decode_errors_total counter\n")
	for _, ifc := range []string{"span0", "span1"} {
		for _, name := range testLayers {
			v := 0
			if ifc == "span0" {
				switch name {
				case "ipv4":
					v = 5
				case "dhcp":
					v = 1
				}
			}
			fmt.Fprintf(&b, "wardwatch_decode_errors_total{interface=%q,layer=%q} %d\n", ifc, name, v)
		}
	}
	return b.String()
}

// comparedNames is every metric of the collector but the scrape durations
// (not deterministic) and wardwatch_observations_total (its kinds follow
// model.ObsKind; see
// TestObservationKinds).
var comparedNames = []string{
	"wardwatch_advisory_matched_assets", "wardwatch_asset_events_total", "wardwatch_assets", "wardwatch_build_info",
	"wardwatch_capture_bytes_total", "wardwatch_capture_kernel_drops_total", "wardwatch_capture_malformed_total",
	"wardwatch_capture_packets_total", "wardwatch_capture_truncated_total",
	"wardwatch_config_last_reload_success_timestamp_seconds", "wardwatch_config_last_reload_successful",
	"wardwatch_decode_errors_total", "wardwatch_dhcp_unplaced_total", "wardwatch_limit_hits_total",
	"wardwatch_observations_dropped_total",
	"wardwatch_policy_violations_total", "wardwatch_scrape_collector_success",
	"wardwatch_store_flush_duration_seconds", "wardwatch_store_flush_errors_total",
	"wardwatch_store_flush_step_seconds_total", "wardwatch_store_observations_discarded_total", "wardwatch_store_observations_written_total",
	"wardwatch_store_queued_observations",
}

func TestCollectAndCompare(t *testing.T) {
	m, _ := newTestMetrics(t, fixedSources(), Options{Version: "1.2.3", Revision: "abc123"})
	exercise(m)
	want := fmt.Sprintf(expectedExposition, runtime.Version()) + decodeErrorLines()
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), comparedNames...); err != nil {
		t.Fatal(err)
	}
	// Every family the collector emits is either compared above or
	// deliberately left out.
	got := map[string]bool{}
	for _, mf := range gatherFamilies(t, m) {
		got[mf.GetName()] = true
	}
	for _, n := range append(comparedNames, "wardwatch_observations_total", "wardwatch_scrape_collector_duration_seconds") {
		if !got[n] {
			t.Errorf("collector did not emit %s", n)
		}
		delete(got, n)
	}
	for n := range got {
		t.Errorf("collector emitted %s, which no test checks", n)
	}
}

func TestObservationKinds(t *testing.T) {
	m, _ := newTestMetrics(t, fixedSources(), Options{})
	want := map[string]float64{"activity": 10, "arp": 5, "dhcp": 2, "address": 0, "dhcp-ack": 0}
	for kind, v := range want {
		if got, ok := sampleValue(t, m, "wardwatch_observations_total", map[string]string{"kind": kind}); !ok || got != v {
			t.Errorf("observations_total{kind=%q} = %v (present %v), want %v", kind, got, ok, v)
		}
	}
	for _, mf := range gatherFamilies(t, m) {
		if mf.GetName() != "wardwatch_observations_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			if k := mt.GetLabel()[0].GetValue(); strings.HasPrefix(k, "ObsKind(") || k == "" {
				t.Errorf("unnamed kind label %q", k)
			}
		}
	}
}

func TestCollectAndLint(t *testing.T) {
	m, _ := newTestMetrics(t, fixedSources(), Options{})
	exercise(m)
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestNoDeviceLabels guards the cardinality rule: no metric is labelled by
// anything that names a device.
func TestNoDeviceLabels(t *testing.T) {
	m, _ := newTestMetrics(t, fixedSources(), Options{})
	forbidden := regexp.MustCompile(`(?i)mac|(^|_)ip($|_)|addr|ae_?title|host|facility|serial|vlan`)
	labels := 0
	for _, d := range describe(m) {
		if descName(d) == "" {
			t.Fatalf("cannot read the name of %s", d)
		}
		labels += len(descLabels(d))
		for _, l := range descLabels(d) {
			if forbidden.MatchString(l) {
				t.Errorf("%s has device label %q", descName(d), l)
			}
		}
	}
	if labels == 0 {
		t.Fatal("read no label names from the descriptors")
	}
}

func TestCollectorFailures(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	src := Sources{
		Capture: func() []CaptureStats { panic("boom") },
		Store:   func() StoreStats { return StoreStats{Written: 1} },
		AssetCounts: func(context.Context) ([]AssetCount, error) {
			return nil, errors.New("database is locked")
		},
	}
	m, _ := newTestMetrics(t, src, Options{Logger: zap.New(core)})
	want := `
# HELP wardwatch_scrape_collector_success Whether a collector succeeded in the last scrape (1) or failed (0).
# TYPE wardwatch_scrape_collector_success gauge
wardwatch_scrape_collector_success{collector="assets"} 0
wardwatch_scrape_collector_success{collector="capture"} 0
wardwatch_scrape_collector_success{collector="store"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "wardwatch_scrape_collector_success"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wardwatch_assets", "wardwatch_capture_packets_total", "wardwatch_asset_events_total"} {
		if n := testutil.CollectAndCount(m, name); n != 0 {
			t.Errorf("%s: %d series from a failed or absent collector", name, n)
		}
	}
	if n := testutil.CollectAndCount(m, "wardwatch_store_observations_written_total"); n != 1 {
		t.Errorf("store collector: %d series, want 1", n)
	}
	var msgs []string
	for _, e := range logs.All() {
		msgs = append(msgs, fmt.Sprint(e.ContextMap()["collector"], ": ", e.ContextMap()["error"]))
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "capture: panic: boom") || !strings.Contains(joined, "assets: asset counts: database is locked") {
		t.Errorf("logged errors:\n%s", joined)
	}
}

func TestAssetCountsTimeout(t *testing.T) {
	var calls atomic.Int32
	src := Sources{AssetCounts: func(ctx context.Context) ([]AssetCount, error) {
		calls.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	m, _ := newTestMetrics(t, src, Options{ScrapeTimeout: 20 * time.Millisecond})
	start := time.Now()
	v, ok := sampleValue(t, m, "wardwatch_scrape_collector_success", map[string]string{"collector": "assets"})
	if !ok || v != 0 {
		t.Errorf("assets success = %v (present %v), want 0", v, ok)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("scrape took %v", d)
	}
	if calls.Load() != 1 {
		t.Errorf("AssetCounts called %d times", calls.Load())
	}
}

func TestEmptyCapture(t *testing.T) {
	// Before the first worker starts there are no interfaces: nothing but
	// the collector's success is exported.
	m, _ := newTestMetrics(t, Sources{Capture: func() []CaptureStats { return nil }}, Options{})
	for _, n := range []string{"wardwatch_capture_packets_total", "wardwatch_observations_total", "wardwatch_limit_hits_total"} {
		if c := testutil.CollectAndCount(m, n); c != 0 {
			t.Errorf("%s: %d series", n, c)
		}
	}
	if v, ok := sampleValue(t, m, "wardwatch_scrape_collector_success", map[string]string{"collector": "capture"}); !ok || v != 1 {
		t.Errorf("capture success = %v, %v", v, ok)
	}
}

func TestReloadResult(t *testing.T) {
	m, _ := newTestMetrics(t, Sources{}, Options{})
	m.ReloadResult(true, time.Unix(100, 0))
	m.ReloadResult(false, time.Unix(200, 0))
	if v := testutil.ToFloat64(m.reloadOK); v != 0 {
		t.Errorf("successful = %v after a failure", v)
	}
	if v := testutil.ToFloat64(m.reloadTime); v != 100 {
		t.Errorf("success timestamp = %v, want the last success (100)", v)
	}
}

func TestRuntimeCollectors(t *testing.T) {
	_, reg := newTestMetrics(t, Sources{}, Options{})
	names := gatheredNames(t, reg)
	for _, n := range []string{"go_goroutines", "process_start_time_seconds", "wardwatch_build_info"} {
		if !names[n] {
			t.Errorf("%s not registered", n)
		}
	}
	_, reg = newTestMetrics(t, Sources{}, Options{NoRuntimeMetrics: true})
	if gatheredNames(t, reg)["go_goroutines"] {
		t.Error("NoRuntimeMetrics still registers the Go collector")
	}
}

// Helpers.

func gatherFamilies(t *testing.T, c prometheus.Collector) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

func gatheredNames(t *testing.T, g prometheus.Gatherer) map[string]bool {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	return names
}

// sampleValue returns the value of the series name{labels} that c emits.
func sampleValue(t *testing.T, c prometheus.Collector, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	for _, mf := range gatherFamilies(t, c) {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, mt := range mf.GetMetric() {
			if len(mt.GetLabel()) != len(labels) {
				continue
			}
			for _, lp := range mt.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			switch {
			case mt.Counter != nil:
				return mt.GetCounter().GetValue(), true
			case mt.Gauge != nil:
				return mt.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

func describe(c prometheus.Collector) []*prometheus.Desc {
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	var ds []*prometheus.Desc
	for d := range ch {
		ds = append(ds, d)
	}
	return ds
}

var (
	descNameRe   = regexp.MustCompile(`fqName: "([^"]+)"`)
	descLabelsRe = regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
)

// descName and descLabels read a Desc's String() form, the only public
// view of its name and labels.
func descName(d *prometheus.Desc) string {
	if m := descNameRe.FindStringSubmatch(d.String()); m != nil {
		return m[1]
	}
	return ""
}

func descLabels(d *prometheus.Desc) []string {
	m := descLabelsRe.FindStringSubmatch(d.String())
	if m == nil || m[1] == "" {
		return nil
	}
	return strings.Split(m[1], ",")
}

// TestStreamBuffer: the parsers' byte budget is a gauge with its limit, and
// its refusals are limit hits.
func TestStreamBuffer(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	NewMetrics(reg, Sources{
		Capture:      func() []CaptureStats { return []CaptureStats{{Interface: "span0"}} },
		StreamBuffer: func() BufferStats { return BufferStats{Used: 1024, Limit: 64 << 20, Denied: 3} },
	}, Options{NoRuntimeMetrics: true})
	want := `# HELP wardwatch_stream_buffer_bytes Bytes the DICOM and HL7 parsers hold now, over all connections.
# TYPE wardwatch_stream_buffer_bytes gauge
wardwatch_stream_buffer_bytes 1024
# HELP wardwatch_stream_buffer_limit_bytes The parsers' byte budget (streams.max_buffer_bytes).
# TYPE wardwatch_stream_buffer_limit_bytes gauge
wardwatch_stream_buffer_limit_bytes 6.7108864e+07
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "wardwatch_stream_buffer_bytes", "wardwatch_stream_buffer_limit_bytes"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		if mf.GetName() != "wardwatch_limit_hits_total" {
			continue
		}
		for _, m := range mf.Metric {
			if m.Label[0].GetValue() == LimitStreamBuf && m.Counter.GetValue() == 3 {
				found = true
			}
		}
	}
	if !found {
		t.Error(`no wardwatch_limit_hits_total{limit="stream_buffer"} 3`)
	}
}
