package inventory

import (
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The records below are the one shape each kind of row has in JSON (CLI
// and API) and CSV (where the columns are the JSON names, in the same
// order). Times are RFC 3339 UTC to the second, "" when unknown; MACs are
// lowercase and colon-separated (00:1b:63:84:45:e6), "" for none.

// AssetRecord is an asset in lists.
type AssetRecord struct {
	// Sensor and Site are a central inventory's: the sensor that saw the
	// device last (Vantage and VLAN are where), and Vantages every sensor,
	// vantage and VLAN that saw it. Absent in a sensor's own inventory.
	Sensor          string          `json:"sensor,omitempty"`
	Site            string          `json:"site,omitempty"`
	Vantages        []VantageRecord `json:"vantages,omitempty"`
	Vantage         string          `json:"vantage"`
	VLAN            uint16          `json:"vlan"`
	OuterVLAN       uint16          `json:"outer_vlan,omitempty"`
	MAC             string          `json:"mac"`
	KeyedBy         string          `json:"keyed_by"` // "mac", or "ip" on link types without MACs
	IPs             []string        `json:"ips"`
	Hostname        string          `json:"hostname"`
	Vendor          string          `json:"vendor"` // IEEE registry organisation of the OUI
	Randomized      bool            `json:"randomized"`
	Class           model.Class     `json:"class"`
	DHCPParamList   string          `json:"dhcp_param_list"`
	DHCPVendorClass string          `json:"dhcp_vendor_class"`
	FirstSeen       string          `json:"first_seen"`
	LastSeen        string          `json:"last_seen"`
	Packets         uint64          `json:"packets"`
	Bytes           uint64          `json:"bytes"`
	ID              int64           `json:"id"` // the database row; stable for the database's life
	ClassConfidence int             `json:"class_confidence"`
	Modality        string          `json:"modality"`
	Manufacturer    string          `json:"manufacturer"`
	Model           string          `json:"model"`
	Version         string          `json:"version"` // firmware or software version, as the device reports it
	OS              string          `json:"os"`
	Zone            string          `json:"zone"`  // "" without a policy
	State           string          `json:"state"` // active, dormant, retired; a critical device: silent, sleeping, alive-by-probe (see lifecycle.go)
	AETitles        []string        `json:"ae_titles"`
	HL7Apps         []string        `json:"hl7_apps"`
	Critical        bool            `json:"critical,omitempty"`  // in the policy file's critical section
	ProbedAt        string          `json:"probed_at,omitempty"` // a critical device's latest answer to the ARP liveness probe
}

// AssetCSVHeader is the header row of asset CSV.
var AssetCSVHeader = []string{"vantage", "vlan", "outer_vlan", "mac", "keyed_by", "ips", "hostname", "vendor",
	"randomized", "class", "dhcp_param_list", "dhcp_vendor_class", "first_seen", "last_seen", "packets", "bytes",
	"id", "class_confidence", "modality", "manufacturer", "model", "version", "os", "zone", "state", "ae_titles", "hl7_apps"}

// CSVListSep joins the values of a list in one CSV cell, in every column
// (ips, ae_titles, hl7_apps): names may hold spaces, never this.
const CSVListSep = "; "

// VantageRecord is where a device of a central inventory was seen.
type VantageRecord struct {
	Sensor    string `json:"sensor"`
	Site      string `json:"site"`
	Vantage   string `json:"vantage"`
	VLAN      uint16 `json:"vlan"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
}

// fleetCSV prepends a central record's sensor and site to its CSV row
// (Service.CSVHeader): a central record always has a sensor.
func fleetCSV(sensor, site string, row []string) []string {
	if sensor == "" {
		return row
	}
	return append([]string{sensor, site}, row...)
}

// CSV returns the record as a row under AssetCSVHeader (Service.CSVHeader);
// lists are joined with CSVListSep.
func (r *AssetRecord) CSV() []string {
	return fleetCSV(r.Sensor, r.Site, []string{r.Vantage, u16(r.VLAN), u16(r.OuterVLAN), r.MAC, r.KeyedBy, strings.Join(r.IPs, CSVListSep), r.Hostname,
		r.Vendor, strconv.FormatBool(r.Randomized), string(r.Class), r.DHCPParamList, r.DHCPVendorClass, r.FirstSeen,
		r.LastSeen, u64(r.Packets), u64(r.Bytes), i64(r.ID), strconv.Itoa(r.ClassConfidence), r.Modality,
		r.Manufacturer, r.Model, r.Version, r.OS, r.Zone, r.State, strings.Join(r.AETitles, CSVListSep),
		strings.Join(r.HL7Apps, CSVListSep)})
}

// Ref is how the asset is looked up: its MAC, or its key IP when keyed by
// IP.
func (r *AssetRecord) Ref() string {
	if r.KeyedBy == "ip" && len(r.IPs) > 0 {
		return r.IPs[0]
	}
	return r.MAC
}

// NewAssetRecord returns the record of a as the store keeps it: without
// what the service adds (modality, zone, state, AE titles, HL7
// applications).
func NewAssetRecord(a *model.Asset) AssetRecord {
	r := AssetRecord{
		ID: a.ID, Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, OuterVLAN: a.OuterVLAN, KeyedBy: "mac",
		Hostname: a.Hostname, Vendor: a.Vendor, Randomized: a.Randomized, Class: a.Class.OrUnknown(),
		ClassConfidence: a.ClassConfidence, Manufacturer: a.Manufacturer, Model: a.Model, Version: a.Version, OS: a.OS,
		DHCPParamList: a.DHCPParamList, DHCPVendorClass: a.DHCPVendorClass,
		FirstSeen: RFC3339(a.FirstSeen), LastSeen: RFC3339(a.LastSeen), Packets: a.Packets, Bytes: a.Bytes,
		IPs: []string{}, AETitles: []string{}, HL7Apps: []string{},
	}
	if a.Key.KeyedByIP() {
		r.KeyedBy = "ip"
		r.IPs = append(r.IPs, a.Key.IP.String())
	} else {
		r.MAC = a.Key.MAC.String()
	}
	for _, ad := range a.Addresses {
		if a.Key.KeyedByIP() && ad.IP == a.Key.IP {
			continue
		}
		r.IPs = append(r.IPs, ad.IP.String())
	}
	return r
}

// assetRecord is the record of a, with its names, zone and state at now
// (probed: its latest probe answer).
func (s *Service) assetRecord(a *store.AssetDetail, names store.AssetNames, probed, now time.Time) AssetRecord {
	r := NewAssetRecord(&a.Asset)
	r.Sensor, r.Site = a.Sensor, a.Site
	for _, v := range a.Vantages {
		r.Vantages = append(r.Vantages, VantageRecord{Sensor: v.Sensor, Site: v.Site, Vantage: v.Vantage, VLAN: v.VLAN,
			FirstSeen: RFC3339(v.FirstSeen), LastSeen: RFC3339(v.LastSeen)})
	}
	r.Modality = a.Modality
	r.Zone = s.zones.Zone(&a.Asset)
	r.State, r.Critical = s.state(&a.Asset, probed, now)
	if r.Critical {
		r.ProbedAt = RFC3339(probed)
	}
	r.AETitles = append(r.AETitles, names.AETitles...)
	r.HL7Apps = append(r.HL7Apps, names.HL7Apps...)
	return r
}

// ViolationRecord is a flow the policy flagged.
type ViolationRecord struct {
	Sensor      string `json:"sensor,omitempty"` // central inventory only
	Site        string `json:"site,omitempty"`
	ID          int64  `json:"id"`
	Rule        string `json:"rule"`
	Severity    string `json:"severity"`
	SrcZone     string `json:"src_zone"`
	DstZone     string `json:"dst_zone"`
	Vantage     string `json:"vantage"`
	VLAN        uint16 `json:"vlan"`
	SrcMAC      string `json:"src_mac"`
	SrcIP       string `json:"src_ip"`
	SrcHostname string `json:"src_hostname"`
	DstMAC      string `json:"dst_mac"` // "" when the server is not an asset on the client's VLAN (routed)
	DstIP       string `json:"dst_ip"`
	DstHostname string `json:"dst_hostname"`
	Proto       string `json:"proto"`
	Port        uint16 `json:"port"`
	Service     string `json:"service"`
	FirstSeen   string `json:"first_seen"`
	LastSeen    string `json:"last_seen"`
	Count       uint64 `json:"count"`
	Packets     uint64 `json:"packets"`
	Bytes       uint64 `json:"bytes"`
	Connections uint64 `json:"connections"`
}

// ViolationCSVHeader is the header row of violation CSV.
var ViolationCSVHeader = []string{"id", "rule", "severity", "src_zone", "dst_zone", "vantage", "vlan", "src_mac",
	"src_ip", "src_hostname", "dst_mac", "dst_ip", "dst_hostname", "proto", "port", "service", "first_seen",
	"last_seen", "count", "packets", "bytes", "connections"}

// CSV returns the record as a row under ViolationCSVHeader.
func (r *ViolationRecord) CSV() []string {
	return fleetCSV(r.Sensor, r.Site, []string{i64(r.ID), r.Rule, r.Severity, r.SrcZone, r.DstZone, r.Vantage, u16(r.VLAN), r.SrcMAC, r.SrcIP,
		r.SrcHostname, r.DstMAC, r.DstIP, r.DstHostname, r.Proto, u16(r.Port), r.Service, r.FirstSeen, r.LastSeen,
		u64(r.Count), u64(r.Packets), u64(r.Bytes), u64(r.Connections)})
}

func violationRecord(v *store.Violation, hosts map[int64]string) ViolationRecord {
	r := ViolationRecord{
		ID: v.ID, Rule: v.Rule, Severity: v.Severity, SrcZone: v.SrcZone, DstZone: v.DstZone, Vantage: v.Vantage,
		VLAN: v.VLAN, SrcMAC: macOf(v.Src), SrcIP: ipOf(v.SrcIP), DstIP: ipOf(v.DstIP), Proto: ProtoName(v.Proto),
		Port: v.Port, Service: v.Service, FirstSeen: RFC3339(v.FirstSeen), LastSeen: RFC3339(v.LastSeen),
		Count: v.Count, Packets: v.Packets, Bytes: v.Bytes, Connections: v.Connections,
		SrcHostname: hosts[v.SrcAssetID], Sensor: v.Sensor, Site: v.Site,
	}
	if v.DstAssetID != 0 {
		r.DstMAC, r.DstHostname = macOf(v.Dst), hosts[v.DstAssetID]
	}
	return r
}

// FlowRecord is traffic from a client to a server port. A flow routed
// between two mirrored VLANs, which the sensor sees once per VLAN, is one
// record: the client with its VLAN, the server with its own (DstVLAN).
// Each end carries the name, class and zone of its device when the
// inventory has it (the end's MAC is its own); an end known only by its
// address (behind a router, outside) has its zone by address and no name.
type FlowRecord struct {
	Sensor  string `json:"sensor,omitempty"` // central inventory only
	Site    string `json:"site,omitempty"`
	ID      int64  `json:"id"`
	Vantage string `json:"vantage"`
	VLAN    uint16 `json:"vlan"` // the client's
	// SrcMAC is the client's own MAC; "" when the frames carried a
	// router's (the client is off-link).
	SrcMAC      string      `json:"src_mac"`
	SrcIP       string      `json:"src_ip"`
	SrcHostname string      `json:"src_hostname"`
	SrcClass    model.Class `json:"src_class"` // "" when not an asset
	SrcZone     string      `json:"src_zone"`  // "" without a policy
	DstVLAN     uint16      `json:"dst_vlan"`  // the server's; the client's when the server is not an asset
	DstMAC      string      `json:"dst_mac"`   // the server's own MAC; "" when routed or not an asset
	DstIP       string      `json:"dst_ip"`
	DstHostname string      `json:"dst_hostname"`
	DstClass    model.Class `json:"dst_class"`
	DstZone     string      `json:"dst_zone"`
	Proto       string      `json:"proto"`
	Port        uint16      `json:"port"`
	Service     string      `json:"service"`
	FirstSeen   string      `json:"first_seen"`
	LastSeen    string      `json:"last_seen"`
	Packets     uint64      `json:"packets"`
	Bytes       uint64      `json:"bytes"`
	Connections uint64      `json:"connections"`
}

// FlowCSVHeader is the header row of flow CSV.
var FlowCSVHeader = []string{"id", "vantage", "vlan", "src_mac", "src_ip", "src_hostname", "src_class", "src_zone",
	"dst_vlan", "dst_mac", "dst_ip", "dst_hostname", "dst_class", "dst_zone", "proto", "port", "service",
	"first_seen", "last_seen", "packets", "bytes", "connections"}

// CSV returns the record as a row under FlowCSVHeader.
func (r *FlowRecord) CSV() []string {
	return fleetCSV(r.Sensor, r.Site, []string{i64(r.ID), r.Vantage, u16(r.VLAN), r.SrcMAC, r.SrcIP, r.SrcHostname, string(r.SrcClass), r.SrcZone,
		u16(r.DstVLAN), r.DstMAC, r.DstIP, r.DstHostname, string(r.DstClass), r.DstZone, r.Proto, u16(r.Port),
		r.Service, r.FirstSeen, r.LastSeen, u64(r.Packets), u64(r.Bytes), u64(r.Connections)})
}

// flowRecord is the record of f, without what the ends' assets add.
func flowRecord(f *store.Flow) FlowRecord {
	r := FlowRecord{
		ID: f.ID, Vantage: f.Vantage, VLAN: f.VLAN, DstVLAN: f.VLAN, SrcIP: ipOf(f.SrcIP), DstIP: ipOf(f.DstIP),
		Proto: ProtoName(f.Proto), Port: f.Port, Service: f.Service, FirstSeen: RFC3339(f.FirstSeen),
		LastSeen: RFC3339(f.LastSeen), Packets: f.Packets, Bytes: f.Bytes, Connections: f.Connections,
		Sensor: f.Sensor, Site: f.Site,
	}
	if f.SrcLocal {
		r.SrcMAC = macOf(f.Src)
	}
	if f.DstAssetID != 0 {
		r.DstMAC, r.DstVLAN = macOf(f.Dst), f.Dst.VLAN
	}
	if r.SrcIP == "" && f.Src.KeyedByIP() {
		r.SrcIP = f.Src.IP.String()
	}
	return r
}

// EventRecord is a recorded change.
type EventRecord struct {
	Sensor   string          `json:"sensor,omitempty"` // central inventory only
	Site     string          `json:"site,omitempty"`
	Time     string          `json:"time"`
	Type     model.EventType `json:"type"`
	Vantage  string          `json:"vantage"`
	VLAN     uint16          `json:"vlan"`
	MAC      string          `json:"mac"`
	Hostname string          `json:"hostname"` // the device's, now
	IP       string          `json:"ip"`
	OldValue string          `json:"old_value"`
	NewValue string          `json:"new_value"`
	ID       int64           `json:"id"`
	// KeyIP is the asset's key for assets keyed by IP ("" otherwise).
	KeyIP string `json:"key_ip,omitempty"`
}

// EventCSVHeader is the header row of event CSV.
var EventCSVHeader = []string{"time", "type", "vantage", "vlan", "mac", "hostname", "ip", "old_value", "new_value",
	"id", "key_ip"}

// CSV returns the record as a row under EventCSVHeader.
func (r *EventRecord) CSV() []string {
	return fleetCSV(r.Sensor, r.Site, []string{r.Time, string(r.Type), r.Vantage, u16(r.VLAN), r.MAC, r.Hostname, r.IP,
		r.OldValue, r.NewValue, i64(r.ID), r.KeyIP})
}

// NewEventRecord returns the record of e, without the hostname (the
// service adds it).
func NewEventRecord(e *model.Event) EventRecord {
	r := EventRecord{ID: e.ID, Time: RFC3339(e.Time), Type: e.Type, Vantage: e.Key.Vantage, VLAN: e.Key.VLAN,
		OldValue: e.OldValue, NewValue: e.NewValue, MAC: macOf(e.Key), IP: ipOf(e.IP), Sensor: e.Sensor, Site: e.Site}
	if e.Key.KeyedByIP() {
		r.KeyIP = e.Key.IP.String()
	}
	return r
}
