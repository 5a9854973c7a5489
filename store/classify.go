package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// Classifier classifies an asset from its facts; *fingerprint.Engine is
// one. Classify must be deterministic; the writer's flusher goroutine calls
// it, one call at a time.
//
// With Options.Classifier set, every asset whose facts changed since the
// last flush is classified once, before the flush commits, from facts
// rebuilt from the database (vendor, randomized, DHCP fields, host name,
// dicom_* and hl7_* rows folded with Facts.AddDICOM and Facts.AddHL7; the
// latter two read only for assets that may have such rows). Facts change with a
// new MAC-keyed asset (vendor, randomized MAC, hypervisor prefix), every
// DHCP client message, every DICOM observation, and an HL7 observation that
// adds a row, a first acknowledgement, a message type or an equipment
// identifier; a new client of one of its ports or a new address routed
// through its MAC changes them too, but classifies the asset only when the
// count reaches a step (batch.markGrown), the counts between steps being
// classified at the next settle (Flush, Close, every settleInterval). The
// flow facts (served ports, clients, routed addresses) are read from the
// database only when they may have changed (factsCache).
//
// A result replaces the asset's classification when fingerprint.Better
// says so (for an unclassified asset: as soon as any rule sets a class).
// Then class, confidence, strength, modality, manufacturer, model and OS
// are the result's (keeping the current manufacturer, model, OS or
// modality where the result has none and the class is unchanged), the
// evidence rows are replaced, and if the class value changed,
// class_changed_at is set and a class-changed event (old class -> new
// class) is recorded. That includes the first classification, unknown ->
// class: every change of the class value is an event, so a consumer tailing
// events sees each asset's class history (filter on old_value unknown to
// drop first classifications).
//
// A result that is not better but has the same class fills in the
// manufacturer, model, OS and modality the asset lacks; when it is exactly
// as strong and confident its evidence also replaces the stored list (a
// re-reading of the same classification, possibly with more evidence).
// Weaker results change nothing else; a result of class unknown never
// replaces a class.
type Classifier interface {
	Classify(*fingerprint.Facts) fingerprint.Result
}

// SignalReader is implemented by a Classifier that can say which signal
// sources its rules read (fingerprint.Engine.ReadsSignal): a new value of
// a source it does not read is stored with the asset's facts but does not
// classify the asset again. Without it every new signal value does.
type SignalReader interface {
	ReadsSignal(model.EvidenceSource) bool
}

// SignalValueReader is implemented by a Classifier that can say which
// values of a source its rules read (fingerprint.Engine.ReadsSignalValue):
// a new value none of them matches is stored with the asset's facts but
// does not classify the asset again.
type SignalValueReader interface {
	ReadsSignalValue(src model.EvidenceSource, value string) bool
}

// readsSignal reports whether a new signal value of source src may change
// the asset's classification.
func (db *DB) readsSignal(src model.EvidenceSource, value string) bool {
	if r, ok := db.opts.Classifier.(SignalValueReader); ok {
		return r.ReadsSignalValue(src, value)
	}
	r, ok := db.opts.Classifier.(SignalReader)
	return !ok || r.ReadsSignal(src)
}

// ServedReader is implemented by a Classifier that can say for which
// served ports a first client may change its result
// (fingerprint.Engine.ReadsServed): the first client of another port is
// kept in the server's flow facts but classifies it again only at the next
// settle. Without it the first client of every port classifies its server.
type ServedReader interface {
	ReadsServed(proto uint8, port uint16) bool
}

// servedCountMatters reports whether n distinct clients of the server's
// proto/port may change its classification (markGrown).
func (db *DB) servedCountMatters(proto uint8, port uint16, n int) bool {
	if n == 1 {
		r, ok := db.opts.Classifier.(ServedReader)
		return !ok || r.ReadsServed(proto, port)
	}
	return fingerprint.ServedCountMatters(proto, port, n)
}

// dirtyAsset is an asset whose fingerprint facts changed since the last
// flush, with the latest capture time among the observations that changed
// them (the time of its evidence, class-changed event and
// class_changed_at), and whether it has DICOM or HL7 rows (as the writer
// knew when the flush was sealed).
type dirtyAsset struct {
	a        *assetState
	t        time.Time
	clinical int8
	done     bool // classified in this flush's attempt since it was last marked
}

