// Package inventory is Wardwatch's one inventory service: the answers to
// "which devices are there, what do they do, what changed, what broke
// the policy" that the CLI verbs (wardwatch assets|asset|violations|flows|
// events), the JSON/CSV API and the web page (exporter/api) all give.
//
//	CLI flags ──┐                             ┌─► store (read-only pool)
//	            ├─► Parse*Query ─► Service ──┤
//	URL query ──┘   (ParamError)     │        └─► Zoner (policy/segment)
//	                                  ▼
//	                        Page[…Record], AssetDetailRecord, SummaryRecord
//
// A Service reads the database through Store, which *store.DB satisfies,
// and places assets in zones through Zoner, which cmd wires to the
// segmentation package (policy/segment, the single owner of zones): this
// package imports model, store and fingerprint only. The query parameters
// are parsed here, for both front ends (a flag is the parameter of the same
// name, "-" for "_"), into typed query values; they reach SQL only as
// bound values or keys of fixed tables (store builds the statements).
//
// An asset's lifecycle state (active, dormant, retired) is computed at
// query time from its last-seen time and Options.Lifecycle, relative to
// Options.Now. The records (AssetRecord, ViolationRecord, ...) are the one
// shape each kind of row has in JSON and CSV. See docs/api.md.
package inventory

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// Store is the read API of the inventory database the service uses.
// *store.DB satisfies it.
type Store interface {
	FindAssets(ctx context.Context, f store.AssetFilter) ([]store.AssetDetail, int, error)
	AssetNames(ctx context.Context, ids []int64) (map[int64]store.AssetNames, error)
	Hostnames(ctx context.Context, assetID int64) ([]store.HostnameRow, error)
	Signals(ctx context.Context, assetID int64) ([]store.SignalRow, error)
	Evidence(ctx context.Context, assetID int64) ([]store.EvidenceRow, error)
	DICOM(ctx context.Context, assetID int64) ([]store.DICOMFact, error)
	HL7(ctx context.Context, assetID int64) ([]store.HL7Fact, error)
	FindFlows(ctx context.Context, f store.FlowFilter) ([]store.Flow, int, error)
	FindViolations(ctx context.Context, f store.ViolationFilter) ([]store.Violation, int, error)
	ViolationCounts(ctx context.Context, since time.Time) (store.ViolationCounts, error)
	FindEvents(ctx context.Context, f store.EventFilter) ([]model.Event, int, error)
	// ProbedAt returns the latest ARP liveness probe answer of those of
	// ids that answered one.
	ProbedAt(ctx context.Context, ids []int64) (map[int64]time.Time, error)
	// Each* are the cursors of the Find* (see store.EachAsset): fn gets
	// the context to make its own reads with.
	EachAsset(ctx context.Context, f store.AssetFilter, chunk int, fn func(context.Context, []store.AssetDetail) error) error
	EachFlow(ctx context.Context, f store.FlowFilter, chunk int, fn func(context.Context, []store.Flow) error) error
	EachViolation(ctx context.Context, f store.ViolationFilter, chunk int, fn func(context.Context, []store.Violation) error) error
	EachEvent(ctx context.Context, f store.EventFilter, chunk int, fn func(context.Context, []model.Event) error) error
}

// Zoner places an asset in a zone of the segmentation policy in force:
// "" when there is no policy. policy/segment's Segmenter is the one cmd
// wires; it must be safe for concurrent use.
type Zoner interface {
	Zone(a *model.Asset) string
}

// Liveness judges critical devices (the policy file's critical section):
// policy/segment's Segmenter is the one cmd wires. Liveness returns
// whether the asset is critical and, if so, its liveness state at now
// ("silent", "sleeping", "alive-by-probe", or "" when heard in time) from
// its last-seen time and probed, its latest probe answer (zero: none).
type Liveness interface {
	HasCritical() bool
	Liveness(a *model.Asset, probed, now time.Time) (critical bool, state string)
}

// Options configure New. Store is required.
type Options struct {
	Store Store
	// Zones places assets in zones; nil leaves every zone "".
	Zones Zoner
	// Liveness judges critical devices; nil: none is critical.
	Liveness Liveness
	// ListeningSince is when the sensor behind the answers started to
	// listen (the daemon's start); zero: not known (the CLI, replay). A
	// critical device is judged as if heard at that time at the latest, so
	// a restart after an outage does not make every critical device silent
	// before the sensor had its interval to hear it.
	ListeningSince time.Time
	// Lifecycle thresholds; zero fields take the defaults.
	Lifecycle Lifecycle
	// Now is the clock states and relative times are computed against.
	// Default time.Now.
	Now func() time.Time
	// Central says Store is the central inventory of many sensors
	// (store/central): queries may select by sensor and site (FleetParams),
	// records carry them, and CSV has their columns first (CSVHeader).
	Central bool
	// Advisories returns the manufacturer advisories in force (nil: none);
	// the daemon swaps them on reload. Nil: no advisories.
	Advisories func() *advisory.Set
}

// Service answers inventory queries for the CLI, the API and the web page.
// It is safe for concurrent use.
type Service struct {
	st    Store
	zones Zoner
	live  Liveness
	since time.Time // Options.ListeningSince
	life  Lifecycle
	now   func() time.Time
	fleet bool

	summary cached[summary]
	matrix  cached[MatrixRecord]

	advisories   func() *advisory.Set
	advisoryScan cached[advisoryScan]
}

// New returns a Service over o.Store. It panics if o.Store is nil.
func New(o Options) *Service {
	if o.Store == nil {
		panic("inventory: Options.Store is nil")
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
	if o.Zones == nil {
		o.Zones = noZones{}
	}
	s := &Service{st: o.Store, zones: o.Zones, live: o.Liveness, since: o.ListeningSince, life: o.Lifecycle, now: o.Now,
		fleet: o.Central, advisories: o.Advisories}
	s.advisoryScan.ttl = AdvisoryTTL
	return s
}

// Central reports whether the service answers from a central inventory
// (Options.Central).
func (s *Service) Central() bool { return s.fleet }

// CSVHeader is header (AssetCSVHeader, ...) as the service's CSV has it:
// with the sensor and site columns first on a central inventory.
func (s *Service) CSVHeader(header []string) []string {
	if !s.fleet {
		return header
	}
	return append([]string{"sensor", "site"}, header...)
}

// checkFleet refuses a sensor or site selection on a sensor's own
// inventory, which has neither.
func (s *Service) checkFleet(sensor, site string) error {
	if s.fleet || (sensor == "" && site == "") {
		return nil
	}
	param := "sensor"
	if sensor == "" {
		param = "site"
	}
	return &ParamError{Param: param, Msg: "selects a sensor of a central inventory: this is one sensor's own database"}
}

type noZones struct{}

func (noZones) Zone(*model.Asset) string { return "" }

// Now returns the service's clock: what relative times ("24h") in
// queries are taken back from.
func (s *Service) Now() time.Time { return s.now() }

// Lifecycle returns the thresholds in use.
func (s *Service) Lifecycle() Lifecycle { return s.life }
