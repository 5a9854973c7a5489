package main

import (
	"encoding/json"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// The shapes of assets and events in the golden database dumps
// (golden_test.go, clinical_golden_test.go) and the fields other tests read
// from `assets -o json`; the verbs print inventory.AssetRecord / inventory.EventRecord,
// supersets with the same names.

// assetRecord is the shape of an asset in the golden database dumps
// (golden_test.go) and the fields tests read from `assets -o json`; the
// verb itself prints inventory.AssetRecord, a superset with the same names.
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

// toRecord is the dump of a: the fields of its inventory.AssetRecord
// that assetRecord has.
func toRecord(a model.Asset) assetRecord {
	var r assetRecord
	b, err := json.Marshal(inventory.NewAssetRecord(&a))
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		panic(err)
	}
	return r
}

func rfc3339(t time.Time) string { return inventory.RFC3339(t) }

// eventRecord is the shape of an event in the golden database dumps
// (golden_test.go); the verb prints inventory.EventRecord, a superset with the
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
