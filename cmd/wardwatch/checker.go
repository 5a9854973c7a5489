package main

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardwatch/wardwatch/exporter/siem"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/store"
)

// classLookup answers "what class (and AE title) has this asset" from
// memory; store.ClassIndex implements it.
type classLookup interface {
	Lookup(k model.AssetKey) (class model.Class, aeTitle string, ok bool)
}

// checker sits between the sensor and the store (it is the sensor's Sink):
// every flow report is checked against the segmentation policy, and flows
// that violate it become violation observations for the store, a metric and
// a SIEM event.
//
// A flow is evaluated when it is new and again only when the policy was
// reloaded or one of its ends changed class or AE title; verdicts are
// cached per flow (bounded). A DICOM flow whose client has no known AE title
// yet is held back until the association's A-ASSOCIATE-RQ names it (or for
// at most dicomWait of capture time), so AE-title zones apply to a device's
// very first association too.
type checker struct {
	db      *store.DB
	pol     *policy.Holder // nil policy inside: nothing is checked
	classes classLookup
	// onViolation is called once per newly flagged flow (both halves of a
	// routed flow count once).
	onViolation func(v *siem.Violation)

	mu       sync.Mutex
	cache    map[flowID]*verdictEntry
	reported map[violationID]struct{}
	aeByIP   map[ipKey]string
	pending  map[flowID]*model.Observation

	flagged atomic.Uint64
}

const (
	maxVerdictCache = 200000
	maxPending      = 10000
	dicomWait       = 10 * time.Second
)

// flowID matches the sensor's flow key (plus the frame MACs).
type flowID struct {
	vantage            string
	vlan               uint16
	client, server     [16]byte
	proto              uint8
	port               uint16
	clientMAC, srvrMAC model.MAC
}

type ipKey struct {
	vantage string
	ip      [16]byte
}

type verdictEntry struct {
	gen                uint64
	srcClass, dstClass model.Class
	srcAE, dstAE       string
	verdict            policy.Verdict
}

// violationID is what makes a violation "new" for the metric and the SIEM.
type violationID struct {
	vantage        string
	client, server [16]byte
	proto          uint8
	port           uint16
	rule           string
}

func newChecker(db *store.DB, pol *policy.Holder, classes classLookup, onViolation func(*siem.Violation)) *checker {
	return &checker{db: db, pol: pol, classes: classes, onViolation: onViolation,
		cache: map[flowID]*verdictEntry{}, reported: map[violationID]struct{}{},
		aeByIP: map[ipKey]string{}, pending: map[flowID]*model.Observation{}}
}

func (c *checker) Submit(ctx context.Context, o model.Observation) error {
	for _, v := range c.check(&o) {
		if err := c.db.Submit(ctx, v); err != nil {
			return err
		}
	}
	return c.db.Submit(ctx, o)
}

func (c *checker) TrySubmit(o model.Observation) bool {
	for _, v := range c.check(&o) {
		c.db.TrySubmit(v)
	}
	return c.db.TrySubmit(o)
}

// flush evaluates every held-back flow (at shutdown or end of replay).
func (c *checker) flush(ctx context.Context) {
	c.mu.Lock()
	var out []model.Observation
	for id, o := range c.pending {
		delete(c.pending, id)
		if v, ok := c.evaluate(id, o); ok {
			out = append(out, v)
		}
	}
	c.mu.Unlock()
	for _, v := range out {
		c.db.Submit(ctx, v)
	}
}

func (c *checker) check(o *model.Observation) []model.Observation {
	if c.pol == nil {
		return nil
	}
	switch o.Kind {
	case model.ObsDICOM:
		return c.dicomSeen(o)
	case model.ObsFlow:
	default:
		return nil
	}
	if o.Flow == nil {
		return nil
	}
	if p, _ := c.pol.Current(); p == nil {
		return nil
	}
	fl := o.Flow
	id := flowID{vantage: fl.Client.Vantage, vlan: fl.Client.VLAN, client: fl.ClientIP.As16(), server: fl.ServerIP.As16(),
		proto: fl.Proto, port: fl.Port, clientMAC: fl.Client.MAC, srvrMAC: fl.Server.MAC}
	c.mu.Lock()
	defer c.mu.Unlock()
	if fl.Service == "dicom" && c.cache[id] == nil {
		if first, held := c.pending[id]; held || c.aeOf(fl.Client.Vantage, id.client, fl.Client, fl.ClientLocal) == "" {
			if !held {
				if len(c.pending) >= maxPending {
					return c.evaluateOne(id, o) // bounded: no room to wait
				}
				cp := *o
				c.pending[id] = &cp
				return nil
			}
			if o.Time.Sub(first.Time) < dicomWait {
				return nil // still waiting for the association
			}
			delete(c.pending, id)
		}
	}
	return c.evaluateOne(id, o)
}