// dirtySet are the assets to classify at a flush, by id.
type dirtySet map[int64]*dirtyAsset

// mark schedules the asset's classification (see Classifier for when facts
// change). Whether it has DICOM or HL7 rows is taken from the asset when
// the batch is sealed; a mark on the flusher, after that, says so itself
// (markAs).
func (s dirtySet) mark(db *DB, a *assetState, t time.Time) { s.markAs(db, a, t, clinicalSome) }

// markAs is mark for the flusher: clinical is whether the asset has DICOM
// or HL7 rows as the writer knew when it sealed the batch (clinicalSome
// when the flush writes some). The facts of an asset known to have none
// are read without the DICOM and HL7 queries.
func (s dirtySet) markAs(db *DB, a *assetState, t time.Time, clinical int8) {
	if db.opts.Classifier == nil {
		return
	}
	if d := s[a.id]; d != nil {
		if t.After(d.t) {
			d.t = t
		}
		d.done = false
		d.clinical = mergeClinical(d.clinical, clinical)
		return
	}
	s[a.id] = &dirtyAsset{a: a, t: t, clinical: clinical}
}

// mergeClinical is what two accounts of whether an asset has DICOM or HL7
// rows say together: some if either knows of some, else unknown if either
// does not know, else none.
func mergeClinical(a, b int8) int8 {
	switch {
	case a == clinicalSome || b == clinicalSome:
		return clinicalSome
	case a == clinicalUnknown || b == clinicalUnknown:
		return clinicalUnknown
	}
	return clinicalNone
}

// markDirty schedules the asset's classification at the next flush.
// A change may give the asset evidence with a count: it is no longer
// known quiet (deferGrowth).
func (b *batch) markDirty(a *assetState, t time.Time) {
	delete(b.db.cache.quiet, a.id)
	b.dirty.mark(b.db, a, t)
}

// deferGrowth schedules the classification of a, whose flow facts grew
// between steps, at the next settle: to bring the counts in its evidence
// text up to date. An asset whose evidence shows no count (cache.quiet)
// needs none.
func (b *batch) deferGrowth(a *assetState, t time.Time) {
	if _, ok := b.db.cache.quiet[a.id]; ok {
		return
	}
	b.deferred.mark(b.db, a, t)
}

// countSource reports whether evidence of source src states a count that
// grows between classifications ("tcp/443 to 12 clients", "3 addresses").
func countSource(src model.EvidenceSource) bool {
	return src == model.EvidenceServed || src == model.EvidenceClients || src == model.EvidenceRouted
}

// sortQuiet sorts the assets the flush classified by whether their
// evidence (as the facts cache holds it after the classification) shows a
// count; the writer takes note once the flush is committed (flushed).
func (f *flush) sortQuiet() {
	f.quiet, f.loud = f.quiet[:0], f.loud[:0]
	for id := range f.dirty {
		e := f.db.facts.m[id]
		quiet := e != nil && e.evOK
		if quiet {
			for i := range e.evidence {
				if countSource(e.evidence[i].source) {
					quiet = false
					break
				}
			}
		}
		if quiet {
			f.quiet = append(f.quiet, id)
		} else {
			f.loud = append(f.loud, id)
		}
	}
}

// grownKey names a count that only grows and that a server's or router's
// facts carry: the clients of one of its ports (fingerprint.Facts.Served),
// or with proto and port 0 the other addresses its MAC carried
// (fingerprint.Facts.RoutedIPs).
type grownKey struct {
	asset int64
	proto uint8
	port  uint16
}

// grownClient is one client of a served port (asset and address), or one
// routed address (asset 0).
type grownClient struct {
	asset int64
	ip    netip.Addr
}

// growth is a count markGrown keeps: distinct clients while there are at
// most growthExact (seen), then rows.
type growth struct {
	seen map[grownClient]struct{}
	n    int
}

// growthExact is how many clients a growth tells apart: the rules'
// thresholds are smaller.
const growthExact = 8

