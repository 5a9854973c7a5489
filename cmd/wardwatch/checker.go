package main

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/wardwatch/wardwatch/exporter/siem"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/sensor/model"
	"github.com/wardwatch/wardwatch/store"
)

// classLookup answers "what class (and AE title) has this asset" from
// memory; store.ClassIndex implements it.
type classLookup interface {
	Lookup(k model.AssetKey) (class, aeTitle string, ok bool)
}

// checker sits between the sensor and the store (it is the sensor's Sink):
// every flow report is checked against the segmentation policy, and flows
// that violate it become violation observations for the store, a metric and
// a SIEM event. A flow is evaluated when it is new and again only when the
// policy was reloaded or one of its ends changed class; verdicts are cached
// per flow (bounded).
type checker struct {
	db      *store.DB
	pol     *policy.Holder // nil: no policy, nothing is checked
	classes classLookup
	// onViolation is called once per newly flagged flow.
	onViolation func(v *siem.Violation)

	mu    sync.Mutex
	cache map[flowID]*verdictEntry

	flagged atomic.Uint64
}

// flowID matches the sensor's flow key.
type flowID struct {
	vantage            string
	vlan               uint16
	client, server     [16]byte
	proto              uint8
	port               uint16
	clientMAC, srvrMAC model.MAC
}

type verdictEntry struct {
	gen                uint64
	srcClass, dstClass string
	verdict            policy.Verdict
	reported           bool
}

const maxVerdictCache = 200000

func newChecker(db *store.DB, pol *policy.Holder, classes classLookup, onViolation func(*siem.Violation)) *checker {
	return &checker{db: db, pol: pol, classes: classes, onViolation: onViolation, cache: map[flowID]*verdictEntry{}}
}

func (c *checker) Submit(ctx context.Context, o model.Observation) error {
	if v, ok := c.check(&o); ok {
		if err := c.db.Submit(ctx, v); err != nil {
			return err
		}
	}
	return c.db.Submit(ctx, o)
}

func (c *checker) TrySubmit(o model.Observation) bool {
	if v, ok := c.check(&o); ok {
		c.db.TrySubmit(v)
	}
	return c.db.TrySubmit(o)
}

func (c *checker) endpoint(k model.AssetKey, ip [16]byte, isV4 bool) policy.Endpoint {
	e := policy.Endpoint{Vantage: k.Vantage, VLAN: k.VLAN, MAC: k.MAC}
	e.IP = addrFrom(ip, isV4)
	if c.classes != nil {
		if cl, ae, ok := c.classes.Lookup(k); ok {
			e.Class, e.AETitle = cl, ae
		}
	}
	if e.Class == "" {
		e.Class = "unknown"
	}
	return e
}

// check evaluates a flow observation; it returns the violation observation
// to store when the flow breaks the policy.
func (c *checker) check(o *model.Observation) (model.Observation, bool) {
	if o.Kind != model.ObsFlow || o.Flow == nil || c.pol == nil {
		return model.Observation{}, false
	}
	p, gen := c.pol.Current()
	if p == nil {
		return model.Observation{}, false
	}
	fl := o.Flow
	id := flowID{vantage: fl.Client.Vantage, vlan: fl.Client.VLAN, client: fl.ClientIP.As16(), server: fl.ServerIP.As16(),
		proto: fl.Proto, port: fl.Port, clientMAC: fl.Client.MAC, srvrMAC: fl.Server.MAC}
	is4 := fl.ClientIP.Is4()
	src := c.endpoint(fl.Client, id.client, is4)
	if !fl.ClientLocal {
		src.MAC, src.Class, src.AETitle = model.MAC{}, "unknown", ""
	}
	dst := c.endpoint(fl.Server, id.server, is4)
	if !fl.ServerLocal {
		// The server MAC is a router's: the destination's class is not
		// known from this frame.
		dst.MAC, dst.Class, dst.AETitle = model.MAC{}, "unknown", ""
	}

	c.mu.Lock()
	e := c.cache[id]
	if e == nil || e.gen != gen || e.srcClass != src.Class || e.dstClass != dst.Class {
		if e == nil {
			if len(c.cache) >= maxVerdictCache {
				clear(c.cache) // bounded: re-evaluating is cheap
			}
			e = &verdictEntry{}
			c.cache[id] = e
		}
		e.gen, e.srcClass, e.dstClass = gen, src.Class, dst.Class
		e.verdict = p.Evaluate(&policy.Flow{Src: src, Dst: dst, Proto: fl.Proto, Port: fl.Port})
	}
	v := e.verdict
	first := v.Action == policy.Alert && !e.reported
	if first {
		e.reported = true
	}
	c.mu.Unlock()

	if v.Action != policy.Alert {
		return model.Observation{}, false
	}
	if first {
		c.flagged.Add(1)
		if c.onViolation != nil {
			c.onViolation(&siem.Violation{
				Time: o.Time, Rule: v.Rule, Severity: v.Severity, SrcZone: v.SrcZone, DstZone: v.DstZone,
				SrcClass: src.Class, DstClass: dst.Class, Vantage: fl.Client.Vantage, VLAN: fl.Client.VLAN,
				OuterVLAN: o.OuterVLAN, SrcMAC: fl.Client.MAC, DstMAC: fl.Server.MAC,
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
