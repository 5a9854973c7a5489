package api

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/dicom"
	"github.com/wardwatch/wardwatch/store"
)

// Page is one page of a list: Items are the records from Offset on, at most
// Limit of them (0: no limit), of Total matching.
type Page[T any] struct {
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Items  []T `json:"items"`
}

// ErrNotFound is returned by Asset for a reference nothing matches.
var ErrNotFound = errors.New("no such asset")

// Assets returns the page of assets q selects.
func (inv *Inventory) Assets(ctx context.Context, q AssetQuery) (Page[AssetRecord], error) {
	now := inv.now()
	f := store.AssetFilter{
		Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC, IP: q.IP, Class: q.Class, Modality: q.Modality,
		Vendor: q.Vendor, Search: q.Search, SeenSince: q.SeenSince, FirstSeenSince: q.NewSince, Sort: q.Sort,
	}
	if q.State != "" {
		since, before := inv.life.bounds(q.State, now)
		if since.After(f.SeenSince) {
			f.SeenSince = since
		}
		f.SeenBefore = before
	}
	page := Page[AssetRecord]{Limit: q.Limit, Offset: q.Offset, Items: []AssetRecord{}}
	if q.Zone == "" {
		n, err := inv.st.CountAssets(ctx, f)
		if err != nil {
			return page, err
		}
		page.Total = n
		f.Limit, f.Offset = q.Limit, q.Offset
	}
	details, err := inv.st.AssetDetails(ctx, f)
	if err != nil {
		return page, err
	}
	names, err := inv.st.AssetNames(ctx, ids(details))
	if err != nil {
		return page, err
	}
	for i := range details {
		r := inv.assetRecord(&details[i], names[details[i].ID], now)
		if q.Zone != "" && r.Zone != q.Zone {
			continue
		}
		page.Items = append(page.Items, r)
	}
	if q.Zone != "" { // filtered here: page here too
		page.Total = len(page.Items)
		page.Items = window(page.Items, q.Limit, q.Offset)
	}
	return page, nil
}

func window[T any](items []T, limit, offset int) []T {
	if offset >= len(items) {
		return items[:0]
	}
	items = items[offset:]
	if limit > 0 && limit < len(items) {
		items = items[:limit]
	}
	return items
}

func ids(ds []store.AssetDetail) []int64 {
	out := make([]int64, len(ds))
	for i := range ds {
		out[i] = ds[i].ID
	}
	return out
}

// AssetDetailRecord is everything known about one asset.
type AssetDetailRecord struct {
	Asset          AssetRecord          `json:"asset"`
	Classification ClassificationRecord `json:"classification"`
	DHCP           DHCPRecord           `json:"dhcp"`
	Addresses      []AddressRecord      `json:"addresses"` // by first seen
	Hostnames      []HostnameRecord     `json:"hostnames"` // by first seen
	DICOM          []DICOMRecord        `json:"dicom"`
	HL7            []HL7Record          `json:"hl7"`
	// Peers are the asset's flows, most recently started first, at most
	// DetailLimit: PeersTotal counts them all.
	Peers      []PeerRecord `json:"peers"`
	PeersTotal int          `json:"peers_total"`
	// Violations involving the asset (either end), latest first, at most
	// DetailLimit of ViolationsTotal.
	Violations      []ViolationRecord `json:"violations"`
	ViolationsTotal int               `json:"violations_total"`
	// Events about the asset, newest first, at most DetailLimit of
	// EventsTotal.
	Events      []EventRecord `json:"events"`
	EventsTotal int           `json:"events_total"`
	// OtherMatches are further assets the reference matched (the same MAC
	// on another VLAN or vantage, an IP used by several devices), latest
	// first; Asset is the one seen last.
	OtherMatches []AssetRefRecord `json:"other_matches"`
}

// DetailLimit bounds the peers, violations and events of an
// AssetDetailRecord.
const DetailLimit = 200

// ClassificationRecord is an asset's device class and the evidence behind
// it.
type ClassificationRecord struct {
	Class        model.Class      `json:"class"`
	Confidence   int              `json:"confidence"` // 0..100
	Strength     int              `json:"strength"`   // of the deciding evidence: 20 OUI .. 100 DICOM/HL7
	Modality     string           `json:"modality"`
	Manufacturer string           `json:"manufacturer"`
	Model        string           `json:"model"`
	OS           string           `json:"os"`
	ChangedAt    string           `json:"changed_at"` // when the class last changed
	Evidence     []EvidenceRecord `json:"evidence"`   // the deciding rule's first
}

