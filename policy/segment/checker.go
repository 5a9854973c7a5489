package segment

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// Store is where the Checker passes every observation on, after the
// violation observations it adds: the inventory database (*store.DB).
type Store interface {
	Submit(ctx context.Context, o model.Observation) error
	TrySubmit(o model.Observation) bool
	// Flush waits until everything submitted before is committed.
	Flush(ctx context.Context) error
}

// Classes answers from memory which class and AE title an asset has, and
// whether it is in the inventory at all (store.ClassIndex). It must be
// current as of the store's last commit; the store calls
// Checker.Committed after each commit with the assets whose class or AE
// title changed.
type Classes interface {
	Lookup(k model.AssetKey) (class model.Class, aeTitle string, ok bool)
}

// Violation is a flow the policy newly flags, for the violation metric and
// the SIEM: the verdict and the two endpoints it was given for.
type Violation struct {
	Time      time.Time
	Verdict   policy.Verdict
	Src, Dst  policy.Endpoint
	Flow      *model.FlowInfo // the flow report (its totals when re-judged)
	OuterVLAN uint16
}

// Limits of the checker's memory.
const (
	// MaxVerdictCache bounds the cached verdicts (and the AE titles learned
	// by address, and the violations reported): when full they are dropped
	// and rebuilt, re-evaluating is cheap.
	MaxVerdictCache = 200000
	// MaxPending bounds the flows held back; a new flow finding it full is
	// judged at once.
	MaxPending = 10000
	// DICOMWait is how long (capture time) a DICOM flow waits for the
	// association that names its client's AE title.
	DICOMWait = 10 * time.Second
	// maxHeldReports bounds the reports kept per held flow; later ones are
	// added to the last.
	maxHeldReports = 16
)

// Checker is the live policy check, the sensor's Sink in front of the
// store: every flow report is judged against the segmentation policy in
// force, and a flow that breaks it becomes a violation observation for the
// store (before the report itself), a Violation for the metric and the
// SIEM (once per flow, rule and zones), and a count in Flagged.
//
// A flow's verdict does not depend on the order in which the sensor's
// facts reach the store:
//
//   - A new flow one of whose own-MAC ends is not in the inventory yet
//     (the store has not committed it, so its class is not settled) is
//     held back until it is, or until two commits have passed (a MAC that
//     never sent a frame never becomes an asset).
//   - A DICOM flow whose client has no known AE title yet is held back
//     until the association's A-ASSOCIATE-RQ names it, or for DICOMWait of
//     capture time, so AE-title zones apply to a device's first
//     association too.
//   - Verdicts are cached per flow (bounded) and judged again when the
//     policy was reloaded, when the store reports a new class or AE title
//     for one of the flow's ends (Committed), or when an association names
//     the AE title of one of its addresses. A flow that a change turns into
//     a violation is reported then, with its totals so far.
//
// Held flows are judged at the latest by Flush (end of a replay, shutdown).
// Endpoints are built by FlowEndpoints, as for `policy simulate`.
type Checker struct {
	st          Store
	seg         *Segmenter
	classes     Classes
	onViolation func(*Violation)

	mu       sync.Mutex
	cache    map[flowID]*verdictEntry
	byAsset  map[model.AssetKey][]*verdictEntry // cached flows by the asset keys of their ends
	byIP     map[ipKey][]*verdictEntry          // cached flows by the addresses of their ends
	reported map[violationID]struct{}
	aeByIP   map[ipKey]string
	pending  map[flowID]*heldFlow
	heldConv map[convID]int // held flows per conversation
	commits  uint64         // store commits seen (from notes)
	latest   time.Time      // latest capture time seen

	dirty atomic.Bool // notes has something
	notes struct {
		sync.Mutex
		commits uint64
		keys    map[model.AssetKey]struct{}
		all     bool // too many changes to list: re-judge every cached flow
	}

	flagged atomic.Uint64
}

// NewChecker returns a Checker judging flows under seg's policy, with
// classes as the inventory's class index, passing observations on to st.
// onViolation (may be nil) is called once per newly flagged flow, rule and
// zones; it runs on the sensor's goroutine and must not block for long.
func NewChecker(st Store, seg *Segmenter, classes Classes, onViolation func(*Violation)) *Checker {
	c := &Checker{st: st, seg: seg, classes: classes, onViolation: onViolation,
		cache: map[flowID]*verdictEntry{}, byAsset: map[model.AssetKey][]*verdictEntry{},
		byIP: map[ipKey][]*verdictEntry{}, reported: map[violationID]struct{}{},
		aeByIP: map[ipKey]string{}, pending: map[flowID]*heldFlow{}, heldConv: map[convID]int{}}
	c.notes.keys = map[model.AssetKey]struct{}{}
	return c
}

