package main

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/sensor/probe"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// liveness watches the critical devices of the policy file's critical
// section. Each evaluation reads their states from the inventory (the one
// place states are computed, at the inventory's clock: the wall's in
// `run`, the capture's in `replay`) and
//
//   - records a silent event when a device goes silent, heard-again when
//     a silent device is heard again, alive-by-probe when it answers the
//     ARP probe instead (one event per silence: sleeping between two
//     silent spells of the same silence does not repeat it);
//   - with the opt-in probe, asks exactly the silent (and alive-by-probe)
//     critical devices' IPv4 addresses inside probe.allow "who has?", and
//     records each answer from the device's own MAC as its probe evidence
//     (model.ObsProbe).
//
// The metric wardwatch_silent_critical_assets comes from the inventory's
// counts, so it agrees with the states here.
type liveness struct {
	inv *inventory.Service
	seg *segment.Segmenter
	db  *store.DB
	log *zap.Logger
	probeOpts

	mu       sync.Mutex
	reported map[int64]time.Time           // asset id -> when the silent event of its current silence was recorded
	known    map[int64]bool                // asset ids evaluated before
	targets  map[netip.Addr]model.AssetKey // probed address -> the asset it was probed for
	asked    map[netip.Addr]time.Time      // probed address -> when it was handed to the prober (wall clock)
}

// probeOpts are the probe's part of the liveness monitor; zero: off.
type probeOpts struct {
	prober   *probe.Prober
	allow    []netip.Prefix // probe.allow
	interval time.Duration  // probe.interval: an address is handed over at most this often
}

func newLiveness(inv *inventory.Service, seg *segment.Segmenter, db *store.DB, log *zap.Logger, po probeOpts) *liveness {
	return &liveness{inv: inv, seg: seg, db: db, log: log, probeOpts: po,
		reported: map[int64]time.Time{}, known: map[int64]bool{}, targets: map[netip.Addr]model.AssetKey{},
		asked: map[netip.Addr]time.Time{}}
}

// livenessPeriod is how often `run` evaluates: a quarter of the shortest
// interval of the critical section, between 1s and 30s.
func livenessPeriod(p *policy.Policy) time.Duration {
	period := 30 * time.Second
	for _, c := range p.Critical() {
		period = min(period, c.Every/4)
	}
	return max(period, time.Second)
}

