// Package exporter publishes Wardwatch's Prometheus metrics and serves the
// sensor's HTTP endpoints (/metrics, /-/healthy, /-/ready, /-/reload and
// whatever cmd mounts next to them) through prometheus/exporter-toolkit, so
// TLS, basic auth and systemd socket activation come from the standard
// --web.config.file and --web.systemd-socket flags.
//
// Metrics follow https://prometheus.io/docs/practices/naming/: one
// "wardwatch_" prefix, base units, "_total" on counters, and no label that
// names a device (no MAC, IP, AE title or hostname: those live in the store
// and in SIEM events). Counters the sensor and the store keep themselves are
// read through the callbacks in Sources and exported as const metrics at
// scrape time (node_exporter style), so nothing is counted twice. Every
// callback has a wardwatch_scrape_collector_success{collector} gauge, so a
// failing store query shows up as 0 instead of a silently missing series.
//
// The package defines what it consumes (Sources, CaptureStats, StoreStats,
// AssetCount) and imports no other Wardwatch package but model (for event
// type names). cmd adapts the sensor, the store and the policy to these
// types.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

const namespace = "wardwatch"

// Collector names used in wardwatch_scrape_collector_{success,duration_seconds}.
const (
	CollectorCapture = "capture" // Sources.Capture
	CollectorStore   = "store"   // Sources.Store
	CollectorAssets  = "assets"  // Sources.AssetCounts
	CollectorEvents  = "events"  // Sources.EventCounts
	CollectorProbe   = "probe"   // Sources.Probe
	// CollectorAdvisories is Sources.AdvisoryCounts.
	CollectorAdvisories = "advisories"
	// CollectorChanges is Sources.Changes.
	CollectorChanges = "changes"
)

// Limit names used in wardwatch_limit_hits_total{limit}.
const (
	LimitAssets      = "assets"        // limits.max_assets
	LimitBindings    = "bindings"      // limits.max_bindings
	LimitFlows       = "flows"         // limits.max_flows
	LimitStreams     = "streams"       // streams.max_streams
	LimitStreamBytes = "stream_bytes"  // streams.max_inspect_bytes
	LimitNewAssets   = "new_assets"    // limits.new_assets_burst/_per_second (a MAC flood)
	LimitStreamBuf   = "stream_buffer" // streams.max_buffer_bytes (parser buffers refused)
	LimitSignals     = "signals"       // the sensor's table of reported signals (sensor.DefaultMaxSignals)
	// The tables the capture workers share, sized by limits.max_bindings
	// (bindings and owners of addresses) and limits.max_assets (per-MAC
	// facts).
	LimitSharedBindings = "shared_bindings"
	LimitSharedAssets   = "shared_assets"
	// The relayed DHCP messages held for a client not yet seen (at most
	// 256 per worker): full, the oldest is dropped.
	LimitDHCPHold = "dhcp_hold"
)

// limits is the one table of wardwatch_limit_hits_total: each limit's label
// and its count in CaptureStats.
var limits = [...]struct {
	name string
	hits func(*CaptureStats) uint64
}{
	{LimitAssets, func(s *CaptureStats) uint64 { return s.AssetCapHits }},
	{LimitBindings, func(s *CaptureStats) uint64 { return s.BindCapHits }},
	{LimitFlows, func(s *CaptureStats) uint64 { return s.FlowCapHits }},
	{LimitStreams, func(s *CaptureStats) uint64 { return s.StreamCapHits }},
	{LimitStreamBytes, func(s *CaptureStats) uint64 { return s.InspectCaps }},
	{LimitNewAssets, func(s *CaptureStats) uint64 { return s.FloodRefused }},
	{LimitSignals, func(s *CaptureStats) uint64 { return s.SignalCapHits }},
	{LimitSharedBindings, func(s *CaptureStats) uint64 { return s.SharedBindCapHits }},
	{LimitSharedAssets, func(s *CaptureStats) uint64 { return s.SharedAssetCapHits }},
	{LimitDHCPHold, func(s *CaptureStats) uint64 { return s.DHCPHoldCapHits }},
}

// Unknown replaces an empty class, zone or rule label value, so that every
// series has an explicit, bounded value to group by.
const Unknown = "unknown"