// flowID is the sensor's flow key plus the frames' MACs.
type flowID struct {
	vantage            string
	vlan               uint16
	client, server     [16]byte
	proto              uint8
	port               uint16
	clientMAC, srvrMAC model.MAC
}

func flowIDOf(f *model.FlowInfo) flowID {
	return flowID{vantage: f.Client.Vantage, vlan: f.Client.VLAN, client: f.ClientIP.As16(), server: f.ServerIP.As16(),
		proto: f.Proto, port: f.Port, clientMAC: f.Client.MAC, srvrMAC: f.Server.MAC}
}

type ipKey struct {
	vantage string
	ip      [16]byte
}

// verdictEntry is a judged flow: its latest report (with the flow's totals
// since it was cached) and the verdict with what it was given for.
type verdictEntry struct {
	key   model.AssetKey // the reports' observation key
	outer uint16
	flow  model.FlowInfo // latest report's ends and service; counters: totals; First: first report's
	last  time.Time      // latest report's time

	judged             bool
	gen                uint64
	srcClass, dstClass model.Class
	srcAE, dstAE       string
	verdict            policy.Verdict
}

// heldFlow is a new flow held back, with its reports so far.
type heldFlow struct {
	reports   []model.Observation // Flow copied
	first     time.Time           // capture time of the first report
	waitAE    bool                // DICOM: waiting for the client's AE title
	waitClass bool                // waiting for its ends to be in the inventory
	waitCopy  bool                // another copy of the conversation was held first: judged after it
	commit    uint64              // store commits seen when it was held
}

// violationID is what makes a violation "new" for the metric and the SIEM:
// both halves of a routed flow count once.
type violationID struct {
	vantage        string
	client, server [16]byte
	proto          uint8
	port           uint16
	rule           string
}

// Submit checks o, submits the violation observations it gives, then o.
func (c *Checker) Submit(ctx context.Context, o model.Observation) error {
	for _, v := range c.check(&o) {
		if err := c.st.Submit(ctx, v); err != nil {
			return err
		}
	}
	return c.st.Submit(ctx, o)
}

// TrySubmit is Submit that never blocks (live capture): what the store's
// queue has no room for is dropped and counted there.
func (c *Checker) TrySubmit(o model.Observation) bool {
	for _, v := range c.check(&o) {
		c.st.TrySubmit(v)
	}
	return c.st.TrySubmit(o)
}

// Flagged returns how many flows were flagged (reported as Violations).
func (c *Checker) Flagged() uint64 { return c.flagged.Load() }

// Committed is the store's notice that a batch was committed; changed are
// the assets whose class or AE title it changed. It only takes note (it
// runs on the store's writer and must not wait for it): the flows are
// judged again on the sensor's next observation, or by Flush.
func (c *Checker) Committed(changed []model.AssetKey) {
	n := &c.notes
	n.Lock()
	n.commits++
	for _, k := range changed {
		if len(n.keys) >= MaxPending {
			n.all = true
			clear(n.keys)
			break
		}
		if !n.all {
			n.keys[normKey(k)] = struct{}{}
		}
	}
	n.Unlock()
	c.dirty.Store(true)
}

// Flush commits what was submitted (so the class index is current), judges
// every held flow and every flow a change touched, and submits the
// violations that gives. Call it when capture has stopped (end of a
// replay, shutdown), before closing the store.
func (c *Checker) Flush(ctx context.Context) error {
	ferr := c.st.Flush(ctx)
	p, gen := c.seg.Current()
	c.mu.Lock()
	out := c.settle(p, gen, nil)
	out = c.releaseWhere(p, gen, out, func(flowID, *heldFlow) bool { return true })
	c.mu.Unlock()
	for _, v := range out {
		if err := c.st.Submit(ctx, v); err != nil {
			return err
		}
	}
	return ferr
}

