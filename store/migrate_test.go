package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A version 1 database (the ARP/DHCP inventory) is upgraded in place: its
// assets keep their rows and get the classification columns' defaults.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw := rawDB(t, path)
	if _, err := raw.Exec(migrationList[0].sql); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, 0);
		INSERT INTO assets (vantage, vlan, mac, keyed_by, first_seen, last_seen, class, manufacturer)
		VALUES ('span0', 10, '00:1b:63:84:45:e6', 'mac', 1, 2, 'printer', 'HP')`, migrationList[0].name); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db := mustOpen(t, path, testOpts())
	var v int
	if err := db.rdb.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != LatestVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, LatestVersion())
	}
	a := mustAsset(t, db, key(t, "00:1b:63:84:45:e6"))
	if a.Class != "printer" || a.Manufacturer != "HP" || a.Modality != "" || a.ClassStrength != 0 ||
		!a.ClassChangedAt.IsZero() {
		t.Errorf("migrated asset = %+v", a)
	}
	if c, _, ok := db.Classes().Lookup(a.Key); !ok || c != "printer" {
		t.Errorf("index: %q, %v", c, ok)
	}
	if _, err := db.Asset(context.Background(), a.ID+1); !errors.Is(err, ErrNoAsset) {
		t.Errorf("Asset(missing) = %v, want ErrNoAsset", err)
	}
}
