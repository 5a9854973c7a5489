package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// local is the sensor's SQLite database as the pusher uses it: a read-only
// pool for the rows (mode=ro, like the query tools: it never waits for the
// store's writer) and one read-write connection that only ever writes the
// pusher's own tables central_state and central_cursors, in short
// transactions.
type local struct {
	path string
	ro   *sql.DB
	rw   *sql.DB
	dbID string
}

// localError marks a failure on the SQLite side (the central connection is
// not to blame).
type localError struct{ err error }

func (e *localError) Error() string { return "sensor database: " + e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

func localErr(err error) error {
	if err == nil {
		return nil
	}
	return &localError{err}
}

func fileURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(path))
}

func openLocal(path string, busy time.Duration) (*local, error) {
	ms := strconv.FormatInt(busy.Milliseconds(), 10)
	ro, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro&_query_only=1&_busy_timeout="+ms)
	if err != nil {
		return nil, err
	}
	ro.SetMaxOpenConns(2)
	rw, err := sql.Open("sqlite3", fileURI(path)+"?mode=rw&_busy_timeout="+ms+"&_txlock=immediate&_synchronous=NORMAL")
	if err != nil {
		ro.Close()
		return nil, err
	}
	rw.SetMaxOpenConns(1)
	l := &local{path: path, ro: ro, rw: rw}
	err = ro.QueryRowContext(context.Background(), `SELECT db_id FROM central_state WHERE id = 1`).Scan(&l.dbID)
	if err != nil {
		l.close()
		if strings.Contains(err.Error(), "no such table") {
			return nil, fmt.Errorf("%s: no central_state table: the database predates the central push; "+
				"let `wardwatch run` or `wardwatch replay` open it once to migrate it", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

func (l *local) close() {
	l.ro.Close()
	l.rw.Close()
}

// newSeq is the push_seq of a row not yet given an epoch (the column
// default).
const newSeq = math.MaxInt64

// assignChunk bounds the rows given an epoch per transaction, so that the
// store's writer never waits long for the lock.
const assignChunk = 5000

// closeEpoch ends the open epoch and returns it, E: from now on changed rows
// move to E+1. Then it gives every new row (push_seq newSeq) push_seq E, in
// chunks. Afterwards the rows with push_seq <= E only ever leave that range
// (when they change), and none joins it.
func (l *local) closeEpoch(ctx context.Context) (int64, error) {
	var e int64
	err := l.rw.QueryRowContext(ctx,
		`UPDATE central_state SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch - 1`).Scan(&e)
	if err != nil {
		return 0, localErr(err)
	}
	for _, t := range tables {
		if t.assign == "" {
			continue
		}
		for {
			res, err := l.rw.ExecContext(ctx, t.assign, e, int64(newSeq), assignChunk)
			if err != nil {
				return 0, localErr(fmt.Errorf("assign epoch to new %s: %w", t.name, err))
			}
			if n, _ := res.RowsAffected(); n < assignChunk {
				break
			}
		}
	}
	return e, nil
}

// cursor is a position in a table's push order: the last pushed row's seq
// and order values. A nil key means every row with seq <= seq is pushed.
type cursor struct {
	seq int64
	key []any // int64 or string per order column
}

// start is the cursor before every row (push_seq is at least 0).
var start = cursor{seq: -1}

func (c cursor) encodeKey() string {
	if c.key == nil {
		return ""
	}
	b, _ := json.Marshal(c.key)
	return string(b)
}

func (c cursor) equal(o cursor) bool {
	return c.seq == o.seq && c.encodeKey() == o.encodeKey()
}

// decodeCursor reads a stored cursor; a key that does not fit the table's
// order columns restarts the epoch (re-pushing is harmless).
func decodeCursor(t *table, seq int64, key string) cursor {
	c := cursor{seq: seq}
	if key == "" {
		return c
	}
	var raw []any
	dec := json.NewDecoder(strings.NewReader(key))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || len(raw) != len(t.order) {
		return cursor{seq: seq - 1}
	}
	c.key = make([]any, len(raw))
	for i, v := range raw {
		switch t.order[i].kind {
		case kInt:
			n, ok := v.(json.Number)
			if !ok {
				return cursor{seq: seq - 1}
			}
			i64, err := n.Int64()
			if err != nil {
				return cursor{seq: seq - 1}
			}
			c.key[i] = i64
		default:
			s, ok := v.(string)
			if !ok {
				return cursor{seq: seq - 1}
			}
			c.key[i] = s
		}
	}
	return c
}

// cursors reads the stored cursors; a table without one starts at start.
func (l *local) cursors(ctx context.Context) (map[string]cursor, error) {
	out := make(map[string]cursor, len(tables))
	for _, t := range tables {
		out[t.name] = start
	}
	rows, err := l.ro.QueryContext(ctx, `SELECT tbl, seq, key FROM central_cursors`)
	if err != nil {
		return nil, localErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, key string
		var seq int64
		if err := rows.Scan(&name, &seq, &key); err != nil {
			return nil, localErr(err)
		}
		if t := tableNamed(name); t != nil {
			out[name] = decodeCursor(t, seq, key)
		}
	}
	return out, localErr(rows.Err())
}

func tableNamed(name string) *table {
	for _, t := range tables {
		if t.name == name {
			return t
		}
	}
	return nil
}

func (l *local) saveCursor(ctx context.Context, t *table, c cursor, now time.Time) error {
	_, err := l.rw.ExecContext(ctx, `INSERT INTO central_cursors (tbl, seq, key, pushed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tbl) DO UPDATE SET seq = excluded.seq, key = excluded.key, pushed_at = excluded.pushed_at`,
		t.name, c.seq, c.encodeKey(), now.UnixNano())
	return localErr(err)
}

func (l *local) resetCursors(ctx context.Context) error {
	_, err := l.rw.ExecContext(ctx, `DELETE FROM central_cursors`)
	return localErr(err)
}

func (l *local) caughtUpAt(ctx context.Context) (time.Time, error) {
	var ns int64
	err := l.ro.QueryRowContext(ctx, `SELECT caught_up_at FROM central_state WHERE id = 1`).Scan(&ns)
	if err != nil || ns == 0 {
		return time.Time{}, localErr(err)
	}
	return time.Unix(0, ns).UTC(), nil
}

func (l *local) saveCaughtUp(ctx context.Context, t time.Time) error {
	_, err := l.rw.ExecContext(ctx, `UPDATE central_state SET caught_up_at = ? WHERE id = 1`, t.UnixNano())
	return localErr(err)
}

// batch is up to limit rows of one table read from SQLite, column by
// column, ready to be sent as the arrays of the table's upsert.
type batch struct {
	t      *table
	sensor string // the first part of every key
	n      int
	next   cursor  // the cursor after the batch's last row
	ids    []int64 // local ids (tables with evidence)
	cols   []*colBuf
}

// colBuf collects one central column's values.
type colBuf struct {
	kind  kind
	text  []string
	ints  []int64
	bools []bool
	times []pgtype.Timestamptz
	keys  []*int64 // key columns (NULL allowed)
}

func (c *colBuf) arg() any {
	switch {
	case c.keys != nil:
		return c.keys
	case c.kind == kText:
		return c.text
	case c.kind == kInt:
		return c.ints
	case c.kind == kBool:
		return c.bools
	default:
		return c.times
	}
}

// value is one SQLite value read.
type value struct {
	s string
	i int64
}

// readBatch reads the rows of t of sensor after c, up to epoch (ignored for
// appendOnly tables), at most limit. For evidence (t.seq == ""), ids are
// the asset ids whose rows to read, and limit and c are ignored.
func (l *local) readBatch(ctx context.Context, t *table, sensor string, c cursor, epoch int64, limit int, ids []int64) (*batch, error) {
	var rows *sql.Rows
	var err error
	switch {
	case t.seq == "":
		b, _ := json.Marshal(ids)
		rows, err = l.ro.QueryContext(ctx, t.selectFirst, string(b))
	case c.key == nil:
		rows, err = l.ro.QueryContext(ctx, t.selectFirst, c.seq, epoch, limit)
	default:
		args := append([]any{c.seq, epoch, limit}, c.key...)
		rows, err = l.ro.QueryContext(ctx, t.selectNext, args...)
	}
	if err != nil {
		return nil, localErr(fmt.Errorf("read %s: %w", t.name, err))
	}
	defer rows.Close()

	b := newBatch(t, sensor)
	ncols := len(t.order) + len(t.cols)
	hasSeq := t.seq != ""
	vals := make([]value, ncols)
	nulls := make([]any, 0, ncols+1)
	var seq int64
	if hasSeq {
		nulls = append(nulls, &seq)
	}
	ns := make([]sql.NullString, ncols)
	ni := make([]sql.NullInt64, ncols)
	for i := 0; i < ncols; i++ {
		if colKind(t, i) == kText {
			nulls = append(nulls, &ns[i])
		} else {
			nulls = append(nulls, &ni[i])
		}
	}
	for rows.Next() {
		if err := rows.Scan(nulls...); err != nil {
			return nil, localErr(fmt.Errorf("read %s: %w", t.name, err))
		}
		for i := 0; i < ncols; i++ {
			vals[i] = value{s: ns[i].String, i: ni[i].Int64}
		}
		b.add(vals)
		if hasSeq {
			b.next = cursor{seq: seq}
			if len(t.order) > 0 {
				b.next.key = make([]any, len(t.order))
				for i, o := range t.order {
					if o.kind == kText {
						b.next.key[i] = vals[i].s
					} else {
						b.next.key[i] = vals[i].i
					}
				}
			}
			if t.withEvidence {
				b.ids = append(b.ids, vals[0].i)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, localErr(fmt.Errorf("read %s: %w", t.name, err))
	}
	return b, nil
}

// colKind is the kind of the i-th selected value (order columns first).
func colKind(t *table, i int) kind {
	if i < len(t.order) {
		return t.order[i].kind
	}
	return t.cols[i-len(t.order)].kind
}

func newBatch(t *table, sensor string) *batch {
	b := &batch{t: t, sensor: sensor}
	for range t.keys {
		b.cols = append(b.cols, &colBuf{kind: kInt, keys: []*int64{}})
	}
	for _, c := range t.cols {
		if c.pg != "" {
			b.cols = append(b.cols, &colBuf{kind: c.kind})
		}
	}
	return b
}

// add appends one row: its keys, then its central columns.
func (b *batch) add(vals []value) {
	t := b.t
	j := 0
	parts := make([]any, 0, 16)
	for _, k := range t.keys {
		if k.presentIf != "" && vals[t.idx[k.presentIf]].i == 0 {
			b.cols[j].keys = append(b.cols[j].keys, nil)
			j++
			continue
		}
		parts = append(parts[:0], b.sensor)
		for _, p := range k.parts {
			i := t.idx[p]
			if colKind(t, i) == kText {
				parts = append(parts, vals[i].s)
			} else {
				parts = append(parts, vals[i].i)
			}
		}
		kv := keyOf(k.tag, parts...)
		b.cols[j].keys = append(b.cols[j].keys, &kv)
		j++
	}
	for i, c := range t.cols {
		if c.pg == "" {
			continue
		}
		v := vals[len(t.order)+i]
		cb := b.cols[j]
		j++
		switch c.kind {
		case kText:
			cb.text = append(cb.text, v.s)
		case kInt:
			cb.ints = append(cb.ints, v.i)
		case kBool:
			cb.bools = append(cb.bools, v.i != 0)
		case kTime:
			if v.i == 0 {
				cb.times = append(cb.times, pgtype.Timestamptz{})
			} else {
				cb.times = append(cb.times, pgtype.Timestamptz{Time: time.Unix(0, v.i).UTC(), Valid: true})
			}
		}
	}
	b.n++
}

// pgArgs are the upsert's arguments after $1 (sensor) and $2 (site).
func (b *batch) pgArgs() []any {
	out := make([]any, len(b.cols))
	for i, c := range b.cols {
		out[i] = c.arg()
	}
	return out
}
