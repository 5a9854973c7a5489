package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/behaviour"
	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/exporter/api"
	"github.com/wardwatch/wardwatch/exporter/siem"
	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/sensor/probe"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/central"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// daemon is everything `run` and `replay --serve` share: the store, the
// policy checker, SIEM sinks, metrics and the web listener, wired once.
type daemon struct {
	cfgPath string
	cfg     *configs.Config
	log     *zap.Logger

	db      *store.DB
	engine  *fingerprint.Engine
	pol     *policy.Holder
	seg     *segment.Segmenter // zones under pol
	checker *segment.Checker
	stage   *behaviour.Stage // behaviour baselines, between the checker and the store
	changes *behaviour.Tracker
	sinks   siem.Multi
	sensor  *sensor.Sensor
	reg     *prometheus.Registry
	metrics *exporter.Metrics
	server  *exporter.Server
	pusher  *central.Pusher // nil without central.dsn
	live    *liveness       // critical devices: silent events, probes (liveness.go)
	prober  *probe.Prober   // nil unless probe.enabled (run only)
	watch   bool            // evaluate the critical devices periodically (run)

	ready    atomic.Bool
	reloadMu sync.Mutex

	inv *inventory.Service // what the API, the page and wardwatch_assets answer from
	now func() time.Time   // the inventory's clock: a replay's capture time, else the wall's

	ev eventState // advisories, advisory-match events, the SIEM goroutine
	// advisoriesFlag is --advisories.dir ("" when not given): a reload
	// keeps it.
	advisoriesFlag string
}

// webFlags are the exporter-toolkit flags; nil when the verb serves no HTTP.
// replayQueueSize bounds store.queue_size in a replay (see openDaemon).
const replayQueueSize = 8192

type daemonOptions struct {
	// clock is a replay's "as of" clock (the capture's time); nil: the
	// wall clock.
	clock    *captureClock
	serve    bool
	webFlags *web.FlagConfig
	flagSet  func(name string) bool // whether a flag was given on the command line
	// prober is the opt-in ARP liveness probe (run with probe.enabled),
	// opened before privileges are dropped; nil otherwise.
	prober *probe.Prober
	// watch evaluates the critical devices periodically (run); replay
	// evaluates once, at the end of the capture.
	watch bool
}

