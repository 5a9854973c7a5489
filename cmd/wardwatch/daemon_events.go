package main

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter/siem"
	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The daemon's advisories and SIEM events.
//
// Advisories (advisories.dir) are loaded at start and on reload and held
// in advisories; the inventory service matches the devices against them
// (wardwatch advisories, the API, the page, the metric). Every
// advisorySweepEvery, and once more at shutdown, the inventory is matched
// and each (device, advisory) pair that is new, or matched with a stronger
// verdict than before, becomes an advisory-match event in the store
// (through the writer, as an ObsEvent). The pairs already reported are
// read back from the events table at the first sweep, so a restart does
// not report them again.
//
// SIEM: violations are queued by the checker's callback and sent by one
// goroutine (the capture path never waits for a database read or a slow
// syslog receiver), with the identities of both ends looked up in the
// inventory. The same goroutine tails the events table every siemTailEvery
// (and once more at shutdown) and sends every other event (new-device,
// class-changed, advisory-match, ...) as an asset event. Events written
// before the daemon started are not sent again.

const (
	advisorySweepEvery = time.Minute
	siemTailEvery      = 2 * time.Second
	// siemQueueSize bounds the violations waiting for the SIEM goroutine;
	// more are dropped, counted and logged.
	siemQueueSize = 4096
)

// eventState is the daemon's part in events: the advisories in force, the
// advisory pairs reported, and the SIEM queue and tail.
type eventState struct {
	advisories atomic.Pointer[advisory.Set]

	sweepMu  sync.Mutex
	known    map[int64]map[string]string // asset id → advisory id → verdict reported; nil until read
	sweepNow chan struct{}               // a reload asks advisoryLoop for a sweep at once

	siemQ       chan *siem.Violation
	siemStop    chan struct{}
	siemDone    chan struct{}
	siemDropped atomic.Uint64
	lastEvent   int64 // the events tail: the largest ID handled
}

// advisorySet is the set in force (nil: none).
func (d *daemon) advisorySet() *advisory.Set { return d.ev.advisories.Load() }

// loadDaemonAdvisories loads advisories.dir ("" for none) and logs the
// documents that did not load. It returns an error only when the directory
// cannot be read at all.
func loadDaemonAdvisories(cfg *configs.Config, log *zap.Logger) (*advisory.Set, error) {
	start := time.Now()
	set, errs, err := readAdvisoryDir(cfg.Advisories.Dir)
	if err != nil || set == nil {
		return nil, err
	}
	for i, e := range errs {
		if i == maxLoadWarnings {
			log.Warn("more advisories not loaded", zap.Int("count", len(errs)-i))
			break
		}
		log.Warn("advisory not loaded", zap.String("file", e.File), zap.Error(e.Err))
	}
	log.Info("advisories loaded", zap.String("dir", cfg.Advisories.Dir), zap.Int("advisories", set.Len()),
		zap.Int("not_loaded", len(errs)), zap.Duration("took", time.Since(start)))
	return set, nil
}

// startEvents starts the SIEM goroutine when there are sinks.
func (d *daemon) startEvents() error {
	if len(d.sinks) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	last, err := d.db.LastEventID(ctx)
	if err != nil {
		return err
	}
	d.ev.lastEvent = last
	d.ev.siemQ = make(chan *siem.Violation, siemQueueSize)
	d.ev.siemStop = make(chan struct{})
	d.ev.siemDone = make(chan struct{})
	go d.siemLoop()
	return nil
}

// queueViolation hands a violation to the SIEM goroutine without waiting.
func (d *daemon) queueViolation(v *siem.Violation) {
	if d.ev.siemQ == nil {
		return
	}
	select {
	case d.ev.siemQ <- v:
	default:
		if n := d.ev.siemDropped.Add(1); n == 1 || n%1000 == 0 {
			d.log.Warn("SIEM queue full: violation events dropped", zap.Uint64("dropped", n))
		}
	}
}

// stopEvents sends what is queued and the events written since the last
// tail, then stops the SIEM goroutine.
func (d *daemon) stopEvents() {
	if d.ev.siemStop == nil {
		return
	}
	close(d.ev.siemStop)
	<-d.ev.siemDone
	d.ev.siemStop = nil
}

