package central

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// TestFleetSim is `make fleet-sim` (not part of `make test`): a hospital
// group of FLEET_SENSORS sensors (default 50), each with its own SQLite file
// filled by replaying its own generated hospital capture (testdata/gen
// -kind mixed -site N: FLEET_MACS devices, default 2000, in a MAC range of
// its own, FLEET_PACKETS frames, default 20000), all pushing into one local
// PostgreSQL (fsync on). It measures
//
//   - central ingest: all pushers start together on full databases (as after
//     a central outage, the worst case), rows per second until every sensor
//     is caught up, and each sensor's catch-up time;
//   - push lag in steady state: while all pushers run (interval 10s), a few
//     sensors get more traffic; the time from the end of each replay until
//     the central database has all of it;
//   - the central database's size, per table and per 10,000 devices.
//
// The report goes to the test log (go test -v) and, with FLEET_REPORT=FILE,
// to FILE.
func TestFleetSim(t *testing.T) {
	if os.Getenv("WARDWATCH_FLEET_SIM") == "" {
		t.Skip("the fleet simulation runs with `make fleet-sim` (WARDWATCH_FLEET_SIM=1)")
	}
	sensors, macs, packets := envInt(t, "FLEET_SENSORS", 50), envInt(t, "FLEET_MACS", 2000), envInt(t, "FLEET_PACKETS", 20000)
	pg := startPG(t, "fsync=on", "max_connections=200")
	dir := t.TempDir()
	gen := buildGen(t, dir)
	bin := wardwatchBin(t)
	var report strings.Builder
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		t.Log(line)
		report.WriteString(line + "\n")
	}
	capture := func(i, seed, pkts int) string {
		f := filepath.Join(dir, fmt.Sprintf("site%d-%d.pcap", i, seed))
		cmd := exec.Command(gen, "-q", "-kind", "mixed", "-macs", strconv.Itoa(macs), "-packets", strconv.Itoa(pkts),
			"-seed", strconv.Itoa(seed), "-site", strconv.Itoa(i), "-out", f)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gen: %v\n%s", err, out)
		}
		return f
	}
	replayInto := func(db, f string) {
		cmd := exec.Command(bin, "replay", "-q", "--db", db, "--vantage", "core", f)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("replay: %v\n%s", err, out)
		}
		os.Remove(f)
	}

	// Phase 1: every sensor's database, two at a time (2 cores).
	t0 := time.Now()
	dbs := make([]string, sensors)
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := range dbs {
		dbs[i] = filepath.Join(dir, fmt.Sprintf("sensor%02d.db", i+1))
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			replayInto(dbs[i], capture(i+1, i+1, packets))
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	localRows := 0
	for _, db := range dbs {
		localRows += localCount(t, db, `SELECT (SELECT count(*) FROM assets) + (SELECT count(*) FROM asset_addresses)
			+ (SELECT count(*) FROM asset_hostnames) + (SELECT count(*) FROM flows) + (SELECT count(*) FROM violations)
			+ (SELECT count(*) FROM events) + (SELECT count(*) FROM evidence)`)
	}
	logf("fleet: %d sensors, %d devices and %d frames each; databases made in %v", sensors, macs, packets,
		time.Since(t0).Round(time.Second))

	// Phase 2: every pusher starts at once on a full database.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pushers := make([]*Pusher, sensors)
	for i, db := range dbs {
		pushers[i] = newPusher(t, pg, db, fmt.Sprintf("site%02d-core", i+1), fmt.Sprintf("site%02d", i+1), func(o *Options) {
			o.Interval = 10 * time.Second
			o.BatchSize = DefaultBatchSize
			o.MinBackoff, o.MaxBackoff = time.Second, 10*time.Second
			o.Logger = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
		})
	}
	start := time.Now()
	caught := make([]time.Duration, sensors)
	for _, p := range pushers {
		go p.Run(ctx)
	}
	for i, p := range pushers {
		waitFor(t, 30*time.Minute, "every sensor caught up", func() bool { return !p.Stats().LastSync.IsZero() })
		caught[i] = p.Stats().LastSync.Sub(start)
	}
	elapsed := time.Since(start)
	var rows, batches, errs uint64
	for _, p := range pushers {
		st := p.Stats()
		rows += st.TotalRows()
		batches += st.Batches
		errs += st.Errors
	}
	sort.Slice(caught, func(i, j int) bool { return caught[i] < caught[j] })
	logf("initial push: %d rows (local total %d) in %d batches, %d errors, %v: %.0f rows/s into PostgreSQL",
		rows, localRows, batches, errs, elapsed.Round(time.Second), float64(rows)/elapsed.Seconds())
	logf("catch-up time per sensor (all %d at once): fastest %v, median %v, slowest %v", sensors,
		caught[0].Round(time.Second), caught[len(caught)/2].Round(time.Second), caught[len(caught)-1].Round(time.Second))

	// Phase 3: steady state. Every pusher keeps running; a few sensors get
	// more traffic, one after another.
	var lags []time.Duration
	for k := 0; k < min(5, sensors); k++ {
		i := k * max(1, sensors/5)
		f := capture(i+1, 1000+i, packets/4)
		replayInto(dbs[i], f)
		done := time.Now()
		p := pushers[i]
		waitFor(t, 5*time.Minute, "the new traffic pushed", func() bool {
			st := p.Stats()
			return p.opts.Now().Add(-st.Lag).After(done) // caught up to a close after the replay ended
		})
		lags = append(lags, time.Since(done))
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	if len(lags) > 0 {
		logf("steady-state push lag (interval 10s, all %d pushers running): %v .. %v over %d replays",
			sensors, lags[0].Round(100*time.Millisecond), lags[len(lags)-1].Round(100*time.Millisecond), len(lags))
	}
	cancel()

	// Size.
	conn := pg.admin(context.Background(), "wardwatch")
	defer conn.Close(context.Background())
	var dbSize int64
	if err := conn.QueryRow(context.Background(), `SELECT pg_database_size('wardwatch')`).Scan(&dbSize); err != nil {
		t.Fatal(err)
	}
	devices := count(t, conn, `SELECT count(*) FROM assets`)
	var tables int64
	var lines []string
	for _, tb := range allTables() {
		var n int
		var size int64
		if err := conn.QueryRow(context.Background(), `SELECT count(*), pg_total_relation_size($1::regclass) FROM `+tb.name,
			tb.name).Scan(&n, &size); err != nil {
			t.Fatal(err)
		}
		tables += size
		lines = append(lines, fmt.Sprintf("  %-18s %9d rows %8.1f MiB (with indexes)", tb.name, n, float64(size)/(1<<20)))
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	logf("central database: %d assets (devices) from %d sensors; tables and indexes %.1f MiB = %.1f MiB per 10,000 devices; "+
		"the whole database %.1f MiB (an empty one is about 7.5 MiB)", devices, count(t, conn, `SELECT count(DISTINCT sensor) FROM assets`),
		mib(tables), mib(tables)/float64(devices)*10000, mib(dbSize))
	for _, l := range lines {
		logf("%s", l)
	}
	if f := os.Getenv("FLEET_REPORT"); f != "" {
		if err := os.WriteFile(f, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