// EvidenceRecord is one piece of classification evidence.
type EvidenceRecord struct {
	Source    model.EvidenceSource `json:"source"` // "dhcp.opt60", "dicom.sop_class", "oui", ...
	Value     string               `json:"value"`
	Rule      string               `json:"rule"`
	Strength  int                  `json:"strength"`
	FirstSeen string               `json:"first_seen"`
	LastSeen  string               `json:"last_seen"`
}

// DHCPRecord is the asset's latest DHCPv4 client fingerprint.
type DHCPRecord struct {
	ParamList   string `json:"param_list"`   // option 55, "1,3,6,15"
	MaxMsgSize  uint16 `json:"max_msg_size"` // option 57
	VendorClass string `json:"vendor_class"` // option 60
	ClientID    string `json:"client_id"`    // option 61, hex
}

// AddressRecord is an IP address the asset used.
type AddressRecord struct {
	IP        string          `json:"ip"`
	Source    model.ObsSource `json:"source"` // latest evidence: arp.reply, dhcp.ack, ipv6.ndp, ...
	FirstSeen string          `json:"first_seen"`
	LastSeen  string          `json:"last_seen"`
}

// HostnameRecord is a name the asset announced.
type HostnameRecord struct {
	Name      string          `json:"name"`
	Source    model.ObsSource `json:"source"` // dhcp.opt12 or dhcp.opt81
	FirstSeen string          `json:"first_seen"`
	LastSeen  string          `json:"last_seen"`
}

// DICOMRecord is what the asset did in DICOM associations in one role,
// under one AE title, towards one peer.
type DICOMRecord struct {
	Role               string           `json:"role"` // scu (requestor) or scp (acceptor)
	AETitle            string           `json:"ae_title"`
	PeerAETitle        string           `json:"peer_ae_title"`
	PeerIP             string           `json:"peer_ip"`
	Port               uint16           `json:"port"`
	ApplicationContext string           `json:"application_context"`
	ImplClassUID       string           `json:"impl_class_uid"`
	ImplVersion        string           `json:"impl_version"`
	MaxPDU             uint32           `json:"max_pdu"`
	FirstSeen          string           `json:"first_seen"`
	LastSeen           string           `json:"last_seen"`
	Associations       uint64           `json:"associations"`
	LastResult         string           `json:"last_result"`
	SOPClasses         []SOPClassRecord `json:"sop_classes"`
	Commands           []CommandRecord  `json:"commands"`
}

// SOPClassRecord is a SOP class proposed (scu) or accepted (scp).
type SOPClassRecord struct {
	UID       string `json:"uid"`
	Name      string `json:"name"` // "" if not in the built-in table
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
}

// CommandRecord is a DIMSE command the asset sent.
type CommandRecord struct {
	Command  string `json:"command"`
	SOPClass string `json:"sop_class"`
	Name     string `json:"name"` // of the SOP class
	Count    uint64 `json:"count"`
	LastSeen string `json:"last_seen"`
}

// HL7Record is what the asset did in HL7 v2 messages in one role, as one
// application, towards one peer.
type HL7Record struct {
	Role            string          `json:"role"` // sender or receiver
	Application     string          `json:"application"`
	Facility        string          `json:"facility"`
	PeerApplication string          `json:"peer_application"`
	PeerFacility    string          `json:"peer_facility"`
	PeerIP          string          `json:"peer_ip"`
	Port            uint16          `json:"port"`
	Version         string          `json:"version"`
	FirstSeen       string          `json:"first_seen"`
	LastSeen        string          `json:"last_seen"`
	Messages        uint64          `json:"messages"`
	AcksSent        uint64          `json:"acks_sent"`
	MessageTypes    []HL7TypeRecord `json:"message_types"`
	Equipment       []string        `json:"equipment"`
}

// HL7TypeRecord is a message type with its count.
type HL7TypeRecord struct {
	Type  string `json:"type"` // MSH-9, "ORU^R01"
	Count uint64 `json:"count"`
}

