package store

import (
	"database/sql"
	"database/sql/driver"
	"math"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/wardwatch/wardwatch/model"
)

// driverValue must convert every argument as database/sql's default
// converter does (the flush's writes used database/sql before).
func TestDriverValueMatchesDatabaseSQL(t *testing.T) {
	type named string
	for _, a := range []any{nil, int64(-7), "x", true, 1.5, []byte("b"), 42, int32(-3), uint8(200), uint16(65535),
		uint32(math.MaxUint32), uint64(12), named("n"), model.ClassServer, sql.NullString{String: "v", Valid: true},
		sql.NullInt64{}, int8(-1), float32(0.5)} {
		got, err := driverValue(a)
		want, werr := driver.DefaultParameterConverter.ConvertValue(a)
		if (err != nil) != (werr != nil) {
			t.Errorf("%T %v: error %v, database/sql's %v", a, a, err, werr)
			continue
		}
		gb, _ := got.([]byte)
		wb, _ := want.([]byte)
		if gb != nil || wb != nil {
			if string(gb) != string(wb) {
				t.Errorf("%T %v: %v, database/sql's %v", a, a, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%T %v: %#v (%T), database/sql's %#v (%T)", a, a, got, got, want, want)
		}
	}
	if _, err := driverValue(uint64(math.MaxUint64)); err == nil {
		t.Error("uint64 beyond int64: no error (database/sql refuses it)")
	}
}

// A flush after the pool replaced the writer's connection prepares its
// statements again on the new one, and closes those of the old.
func TestRawStmtsFollowTheConnection(t *testing.T) {
	db, path := newDB(t)
	t0 := time.Unix(1_700_000_000, 0)
	mustSubmit(t, db, arp(key(t, "02:00:00:00:00:01"), t0, "10.0.0.1"))
	other, err := (&sqlite3.SQLiteDriver{}).Open(fileURI(path) + "?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	get := func(c *sqlite3.SQLiteConn) (*sqlite3.SQLiteStmt, error) {
		db.raw.mu.Lock()
		defer db.raw.mu.Unlock()
		return db.raw.get(c, sAssetTouch)
	}
	first := db.conn.conn.Load()
	s1, err := get(first)
	if err != nil || s1 == nil {
		t.Fatalf("statement on the writer connection: %v", err)
	}
	if s2, err := get(other.(*sqlite3.SQLiteConn)); err != nil || s2 == s1 {
		t.Fatalf("after a new connection: %p (was %p), %v", s2, s1, err)
	}
	if _, err := get(nil); err == nil {
		t.Error("no connection: no error")
	}
	// Back on the writer's connection, flushes go on.
	if s3, err := get(first); err != nil || s3 == s1 {
		t.Fatalf("back on the writer connection: %p (was %p), %v", s3, s1, err)
	}
	mustSubmit(t, db, arp(key(t, "02:00:00:00:00:02"), t0, "10.0.0.2"))
	if n := len(mustAssets(t, db, AssetFilter{})); n != 2 {
		t.Errorf("%d assets, want 2", n)
	}
}