func openDaemon(cfgPath string, cfg *configs.Config, log *zap.Logger, o daemonOptions) (*daemon, error) {
	d := &daemon{cfgPath: cfgPath, cfg: cfg, log: log, prober: o.prober, watch: o.watch}
	ok := false
	defer func() {
		if !ok {
			d.closeSinks()
		}
	}()

	// Everything the config refers to, loaded as check-config loads it.
	refs, err := loadReferences(refSource{path: cfgPath, flagSet: o.flagSet}, cfg, webConfigFile(cfg, o))
	if err != nil {
		return nil, err
	}
	eng := refs.engine
	d.engine = eng
	d.pol = policy.NewHolder(refs.policy)
	d.seg = segment.New(d.pol)
	if o.flagSet != nil && o.flagSet("advisories.dir") {
		d.advisoriesFlag = cfg.Advisories.Dir
	}
	set, err := loadDaemonAdvisories(cfg, log)
	if err != nil {
		return nil, &refError{err}
	}
	d.ev.advisories.Store(set)
	d.ev.sweepNow = make(chan struct{}, 1)

	if err := d.openSinks(); err != nil {
		return nil, err
	}

	d.reg = prometheus.NewRegistry()
	var centralStats func() exporter.CentralStats
	if cfg.Central.DSN != "" {
		centralStats = d.centralStats
	}
	d.metrics = exporter.NewMetrics(d.reg, exporter.Sources{
		Central: centralStats,
		Capture: func() []exporter.CaptureStats { return captureStats(d.sensor.Stats()) },
		StreamBuffer: func() exporter.BufferStats {
			b := d.sensor.BufferBudget()
			return exporter.BufferStats{Used: b.Used, Limit: b.Limit, Denied: b.Denied}
		},
		Store:          d.storeStats,
		AssetCounts:    d.assetCounts,
		EventCounts:    d.eventCounts,
		AdvisoryCounts: d.advisoryCounts,
		Probe:          d.probeStats(),
		Changes:        d.changeStats,
	}, exporter.Options{Version: version, Revision: revision, Logger: log})

	if o.serve {
		wf := o.webFlags
		if wf == nil {
			wf = &web.FlagConfig{}
		}
		if !o.flagSet("web.listen-address") && len(cfg.Web.ListenAddresses) > 0 {
			addrs := append([]string(nil), cfg.Web.ListenAddresses...)
			wf.WebListenAddresses = &addrs
		}
		if !o.flagSet("web.config.file") && cfg.Web.ConfigFile != "" {
			f := cfg.Web.ConfigFile
			wf.WebConfigFile = &f
		}
		d.server = exporter.NewServer(exporter.ServerOptions{
			Web: wf, Gatherer: d.reg, Registerer: d.reg, Logger: log, Version: version, Links: api.LandingLinks,
			Ready: func() error {
				if !d.ready.Load() {
					return errors.New("starting")
				}
				return nil
			},
			Reload: func(ctx context.Context) error { return d.reload() },
		})
		// Fail before capture starts on a taken port or a bad web config.
		if _, err := d.server.Listen(); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}

	sopts := storeOptions(cfg, log)
	if o.clock != nil && sopts.QueueSize > replayQueueSize {
		// A replay waits for the writer rather than drop (Submit, not
		// TrySubmit): a queue for a live link's bursts only holds memory.
		sopts.QueueSize = replayQueueSize
	}
	// A replay into a database it creates is a bulk load: no syncs until
	// the end (store.Options.BulkLoad). The daemon's file, and any file
	// that already holds data, keep the usual durability.
	sopts.BulkLoad = o.clock != nil
	sopts.OnFlush = d.metrics.ObserveFlush
	sopts.Classifier = eng
	db, err := store.Open(cfg.Store.Path, sopts)
	if err != nil {
		return nil, err
	}
	d.db = db
	if c := cfg.Central; c.DSN != "" {
		d.pusher, err = central.New(central.Options{DBPath: cfg.Store.Path, DSN: c.DSN, PasswordFile: c.PasswordFile,
			Sensor: c.Sensor, Site: c.Site, BatchSize: c.BatchSize, Interval: c.Interval, Logger: log.Named("central")})
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	var listening time.Time // run: critical devices are not silent before the sensor had their interval to hear them
	if o.watch {
		listening = time.Now()
	}
	d.now = o.clock.nowFunc()
	if d.now == nil {
		d.now = time.Now
	}
	d.inv = newInventory(db, d.seg, cfg, o.clock.nowFunc(), listening, d.advisorySet)
	d.live = newLiveness(d.inv, d.seg, db, log.Named("liveness"),
		probeOpts{prober: o.prober, allow: cfg.Probe.AllowPrefixes(), interval: cfg.Probe.Interval})
	if err := d.startEvents(); err != nil {
		db.Close()
		return nil, err
	}
	d.changes = behaviour.NewTracker(db, d.seg, o.clock.nowFunc())
	if d.server != nil { // the inventory API and web page, behind the same listener and auth as /metrics
		srv := api.New(api.Options{Inventory: d.inv, Logger: log, Version: version})
		d.server.Handle(api.APIPrefix, srv.APIHandler())
		d.server.Handle(api.UIPrefix, srv.UIHandler())
	}
	bopts := cfg.Baseline.Options()
	bopts.OnEvent = d.behaviourEvent
	d.stage = behaviour.New(db, d.seg, db.Classes(), bopts)
	if err := loadBaselines(context.Background(), db, d.stage, log); err != nil {
		db.Close()
		return nil, err
	}
	db.Classes().Watch(d.stage.Committed)
	d.checker = segment.NewChecker(d.stage, d.seg, db.Classes(), d.violation)
	db.Classes().Watch(d.checker.Committed)
	d.sensor = sensor.New(sensorConfig(cfg, log), o.clock.watch(d.checker))
	d.metrics.ReloadResult(true, time.Now())
	ok = true
	return d, nil
}

// webConfigFile is the web config file the listener uses:
// --web.config.file, else web.config_file; "" when nothing is served.
func webConfigFile(cfg *configs.Config, o daemonOptions) string {
	switch {
	case !o.serve:
		return ""
	case o.flagSet != nil && o.flagSet("web.config.file") && o.webFlags != nil && o.webFlags.WebConfigFile != nil:
		return *o.webFlags.WebConfigFile
	default:
		return cfg.Web.ConfigFile
	}
}

func (d *daemon) openSinks() error {
	host, _ := os.Hostname()
	ev := d.cfg.Events
	if ev.File != "" {
		l, err := siem.OpenLines(ev.File, host)
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		d.sinks = append(d.sinks, l)
	}
	if ev.Syslog.Address != "" {
		s, err := siem.NewSyslog(ev.Syslog.Network, ev.Syslog.Address, ev.Syslog.Facility, host,
			siem.SyslogOptions{Format: ev.Syslog.Format, Version: version})
		if err != nil {
			return fmt.Errorf("events: %w", err)
		}
		d.sinks = append(d.sinks, s)
	}
	return nil
}

func (d *daemon) closeSinks() {
	if d.sinks != nil {
		d.sinks.Close()
	}
}

// violation is called once per newly flagged flow: the metric, and the
// SIEM event (queued for the SIEM goroutine, which adds the ends'
// identities), with the endpoints the checker judged.
func (d *daemon) violation(v *segment.Violation) {
	d.metrics.Violation(v.Verdict.Rule, v.Verdict.SrcZone, v.Verdict.DstZone, v.Verdict.Severity)
	d.queueViolation(siemViolation(v))
}

// changeStats are the change metrics, read from the events the store
// recorded since the last scrape.
func (d *daemon) changeStats(ctx context.Context) (exporter.ChangeStats, error) {
	st, err := d.changes.Stats(ctx)
	if err != nil {
		return exporter.ChangeStats{}, err
	}
	out := exporter.ChangeStats{NewToday: st.NewToday, ChangedToday: st.ChangedToday}
	for _, c := range st.Counts {
		out.Events = append(out.Events, exporter.ChangeCount{Type: c.Type, Planned: c.Planned, N: c.N})
	}
	return out, nil
}

// behaviourEvent is called for every behaviour event: the metric. The
// SIEM gets the event from the events table with the other asset events
// (daemon_events.go), with the device's identity.
func (d *daemon) behaviourEvent(e *behaviour.Event) {
	d.metrics.BehaviourChange(e.Type, e.Class, e.Zone)
}

// loadBaselines reads the stored behaviour baselines into the stage. An
// item this version cannot read is logged and skipped.
func loadBaselines(ctx context.Context, db *store.DB, st *behaviour.Stage, log *zap.Logger) error {
	var items []behaviour.Item
	err := db.EachBaseline(ctx, store.BaselineFilter{}, func(b *store.Baseline) error {
		items = items[:0]
		for _, it := range b.Items {
			items = append(items, behaviour.Item{Kind: it.Kind, Value: it.Value, Learned: it.Learned})
		}
		if err := st.Load(b.Key, b.Class, b.Started, items); err != nil {
			log.Warn("loading a behaviour baseline", zap.Error(err))
		}
		return nil
	})
	st.Loaded()
	return err
}

// captureStats adapts the sensor's counters to what the exporter reads:
// decode errors named by sensor.LayerNames, observations by model.ObsKind.
func captureStats(stats []sensor.Stats) []exporter.CaptureStats {
	out := make([]exporter.CaptureStats, len(stats))
	for i := range stats {
		st := &stats[i]
		c := exporter.CaptureStats{
			Interface: st.Interface, Packets: st.Packets, Bytes: st.Bytes,
			KernelDrops: st.KernelDrops, Truncated: st.Truncated, Malformed: st.Malformed,
			ObsDropped:   st.ObsDropped,
			AssetCapHits: st.AssetCapHits, BindCapHits: st.BindCapHits, FlowCapHits: st.FlowCapHits, SignalCapHits: st.SignalCapHits,
			StreamCapHits: st.StreamCapHits, InspectCaps: st.InspectCaps, FloodRefused: st.AssetFloodRefused,
			SharedBindCapHits: st.SharedBindCapHits, SharedAssetCapHits: st.SharedAssetCapHits,
			DHCPUnplaced: st.DHCPUnplaced, DHCPHoldCapHits: st.DHCPHoldCapHits,
			DecodeErrors: make([]exporter.Count, len(st.DecodeErrors)),
			Observations: make([]exporter.Count, 0, len(st.Observations)),
		}
		for l, n := range st.DecodeErrors {
			c.DecodeErrors[l] = exporter.Count{Name: sensor.LayerNames[l], N: n}
		}
		for k := model.ObsKind(1); int(k) < model.NumObsKinds; k++ {
			c.Observations = append(c.Observations, exporter.Count{Name: k.String(), N: st.Observations[k]})
		}
		out[i] = c
	}
	return out
}

// siemViolation is what the SIEM sinks say about a violation.
func siemViolation(v *segment.Violation) *siem.Violation {
	fl := v.Flow
	return &siem.Violation{
		Time: v.Time, Rule: v.Verdict.Rule, Severity: v.Verdict.Severity, SrcZone: v.Verdict.SrcZone,
		DstZone: v.Verdict.DstZone, SrcClass: v.Src.Class, DstClass: v.Dst.Class, Vantage: fl.Client.Vantage,
		VLAN: fl.Client.VLAN, OuterVLAN: v.OuterVLAN, SrcMAC: v.Src.MAC, DstMAC: v.Dst.MAC,
		SrcIP: fl.ClientIP.String(), DstIP: fl.ServerIP.String(), Proto: fl.Proto, Port: fl.Port, Service: fl.Service,
	}
}

// probeStats is the metrics' probe source: nil when the probe is off.
func (d *daemon) probeStats() func() exporter.ProbeStats {
	if d.prober == nil {
		return nil
	}
	return func() exporter.ProbeStats {
		s := d.prober.Stats()
		return exporter.ProbeStats{Sent: s.Sent, Answered: s.Answered, Unanswered: s.Unanswered, SendErrors: s.SendErrors,
			NotAllowed: s.NotAllowed, TooSoon: s.TooSoon, QueueFull: s.QueueFull}
	}
}

func (d *daemon) storeStats() exporter.StoreStats {
	st := d.db.Stats()
	steps := make([]exporter.StepTime, len(st.StepTime))
	for i, t := range st.StepTime {
		steps[i] = exporter.StepTime{Step: store.FlushSteps[i], Seconds: t.Seconds()}
	}
	return exporter.StoreStats{Written: st.Written, Discarded: st.DroppedFailed, Queued: st.Queued + st.Pending, Steps: steps}
}

// centralStats adapts the pusher's counters to what the exporter reads.
func (d *daemon) centralStats() exporter.CentralStats {
	if d.pusher == nil {
		return exporter.CentralStats{}
	}
	st := d.pusher.Stats()
	out := exporter.CentralStats{Batches: st.Batches, Errors: st.Errors, Connected: st.Connected, Lag: st.Lag,
		LastSuccess: st.LastSync}
	for _, name := range slices.Sorted(maps.Keys(st.Rows)) {
		out.Rows = append(out.Rows, exporter.Count{Name: name, N: st.Rows[name]})
	}
	return out
}

// advisoryCounts counts the assets advisories name by severity and
// verdict, as the inventory does (and cached as long).
func (d *daemon) advisoryCounts(ctx context.Context) ([]exporter.AdvisoryCount, error) {
	if d.advisorySet() == nil {
		return nil, nil
	}
	counts, err := d.inv.AdvisoryCounts(ctx)
	out := make([]exporter.AdvisoryCount, len(counts))
	for i, c := range counts {
		out[i] = exporter.AdvisoryCount{Severity: c.Severity, Verdict: c.Verdict, N: c.N}
	}
	return out, err
}

func (d *daemon) eventCounts() map[model.EventType]uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := d.db.EventTypeCounts(ctx)
	if err != nil {
		d.log.Warn("counting events failed", zap.Error(err))
		return nil
	}
	return m
}

