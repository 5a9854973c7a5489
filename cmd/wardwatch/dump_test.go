package main

import (
	"time"

	"github.com/wardwatch/wardwatch/exporter/api"
	"github.com/wardwatch/wardwatch/model"
)

// The shapes of assets and events in the golden database dumps
// (golden_test.go, clinical_golden_test.go) and the fields other tests read
// from `assets -o json`; the verbs print api.AssetRecord / api.EventRecord,
// supersets with the same names.

// assetRecord is the shape of an asset in the golden database dumps
// (golden_test.go) and the fields tests read from `assets -o json`; the
// verb itself prints api.AssetRecord, a superset with the same names.
type assetRecord struct {
	Vantage         string      `json:"vantage"`
	VLAN            uint16      `json:"vlan"`
	OuterVLAN       uint16      `json:"outer_vlan,omitempty"`
	MAC             string      `json:"mac"`
	KeyedBy         string      `json:"keyed_by"`
	IPs             []string    `json:"ips"`
	Hostname        string      `json:"hostname"`
	Vendor          string      `json:"vendor"`
	Randomized      bool        `json:"randomized"`
	Class           model.Class `json:"class"`
	DHCPParamList   string      `json:"dhcp_param_list"`
	DHCPVendorClass string      `json:"dhcp_vendor_class"`
	FirstSeen       string      `json:"first_seen"`
	LastSeen        string      `json:"last_seen"`
	Packets         uint64      `json:"packets"`
	Bytes           uint64      `json:"bytes"`
}

func toRecord(a model.Asset) assetRecord {
	r := assetRecord{
		Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, OuterVLAN: a.OuterVLAN, KeyedBy: "mac",
		Hostname: a.Hostname, Vendor: a.Vendor, Randomized: a.Randomized, Class: a.Class,
		DHCPParamList: a.DHCPParamList, DHCPVendorClass: a.DHCPVendorClass,
		FirstSeen: rfc3339(a.FirstSeen), LastSeen: rfc3339(a.LastSeen), Packets: a.Packets, Bytes: a.Bytes,
		IPs: []string{},
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
	r.Class = r.Class.OrUnknown()
	return r
}

func rfc3339(t time.Time) string { return api.RFC3339(t) }

// eventRecord is the shape of an event in the golden database dumps
// (golden_test.go); the verb prints api.EventRecord, a superset with the
// same names.
type eventRecord struct {
	Time     string          `json:"time"`
	Type     model.EventType `json:"type"`
	Vantage  string          `json:"vantage"`
	VLAN     uint16          `json:"vlan"`
	MAC      string          `json:"mac"`
	IP       string          `json:"ip"`
	OldValue string          `json:"old_value"`
	NewValue string          `json:"new_value"`
}
