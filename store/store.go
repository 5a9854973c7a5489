// Package store keeps Wardwatch's asset inventory in SQLite
// (github.com/mattn/go-sqlite3).
//
// A daemon opens the database with Open: one read-write connection used only
// by a single writer goroutine (Start), which applies the observations
// handed to Submit or TrySubmit to its in-memory state (assets, addresses,
// arpwatch bindings, flows, policy violations, DICOM and HL7 facts and
// events) and writes what changed in one transaction per FlushInterval or
// FlushSize changed rows (write-behind: each changed row once per flush, by
// id), classifies the assets whose facts changed (Options.Classifier), and
// keeps going (retrying, then dropping and counting) when a flush fails.
// Reads (FindAssets, FindFlows, FindViolations, FindEvents, ...: one
// query_*.go file per entity, a page and its total in one query, filters of
// typed values, every value bound) use a separate pool of read-only
// connections, so they never wait for a flush; Classes answers class
// lookups from memory. Query tools open
// the same file with OpenReadOnly while the daemon runs (WAL mode).
//
// The write side is one file per concern, so that one observation can be
// followed through the store in one place: write_batch.go (the transaction
// and the dispatch by observation kind), write_statements.go (every
// statement the writer prepares), write_assets.go, write_arpwatch.go
// (addresses and bindings with arpwatch's events), write_dhcp.go,
// write_flows.go, write_violations.go, write_dicom.go, write_hl7.go,
// write_events.go, and classify.go / classify_facts.go / classify_cache.go
// (classification of the assets a batch changed, the facts it reads and the
// flusher's cache of them, the class index).
//
// The schema is a series of embedded migrations (migrations/0001_init.sql,
// ...) applied in order at Open, each in its own transaction and recorded in
// schema_migrations; the .sql files document every table. Times are stored
// as INTEGER Unix nanoseconds (UTC).
//
// Open never deletes or rewrites an existing database when it fails: every
// failure is one error naming the path and the cause, distinguishable with
// errors.Is against ErrLocked, ErrCorrupt, ErrReadOnly, ErrNotFound and
// ErrSchema.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver (read connections)
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

// Defaults applied by Open to zero Options fields. They are the one home of
// these numbers: configs.Default is built from them.
const (
	DefaultBusyTimeout   = 5 * time.Second
	DefaultFlushInterval = time.Second
	DefaultFlushSize     = 50000
	DefaultQueueSize     = 100000 // ~5 s of a 1 Gbit/s hospital link's changes (224 B each, 22 MiB when full)
	DefaultMaxRetries    = 5
	DefaultCacheSize     = 100000
)

// NoBusyWait as Options.BusyTimeout makes a statement that meets another
// connection's lock fail at once with ErrLocked (store.busy_timeout: 0).
const NoBusyWait time.Duration = -1

// Options configures Open. The zero value is usable: a zero field takes its
// Default* constant.
type Options struct {
	// BusyTimeout is how long a statement waits for another connection's
	// lock before failing with ErrLocked. 0: DefaultBusyTimeout; negative
	// (NoBusyWait): no wait.
	BusyTimeout time.Duration
	// FlushInterval is the longest an observation waits in memory before
	// it is committed: a crash loses at most the observations of the last
	// interval (and of a flush under way). 0: DefaultFlushInterval.
	FlushInterval time.Duration
	// FlushSize commits as soon as this many rows are pending (changed
	// since the last flush, each counted once however many observations
	// changed it; events not counted). 0: DefaultFlushSize.
	FlushSize int
	// QueueSize bounds the observations submitted but not yet taken by the
	// writer. 0: DefaultQueueSize.
	QueueSize int
	// MaxRetries is how many times a failed batch is retried (one retry per
	// FlushInterval) before it is dropped and counted in
	// WriterStats.DroppedFailed. 0: DefaultMaxRetries.
	MaxRetries int
	// CacheSize bounds each of the writer's caches of rows (assets,
	// addresses by IP, bindings, flows, violations): after a flush, one
	// that grew past it is trimmed to 7/8 of it, and the writer flushes
	// early when they hold 4 times as much. 0: DefaultCacheSize.
	CacheSize int
	// Now is the clock, for observations without a time and for
	// schema_migrations.applied_at. Default time.Now.
	Now func() time.Time
	// Logger receives one Error line per failed flush. Default zap.NewNop().
	Logger *zap.Logger
	// Vendor names the organisation owning a MAC's OUI; it is called once
	// per new asset. May be nil (vendor left empty).
	Vendor func(model.MAC) string
	// OnFlush, if set, is called by the writer goroutine after every flush
	// attempt with its duration and error (nil on success), e.g. to feed a
	// histogram. It must not block.
	OnFlush func(d time.Duration, err error)
	// BulkLoad, when Open creates the database file, writes it without
	// syncing (synchronous=OFF) until Close, which syncs the WAL and the
	// database before it returns: a bulk load, for a replay into a new
	// file. The file held nothing before, so a power cut during the load
	// loses only what the load wrote (run it again); a crash of the
	// process loses nothing (the writes are in the OS's cache). An existing
	// file is always written with the usual durability (synchronous=NORMAL:
	// each checkpoint syncs).
	BulkLoad bool
	// Classifier, if set, classifies every asset whose fingerprint facts
	// changed in a batch, before the batch commits (see Classifier for the
	// rules: fingerprint.Better decides, every class change is a
	// class-changed event). Typically a *fingerprint.Engine. Nil: assets
	// stay model.ClassUnknown.
	Classifier Classifier
}

