// Package api is Wardwatch's read-only view of the inventory for people and
// scripts: the queries behind `wardwatch assets|asset|violations|flows|events`,
// the JSON/CSV HTTP API under /api/v1/ and the web page under /ui/ (server-
// rendered from templates embedded in the binary: no build step, no CDN).
//
// Everything reads the database through Store, which *store.DB satisfies,
// on its read-only connection pool; the daemon mounts the handlers with
// exporter.Server.Handle, so they sit behind the same listeners, TLS and
// basic auth as /metrics. Parameters are parsed and validated here (a bad
// one is a *ParamError naming it) and reach SQL only as bound values or as
// keys of fixed tables. See docs/api.md.
//
// Zones come from the segmentation policy through Options.Zone; an asset's
// lifecycle state (active, dormant, retired) is computed at query time from
// its last-seen time and Options.Lifecycle, relative to Options.Now.
package api

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/store"
)

// Store is the read API of the inventory database the package uses.
// *store.DB satisfies it.
type Store interface {
	AssetDetails(ctx context.Context, f store.AssetFilter) ([]store.AssetDetail, error)
	CountAssets(ctx context.Context, f store.AssetFilter) (int, error)
	AssetNames(ctx context.Context, ids []int64) (map[int64]store.AssetNames, error)
	Hostnames(ctx context.Context, assetID int64) ([]store.HostnameRow, error)
	Evidence(ctx context.Context, assetID int64) ([]store.EvidenceRow, error)
	DICOM(ctx context.Context, assetID int64) ([]store.DICOMFact, error)
	HL7(ctx context.Context, assetID int64) ([]store.HL7Fact, error)
	Flows(ctx context.Context, f store.FlowFilter) ([]store.Flow, error)
	CountFlows(ctx context.Context, f store.FlowFilter) (int, error)
	Violations(ctx context.Context, f store.ViolationFilter) ([]store.Violation, error)
	CountViolations(ctx context.Context, f store.ViolationFilter) (int, error)
	Events(ctx context.Context, f store.EventFilter) ([]model.Event, error)
	CountEvents(ctx context.Context, f store.EventFilter) (int, error)
}

var _ Store = (*store.DB)(nil)

// Asset lifecycle states.
const (
	StateActive  = "active"  // seen within Lifecycle.DormantAfter
	StateDormant = "dormant" // not seen for DormantAfter, seen within RetiredAfter
	StateRetired = "retired" // not seen for RetiredAfter
)

// States are the lifecycle states, in order.
var States = []string{StateActive, StateDormant, StateRetired}

// Lifecycle holds the thresholds of the asset lifecycle
// (configs.InventoryConfig).
type Lifecycle struct {
	DormantAfter time.Duration
	RetiredAfter time.Duration
}

// Default lifecycle thresholds, as configs.Default has them.
const (
	DefaultDormantAfter = 7 * 24 * time.Hour
	DefaultRetiredAfter = 90 * 24 * time.Hour
)

// State returns the state of an asset last seen at lastSeen, at now.
func (l Lifecycle) State(lastSeen, now time.Time) string {
	idle := now.Sub(lastSeen)
	switch {
	case idle >= l.RetiredAfter:
		return StateRetired
	case idle >= l.DormantAfter:
		return StateDormant
	}
	return StateActive
}

// bounds returns the last-seen range [since, before) of state at now; zero
// times are open ends.
func (l Lifecycle) bounds(state string, now time.Time) (since, before time.Time) {
	switch state {
	case StateActive:
		return now.Add(-l.DormantAfter), time.Time{}
	case StateDormant:
		return now.Add(-l.RetiredAfter), now.Add(-l.DormantAfter)
	case StateRetired:
		return time.Time{}, now.Add(-l.RetiredAfter)
	}
	return time.Time{}, time.Time{}
}

// ZoneFunc returns the zone of an endpoint under the current policy, ""
// when there is no policy.
type ZoneFunc func(policy.Endpoint) string

// HolderZones returns the ZoneFunc of the policy h holds at each call (so a
// reload takes effect at once): "" while it holds none.
func HolderZones(h *policy.Holder) ZoneFunc {
	return func(e policy.Endpoint) string {
		p := h.Load()
		if p == nil {
			return ""
		}
		return p.ZoneOf(&e)
	}
}

// PolicyZones returns the ZoneFunc of a fixed policy; nil p gives "".
func PolicyZones(p *policy.Policy) ZoneFunc {
	return func(e policy.Endpoint) string {
		if p == nil {
			return ""
		}
		return p.ZoneOf(&e)
	}
}

// Options configure New. Store is required.
type Options struct {
	Store Store
	// Zone computes an asset's zone; nil leaves every zone "".
	Zone ZoneFunc
	// Lifecycle thresholds; zero fields take the defaults.
	Lifecycle Lifecycle
	// Now is the clock states and relative times are computed against.
	// Default time.Now.
	Now func() time.Time
	// Logger receives errors the handlers answer with 500. Default none.
	Logger *zap.Logger
	// Version is shown in the web page's footer.
	Version string
}

// Inventory answers inventory queries for the CLI, the API and the web page.
type Inventory struct {
	st      Store
	zone    ZoneFunc
	life    Lifecycle
	now     func() time.Time
	log     *zap.Logger
	version string

	// summary caches Summary for SummaryTTL: every page shows it, and it
	// reads every asset.
	summary struct {
		sync.Mutex
		at  time.Time
		rec *SummaryRecord
	}
}

// SummaryTTL is how long Summary reuses its last answer.
const SummaryTTL = 10 * time.Second

// New returns an Inventory over o.Store. It panics if o.Store is nil.
func New(o Options) *Inventory {
	if o.Store == nil {
		panic("api: Options.Store is nil")
	}
	if o.Lifecycle.DormantAfter <= 0 {
		o.Lifecycle.DormantAfter = DefaultDormantAfter
	}
	if o.Lifecycle.RetiredAfter <= 0 {
		o.Lifecycle.RetiredAfter = DefaultRetiredAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Zone == nil {
		o.Zone = func(policy.Endpoint) string { return "" }
	}
	return &Inventory{st: o.Store, zone: o.Zone, life: o.Lifecycle, now: o.Now, log: o.Logger, version: o.Version}
}

// Lifecycle returns the thresholds in use.
func (inv *Inventory) Lifecycle() Lifecycle { return inv.life }

// zoneOf computes the zone of an asset the way the daemon's policy checker
// and its metrics see the asset: its MAC, VLAN, class, first IPv4 address
// (else first address, else key IP) and latest AE title.
func (inv *Inventory) zoneOf(a *store.AssetDetail, names store.AssetNames) string {
	e := policy.Endpoint{Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, MAC: a.Key.MAC, Class: a.Class.OrUnknown(), IP: firstIP(&a.Asset)}
	if len(names.AETitles) > 0 {
		e.AETitle = names.AETitles[0]
	}
	return inv.zone(e)
}

func firstIP(a *model.Asset) netip.Addr {
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