// PeerRecord is one flow of the asset, seen from the asset.
type PeerRecord struct {
	// Role is the asset's: "client" (it opened the flow: a service it
	// uses) or "server" (the peer opened it: a service it offers).
	Role        string `json:"role"`
	PeerIP      string `json:"peer_ip"`
	PeerMAC     string `json:"peer_mac"` // "" when the peer is not an asset on this VLAN (routed)
	PeerVantage string `json:"peer_vantage"`
	PeerVLAN    uint16 `json:"peer_vlan"`
	// PeerHostname and PeerClass are the peer asset's; for a routed peer,
	// those of the device seen last with PeerIP on any VLAN, if any.
	PeerHostname string      `json:"peer_hostname"`
	PeerClass    model.Class `json:"peer_class"`
	Proto        string      `json:"proto"`
	Port         uint16      `json:"port"` // the server's
	Service      string      `json:"service"`
	FirstSeen    string      `json:"first_seen"`
	LastSeen     string      `json:"last_seen"`
	Packets      uint64      `json:"packets"`
	Bytes        uint64      `json:"bytes"`
	Connections  uint64      `json:"connections"`
}

// AssetRefRecord points at an asset.
type AssetRefRecord struct {
	Vantage  string      `json:"vantage"`
	VLAN     uint16      `json:"vlan"`
	MAC      string      `json:"mac"`
	IP       string      `json:"ip"` // the key IP of an asset keyed by IP, else its first address
	Hostname string      `json:"hostname"`
	Class    model.Class `json:"class"`
	LastSeen string      `json:"last_seen"`
}

// ParseAssetRef reads an asset reference: a MAC address (any form
// model.ParseMAC accepts) or an IP address.
func ParseAssetRef(ref string) (mac string, ip netip.Addr, err error) {
	if a, err := netip.ParseAddr(ref); err == nil {
		return "", a, nil
	}
	m, err := model.ParseMAC(ref)
	if err != nil {
		return "", netip.Addr{}, &ParamError{Param: "asset", Msg: "\"" + ref + "\" is not a MAC or IP address"}
	}
	return m.String(), netip.Addr{}, nil
}

// Asset returns everything known about the asset ref (a MAC or IP address)
// names, narrowed by rq. Several matches: the one seen last, the others in
// OtherMatches. None: ErrNotFound.
func (inv *Inventory) Asset(ctx context.Context, ref string, rq AssetRefQuery) (*AssetDetailRecord, error) {
	mac, ip, err := ParseAssetRef(ref)
	if err != nil {
		return nil, err
	}
	matches, err := inv.st.AssetDetails(ctx, store.AssetFilter{
		MAC: mac, IP: ip, Vantage: rq.Vantage, VLAN: rq.VLAN, Sort: "-last_seen", Limit: 51,
	})
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, ErrNotFound
	}
	now := inv.now()
	a := &matches[0]
	names, err := inv.st.AssetNames(ctx, []int64{a.ID})
	if err != nil {
		return nil, err
	}
	d := &AssetDetailRecord{
		Asset: inv.assetRecord(a, names[a.ID], now),
		Classification: ClassificationRecord{
			Class: a.Class, Confidence: a.ClassConfidence, Strength: a.ClassStrength, Modality: a.Modality,
			Manufacturer: a.Manufacturer, Model: a.Model, OS: a.OS, ChangedAt: RFC3339(a.ClassChangedAt),
			Evidence: []EvidenceRecord{},
		},
		DHCP: DHCPRecord{ParamList: a.DHCPParamList, MaxMsgSize: a.DHCPMaxMsgSize, VendorClass: a.DHCPVendorClass,
			ClientID: a.DHCPClientID},
		Addresses: []AddressRecord{}, Hostnames: []HostnameRecord{}, DICOM: []DICOMRecord{}, HL7: []HL7Record{},
		Peers: []PeerRecord{}, Violations: []ViolationRecord{}, Events: []EventRecord{},
		OtherMatches: []AssetRefRecord{},
	}
	d.Classification.Class = d.Asset.Class
	for _, m := range matches[1:min(len(matches), 51)] {
		d.OtherMatches = append(d.OtherMatches, refRecord(&m))
	}
	for _, ad := range a.Addresses {
		d.Addresses = append(d.Addresses, AddressRecord{IP: ad.IP.String(), Source: ad.Source,
			FirstSeen: RFC3339(ad.FirstSeen), LastSeen: RFC3339(ad.LastSeen)})
	}
	if err := inv.fillFacts(ctx, d, a.ID); err != nil {
		return nil, err
	}
	if err := inv.fillPeers(ctx, d, a.ID); err != nil {
		return nil, err
	}
	vs, err := inv.violations(ctx, store.ViolationFilter{AssetID: a.ID, Desc: true, Chronological: true,
		Limit: DetailLimit})
	if err != nil {
		return nil, err
	}
	d.Violations = vs
	if d.ViolationsTotal, err = inv.st.CountViolations(ctx, store.ViolationFilter{AssetID: a.ID}); err != nil {
		return nil, err
	}
	evs, err := inv.st.Events(ctx, store.EventFilter{AssetID: a.ID, Desc: true, Limit: DetailLimit})
	if err != nil {
		return nil, err
	}
	for i := range evs {
		d.Events = append(d.Events, NewEventRecord(&evs[i]))
	}
	if d.EventsTotal, err = inv.st.CountEvents(ctx, store.EventFilter{AssetID: a.ID}); err != nil {
		return nil, err
	}
	return d, nil
}