func (c *Checker) check(o *model.Observation) []model.Observation {
	dirty := c.dirty.Load()
	if o.Kind != model.ObsFlow && o.Kind != model.ObsDICOM && !dirty {
		return nil
	}
	p, gen := c.seg.Current()
	if p == nil {
		if dirty {
			c.takeNotes() // nothing to judge
		}
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.Time.After(c.latest) {
		c.latest = o.Time
	}
	var out []model.Observation
	if dirty {
		out = c.settle(p, gen, out)
	}
	switch o.Kind {
	case model.ObsDICOM:
		out = c.dicomSeen(p, gen, o, out)
	case model.ObsFlow:
		if o.Flow != nil {
			out = c.flowSeen(p, gen, o, out)
		}
	}
	return out
}

// flowSeen judges a flow report (c.mu held).
func (c *Checker) flowSeen(p *policy.Policy, gen uint64, o *model.Observation, out []model.Observation) []model.Observation {
	fl := o.Flow
	id := flowIDOf(fl)
	if e := c.cache[id]; e != nil {
		e.add(o)
		return c.judge(p, gen, e, o, out)
	}
	if h := c.pending[id]; h != nil {
		h.add(o)
		if !c.ready(h) {
			return out
		}
		if cv := convOf(id); c.heldConv[cv] == 1 { // no other copy held: no need to look for one
			delete(c.pending, id)
			delete(c.heldConv, cv)
			return c.release(p, gen, h, out)
		}
		return c.releaseWhere(p, gen, out, func(hid flowID, _ *heldFlow) bool { return hid == id })
	}
	h := &heldFlow{first: o.Time, commit: c.commits,
		waitAE:    fl.Service == "dicom" && c.aeOf(fl.Client, fl.ClientIP, fl.ClientLocal) == "",
		waitClass: !c.settled(fl),
		waitCopy:  c.heldConv[convOf(id)] > 0}
	h.add(o)
	if (h.waitAE || h.waitClass || h.waitCopy) && len(c.pending) < MaxPending {
		c.pending[id] = h
		c.heldConv[convOf(id)]++
		return out
	}
	h.waitClass = false // judged at once, on what is known
	return c.release(p, gen, h, out)
}

// convID is a conversation: the copies of a routed flow (one per VLAN it
// crosses) share it.
type convID struct {
	vantage        string
	client, server [16]byte
	proto          uint8
	port           uint16
}

func convOf(id flowID) convID {
	return convID{vantage: id.vantage, client: id.client, server: id.server, proto: id.proto, port: id.port}
}

func (h *heldFlow) add(o *model.Observation) {
	cp := *o
	f := *o.Flow
	cp.Flow = &f
	if n := len(h.reports); n >= maxHeldReports {
		last := h.reports[n-1].Flow
		last.Packets += f.Packets
		last.Bytes += f.Bytes
		last.Connections += f.Connections
		h.reports[n-1].Time = o.Time
		return
	}
	h.reports = append(h.reports, cp)
}

// ready reports whether a held flow may be judged now.
func (c *Checker) ready(h *heldFlow) bool {
	f := h.reports[0].Flow
	if h.waitAE && c.aeOf(f.Client, f.ClientIP, f.ClientLocal) == "" && c.latest.Sub(h.first) < DICOMWait {
		return false
	}
	if h.waitClass && c.commits < h.commit+2 && !c.settled(f) {
		return false
	}
	// A later copy goes with the first (releaseWhere), or at Flush.
	return !h.waitCopy || h.waitAE || h.waitClass
}

// settled reports whether the flow's ends are in the inventory: the
// own-MAC ones, whose class counts, and the client's MAC even when it is a
// router's (the store records no flow for a client MAC that is no device).
func (c *Checker) settled(f *model.FlowInfo) bool {
	if c.classes == nil {
		return true
	}
	return c.known(f.Client) && (!f.ServerLocal || c.known(f.Server))
}

func (c *Checker) known(k model.AssetKey) bool {
	_, _, ok := c.classes.Lookup(k)
	return ok
}

// release judges a held flow: one violation observation per held report
// when it breaks the policy. A flow held for its ends whose client MAC is
// still no device and not its own (a MAC that only received frames, on an
// asymmetric SPAN) is not judged: the store records neither the flow nor a
// violation of it.
func (c *Checker) release(p *policy.Policy, gen uint64, h *heldFlow, out []model.Observation) []model.Observation {
	f := h.reports[0].Flow
	if p == nil || h.waitClass && !f.ClientLocal && c.classes != nil && !c.known(f.Client) {
		return out
	}
	e, created := c.entry(&h.reports[0])
	for i := range h.reports {
		if i > 0 || !created {
			e.add(&h.reports[i])
		}
	}
	for i := range h.reports {
		out = c.judge(p, gen, e, &h.reports[i], out)
	}
	return out
}

// entry returns the cache entry of the flow of report o, creating it from
// o if there is none.
func (c *Checker) entry(o *model.Observation) (e *verdictEntry, created bool) {
	id := flowIDOf(o.Flow)
	if e := c.cache[id]; e != nil {
		return e, false
	}
	if len(c.cache) >= MaxVerdictCache {
		// Bounded: re-evaluating is cheap.
		clear(c.cache)
		clear(c.byAsset)
		clear(c.byIP)
	}
	e = &verdictEntry{key: o.Key, outer: o.OuterVLAN, flow: *o.Flow, last: o.Time}
	if e.flow.First.IsZero() {
		e.flow.First = o.First
	}
	c.cache[id] = e
	fl := &e.flow
	for _, k := range []model.AssetKey{normKey(fl.Client), normKey(fl.Server)} {
		c.byAsset[k] = append(c.byAsset[k], e)
	}
	for _, ip := range []netip.Addr{fl.ClientIP, fl.ServerIP} {
		k := ipKey{fl.Client.Vantage, ip.As16()}
		c.byIP[k] = append(c.byIP[k], e)
	}
	return e, true
}

// add folds a later report of the flow into e.
func (e *verdictEntry) add(o *model.Observation) {
	f := o.Flow
	packets, nbytes, conns := e.flow.Packets+f.Packets, e.flow.Bytes+f.Bytes, e.flow.Connections+f.Connections
	first := e.flow.First
	e.flow = *f
	e.flow.Packets, e.flow.Bytes, e.flow.Connections, e.flow.First = packets, nbytes, conns, first
	e.key, e.outer = o.Key, o.OuterVLAN
	if o.Time.After(e.last) {
		e.last = o.Time
	}
}

// endpoints builds the policy endpoints of a flow from what the class
// index and the associations seen say about its ends.
func (c *Checker) endpoints(f *model.FlowInfo) (src, dst policy.Endpoint) {
	cf, sf := c.facts(f.Client, f.ClientIP, f.ClientLocal), c.facts(f.Server, f.ServerIP, f.ServerLocal)
	return FlowEndpoints(f, &cf, &sf)
}

func (c *Checker) facts(k model.AssetKey, ip netip.Addr, local bool) model.EndFacts {
	var x model.EndFacts
	if local && c.classes != nil {
		x.Class, x.AETitle, x.Known = c.classes.Lookup(k)
	}
	x.IPAETitle = c.aeByIP[ipKey{k.Vantage, ip.As16()}]
	return x
}

// aeOf is an end's AE title as FlowEndpoints would find it.
func (c *Checker) aeOf(k model.AssetKey, ip netip.Addr, local bool) string {
	x := c.facts(k, ip, local)
	if x.Known && x.AETitle != "" {
		return x.AETitle
	}
	return x.IPAETitle
}

// judge evaluates e (again, if the policy or an end changed since) and,
// for a report o that breaks the policy, appends its violation
// observation. With o nil (a re-judgement after a change) it appends one,
// with the flow's totals, only when the verdict newly flags the flow.
func (c *Checker) judge(p *policy.Policy, gen uint64, e *verdictEntry, o *model.Observation, out []model.Observation) []model.Observation {
	src, dst := c.endpoints(&e.flow)
	old, wasJudged := e.verdict, e.judged
	if !e.judged || e.gen != gen || e.srcClass != src.Class || e.dstClass != dst.Class || e.srcAE != src.AETitle || e.dstAE != dst.AETitle {
		e.judged, e.gen, e.srcClass, e.dstClass, e.srcAE, e.dstAE = true, gen, src.Class, dst.Class, src.AETitle, dst.AETitle
		e.verdict = p.Evaluate(&policy.Flow{Src: src, Dst: dst, Proto: e.flow.Proto, Port: e.flow.Port})
	}
	v := e.verdict
	if v.Action != policy.Alert {
		return out
	}
	var vo model.Observation
	if o != nil {
		vo = *o
	} else {
		if wasJudged && old == v {
			return out // flagged already
		}
		f := e.flow
		vo = model.Observation{Kind: model.ObsFlow, Time: e.last, First: f.First, Key: e.key, OuterVLAN: e.outer, Flow: &f}
	}
	c.report(&vo, &v, src, dst)
	vo.Kind = model.ObsViolation
	vo.Violation = &model.ViolationInfo{Rule: v.Rule, SrcZone: v.SrcZone, DstZone: v.DstZone, Severity: v.Severity}
	return append(out, vo)
}

// report counts a violation and tells onViolation, once per flow (both
// halves of a routed flow) and rule.
func (c *Checker) report(o *model.Observation, v *policy.Verdict, src, dst policy.Endpoint) {
	fl := o.Flow
	vid := violationID{vantage: fl.Client.Vantage, client: fl.ClientIP.As16(), server: fl.ServerIP.As16(),
		proto: fl.Proto, port: fl.Port, rule: v.Rule}
	if _, seen := c.reported[vid]; seen {
		return
	}
	if len(c.reported) >= MaxVerdictCache {
		clear(c.reported)
	}
	c.reported[vid] = struct{}{}
	c.flagged.Add(1)
	if c.onViolation != nil {
		c.onViolation(&Violation{Time: o.Time, Verdict: *v, Src: src, Dst: dst, Flow: fl, OuterVLAN: o.OuterVLAN})
	}
}

// dicomSeen learns an AE title by address, judges again the cached flows
// of that address and releases the held ones it completes (c.mu held).
func (c *Checker) dicomSeen(p *policy.Policy, gen uint64, o *model.Observation, out []model.Observation) []model.Observation {
	if o.DICOM == nil || !o.IP.IsValid() {
		return out
	}
	ae := trimAE(o.DICOM.AETitle)
	if ae == "" {
		return out
	}
	k := ipKey{o.Key.Vantage, o.IP.As16()}
	if c.aeByIP[k] != ae {
		if len(c.aeByIP) >= MaxVerdictCache {
			clear(c.aeByIP)
		}
		c.aeByIP[k] = ae
		for _, e := range c.byIP[k] {
			out = c.judge(p, gen, e, nil, out)
		}
	}
	return c.releaseWhere(p, gen, out, func(id flowID, h *heldFlow) bool {
		return id.vantage == k.vantage && (id.client == k.ip || id.server == k.ip) && c.ready(h)
	})
}

// takeNotes returns and clears what the store noted.
func (c *Checker) takeNotes() (commits uint64, keys map[model.AssetKey]struct{}, all bool) {
	n := &c.notes
	n.Lock()
	defer n.Unlock()
	c.dirty.Store(false)
	commits, all = n.commits, n.all
	if len(n.keys) > 0 {
		// Hand the map over: Committed (on the store's writer) goes on
		// adding to a new one while the caller reads this one. An empty
		// map stays (nil is returned), never shared with the caller.
		keys = n.keys
		n.keys = map[model.AssetKey]struct{}{}
	}
	n.all = false
	return commits, keys, all
}

// settle acts on the store's notes (c.mu held): it judges again the cached
// flows of the assets whose class or AE title changed, and releases the
// held flows that are ready.
func (c *Checker) settle(p *policy.Policy, gen uint64, out []model.Observation) []model.Observation {
	commits, keys, all := c.takeNotes()
	c.commits = commits
	if p == nil {
		return out
	}
	if all {
		for _, e := range c.cache {
			out = c.judge(p, gen, e, nil, out)
		}
	} else {
		for k := range keys {
			for _, e := range c.byAsset[k] {
				out = c.judge(p, gen, e, nil, out)
			}
		}
	}
	return c.releaseWhere(p, gen, out, func(_ flowID, h *heldFlow) bool { return c.ready(h) })
}

// releaseWhere judges the held flows ok selects, and the other copies of
// their conversations, in the order they were first seen: the copy of a routed flow seen on the client's own VLAN
// first (with its client's MAC, class and AE title), as live capture sees
// it, so that the flow's Violation (reported once) names the client's
// class. Ties go to the flow whose client MAC is its own.
func (c *Checker) releaseWhere(p *policy.Policy, gen uint64, out []model.Observation, ok func(flowID, *heldFlow) bool) []model.Observation {
	var ready []*heldFlow
	convs := map[convID]bool{}
	for id, h := range c.pending {
		if ok(id, h) {
			convs[convOf(id)] = true
		}
	}
	if len(convs) == 0 {
		return out
	}
	for id, h := range c.pending {
		if cv := convOf(id); convs[cv] { // with the other copies of its conversation
			delete(c.pending, id)
			if c.heldConv[cv]--; c.heldConv[cv] <= 0 {
				delete(c.heldConv, cv)
			}
			ready = append(ready, h)
		}
	}
	slices.SortFunc(ready, func(a, b *heldFlow) int {
		if c := a.first.Compare(b.first); c != 0 {
			return c
		}
		fa, fb := a.reports[0].Flow, b.reports[0].Flow
		if fa.ClientLocal != fb.ClientLocal {
			if fa.ClientLocal {
				return -1
			}
			return 1
		}
		return cmp.Compare(fa.Client.VLAN, fb.Client.VLAN)
	})
	for _, h := range ready {
		out = c.release(p, gen, h, out)
	}
	return out
}

// normKey is an asset key as the inventory keys assets: by MAC (the IP
// ignored), or by an unmapped IP when keyed by IP.
func normKey(k model.AssetKey) model.AssetKey {
	if !k.MAC.IsZero() {
		k.IP = netip.Addr{}
	} else {
		k.IP = k.IP.Unmap()
	}
	return k
}