func (o *Options) setDefaults() {
	if o.BusyTimeout == 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.FlushSize <= 0 {
		o.FlushSize = DefaultFlushSize
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

// DB is an open inventory database. Its methods are safe for concurrent
// use.
type DB struct {
	path     string
	readOnly bool
	opts     Options
	log      *zap.Logger

	wdb   *sql.DB  // the one read-write connection; nil when read-only
	rdb   *sql.DB  // read-only connections for queries
	lock  *os.File // flock'ed lock file; nil when read-only
	stmts *stmts
	conn  *writerConnector // wdb's; its connection runs raw's statements
	bulk  bool             // Options.BulkLoad on a file this Open created: no syncs until Close
	raw   rawStmts         // the flush's writes (rawexec.go)

	writer

	classes     ClassIndex // see Classes
	classesOnce sync.Once  // read-only DBs load classes on first use

	closeOnce sync.Once
	closeErr  error
}

// LatestVersion is the schema version this binary migrates databases to.
func LatestVersion() int { return len(migrationList) }

// Open opens (creating it with mode 0600 if missing) the database at path
// for reading and writing, checks it with PRAGMA quick_check and applies
// pending migrations. Only one read-write DB may have a given file open at a
// time: a second Open, in this process or another, fails with ErrLocked.
// The exclusion uses an flock(2) on path+"-lock", beside SQLite's own -wal
// and -shm files.
//
// Call Start to run the writer and Close when done.
func Open(path string, opts Options) (*DB, error) {
	opts.setDefaults()
	const op = "open"
	if path == "" {
		return nil, &pathError{op: op, path: `""`, msg: "empty database path"}
	}
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	var created bool
	switch {
	case err == nil && fi.IsDir():
		return nil, &pathError{op: op, path: path, msg: "is a directory"}
	case err == nil:
		if err := checkWritable(path); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if created, err = createFile(path); err != nil {
			return nil, err
		}
	default:
		return nil, wrap(op, path, err)
	}
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	db := &DB{path: path, opts: opts, log: opts.Logger, lock: lock, bulk: opts.BulkLoad && created}
	if err := db.open(); err != nil {
		db.closeConns()
		return nil, err
	}
	if err := db.classes.load(context.Background(), db.wdb); err != nil {
		db.closeConns()
		return nil, wrap("open", path, fmt.Errorf("load class index: %w", err))
	}
	db.writer.init(&db.opts)
	return db, nil
}

// checkWritable fails with ErrReadOnly when this process cannot write the
// existing database file. SQLite's mode=rw silently falls back to a
// read-only connection on such a file, and every later batch would fail:
// the daemon must refuse to start instead.
func checkWritable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return &pathError{op: "open", path: path, kind: ErrReadOnly, msg: "not writable", cause: err}
	}
	return f.Close()
}