// assetCounts counts the assets by class, zone and state, as the
// inventory does (and cached as long).
func (d *daemon) assetCounts(ctx context.Context) ([]exporter.AssetCount, error) {
	counts, err := d.inv.AssetCounts(ctx)
	out := make([]exporter.AssetCount, len(counts))
	for i, c := range counts {
		out[i] = exporter.AssetCount{Class: c.Class, Zone: c.Zone, State: c.State, Critical: c.Critical, N: c.N}
	}
	return out, err
}

// reload re-reads the config file and the policy it names. Both must be
// good; otherwise nothing changes and the error is returned (SIGHUP logs
// it, POST /-/reload answers 500 with it). The policy takes effect at once
// (new flows and cached verdicts are re-evaluated); other changed settings
// (capture, streams, limits, store, web) take effect at the next restart,
// and a warning says so.
func (d *daemon) reload() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	err := d.reloadLocked()
	// Log first: whoever sees the metric change finds the reason logged.
	if err != nil {
		d.log.Error("reload failed; keeping the running configuration and policy", zap.Error(err))
	} else {
		d.log.Info("configuration and policy reloaded")
	}
	d.metrics.ReloadResult(err == nil, time.Now())
	return err
}

func (d *daemon) reloadLocked() error {
	cfg := d.cfg
	if d.cfgPath != "" {
		c, err := configs.Load(d.cfgPath)
		if err != nil {
			return fmt.Errorf("config: %s", oneLine(err))
		}
		// Keep command-line overrides.
		c.Store.Path = d.cfg.Store.Path
		c.Log = d.cfg.Log
		if len(d.cfg.Capture.Interfaces) > 0 {
			c.Capture.Interfaces = d.cfg.Capture.Interfaces
		}
		if d.advisoriesFlag != "" {
			c.Advisories.Dir = d.advisoriesFlag
		}
		cfg = c
	}
	var p *policy.Policy
	if cfg.Policy.File != "" {
		var err error
		if p, err = policy.Load(cfg.Policy.File); err != nil {
			return fmt.Errorf("policy: %s", oneLine(err))
		}
	}
	set, err := loadDaemonAdvisories(cfg, d.log)
	if err != nil {
		return err
	}
	d.pol.Swap(p)
	d.ev.advisories.Store(set)
	a, b := *d.cfg, *cfg
	a.Policy, b.Policy = configs.PolicyConfig{}, configs.PolicyConfig{}
	a.Advisories, b.Advisories = configs.AdvisoriesConfig{}, configs.AdvisoriesConfig{}
	if !reflect.DeepEqual(a, b) {
		d.log.Warn("the config file changed beyond the policy: those settings take effect at the next restart")
	}
	d.cfg = cfg
	d.inv.Forget() // zones and advisories may have changed
	if set != nil {
		d.requestSweep() // devices the new advisories name: their events now, not in a minute
	}
	return nil
}

