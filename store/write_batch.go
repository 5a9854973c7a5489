package store

// Write-behind. The writer goroutine applies each observation to its
// in-memory state as it arrives (batch.apply, dispatching to the method of
// its concern), which is the truth until the next flush. A flush is sealed
// from the batch (a copy of what changed since the last one) and written in
// one transaction, on the flusher goroutine while the writer goes on
// applying observations: each changed row once, by id, with the counters
// the observations added up in memory. Flushes are written one at a time,
// in order.
//
//	write_cache.go       the in-memory state: rows known, ids, pending changes
//	write_assets.go      activity; assets (created; one new-device event each, last in the flush), the owner of an address
//	write_arpwatch.go    addresses and ARP/DHCP bindings with arpwatch's events
//	write_dhcp.go        DHCPv4 fingerprints and names
//	write_flows.go       flows and their server end
//	write_violations.go  policy violations
//	write_dicom.go       DICOM associations (written at the flush, in order)
//	write_hl7.go         HL7 v2 messages (written at the flush, in order)
//	write_signals.go     the passive decoders' signals (written at the flush, in order)
//	write_baselines.go   behaviour baseline items and their events
//	write_events.go      the events table (written at the flush, in order; new-device events last)
//	write_liveness.go    answers to the ARP liveness probe (probe_answers)
//	classify.go          classification of the assets whose facts changed, once per flush (classify_facts.go: their facts)
//
// write_statements.go holds the SQL of every statement the writer runs.
//
// Observations are applied in the order they arrive, so every decision
// (is this asset, address, binding, violation new; which asset owns an
// address; which event) is the one the same observations applied one by
// one to the database would make. Lookups of rows the state does not hold
// read the database outside any transaction: the rows pending in memory are
// never trimmed, so a row absent from both is absent.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// batch is everything applied since the last seal: the observations'
// count and the changed state. seal turns it into a flush.
type batch struct {
	db  *DB
	ctx context.Context

	obs     int // observations applied since the last seal
	changes int // rows changed (each counted once) and DICOM/HL7 reports: Options.FlushSize counts these
	invalid uint64
	ignored uint64

	assets   []*assetState // created or changed
	addrs    []*addrState
	hosts    map[hostKey]*hostSpan
	binds    []*bindState
	flows    []*flowState
	viols    []*violationState
	events   []eventRow
	clinical []clinicalOp
	probes   []probeRow // write_liveness.go
	signals  []signalOp
	// baselines are behaviour baseline items (written once, in order).
	baselines []baselineRow
	// dirty are the assets whose fingerprint facts changed, to classify at
	// the flush (only with Options.Classifier).
	dirty dirtySet
	// deferred are the assets whose facts changed only in counts between
	// steps (markGrown): classified at the next settling seal.
	deferred dirtySet
	// flowsChanged are the assets whose flow facts (served ports, their
	// clients, routed addresses) may have changed: their cached flow facts
	// are dropped at the flush (see factsCache).
	flowsChanged map[int64]struct{}
	// flowsChangedIPs are the servers' addresses of new flows whose server
	// end is on the link but not resolved to an asset: the flow facts of
	// the assets that have the address may have changed.
	flowsChangedIPs map[netip.Addr]struct{}
	// index are the changes to publish in DB.Classes once committed.
	index []indexOp
	// fresh are the assets created since the last seal: their new-device
	// event is written at the end of the flush, with the first IP and the
	// class the flush learned, instead of new-ip, new-station and
	// class-changed events.
	fresh map[int64]*freshDevice
}

func (b *batch) init(db *DB) {
	b.db = db
	b.ctx = context.Background()
	b.hosts = make(map[hostKey]*hostSpan)
	b.dirty = make(dirtySet)
	b.deferred = make(dirtySet)
	b.flowsChanged = make(map[int64]struct{})
	b.flowsChangedIPs = make(map[netip.Addr]struct{})
	b.fresh = make(map[int64]*freshDevice)
}

// lookup returns the statement id on the writer's lookup connection: for
// rows the cache does not hold, read outside any flush (a flush may be
// under way on the write connection). The rows a flush under way writes
// are all in the cache, so what the lookup reads is what the database
// will hold.
func (b *batch) lookup(id stmtID) (*sql.Stmt, error) {
	return b.db.lookupStmt(id)
}

