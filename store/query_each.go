package store

import (
	"context"
	"database/sql"

	"github.com/wardwatch/wardwatch/model"
)

// Long reads: an export of the whole inventory, a count over every asset.
// Each* run the query Find* runs, without the total (counting in the same
// query makes SQLite materialise every match first), as one cursor, and
// hand the rows to the caller in chunks: the list is never in memory, and
// SQLite's sorter spills to its temporary files. A cursor and every query
// it needs along the way (addresses, names, the assets of a chunk) run on
// one connection pinned for the duration (Pin), so they read one snapshot
// and a long read holds exactly one connection of the pool, whatever it
// does per chunk.

// EachChunk is the chunk size Each* use when given 0.
const EachChunk = 500

// pinKey is the context key of a connection pinned to a DB.
type pinKey struct{ db *DB }

// querier is what reads run on: the pool or a pinned connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader is the connection ctx pins to db, else the pool.
func (db *DB) reader(ctx context.Context) querier {
	if c, ok := ctx.Value(pinKey{db}).(*sql.Conn); ok {
		return c
	}
	return db.rdb
}

// Pin calls fn with a context whose reads of db (every Find*, Each*,
// AssetNames, ...) run on one read connection, taken from the pool for the
// duration: they see one snapshot. Pin inside Pin reuses the connection.
// The snapshot is held while fn runs, which keeps SQLite from recycling
// the write-ahead log past it: fn should not wait for long.
func (db *DB) Pin(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(pinKey{db}).(*sql.Conn); ok {
		return fn(ctx)
	}
	conn, err := db.rdb.Conn(ctx)
	if err != nil {
		return wrap("read", db.path, err)
	}
	defer conn.Close()
	return fn(context.WithValue(ctx, pinKey{db}, conn))
}

// each runs q without its total as a cursor on a pinned connection and
// calls fn with the rows scan reads, in chunks of at most chunk (0:
// EachChunk). fill, if not nil, completes a chunk first. fn gets the
// pinned context (for further reads) and must not keep the chunk, whose
// array is reused.
func each[T any](ctx context.Context, db *DB, q pageQuery, chunk int, scan func(*sql.Rows, *int) (T, error),
	fill func(context.Context, []T) error, fn func(context.Context, []T) error) error {
	if chunk <= 0 {
		chunk = EachChunk
	}
	q.noTotal = true
	return db.Pin(ctx, func(ctx context.Context) error {
		buf := make([]T, 0, chunk)
		var fnErr error // returned as fn returned it, not wrapped as a query error
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			if fill != nil {
				if err := fill(ctx, buf); err != nil {
					return err
				}
			}
			fnErr = fn(ctx, buf)
			clear(buf)
			buf = buf[:0]
			return fnErr
		}
		_, err := db.find(ctx, q, func(rows *sql.Rows, total *int) error {
			x, err := scan(rows, total)
			if err != nil {
				return err
			}
			if buf = append(buf, x); len(buf) == chunk {
				return flush()
			}
			return nil
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			return err
		}
		return flush()
	})
}

// EachAsset calls fn with the assets FindAssets would return for f (Limit
// and Offset apply), in chunks of at most chunk, with their addresses.
func (db *DB) EachAsset(ctx context.Context, f AssetFilter, chunk int, fn func(context.Context, []AssetDetail) error) error {
	if f.IDs != nil && len(f.IDs) == 0 {
		return nil
	}
	order, err := assetOrder(f.Sort)
	if err != nil {
		return err
	}
	q := pageQuery{op: "query assets in", columns: assetColumns, from: "assets a", conds: assetConds(&f), order: order,
		limit: f.Limit, offset: f.Offset}
	return each(ctx, db, q, chunk, scanAsset, func(ctx context.Context, as []AssetDetail) error {
		return wrap("query addresses in", db.path, db.fillAddresses(ctx, as))
	}, fn)
}

// EachFlow calls fn with the flows FindFlows would return for f, in
// chunks of at most chunk.
func (db *DB) EachFlow(ctx context.Context, f FlowFilter, chunk int, fn func(context.Context, []Flow) error) error {
	return each(ctx, db, flowQuery(&f), chunk, scanFlow, nil, fn)
}

// EachViolation calls fn with the violations FindViolations would return
// for f, in chunks of at most chunk.
func (db *DB) EachViolation(ctx context.Context, f ViolationFilter, chunk int, fn func(context.Context, []Violation) error) error {
	return each(ctx, db, violationQuery(&f), chunk, scanViolation, nil, fn)
}

// EachEvent calls fn with the events FindEvents would return for f, in
// chunks of at most chunk.
func (db *DB) EachEvent(ctx context.Context, f EventFilter, chunk int, fn func(context.Context, []model.Event) error) error {
	return each(ctx, db, eventQuery(&f), chunk, scanEvent, nil, fn)
}