func (d *daemon) siemLoop() {
	defer close(d.ev.siemDone)
	tick := time.NewTicker(siemTailEvery)
	defer tick.Stop()
	for {
		select {
		case v := <-d.ev.siemQ:
			d.sendViolation(v)
		case <-tick.C:
			d.tailEvents()
		case <-d.ev.siemStop:
			for {
				select {
				case v := <-d.ev.siemQ:
					d.sendViolation(v)
					continue
				default:
				}
				break
			}
			d.tailEvents()
			return
		}
	}
}

func (d *daemon) sendViolation(v *siem.Violation) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if a := d.lookupEnd(ctx, v.Vantage, v.VLAN, v.SrcMAC, v.SrcIP); a != nil {
		v.SrcHostname, v.SrcManufacturer, v.SrcModel = a.Hostname, a.Manufacturer, a.Model
	}
	if a := d.lookupEnd(ctx, v.Vantage, v.VLAN, v.DstMAC, v.DstIP); a != nil {
		v.DstHostname, v.DstManufacturer, v.DstModel = a.Hostname, a.Manufacturer, a.Model
	}
	if err := d.sinks.Emit(v); err != nil {
		d.log.Warn("sending a violation event failed", zap.Error(err))
	}
}

// lookupEnd finds the device at one end of a flow: by its MAC on the VLAN
// and vantage when the end's MAC is its own, else the device seen last
// with its address. nil when the inventory has none.
func (d *daemon) lookupEnd(ctx context.Context, vantage string, vlan uint16, mac model.MAC, ip string) *store.AssetDetail {
	f := store.AssetFilter{Sort: store.AssetSort{By: "last_seen", Desc: true}, Limit: 1}
	if !mac.IsZero() {
		f.MAC, f.VLAN, f.Vantage = mac, &vlan, vantage
	} else if addr, err := netip.ParseAddr(ip); err == nil {
		f.IP = addr
	} else {
		return nil
	}
	as, _, err := d.db.FindAssets(ctx, f)
	if err != nil || len(as) == 0 {
		return nil
	}
	return &as[0]
}

// tailEvents sends the events written since the last tail, except policy
// violations (sent with their flows by sendViolation).
func (d *daemon) tailEvents() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	evs, _, err := d.db.FindEvents(ctx, store.EventFilter{AfterID: d.ev.lastEvent})
	if err != nil {
		d.log.Warn("reading events for the SIEM failed", zap.Error(err))
		return
	}
	var ids []int64
	for i := range evs {
		if evs[i].AssetID != 0 {
			ids = append(ids, evs[i].AssetID)
		}
	}
	assets := map[int64]*store.AssetDetail{}
	if len(ids) > 0 {
		as, _, err := d.db.FindAssets(ctx, store.AssetFilter{IDs: ids})
		if err == nil {
			for i := range as {
				assets[as[i].ID] = &as[i]
			}
		}
	}
	for i := range evs {
		e := &evs[i]
		d.ev.lastEvent = max(d.ev.lastEvent, e.ID)
		if e.Type == model.EventViolation {
			continue
		}
		if err := d.sinks.Emit(d.assetEvent(e, assets[e.AssetID])); err != nil {
			d.log.Warn("sending an event failed", zap.String("type", string(e.Type)), zap.Error(err))
		}
	}
}