func refRecord(a *store.AssetDetail) AssetRefRecord {
	r := AssetRefRecord{Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, MAC: macOf(a.Key), Hostname: a.Hostname,
		Class: a.Class.OrUnknown(), LastSeen: RFC3339(a.LastSeen), IP: ipOf(firstIP(&a.Asset))}
	return r
}

// fillFacts adds evidence, hostnames, DICOM and HL7 facts.
func (inv *Inventory) fillFacts(ctx context.Context, d *AssetDetailRecord, id int64) error {
	ev, err := inv.st.Evidence(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range ev {
		d.Classification.Evidence = append(d.Classification.Evidence, EvidenceRecord{Source: e.Source, Value: e.Value,
			Rule: e.Rule, Strength: e.Strength, FirstSeen: RFC3339(e.FirstSeen), LastSeen: RFC3339(e.LastSeen)})
	}
	hs, err := inv.st.Hostnames(ctx, id)
	if err != nil {
		return err
	}
	for _, h := range hs {
		d.Hostnames = append(d.Hostnames, HostnameRecord{Name: h.Name, Source: h.Source,
			FirstSeen: RFC3339(h.FirstSeen), LastSeen: RFC3339(h.LastSeen)})
	}
	dc, err := inv.st.DICOM(ctx, id)
	if err != nil {
		return err
	}
	for _, f := range dc {
		r := DICOMRecord{Role: f.Role, AETitle: f.AETitle, PeerAETitle: f.PeerAETitle, PeerIP: ipOf(f.PeerIP),
			Port: f.Port, ApplicationContext: f.ApplicationContext, ImplClassUID: f.ImplClassUID,
			ImplVersion: f.ImplVersion, MaxPDU: f.MaxPDU, FirstSeen: RFC3339(f.FirstSeen), LastSeen: RFC3339(f.LastSeen),
			Associations: f.Associations, LastResult: f.LastResult, SOPClasses: []SOPClassRecord{},
			Commands: []CommandRecord{}}
		for _, s := range f.SOPClasses {
			r.SOPClasses = append(r.SOPClasses, SOPClassRecord{UID: s.UID, Name: dicom.SOPClassName(s.UID),
				FirstSeen: RFC3339(s.FirstSeen), LastSeen: RFC3339(s.LastSeen)})
		}
		for _, c := range f.Commands {
			r.Commands = append(r.Commands, CommandRecord{Command: c.Name, SOPClass: c.SOPClass,
				Name: dicom.SOPClassName(c.SOPClass), Count: c.Count, LastSeen: RFC3339(c.LastSeen)})
		}
		d.DICOM = append(d.DICOM, r)
	}
	h7, err := inv.st.HL7(ctx, id)
	if err != nil {
		return err
	}
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
	return nil
}

// fillPeers adds the asset's flows as peers, with the peers' identities.
func (inv *Inventory) fillPeers(ctx context.Context, d *AssetDetailRecord, id int64) error {
	flows, err := inv.st.Flows(ctx, store.FlowFilter{AssetID: id, Desc: true, Chronological: true, Limit: DetailLimit})
	if err != nil {
		return err
	}
	if d.PeersTotal, err = inv.st.CountFlows(ctx, store.FlowFilter{AssetID: id}); err != nil {
		return err
	}
	peerIDs := make([]int64, len(flows))
	for i, f := range flows {
		switch {
		case f.SrcAssetID == id:
			peerIDs[i] = f.DstAssetID
		case f.SrcLocal:
			peerIDs[i] = f.SrcAssetID
		}
	}
	peers, err := inv.assetsByID(ctx, peerIDs)
	if err != nil {
		return err
	}
	byIP := map[string]*store.AssetDetail{}
	for i, f := range flows {
		p := PeerRecord{Role: "server", PeerIP: ipOf(f.SrcIP), Proto: ProtoName(f.Proto), Port: f.Port,
			Service: f.Service, FirstSeen: RFC3339(f.FirstSeen), LastSeen: RFC3339(f.LastSeen), Packets: f.Packets,
			Bytes: f.Bytes, Connections: f.Connections}
		if f.SrcAssetID == id {
			p.Role, p.PeerIP = "client", ipOf(f.DstIP)
		}
		if a, ok := peers[peerIDs[i]]; ok {
			p.PeerMAC, p.PeerVantage, p.PeerVLAN, p.PeerHostname, p.PeerClass =
				macOf(a.Key), a.Key.Vantage, a.Key.VLAN, a.Hostname, a.Class
			if p.PeerIP == "" && a.Key.KeyedByIP() {
				p.PeerIP = a.Key.IP.String()
			}
		} else if a, err := inv.byIP(ctx, byIP, p.PeerIP); err != nil {
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
func (inv *Inventory) byIP(ctx context.Context, cache map[string]*store.AssetDetail, ip string) (*store.AssetDetail, error) {
	if a, ok := cache[ip]; ok || ip == "" {
		return a, nil
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return nil, nil
	}
	as, err := inv.st.AssetDetails(ctx, store.AssetFilter{IP: addr, Sort: "-last_seen", Limit: 1})
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

// assetsByID loads the assets of ids (zeros skipped).
func (inv *Inventory) assetsByID(ctx context.Context, ids []int64) (map[int64]*store.AssetDetail, error) {
	var want []int64
	for _, id := range ids {
		if id != 0 && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	out := make(map[int64]*store.AssetDetail, len(want))
	if len(want) == 0 {
		return out, nil
	}
	as, err := inv.st.AssetDetails(ctx, store.AssetFilter{IDs: want})
	if err != nil {
		return nil, err
	}
	for i := range as {
		out[as[i].ID] = &as[i]
	}
	return out, nil
}

// Violations returns the page of violations q selects.
func (inv *Inventory) Violations(ctx context.Context, q ViolationQuery) (Page[ViolationRecord], error) {
	f := store.ViolationFilter{Rule: q.Rule, Severity: q.Severity, Zone: q.Zone, Vantage: q.Vantage, VLAN: q.VLAN,
		MAC: q.MAC, IP: q.IP, Since: q.SeenSince, FirstSince: q.NewSince}
	page := Page[ViolationRecord]{Limit: q.Limit, Offset: q.Offset}
	n, err := inv.st.CountViolations(ctx, f)
	if err != nil {
		return page, err
	}
	page.Total = n
	f.Limit, f.Offset, f.Desc, f.Chronological = q.Limit, q.Offset, q.Desc, true
	page.Items, err = inv.violations(ctx, f)
	return page, err
}

func (inv *Inventory) violations(ctx context.Context, f store.ViolationFilter) ([]ViolationRecord, error) {
	vs, err := inv.st.Violations(ctx, f)
	if err != nil {
		return nil, err
	}
	var ends []int64
	for _, v := range vs {
		ends = append(ends, v.SrcAssetID, v.DstAssetID)
	}
	as, err := inv.assetsByID(ctx, ends)
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

// Flows returns the page of flows q selects.
func (inv *Inventory) Flows(ctx context.Context, q FlowQuery) (Page[FlowRecord], error) {
	f := store.FlowFilter{Since: q.SeenSince, IP: q.IP, MAC: q.MAC, Vantage: q.Vantage, VLAN: q.VLAN, Proto: q.Proto,
		Port: q.Port, Service: q.Service}
	page := Page[FlowRecord]{Limit: q.Limit, Offset: q.Offset, Items: []FlowRecord{}}
	n, err := inv.st.CountFlows(ctx, f)
	if err != nil {
		return page, err
	}
	page.Total = n
	f.Limit, f.Offset, f.Desc, f.Chronological = q.Limit, q.Offset, q.Desc, true
	fs, err := inv.st.Flows(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range fs {
		page.Items = append(page.Items, flowRecord(&fs[i]))
	}
	return page, nil
}

// Events returns the page of events q selects.
func (inv *Inventory) Events(ctx context.Context, q EventQuery) (Page[EventRecord], error) {
	f := store.EventFilter{Since: q.Since, Until: q.Until, Type: q.Type, Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC,
		IP: q.IP}
	page := Page[EventRecord]{Limit: q.Limit, Offset: q.Offset, Items: []EventRecord{}}
	n, err := inv.st.CountEvents(ctx, f)
	if err != nil {
		return page, err
	}
	page.Total = n
	f.Limit, f.Offset, f.Desc = q.Limit, q.Offset, q.Desc
	evs, err := inv.st.Events(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range evs {
		page.Items = append(page.Items, NewEventRecord(&evs[i]))
	}
	return page, nil
}

// SummaryRecord is the inventory at a glance.
type SummaryRecord struct {
	GeneratedAt string              `json:"generated_at"`
	Assets      int                 `json:"assets"`
	ByClass     map[model.Class]int `json:"by_class"`
	ByZone      map[string]int      `json:"by_zone"` // empty without a policy
	ByState     map[string]int      `json:"by_state"`
	// NewLast7d counts assets first seen in the last 7 days.
	NewLast7d int `json:"new_last_7d"`
	// Violations counts the violations (flagged flows) stored;
	// ViolationsLast24h those seen in the last 24 hours, NewViolationsLast24h
	// those first seen then.
	Violations           int    `json:"violations"`
	ViolationsLast24h    int    `json:"violations_last_24h"`
	NewViolationsLast24h int    `json:"new_violations_last_24h"`
	DormantAfter         string `json:"dormant_after"` // Go duration, "168h0m0s"
	RetiredAfter         string `json:"retired_after"`
}

// Summary counts the inventory by class, zone and state. The answer is
// reused for SummaryTTL.
func (inv *Inventory) Summary(ctx context.Context) (SummaryRecord, error) {
	c := &inv.summary
	c.Lock()
	defer c.Unlock()
	now := inv.now()
	if c.rec != nil && now.Sub(c.at) < SummaryTTL && !now.Before(c.at) {
		return *c.rec, nil
	}
	s, err := inv.summarize(ctx, now)
	if err == nil {
		c.at, c.rec = now, &s
	}
	return s, err
}

func (inv *Inventory) summarize(ctx context.Context, now time.Time) (SummaryRecord, error) {
	s := SummaryRecord{GeneratedAt: RFC3339(now), ByClass: map[model.Class]int{}, ByZone: map[string]int{},
		ByState:      map[string]int{StateActive: 0, StateDormant: 0, StateRetired: 0},
		DormantAfter: inv.life.DormantAfter.String(), RetiredAfter: inv.life.RetiredAfter.String()}
	all, err := inv.st.AssetDetails(ctx, store.AssetFilter{})
	if err != nil {
		return s, err
	}
	names, err := inv.st.AssetNames(ctx, ids(all))
	if err != nil {
		return s, err
	}
	weekAgo := now.Add(-7 * 24 * time.Hour)
	for i := range all {
		a := &all[i]
		s.Assets++
		s.ByClass[a.Class.OrUnknown()]++
		if z := inv.zoneOf(a, names[a.ID]); z != "" {
			s.ByZone[z]++
		}
		s.ByState[inv.life.State(a.LastSeen, now)]++
		if !a.FirstSeen.Before(weekAgo) {
			s.NewLast7d++
		}
	}
	day := now.Add(-24 * time.Hour)
	if s.Violations, err = inv.st.CountViolations(ctx, store.ViolationFilter{}); err != nil {
		return s, err
	}
	if s.ViolationsLast24h, err = inv.st.CountViolations(ctx, store.ViolationFilter{Since: day}); err != nil {
		return s, err
	}
	if s.NewViolationsLast24h, err = inv.st.CountViolations(ctx, store.ViolationFilter{FirstSince: day}); err != nil {
		return s, err
	}
	return s, nil
}
