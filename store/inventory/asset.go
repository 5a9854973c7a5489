package inventory

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// ErrNotFound is returned by Asset for a reference nothing matches.
var ErrNotFound = errors.New("no such asset")

// maxOtherMatches bounds AssetDetailRecord.OtherMatches.
const maxOtherMatches = 50

// Asset returns everything known about the asset ref (a MAC or IP address)
// names, narrowed by rq. Several matches: the one seen last, the others in
// OtherMatches. None: ErrNotFound.
func (s *Service) Asset(ctx context.Context, ref string, rq AssetRefQuery) (*AssetDetailRecord, error) {
	mac, ip, err := ParseAssetRef(ref)
	if err != nil {
		return nil, err
	}
	if err := s.checkFleet(rq.Sensor, rq.Site); err != nil {
		return nil, err
	}
	matches, _, err := s.st.FindAssets(ctx, store.AssetFilter{MAC: mac, IP: ip, Sensor: rq.Sensor, Site: rq.Site,
		Vantage: rq.Vantage, VLAN: rq.VLAN,
		Sort: store.AssetSort{By: "last_seen", Desc: true}, Limit: 1 + maxOtherMatches})
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, ErrNotFound
	}
	a := &matches[0]
	names, err := s.st.AssetNames(ctx, []int64{a.ID})
	if err != nil {
		return nil, err
	}
	probed, err := s.probed(ctx, matches[:1])
	if err != nil {
		return nil, err
	}
	d := s.newDetail(a, names[a.ID], probed[a.ID], matches[1:], s.now())
	for _, fill := range []func(context.Context, *AssetDetailRecord, int64) error{
		s.fillEvidence, s.fillHostnames, s.fillSignals, s.fillDICOM, s.fillHL7, s.fillPeers, s.fillViolations, s.fillEvents,
	} {
		if err := fill(ctx, d, a.ID); err != nil {
			return nil, err
		}
	}
	if err := s.fillAdvisories(ctx, d, a, names[a.ID]); err != nil {
		return nil, err
	}
	return d, nil
}

// newDetail is the detail of a from its row alone: the lists the fill
// methods add to are empty.
func (s *Service) newDetail(a *store.AssetDetail, names store.AssetNames, probed time.Time, others []store.AssetDetail,
	now time.Time) *AssetDetailRecord {
	d := &AssetDetailRecord{
		Asset: s.assetRecord(a, names, probed, now),
		Classification: ClassificationRecord{
			Class: a.Class.OrUnknown(), Confidence: a.ClassConfidence, Strength: a.ClassStrength, Modality: a.Modality,
			Manufacturer: a.Manufacturer, Model: a.Model, Version: a.Version, OS: a.OS, ChangedAt: RFC3339(a.ClassChangedAt),
			Evidence: []EvidenceRecord{},
		},
		DHCP: DHCPRecord{ParamList: a.DHCPParamList, MaxMsgSize: a.DHCPMaxMsgSize, VendorClass: a.DHCPVendorClass,
			ClientID: a.DHCPClientID},
		Addresses: []AddressRecord{}, Hostnames: []HostnameRecord{}, Signals: []SignalRecord{}, DICOM: []DICOMRecord{},
		HL7:   []HL7Record{},
		Peers: []PeerRecord{}, Violations: []ViolationRecord{}, Events: []EventRecord{},
		OtherMatches: []AssetRefRecord{}, Advisories: []AssetAdvisoryRecord{},
	}
	for i := range others {
		d.OtherMatches = append(d.OtherMatches, refRecord(&others[i]))
	}
	for _, ad := range a.Addresses {
		d.Addresses = append(d.Addresses, AddressRecord{IP: ad.IP.String(), Source: ad.Source,
			FirstSeen: RFC3339(ad.FirstSeen), LastSeen: RFC3339(ad.LastSeen)})
	}
	return d
}

func refRecord(a *store.AssetDetail) AssetRefRecord {
	return AssetRefRecord{Sensor: a.Sensor, Site: a.Site, Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, MAC: macOf(a.Key), Hostname: a.Hostname,
		Class: a.Class.OrUnknown(), LastSeen: RFC3339(a.LastSeen), IP: ipOf(refIP(&a.Asset))}
}