// serve runs the web listener (if any) and SIGHUP handling until ctx ends.
func (d *daemon) serve(ctx context.Context) (wait func() error) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	var wg sync.WaitGroup
	var srvErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				d.reload()
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.advisoryLoop(ctx)
	}()
	if d.pusher != nil { // pushes to the central database until ctx ends; failures are logged, never fatal
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.pusher.Run(ctx)
		}()
	}
	if d.watch { // silent critical devices, judged on the wall clock
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.live.run(ctx)
		}()
	}
	if d.prober != nil { // sends only what d.live asks for, on probe.interface
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.prober.Run(ctx)
		}()
	}
	if d.server != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.server.Run(ctx); err != nil {
				srvErr = err
				d.log.Error("web listener failed", zap.Error(err))
			}
		}()
	}
	return func() error { wg.Wait(); return srvErr }
}

// close flushes and closes the store and the sinks: the held flows are
// judged, the inventory matched to the advisories once more, and what the
// SIEM has not been sent yet is sent.
func (d *daemon) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.checker.Flush(ctx); err != nil {
		d.log.Warn("judging the held flows at close", zap.Error(err))
	}
	if d.advisorySet() != nil || len(d.sinks) > 0 {
		if err := d.db.Flush(ctx); err != nil {
			d.log.Warn("flushing the store at close", zap.Error(err))
		} else if d.advisorySet() != nil {
			d.sweepAdvisories(ctx)
			if err := d.db.Flush(ctx); err != nil {
				d.log.Warn("flushing the advisory matches at close", zap.Error(err))
			}
		}
	}
	d.stopEvents()
	err := d.db.Close()
	if d.pusher != nil { // one last push of the final state, bounded; the next start catches up otherwise
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d.pusher.Sync(ctx)
		cancel()
		d.pusher.Close()
	}
	d.closeSinks()
	if err != nil {
		return fmt.Errorf("store %s: %w", d.cfg.Store.Path, err)
	}
	return nil
}