// DefaultScrapeTimeout bounds Sources.AssetCounts when Options.ScrapeTimeout
// is zero. It is below Prometheus' default scrape_timeout (10s) so a slow
// store query fails the "assets" collector rather than the whole scrape.
const DefaultScrapeTimeout = 5 * time.Second

// CaptureStats are one capture interface's cumulative counters, as the
// exporter reads them. cmd fills them from sensor.Stats.
type CaptureStats struct {
	Interface   string
	Packets     uint64
	Bytes       uint64 // on the wire
	KernelDrops uint64 // live capture: the ring was full
	Truncated   uint64 // frames shorter than their headers said
	Malformed   uint64 // frames nothing could be decoded from
	// DecodeErrors by protocol layer, one entry per layer the sensor
	// decodes (zeros included, so the first error is an increase).
	DecodeErrors []Count
	// Observations handed to the store, by observation kind (every kind,
	// zeros included).
	Observations []Count
	// ObsDropped are observations the store queue had no room for.
	ObsDropped uint64
	// Table limits reached (see limits): new assets, bindings and flows
	// that found their table full, connections not followed, stream
	// directions cut at the inspect limit.
	AssetCapHits, BindCapHits, FlowCapHits, StreamCapHits, InspectCaps uint64
	// SignalCapHits counts new signal values (LLDP, DHCPv6, TLS, ...) that
	// found the sensor's signal table full.
	SignalCapHits uint64
	// FloodRefused counts new MACs the new-asset budget refused (a MAC
	// flood; each episode is also a mac-flood event).
	FloodRefused uint64
	// SharedBindCapHits and SharedAssetCapHits count entries the tables
	// the capture workers share dropped for new ones (limits.max_bindings,
	// limits.max_assets).
	SharedBindCapHits, SharedAssetCapHits uint64
	// DHCPUnplaced counts relayed DHCP messages dropped because no frame
	// of their client was seen on any VLAN within the wait (the VLAN they
	// belong to stays unknown).
	DHCPUnplaced uint64
	// DHCPHoldCapHits counts those dropped before their wait because the
	// hold of relayed messages was full (limit dhcp_hold).
	DHCPHoldCapHits uint64
}

// BufferStats is the stream parsers' shared byte budget
// (streams.max_buffer_bytes). cmd fills it from sensor.BufferBudget.
type BufferStats struct {
	Used, Limit int64  // bytes held now; the budget
	Denied      uint64 // buffers refused because the budget was spent
}

// Count is one counter of a labelled family: the label value and the count.
type Count struct {
	Name string
	N    uint64
}

// StoreStats are the store writer's cumulative counters. cmd fills it from
// store.WriterStats.
type StoreStats struct {
	Written uint64 // observations committed (WriterStats.Written)
	// Discarded counts observations that will never be written because
	// their batch failed too often or the final flush failed
	// (WriterStats.DroppedFailed). Queue-full drops are NOT included: the
	// sensor already counts those in wardwatch_observations_dropped_total.
	Discarded uint64
	Queued    int // waiting to be written now (WriterStats.Queued + Pending)
	// Steps is the time flushes spent in each of their steps
	// (WriterStats.StepTime by store.FlushSteps).
	Steps []StepTime
}

// StepTime is the cumulative time of one step of the store's flushes.
type StepTime struct {
	Step    string
	Seconds float64
}

// AssetCount is one row of the "assets by class, zone and state" query.
type AssetCount struct {
	Class model.Class // device class; "" means Unknown
	Zone  string      // policy zone; "" means Unknown
	State string      // lifecycle state: active, dormant or retired, or a critical device's silent, sleeping or alive-by-probe; "" means Unknown
	// Critical: the devices are in the policy file's critical section
	// (wardwatch_silent_critical_assets counts them by class and zone).
	Critical bool
	N        int
}

// StateSilent is the AssetCount.State of a critical device not heard from
// in time (wardwatch_silent_critical_assets).
const StateSilent = "silent"

// ProbeStats are the ARP liveness probe's cumulative counters
// (sensor/probe.Stats), exported as wardwatch_probes_total{result}.
type ProbeStats struct {
	Sent, Answered, Unanswered, SendErrors uint64
	// Refused probes: outside the allow-list, probed less than an
	// interval ago, queue full.
	NotAllowed, TooSoon, QueueFull uint64
}

