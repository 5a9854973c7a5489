package central

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// TestCentralQueryScale measures the query side on a group of sensors
// (WARDWATCH_CENTRAL_QUERY_SCALE=1; not part of `make test`): QSCALE_SENSORS
// sensors (default 4), each replaying a generated hospital capture of
// QSCALE_MACS devices (default 5000); sensors 2k and 2k+1 replay the same
// capture (two sensors of one site mirroring the same switch), so every
// device is seen by two sensors. It logs how long the inventory's queries
// take.
func TestCentralQueryScale(t *testing.T) {
	if os.Getenv("WARDWATCH_CENTRAL_QUERY_SCALE") == "" {
		t.Skip("set WARDWATCH_CENTRAL_QUERY_SCALE=1 to measure the central queries at scale")
	}
	sensors, macs := envInt(t, "QSCALE_SENSORS", 4), envInt(t, "QSCALE_MACS", 5000)
	pg := startPG(t)
	dir := t.TempDir()
	gen := buildGen(t, dir)
	for i := range sensors {
		f := filepath.Join(dir, fmt.Sprintf("s%d.pcap", i))
		cmd := exec.Command(gen, "-q", "-kind", "mixed", "-macs", strconv.Itoa(macs), "-packets", strconv.Itoa(10*macs),
			"-seed", strconv.Itoa(i/2+1), "-site", strconv.Itoa(i/2+1), "-out", f)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gen: %v\n%s", err, out)
		}
		db := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
		replay(t, db, "core", f)
		os.Remove(f)
		mustSync(t, newPusher(t, pg, db, fmt.Sprintf("sensor-%d", i), fmt.Sprintf("site-%d", i/2+1), nil))
	}
	ctx := context.Background()
	c, err := OpenInventory(ctx, InventoryOptions{DSN: pg.DSN(), PasswordFile: pg.passwordFile(pg.Passwd)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	inv := inventory.New(inventory.Options{Store: c, Central: true})
	var rows int
	if err := c.pool.QueryRow(ctx, `SELECT count(*) FROM assets`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	timed := func(what string, fn func() (int, error)) {
		start := time.Now()
		n, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%-48s %8d rows  %v", what, n, time.Since(start).Round(time.Millisecond))
	}
	t.Logf("%d sensors, %d assets rows", sensors, rows)
	var some string
	timed("assets, first page of 100 (default sort)", func() (int, error) {
		p, err := inv.Assets(ctx, inventory.AssetQuery{Limit: 100})
		if len(p.Items) > 0 {
			some = p.Items[0].MAC
		}
		return p.Total, err
	})
	timed("assets --sort -last_seen --limit 100", func() (int, error) {
		p, err := inv.Assets(ctx, inventory.AssetQuery{Sort: store.AssetSort{By: "last_seen", Desc: true}, Limit: 100})
		return p.Total, err
	})
	timed("assets --sensor sensor-0 --limit 100", func() (int, error) {
		p, err := inv.Assets(ctx, inventory.AssetQuery{Sensor: "sensor-0", Limit: 100})
		return p.Total, err
	})
	timed("assets --search (substring) --limit 100", func() (int, error) {
		p, err := inv.Assets(ctx, inventory.AssetQuery{Search: "ct", Limit: 100})
		return p.Total, err
	})
	timed("assets -o csv (every device, streamed)", func() (int, error) {
		return inv.EachAsset(ctx, inventory.AssetQuery{}, func([]inventory.AssetRecord) error { return nil })
	})
	timed("summary (every device)", func() (int, error) {
		s, err := inv.Summary(ctx)
		return s.Assets, err
	})
	timed("asset MAC (detail)", func() (int, error) {
		d, err := inv.Asset(ctx, some, inventory.AssetRefQuery{})
		if err != nil {
			return 0, err
		}
		return len(d.Asset.Vantages), nil
	})
	timed("flows, first page of 100", func() (int, error) {
		p, err := inv.Flows(ctx, inventory.FlowQuery{Limit: 100, Desc: true})
		return p.Total, err
	})
	timed("events, first page of 100", func() (int, error) {
		p, err := inv.Events(ctx, inventory.EventQuery{Limit: 100, Desc: true})
		return p.Total, err
	})
}

// buildGen builds the capture generator (testdata/gen) into dir.
func buildGen(t testing.TB, dir string) string {
	t.Helper()
	gen := filepath.Join(dir, "gen")
	build := exec.Command("go", "build", "-o", gen, "./testdata/gen")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build gen: %v\n%s", err, out)
	}
	return gen
}
