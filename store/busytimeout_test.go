package store

import (
	"testing"
	"time"
)

// TestNoBusyWait: store.busy_timeout: 0 is documented as "gives up at
// once"; the daemon passes it as NoBusyWait, which must not become the 5s
// default.
func TestNoBusyWait(t *testing.T) {
	db, path := newDB(t)
	mustSubmit(t, db, activity(key(t, "00:1b:63:00:00:01"), t0, t0, 1, 1))
	db.Close()

	raw := rawDB(t, path)
	tx, err := raw.Begin() // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE assets SET packets = packets + 1`); err != nil {
		t.Fatal(err)
	}
	opts := testOpts()
	opts.BusyTimeout = NoBusyWait
	start := time.Now()
	db2, err := Open(path, opts)
	if err == nil {
		db2.Close()
	}
	checkOpenErr(t, err, path, ErrLocked, "database is locked")
	if d := time.Since(start); d > DefaultBusyTimeout/2 {
		t.Errorf("took %v to fail with NoBusyWait (the default busy timeout is %v)", d, DefaultBusyTimeout)
	}
}
