package inventory

import (
	"context"
	"net/netip"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// Every list comes two ways: a page (Violations, Flows, Events, Assets:
// the JSON API, the web page, the CLI) and a cursor (Each*: the CSV
// exports), which hands the records over in chunks read from one store
// cursor, so that an export of the whole inventory never holds it in
// memory. Both turn store rows into records with the same function.

// findPage is a page of records: the store rows find returns for f, made
// records by conv.
func findPage[F, X, R any](ctx context.Context, find func(context.Context, F) ([]X, int, error), f F,
	conv func(context.Context, []X) ([]R, error), limit, offset int) (Page[R], error) {
	page := Page[R]{Limit: limit, Offset: offset, Items: []R{}}
	xs, total, err := find(ctx, f)
	if err != nil {
		return page, err
	}
	items, err := conv(ctx, xs)
	if err != nil {
		return page, err
	}
	page.Items, page.Total = append(page.Items, items...), total
	return page, nil
}

// eachChunk calls fn with the records of the store rows each reads for f,
// chunk by chunk, made records by conv; it returns how many there were.
func eachChunk[F, X, R any](ctx context.Context, each func(context.Context, F, int, func(context.Context, []X) error) error,
	f F, conv func(context.Context, []X) ([]R, error), fn func([]R) error) (int, error) {
	n := 0
	err := each(ctx, f, 0, func(ctx context.Context, xs []X) error {
		recs, err := conv(ctx, xs)
		if err != nil {
			return err
		}
		n += len(recs)
		return fn(recs)
	})
	return n, err
}

func violationFilter(q *ViolationQuery) store.ViolationFilter {
	return store.ViolationFilter{Sensor: q.Sensor, Site: q.Site, Rule: q.Rule, Severity: q.Severity, Zone: q.Zone, SrcZone: q.SrcZone, DstZone: q.DstZone,
		Vantage: q.Vantage, VLAN: q.VLAN,
		MAC: q.MAC, IP: q.IP, Since: q.SeenSince, FirstSince: q.NewSince, Limit: q.Limit, Offset: q.Offset, Desc: q.Desc,
		Chronological: true}
}

// Violations returns the page of violations q selects.
func (s *Service) Violations(ctx context.Context, q ViolationQuery) (Page[ViolationRecord], error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return Page[ViolationRecord]{Limit: q.Limit, Offset: q.Offset, Items: []ViolationRecord{}}, err
	}
	return findPage(ctx, s.st.FindViolations, violationFilter(&q), s.violationRecords, q.Limit, q.Offset)
}

// EachViolation calls fn with the violations q selects, in chunks, and
// returns how many there were.
func (s *Service) EachViolation(ctx context.Context, q ViolationQuery, fn func([]ViolationRecord) error) (int, error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return 0, err
	}
	return eachChunk(ctx, s.st.EachViolation, violationFilter(&q), s.violationRecords, fn)
}

// violationRecords returns the records of vs, with the hostnames of their
// ends.
func (s *Service) violationRecords(ctx context.Context, vs []store.Violation) ([]ViolationRecord, error) {
	ends := make([]int64, 0, 2*len(vs))
	for _, v := range vs {
		ends = append(ends, v.SrcAssetID, v.DstAssetID)
	}
	as, err := s.assetsByID(ctx, ends)
	if err != nil {
		return nil, err
	}
	hosts := make(map[int64]string, len(as))
	for id, a := range as {
		hosts[id] = a.Hostname
	}
	out := make([]ViolationRecord, 0, len(vs))
	for i := range vs {
		r := violationRecord(&vs[i], hosts)
		if a := as[vs[i].SrcAssetID]; a != nil && routedFrom(a, vs[i].SrcIP) {
			r.SrcMAC, r.SrcHostname = "", "" // the frames carried the router's MAC
		}
		out = append(out, r)
	}
	return out, nil
}

// routedFrom reports whether a flow from ip that the store attributed to
// asset a came through a router: a is MAC-keyed, known by other addresses
// and not by ip. (Flows keep the sensor's verdict in src_local; violations
// do not, so it is inferred the same way the sensor decides it.)
func routedFrom(a *store.AssetDetail, ip netip.Addr) bool {
	if !ip.IsValid() || a.Key.KeyedByIP() || len(a.Addresses) == 0 {
		return false
	}
	for _, ad := range a.Addresses {
		if ad.IP == ip {
			return false
		}
	}
	return true
}

