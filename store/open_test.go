package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestOpenCreatesAndMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	for i := 0; i < 3; i++ { // reopening is idempotent
		db, err := Open(path, testOpts())
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		var n, v int
		if err := db.rdb.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if n != LatestVersion() || v != LatestVersion() {
			t.Errorf("open #%d: %d migrations recorded, version %d; want %d", i, n, v, LatestVersion())
		}
		var mode string
		if err := db.wdb.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v", mode, err)
		}
		var fk int
		if err := db.wdb.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v", fk, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestLoadMigrations(t *testing.T) {
	if len(migrationList) == 0 || migrationList[0].name != "0001_init.sql" {
		t.Fatalf("embedded migrations = %+v", migrationList)
	}
	gap := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("SELECT 1")},
		"migrations/0003_c.sql": {Data: []byte("SELECT 1")},
	}
	if _, err := loadMigrations(gap); err == nil || !strings.Contains(err.Error(), "0003_c.sql") {
		t.Errorf("gap: err = %v", err)
	}
}

// Each failing open names the path, is the right sentinel, and leaves the
// file byte-identical.
func checkOpenErr(t *testing.T, err error, path string, kind error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
	if want != "" && !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	t.Logf("error: %v", err)
}

func TestOpenLockedByAnotherWriter(t *testing.T) {
	db, path := newDB(t)
	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:01"), t0, t0, 1, 1))
	start := time.Now()
	db2, err := Open(path, testOpts())
	if err == nil {
		db2.Close()
	}
	checkOpenErr(t, err, path, ErrLocked, "another writer")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to fail", d)
	}
	// The first writer is unharmed.
	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:02"), t0, t0, 1, 1))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db3 := mustOpen(t, path, testOpts())
	if n := len(mustAssets(t, db3, AssetFilter{})); n != 2 {
		t.Errorf("%d assets after reopen, want 2", n)
	}
}

func TestOpenLockedByWriteTransaction(t *testing.T) {
	db, path := newDB(t)
	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:01"), t0, t0, 1, 1))
	db.Close()
	before := readFile(t, path)

	raw := rawDB(t, path)
	tx, err := raw.Begin() // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE assets SET packets = packets + 1`); err != nil {
		t.Fatal(err)
	}
	opts := testOpts()
	opts.BusyTimeout = 100 * time.Millisecond
	start := time.Now()
	db2, err := Open(path, opts)
	if err == nil {
		db2.Close()
	}
	checkOpenErr(t, err, path, ErrLocked, "database is locked")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to fail with a 100ms busy timeout", d)
	}
	tx.Rollback()
	raw.Close()
	assertUnchanged(t, path, before)
}

func TestFlushRetriesAndDrops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	opts := testOpts()
	opts.BusyTimeout = 20 * time.Millisecond
	opts.MaxRetries = 2
	var hooked []error
	opts.OnFlush = func(d time.Duration, err error) { hooked = append(hooked, err) }
	core, logs := observerLogger()
	opts.Logger = core
	db := mustOpen(t, path, opts)
	ctx := context.Background()

	raw := rawDB(t, path)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	k := key(t, "00:1b:63:00:00:01")
	if err := db.Submit(ctx, activity(k, t0, t0, 1, 1)); err != nil {
		t.Fatal(err)
	}
	err = db.Flush(ctx)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Flush while locked = %v, want ErrLocked naming the path", err)
	}
	tx.Rollback()
	if err := db.Flush(ctx); err != nil {
		t.Fatalf("Flush after unlock: %v", err)
	}
	if n := len(mustAssets(t, db, AssetFilter{})); n != 1 {
		t.Fatalf("the retried batch wrote %d assets, want 1", n)
	}

	// Locked for longer than MaxRetries attempts: the batch is dropped.
	tx, err = raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := db.Submit(ctx, activity(key(t, fmt.Sprintf("00:1b:63:00:01:%02x", i)), t0, t0, 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i <= opts.MaxRetries; i++ {
		if err := db.Flush(ctx); !errors.Is(err, ErrLocked) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	tx.Rollback()
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := db.Stats()
	if s.FlushErrors != 4 || s.DroppedFailed != 2 || s.Dropped != 2 || s.Written != 1 || s.Flushes != 1 || s.Pending != 0 {
		t.Errorf("stats = %+v", s)
	}
	if n := len(mustAssets(t, db, AssetFilter{})); n != 1 {
		t.Errorf("%d assets, want 1 (dropped batch must not be written)", n)
	}
	if len(hooked) != 5 || hooked[0] == nil || hooked[1] != nil {
		t.Errorf("OnFlush saw %v", hooked)
	}
	// Each failure is logged once, as an error; each commit at debug level.
	failures := logs.Filter(func(e observer.LoggedEntry) bool { return e.Level > zapcore.DebugLevel })
	if n := failures.Len(); n != 4 {
		t.Errorf("%d log lines for 4 failures: %v", n, failures.All())
	}
	for _, e := range failures.All() {
		if e.Level != zapcore.ErrorLevel {
			t.Errorf("logged at %v: %s", e.Level, e.Message)
		}
	}
	if c := logs.FilterMessage("store flush committed").All(); len(c) != 1 || c[0].ContextMap()["observations"] != int64(1) {
		t.Errorf("commits logged: %v", c)
	}
}

func TestOpenCorrupt(t *testing.T) {
	t.Run("random bytes", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "random.db")
		junk := make([]byte, 16384)
		rand.Read(junk)
		if err := os.WriteFile(path, junk, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, testOpts())
		if err == nil {
			db.Close()
		}
		checkOpenErr(t, err, path, ErrCorrupt, "not a database")
		db, err = OpenReadOnly(path)
		if err == nil {
			db.Close()
		}
		checkOpenErr(t, err, path, ErrCorrupt, "not a database")
		assertUnchanged(t, path, junk)
	})

	t.Run("truncated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "trunc.db")
		db := mustOpen(t, path, testOpts())
		var obs []model.Observation
		for i := 0; i < 3000; i++ {
			k := key(t, fmt.Sprintf("00:1b:63:00:%02x:%02x", i>>8, i&0xff))
			obs = append(obs, arp(k, t0, fmt.Sprintf("10.0.%d.%d", i>>8, i&0xff)))
		}
		mustSubmit(t, db, obs...)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		full := readFile(t, path)
		half := full[:len(full)/2]
		if err := os.WriteFile(path, half, 0o600); err != nil {
			t.Fatal(err)
		}
		db2, err := Open(path, testOpts())
		if err == nil {
			db2.Close()
		}
		checkOpenErr(t, err, path, ErrCorrupt, "")
		assertUnchanged(t, path, half)

		// Read-only open does not scan the file; the query that meets
		// the damage reports it.
		ro, err := OpenReadOnly(path)
		if err == nil {
			_, err = ro.Assets(context.Background(), AssetFilter{})
			ro.Close()
		}
		checkOpenErr(t, err, path, ErrCorrupt, "")
		assertUnchanged(t, path, half)
	})
}

func TestOpenReadOnlyMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	db, err := OpenReadOnly(path)
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrNotFound, "does not exist")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s: %v", path, err)
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodir", "w.db")
	db, err := Open(path, testOpts())
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrNotFound, "does not exist")
}

// TestOpenUnwritable uses a path under a regular file (ENOTDIR), which
// fails even for root. TestOpenReadOnlyMount covers a read-only file system.
func TestOpenUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "regular")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "w.db")
	db, err := Open(path, testOpts())
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrReadOnly, "not a directory")
	assertUnchanged(t, file, []byte("x"))
}

func TestOpenNewerSchema(t *testing.T) {
	db, path := newDB(t)
	db.Close()
	raw := rawDB(t, path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := readFile(t, path)
	want := fmt.Sprintf("database schema version 99 is newer than this binary (%d)", LatestVersion())
	db, err := Open(path, testOpts())
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrSchema, want)
	db, err = OpenReadOnly(path)
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrSchema, want)
	assertUnchanged(t, path, before)
}

func TestOpenForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw := rawDB(t, path)
	if _, err := raw.Exec(`CREATE TABLE patients (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := readFile(t, path)
	db, err := Open(path, testOpts())
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrSchema, "not a wardwatch database")
	assertUnchanged(t, path, before)
}

func TestReadOnlyWhileWriting(t *testing.T) {
	db, path := newDB(t)
	ctx := context.Background()
	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:01"), t0, t0, 1, 1))

	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n := len(mustAssets(t, ro, AssetFilter{})); n != 1 {
		t.Fatalf("read-only sees %d assets, want 1", n)
	}

	// Reads proceed while the writer holds its write transaction.
	raw := rawDB(t, path)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ro.Counts(ctx); err != nil {
		t.Errorf("Counts during a write transaction: %v", err)
	}
	tx.Rollback()

	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:02"), t0, t0, 1, 1))
	if n, _, err := ro.Counts(ctx); err != nil || n != 2 {
		t.Errorf("read-only Counts = %d, %v; want 2", n, err)
	}

	// Writes through it fail.
	if err := ro.Submit(ctx, activity(key(t, "00:1b:63:00:00:03"), t0, t0, 1, 1)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Submit = %v, want ErrReadOnly", err)
	}
	if ro.TrySubmit(activity(key(t, "00:1b:63:00:00:03"), t0, t0, 1, 1)) {
		t.Error("TrySubmit accepted an observation")
	}
	if err := ro.Flush(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Flush = %v, want ErrReadOnly", err)
	}
	ro.Start(ctx) // no-op
	_, err = ro.rdb.Exec(`DELETE FROM assets`)
	if !errors.Is(wrap("exec", path, err), ErrReadOnly) {
		t.Errorf("raw write through the read-only connection = %v, want ErrReadOnly", err)
	}
	if n, _, _ := db.Counts(ctx); n != 2 {
		t.Errorf("writer sees %d assets", n)
	}
}

func TestOpenReadOnlyEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := OpenReadOnly(path)
	if err == nil {
		db.Close()
	}
	checkOpenErr(t, err, path, ErrSchema, "no schema")
}

// TestSQLiteMemstatusOff: the store switched SQLite's memory statistics
// off before any connection opened (sqlite_config.go), so SQLite's
// allocations take no process-wide mutex.
func TestSQLiteMemstatusOff(t *testing.T) {
	if memstatusOff != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLITE_OK)", memstatusOff)
	}
}
