package central

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// newPusher opens a pusher for db with the test server's DSN and password.
func newPusher(t testing.TB, pg *pgServer, db, sensor, site string, mod func(*Options)) *Pusher {
	t.Helper()
	o := Options{DBPath: db, DSN: pg.DSN(), PasswordFile: pg.passwordFile(pg.Passwd), Sensor: sensor, Site: site,
		Interval: 50 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Timeout: 20 * time.Second}
	if mod != nil {
		mod(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustSync(t testing.TB, p *Pusher) {
	t.Helper()
	if err := p.Sync(context.Background()); err != nil {
		t.Fatalf("sync %s: %v", p.opts.Sensor, err)
	}
}

// localRows is every row of t in the sensor database as the central
// database should hold it (sorted, one string per row), read with the
// push's own column list but without cursor or epoch bound.
func localRows(t testing.TB, db, sensor string, tb *table) []string {
	t.Helper()
	l, err := openLocal(db, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	var b *batch
	if tb.seq == "" {
		// evidence: of every asset
		var ids []int64
		rows, err := l.ro.Query(`SELECT id FROM assets`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		b, err = l.readBatch(context.Background(), tb, sensor, start, 0, 0, ids)
	} else {
		b, err = l.readBatch(context.Background(), tb, sensor, start, math.MaxInt64, math.MaxInt32, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, b.n)
	for r := 0; r < b.n; r++ {
		var f []string
		for _, c := range b.cols {
			f = append(f, format(cellAt(c, r)))
		}
		out[r] = strings.Join(f, "|")
	}
	sort.Strings(out)
	return out
}

func cellAt(c *colBuf, r int) any {
	switch {
	case c.keys != nil:
		if c.keys[r] == nil {
			return nil
		}
		return *c.keys[r]
	case c.kind == kText:
		return c.text[r]
	case c.kind == kInt:
		return c.ints[r]
	case c.kind == kBool:
		return c.bools[r]
	default:
		return c.times[r]
	}
}

// format prints a value the same way whichever side it came from.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case pgtype.Timestamptz:
		if !x.Valid {
			return "NULL"
		}
		return x.Time.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case time.Time:
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case int16:
		return fmt.Sprint(int64(x))
	case int32:
		return fmt.Sprint(int64(x))
	default:
		return fmt.Sprint(x)
	}
}

// centralRows is every row of t the central database holds for sensor, in
// the same form as localRows.
func centralRows(t testing.TB, conn *pgx.Conn, tb *table, sensor, site string) []string {
	t.Helper()
	var names []string
	for _, k := range tb.keys {
		names = append(names, k.pg)
	}
	for _, c := range tb.cols {
		if c.pg != "" {
			names = append(names, c.pg)
		}
	}
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT "+strings.Join(names, ", ")+", site FROM "+tb.name+" WHERE sensor = $1", sensor)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		if vals[len(vals)-1] != site {
			t.Errorf("%s row of %s has site %v, want %q", tb.name, sensor, vals[len(vals)-1], site)
		}
		var f []string
		for _, v := range vals[:len(vals)-1] {
			f = append(f, format(v))
		}
		out = append(out, strings.Join(f, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// allTables is every central table a sensor fills.
func allTables() []*table { return append(append([]*table{}, tables...), evidenceTable) }

// assertMirror checks that the central rows of sensor equal its local
// database, table by table, and returns the row counts.
func assertMirror(t testing.TB, conn *pgx.Conn, db, sensor, site string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, tb := range allTables() {
		want := localRows(t, db, sensor, tb)
		got := centralRows(t, conn, tb, sensor, site)
		counts[tb.name] = len(want)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%s of sensor %s: central has %d rows, local %d; first differences:\n%s",
				tb.name, sensor, len(got), len(want), diff(want, got))
		}
	}
	return counts
}

func diff(want, got []string) string {
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	var b strings.Builder
	n := 0
	for _, s := range want {
		if !g[s] && n < 5 {
			fmt.Fprintf(&b, "  missing: %s\n", s)
			n++
		}
	}
	for _, s := range got {
		if !w[s] && n < 10 {
			fmt.Fprintf(&b, "  extra:   %s\n", s)
			n++
		}
	}
	return b.String()
}

// count runs a counting query on the central database.
func count(t testing.TB, conn *pgx.Conn, q string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// localCount runs a counting query on a sensor database.
func localCount(t testing.TB, db, q string) int {
	t.Helper()
	d, err := sql.Open("sqlite3", fileURI(db)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestTwoSensorsUnion: two sensors replaying different captures push into
// one central database, which then holds exactly the union of both local
// inventories, each row stamped with its sensor and site; pushing again
// (nothing changed, or every cursor lost) changes nothing; more traffic on
// one sensor is pushed as updates.
func TestTwoSensorsUnion(t *testing.T) {
	pg := startPG(t)
	dir := t.TempDir()
	dbA, dbB := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	replay(t, dbA, "span-a", demoPcap(t))
	filesB := sharedCaptures(t, "tapirx/HL7-ORU.pcap", "tapirx/dicom_arq_1_find_testclient.pcap", "ndpi/android.pcap",
		"arkime/wireshark-dhcp.pcap")
	if len(filesB) == 0 {
		t.Log("../shared/pcaps absent: sensor B replays the demo capture on another vantage")
		filesB = []string{demoPcap(t)}
	}
	replay(t, dbB, "core-b", filesB...)

	pa := newPusher(t, pg, dbA, "sensor-a", "north", nil)
	pb := newPusher(t, pg, dbB, "sensor-b", "south", nil)
	mustSync(t, pa)
	mustSync(t, pb)

	ctx := context.Background()
	conn := pg.admin(ctx, "wardwatch")
	defer conn.Close(ctx)
	ca := assertMirror(t, conn, dbA, "sensor-a", "north")
	cb := assertMirror(t, conn, dbB, "sensor-b", "south")
	t.Logf("sensor a rows: %v", ca)
	t.Logf("sensor b rows: %v", cb)
	for _, name := range []string{"assets", "asset_addresses", "events", "flows", "violations", "evidence", "dicom_aes"} {
		if ca[name] == 0 {
			t.Errorf("sensor a has no %s: the demo capture should give some", name)
		}
	}
	// The union, by hand-written queries (independent of the push's column lists).
	for _, q := range []struct{ local, central string }{
		{`SELECT count(*) FROM assets`, `SELECT count(*) FROM assets`},
		{`SELECT count(*) FROM events`, `SELECT count(*) FROM events`},
		{`SELECT count(*) FROM flows`, `SELECT count(*) FROM flows`},
		{`SELECT count(*) FROM evidence`, `SELECT count(*) FROM evidence`},
		{`SELECT count(DISTINCT mac) FROM assets WHERE class <> 'unknown'`, ``},
	} {
		if q.central == "" {
			continue
		}
		want := localCount(t, dbA, q.local) + localCount(t, dbB, q.local)
		if got := count(t, conn, q.central); got != want {
			t.Errorf("%s: central %d, sum of the sensors %d", q.central, got, want)
		}
	}
	// A device of sensor a as the SOC would look it up, with its evidence.
	var mac, class, vantage string
	var vlan, nEvidence int
	err := conn.QueryRow(ctx, `SELECT a.mac, a.vantage, a.vlan, a.class, (SELECT count(*) FROM evidence e WHERE e.asset_key = a.key)
		FROM assets a JOIN asset_addresses ad ON ad.asset_key = a.key
		WHERE a.sensor = 'sensor-a' AND ad.ip = '10.50.0.20'`).Scan(&mac, &vantage, &vlan, &class, &nEvidence)
	if err != nil {
		t.Fatalf("asset 10.50.0.20 of sensor a: %v", err)
	}
	if class == "unknown" || nEvidence == 0 {
		t.Errorf("10.50.0.20 (%s): class %q with %d evidence rows; want a class and its evidence", mac, class, nEvidence)
	}
	if vantage != "span-a" {
		t.Errorf("vantage %q, want span-a", vantage)
	}
	if got := AssetKey("sensor-a", "span-a", vlan, mac, ""); count(t, conn, `SELECT count(*) FROM assets WHERE key = $1`, got) != 1 {
		t.Errorf("AssetKey does not find asset %s", mac)
	}
	// A third sensor with a copy of a's database (same vantage names, same
	// devices): its rows are its own, and each device shows up once per
	// sensor, the same MAC on both.
	dbC := filepath.Join(dir, "c.db")
	copyFile(t, dbA, dbC)
	pc := newPusher(t, pg, dbC, "sensor-c", "north", nil)
	mustSync(t, pc)
	assertMirror(t, conn, dbC, "sensor-c", "north")
	assertMirror(t, conn, dbA, "sensor-a", "north")
	if n := count(t, conn, `SELECT count(DISTINCT sensor) FROM assets WHERE mac = $1`, mac); n != 2 {
		t.Errorf("device %s is under %d sensors, want 2 (a and c)", mac, n)
	}
	if n := count(t, conn, `SELECT count(*) FROM sensors`); n != 3 {
		t.Errorf("sensors rows = %d, want 3", n)
	}

	// Pushing again with nothing new sends nothing.
	before := pa.Stats().TotalRows()
	mustSync(t, pa)
	if d := pa.Stats().TotalRows() - before; d != 0 {
		t.Errorf("second push of an unchanged database sent %d rows", d)
	}
	// Losing every local cursor (a crash between the central commit and
	// the cursor write, at worst) re-pushes, and duplicates nothing.
	l, _ := openLocal(dbA, time.Second)
	if err := l.resetCursors(ctx); err != nil {
		t.Fatal(err)
	}
	l.close()
	pa2 := newPusher(t, pg, dbA, "sensor-a", "north", nil)
	mustSync(t, pa2)
	if pa2.Stats().TotalRows() == 0 {
		t.Error("no re-push after the local cursors were lost")
	}
	assertMirror(t, conn, dbA, "sensor-a", "north")

	// More traffic on sensor b: new rows and updated counters are pushed.
	more := sharedCaptures(t, "ndpi/1kxun.pcap", "tapirx/HL7-ADT.pcap")
	if len(more) == 0 {
		more = []string{demoPcap(t)}
	}
	replay(t, dbB, "core-b", more...)
	mustSync(t, pb)
	assertMirror(t, conn, dbB, "sensor-b", "south")
	assertMirror(t, conn, dbA, "sensor-a", "north")
	if n := count(t, conn, `SELECT count(*) FROM assets WHERE sensor NOT IN ('sensor-a', 'sensor-b', 'sensor-c')`); n != 0 {
		t.Errorf("%d assets without a sensor", n)
	}
}

// TestKillPostgresMidPush: the central server crashes (pg_ctl stop -m
// immediate) in the middle of a push in small batches; after a restart the
// push (also by a new pusher, as after a sensor restart) completes with
// nothing lost and nothing duplicated.
func TestKillPostgresMidPush(t *testing.T) {
	pg := startPG(t)
	db := filepath.Join(t.TempDir(), "s.db")
	replay(t, db, "span0", demoPcap(t))
	total := localCount(t, db, `SELECT (SELECT count(*) FROM assets) + (SELECT count(*) FROM events) + (SELECT count(*) FROM flows)`)

	p := newPusher(t, pg, db, "ward-3", "main", func(o *Options) { o.BatchSize = 7 })
	batches := 0
	p.testAfterBatch = func(tbl string, n int) {
		batches++
		if batches == 5 {
			pg.stop("immediate")
		}
	}
	err := p.Sync(context.Background())
	if err == nil {
		t.Fatal("sync went through although the server was killed after 5 batches")
	}
	t.Logf("push cut by the crash: %v", err)
	if p.Stats().Connected {
		t.Error("still connected after the crash")
	}
	if err := p.Sync(context.Background()); err == nil {
		t.Fatal("sync succeeded with the server down")
	}
	pg.start()
	p.testAfterBatch = nil
	// A sensor restart at this point: a new pusher on the same file.
	p.Close()
	p2 := newPusher(t, pg, db, "ward-3", "main", func(o *Options) { o.BatchSize = 7 })
	mustSync(t, p2)

	ctx := context.Background()
	conn := pg.admin(ctx, "wardwatch")
	defer conn.Close(ctx)
	counts := assertMirror(t, conn, db, "ward-3", "main")
	if got := count(t, conn, `SELECT (SELECT count(*) FROM assets) + (SELECT count(*) FROM events) + (SELECT count(*) FROM flows)`); got != total {
		t.Errorf("central assets+events+flows = %d, local %d", got, total)
	}
	t.Logf("rows after the crash and restart: %v", counts)
}

// TestPushWhileWriting: the pusher runs every 20ms while the sensor writes
// a capture into its database (the store's writer and the pusher's epoch
// closes contend for SQLite's write lock); once the replay is done, one
// more push leaves the central copy equal to the local database.
func TestPushWhileWriting(t *testing.T) {
	pg := startPG(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	replay(t, db, "span0", demoPcap(t)) // creates and migrates the file
	p := newPusher(t, pg, db, "busy", "main", func(o *Options) {
		o.Interval = 20 * time.Millisecond
		o.BatchSize = 500
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	files := sharedCaptures(t, "ndpi/1kxun.pcap", "ndpi/alexa-app.pcapng", "ndpi/android.pcap", "arkime/arkime_synthetic.pcap")
	files = append(files, demoPcap(t))
	for i, f := range files {
		replay(t, db, fmt.Sprintf("span%d", i%2), f) // the second vantage sees the same devices again
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mustSync(t, p)
	conn := pg.admin(context.Background(), "wardwatch")
	defer conn.Close(context.Background())
	counts := assertMirror(t, conn, db, "busy", "main")
	st := p.Stats()
	t.Logf("rows %v; batches %d; errors %d", counts, st.Batches, st.Errors)
	if st.Batches < 3 {
		t.Errorf("only %d batches: the pusher did not run during the replay", st.Batches)
	}
}

// observed is a logger that records entries.
func observed() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), logs
}

// TestWrongPasswordOneLogLine: a wrong password is one Error line naming
// the cause, however often the pusher retries (with backoff); once the
// password file is fixed the push resumes by itself (one Info line).
func TestWrongPasswordOneLogLine(t *testing.T) {
	pg := startPG(t)
	db := filepath.Join(t.TempDir(), "s.db")
	replay(t, db, "span0", demoPcap(t))
	log, logs := observed()
	pwFile := pg.passwordFile("wrong")
	p := newPusher(t, pg, db, "ward-1", "main", func(o *Options) {
		o.PasswordFile = pwFile
		o.Logger = log
		o.MinBackoff, o.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	waitFor(t, 20*time.Second, "5 failed attempts", func() bool { return p.Stats().Errors >= 5 })

	errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	if len(errs) != 1 {
		t.Fatalf("%d error lines for %d failed attempts, want 1: %v", len(errs), p.Stats().Errors, messages(errs))
	}
	line := errs[0].Message + " " + fmt.Sprint(errs[0].ContextMap())
	for _, want := range []string{"central push failing", "password authentication failed", "sensor@127.0.0.1:", "capture"} {
		if !strings.Contains(line, want) {
			t.Errorf("error line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "wrong") {
		t.Errorf("error line shows the password: %q", line)
	}

	if err := os.WriteFile(pwFile, []byte(pg.Passwd+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the push to resume", func() bool { return !p.Stats().LastSync.IsZero() })
	cancel()
	<-done
	if n := len(logs.FilterMessage("central push resumed").All()); n != 1 {
		t.Errorf("%d 'resumed' lines, want 1", n)
	}
	conn := pg.admin(context.Background(), "wardwatch")
	defer conn.Close(context.Background())
	assertMirror(t, conn, db, "ward-1", "main")
}

// TestUnreachableServer: no server at the address is one Error line while
// the pusher keeps retrying, and the sensor keeps writing its database
// meanwhile (a replay into the same file completes).
func TestUnreachableServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	replay(t, db, "span0", demoPcap(t))
	log, logs := observed()
	port := freePort(t) // nothing listens there
	p, err := New(Options{DBPath: db, DSN: fmt.Sprintf("postgres://sensor@127.0.0.1:%d/wardwatch?sslmode=disable", port),
		Sensor: "ward-2", Site: "main", Logger: log, MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	replay(t, db, "span1", demoPcap(t)) // capture continues
	waitFor(t, 20*time.Second, "5 failed attempts", func() bool { return p.Stats().Errors >= 5 })
	cancel()
	<-done
	errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	if len(errs) != 1 {
		t.Fatalf("%d error lines, want 1: %v", len(errs), messages(errs))
	}
	line := fmt.Sprint(errs[0].ContextMap())
	if !strings.Contains(line, "connect") || !strings.Contains(line, fmt.Sprint(port)) {
		t.Errorf("error line does not say it cannot connect to the port: %s", line)
	}
	if n := localCount(t, db, `SELECT count(DISTINCT vantage) FROM assets`); n != 2 {
		t.Errorf("vantages in the sensor database = %d, want 2 (the replay during the outage is missing)", n)
	}
}

// TestRepeatLog: a lasting failure is logged again every RepeatLog, not per
// attempt.
func TestRepeatLog(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	replay(t, db, "span0", demoPcap(t))
	log, logs := observed()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p, err := New(Options{DBPath: db, DSN: fmt.Sprintf("host=127.0.0.1 port=%d dbname=x user=y sslmode=disable", freePort(t)),
		Sensor: "s", RepeatLog: time.Hour, Logger: log, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 10; i++ { // 10 attempts 10 minutes apart
		p.Sync(context.Background())
		now = now.Add(10 * time.Minute)
	}
	if e, w := len(logs.FilterLevelExact(zapcore.ErrorLevel).All()), len(logs.FilterLevelExact(zapcore.WarnLevel).All()); e != 1 || w != 1 {
		t.Errorf("100 minutes of failures: %d error and %d warning lines, want 1 and 1", e, w)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func messages(es []observer.LoggedEntry) string {
	var b bytes.Buffer
	for _, e := range es {
		fmt.Fprintf(&b, "\n  %s %v", e.Message, e.ContextMap())
	}
	return b.String()
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCentralBehind: a central database restored from an older backup
// (cursors behind, rows missing), one that lost everything, and a sensor
// moved to another site are all detected at connect and pushed again.
func TestCentralBehind(t *testing.T) {
	pg := startPG(t)
	db := filepath.Join(t.TempDir(), "s.db")
	replay(t, db, "span0", demoPcap(t))
	mustSync(t, newPusher(t, pg, db, "ward-9", "main", nil))
	ctx := context.Background()
	conn := pg.admin(ctx, "wardwatch")
	defer conn.Close(ctx)
	exec := func(q string) {
		t.Helper()
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	// "Restored from a backup" taken before the flows were pushed.
	exec(`DELETE FROM flows`)
	exec(`DELETE FROM push_cursors WHERE tbl = 'flows'`)
	p := newPusher(t, pg, db, "ward-9", "main", nil)
	mustSync(t, p)
	if got, want := p.Stats().TotalRows(), uint64(localCount(t, db, `SELECT count(*) FROM flows`)); got != want {
		t.Errorf("re-pushed %d rows, want the %d flows only", got, want)
	}
	assertMirror(t, conn, db, "ward-9", "main")

	// Everything lost (a new central database).
	for _, tb := range allTables() {
		exec(`DELETE FROM ` + tb.name)
	}
	exec(`DELETE FROM sensors`)
	exec(`DELETE FROM push_cursors`)
	mustSync(t, newPusher(t, pg, db, "ward-9", "main", nil))
	assertMirror(t, conn, db, "ward-9", "main")

	// The sensor moved to another site: every row gets the new site.
	mustSync(t, newPusher(t, pg, db, "ward-9", "annex", nil))
	assertMirror(t, conn, db, "ward-9", "annex")
}

// TestDaemonPushes: `wardwatch replay` with a central section in its config
// file pushes the replayed inventory (the daemon runs the pusher and pushes
// once more at the end).
func TestDaemonPushes(t *testing.T) {
	pg := startPG(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	cfg := filepath.Join(dir, "wardwatch.yml")
	conf := fmt.Sprintf("store:\n  path: %s\ncentral:\n  dsn: %q\n  password_file: %s\n  sensor: lab\n  site: bench\n  interval: 1s\n",
		db, pg.DSN(), pg.passwordFile(pg.Passwd))
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(wardwatchBin(t), "replay", "--config.file", cfg, "--vantage", "span0", demoPcap(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	conn := pg.admin(context.Background(), "wardwatch")
	defer conn.Close(context.Background())
	assertMirror(t, conn, db, "lab", "bench")
	if n := count(t, conn, `SELECT count(*) FROM sensors WHERE sensor = 'lab' AND caught_up_at IS NOT NULL`); n != 1 {
		t.Errorf("sensors rows caught up = %d, want 1", n)
	}

	// The sensor's metrics say how its push goes.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	serve := exec.Command(wardwatchBin(t), "replay", "--config.file", cfg, "--db", filepath.Join(dir, "e.db"),
		"--vantage", "span0", "--serve", "--web.listen-address", addr, demoPcap(t))
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
		if t.Failed() {
			t.Logf("replay --serve:\n%s", logs.String())
		}
	}()
	var metrics string
	waitFor(t, 60*time.Second, "the push metrics", func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		metrics = string(b)
		return strings.Contains(metrics, "wardwatch_central_push_connected 1") &&
			!strings.Contains(metrics, "wardwatch_central_push_last_success_timestamp_seconds 0\n")
	})
	for _, want := range []string{`wardwatch_central_push_rows_total{table="assets"}`, "wardwatch_central_push_batches_total",
		"wardwatch_central_push_errors_total 0", "wardwatch_central_push_lag_seconds",
		`wardwatch_scrape_collector_success{collector="central"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestConcurrentMigration: sensors starting together against an empty
// central database migrate it once, none fails.
func TestConcurrentMigration(t *testing.T) {
	pg := startPG(t)
	ctx := context.Background()
	cfg, err := connConfig(pg.DSN(), pg.passwordFile(pg.Passwd), "m", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	conns := make([]*pgx.Conn, n)
	for i := range conns {
		if conns[i], err = pgx.ConnectConfig(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close(ctx)
	}
	errs := make(chan error, n)
	for _, c := range conns {
		go func() { errs <- migrate(ctx, c) }()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Errorf("migrate: %v", err)
		}
	}
	if v := count(t, conns[0], `SELECT count(*) FROM schema_migrations`); v != SchemaVersion() {
		t.Errorf("%d migrations recorded, want %d", v, SchemaVersion())
	}
}