func flowFilter(q *FlowQuery) store.FlowFilter {
	return store.FlowFilter{Sensor: q.Sensor, Site: q.Site, Since: q.SeenSince, IP: q.IP, MAC: q.MAC, Vantage: q.Vantage, VLAN: q.VLAN, Proto: q.Proto,
		Port: q.Port, Service: q.Service, Merge: true, Limit: q.Limit, Offset: q.Offset, Desc: q.Desc, Chronological: true}
}

// Flows returns the page of flows q selects, the two copies of a routed
// flow as one.
func (s *Service) Flows(ctx context.Context, q FlowQuery) (Page[FlowRecord], error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return Page[FlowRecord]{Limit: q.Limit, Offset: q.Offset, Items: []FlowRecord{}}, err
	}
	return findPage(ctx, s.st.FindFlows, flowFilter(&q), s.flowRecords, q.Limit, q.Offset)
}

// EachFlow calls fn with the flows q selects, in chunks, and returns how
// many there were.
func (s *Service) EachFlow(ctx context.Context, q FlowQuery, fn func([]FlowRecord) error) (int, error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return 0, err
	}
	return eachChunk(ctx, s.st.EachFlow, flowFilter(&q), s.flowRecords, fn)
}

// flowRecords returns the records of fs, with the names, classes and
// zones of their ends.
func (s *Service) flowRecords(ctx context.Context, fs []store.Flow) ([]FlowRecord, error) {
	ends := make([]int64, 0, 2*len(fs))
	for i := range fs {
		ends = append(ends, srcAsset(&fs[i]), fs[i].DstAssetID)
	}
	as, err := s.assetsByID(ctx, ends)
	if err != nil {
		return nil, err
	}
	out := make([]FlowRecord, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		r := flowRecord(f)
		r.SrcHostname, r.SrcClass, r.SrcZone = s.end(as[srcAsset(f)], f.Vantage, f.VLAN, f.SrcIP)
		r.DstHostname, r.DstClass, r.DstZone = s.end(as[f.DstAssetID], f.Vantage, f.VLAN, f.DstIP)
		out = append(out, r)
	}
	return out, nil
}

// srcAsset is the asset of a flow's client: 0 when the frames carried a
// router's MAC (the client is off-link).
func srcAsset(f *store.Flow) int64 {
	if f.SrcLocal {
		return f.SrcAssetID
	}
	return 0
}

// end describes a flow end: its asset's hostname, class and zone, or, for
// an end known only by its address (nil a), its zone by that address as
// seen on the flow's vantage and VLAN (policy/segment judges such an end
// the same way).
func (s *Service) end(a *store.AssetDetail, vantage string, vlan uint16, ip netip.Addr) (host string, class model.Class, zone string) {
	if a != nil {
		return a.Hostname, a.Class.OrUnknown(), s.zones.Zone(&a.Asset)
	}
	if !ip.IsValid() {
		return "", "", ""
	}
	return "", "", s.zones.Zone(&model.Asset{Key: model.AssetKey{Vantage: vantage, VLAN: vlan, IP: ip}})
}

func eventFilter(q *EventQuery) store.EventFilter {
	return store.EventFilter{Sensor: q.Sensor, Site: q.Site, Since: q.Since, Until: q.Until, Type: q.Type, Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC,
		IP: q.IP, Limit: q.Limit, Offset: q.Offset, Desc: q.Desc}
}

// Events returns the page of events q selects.
func (s *Service) Events(ctx context.Context, q EventQuery) (Page[EventRecord], error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return Page[EventRecord]{Limit: q.Limit, Offset: q.Offset, Items: []EventRecord{}}, err
	}
	return findPage(ctx, s.st.FindEvents, eventFilter(&q), s.eventRecords, q.Limit, q.Offset)
}

// EachEvent calls fn with the events q selects, in chunks, and returns
// how many there were.
func (s *Service) EachEvent(ctx context.Context, q EventQuery, fn func([]EventRecord) error) (int, error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return 0, err
	}
	return eachChunk(ctx, s.st.EachEvent, eventFilter(&q), s.eventRecords, fn)
}

// eventRecords returns the records of evs, with their devices' hostnames.
func (s *Service) eventRecords(ctx context.Context, evs []model.Event) ([]EventRecord, error) {
	ids := make([]int64, len(evs))
	for i := range evs {
		ids[i] = evs[i].AssetID
	}
	as, err := s.assetsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]EventRecord, 0, len(evs))
	for i := range evs {
		r := NewEventRecord(&evs[i])
		if a := as[evs[i].AssetID]; a != nil {
			r.Hostname = a.Hostname
		}
		out = append(out, r)
	}
	return out, nil
}
