package behaviour

// Change metrics: every event that records a change to a device (a new
// device; a class, model, firmware, fingerprint, address or host name
// change; a behaviour change) counted by change type and by whether a
// maintenance window of the policy covered it, and the devices new or
// changed today.

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
)

// Change types (the type label of wardwatch_change_events_total).
const (
	ChangeNewDevice   = "new-device"
	ChangeClass       = "class"
	ChangeModel       = "model"
	ChangeFirmware    = "firmware"
	ChangeFingerprint = "fingerprint" // DHCP fingerprint or vendor class
	ChangeIP          = "ip"
	ChangeHostname    = "hostname"
	ChangeBehaviour   = "behaviour"
)

// ChangeTypes are the change types, each exported (as 0) before it first
// happens. model and firmware count the model-changed and
// firmware-changed events the store writes when better evidence names another model or version.
var ChangeTypes = []string{ChangeNewDevice, ChangeClass, ChangeModel, ChangeFirmware, ChangeFingerprint, ChangeIP,
	ChangeHostname, ChangeBehaviour}

// ChangeType maps an event type to its change type, "" for events that
// record no change to a device (violations, floods, arpwatch's
// new-station, which new-ip already counts).
func ChangeType(t model.EventType) string {
	switch t {
	case model.EventNewDevice:
		return ChangeNewDevice
	case model.EventClassChanged:
		return ChangeClass
	case model.EventNewIP, model.EventIPMoved, model.EventFlipFlop:
		return ChangeIP
	case model.EventHostname:
		return ChangeHostname
	case model.EventVendorClass, model.EventDHCPFingerprint:
		return ChangeFingerprint
	case model.EventViolation, model.EventMACFlood, model.EventNewStation:
		return ""
	}
	if t.IsBehaviour() {
		return ChangeBehaviour
	}
	// Identity changes of later versions: "model-changed" -> "model".
	if s, ok := strings.CutSuffix(string(t), "-changed"); ok && s != "" {
		return s
	}
	return ""
}

// ChangeCount is one series of wardwatch_change_events_total.
type ChangeCount struct {
	Type    string
	Planned bool
	N       uint64
}

// ChangeStats are the change metrics at one time.
type ChangeStats struct {
	Counts []ChangeCount // every type, planned and not, since the tracker started
	// NewToday and ChangedToday are the devices with a new-device event,
	// and those with another change event, since midnight (the sensor's
	// local time) of the clock's day.
	NewToday, ChangedToday int
}

// Tracker counts change events as the store records them: it reads the
// events table from where it left off at each call of Stats (a scrape).
type Tracker struct {
	db  *store.DB
	seg *segment.Segmenter
	now func() time.Time

	mu      sync.Mutex
	started bool
	lastID  int64
	counts  map[ChangeCount]uint64 // N zero in the key
	// days are the devices (asset ids) new or changed, by the day of their
	// latest such event.
	day          time.Time
	newDevs      map[int64]struct{}
	changedDevs  map[int64]struct{}
	zoneCache    map[int64]string
	zoneCacheGen uint64
}

// NewTracker returns a tracker over db's events; seg gives the maintenance
// windows (the policy in force) and the zones; now is the clock (nil: the
// wall's; a replay's capture clock).
func NewTracker(db *store.DB, seg *segment.Segmenter, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{db: db, seg: seg, now: now, counts: map[ChangeCount]uint64{}, newDevs: map[int64]struct{}{},
		changedDevs: map[int64]struct{}{}, zoneCache: map[int64]string{}}
}