// refIP is the address an asset reference shows: the key IP of an asset
// keyed by IP, else its first IPv4 address, else its first address.
func refIP(a *model.Asset) netip.Addr {
	if a.Key.KeyedByIP() || len(a.Addresses) == 0 {
		return a.Key.IP
	}
	i := slices.IndexFunc(a.Addresses, func(ad model.AssetAddress) bool { return ad.IP.Is4() })
	return a.Addresses[max(i, 0)].IP
}

func (s *Service) fillEvidence(ctx context.Context, d *AssetDetailRecord, id int64) error {
	ev, err := s.st.Evidence(ctx, id)
	for _, e := range ev {
		d.Classification.Evidence = append(d.Classification.Evidence, EvidenceRecord{Source: e.Source, Value: e.Value,
			Rule: e.Rule, Strength: e.Strength, FirstSeen: RFC3339(e.FirstSeen), LastSeen: RFC3339(e.LastSeen)})
	}
	return err
}

func (s *Service) fillHostnames(ctx context.Context, d *AssetDetailRecord, id int64) error {
	hs, err := s.st.Hostnames(ctx, id)
	for _, h := range hs {
		d.Hostnames = append(d.Hostnames, HostnameRecord{Name: h.Name, Source: h.Source,
			FirstSeen: RFC3339(h.FirstSeen), LastSeen: RFC3339(h.LastSeen)})
	}
	return err
}

func (s *Service) fillSignals(ctx context.Context, d *AssetDetailRecord, id int64) error {
	sg, err := s.st.Signals(ctx, id)
	for _, x := range sg {
		d.Signals = append(d.Signals, SignalRecord{Source: x.Source, Value: x.Value, Reports: x.Reports,
			FirstSeen: RFC3339(x.FirstSeen), LastSeen: RFC3339(x.LastSeen)})
	}
	return err
}

func (s *Service) fillDICOM(ctx context.Context, d *AssetDetailRecord, id int64) error {
	dc, err := s.st.DICOM(ctx, id)
	for _, f := range dc {
		r := DICOMRecord{Role: f.Role, AETitle: f.AETitle, PeerAETitle: f.PeerAETitle, PeerIP: ipOf(f.PeerIP),
			Port: f.Port, ApplicationContext: f.ApplicationContext, ImplClassUID: f.ImplClassUID,
			ImplVersion: f.ImplVersion, MaxPDU: f.MaxPDU, FirstSeen: RFC3339(f.FirstSeen), LastSeen: RFC3339(f.LastSeen),
			Associations: f.Associations, LastResult: f.LastResult, SOPClasses: []SOPClassRecord{},
			Commands: []CommandRecord{}}
		for _, c := range f.SOPClasses {
			r.SOPClasses = append(r.SOPClasses, SOPClassRecord{UID: c.UID, Name: model.SOPClassName(c.UID),
				FirstSeen: RFC3339(c.FirstSeen), LastSeen: RFC3339(c.LastSeen)})
		}
		for _, c := range f.Commands {
			r.Commands = append(r.Commands, CommandRecord{Command: c.Name, SOPClass: c.SOPClass,
				Name: model.SOPClassName(c.SOPClass), Count: c.Count, LastSeen: RFC3339(c.LastSeen)})
		}
		d.DICOM = append(d.DICOM, r)
	}
	return err
}

func (s *Service) fillHL7(ctx context.Context, d *AssetDetailRecord, id int64) error {
	h7, err := s.st.HL7(ctx, id)
	for _, f := range h7 {
		r := HL7Record{Role: f.Role, Application: f.Application, Facility: f.Facility,
			PeerApplication: f.PeerApplication, PeerFacility: f.PeerFacility, PeerIP: ipOf(f.PeerIP), Port: f.Port,
			Version: f.Version, FirstSeen: RFC3339(f.FirstSeen), LastSeen: RFC3339(f.LastSeen), Messages: f.Messages,
			AcksSent: f.AcksSent, MessageTypes: []HL7TypeRecord{}, Equipment: []string{}}
		for _, m := range f.MessageTypes {
			r.MessageTypes = append(r.MessageTypes, HL7TypeRecord{Type: m.Type, Count: m.Count})
		}
		for _, e := range f.Equipment {
			r.Equipment = append(r.Equipment, e.ID)
		}
		d.HL7 = append(d.HL7, r)
	}
	return err
}