// settleInterval is how often the assets whose counts grew between steps
// (see markGrown) are classified again, besides the flush of Flush and
// Close.
const settleInterval = time.Minute

// markGrown notes a new flows row of client c to asset a's port k (or, for
// k's port 0, a new address routed through a's MAC). The asset is
// classified at the next flush when the count of distinct clients reaches
// a step where a rule's outcome may change (fingerprint.ServedCountMatters,
// the first client only on a port a rule reads: servedCountMatters;
// fingerprint.RoutedCountMatters), or when the client is of a class the
// rules count among a server's clients (clientMatters:
// fingerprint.ClientClassMatters). Other growth only changes numbers in the
// evidence text ("udp/53 (dns) to 26 clients"): the asset is classified
// again at the next settle (every settleInterval, and at Flush and Close),
// so that a busy server costs a classification per flush only while it is
// young, not every flush it gains a client (the cost that followed
// packets, issue 11). (Until 2026-12-03 every port's first client and
// every power of two were steps too; the first clients of ports no rule
// reads were 2,152 of the 7,738 classifications of a replay of mixed1m.)
func (b *batch) markGrown(a *assetState, k grownKey, c grownClient, clientMatters bool, t time.Time) {
	if b.db.opts.Classifier == nil {
		return
	}
	cache := &b.db.cache
	g := cache.grown[k]
	if g == nil {
		g = &growth{seen: make(map[grownClient]struct{}, 1)}
		cache.grown[k] = g
	}
	if g.seen != nil {
		if _, ok := g.seen[c]; ok {
			b.deferGrowth(a, t) // no new client; a service, perhaps
			return
		}
		g.seen[c] = struct{}{}
		if len(g.seen) > growthExact {
			g.seen = nil
		}
	}
	g.n++
	var step bool
	if k.proto == 0 && k.port == 0 {
		step = fingerprint.RoutedCountMatters(g.n)
	} else {
		step = b.db.servedCountMatters(k.proto, k.port, g.n)
	}
	if step || clientMatters {
		b.markDirty(a, t)
		return
	}
	b.deferGrowth(a, t)
}

// classMatters reports whether the asset keyed k had, at the last commit,
// a class the rules count among a server's clients
// (fingerprint.ClientClassMatters): its new flow re-classifies the server
// at once (markGrown). A client classified in the flush under way is
// covered by markServers.
func (b *batch) classMatters(k model.AssetKey) bool {
	c, _, ok := b.db.classes.Lookup(k)
	return ok && fingerprint.ClientClassMatters(c)
}

// classifyPasses bounds how often one flush classifies again the servers
// whose clients changed class (each pass can change more classes).
const classifyPasses = 3