// startOfDay is midnight (local time) of t's day.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.Local().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// Stats reads the events recorded since the last call and returns the
// change metrics. The first call starts counting at the newest event (the
// counters count since the sensor started) and reads the day's events for
// the gauges.
func (tr *Tracker) Stats(ctx context.Context) (ChangeStats, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	today := startOfDay(tr.now())
	if !today.Equal(tr.day) {
		tr.day = today
		clear(tr.newDevs)
		clear(tr.changedDevs)
		if tr.started { // the day's first events may have been read already, the previous call
			if err := tr.readDay(ctx); err != nil {
				return ChangeStats{}, err
			}
		}
	}
	if !tr.started {
		last, err := tr.db.LastEventID(ctx)
		if err != nil {
			return ChangeStats{}, err
		}
		tr.lastID = last
		if err := tr.readDay(ctx); err != nil {
			return ChangeStats{}, err
		}
		tr.started = true
	}
	p, gen := tr.seg.Current()
	if gen != tr.zoneCacheGen {
		clear(tr.zoneCache)
		tr.zoneCacheGen = gen
	}
	n := 0
	err := tr.db.EachEvent(ctx, store.EventFilter{AfterID: tr.lastID}, 0,
		func(ctx context.Context, evs []model.Event) error {
			for i := range evs {
				e := &evs[i]
				if e.ID > tr.lastID {
					tr.lastID = e.ID
				}
				n++
				ct := ChangeType(e.Type)
				if ct == "" {
					continue
				}
				planned := false
				if p != nil && len(p.MaintenanceWindows()) > 0 {
					zone := ""
					if p.NeedsZone() {
						zone = tr.zone(ctx, e)
					}
					class, _, _ := tr.db.Classes().Lookup(e.Key)
					_, planned = p.InMaintenance(e.Time, zone, class)
				}
				tr.counts[ChangeCount{Type: ct, Planned: planned}]++
				tr.note(e, ct)
			}
			return nil
		})
	if err != nil {
		return ChangeStats{}, err
	}
	var st ChangeStats
	for _, t := range ChangeTypes {
		for _, planned := range []bool{false, true} {
			k := ChangeCount{Type: t, Planned: planned}
			st.Counts = append(st.Counts, ChangeCount{Type: t, Planned: planned, N: tr.counts[k]})
		}
	}
	for k, v := range tr.counts {
		if !isKnownChange(k.Type) {
			st.Counts = append(st.Counts, ChangeCount{Type: k.Type, Planned: k.Planned, N: v})
		}
	}
	st.NewToday, st.ChangedToday = len(tr.newDevs), len(tr.changedDevs)
	return st, nil
}

func isKnownChange(t string) bool {
	for _, k := range ChangeTypes {
		if k == t {
			return true
		}
	}
	return false
}

// readDay reads the day's change events for the gauges (tr.mu held).
func (tr *Tracker) readDay(ctx context.Context) error {
	return tr.db.EachEvent(ctx, store.EventFilter{Since: tr.day, Until: tr.day.AddDate(0, 0, 1)}, 0,
		func(_ context.Context, evs []model.Event) error {
			for i := range evs {
				if ct := ChangeType(evs[i].Type); ct != "" && evs[i].ID <= tr.lastID {
					tr.note(&evs[i], ct)
				}
			}
			return nil
		})
}

// note counts e's device as new or changed today, if e is of today.
func (tr *Tracker) note(e *model.Event, ct string) {
	if e.AssetID == 0 || e.Time.Before(tr.day) || !e.Time.Before(tr.day.AddDate(0, 0, 1)) {
		return
	}
	if ct == ChangeNewDevice {
		tr.newDevs[e.AssetID] = struct{}{}
		return
	}
	if _, isNew := tr.newDevs[e.AssetID]; !isNew {
		tr.changedDevs[e.AssetID] = struct{}{}
	}
}

// zone is the zone of e's device (cached per policy generation).
func (tr *Tracker) zone(ctx context.Context, e *model.Event) string {
	if z, ok := tr.zoneCache[e.AssetID]; ok {
		return z
	}
	z := ""
	if e.AssetID != 0 {
		if a, err := tr.db.Asset(ctx, e.AssetID); err == nil {
			z = tr.seg.Zone(&a.Asset)
		}
	}
	if len(tr.zoneCache) < 100000 {
		tr.zoneCache[e.AssetID] = z
	}
	return z
}