// createFile creates a missing database file with mode 0600, so that SQLite
// (which would use 0644) and its -wal/-shm files (which copy the database's
// mode) keep it private.
func createFile(path string) (created bool, err error) {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, &pathError{op: "open", path: path, kind: ErrNotFound,
				msg: "directory " + dir + " does not exist", cause: err}
		}
		return false, wrap("create", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil // created meanwhile by someone else: use it
	}
	if err != nil {
		return false, &pathError{op: "create", path: path, kind: classify(err), cause: err}
	}
	if err := f.Close(); err != nil {
		return false, wrap("create", path, err)
	}
	return true, nil
}

// busyParam is the driver's DSN parameter for a busy timeout; 0 ms (for
// NoBusyWait) turns SQLite's busy handler off.
func busyParam(d time.Duration) string {
	return "_busy_timeout=" + strconv.FormatInt(max(d, 0).Milliseconds(), 10)
}

func (db *DB) open() error {
	const op = "open"
	busy := busyParam(db.opts.BusyTimeout)
	var err error
	// mode=rw: the file exists by now and SQLite must never create one.
	// journal_mode=WAL is not a DSN parameter (_journal_mode) because the
	// driver would set it on connect, rewriting the header of a file that
	// may turn out to be someone else's database: migrate sets it once the
	// file is known to be ours. The writer's page cache is 32 MiB (SQLite's
	// default 2 MiB made flushes of flows and violations, spread over
	// their indexes, re-read pages). _mutex=no opens it without SQLite's
	// per-connection mutex (multi-thread mode): only one goroutine uses
	// it at a time (the pool has one connection, held by the flush's
	// transaction, and the raw statements run under raw.mu), and taking
	// the mutex on every API call was ~1.6 % of a replay's CPU (perf).
	// synchronous is NORMAL (each checkpoint syncs), OFF for a bulk load
	// until Close (Options.BulkLoad).
	db.conn = &writerConnector{drv: &sqlite3.SQLiteDriver{}, dsn: fileURI(db.path) + "?mode=rw&" + busy +
		"&_foreign_keys=on&_synchronous=" + db.syncMode() + "&_txlock=immediate&_cache_size=-32768&_mutex=no"}
	db.wdb = sql.OpenDB(db.conn)
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	db.wdb.SetConnMaxLifetime(0)
	db.wdb.SetConnMaxIdleTime(0)

	ctx := context.Background()
	if err := db.wdb.PingContext(ctx); err != nil {
		return wrap(op, db.path, err)
	}
	if err := quickCheck(ctx, db.wdb, db.path); err != nil {
		return err
	}
	if err := migrate(ctx, db.wdb, db.path, db.opts.Now); err != nil {
		return err
	}
	if db.stmts, err = prepare(ctx, db.wdb); err != nil {
		return wrap(op, db.path, err)
	}
	db.rdb, err = openRead(db.path, busy)
	return err
}

// OpenReadOnly opens an existing database for queries only (SQLite
// mode=ro), e.g. for a query tool while the daemon writes to it. It never
// creates the file: a missing one is ErrNotFound. It does not migrate; a
// database whose schema is newer than this binary, or that is not a
// Wardwatch database, is ErrSchema. Writes through it fail with ErrReadOnly.
// Unlike Open it skips PRAGMA quick_check (a full scan); corruption shows up
// as ErrCorrupt from the query that meets it.
func OpenReadOnly(path string) (*DB, error) {
	const op = "open read-only"
	if path == "" {
		return nil, &pathError{op: op, path: `""`, msg: "empty database path"}
	}
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, &pathError{op: op, path: path, msg: "is a directory"}
	case errors.Is(err, fs.ErrNotExist):
		return nil, &pathError{op: op, path: path, kind: ErrNotFound, cause: err}
	case err != nil:
		return nil, wrap(op, path, err)
	}
	opts := Options{}
	opts.setDefaults()
	db := &DB{path: path, readOnly: true, opts: opts, log: opts.Logger}
	params := busyParam(db.opts.BusyTimeout)
	if _, err := os.Stat(path + "-shm"); errors.Is(err, fs.ErrNotExist) && readOnlyFS(filepath.Dir(path)) {
		// Nobody can be writing, and SQLite could not create the -shm
		// file WAL readers need: read the file as it is.
		params += "&immutable=1"
	}
	if db.rdb, err = openRead(path, params); err != nil {
		return nil, err
	}
	ctx := context.Background()
	v, err := schemaVersion(ctx, db.rdb)
	if err == nil && v == 0 {
		err = &pathError{op: op, path: path, kind: ErrSchema, msg: "not a wardwatch database (no schema)"}
	}
	if err == nil && v > LatestVersion() {
		err = newerSchema(op, path, v)
	}
	if err != nil {
		db.rdb.Close()
		return nil, wrap(op, path, err)
	}
	db.writer.init(&db.opts)
	return db, nil
}

