package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

// WriterStats are the writer's counters since Open.
type WriterStats struct {
	Flushes     uint64 // transactions committed
	FlushErrors uint64 // flush attempts that failed (each logged once, at Error)
	Written     uint64 // observations committed
	// RowsWritten counts the rows committed flushes inserted or updated
	// (assets, addresses, host names, bindings, flows, violations, events,
	// DICOM and HL7 reports): what the observations changed, each changed
	// row once per flush however many observations touched it.
	RowsWritten uint64
	// Dropped is every observation that will never be written:
	// DroppedQueueFull + DroppedFailed.
	Dropped          uint64
	DroppedQueueFull uint64 // TrySubmit found the queue full
	DroppedFailed    uint64 // batch discarded after MaxRetries failed flushes, or the final flush at Close failed, or a lookup failed
	// Invalid counts observations skipped because their key names no
	// device (zero or group MAC and no IP, VLAN over 4095), and flow and
	// violation observations without a server IP; Ignored those of kinds
	// this schema does not persist, and flow, violation, DICOM and HL7
	// observations without their details (nil Flow, Violation, DICOM or
	// HL7, or a role other than scu/scp, sender/receiver). Both count as
	// written.
	Invalid           uint64
	Ignored           uint64
	Queued            int           // submitted, not yet taken by the writer
	Pending           int           // taken by the writer (applied to its in-memory state), not yet committed
	LastFlushDuration time.Duration // of the last flush attempt
	// StepTime is the time flush attempts spent in each step since Open,
	// by FlushSteps: where the store's time goes (writing flows, writing
	// violations, classifying, SQLite's COMMIT, ...).
	StepTime [NumFlushSteps]time.Duration
}

// writer is the DB's single writer goroutine and its queue.
type writer struct {
	queue    chan model.Observation
	flushReq chan chan error
	stopping chan struct{} // closed first by Close: blocked submitters give up
	stopped  chan struct{} // closed once no submitter can send: the writer drains and exits
	done     chan struct{} // closed when the writer goroutine has exited

	lifeMu  sync.Mutex // guards closed and started
	closed  bool
	started bool

	sendMu     sync.RWMutex // submitters hold it for reading while they send
	sendClosed bool         // set under sendMu by Close: no more sends

	runErr error // the writer goroutine's final flush error, read after done

	// Owned by the writer goroutine (or by Close once it has exited).
	batch    batch  // applied since the last seal
	inflight *flush // handed to the flusher goroutine, its result not taken yet
	failed   *flush // the last commit failed: retried before anything else
	retries  int
	cache    cache
	// settledAt is when a seal last settled the deferred classifications
	// (see batch.markGrown).
	settledAt time.Time
	// facts is the flusher's cache of what classification reads
	// (classify_cache.go).
	facts factsCache
	// The flusher goroutine commits the flushes it receives on flushIn
	// and hands them back on flushOut, one at a time.
	flushIn, flushOut chan *flush
	async             bool // the flusher goroutine runs
	// look is a read-only connection for the writer's lookups (rows the
	// cache does not hold), with its statements.
	look      *sql.DB
	lookStmts stmts
	// Observations a failed lookup kept from being applied (whole), logged
	// at most once per applyLogEvery.
	applyErrs, applyErrsLogged uint64
	applyLogAt                 time.Time

	flushes, flushErrors, written   atomic.Uint64
	rowsWritten                     atomic.Uint64
	droppedQueueFull, droppedFailed atomic.Uint64
	invalid, ignored                atomic.Uint64
	pendingN                        atomic.Int64
	commits                         atomic.Uint64 // commit attempts started
	lastFlush                       atomic.Int64
	stepTime                        [NumFlushSteps]atomic.Int64
	clinicalReads                   atomic.Uint64 // classifications that read DICOM and HL7 rows
}

func (w *writer) init(opts *Options) {
	w.queue = make(chan model.Observation, opts.QueueSize)
	w.flushReq = make(chan chan error)
	w.stopping = make(chan struct{})
	w.stopped = make(chan struct{})
	w.done = make(chan struct{})
	w.flushIn = make(chan *flush)
	w.flushOut = make(chan *flush)
	w.cache.init(opts.CacheSize)
	w.facts.max = opts.CacheSize
}

// Start starts the writer goroutine. Observations submitted before Start
// wait in the queue. The writer stops, committing what it holds, when ctx is
// cancelled or Close is called; Close must be called either way. Start on a
// read-only or closed DB, or a second Start, does nothing.
func (db *DB) Start(ctx context.Context) {
	if db.readOnly {
		return
	}
	db.lifeMu.Lock()
	defer db.lifeMu.Unlock()
	if db.closed || db.started {
		return
	}
	db.started = true
	go db.run(ctx)
}

