package store

// The flusher's cache of what classification reads: an asset's row
// (MAC, vendor, DHCP fields, current classification), its signals, its
// evidence rows and its flow facts. Every write to those goes through the
// flusher (writeAssets, writeSignals, classifyAsset, replaceEvidence, and
// writeFlows for the flows), so the flusher keeps the cache as the
// database is: classifying an asset again costs no read of what did not
// change. Before it, reading them back was most of a flush's time on a
// busy link (issue 11).

import (
	"cmp"
	"slices"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// factsRow is what sFactsAsset reads.
type factsRow struct {
	mac, vendor                   string
	randomized                    bool
	params, vendorClass, hostname string
	cur                           fingerprint.Result
}

// cachedSignal is one asset_signals row as sFactsSignals orders them.
type cachedSignal struct {
	source model.EvidenceSource
	value  string
	first  int64
}

func compareSignals(a, b cachedSignal) int {
	return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.source, b.source), cmp.Compare(a.value, b.value))
}

// evKey and evRow are an evidence row as replaceEvidence compares them.
type evKey struct {
	source      model.EvidenceSource
	value, rule string
}

type evRow struct {
	evKey
	strength, position int
	sets               string
}

// cachedEvidence is an evidence row with its first_seen.
type cachedEvidence struct {
	evRow
	first int64
}

// cachedFacts is one asset's entry; each part is nil (or its OK flag
// false) until read or known.
type cachedFacts struct {
	row      *factsRow
	signals  []cachedSignal
	sigOK    bool
	evidence []cachedEvidence
	evOK     bool
	flows    *flowFactsEntry
}

// factsCache holds at most max entries (a random eighth is dropped when it
// is full). It is the flusher's: a commit is its only user, one at a time.
// Flow facts are dropped when the writer reports the asset's flows changed
// (a new flow row it serves or routes, a new service on one, a new
// address: batch.flowsChanged and flowsChangedIPs) and when a client of it
// changes to or from a class the rules count (markServers); the whole
// cache when a commit fails (its entries may hold what was rolled back).
type factsCache struct {
	max int
	m   map[int64]*cachedFacts
}

// get returns the asset's entry, an empty one if it has none.
func (c *factsCache) get(id int64) *cachedFacts {
	if e := c.m[id]; e != nil {
		return e
	}
	if c.m == nil {
		c.m = make(map[int64]*cachedFacts)
	}
	if len(c.m) >= max(c.max, 1) {
		trimMap(c.m, 0, c.max-c.max/8, func(*cachedFacts) bool { return false })
	}
	e := &cachedFacts{}
	c.m[id] = e
	return e
}

// drop forgets the asset.
func (c *factsCache) drop(id int64) { delete(c.m, id) }

// reset forgets everything (a failed commit).
func (c *factsCache) reset() { clear(c.m) }

// inserted records a new asset as writeAssets inserted it: no signals,
// evidence or flows yet (those written by the same flush come after and
// update the entry or drop its flow facts).
func (c *factsCache) inserted(a *assetState) {
	mac, _, keyedBy := keyColumns(a.key)
	e := c.get(a.id)
	*e = cachedFacts{
		row: &factsRow{mac: mac, vendor: a.vendor, randomized: keyedBy == "mac" && a.key.MAC.IsLocal(),
			cur: fingerprint.Result{Class: model.ClassUnknown}},
		sigOK: true, evOK: true, flows: newFlowFacts(),
	}
	if a.dhcp {
		c.dhcp(a)
	}
}

// dhcp records the DHCP columns sAssetDHCP wrote.
func (c *factsCache) dhcp(a *assetState) {
	if e := c.m[a.id]; e != nil && e.row != nil {
		e.row.hostname, e.row.params, e.row.vendorClass = a.hostname, a.params, a.vendorClass
	}
}

// classified records the classification sClassSet wrote.
func (c *factsCache) classified(id int64, r *fingerprint.Result) {
	if e := c.m[id]; e != nil && e.row != nil {
		e.row.cur = fingerprint.Result{Class: r.Class, Confidence: r.Confidence, Strength: r.Strength,
			Manufacturer: r.Manufacturer, Model: r.Model, OS: r.OS, Modality: r.Modality, Version: r.Version}
	}
}

// signal records a signal row sSignalUpsert wrote (first is its first_seen
// after the upsert).
func (c *factsCache) signal(id int64, s cachedSignal) {
	e := c.m[id]
	if e == nil || !e.sigOK {
		return
	}
	if i := slices.IndexFunc(e.signals, func(x cachedSignal) bool { return x.source == s.source && x.value == s.value }); i >= 0 {
		e.signals[i].first = s.first
	} else {
		e.signals = append(e.signals, s)
	}
	slices.SortFunc(e.signals, compareSignals)
}

// applyFlows adds the flows rows f inserted to the cached flow facts of
// their servers and routers, and drops those it cannot follow: a routed
// client (its owner is looked up by address), a client whose class the
// cache does not know, a set grown past maxFlowFactsSize, and those of
// forgetFlows.
func (c *factsCache) applyFlows(f *flush) error {
	for i := range f.flows {
		s := &f.flows[i]
		if s.persisted {
			continue // counters and times (a new service: flowsChanged)
		}
		k := s.key
		if e := c.m[k.dst]; k.dst != 0 && e != nil && e.flows != nil {
			src := c.m[k.src]
			switch {
			case !s.srcLocal || src == nil || src.row == nil:
				e.flows = nil
			case !e.flows.addClient(flowPort{k.proto, k.port}, s.service, flowClient{k.src, ipText(k.srcIP)},
				flowOwner{k.src, src.row.cur.Class}):
				e.flows = nil
			}
		}
		if e := c.m[k.src]; !s.srcLocal && k.srcIP.IsValid() && e != nil && e.flows != nil {
			if !e.flows.addRouted(ipText(k.srcIP)) {
				e.flows = nil
			}
		}
	}
	return c.forgetFlows(f)
}

// forgetFlows drops the flow facts of the assets whose flows changed in f
// in ways applyFlows cannot follow.
func (c *factsCache) forgetFlows(f *flush) error {
	for id := range f.flowsChanged {
		if e := c.m[id]; e != nil {
			e.flows = nil
		}
	}
	for ip := range f.flowsChangedIPs {
		rows, err := f.stmt(sOwnersOfIP).QueryContext(f.ctx, ip.String())
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id                          int64
				vantage, mac, keyIP, source string
				vlan                        int
				first, last                 int64
			)
			if err := rows.Scan(&id, &vantage, &vlan, &mac, &keyIP, &source, &first, &last); err != nil {
				rows.Close()
				return err
			}
			if e := c.m[id]; e != nil {
				e.flows = nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// forgetFlowsOf drops one asset's flow facts.
func (c *factsCache) forgetFlowsOf(id int64) {
	if e := c.m[id]; e != nil {
		e.flows = nil
	}
}
