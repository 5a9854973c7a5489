package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrationList is the embedded migrations in version order. Versions are
// the files' numeric prefixes and must run 1, 2, 3, ... without gaps.
var migrationList = mustLoadMigrations(migrationFS)

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err) // a build defect, caught by the package's tests
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want name %04d_<what>.sql", base, i+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the highest applied migration, 0 for an empty
// database, and ErrSchema for an SQLite database with tables but no
// schema_migrations (not ours: never touch it).
func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, &pathError{kind: ErrSchema, msg: "not a wardwatch database (it has tables but no schema_migrations)"}
		}
		return 0, nil
	}
	var v int
	err = q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func newerSchema(op, path string, v int) error {
	return &pathError{op: op, path: path, kind: ErrSchema,
		msg: fmt.Sprintf("database schema version %d is newer than this binary (%d)", v, LatestVersion())}
}

// migrate checks that the database is ours and not newer than this
// binary, switches it to WAL mode and applies the pending migrations, each
// in its own transaction.
// When none is pending it still takes and releases the write lock once, so
// that a database another client keeps locked fails Open with ErrLocked
// instead of failing the first flush.
func migrate(ctx context.Context, db *sql.DB, dbPath string, now func() time.Time) error {
	const op = "migrate"
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return wrap(op, dbPath, err)
	}
	if v > LatestVersion() {
		return newerSchema("open", dbPath, v)
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return wrap("open", dbPath, fmt.Errorf("set WAL mode: %w", err))
	}
	if !strings.EqualFold(mode, "wal") {
		return &pathError{op: "open", path: dbPath, msg: "cannot switch to WAL mode (journal mode is " + mode + ")"}
	}
	if v == LatestVersion() {
		tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
		if err != nil {
			return wrap("open", dbPath, err)
		}
		return wrap("open", dbPath, tx.Rollback())
	}
	for _, m := range migrationList[v:] {
		if err := apply(ctx, db, m, now); err != nil {
			return wrap(op, dbPath, fmt.Errorf("%s: %w", m.name, err))
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m migration, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Re-check under the write lock.
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if v >= m.version {
		return nil
	}
	if v != m.version-1 {
		return fmt.Errorf("schema version is %d, cannot apply version %d", v, m.version)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}