// run evaluates periodically until ctx ends (the policy may gain or lose
// its critical section on reload). A pass reads every device (20 000 take
// 0.2 s, 0.6 s when all are critical), so the pause after one is at least
// ten times its length: the monitor never takes more than a tenth of a core.
func (l *liveness) run(ctx context.Context) {
	for {
		var took time.Duration
		if l.seg.HasCritical() {
			start := time.Now()
			if err := l.evaluate(ctx); err != nil && ctx.Err() == nil {
				l.log.Warn("evaluating critical devices failed", zap.Error(err))
			}
			took = time.Since(start)
		}
		t := time.NewTimer(max(livenessPeriod(l.seg.Policy()), 10*took))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// evaluate judges every critical device once.
func (l *liveness) evaluate(ctx context.Context) error {
	recs, err := l.inv.CriticalAssets(ctx)
	if err != nil {
		return err
	}
	now := l.inv.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range recs {
		r := &recs[i]
		key, ok := recordKey(r)
		if !ok {
			continue
		}
		if !l.known[r.ID] { // after a restart: a silence reported before goes on
			l.known[r.ID] = true
			if t := l.reportedBefore(ctx, r.ID); !t.IsZero() {
				l.reported[r.ID] = t
			}
		}
		silentSince, reported := l.reported[r.ID]
		var ev model.EventType
		var newValue string
		switch r.State {
		case inventory.StateSilent:
			if !reported {
				ev, newValue = model.EventSilent, fmt.Sprintf("not heard from since %s", r.LastSeen)
			}
		case inventory.StateAliveByProbe:
			if reported {
				ev, newValue = model.EventAliveByProbe, "answered the ARP liveness probe"
			}
		case inventory.StateSleeping, inventory.StateRetired:
			// silent by schedule, or long gone: the silence goes on
		default:
			// Heard in time, or not judged yet (the sensor started
			// listening less than an interval ago): only a packet after
			// the silent event ends the silence.
			if last, err := time.Parse(time.RFC3339, r.LastSeen); reported && err == nil &&
				!last.Before(silentSince.Truncate(time.Second)) {
				ev, newValue = model.EventHeardAgain, fmt.Sprintf("heard at %s", r.LastSeen)
			}
		}
		switch ev {
		case model.EventSilent:
			l.reported[r.ID] = now
		case model.EventAliveByProbe, model.EventHeardAgain:
			delete(l.reported, r.ID)
		}
		if ev != "" {
			l.record(ctx, key, r, ev, newValue, now)
		}
		if l.prober != nil && (r.State == inventory.StateSilent || r.State == inventory.StateAliveByProbe) {
			l.probe(key, r)
		}
	}
	return nil
}

// reportedBefore returns the time of the asset's latest liveness event
// if it is a silent event (a silence reported before a restart is not
// reported again), else zero.
func (l *liveness) reportedBefore(ctx context.Context, id int64) time.Time {
	evs, _, err := l.db.FindEvents(ctx, store.EventFilter{AssetID: id, Desc: true, Limit: 100})
	if err != nil {
		return time.Time{}
	}
	for _, e := range evs {
		switch e.Type {
		case model.EventSilent:
			return e.Time
		case model.EventHeardAgain, model.EventAliveByProbe:
			return time.Time{}
		}
	}
	return time.Time{}
}

// record stores a liveness event (and logs it).
func (l *liveness) record(ctx context.Context, key model.AssetKey, r *inventory.AssetRecord, ev model.EventType,
	newValue string, now time.Time) {
	ip := recordIP(r)
	fields := []zap.Field{zap.String("event", string(ev)), zap.String("vantage", key.Vantage),
		zap.Uint16("vlan", key.VLAN), zap.Stringer("mac", key.MAC), zap.String("class", string(r.Class)),
		zap.String("zone", r.Zone), zap.String("last_seen", r.LastSeen)}
	if ev == model.EventSilent {
		l.log.Warn("critical device silent", append(fields, zap.Stringer("ip", ip))...)
	} else {
		l.log.Info("critical device alive again", append(fields, zap.Stringer("ip", ip))...)
	}
	o := model.Observation{Kind: model.ObsEvent, Time: now, Key: key, IP: ip,
		Event: &model.EventInfo{Type: ev, NewValue: newValue}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := l.db.Submit(ctx, o); err != nil {
		l.log.Warn("recording a liveness event failed", zap.String("event", string(ev)), zap.Error(err))
	}
}

// probe asks the prober about the device's IPv4 addresses inside the
// allow-list, each at most once per probe.interval (the prober enforces
// it too, and its rate limit).
func (l *liveness) probe(key model.AssetKey, r *inventory.AssetRecord) {
	wall := time.Now()
	for _, s := range r.IPs {
		ip, err := netip.ParseAddr(s)
		if err != nil || !ip.Is4() || !l.allowed(ip) {
			continue
		}
		if last, ok := l.asked[ip]; ok && wall.Sub(last) < l.interval {
			continue
		}
		l.asked[ip] = wall
		l.targets[ip] = key
		if err := l.prober.Probe(ip); err == nil {
			l.log.Debug("probing a silent critical device", zap.Stringer("ip", ip), zap.Stringer("mac", key.MAC),
				zap.String("state", r.State))
		}
	}
}

func (l *liveness) allowed(ip netip.Addr) bool {
	for _, p := range l.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// alive is the prober's OnAlive: an answer from the MAC of the device the
// address was probed for is its probe evidence; an answer from another MAC
// (the address moved) proves nothing about it.
func (l *liveness) alive(res probe.Result) {
	l.mu.Lock()
	key, ok := l.targets[res.IP]
	l.mu.Unlock()
	if !ok {
		return
	}
	if key.MAC != res.MAC {
		l.log.Debug("probe answered by another MAC: not evidence of the device's liveness",
			zap.Stringer("ip", res.IP), zap.Stringer("mac", res.MAC), zap.Stringer("device", key.MAC))
		return
	}
	o := model.Observation{Kind: model.ObsProbe, Time: res.At, Key: key, IP: res.IP, Source: model.SourceProbe}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.db.Submit(ctx, o); err != nil {
		l.log.Warn("recording a probe answer failed", zap.Error(err))
	}
}

// recordKey is the asset key of a record (devices keyed by MAC only: ARP
// needs one).
func recordKey(r *inventory.AssetRecord) (model.AssetKey, bool) {
	mac, err := model.ParseMAC(r.MAC)
	if err != nil || r.KeyedBy != "mac" {
		return model.AssetKey{}, false
	}
	return model.AssetKey{Vantage: r.Vantage, VLAN: r.VLAN, MAC: mac}, true
}

// recordIP is the record's first IPv4 address, else its first address.
func recordIP(r *inventory.AssetRecord) netip.Addr {
	var first netip.Addr
	for _, s := range r.IPs {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		if ip.Is4() {
			return ip
		}
		if !first.IsValid() {
			first = ip
		}
	}
	return first
}

// probeWarnings says at start what makes the enabled probe useless or
// flapping: no critical section (nothing is ever probed), or a critical
// entry whose every + grace is shorter than probe.interval (an alive device
// falls back to silent between two probes).
func probeWarnings(log *zap.Logger, interval time.Duration, p *policy.Policy) {
	cs := p.Critical()
	if len(cs) == 0 {
		log.Warn("probe.enabled is true but the policy has no critical section: nothing will be probed")
		return
	}
	for _, c := range cs {
		if c.Every+c.Grace < interval {
			log.Warn("probe.interval is longer than a critical entry's every + grace: an alive device falls back to silent between two probes",
				zap.String("critical", c.Name), zap.Duration("every_plus_grace", c.Every+c.Grace),
				zap.Duration("probe_interval", interval))
		}
	}
}
