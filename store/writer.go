package store

import (
	"context"
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
	// Dropped is every observation that will never be written:
	// DroppedQueueFull + DroppedFailed.
	Dropped          uint64
	DroppedQueueFull uint64 // TrySubmit found the queue full
	DroppedFailed    uint64 // batch discarded after MaxRetries failed flushes, or the final flush at Close failed
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
	Pending           int           // taken by the writer, not yet committed
	LastFlushDuration time.Duration // of the last flush attempt
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
	pending []model.Observation
	retries int
	cache   cache

	flushes, flushErrors, written   atomic.Uint64
	droppedQueueFull, droppedFailed atomic.Uint64
	invalid, ignored                atomic.Uint64
	pendingN                        atomic.Int64
	lastFlush                       atomic.Int64
}

func (w *writer) init(opts *Options) {
	w.queue = make(chan model.Observation, opts.QueueSize)
	w.flushReq = make(chan chan error)
	w.stopping = make(chan struct{})
	w.stopped = make(chan struct{})
	w.done = make(chan struct{})
	w.cache.init(opts.CacheSize)
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
		DroppedQueueFull:  db.droppedQueueFull.Load(),
		DroppedFailed:     db.droppedFailed.Load(),
		Invalid:           db.invalid.Load(),
		Ignored:           db.ignored.Load(),
		Queued:            len(db.queue),
		Pending:           int(db.pendingN.Load()),
		LastFlushDuration: time.Duration(db.lastFlush.Load()),
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
	return err
}

func (db *DB) run(ctx context.Context) {
	defer close(db.done)
	t := time.NewTicker(db.opts.FlushInterval)
	defer t.Stop()
	for {
		in := db.queue
		if len(db.pending) >= db.opts.FlushSize {
			in = nil // a failing batch is full: leave the rest in the queue
		}
		select {
		case o := <-in:
			db.pending = append(db.pending, o)
			db.pendingN.Store(int64(len(db.pending)))
			if len(db.pending) >= db.opts.FlushSize && db.retries == 0 {
				db.flush()
			}
		case <-t.C:
			if len(db.pending) > 0 {
				db.flush()
			}
		case req := <-db.flushReq:
			db.drain()
			var err error
			if len(db.pending) > 0 {
				err = db.flush()
			}
			req <- err
		case <-db.stopped:
			db.runErr = db.finish()
			return
		case <-ctx.Done():
			db.runErr = db.finish()
			return
		}
	}
}

// drain moves everything queued into pending.
func (db *DB) drain() {
	for {
		select {
		case o := <-db.queue:
			db.pending = append(db.pending, o)
		default:
			db.pendingN.Store(int64(len(db.pending)))
			return
		}
	}
}

// finish drains the queue and makes one last attempt to commit. What it
// cannot commit is counted as dropped.
func (db *DB) finish() error {
	db.drain()
	if len(db.pending) == 0 {
		return nil
	}
	db.retries = db.opts.MaxRetries // a failure now drops the batch
	return db.flush()
}

// flush commits pending in one transaction. On failure the batch is kept
// for the next attempt, until MaxRetries failures drop it.
func (db *DB) flush() error {
	start := time.Now()
	n := len(db.pending)
	err := db.writeBatch(db.pending)
	d := time.Since(start)
	db.lastFlush.Store(int64(d))
	if err != nil {
		err = wrap("flush", db.path, err)
		db.flushErrors.Add(1)
		db.cache.reset() // it may hold ids of rows the rollback removed
		db.retries++
		if db.retries > db.opts.MaxRetries {
			db.droppedFailed.Add(uint64(n))
			db.log.Error("store flush failed, dropping batch",
				zap.String("path", db.path), zap.Int("observations", n),
				zap.Int("attempts", db.retries), zap.Duration("duration", d), zap.Error(err))
			db.resetPending()
		} else {
			db.log.Error("store flush failed, will retry",
				zap.String("path", db.path), zap.Int("observations", n),
				zap.Int("attempt", db.retries), zap.Duration("duration", d), zap.Error(err))
		}
	} else {
		db.flushes.Add(1)
		db.written.Add(uint64(n))
		db.resetPending()
	}
	if db.opts.OnFlush != nil {
		db.opts.OnFlush(d, err)
	}
	return err
}

func (db *DB) resetPending() {
	db.retries = 0
	if cap(db.pending) > 4*db.opts.FlushSize {
		db.pending = nil // release a backlog's memory
	} else {
		clear(db.pending) // drop references to ARP/DHCP details
		db.pending = db.pending[:0]
	}
	db.pendingN.Store(0)
}
