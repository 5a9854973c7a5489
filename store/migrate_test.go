package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
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

// A version 3 database learns the AE titles by address its DICOM facts
// already hold: each association report named the peer's title and address.
// The latest report per (vantage, address) wins.
func TestMigrateAETitlesByIP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	raw := rawDB(t, path)
	for _, m := range migrationList[:aeTitlesByIPVersion-1] {
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO assets (id, vantage, vlan, mac, keyed_by, first_seen, last_seen)
			VALUES (1, 'span0', 50, 'dc:4a:3e:a2:c8:32', 'mac', 1, 9);
		INSERT INTO dicom_aes (asset_id, role, ae_title, peer_ae_title, peer_ip, first_seen, last_seen) VALUES
			(1, 'scp', 'PACS_MAIN', 'OLD_NAME', '10.40.0.107', 1, 2),
			(1, 'scp', 'PACS_MAIN', 'RAD_WS07', '10.40.0.107', 3, 5),
			(1, 'scp', 'PACS_MAIN', 'CT_SCANNER1', '10.30.0.21', 4, 4),
			(1, 'scp', 'PACS_MAIN', '', '10.30.0.99', 4, 4);
		INSERT INTO flows (src_asset_id, src_ip, dst_ip, proto, port, src_local, vantage, vlan, first_seen, last_seen)
			VALUES (1, '10.50.0.20', '10.40.0.107', 6, 104, 1, 'span0', 50, 5, 5)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// Read before the upgrade (a query verb beside an old daemon) and after:
	// the same facts.
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	ff, err := ro.FlowFacts(context.Background(), time.Time{})
	ro.Close()
	if err != nil || len(ff) != 1 || ff[0].ServerFacts.IPAETitle != "RAD_WS07" {
		t.Errorf("FlowFacts of a version 3 database = %+v, %v; want the server named RAD_WS07", ff, err)
	}
	db := mustOpen(t, path, testOpts())
	if ff, err := db.FlowFacts(context.Background(), time.Time{}); err != nil || len(ff) != 1 || ff[0].ServerFacts.IPAETitle != "RAD_WS07" {
		t.Errorf("FlowFacts after the upgrade = %+v, %v; want the server named RAD_WS07", ff, err)
	}
	rows, err := db.rdb.Query(`SELECT vantage, ip, ae_title, first_seen, last_seen FROM ae_titles_by_ip ORDER BY ip`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v, ip, ae string
		var first, last int64
		if err := rows.Scan(&v, &ip, &ae, &first, &last); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %d-%d", v, ip, ae, first, last))
	}
	want := []string{"span0 10.30.0.21 CT_SCANNER1 4-4", "span0 10.40.0.107 RAD_WS07 3-5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ae_titles_by_ip = %q, want %q", got, want)
	}
}
