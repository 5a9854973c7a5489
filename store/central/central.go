// Package central pushes a sensor's inventory to a central PostgreSQL
// database (github.com/jackc/pgx/v5), so that a hospital group with one
// sensor per site has one inventory to query.
//
//	sensor's SQLite file ──(Pusher, every Interval, BatchSize rows per transaction)──▶ PostgreSQL
//	  push_seq per row, kept by triggers                   upserts keyed by hashed natural keys
//	  central_cursors: durable position per table          push_cursors: the same, transactional
//
// Each sensor keeps its SQLite database and works without the central one.
// A Pusher, a goroutine beside the store's writer, copies what changed:
// assets (identity, classification and its evidence), their addresses and
// hostnames, DICOM and HL7 facts, the AE titles by address, liveness probe
// answers, flows, policy violations and events, every row stamped with the
// sensor's name and site.
//
// Change tracking is in the SQLite file (store/migrations/0003_central_push.sql
// explains it): every pushed table has a push_seq column, the push epoch in
// which the row last changed, kept by triggers. Before each push the pusher
// closes the open epoch and copies, table by table, the rows of the closed
// epochs after its cursor, in batches of at most BatchSize rows. Each batch
// is one PostgreSQL transaction that upserts the rows and moves the table's
// cursor in push_cursors; then the cursor is saved in the SQLite file too.
// The upserts are idempotent (a row's key is a hash of its natural key, see
// the central migration 0001_init.sql), so a batch pushed twice — after a
// crash between the two commits — changes nothing, and a central outage of
// any length only delays the push: the cursors stay where they are and the
// push catches up when the server is back. A central database that is
// behind the sensor's cursors (restored from a backup, recreated) is
// detected at connect and pushed again from where it is.
//
// Failures never stop capture: the store's writer does not wait for the
// pusher (the pusher reads over its own read-only connection and writes only
// its two small tables). A wrong password, an unreachable server or a schema
// it cannot use is logged once, as one Error line naming the server and the
// cause; while it lasts the pusher retries with exponential backoff
// (MinBackoff doubling up to MaxBackoff) and logs a reminder every
// RepeatLog; recovery is one Info line.
//
// Connection security is pgx's: the DSN's sslmode (disable, allow, prefer,
// require, verify-ca, verify-full) with sslrootcert, sslcert and sslkey, e.g.
// "host=central.example port=5432 dbname=wardwatch user=sensor
// sslmode=verify-full sslrootcert=/etc/wardwatch/central-ca.pem". The
// password comes from PasswordFile (re-read at every connect), never from
// the command line; pgx also honours PGPASSFILE/.pgpass.
package central

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// Defaults for zero Options fields.
const (
	DefaultBatchSize  = 2000
	DefaultInterval   = 10 * time.Second
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	DefaultRepeatLog  = 15 * time.Minute
	// DefaultTimeout bounds a connect and each batch's transaction.
	DefaultTimeout = time.Minute
)

