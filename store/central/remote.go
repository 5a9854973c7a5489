package central

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded PostgreSQL migrations in version order,
// named like the SQLite ones: 0001_init.sql, 0002_<what>.sql, ...
var migrations = mustLoadMigrations(migrationFS)

func mustLoadMigrations(fsys fs.FS) []migration {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v != i+1 {
			panic(fmt.Sprintf("central migration %s: want name %04d_<what>.sql", base, i+1))
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms
}

// SchemaVersion is the central schema version this binary migrates to.
func SchemaVersion() int { return len(migrations) }

// migrationLock is the pg_advisory_lock key serialising migrations of
// many sensors starting at once ("wardwatch" in ASCII, truncated).
const migrationLock = 0x7761726477617463

// remoteError marks a failure talking to PostgreSQL.
type remoteError struct{ err error }

func (e *remoteError) Error() string { return "central database: " + e.err.Error() }
func (e *remoteError) Unwrap() error { return e.err }

func remoteErr(err error) error {
	if err == nil {
		return nil
	}
	return &remoteError{err}
}

// connConfig parses the DSN and sets the password from the password file.
func connConfig(dsn, passwordFile, sensor string, timeout time.Duration) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("central.dsn: %w", err)
	}
	if passwordFile != "" {
		if cfg.Password, err = readPassword(passwordFile); err != nil {
			return nil, err
		}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = timeout
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "wardwatch " + sensor
	}
	return cfg, nil
}

// describe names the server for log lines: user@host:port/database, never
// the password.
func describe(cfg *pgx.ConnConfig) string {
	host := cfg.Host
	if strings.HasPrefix(host, "/") {
		host = "unix:" + host
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, host, cfg.Port, cfg.Database)
}