// assetEvent is what the SIEM gets for an event of the events table.
func (d *daemon) assetEvent(e *model.Event, a *store.AssetDetail) *siem.AssetEvent {
	ae := &siem.AssetEvent{Time: e.Time, Type: e.Type, Vantage: e.Key.Vantage, VLAN: e.Key.VLAN, MAC: e.Key.MAC,
		OldValue: e.OldValue, NewValue: e.NewValue, Class: model.ClassUnknown}
	switch {
	case e.IP.IsValid():
		ae.IP = e.IP.String()
	case e.Key.IP.IsValid():
		ae.IP = e.Key.IP.String()
	}
	if a != nil {
		ae.Hostname, ae.Class, ae.Manufacturer, ae.Model = a.Hostname, a.Class, a.Manufacturer, a.Model
		ae.Zone = d.seg.Zone(&a.Asset)
		if ae.IP == "" && len(a.Addresses) > 0 {
			ae.IP = a.Addresses[0].IP.String()
		}
	}
	if e.Type == model.EventAdvisoryMatch {
		if id, verdict, ok := model.ParseAdvisoryMatchValue(e.NewValue); ok {
			info := &siem.AdvisoryInfo{ID: id, Verdict: verdict}
			if set := d.advisorySet(); set == nil {
			} else if adv := set.Advisory(id); adv != nil {
				info.Title, info.URL, info.CVEs, info.CVSS, info.Severity = adv.Title, adv.URL, adv.CVEs, adv.CVSS,
					string(adv.Severity)
			}
			ae.Advisory = info
		}
	}
	return ae
}

// sweepAdvisories matches the inventory and records an advisory-match
// event for each pair that is new or stronger than reported before.
func (d *daemon) sweepAdvisories(ctx context.Context) {
	if d.advisorySet() == nil {
		return
	}
	d.ev.sweepMu.Lock()
	defer d.ev.sweepMu.Unlock()
	if d.ev.known == nil {
		known, err := d.reportedAdvisories(ctx)
		if err != nil {
			d.log.Warn("reading the advisory matches reported failed", zap.Error(err))
			return
		}
		d.ev.known = known
	}
	ms, err := d.inv.AdvisoryMatches(ctx)
	if err != nil {
		d.log.Warn("matching the inventory to the advisories failed", zap.Error(err))
		return
	}
	now := d.now()
	n := 0
	for _, m := range ms {
		byAdv := d.ev.known[m.AssetID]
		old, seen := byAdv[m.ID]
		if seen && (old == m.Verdict || old == string(advisory.Affected)) {
			continue
		}
		o := model.Observation{Kind: model.ObsEvent, Time: now, Key: m.Key,
			Event: &model.EventInfo{Type: model.EventAdvisoryMatch, NewValue: model.AdvisoryMatchValue(m.ID, m.Verdict)}}
		if ip, err := netip.ParseAddr(m.IP); err == nil {
			o.IP = ip
		}
		if seen {
			o.Event.OldValue = model.AdvisoryMatchValue(m.ID, old)
		}
		if err := d.db.Submit(ctx, o); err != nil {
			d.log.Warn("recording an advisory match failed", zap.Error(err))
			return
		}
		if byAdv == nil {
			byAdv = map[string]string{}
			d.ev.known[m.AssetID] = byAdv
		}
		byAdv[m.ID] = m.Verdict
		n++
	}
	if n > 0 {
		d.log.Info("devices newly matched to advisories", zap.Int("matches", n))
	}
}

// reportedAdvisories reads the advisory-match events recorded: asset id →
// advisory id → the strongest verdict reported.
func (d *daemon) reportedAdvisories(ctx context.Context) (map[int64]map[string]string, error) {
	evs, _, err := d.db.FindEvents(ctx, store.EventFilter{Type: model.EventAdvisoryMatch})
	if err != nil {
		return nil, err
	}
	known := map[int64]map[string]string{}
	for _, e := range evs {
		id, verdict, ok := model.ParseAdvisoryMatchValue(e.NewValue)
		if !ok || e.AssetID == 0 {
			continue
		}
		if known[e.AssetID] == nil {
			known[e.AssetID] = map[string]string{}
		}
		if known[e.AssetID][id] != string(advisory.Affected) {
			known[e.AssetID][id] = verdict
		}
	}
	return known, nil
}

// advisoryLoop sweeps every advisorySweepEvery, and at once after a
// reload (requestSweep), until ctx ends.
func (d *daemon) advisoryLoop(ctx context.Context) {
	t := time.NewTicker(advisorySweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.ev.sweepNow:
		}
		d.sweepAdvisories(ctx)
	}
}

// requestSweep asks advisoryLoop for a sweep now (new advisories after a
// reload), without waiting.
func (d *daemon) requestSweep() {
	select {
	case d.ev.sweepNow <- struct{}{}:
	default: // one is pending already
	}
}
