// Package segment is the one owner of segmentation of the inventory: it
// answers "which policy endpoint is this device or this flow end, and
// which zone is it in" for every consumer, so that the same device gets the
// same answer everywhere.
//
//	model.Asset ──────────► AssetEndpoint ──┐
//	                                       ├─► policy.Endpoint ─► Policy.ZoneOf / Evaluate
//	flow end + EndFacts ──► FlowEndpoints ──┘
//
// Who calls it:
//
//   - the asset counts of /metrics (cmd/wardwatch), the CLI verbs, the
//     inventory API and the web page place an asset with Segmenter.Zone;
//   - the live policy checker (Checker, the sensor's Sink in front of the
//     store) builds both ends of every flow report with FlowEndpoints and
//     emits the violation observations, the violation metric and the SIEM
//     events from that one verdict;
//   - `policy simulate` and `policy learn` get their input from
//     ObservedFlows: the stored flows (with what the inventory knows about
//     both ends, model.FlowFacts) turned into endpoints by the same
//     FlowEndpoints, so a simulation gives the verdicts the live checker
//     gives.
//
// The package imports model and policy only; it knows nothing of the
// store, the sensor or the exporters. What it needs from them is
// declared here as small interfaces (Store, Classes) that cmd wires.
package segment

import (
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// AssetEndpoint returns the policy endpoint of an asset: its vantage, VLAN
// and MAC, its device class (model.ClassUnknown until classified),
// the address AssetIP picks and its own latest DICOM AE title
// (model.Asset.AETitle).
func AssetEndpoint(a *model.Asset) policy.Endpoint {
	return policy.Endpoint{Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, MAC: a.Key.MAC, IP: AssetIP(a),
		Class: a.Class.OrUnknown(), AETitle: trimAE(a.AETitle)}
}

// AssetIP is the address an asset is placed by: its first IPv4 address
// (addresses in the order the store lists them: by first seen), else its
// first address, else the IP it is keyed by (link types without MACs); the
// invalid Addr when it has none.
func AssetIP(a *model.Asset) netip.Addr {
	if a.Key.KeyedByIP() {
		return a.Key.IP
	}
	for _, ad := range a.Addresses {
		if ad.IP.Is4() {
			return ad.IP
		}
	}
	if len(a.Addresses) > 0 {
		return a.Addresses[0].IP
	}
	return netip.Addr{}
}

// trimAE drops the padding DICOM allows around an AE title (spaces, NULs),
// as the policy and the store compare titles without it.
func trimAE(s string) string { return strings.Trim(s, " \x00") }

// Segmenter answers zone questions under the segmentation policy in force:
// a Holder's current policy at each call (a reload applies at once), or a
// fixed one. A nil policy puts everything in zone "" (no policy). It is
// safe for concurrent use.
type Segmenter struct {
	current func() (*policy.Policy, uint64)
}

// New returns the Segmenter of the policy h holds at each call.
func New(h *policy.Holder) *Segmenter {
	return &Segmenter{current: h.Current}
}

// Fixed returns the Segmenter of one policy; nil p means no policy.
func Fixed(p *policy.Policy) *Segmenter {
	return &Segmenter{current: func() (*policy.Policy, uint64) { return p, 1 }}
}

// Policy returns the policy in force, nil when there is none.
func (s *Segmenter) Policy() *policy.Policy {
	p, _ := s.Current()
	return p
}

// Current returns the policy in force and its generation (see
// policy.Holder.Generation), read together.
func (s *Segmenter) Current() (*policy.Policy, uint64) {
	if s == nil || s.current == nil {
		return nil, 0
	}
	return s.current()
}

// Zone returns the zone of an asset (see AssetEndpoint), "" without a
// policy.
func (s *Segmenter) Zone(a *model.Asset) string {
	e := AssetEndpoint(a)
	return s.EndpointZone(&e)
}

// EndpointZone returns the zone of an endpoint built by AssetEndpoint or
// FlowEndpoints, "" without a policy.
func (s *Segmenter) EndpointZone(e *policy.Endpoint) string {
	p := s.Policy()
	if p == nil {
		return ""
	}
	return p.ZoneOf(e)
}

// Critical returns the critical entry of the policy in force that matches
// an asset (by its MAC, class and zone, see policy.CriticalOf), nil when
// the asset is not critical or there is no policy.
func (s *Segmenter) Critical(a *model.Asset) *policy.CriticalInfo {
	p := s.Policy()
	if p == nil || len(p.Critical()) == 0 {
		return nil
	}
	e := AssetEndpoint(a)
	return p.CriticalOf(a.Key.MAC, e.Class, p.ZoneOf(&e))
}

// Liveness returns the liveness of an asset at now: whether it is
// critical, and its policy.Liveness* state ("" when heard in time) from
// its last-seen time and probed, its latest answer to the ARP liveness
// probe (zero: none). The inventory's states, the metrics and the daemon's
// silent events all come from here.
func (s *Segmenter) Liveness(a *model.Asset, probed, now time.Time) (critical bool, state string) {
	c := s.Critical(a)
	if c == nil {
		return false, ""
	}
	state, _ = c.Liveness(a.LastSeen, probed, now)
	return true, state
}

// HasCritical reports whether the policy in force has a critical section.
func (s *Segmenter) HasCritical() bool {
	return len(s.Policy().Critical()) > 0
}