// fillPeers adds the asset's latest flows as peers, with the peers'
// identities.
func (s *Service) fillPeers(ctx context.Context, d *AssetDetailRecord, id int64) error {
	flows, total, err := s.st.FindFlows(ctx, store.FlowFilter{AssetID: id, Merge: true, Desc: true, Chronological: true,
		Limit: DetailLimit})
	if err != nil {
		return err
	}
	d.PeersTotal = total
	peerIDs := make([]int64, len(flows))
	for i, f := range flows {
		switch {
		case f.SrcAssetID == id:
			peerIDs[i] = f.DstAssetID
		case f.SrcLocal:
			peerIDs[i] = f.SrcAssetID
		}
	}
	peers, err := s.assetsByID(ctx, peerIDs)
	if err != nil {
		return err
	}
	byIP := map[netip.Addr]*store.AssetDetail{}
	for i := range flows {
		f := &flows[i]
		p := PeerRecord{Role: "server", Proto: ProtoName(f.Proto), Port: f.Port, Service: f.Service,
			FirstSeen: RFC3339(f.FirstSeen), LastSeen: RFC3339(f.LastSeen), Packets: f.Packets, Bytes: f.Bytes,
			Connections: f.Connections}
		peerIP := f.SrcIP
		if f.SrcAssetID == id {
			p.Role, peerIP = "client", f.DstIP
		}
		p.PeerIP = ipOf(peerIP)
		if a, ok := peers[peerIDs[i]]; ok {
			p.PeerMAC, p.PeerVantage, p.PeerVLAN, p.PeerHostname, p.PeerClass =
				macOf(a.Key), a.Key.Vantage, a.Key.VLAN, a.Hostname, a.Class
			if p.PeerIP == "" && a.Key.KeyedByIP() {
				p.PeerIP = a.Key.IP.String()
			}
		} else if a, err := s.byIP(ctx, byIP, peerIP); err != nil {
			return err
		} else if a != nil {
			p.PeerHostname, p.PeerClass = a.Hostname, a.Class // routed: a device on another VLAN
		}
		d.Peers = append(d.Peers, p)
	}
	return nil
}

// byIP returns the asset seen last with address ip on any VLAN or vantage
// (nil if none), remembering answers in cache.
func (s *Service) byIP(ctx context.Context, cache map[netip.Addr]*store.AssetDetail, ip netip.Addr) (*store.AssetDetail, error) {
	if a, ok := cache[ip]; ok || !ip.IsValid() {
		return a, nil
	}
	as, _, err := s.st.FindAssets(ctx, store.AssetFilter{IP: ip, Sort: store.AssetSort{By: "last_seen", Desc: true},
		Limit: 1})
	if err != nil {
		return nil, err
	}
	var a *store.AssetDetail
	if len(as) > 0 {
		a = &as[0]
	}
	cache[ip] = a
	return a, nil
}

// fillViolations adds the latest violations involving the asset.
func (s *Service) fillViolations(ctx context.Context, d *AssetDetailRecord, id int64) error {
	vs, total, err := s.st.FindViolations(ctx, store.ViolationFilter{AssetID: id, Desc: true, Chronological: true,
		Limit: DetailLimit})
	if err != nil {
		return err
	}
	d.Violations, d.ViolationsTotal = []ViolationRecord{}, total
	recs, err := s.violationRecords(ctx, vs)
	d.Violations = append(d.Violations, recs...)
	return err
}

// fillEvents adds the latest events about the asset.
func (s *Service) fillEvents(ctx context.Context, d *AssetDetailRecord, id int64) error {
	evs, total, err := s.st.FindEvents(ctx, store.EventFilter{AssetID: id, Desc: true, Limit: DetailLimit})
	for i := range evs {
		r := NewEventRecord(&evs[i])
		r.Hostname = d.Asset.Hostname
		d.Events = append(d.Events, r)
	}
	d.EventsTotal = total
	return err
}