// classify runs Options.Classifier once on every asset whose facts changed
// since the last flush, in id order, inside the flush's transaction, with
// the rules documented on Classifier. An asset whose class changes to or
// from a class the rules count among a server's clients
// (fingerprint.ClientClassMatters) marks the servers it was a client of,
// which are classified again (up to classifyPasses passes).
func (f *flush) classify() error {
	cl := f.db.opts.Classifier
	if cl == nil {
		return nil
	}
	if err := f.db.facts.applyFlows(f); err != nil {
		return err
	}
	if len(f.dirty) == 0 {
		return nil
	}
	for _, d := range f.dirty {
		d.done = false // a retried commit classifies them all again
	}
	for range classifyPasses {
		ids := make([]int64, 0, len(f.dirty))
		for id, d := range f.dirty {
			if !d.done {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			break
		}
		slices.Sort(ids)
		for _, id := range ids {
			d := f.dirty[id]
			d.done = true
			if err := f.classifyAsset(cl, id, d); err != nil {
				return fmt.Errorf("classify %s: %w", d.a.key, err)
			}
		}
	}
	f.sortQuiet()
	return nil
}

func (f *flush) classifyAsset(cl Classifier, id int64, d *dirtyAsset) error {
	facts, cur, err := f.loadFacts(d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // deleted behind the writer's back
	}
	if err != nil {
		return err
	}
	cand := cl.Classify(facts)
	if cand.Class == "" {
		cand.Class = model.ClassUnknown
	}
	t := ns(d.t)
	switch {
	case cand.Class != model.ClassUnknown && fingerprint.Better(cur, cand):
		changed := cand.Class != cur.Class
		var changedAt int64
		if changed {
			changedAt = t
		} else {
			fillEmpty(&cand, &cur)
		}
		if _, err := f.exec(sClassSet, cand.Class, cand.Confidence, cand.Strength, cand.Manufacturer, cand.Model,
			cand.OS, cand.Modality, changedAt, id, cand.Version); err != nil {
			return err
		}
		f.db.facts.classified(id, &cand)
		if err := f.replaceEvidence(id, cand.Evidence, t); err != nil {
			return err
		}
		if err := f.identityEvents(d, id, &cur, &cand); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		f.flushIndex = append(f.flushIndex, indexOp{key: d.a.key, class: cand.Class})
		if fingerprint.ClientClassMatters(cur.Class) || fingerprint.ClientClassMatters(cand.Class) {
			if err := f.markServers(id, d.t); err != nil {
				return err
			}
		}
		if fd := f.fresh[id]; fd != nil {
			fd.class = cand.Class // the new-device event carries it
			return nil
		}
		return f.eventNow(model.EventClassChanged, d.t, d.a.key, id, noIP, string(cur.Class), string(cand.Class))

	case cand.Class == cur.Class:
		// A result as strong and as sure as the current one describes the
		// device from all its facts so far: its fields win (and the
		// current ones fill what it lacks), so the fields do not depend on
		// the order in which the facts came. A weaker one only fills gaps.
		next := cur
		equal := cand.Strength == cur.Strength && cand.Confidence == cur.Confidence
		if equal {
			next = cand
			next.Evidence = nil
			fillEmpty(&next, &cur)
		} else {
			fillEmpty(&next, &cand)
		}
		if next.Manufacturer != cur.Manufacturer || next.Model != cur.Model || next.OS != cur.OS ||
			next.Modality != cur.Modality || next.Version != cur.Version {
			if _, err := f.exec(sClassSet, next.Class, next.Confidence, next.Strength, next.Manufacturer,
				next.Model, next.OS, next.Modality, 0, id, next.Version); err != nil {
				return err
			}
			f.db.facts.classified(id, &next)
			if err := f.identityEvents(d, id, &cur, &next); err != nil {
				return err
			}
		}
		if equal {
			return f.replaceEvidence(id, cand.Evidence, t)
		}
	}
	return nil
}

// identityEvents records model-changed and firmware-changed events when a
// better classification replaces a model or version the device already
// had with another one (not when it gives a first one, nor for a device
// whose new-device event is still to be written).
func (f *flush) identityEvents(d *dirtyAsset, id int64, cur, cand *fingerprint.Result) error {
	if f.fresh[id] != nil {
		return nil
	}
	if cur.Model != "" && cand.Model != "" && cand.Model != cur.Model {
		if err := f.eventNow(model.EventModelChanged, d.t, d.a.key, id, noIP, cur.Model, cand.Model); err != nil {
			return err
		}
	}
	if cur.Version != "" && cand.Version != "" && cand.Version != cur.Version {
		return f.eventNow(model.EventFirmwareChanged, d.t, d.a.key, id, noIP, cur.Version, cand.Version)
	}
	return nil
}

// fillEmpty copies into r the descriptive fields it lacks and from has.
func fillEmpty(r, from *fingerprint.Result) {
	if r.Manufacturer == "" {
		r.Manufacturer = from.Manufacturer
	}
	if r.Model == "" {
		r.Model = from.Model
	}
	if r.OS == "" {
		r.OS = from.OS
	}
	if r.Modality == "" {
		r.Modality = from.Modality
	}
	if r.Version == "" {
		r.Version = from.Version
	}
}

// markServers schedules, in this flush, the classification of the servers
// asset id was a client of: a class change of a client changes their
// facts (fingerprint.Facts.Clients). It runs on the flusher goroutine, so
// a server new to the flush's dirty set gets an assetState of its own (not
// the writer's), which may have DICOM or HL7 rows.
func (f *flush) markServers(id int64, t time.Time) error {
	rows, err := f.stmt(sServersOf).QueryContext(f.ctx, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a          = &assetState{persisted: true}
			mac, keyIP string
		)
		if err := rows.Scan(&a.id, &a.key.Vantage, &a.key.VLAN, &mac, &keyIP); err != nil {
			return err
		}
		if a.key.MAC, a.key.IP, err = parseKey(mac, keyIP); err != nil {
			return err
		}
		// Not the writer's state: whether it has DICOM or HL7 rows is not known.
		f.dirty.markAs(f.db, a, t, clinicalUnknown)
		f.db.facts.forgetFlowsOf(a.id) // its clients' classes changed
	}
	return rows.Err()
}

