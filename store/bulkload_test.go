package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// writerSync is the writer connection's PRAGMA synchronous (0 OFF, 1 NORMAL).
func writerSync(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.wdb.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkLoad: Options.BulkLoad writes a file Open created without syncs
// until Close, which leaves it complete and checkpointed; a file that
// already exists, or a new one without the option, keeps synchronous=NORMAL.
func TestBulkLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bulk.db")
	opts := testOpts()
	opts.BulkLoad = true
	db := mustOpen(t, path, opts)
	if got := writerSync(t, db); got != 0 {
		t.Errorf("a bulk load into a new file: synchronous = %d, want 0 (OFF)", got)
	}
	k := key(t, "00:1b:63:00:02:0a")
	mustSubmit(t, db, arp(k, t0, "10.1.1.9"))
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the WAL is still there after the bulk load's Close (%v): not checkpointed", err)
	}
	// Reopened, even with the option: the file exists, so the usual
	// durability, and the load's rows are there (Open runs quick_check).
	db = mustOpen(t, path, opts)
	if got := writerSync(t, db); got != 1 {
		t.Errorf("an existing file with BulkLoad: synchronous = %d, want 1 (NORMAL)", got)
	}
	if as := mustAssets(t, db, AssetFilter{MAC: k.MAC}); len(as) != 1 || len(as[0].Addresses) != 1 {
		t.Errorf("after the bulk load: %+v", as)
	}
	fresh, _ := newDB(t)
	if got := writerSync(t, fresh); got != 1 {
		t.Errorf("a new file without BulkLoad: synchronous = %d, want 1 (NORMAL)", got)
	}
}