// empty reports whether nothing is pending.
func (b *batch) empty() bool { return b.obs == 0 }

// unsettled reports whether assets wait for a settling seal.
func (b *batch) unsettled() bool { return len(b.deferred) > 0 }

// take applies one observation to the in-memory state. An error (a lookup
// the database failed) leaves the observation applied in part: each step
// is whole in memory.
func (b *batch) take(o *model.Observation) error {
	c := &b.db.cache
	if !c.loaded {
		if err := c.load(b.ctx, b.db); err != nil {
			return fmt.Errorf("load writer state: %w", err)
		}
	}
	b.obs++
	if err := b.apply(o); err != nil {
		return fmt.Errorf("%s observation of %s: %w", o.Kind, o.Key, err)
	}
	return nil
}

// changed counts a row that became dirty.
func (b *batch) changed() { b.changes++ }

// pend adds v to the pending list the first time it becomes dirty.
func pend[T any](b *batch, dirty *bool, list *[]T, v T) {
	if !*dirty {
		*dirty = true
		*list = append(*list, v)
		b.changed()
	}
}

// seal hands the pending changes over to a flush: a copy of every changed
// row, and the events, DICOM/HL7 reports and assets to classify. The rows
// are marked clean (and stored) at once: the next changes to them are the
// next flush's, which is written after this one. With settle, the
// deferred assets are classified too; otherwise those the flush classifies
// anyway leave the deferred set.
func (b *batch) seal(settle bool) *flush {
	for id, d := range b.deferred {
		if settle || b.dirty[id] != nil {
			b.dirty.mark(b.db, d.a, d.t) // the later of the two times
			delete(b.deferred, id)
		}
	}
	f := &flush{db: b.db, ctx: b.ctx, obs: b.obs, invalid: b.invalid, ignored: b.ignored,
		hosts: b.hosts, events: b.events, clinical: b.clinical, signals: b.signals, dirty: b.dirty, index: b.index,
		fresh: b.fresh, flowsChanged: b.flowsChanged, flowsChangedIPs: b.flowsChangedIPs, probes: b.probes, baselines: b.baselines}
	f.assets = sealRows(b.assets, (*assetState).clean)
	f.addrs = sealRows(b.addrs, (*addrState).clean)
	f.binds = sealRows(b.binds, (*bindState).clean)
	f.flows = sealRows(b.flows, (*flowState).clean)
	f.viols = sealRows(b.viols, (*violationState).clean)
	for _, d := range f.dirty {
		d.clinical = d.a.clinical
	}
	for i := range f.signals {
		f.signals[i].clinical = f.signals[i].a.clinical
	}
	b.assets, b.addrs, b.binds, b.flows, b.viols = b.assets[:0], b.addrs[:0], b.binds[:0], b.flows[:0], b.viols[:0]
	b.hosts, b.dirty, b.fresh = make(map[hostKey]*hostSpan), make(dirtySet), make(map[int64]*freshDevice)
	b.flowsChanged, b.flowsChangedIPs = make(map[int64]struct{}), make(map[netip.Addr]struct{})
	b.events, b.clinical, b.signals, b.index, b.probes, b.baselines = nil, nil, nil, nil, nil, nil
	b.obs, b.changes, b.invalid, b.ignored = 0, 0, 0, 0
	return f
}

// sealRows copies the rows and marks the originals clean.
func sealRows[T any](rows []*T, clean func(*T)) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = *r
		clean(r)
		rows[i] = nil
	}
	return out
}

// forget drops the pending changes (when a failed flush is given up).
func (b *batch) forget() {
	_ = b.seal(false) // discarded: the cache is reset too
	clear(b.deferred)
}