// Sources are the callbacks the exporter reads at scrape time. Any of them
// may be nil: its metrics (and its scrape_collector_success series) are
// then left out. They are called from the scraping goroutine, possibly
// from several scrapes at once, and must be safe for that. A panic in a
// callback is recovered and reported as a failed collector.
type Sources struct {
	// Capture returns the sensor's per-interface cumulative counters.
	// Entries with the same Interface are summed.
	Capture func() []CaptureStats
	// Store returns the store writer's cumulative counters.
	Store func() StoreStats
	// AssetCounts runs the query behind wardwatch_assets{class,zone,state}.
	// Rows with the same class and zone are summed.
	AssetCounts func(ctx context.Context) ([]AssetCount, error)
	// EventCounts returns cumulative asset event counts by event type
	// (model.EventTypes). The counts must only grow, e.g. counted since the
	// process started. Known event types missing from the map are
	// exported as 0 so that increase() sees their first event.
	EventCounts func() map[model.EventType]uint64
	// Central returns the push to the central database's counters
	// (central.* in the config); nil when the sensor does not push.
	Central func() CentralStats
	// Fleet lists the sensors of a central database (wardwatch central),
	// the latest push of each first.
	Fleet func(ctx context.Context) ([]FleetSensor, error)
	// StreamBuffer returns the parsers' byte budget; its refusals are
	// wardwatch_limit_hits_total{limit="stream_buffer"}.
	StreamBuffer func() BufferStats
	// Probe returns the ARP liveness probe's counters; nil when the probe
	// is off (probe.enabled).
	Probe func() ProbeStats
	// AdvisoryCounts runs the query behind
	// wardwatch_advisory_matched_assets{advisory_severity,verdict}.
	AdvisoryCounts func(ctx context.Context) ([]AdvisoryCount, error)
	// Changes returns the change metrics: change events by type and
	// whether a maintenance window covered them (cumulative), and the
	// devices new or changed today.
	Changes func(ctx context.Context) (ChangeStats, error)
}

// AdvisoryCount is how many assets advisories of one severity name with one
// verdict (a row of wardwatch_advisory_matched_assets).
type AdvisoryCount struct {
	Severity string // the advisory's CVSS v3 severity: none, low, medium, high, critical
	Verdict  string // affected or possibly affected
	N        int
}

// AdvisorySeverities and AdvisoryVerdicts are the label values of
// wardwatch_advisory_matched_assets; every combination is exported (0 when
// no asset has it).
var (
	AdvisorySeverities = []string{"none", "low", "medium", "high", "critical"}
	AdvisoryVerdicts   = []string{"affected", "possibly affected"}
)

// ChangeStats are the change metrics (package behaviour's Tracker).
type ChangeStats struct {
	Events []ChangeCount
	// NewToday and ChangedToday count devices new, and devices changed,
	// since midnight.
	NewToday, ChangedToday int
}

// ChangeCount is the cumulative count of change events of one type,
// planned (in a maintenance window) or not.
type ChangeCount struct {
	Type    string
	Planned bool
	N       uint64
}

// Options are the exporter's non-callback settings. The zero value is usable.
type Options struct {
	// Version and Revision label wardwatch_build_info. Empty Revision is
	// read from the binary's build info (vcs.revision); what is still empty
	// is exported as "unknown".
	Version  string
	Revision string
	// ScrapeTimeout bounds one AssetCounts call. Default DefaultScrapeTimeout.
	ScrapeTimeout time.Duration
	// Logger receives one Error line per failed collector per scrape.
	// Default zap.NewNop().
	Logger *zap.Logger
	// NoRuntimeMetrics leaves out the Go runtime (go_*) and process
	// (process_*) collectors, e.g. when cmd registers its own.
	NoRuntimeMetrics bool
}

// FlushBuckets are the wardwatch_store_flush_duration_seconds buckets: one
// SQLite transaction of up to store.DefaultFlushSize upserts takes
// milliseconds on an SSD and seconds on a busy SD card.
var FlushBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics is Wardwatch's Prometheus collector. It owns the counters that
// have no other home (policy violations, store flushes, config reloads) and
// reads everything else from Sources at scrape time.
type Metrics struct {
	src     Sources
	timeout time.Duration
	log     *zap.Logger

	buildInfo prometheus.Metric

	violations    *prometheus.CounterVec
	behaviour     *prometheus.CounterVec
	flushDuration prometheus.Histogram
	flushErrors   prometheus.Counter
	reloadOK      prometheus.Gauge
	reloadTime    prometheus.Gauge
}

