package inventory

import (
	"context"
	"net/netip"

	"github.com/wardwatch/wardwatch/store"
)

// Violations returns the page of violations q selects.
func (s *Service) Violations(ctx context.Context, q ViolationQuery) (Page[ViolationRecord], error) {
	page := Page[ViolationRecord]{Limit: q.Limit, Offset: q.Offset}
	var err error
	page.Items, page.Total, err = s.violations(ctx, store.ViolationFilter{Rule: q.Rule, Severity: q.Severity,
		Zone: q.Zone, Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC, IP: q.IP, Since: q.SeenSince, FirstSince: q.NewSince,
		Limit: q.Limit, Offset: q.Offset, Desc: q.Desc, Chronological: true})
	return page, err
}

// violations returns the records of the violations f selects, with the
// hostnames of their ends, and how many match in all.
func (s *Service) violations(ctx context.Context, f store.ViolationFilter) ([]ViolationRecord, int, error) {
	vs, total, err := s.st.FindViolations(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var ends []int64
	for _, v := range vs {
		ends = append(ends, v.SrcAssetID, v.DstAssetID)
	}
	as, err := s.assetsByID(ctx, ends)
	if err != nil {
		return nil, 0, err
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
	return out, total, nil
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

// Flows returns the page of flows q selects.
func (s *Service) Flows(ctx context.Context, q FlowQuery) (Page[FlowRecord], error) {
	page := Page[FlowRecord]{Limit: q.Limit, Offset: q.Offset, Items: []FlowRecord{}}
	fs, total, err := s.st.FindFlows(ctx, store.FlowFilter{Since: q.SeenSince, IP: q.IP, MAC: q.MAC,
		Vantage: q.Vantage, VLAN: q.VLAN, Proto: q.Proto, Port: q.Port, Service: q.Service,
		Limit: q.Limit, Offset: q.Offset, Desc: q.Desc, Chronological: true})
	for i := range fs {
		page.Items = append(page.Items, flowRecord(&fs[i]))
	}
	page.Total = total
	return page, err
}

// Events returns the page of events q selects.
func (s *Service) Events(ctx context.Context, q EventQuery) (Page[EventRecord], error) {
	page := Page[EventRecord]{Limit: q.Limit, Offset: q.Offset, Items: []EventRecord{}}
	evs, total, err := s.st.FindEvents(ctx, store.EventFilter{Since: q.Since, Until: q.Until, Type: q.Type,
		Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC, IP: q.IP, Limit: q.Limit, Offset: q.Offset, Desc: q.Desc})
	for i := range evs {
		page.Items = append(page.Items, NewEventRecord(&evs[i]))
	}
	page.Total = total
	return page, err
}
