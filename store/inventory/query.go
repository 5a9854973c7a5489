package inventory

import (
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The queries of the service. Zero fields match everything; Parse*Query
// reads them from parameters (params.go), programs may fill them in
// directly.

// AssetQuery selects, sorts and pages assets.
type AssetQuery struct {
	// Sensor and Site select by the pushing sensor: a central inventory
	// only (Options.Central; FleetParams).
	Sensor, Site string
	Class        model.Class
	Modality     string // DICOM modality of imaging modalities ("CT")
	Vendor       string // substring of the OUI vendor or the manufacturer
	Vantage      string
	VLAN         *uint16
	Zone         string // zone under the current policy
	IP           netip.Addr
	MAC          model.MAC
	Search       string // substring of a hostname, model, AE title, HL7 application
	State        string // active, dormant, retired
	// SeenSince keeps assets last seen at or after it, NewSince assets
	// first seen at or after it.
	SeenSince, NewSince time.Time
	Sort                store.AssetSort
	Limit, Offset       int
}

// AssetRefQuery narrows an asset reference (MAC or IP) to a vantage point
// and VLAN.
type AssetRefQuery struct {
	Sensor, Site string // central only
	Vantage      string
	VLAN         *uint16
}

// ViolationQuery selects and pages violations.
type ViolationQuery struct {
	Sensor, Site        string // central only
	Rule, Severity      string
	Zone                string // either end's
	SrcZone, DstZone    string
	Vantage             string
	VLAN                *uint16
	MAC                 model.MAC
	IP                  netip.Addr
	SeenSince, NewSince time.Time // last seen at or after, first seen at or after
	Desc                bool      // newest first
	Limit, Offset       int
}

// FlowQuery selects and pages flows.
type FlowQuery struct {
	Sensor, Site  string // central only
	Vantage       string
	VLAN          *uint16
	MAC           model.MAC
	IP            netip.Addr
	Proto         uint8
	Port          uint16
	Service       string
	SeenSince     time.Time
	Desc          bool
	Limit, Offset int
}

// EventQuery selects and pages events.
type EventQuery struct {
	Sensor, Site  string // central only
	Type          model.EventType
	Vantage       string
	VLAN          *uint16
	MAC           model.MAC
	IP            netip.Addr
	Since, Until  time.Time
	Desc          bool
	Limit, Offset int
}

// Page is one page of a list: Items are the records from Offset on, at most
// Limit of them (0: no limit), of Total matching.
type Page[T any] struct {
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Items  []T `json:"items"`
}

// window returns the page [offset, offset+limit) of items (limit 0: to
// the end).
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