// Descriptors of the metrics built at scrape time.
var (
	descBuildInfo = prometheus.NewDesc(namespace+"_build_info",
		"A metric with a constant '1' value labelled by the version, revision and Go version Wardwatch was built from.",
		[]string{"version", "revision", "goversion"}, nil)

	descPackets = prometheus.NewDesc(namespace+"_capture_packets_total",
		"Packets read from the capture interface (or file).", []string{"interface"}, nil)
	descBytes = prometheus.NewDesc(namespace+"_capture_bytes_total",
		"Bytes on the wire of the packets read from the capture interface.", []string{"interface"}, nil)
	descKernelDrops = prometheus.NewDesc(namespace+"_capture_kernel_drops_total",
		"Packets the kernel dropped because the capture ring was full (live capture only).", []string{"interface"}, nil)
	descTruncated = prometheus.NewDesc(namespace+"_capture_truncated_total",
		"Frames shorter than their headers said (snap length or corrupt length fields).", []string{"interface"}, nil)
	descMalformed = prometheus.NewDesc(namespace+"_capture_malformed_total",
		"Frames nothing could be decoded from.", []string{"interface"}, nil)
	descDecodeErrors = prometheus.NewDesc(namespace+"_decode_errors_total",
		"Decode errors by capture interface and protocol layer.", []string{"interface", "layer"}, nil)
	descObservations = prometheus.NewDesc(namespace+"_observations_total",
		"Observations handed to the store, by kind.", []string{"kind"}, nil)
	descObsDropped = prometheus.NewDesc(namespace+"_observations_dropped_total",
		"Observations dropped because the store queue had no room for them.", nil, nil)
	descDHCPUnplaced = prometheus.NewDesc(namespace+"_dhcp_unplaced_total",
		"Relayed DHCP messages dropped because no frame of their client was seen on any VLAN within 30 s of capture time (the mirror does not see the clients' VLANs).", nil, nil)
	descLimitHits = prometheus.NewDesc(namespace+"_limit_hits_total",
		"Times a configured bound was reached, by limit: a full table evicted its least valuable entry for a new one (assets, bindings, flows), a connection was not followed (streams), a stream direction was cut (stream_bytes), a new MAC was refused by the new-asset budget (new_assets), a parser buffer was refused (stream_buffer), the signal table forgot a reported value for a new one (signals), a table the capture workers share dropped an entry for a new one (shared_bindings, shared_assets), the hold of relayed DHCP messages for clients not yet seen dropped its oldest (dhcp_hold).", []string{"limit"}, nil)
	descStreamBuffer = prometheus.NewDesc(namespace+"_stream_buffer_bytes",
		"Bytes the DICOM and HL7 parsers hold now, over all connections.", nil, nil)
	descStreamBufferLimit = prometheus.NewDesc(namespace+"_stream_buffer_limit_bytes",
		"The parsers' byte budget (streams.max_buffer_bytes).", nil, nil)

	descStoreWritten = prometheus.NewDesc(namespace+"_store_observations_written_total",
		"Observations committed to the store.", nil, nil)
	descStoreDiscarded = prometheus.NewDesc(namespace+"_store_observations_discarded_total",
		"Observations the store gave up on after repeated flush failures.", nil, nil)
	descStoreQueued = prometheus.NewDesc(namespace+"_store_queued_observations",
		"Observations waiting to be written to the store.", nil, nil)
	descStoreStep = prometheus.NewDesc(namespace+"_store_flush_step_seconds_total",
		"Time store flushes spent in each step: writing each kind of row (assets, flows, violations, baselines, events, ...), classifying the changed devices, and SQLite's commit.", []string{"step"}, nil)

	descAssets = prometheus.NewDesc(namespace+"_assets",
		"Assets in the inventory by device class, policy zone and lifecycle state: active, dormant (not seen for inventory.dormant_after) or retired (not seen for inventory.retired_after). Retired devices are counted too; state=\"active\" selects the devices on the network now.",
		[]string{"class", "zone", "state"}, nil)
	descEvents = prometheus.NewDesc(namespace+"_asset_events_total",
		"Asset events recorded, by event type.", []string{"type"}, nil)
	descSilent = prometheus.NewDesc(namespace+"_silent_critical_assets",
		"Critical devices (the policy file's critical section) not heard from for longer than their interval and grace, outside their sleep schedule and without a recent answer to the ARP liveness probe, by device class and policy zone. 0 for every class and zone that has critical devices.",
		[]string{"class", "zone"}, nil)
	descProbes = prometheus.NewDesc(namespace+"_probes_total",
		"ARP liveness probes of silent critical devices (probe.enabled), by result: sent (ARP requests sent on probe.interface), answered, unanswered (no answer within probe.timeout), send_error, and refused before sending: not_allowed (outside probe.allow), too_soon (probed less than probe.interval ago), queue_full.",
		[]string{"result"}, nil)

	descAdvisoryMatched = prometheus.NewDesc(namespace+"_advisory_matched_assets",
		"Assets a manufacturer advisory (advisories.dir) names, by the advisory's CVSS v3 severity and the verdict (affected, possibly affected). An asset named by several advisories counts once in each series it is in.",
		[]string{"advisory_severity", "verdict"}, nil)

	descChangeEvents = prometheus.NewDesc(namespace+"_change_events_total",
		"Changes to devices recorded, by change type (new-device, class, model, firmware, fingerprint, ip, hostname, behaviour) and whether a maintenance window of the policy covered them (planned=\"true\") or not (unplanned).",
		[]string{"type", "planned"}, nil)
	descChangedDevices = prometheus.NewDesc(namespace+"_devices_changed_today",
		"Devices new (change=\"new\") or changed (change=\"changed\": another change event) since midnight, the sensor's local time.",
		[]string{"change"}, nil)

	descScrapeSuccess = prometheus.NewDesc(namespace+"_scrape_collector_success",
		"Whether a collector succeeded in the last scrape (1) or failed (0).", []string{"collector"}, nil)
	descScrapeDuration = prometheus.NewDesc(namespace+"_scrape_collector_duration_seconds",
		"How long a collector took in the last scrape.", []string{"collector"}, nil)
)