func openRead(path, params string) (*sql.DB, error) {
	rdb, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro&_query_only=1&"+params)
	if err == nil {
		rdb.SetMaxOpenConns(4)
		rdb.SetMaxIdleConns(2)
		if err = rdb.PingContext(context.Background()); err != nil {
			rdb.Close()
		}
	}
	if err != nil {
		err = wrap("open read-only", path, err)
		if pe, ok := err.(*pathError); ok && pe.kind == ErrReadOnly {
			pe.kind = nil // SQLITE_CANTOPEN here is no write failure
		}
		return nil, err
	}
	return rdb, nil
}

// fileURI turns a path into an SQLite URI filename, escaping the
// characters URI parsing would interpret.
func fileURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(path))
}

// quickCheck runs PRAGMA quick_check and maps any complaint to ErrCorrupt.
func quickCheck(ctx context.Context, db *sql.DB, path string) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return wrap("check", path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return wrap("check", path, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return wrap("check", path, err)
	}
	if len(problems) > 0 {
		msg := problems[0]
		if len(problems) > 1 {
			msg += fmt.Sprintf(" (and %d more problems)", len(problems)-1)
		}
		return &pathError{op: "check", path: path, kind: ErrCorrupt,
			msg: "quick_check failed: " + msg}
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close stops the writer, commits everything submitted so far and closes
// the database. It returns the final flush's error, if any (the
// observations it could not write are counted in WriterStats.DroppedFailed).
// Close is idempotent; later calls return the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		var errs []error
		if !db.readOnly {
			if err := db.stop(); err != nil {
				errs = append(errs, err)
			}
		}
		if err := db.endBulkLoad(); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, db.closeConns()...)
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// syncMode is the writer connection's synchronous setting.
func (db *DB) syncMode() string {
	if db.bulk {
		return "OFF"
	}
	return "NORMAL"
}

// endBulkLoad makes a bulk load durable before the writer's connection
// closes: with synchronous=NORMAL again, a checkpoint syncs the WAL, copies
// it into the database and syncs that (a reader of another process may keep
// some frames in the WAL: they are synced there); then the directory, which
// holds the new file's name.
func (db *DB) endBulkLoad() error {
	if !db.bulk || db.wdb == nil {
		return nil
	}
	ctx := context.Background()
	if _, err := db.wdb.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return wrap("close", db.path, err)
	}
	var busy, logFrames, copied int
	if err := db.wdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(FULL)").Scan(&busy, &logFrames, &copied); err != nil {
		return wrap("close", db.path, err)
	}
	db.bulk = false
	return syncDir(filepath.Dir(db.path))
}

// syncDir fsyncs a directory, so that a file created in it survives a
// power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return wrap("close", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return wrap("close", dir, err)
	}
	return nil
}

// closeConns closes the read pool first, so that the last connection to
// close is the writer's, which checkpoints the WAL into the database.
func (db *DB) closeConns() []error {
	var errs []error
	if db.rdb != nil {
		if err := db.rdb.Close(); err != nil {
			errs = append(errs, wrap("close", db.path, err))
		}
	}
	if db.stmts != nil {
		db.stmts.close()
	}
	db.raw.close()
	if db.wdb != nil {
		if err := db.wdb.Close(); err != nil {
			errs = append(errs, wrap("close", db.path, err))
		}
	}
	if db.lock != nil {
		if err := db.lock.Close(); err != nil {
			errs = append(errs, wrap("close", db.path, err))
		}
	}
	return errs
}