// Submit queues o for writing, blocking while the queue is full (the
// back-pressure a pcap replay wants). It returns ctx.Err() if ctx ends
// first, and ErrClosed once the DB is closed or its writer has stopped.
func (db *DB) Submit(ctx context.Context, o model.Observation) error {
	if db.readOnly {
		return db.errReadOnly("submit")
	}
	db.sendMu.RLock()
	defer db.sendMu.RUnlock()
	if db.sendClosed {
		return db.errClosed("submit")
	}
	select {
	case db.queue <- o:
		return nil
	default:
	}
	select {
	case db.queue <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stopping:
		return db.errClosed("submit")
	case <-db.done:
		return db.errClosed("submit")
	}
}

// TrySubmit queues o if there is room and reports whether it did; it never
// blocks (live capture). A full queue counts o in WriterStats.Dropped.
func (db *DB) TrySubmit(o model.Observation) bool {
	if db.readOnly {
		return false
	}
	db.sendMu.RLock()
	defer db.sendMu.RUnlock()
	if db.sendClosed {
		return false
	}
	select {
	case db.queue <- o:
		return true
	default:
		db.droppedQueueFull.Add(1)
		return false
	}
}

// Flush waits until every observation submitted before the call is
// committed, and returns the error of that commit (the batch stays pending
// and is retried). The writer must have been started.
func (db *DB) Flush(ctx context.Context) error {
	if db.readOnly {
		return db.errReadOnly("flush")
	}
	db.lifeMu.Lock()
	closed, started := db.closed, db.started
	db.lifeMu.Unlock()
	if closed {
		return db.errClosed("flush")
	}
	if !started {
		return &pathError{op: "flush", path: db.path, msg: "writer not started"}
	}
	req := make(chan error, 1)
	select {
	case db.flushReq <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.done:
		return db.errClosed("flush")
	}
	select {
	case err := <-req:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the writer's counters.
func (db *DB) Stats() WriterStats {
	s := WriterStats{
		Flushes:           db.flushes.Load(),
		FlushErrors:       db.flushErrors.Load(),
		Written:           db.written.Load(),
		RowsWritten:       db.rowsWritten.Load(),
		DroppedQueueFull:  db.droppedQueueFull.Load(),
		DroppedFailed:     db.droppedFailed.Load(),
		Invalid:           db.invalid.Load(),
		Ignored:           db.ignored.Load(),
		Queued:            len(db.queue),
		Pending:           int(db.pendingN.Load()),
		LastFlushDuration: time.Duration(db.lastFlush.Load()),
	}
	for i := range s.StepTime {
		s.StepTime[i] = time.Duration(db.stepTime[i].Load())
	}
	s.Dropped = s.DroppedQueueFull + s.DroppedFailed
	return s
}

func (db *DB) errClosed(op string) error {
	return &pathError{op: op, path: db.path, kind: ErrClosed}
}

func (db *DB) errReadOnly(op string) error {
	return &pathError{op: op, path: db.path, kind: ErrReadOnly, msg: "database was opened read-only"}
}

// stop ends the writer for Close and commits everything queued.
func (db *DB) stop() error {
	db.lifeMu.Lock()
	db.closed = true
	started := db.started
	db.lifeMu.Unlock()
	close(db.stopping) // blocked submitters give up and release sendMu
	db.sendMu.Lock()
	db.sendClosed = true // no submitter can send any more
	db.sendMu.Unlock()
	close(db.stopped)
	if started {
		<-db.done
	}
	// The writer goroutine has exited (or never ran): write what is left,
	// e.g. observations queued after ctx stopped it, or without Start.
	err := db.finish()
	if err == nil {
		err = db.runErr
	}
	db.closeLookups()
	s := db.Stats()
	db.log.Debug("store writer stopped", zap.String("path", db.path), zap.Uint64("flushes", s.Flushes),
		zap.Uint64("observations", s.Written), zap.Uint64("rows_written", s.RowsWritten),
		zap.Uint64("dropped", s.Dropped), zap.Error(err))
	return err
}

// run is the writer goroutine: it applies observations as they come and
// hands flushes to the flusher goroutine, which writes them while the
// writer goes on (one flush at a time; a full batch waits for the flush
// under way, and then the queue waits: back-pressure).
func (db *DB) run(ctx context.Context) {
	defer close(db.done)
	go db.flusher()
	db.async = true
	defer func() {
		db.async = false
		close(db.flushIn)
	}()
	t := time.NewTicker(db.opts.FlushInterval)
	defer t.Stop()
	for {
		in := db.queue
		if db.full() {
			in = nil // the batch is full and cannot be sealed yet: leave the rest in the queue
		}
		select {
		case o := <-in:
			db.take(&o)
			if db.due() && db.canSeal() {
				db.flushAsync(db.seal(false))
			}
		case f := <-db.flushOut:
			db.inflight = nil
			db.flushed(f)
			if db.due() && db.canSeal() {
				db.flushAsync(db.seal(false))
			}
		case <-t.C:
			switch {
			case db.inflight != nil:
			case db.failed != nil:
				db.flushAsync(db.failed) // one retry per interval
			case !db.batch.empty() || db.batch.unsettled() && db.settleDue():
				db.flushAsync(db.seal(false))
			}
		case req := <-db.flushReq:
			db.drain()
			req <- db.flushSync(false)
		case <-db.stopped:
			db.runErr = db.finish()
			return
		case <-ctx.Done():
			db.runErr = db.finish()
			return
		}
	}
}

// flusher commits the flushes the writer hands it, in order.
func (db *DB) flusher() {
	for f := range db.flushIn {
		f.err = f.commit()
		db.flushOut <- f
	}
}

// cacheFlushFactor: the writer flushes early when its cache holds this
// many times CacheSize entries (rows looked up but not changed do not
// count towards FlushSize), so that the trim after the commit bounds it.
const cacheFlushFactor = 4

// full reports whether the pending changes call for a flush.
func (db *DB) full() bool {
	return db.batch.changes >= db.opts.FlushSize || db.cache.size() >= cacheFlushFactor*db.opts.CacheSize
}

// idleFlushRows: when the flusher is idle, a batch of this many changed
// rows (or FlushSize, if smaller) is written at once rather than waiting
// for FlushSize or the interval: a busy writer keeps the flusher busy on
// another core instead of leaving a large last flush for the end.
const idleFlushRows = 5000

// due reports whether the batch should be sealed as soon as the flusher is
// free.
func (db *DB) due() bool {
	return db.full() || db.batch.changes >= min(db.opts.FlushSize, idleFlushRows)
}

// canSeal reports whether the batch can be sealed now: no flush under way
// and none failed (flushes are written in order).
func (db *DB) canSeal() bool { return db.inflight == nil && db.failed == nil }

// take applies one observation.
func (db *DB) take(o *model.Observation) {
	if db.batch.db == nil {
		db.batch.init(db)
	}
	if err := db.batch.take(o); err != nil {
		db.batch.obs--
		db.droppedFailed.Add(1)
		db.applyErrs++
		if now := time.Now(); now.Sub(db.applyLogAt) >= applyLogEvery {
			db.log.Error("store lookup failed, observation not applied",
				zap.String("path", db.path), zap.Uint64("failed_since_last_log", db.applyErrs-db.applyErrsLogged),
				zap.Error(wrap("lookup", db.path, err)))
			db.applyLogAt, db.applyErrsLogged = now, db.applyErrs
		}
	}
	db.notePending()
}

const applyLogEvery = 10 * time.Second

// notePending publishes the number of observations not committed yet.
func (db *DB) notePending() {
	n := db.batch.obs
	for _, f := range [...]*flush{db.inflight, db.failed} {
		if f != nil {
			n += f.obs
		}
	}
	db.pendingN.Store(int64(n))
}

// drain applies everything queued, sealing flushes as the batch fills when
// it can.
func (db *DB) drain() {
	for {
		select {
		case o := <-db.queue:
			db.take(&o)
			if db.full() && db.canSeal() && db.async {
				db.flushAsync(db.seal(false))
			}
		default:
			return
		}
	}
}

// settleDue reports whether settleInterval passed since the last settling
// seal.
func (db *DB) settleDue() bool { return time.Since(db.settledAt) >= settleInterval }

// seal seals the batch, settling the deferred classifications when asked
// to (Flush, Close) or when settleInterval passed.
func (db *DB) seal(settle bool) *flush {
	if settle || db.settleDue() {
		settle = true
		db.settledAt = time.Now()
	}
	return db.batch.seal(settle)
}

// flushAsync hands f to the flusher goroutine.
func (db *DB) flushAsync(f *flush) {
	if db.failed == f {
		db.failed = nil
	}
	db.inflight = f
	db.flushIn <- f
	db.notePending()
}

// flushSync commits everything applied so far and returns the error of the
// last commit attempt: it waits for the flush under way, retries a failed
// one, then commits the batch, in the calling goroutine. With final set, a
// failure drops what failed (Close).
func (db *DB) flushSync(final bool) error {
	if db.inflight != nil {
		f := <-db.flushOut
		db.inflight = nil
		db.flushed(f)
	}
	if f := db.failed; f != nil {
		db.failed = nil
		if final {
			db.retries = db.opts.MaxRetries
		}
		f.err = f.commit()
		if err := db.flushed(f); err != nil {
			return err
		}
	}
	if db.batch.empty() && !db.batch.unsettled() {
		return nil
	}
	if final {
		db.retries = db.opts.MaxRetries
	}
	f := db.seal(true)
	f.err = f.commit()
	return db.flushed(f)
}

// finish drains the queue and makes one last attempt to commit. What it
// cannot commit is counted as dropped.
func (db *DB) finish() error {
	db.drain()
	return db.flushSync(true)
}

// flushed takes the result of a commit attempt: counters, the class index
// and the cache trim on success; on failure the flush is kept for the next
// attempt, until MaxRetries failures drop it (and everything applied
// since, which may refer to its rows).
func (db *DB) flushed(f *flush) error {
	err := f.err
	db.lastFlush.Store(int64(f.duration))
	for i, d := range f.steps {
		db.stepTime[i].Add(int64(d))
	}
	if err != nil {
		err = wrap("flush", db.path, err)
		db.flushErrors.Add(1)
		db.retries++
		if db.retries > db.opts.MaxRetries {
			n := f.obs + db.batch.obs
			db.droppedFailed.Add(uint64(n))
			db.log.Error("store flush failed, dropping batch",
				zap.String("path", db.path), zap.Int("observations", n),
				zap.Int("attempts", db.retries), zap.Duration("duration", f.duration), zap.Error(err))
			db.giveUp()
		} else {
			db.failed = f
			db.log.Error("store flush failed, will retry",
				zap.String("path", db.path), zap.Int("observations", f.obs),
				zap.Int("attempt", db.retries), zap.Duration("duration", f.duration), zap.Error(err))
		}
	} else {
		db.retries = 0
		db.flushes.Add(1)
		db.written.Add(uint64(f.obs))
		db.rowsWritten.Add(uint64(f.rows()))
		if ce := db.log.Check(zap.DebugLevel, "store flush committed"); ce != nil {
			ce.Write(zap.String("path", db.path), zap.Int("observations", f.obs),
				zap.Int("rows", f.rows()), zap.Int("classified", len(f.dirty)), zap.Duration("duration", f.duration),
				zap.String("steps", f.stepSummary()))
		}
		db.invalid.Add(f.invalid)
		db.ignored.Add(f.ignored)
		db.classes.apply(f.index)
		db.classes.apply(f.flushIndex)
		for _, a := range f.noClinical {
			if a.clinical == clinicalUnknown {
				a.clinical = clinicalNone
			}
		}
		db.noteQuiet(f)
		if db.inflight == nil {
			db.cache.trim() // nothing in flight: every cached row is in the database or pending here
		}
	}
	db.notePending()
	if db.opts.OnFlush != nil {
		db.opts.OnFlush(f.duration, err)
	}
	return err
}

// noteQuiet takes note of which assets the committed flush f found quiet
// (their evidence shows no count): an asset marked dirty again since f was
// sealed waits for the flush that classifies it.
func (db *DB) noteQuiet(f *flush) {
	q := db.cache.quiet
	if q == nil {
		return
	}
	for _, id := range f.loud {
		delete(q, id)
	}
	for _, id := range f.quiet {
		if _, again := db.batch.dirty[id]; !again {
			q[id] = struct{}{}
		}
	}
}

// giveUp drops the pending changes and everything the writer knew: the
// database is read again as needed.
func (db *DB) giveUp() {
	db.retries = 0
	db.failed = nil
	db.batch.forget()
	db.cache.reset()
}

// lookupStmt returns statement id prepared on the lookup connection,
// opening it on first use.
func (db *DB) lookupStmt(id stmtID) (*sql.Stmt, error) {
	if s := db.lookStmts.s[id]; s != nil {
		return s, nil
	}
	if db.look == nil {
		look, err := openRead(db.path, busyParam(db.opts.BusyTimeout))
		if err != nil {
			return nil, err
		}
		look.SetMaxOpenConns(1)
		look.SetMaxIdleConns(1)
		look.SetConnMaxLifetime(0)
		look.SetConnMaxIdleTime(0)
		db.look = look
	}
	s, err := db.look.PrepareContext(context.Background(), stmtSQL[id])
	if err != nil {
		return nil, err
	}
	db.lookStmts.s[id] = s
	return s, nil
}

// closeLookups closes the lookup connection.
func (db *DB) closeLookups() {
	db.lookStmts.close()
	if db.look != nil {
		db.look.Close()
		db.look = nil
	}
}