// migrate applies the pending central migrations, each in its own
// transaction, holding a session advisory lock so that sensors starting
// together migrate once: the others wait, then find nothing pending (each
// transaction starts after the lock is granted, so it sees the tables the
// first one made). A schema newer than this binary is an error.
func migrate(ctx context.Context, conn *pgx.Conn) error {
	v, err := remoteVersion(ctx, conn)
	if err != nil {
		return err
	}
	if v > SchemaVersion() {
		return fmt.Errorf("central schema version %d is newer than this binary (%d): upgrade the sensor", v, SchemaVersion())
	}
	if v == SchemaVersion() {
		return nil
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	for {
		done, err := applyNext(ctx, conn)
		if err != nil || done {
			return err
		}
	}
}

func remoteVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// applyNext applies the next pending migration in one transaction; done
// when none is pending.
func applyNext(ctx context.Context, conn *pgx.Conn) (done bool, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	v, err := remoteVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if v > SchemaVersion() {
		return false, fmt.Errorf("central schema version %d is newer than this binary (%d): upgrade the sensor", v, SchemaVersion())
	}
	if v == SchemaVersion() {
		return true, nil
	}
	m := migrations[v]
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return false, fmt.Errorf("central migration %s: %w", m.name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return false, fmt.Errorf("central migration %s: %w", m.name, err)
	}
	return false, tx.Commit(ctx)
}

// sensorState is what the central database knows of this sensor database.
type sensorState struct {
	known   bool   // a sensors row exists for (sensor, db_id)
	site    string // its site
	cursors map[string]cursor
	others  []string // db_ids of other databases pushing as the same sensor in the last day
}

func loadSensorState(ctx context.Context, conn *pgx.Conn, sensor, dbID string) (*sensorState, error) {
	st := &sensorState{cursors: map[string]cursor{}}
	err := conn.QueryRow(ctx, `SELECT site FROM sensors WHERE sensor = $1 AND db_id = $2`, sensor, dbID).Scan(&st.site)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		st.known = true
	}
	rows, err := conn.Query(ctx, `SELECT tbl, seq, key FROM push_cursors WHERE sensor = $1 AND db_id = $2`, sensor, dbID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, key string
		var seq int64
		if err := rows.Scan(&name, &seq, &key); err != nil {
			rows.Close()
			return nil, err
		}
		if t := tableNamed(name); t != nil {
			st.cursors[name] = decodeCursor(t, seq, key)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = conn.Query(ctx, `SELECT db_id FROM sensors WHERE sensor = $1 AND db_id <> $2
		AND last_push > now() - interval '1 day' ORDER BY db_id`, sensor, dbID)
	if err != nil {
		return nil, err
	}
	st.others, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return st, err
}

// reconcile picks, per table, the cursor to continue from: the local one,
// unless the central database is behind it (restored from a backup,
// recreated, or the site changed), in which case the push restarts from
// the central position so nothing is missing there.
func reconcile(localCur map[string]cursor, st *sensorState, site string) (map[string]cursor, string) {
	out := make(map[string]cursor, len(localCur))
	if !st.known || st.site != site {
		for name := range localCur {
			out[name] = start
		}
		if !st.known {
			return out, "the central database has no rows from this sensor database: pushing everything"
		}
		return out, fmt.Sprintf("site changed from %q to %q: pushing everything again", st.site, site)
	}
	var behind []string
	for name, lc := range localCur {
		rc, ok := st.cursors[name]
		switch {
		case !ok:
			rc = start
		case rc.equal(lc):
			out[name] = lc
			continue
		}
		if rc.seq < lc.seq {
			out[name] = rc
		} else if rc.seq == lc.seq {
			out[name] = cursor{seq: lc.seq - 1} // restart the epoch: re-pushing is harmless
		} else {
			out[name] = lc // central ahead: the local cursor write was lost, push again
			continue
		}
		behind = append(behind, name)
	}
	if len(behind) > 0 {
		sort.Strings(behind)
		return out, "the central database is behind this sensor's cursors for " + strings.Join(behind, ", ") +
			" (restored from a backup?): pushing those again from where it is"
	}
	return out, ""
}

const (
	sqlSensorUpsert = `INSERT INTO sensors (sensor, db_id, site) VALUES ($1, $2, $3)
		ON CONFLICT (sensor, db_id) DO UPDATE SET site = EXCLUDED.site, last_push = now()`
	sqlCursorUpsert = `INSERT INTO push_cursors (sensor, db_id, tbl, seq, key) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sensor, db_id, tbl) DO UPDATE SET seq = EXCLUDED.seq, key = EXCLUDED.key, pushed_at = now()`
	sqlCursorsDelete = `DELETE FROM push_cursors WHERE sensor = $1 AND db_id = $2`
	sqlEvidenceDel   = `DELETE FROM evidence WHERE asset_key = ANY($1::bigint[])`
	sqlCaughtUp      = `UPDATE sensors SET caught_up_at = $3, last_push = now() WHERE sensor = $1 AND db_id = $2`
)

// pushBatch writes one batch (and, for assets, their evidence) and the
// table's new cursor in one transaction.
func pushBatch(ctx context.Context, conn *pgx.Conn, sensor, site, dbID string, b, ev *batch) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	q := &pgx.Batch{}
	if b.n > 0 {
		q.Queue(b.t.upsert, append([]any{sensor, site}, b.pgArgs()...)...)
	}
	if ev != nil {
		q.Queue(sqlEvidenceDel, keysOf(b))
		if ev.n > 0 {
			q.Queue(ev.t.upsert, append([]any{sensor, site}, ev.pgArgs()...)...)
		}
	}
	q.Queue(sqlCursorUpsert, sensor, dbID, b.t.name, b.next.seq, b.next.encodeKey())
	q.Queue(`UPDATE sensors SET last_push = now() WHERE sensor = $1 AND db_id = $2`, sensor, dbID)
	if err := tx.SendBatch(ctx, q).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// keysOf is the central asset keys of an assets batch (its first column).
func keysOf(b *batch) []int64 {
	out := make([]int64, 0, b.n)
	for _, k := range b.cols[0].keys {
		out = append(out, *k)
	}
	return out
}