// flush is one transaction's worth of changes, sealed from a batch: copies
// of the changed rows, so that the writer goroutine goes on applying
// observations while a flush is written.
type flush struct {
	db   *DB
	ctx  context.Context
	tx   *sql.Tx
	st   [numStmts]*sql.Stmt // tx-bound, made on first use
	args []any               // insert's
	nv   []driver.NamedValue // execRaw's

	obs     int
	invalid uint64
	ignored uint64

	assets   []assetState
	addrs    []addrState
	hosts    map[hostKey]*hostSpan
	binds    []bindState
	flows    []flowState
	viols    []violationState
	events   []eventRow
	clinical []clinicalOp
	probes   []probeRow
	signals  []signalOp
	dirty    dirtySet
	fresh    map[int64]*freshDevice
	// flowsChanged, flowsChangedIPs: see batch.flowsChanged.
	flowsChanged    map[int64]struct{}
	flowsChangedIPs map[netip.Addr]struct{}
	// baselines are behaviour baseline items.
	baselines []baselineRow
	// index are the changes to publish in DB.Classes once committed: those
	// of the applied observations, and those a commit attempt makes
	// (flushIndex, reset by each attempt).
	index, flushIndex []indexOp
	// quiet and loud are the classified assets whose evidence shows no
	// count, and those whose may (sortQuiet, each attempt).
	quiet, loud []int64
	// noClinical are the classified assets found to have no DICOM or HL7
	// rows (the writer notes it once the flush is committed).
	noClinical []*assetState

	err      error
	duration time.Duration
	// steps is the time each step of commit took (FlushSteps), this
	// attempt; a failed attempt's steps stop at the one that failed.
	steps [NumFlushSteps]time.Duration
}

// writeSteps are the steps of a flush before its COMMIT, in order: the
// name FlushSteps gives it, the words of its error, what it runs.
var writeSteps = [NumFlushSteps - 1]struct {
	name, what string
	run        func(*flush) error
}{
	{"assets", "assets", (*flush).writeAssets},
	{"addresses", "addresses", (*flush).writeAddresses},
	{"host_names", "host names", (*flush).writeHosts},
	{"bindings", "bindings", (*flush).writeBindings},
	{"flows", "flows", (*flush).writeFlows},
	{"violations", "violations", (*flush).writeViolations},
	{"baselines", "baselines", (*flush).writeBaselines},
	{"events", "events", (*flush).writeEvents},
	{"probe_answers", "probe answers", (*flush).writeProbes},
	{"clinical", "DICOM and HL7", (*flush).writeClinical},
	{"signals", "signals", (*flush).writeSignals},
	{"classification", "classification", (*flush).classify},
	{"new_device_events", "new-device events", (*flush).newDevices},
}

// FlushSteps name the steps of a flush, in the order it runs them, the
// last being SQLite's COMMIT (WriterStats.StepTime, and the metric
// wardwatch_store_flush_step_seconds_total).
var FlushSteps = func() (names [NumFlushSteps]string) {
	for i, s := range writeSteps {
		names[i] = s.name
	}
	names[NumFlushSteps-1] = "commit"
	return names
}()

const NumFlushSteps = 14

