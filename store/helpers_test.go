package store

import (
	"bytes"
	"context"
	"database/sql"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/wardwatch/wardwatch/model"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// testOpts never flushes on its own: tests call Flush.
func testOpts() Options {
	return Options{
		FlushInterval: time.Hour,
		Now:           func() time.Time { return t0 },
		Vendor: func(m model.MAC) string {
			if m[0] == 0x00 && m[1] == 0x1b && m[2] == 0x63 {
				return "Apple, Inc."
			}
			return ""
		},
	}
}

// mustOpen opens a started DB at path and closes it at the end of the test.
func mustOpen(tb testing.TB, path string, opts Options) *DB {
	tb.Helper()
	db, err := Open(path, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	db.Start(context.Background())
	tb.Cleanup(func() { db.Close() })
	return db
}

func newDB(tb testing.TB) (*DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "wardwatch.db")
	return mustOpen(tb, path, testOpts()), path
}

func mustSubmit(tb testing.TB, db *DB, obs ...model.Observation) {
	tb.Helper()
	for _, o := range obs {
		if err := db.Submit(context.Background(), o); err != nil {
			tb.Fatalf("Submit: %v", err)
		}
	}
	if err := db.Flush(context.Background()); err != nil {
		tb.Fatalf("Flush: %v", err)
	}
}

func mac(tb testing.TB, s string) model.MAC {
	tb.Helper()
	m, err := model.ParseMAC(s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func key(tb testing.TB, s string) model.AssetKey {
	return model.AssetKey{Vantage: "span0", VLAN: 10, MAC: mac(tb, s)}
}

func activity(k model.AssetKey, first, last time.Time, packets, bytes uint64) model.Observation {
	return model.Observation{Kind: model.ObsActivity, Key: k, First: first, Time: last, Packets: packets, Bytes: bytes}
}

func arp(k model.AssetKey, t time.Time, ip string) model.Observation {
	return model.Observation{Kind: model.ObsARP, Key: k, Time: t, IP: netip.MustParseAddr(ip),
		Source: "arp.reply", ARP: &model.ARPInfo{Op: 2}}
}

func dhcp(k model.AssetKey, t time.Time, d model.DHCPInfo) model.Observation {
	return model.Observation{Kind: model.ObsDHCP, Key: k, Time: t, IP: d.RequestedIP, DHCP: &d}
}

func ack(k model.AssetKey, t time.Time, ip string) model.Observation {
	return model.Observation{Kind: model.ObsDHCPAck, Key: k, Time: t, IP: netip.MustParseAddr(ip),
		Source: "dhcp.ack", DHCP: &model.DHCPInfo{MsgType: 5}}
}

func mustAssets(tb testing.TB, db *DB, f AssetFilter) []model.Asset {
	tb.Helper()
	as, err := db.Assets(context.Background(), f)
	if err != nil {
		tb.Fatalf("Assets: %v", err)
	}
	return as
}

func mustEvents(tb testing.TB, db *DB, f EventFilter) []model.Event {
	tb.Helper()
	es, _, err := db.FindEvents(context.Background(), f)
	if err != nil {
		tb.Fatalf("Events: %v", err)
	}
	return es
}

// eventTypes lists the events' types in order, with old->new values.
type ev struct {
	typ          model.EventType
	ip, old, new string
}

func events(tb testing.TB, db *DB) []ev {
	tb.Helper()
	var out []ev
	for _, e := range mustEvents(tb, db, EventFilter{}) {
		ip := ""
		if e.IP.IsValid() {
			ip = e.IP.String()
		}
		out = append(out, ev{e.Type, ip, e.OldValue, e.NewValue})
	}
	return out
}

// rawDB opens path with a plain go-sqlite3 connection, outside the store.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate&_busy_timeout=100")
	if err != nil {
		tb.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func assertUnchanged(tb testing.TB, path string, want []byte) {
	tb.Helper()
	if got := readFile(tb, path); !bytes.Equal(got, want) {
		tb.Errorf("%s changed: %d bytes, was %d", path, len(got), len(want))
	}
}

func observerLogger() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}