func (c *checker) evaluateOne(id flowID, o *model.Observation) []model.Observation {
	if v, ok := c.evaluate(id, o); ok {
		return []model.Observation{v}
	}
	return nil
}

// dicomSeen learns AE titles by address and releases held-back flows of
// that address.
func (c *checker) dicomSeen(o *model.Observation) []model.Observation {
	if o.DICOM == nil || o.DICOM.AETitle == "" || !o.IP.IsValid() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := ipKey{o.Key.Vantage, o.IP.As16()}
	if len(c.aeByIP) >= maxVerdictCache {
		clear(c.aeByIP)
	}
	c.aeByIP[k] = o.DICOM.AETitle
	var out []model.Observation
	for id, fo := range c.pending {
		if id.vantage == k.vantage && (id.client == k.ip || id.server == k.ip) && c.aeOf(id.vantage, id.client, fo.Flow.Client, fo.Flow.ClientLocal) != "" {
			delete(c.pending, id)
			if v, ok := c.evaluate(id, fo); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// aeOf is an end's AE title: from the class index when its MAC is its own,
// else from DICOM associations seen for its address.
func (c *checker) aeOf(vantage string, ip [16]byte, k model.AssetKey, local bool) string {
	if local && c.classes != nil {
		if _, ae, ok := c.classes.Lookup(k); ok && ae != "" {
			return ae
		}
	}
	return c.aeByIP[ipKey{vantage, ip}]
}

func (c *checker) endpoint(k model.AssetKey, ip [16]byte, is4, local bool) policy.Endpoint {
	e := policy.Endpoint{Vantage: k.Vantage, VLAN: k.VLAN, IP: addrFrom(ip, is4), Class: model.ClassUnknown}
	if local {
		// The frame's MAC is the end's own: its class is known.
		e.MAC = k.MAC
		if c.classes != nil {
			if cl, ae, ok := c.classes.Lookup(k); ok {
				if cl != "" {
					e.Class = cl
				}
				e.AETitle = ae
			}
		}
	}
	if e.AETitle == "" {
		e.AETitle = c.aeByIP[ipKey{k.Vantage, ip}]
	}
	return e
}

// evaluate checks one flow observation (c.mu held) and returns the
// violation observation to store when the flow breaks the policy.
func (c *checker) evaluate(id flowID, o *model.Observation) (model.Observation, bool) {
	p, gen := c.pol.Current()
	if p == nil {
		return model.Observation{}, false
	}
	fl := o.Flow
	is4 := fl.ClientIP.Is4()
	src := c.endpoint(fl.Client, id.client, is4, fl.ClientLocal)
	dst := c.endpoint(fl.Server, id.server, is4, fl.ServerLocal)

	e := c.cache[id]
	if e == nil || e.gen != gen || e.srcClass != src.Class || e.dstClass != dst.Class || e.srcAE != src.AETitle || e.dstAE != dst.AETitle {
		if e == nil {
			if len(c.cache) >= maxVerdictCache {
				clear(c.cache) // bounded: re-evaluating is cheap
			}
			e = &verdictEntry{}
			c.cache[id] = e
		}
		e.gen, e.srcClass, e.dstClass, e.srcAE, e.dstAE = gen, src.Class, dst.Class, src.AETitle, dst.AETitle
		e.verdict = p.Evaluate(&policy.Flow{Src: src, Dst: dst, Proto: fl.Proto, Port: fl.Port})
	}
	v := e.verdict
	if v.Action != policy.Alert {
		return model.Observation{}, false
	}
	vid := violationID{vantage: id.vantage, client: id.client, server: id.server, proto: id.proto, port: id.port, rule: v.Rule}
	if _, seen := c.reported[vid]; !seen {
		if len(c.reported) >= maxVerdictCache {
			clear(c.reported)
		}
		c.reported[vid] = struct{}{}
		c.flagged.Add(1)
		if c.onViolation != nil {
			c.onViolation(&siem.Violation{
				Time: o.Time, Rule: v.Rule, Severity: v.Severity, SrcZone: v.SrcZone, DstZone: v.DstZone,
				SrcClass: src.Class, DstClass: dst.Class, Vantage: fl.Client.Vantage, VLAN: fl.Client.VLAN,
				OuterVLAN: o.OuterVLAN, SrcMAC: src.MAC, DstMAC: dst.MAC,
				SrcIP: fl.ClientIP.String(), DstIP: fl.ServerIP.String(), Proto: fl.Proto, Port: fl.Port, Service: fl.Service,
			})
		}
	}
	vo := *o
	vo.Kind = model.ObsViolation
	vo.Violation = &model.ViolationInfo{Rule: v.Rule, SrcZone: v.SrcZone, DstZone: v.DstZone, Severity: v.Severity}
	return vo, true
}

func addrFrom(b [16]byte, is4 bool) netip.Addr {
	a := netip.AddrFrom16(b)
	if is4 {
		return a.Unmap()
	}
	return a
}