// stepSummary lists the steps that took 1 ms or more, e.g. "flows=21ms
// violations=30ms commit=40ms", for the flush's debug log line.
func (f *flush) stepSummary() string {
	var b strings.Builder
	for i, d := range f.steps {
		if d < time.Millisecond {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(FlushSteps[i])
		b.WriteByte('=')
		b.WriteString(d.Round(time.Millisecond).String())
	}
	return b.String()
}

// stmt returns the statement id bound to the flush's transaction.
func (f *flush) stmt(id stmtID) *sql.Stmt {
	if f.st[id] == nil {
		f.st[id] = f.tx.StmtContext(f.ctx, f.db.stmts.s[id])
	}
	return f.st[id]
}

func (f *flush) exec(id stmtID, args ...any) (sql.Result, error) {
	return f.execRaw(id, args)
}

// insert runs the INSERT id for n rows, in order: row appends the i-th
// row's values to args. (Multi-row INSERTs measured no cheaper.)
func (f *flush) insert(id stmtID, n int, row func(i int, args []any) []any) error {
	args := f.args[:0]
	for i := range n {
		args = row(i, args[:0])
		if _, err := f.exec(id, args...); err != nil {
			return err
		}
	}
	clear(args)
	f.args = args[:0]
	return nil
}

// news returns the indexes i < n for which isNew(i): the rows to insert.
func news(n int, isNew func(i int) bool) []int {
	var out []int
	for i := range n {
		if isNew(i) {
			out = append(out, i)
		}
	}
	return out
}

// rows is the number of rows the flush writes.
func (f *flush) rows() int {
	return len(f.assets) + len(f.addrs) + len(f.hosts) + len(f.binds) + len(f.flows) + len(f.viols) +
		len(f.events) + len(f.fresh) + len(f.clinical) + len(f.probes) + len(f.signals) + len(f.baselines)
}

// commit writes the flush in one transaction: new and changed rows, events
// in order, DICOM and HL7 reports and signals in order, then the classification of the
// assets whose facts changed. It may run on the flusher goroutine; a failed
// commit can be retried as is.
func (f *flush) commit() error {
	start := time.Now()
	f.db.commits.Add(1)
	defer func() { f.duration = time.Since(start) }()
	tx, err := f.db.wdb.BeginTx(f.ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	f.tx = tx
	f.flushIndex, f.noClinical = f.flushIndex[:0], f.noClinical[:0]
	defer func() {
		f.tx = nil
		clear(f.st[:])
	}()
	f.steps = [NumFlushSteps]time.Duration{}
	t := time.Now()
	for i, s := range writeSteps {
		err := s.run(f)
		now := time.Now()
		f.steps[i], t = now.Sub(t), now
		if err != nil {
			tx.Rollback()
			f.db.facts.reset() // may hold what was rolled back
			return fmt.Errorf("write %s: %w", s.what, err)
		}
	}
	err = tx.Commit()
	f.steps[NumFlushSteps-1] = time.Since(t)
	if err != nil {
		f.db.facts.reset()
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// apply applies one observation. Each kind has its own method, in the file
// of its concern (write_*.go).
func (b *batch) apply(o *model.Observation) error {
	key, ok := normKey(o.Key)
	if !ok {
		b.invalid++
		return nil
	}
	t := o.Time
	if t.IsZero() {
		t = b.db.opts.Now()
	}
	switch o.Kind {
	case model.ObsActivity:
		return b.activity(key, o, t)
	case model.ObsAddress:
		return b.addressObs(key, o, t)
	case model.ObsARP, model.ObsDHCPAck:
		return b.bindingObs(key, o, t)
	case model.ObsDHCP:
		return b.dhcpObs(key, o, t)
	case model.ObsFlow:
		if o.Flow != nil {
			return b.flow(key, o, t)
		}
	case model.ObsViolation:
		if o.Flow != nil && o.Violation != nil {
			return b.violation(key, o, t)
		}
	case model.ObsDICOM:
		if d := o.DICOM; d != nil && (d.Role == model.RoleSCU || d.Role == model.RoleSCP) {
			return b.clinicalObs(key, o, t)
		}
	case model.ObsHL7:
		if h := o.HL7; h != nil && (h.Role == model.RoleSender || h.Role == model.RoleReceiver) {
			return b.clinicalObs(key, o, t)
		}
	case model.ObsMACFlood:
		b.macFlood(key, t)
		return nil
	case model.ObsEvent:
		if e := o.Event; e != nil && e.Type.Valid() {
			return b.eventObs(key, o, t)
		}
	case model.ObsProbe:
		return b.probeObs(key, o, t)
	case model.ObsSignal:
		if s := o.Signal; s != nil && s.Source != "" && s.Value != "" {
			return b.signalObs(key, o, t)
		}
	case model.ObsBehaviour:
		if o.Behaviour != nil {
			return b.behaviourObs(key, o, t)
		}
	}
	b.ignored++ // a kind this schema does not persist, or one without its details
	return nil
}

// normKey returns the key in the form the database keys assets by, and
// whether it names a device at all.
func normKey(k model.AssetKey) (model.AssetKey, bool) {
	if k.VLAN > 4095 {
		return k, false
	}
	if !k.MAC.IsZero() {
		k.IP = netip.Addr{}
		return k, !k.MAC.IsGroup()
	}
	k.IP = normIP(k.IP)
	return k, k.IP.IsValid() && !k.IP.IsUnspecified()
}

func normIP(ip netip.Addr) netip.Addr { return ip.Unmap().WithZone("") }

// usableIP reports whether ip can be an address binding (not a probe's
// 0.0.0.0).
func usableIP(ip netip.Addr) bool { return ip.IsValid() && !ip.IsUnspecified() }

// minNS and maxNS merge times in stored form, 0 being none.
func minNS(a, b int64) int64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

func maxNS(a, b int64) int64 { return max(a, b) }

func seenBefore(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