// replaceEvidence makes ev the asset's evidence rows, keeping the
// first_seen of rows that stay. It writes only the difference: one
// statement sets every row's times, then the rows ev no longer has are
// deleted, those whose strength, position or decided fields moved are
// updated, and the new ones inserted. An asset classified again to the
// same result costs that one statement; one that gained a piece of
// evidence, two (it was a delete and an insert per row: a fifth of the
// classification step's statements, issue 11). The rows are read from the
// facts cache when it holds them.
func (f *flush) replaceEvidence(id int64, ev []fingerprint.Evidence, t int64) error {
	e := f.db.facts.get(id)
	if !e.evOK {
		old, err := f.readEvidence(id)
		if err != nil {
			return err
		}
		e.evidence, e.evOK = old, true
	}
	old := e.evidence
	seen := make(map[evKey]bool, len(ev))
	rows := make([]cachedEvidence, 0, len(ev)) // the rows ev makes: the first of duplicates
	for i, x := range ev {
		k := evKey{x.Source, x.Value, x.Rule}
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, cachedEvidence{evRow: evRow{k, x.Strength, i, x.Sets.String()}})
	}
	if len(old) == 0 && len(rows) == 0 {
		return nil
	}
	if len(old) > 0 {
		// Every row that stays keeps its first_seen (if earlier) and is
		// seen now; rows about to be deleted do not matter.
		if _, err := f.exec(sEvidenceTouch, id, t); err != nil {
			return err
		}
	}
	was := make(map[evKey]*cachedEvidence, len(old))
	for i := range old {
		was[old[i].evKey] = &old[i]
	}
	for i := range old {
		if k := old[i].evKey; !seen[k] {
			if _, err := f.exec(sEvidenceDeleteOne, id, string(k.source), k.value, k.rule); err != nil {
				return err
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if o, ok := was[r.evKey]; ok {
			r.first = keptFirst(o.first, t)
			if o.evRow != r.evRow {
				if _, err := f.exec(sEvidenceUpdate, id, string(r.source), r.value, r.rule, r.strength, r.position,
					r.sets); err != nil {
					return err
				}
			}
			continue
		}
		r.first = t
		if _, err := f.exec(sEvidenceInsert, id, string(r.source), r.value, r.rule, r.strength, r.position, t, t,
			r.sets); err != nil {
			return err
		}
	}
	e.evidence = rows
	return f.evidencePushed(id)
}

// evidencePushed moves asset id, whose evidence rows the flush wrote, into
// the central pusher's open epoch: once per asset, not by a trigger per row
// (0010_evidence_push.sql).
func (f *flush) evidencePushed(id int64) error {
	_, err := f.exec(sEvidencePush, id)
	return err
}

// keptFirst is the first_seen sEvidenceTouch leaves on a row that had
// first, touched at t.
func keptFirst(first, t int64) int64 {
	if first != 0 && (t == 0 || first < t) {
		return first
	}
	return t
}

// readEvidence reads the asset's evidence rows in position order.
func (f *flush) readEvidence(id int64) ([]cachedEvidence, error) {
	rows, err := f.stmt(sEvidenceGet).QueryContext(f.ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var old []cachedEvidence
	for rows.Next() {
		var r cachedEvidence
		if err := rows.Scan(&r.source, &r.value, &r.rule, &r.first, &r.strength, &r.position, &r.sets); err != nil {
			return nil, err
		}
		old = append(old, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(old, func(a, b cachedEvidence) int { return cmp.Compare(a.position, b.position) })
	return old, nil
}

// ClassIndex is an in-memory map from asset key to device class and DICOM
// AE title, for callers that need an asset's class per new flow without a
// query (the policy checker). The writer updates it after every committed
// batch (new assets enter as unknown; class changes and AE titles follow),
// so a lookup sees the classification as of the last commit. It is safe for
// concurrent use: lookups take a read lock only.
//
// It holds every asset of the database, loaded once: at Open, or on a DB
// opened with OpenReadOnly at the first call of Classes (that one is a
// snapshot and never changes).
type ClassIndex struct {
	mu sync.RWMutex
	m  map[model.AssetKey]classEntry

	watchers watchers // see Watch
}

type classEntry struct {
	class   model.Class
	aeTitle string // the asset's latest non-empty DICOM AE title
}

// indexOp is one change to publish: class and ae are set when not empty.
type indexOp struct {
	key   model.AssetKey
	class model.Class
	ae    string
}

// Lookup returns the class and AE title of the asset keyed by k, and
// whether it is in the inventory. An asset not classified yet has class
// model.ClassUnknown; one never seen in DICOM has AE title "". The key is normalised
// as the store keys assets (an IP-keyed key's IPv4-mapped address is
// unmapped, a MAC-keyed key's IP is ignored).
//
// Apply the router-MAC rule before looking up a flow's server end: a frame's
// server MAC is a router's when the server IP is not on the local segment,
// and the router's class says nothing about the server.
func (x *ClassIndex) Lookup(k model.AssetKey) (class model.Class, aeTitle string, ok bool) {
	k, valid := normKey(k)
	if !valid {
		return "", "", false
	}
	x.mu.RLock()
	e, ok := x.m[k]
	x.mu.RUnlock()
	return e.class, e.aeTitle, ok
}

// Len returns the number of assets in the index.
func (x *ClassIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.m)
}

// apply publishes a committed batch's changes and tells the watchers.
func (x *ClassIndex) apply(ops []indexOp) {
	x.watchers.notify(x.update(ops))
}

// update applies ops and returns the keys whose class or AE title changed
// (an asset entering as unknown without an AE title is no change).
func (x *ClassIndex) update(ops []indexOp) (changed []model.AssetKey) {
	if len(ops) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m == nil {
		x.m = make(map[model.AssetKey]classEntry)
	}
	for _, op := range ops {
		e, ok := x.m[op.key]
		if !ok {
			e.class = model.ClassUnknown
		}
		old := e
		if op.class != "" {
			e.class = op.class
		}
		if op.ae != "" {
			e.aeTitle = op.ae
		}
		if e.class == "" {
			e.class = model.ClassUnknown
		}
		x.m[op.key] = e
		if e != old {
			changed = append(changed, op.key)
		}
	}
	return changed
}

// classIndexQuery lists every asset's key, class and latest AE title.
const classIndexQuery = `SELECT vantage, vlan, mac, key_ip, class, ` + latestAETitle + ` FROM assets a`

// load fills the index from the database.
func (x *ClassIndex) load(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	rows, err := q.QueryContext(ctx, classIndexQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	m := make(map[model.AssetKey]classEntry)
	for rows.Next() {
		var (
			k          model.AssetKey
			mac, keyIP string
			e          classEntry
		)
		if err := rows.Scan(&k.Vantage, &k.VLAN, &mac, &keyIP, &e.class, &e.aeTitle); err != nil {
			return err
		}
		if k.MAC, k.IP, err = parseKey(mac, keyIP); err != nil {
			return err
		}
		m[k] = e
	}
	if err := rows.Err(); err != nil {
		return err
	}
	x.mu.Lock()
	x.m = m
	x.mu.Unlock()
	return nil
}

// Classes returns the DB's class index (see ClassIndex). The same index is
// returned on every call; it stays current while the writer runs.
func (db *DB) Classes() *ClassIndex {
	if db.readOnly {
		db.classesOnce.Do(func() {
			if err := db.classes.load(context.Background(), db.rdb); err != nil {
				db.log.Error("store: loading the class index failed", zap.String("path", db.path), zap.Error(err))
			}
		})
	}
	return &db.classes
}