// Options configures a Pusher.
type Options struct {
	// DBPath is the sensor's SQLite database, already migrated by the
	// store (store.Open). Required.
	DBPath string
	// DSN is the central database, a libpq connection string or URL as
	// pgx parses it. Required. Should not hold the password.
	DSN string
	// PasswordFile, if set, holds the password (trailing newlines
	// ignored). Read at every connect, so a rotated password is picked up.
	PasswordFile string
	// Sensor and Site stamp every row. Sensor is required.
	Sensor, Site string
	// BatchSize is the most rows per central transaction.
	BatchSize int
	// Interval is the time between pushes once caught up.
	Interval time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failure; it
	// doubles per failure (±20 % jitter).
	MinBackoff, MaxBackoff time.Duration
	// RepeatLog is how often a failure that lasts is logged again.
	RepeatLog time.Duration
	// Timeout bounds a connect and each batch.
	Timeout time.Duration
	// BusyTimeout is how long a write to the SQLite file waits for the
	// store's writer. Default 5s.
	BusyTimeout time.Duration
	// Logger; default zap.NewNop().
	Logger *zap.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(DefaultMaxBackoff, o.MinBackoff)
	}
	if o.RepeatLog <= 0 {
		o.RepeatLog = DefaultRepeatLog
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Pusher pushes one sensor database to the central database. Run it in a
// goroutine; Stats may be called from any goroutine.
type Pusher struct {
	opts   Options
	log    *zap.Logger
	local  *local
	server string // user@host:port/db for log lines

	mu   sync.Mutex // serialises Sync
	conn *pgx.Conn
	cur  map[string]cursor // current cursors, valid while conn != nil

	// failure state for rate-limited logging (Sync's goroutine only)
	failing      bool
	failSince    time.Time
	failAttempts int
	lastLogged   time.Time

	rows      [numTables + 1]atomic.Uint64 // per table, evidence last
	batches   atomic.Uint64
	errs      atomic.Uint64
	connected atomic.Bool
	caughtUp  atomic.Int64 // Unix ns; 0 unknown
	lastSync  atomic.Int64 // Unix ns; 0 none
	started   time.Time

	testAfterBatch func(table string, n int) // tests: called after each committed batch
}

const numTables = 14

// New opens the sensor database and checks the options; it does not connect
// to the central database (Run and Sync do, and retry).
func New(opts Options) (*Pusher, error) {
	opts.setDefaults()
	if opts.DBPath == "" {
		return nil, errors.New("central: no sensor database path")
	}
	if opts.DSN == "" {
		return nil, errors.New("central: no DSN")
	}
	if opts.Sensor == "" {
		return nil, errors.New("central: no sensor name")
	}
	cfg, err := connConfig(opts.DSN, "", opts.Sensor, opts.Timeout) // the password file is read at connect
	if err != nil {
		return nil, err
	}
	if len(tables) != numTables {
		panic("central: numTables is stale")
	}
	l, err := openLocal(opts.DBPath, opts.BusyTimeout)
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	p := &Pusher{opts: opts, log: opts.Logger, local: l, server: describe(cfg), started: opts.Now()}
	if t, err := l.caughtUpAt(context.Background()); err == nil && !t.IsZero() {
		p.caughtUp.Store(t.UnixNano())
	}
	return p, nil
}

// Close closes the connections. Call it after Run returned.
func (p *Pusher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disconnect()
	p.local.close()
	return nil
}

// DBID is the sensor database's id (central_state.db_id).
func (p *Pusher) DBID() string { return p.local.dbID }

// Run pushes every Interval until ctx is done, retrying failures with
// backoff. It returns nil when ctx is cancelled.
func (p *Pusher) Run(ctx context.Context) error {
	backoff := p.opts.MinBackoff
	for {
		err := p.Sync(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := p.opts.Interval
		if err != nil {
			wait = jitter(backoff)
			backoff = min(2*backoff, p.opts.MaxBackoff)
		} else {
			backoff = p.opts.MinBackoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Sync connects if needed and pushes everything changed up to now. It logs
// failures (rate-limited) and returns them.
func (p *Pusher) Sync(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.sync(ctx)
	if err == nil {
		p.recovered()
		return nil
	}
	var re *remoteError
	if errors.As(err, &re) || p.conn == nil {
		p.disconnect()
	}
	if ctx.Err() == nil {
		p.errs.Add(1)
		p.failed(err)
	}
	return err
}

func (p *Pusher) sync(ctx context.Context) error {
	if p.conn == nil {
		if err := p.connect(ctx); err != nil {
			return err
		}
	}
	closedAt := p.opts.Now()
	epoch, err := p.local.closeEpoch(ctx)
	if err != nil {
		return err
	}
	for i, t := range tables {
		if err := p.pushTable(ctx, i, t, epoch); err != nil {
			return err
		}
	}
	// Everything changed before closedAt is in the central database.
	if err := p.local.saveCaughtUp(ctx, closedAt); err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	if _, err := p.conn.Exec(tctx, sqlCaughtUp, p.opts.Sensor, p.local.dbID, closedAt); err != nil {
		return remoteErr(err)
	}
	p.caughtUp.Store(closedAt.UnixNano())
	p.lastSync.Store(p.opts.Now().UnixNano())
	return nil
}

func (p *Pusher) connect(ctx context.Context) error {
	cfg, err := connConfig(p.opts.DSN, p.opts.PasswordFile, p.opts.Sensor, p.opts.Timeout)
	if err != nil {
		return err // a configuration problem: not a remoteError, but logged the same way
	}
	tctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(tctx, cfg)
	if err != nil {
		return remoteErr(err)
	}
	fail := func(err error) error {
		conn.Close(context.Background())
		return remoteErr(err)
	}
	if err := migrate(tctx, conn); err != nil {
		return fail(err)
	}
	localCur, err := p.local.cursors(tctx)
	if err != nil {
		conn.Close(context.Background())
		return err
	}
	st, err := loadSensorState(tctx, conn, p.opts.Sensor, p.local.dbID)
	if err != nil {
		return fail(err)
	}
	if len(st.others) > 0 {
		p.log.Warn("another sensor database pushes under the same sensor name: their rows mix; give each sensor its own central.sensor",
			zap.String("sensor", p.opts.Sensor), zap.String("db_id", p.local.dbID), zap.Strings("other_db_ids", st.others))
	}
	cur, why := reconcile(localCur, st, p.opts.Site)
	if why != "" {
		p.log.Info("central push: "+why, zap.String("server", p.server), zap.String("sensor", p.opts.Sensor))
	}
	if !st.known || st.site != p.opts.Site {
		// Start over on both sides, so no stale cursor survives.
		if err := p.local.resetCursors(tctx); err != nil {
			conn.Close(context.Background())
			return err
		}
		if _, err := conn.Exec(tctx, sqlCursorsDelete, p.opts.Sensor, p.local.dbID); err != nil {
			return fail(err)
		}
	}
	if _, err := conn.Exec(tctx, sqlSensorUpsert, p.opts.Sensor, p.local.dbID, p.opts.Site); err != nil {
		return fail(err)
	}
	p.conn, p.cur = conn, cur
	p.connected.Store(true)
	return nil
}

func (p *Pusher) disconnect() {
	if p.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		p.conn.Close(ctx)
		cancel()
		p.conn = nil
	}
	p.connected.Store(false)
}

// pushTable pushes t's rows after its cursor up to epoch, batch by batch.
func (p *Pusher) pushTable(ctx context.Context, i int, t *table, epoch int64) error {
	for {
		c := p.cur[t.name]
		b, err := p.local.readBatch(ctx, t, p.opts.Sensor, c, epoch, p.opts.BatchSize, nil)
		if err != nil {
			return err
		}
		if b.n == 0 {
			return nil // the cursor stays: no row can join the closed epochs
		}
		done := b.n < p.opts.BatchSize
		if done && !t.appendOnly {
			b.next = cursor{seq: epoch} // every row up to the closed epoch is pushed
		}
		var ev *batch
		if t.withEvidence {
			if ev, err = p.local.readBatch(ctx, evidenceTable, p.opts.Sensor, start, 0, 0, b.ids); err != nil {
				return err
			}
		}
		tctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
		err = pushBatch(tctx, p.conn, p.opts.Sensor, p.opts.Site, p.local.dbID, b, ev)
		cancel()
		if err != nil {
			return remoteErr(fmt.Errorf("push %s: %w", t.name, err))
		}
		p.cur[t.name] = b.next
		if err := p.local.saveCursor(ctx, t, b.next, p.opts.Now()); err != nil {
			return err
		}
		p.rows[i].Add(uint64(b.n))
		if ev != nil {
			p.rows[numTables].Add(uint64(ev.n))
		}
		p.batches.Add(1)
		if p.testAfterBatch != nil {
			p.testAfterBatch(t.name, b.n)
		}
		if done {
			return nil
		}
	}
}

// failed logs a failure: the first of an outage as one Error line, then a
// reminder every RepeatLog.
func (p *Pusher) failed(err error) {
	now := p.opts.Now()
	p.failAttempts++
	if !p.failing {
		p.failing, p.failSince, p.lastLogged = true, now, now
		p.log.Error("central push failing; capture and the local database are unaffected, retrying with backoff",
			zap.String("server", p.server), zap.String("sensor", p.opts.Sensor), zap.Error(err))
		return
	}
	if now.Sub(p.lastLogged) >= p.opts.RepeatLog {
		p.lastLogged = now
		p.log.Warn("central push still failing",
			zap.String("server", p.server), zap.Duration("for", now.Sub(p.failSince).Round(time.Second)),
			zap.Int("attempts", p.failAttempts), zap.Error(err))
	}
}

func (p *Pusher) recovered() {
	if p.failing {
		now := p.opts.Now()
		p.log.Info("central push resumed", zap.String("server", p.server),
			zap.Duration("after", now.Sub(p.failSince).Round(time.Second)), zap.Int("failed_attempts", p.failAttempts))
	}
	p.failing, p.failAttempts = false, 0
}

// Stats are the pusher's counters, for metrics.
type Stats struct {
	// Rows is the rows upserted into the central database per table
	// (evidence included), since New.
	Rows map[string]uint64
	// Batches is the central transactions committed.
	Batches uint64
	// Errors counts failed pushes (connect, read or batch).
	Errors uint64
	// Connected is whether a central connection is open.
	Connected bool
	// LastSync is when the last complete push ended (zero: none since
	// New).
	LastSync time.Time
	// Lag is how old the oldest change not known to be in the central
	// database may be: now minus the close of the last epoch pushed
	// completely (since New, if none was yet).
	Lag time.Duration
}

// Stats returns the current counters.
func (p *Pusher) Stats() Stats {
	s := Stats{Rows: make(map[string]uint64, numTables+1), Batches: p.batches.Load(), Errors: p.errs.Load(),
		Connected: p.connected.Load()}
	for i, t := range tables {
		s.Rows[t.name] = p.rows[i].Load()
	}
	s.Rows[evidenceTable.name] = p.rows[numTables].Load()
	since := p.started
	if ns := p.caughtUp.Load(); ns != 0 {
		since = time.Unix(0, ns)
	}
	s.Lag = max(p.opts.Now().Sub(since), 0)
	if ns := p.lastSync.Load(); ns != 0 {
		s.LastSync = time.Unix(0, ns)
	}
	return s
}

// TotalRows is the sum of Rows.
func (s Stats) TotalRows() uint64 {
	var n uint64
	for _, v := range s.Rows {
		n += v
	}
	return n
}