// NewMetrics builds the collector and registers it on reg, together with the
// Go runtime and process collectors (unless opts.NoRuntimeMetrics). It
// panics if registration fails (a duplicate registration is a programming
// error), like promauto.
func NewMetrics(reg prometheus.Registerer, src Sources, opts Options) *Metrics {
	m := &Metrics{src: src, timeout: opts.ScrapeTimeout, log: opts.Logger}
	if m.timeout <= 0 {
		m.timeout = DefaultScrapeTimeout
	}
	if m.log == nil {
		m.log = zap.NewNop()
	}
	version, revision := opts.Version, opts.Revision
	if revision == "" {
		revision = vcsRevision()
	}
	m.buildInfo = prometheus.MustNewConstMetric(descBuildInfo, prometheus.GaugeValue, 1,
		orUnknown(version), orUnknown(revision), runtime.Version())

	m.violations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "policy_violations_total",
		Help: "Flows the segmentation policy flagged, by rule, source/destination zone and the rule's severity.",
	}, []string{"rule", "src_zone", "dst_zone", "severity"})
	m.behaviour = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "behaviour_changes_total",
		Help: "Behaviour changes (a device did what its baseline or its class lacks), by event type, device class and zone.",
	}, []string{"type", "class", "zone"})
	m.flushDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Name: "store_flush_duration_seconds",
		Help:    "Duration of store flush attempts (one SQLite transaction each), failed ones included.",
		Buckets: FlushBuckets,
	})
	m.flushErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "store_flush_errors_total",
		Help: "Store flush attempts that failed.",
	})
	m.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Name: "config_last_reload_successful",
		Help: "Whether the last configuration load or reload succeeded (1) or failed (0).",
	})
	m.reloadTime = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Name: "config_last_reload_success_timestamp_seconds",
		Help: "Unix time of the last successful configuration load or reload.",
	})

	reg.MustRegister(m)
	if !opts.NoRuntimeMetrics {
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// ObserveFlush records one store flush attempt. Its signature matches
// store.Options.OnFlush. It does not block.
func (m *Metrics) ObserveFlush(d time.Duration, err error) {
	m.flushDuration.Observe(d.Seconds())
	if err != nil {
		m.flushErrors.Inc()
	}
}

// Violation counts one flow the policy flagged. rule, the zones and the
// rule's severity (low, medium, high, critical) come from the policy
// configuration, which bounds their cardinality; empty values are exported
// as Unknown.
func (m *Metrics) Violation(rule, srcZone, dstZone, severity string) {
	m.violations.WithLabelValues(orUnknown(rule), orUnknown(srcZone), orUnknown(dstZone), orUnknown(severity)).Inc()
}

// BehaviourChange counts one behaviour event of a device of class in
// zone. Types, classes and zones are closed sets (model, the policy);
// empty values are exported as Unknown.
func (m *Metrics) BehaviourChange(typ model.EventType, class model.Class, zone string) {
	m.behaviour.WithLabelValues(orUnknown(string(typ)), orUnknown(string(class)), orUnknown(zone)).Inc()
}

// ReloadResult records the outcome of a configuration load or reload at t.
// cmd calls it after the initial load too, so the gauge starts at 1.
func (m *Metrics) ReloadResult(ok bool, t time.Time) {
	if !ok {
		m.reloadOK.Set(0)
		return
	}
	m.reloadOK.Set(1)
	m.reloadTime.Set(float64(t.UnixNano()) / 1e9)
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- descBuildInfo
	m.violations.Describe(ch)
	m.behaviour.Describe(ch)
	m.flushDuration.Describe(ch)
	m.flushErrors.Describe(ch)
	m.reloadOK.Describe(ch)
	m.reloadTime.Describe(ch)
	for _, d := range []*prometheus.Desc{
		descPackets, descBytes, descKernelDrops, descTruncated, descMalformed, descDecodeErrors,
		descObservations, descObsDropped, descDHCPUnplaced, descLimitHits, descStreamBuffer, descStreamBufferLimit,
		descStoreWritten, descStoreDiscarded, descStoreQueued, descStoreStep,
		descAssets, descEvents, descSilent, descProbes, descScrapeSuccess, descScrapeDuration,
		descAdvisoryMatched, descChangeEvents, descChangedDevices,
	} {
		ch <- d
	}
	for _, d := range centralDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	ch <- m.buildInfo
	m.violations.Collect(ch)
	m.behaviour.Collect(ch)
	m.flushDuration.Collect(ch)
	m.flushErrors.Collect(ch)
	m.reloadOK.Collect(ch)
	m.reloadTime.Collect(ch)
	if m.src.Capture != nil {
		m.scrape(ch, CollectorCapture, m.collectCapture)
	}
	if m.src.Store != nil {
		m.scrape(ch, CollectorStore, m.collectStore)
	}
	if m.src.AssetCounts != nil {
		m.scrape(ch, CollectorAssets, m.collectAssets)
	}
	if m.src.EventCounts != nil {
		m.scrape(ch, CollectorEvents, m.collectEvents)
	}
	if m.src.Probe != nil {
		m.scrape(ch, CollectorProbe, m.collectProbe)
	}
	if m.src.Central != nil {
		m.scrape(ch, CollectorCentral, m.collectCentral)
	}
	if m.src.Fleet != nil {
		m.scrape(ch, CollectorFleet, m.collectFleet)
	}
	if m.src.AdvisoryCounts != nil {
		m.scrape(ch, CollectorAdvisories, m.collectAdvisories)
	}
	if m.src.Changes != nil {
		m.scrape(ch, CollectorChanges, m.collectChanges)
	}
}

// scrape runs one collector. Its metrics are sent only if it succeeds in
// full, so a failure never exports a partial, misleading set.
func (m *Metrics) scrape(ch chan<- prometheus.Metric, name string, f func() ([]prometheus.Metric, error)) {
	start := time.Now()
	ms, err := callSafely(f)
	d := time.Since(start)
	success := 1.0
	if err != nil {
		success = 0
		m.log.Error("metrics collector failed", zap.String("collector", name), zap.Duration("duration", d), zap.Error(err))
	} else {
		for _, mt := range ms {
			ch <- mt
		}
	}
	ch <- prometheus.MustNewConstMetric(descScrapeDuration, prometheus.GaugeValue, d.Seconds(), name)
	ch <- prometheus.MustNewConstMetric(descScrapeSuccess, prometheus.GaugeValue, success, name)
}

func callSafely(f func() ([]prometheus.Metric, error)) (ms []prometheus.Metric, err error) {
	defer func() {
		if r := recover(); r != nil {
			ms, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

func counter(d *prometheus.Desc, v uint64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (m *Metrics) collectCapture() ([]prometheus.Metric, error) {
	stats := m.src.Capture()

	// Sum per interface (the sensor already does; a duplicate label set
	// would fail the whole scrape) and over all interfaces.
	byIf := map[string]*CaptureStats{}
	var names []string
	var total CaptureStats
	for i := range stats {
		st := &stats[i]
		s := byIf[st.Interface]
		if s == nil {
			s = &CaptureStats{Interface: st.Interface}
			byIf[st.Interface] = s
			names = append(names, st.Interface)
		}
		s.Packets += st.Packets
		s.Bytes += st.Bytes
		s.KernelDrops += st.KernelDrops
		s.Truncated += st.Truncated
		s.Malformed += st.Malformed
		s.DecodeErrors = addCounts(s.DecodeErrors, st.DecodeErrors)
		total.Observations = addCounts(total.Observations, st.Observations)
		total.ObsDropped += st.ObsDropped
		total.AssetCapHits += st.AssetCapHits
		total.BindCapHits += st.BindCapHits
		total.FlowCapHits += st.FlowCapHits
		total.StreamCapHits += st.StreamCapHits
		total.InspectCaps += st.InspectCaps
		total.SignalCapHits += st.SignalCapHits
		total.FloodRefused += st.FloodRefused
		total.SharedBindCapHits += st.SharedBindCapHits
		total.SharedAssetCapHits += st.SharedAssetCapHits
		total.DHCPUnplaced += st.DHCPUnplaced
		total.DHCPHoldCapHits += st.DHCPHoldCapHits
	}

	var ms []prometheus.Metric
	for _, n := range names {
		s := byIf[n]
		ms = append(ms,
			counter(descPackets, s.Packets, n),
			counter(descBytes, s.Bytes, n),
			counter(descKernelDrops, s.KernelDrops, n),
			counter(descTruncated, s.Truncated, n),
			counter(descMalformed, s.Malformed, n))
		for _, c := range s.DecodeErrors {
			ms = append(ms, counter(descDecodeErrors, c.N, n, c.Name))
		}
	}
	if len(stats) > 0 {
		for _, c := range total.Observations {
			ms = append(ms, counter(descObservations, c.N, c.Name))
		}
		ms = append(ms, counter(descObsDropped, total.ObsDropped), counter(descDHCPUnplaced, total.DHCPUnplaced))
		for _, l := range limits {
			ms = append(ms, counter(descLimitHits, l.hits(&total), l.name))
		}
	}
	if m.src.StreamBuffer != nil {
		b := m.src.StreamBuffer()
		ms = append(ms, counter(descLimitHits, b.Denied, LimitStreamBuf),
			gauge(descStreamBuffer, float64(b.Used)), gauge(descStreamBufferLimit, float64(b.Limit)))
	}
	return ms, nil
}

// addCounts adds the counts of b to those of a with the same name; names
// new to a are appended in b's order.
func addCounts(a, b []Count) []Count {
next:
	for _, c := range b {
		for i := range a {
			if a[i].Name == c.Name {
				a[i].N += c.N
				continue next
			}
		}
		a = append(a, c)
	}
	return a
}

func (m *Metrics) collectStore() ([]prometheus.Metric, error) {
	s := m.src.Store()
	out := []prometheus.Metric{
		counter(descStoreWritten, s.Written),
		counter(descStoreDiscarded, s.Discarded),
		gauge(descStoreQueued, float64(s.Queued)),
	}
	for _, st := range s.Steps {
		out = append(out, prometheus.MustNewConstMetric(descStoreStep, prometheus.CounterValue, st.Seconds, st.Step))
	}
	return out, nil
}

type classZoneState struct{ class, zone, state string }

func (m *Metrics) collectAssets() ([]prometheus.Metric, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	rows, err := m.src.AssetCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("asset counts: %w", err)
	}
	sums := map[classZoneState]int{}
	var keys []classZoneState
	silent := map[classZoneState]int{} // state "": class and zone with critical devices
	var silentKeys []classZoneState
	for _, r := range rows {
		if r.N < 0 {
			return nil, errors.New("asset counts: negative count")
		}
		k := classZoneState{orUnknown(string(r.Class)), orUnknown(r.Zone), orUnknown(r.State)}
		if _, ok := sums[k]; !ok {
			keys = append(keys, k)
		}
		sums[k] += r.N
		if r.Critical {
			sk := classZoneState{class: k.class, zone: k.zone}
			if _, ok := silent[sk]; !ok {
				silentKeys = append(silentKeys, sk)
				silent[sk] = 0
			}
			if r.State == StateSilent {
				silent[sk] += r.N
			}
		}
	}
	ms := make([]prometheus.Metric, 0, len(keys)+len(silentKeys))
	for _, k := range keys {
		ms = append(ms, gauge(descAssets, float64(sums[k]), k.class, k.zone, k.state))
	}
	for _, k := range silentKeys {
		ms = append(ms, gauge(descSilent, float64(silent[k]), k.class, k.zone))
	}
	return ms, nil
}

func (m *Metrics) collectProbe() ([]prometheus.Metric, error) {
	s := m.src.Probe()
	return []prometheus.Metric{
		counter(descProbes, s.Sent, "sent"),
		counter(descProbes, s.Answered, "answered"),
		counter(descProbes, s.Unanswered, "unanswered"),
		counter(descProbes, s.SendErrors, "send_error"),
		counter(descProbes, s.NotAllowed, "not_allowed"),
		counter(descProbes, s.TooSoon, "too_soon"),
		counter(descProbes, s.QueueFull, "queue_full"),
	}, nil
}

func (m *Metrics) collectEvents() ([]prometheus.Metric, error) {
	counts := m.src.EventCounts()
	ms := make([]prometheus.Metric, 0, len(model.EventTypes)+len(counts))
	for _, t := range model.EventTypes { // known types are exported as 0 until they first happen
		ms = append(ms, counter(descEvents, counts[t], string(t)))
	}
	for t, v := range counts {
		if t == "" || t.Valid() {
			continue
		}
		ms = append(ms, counter(descEvents, v, string(t)))
	}
	return ms, nil
}

func (m *Metrics) collectAdvisories() ([]prometheus.Metric, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	rows, err := m.src.AdvisoryCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("advisory counts: %w", err)
	}
	type key struct{ sev, verdict string }
	sums := map[key]int{}
	var keys []key
	for _, sev := range AdvisorySeverities {
		for _, v := range AdvisoryVerdicts {
			sums[key{sev, v}] = 0
			keys = append(keys, key{sev, v})
		}
	}
	for _, r := range rows {
		k := key{orUnknown(r.Severity), orUnknown(r.Verdict)}
		if _, ok := sums[k]; !ok {
			keys = append(keys, k)
		}
		sums[k] += r.N
	}
	ms := make([]prometheus.Metric, 0, len(keys))
	for _, k := range keys {
		ms = append(ms, gauge(descAdvisoryMatched, float64(sums[k]), k.sev, k.verdict))
	}
	return ms, nil
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

func vcsRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}

func (m *Metrics) collectChanges() ([]prometheus.Metric, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	st, err := m.src.Changes(ctx)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	ms := make([]prometheus.Metric, 0, len(st.Events)+2)
	seen := map[ChangeCount]bool{}
	for _, c := range st.Events {
		k := ChangeCount{Type: orUnknown(c.Type), Planned: c.Planned}
		if seen[k] {
			return nil, fmt.Errorf("changes: type %q planned=%v twice", k.Type, k.Planned)
		}
		seen[k] = true
		ms = append(ms, counter(descChangeEvents, c.N, k.Type, strconv.FormatBool(c.Planned)))
	}
	return append(ms, gauge(descChangedDevices, float64(st.NewToday), "new"),
		gauge(descChangedDevices, float64(st.ChangedToday), "changed")), nil
}
