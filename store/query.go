package store

import (
	"context"
	"database/sql"
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// The read side of the store: one file per entity (query_assets.go,
// query_addresses.go, query_flows.go, query_violations.go,
// query_evidence.go, query_dicom.go, query_hl7.go, query_events.go,
// query_totals.go), all on the read-only connection pool. This file holds
// what they share: conditions built from typed filter values (every value
// bound, never concatenated), pages whose total comes with the rows
// (count(*) OVER ()), and the parsing of stored keys and addresses.

// conds collects the conditions of a WHERE clause (joined with AND) and
// the values bound to their placeholders.
type conds struct {
	where []string
	args  []any
}

// add appends a condition with its values.
func (c *conds) add(cond string, args ...any) {
	c.where = append(c.where, cond)
	c.args = append(c.args, args...)
}

// eq adds "col = v" for one column, "(col1 = v OR col2 = v ...)" for
// several; nothing when v is its type's zero value (the filter field is
// not set).
func eq[T comparable](c *conds, v T, cols ...string) {
	var zero T
	if v == zero {
		return
	}
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = col + " = ?"
		c.args = append(c.args, v)
	}
	if len(parts) == 1 {
		c.where = append(c.where, parts[0])
		return
	}
	c.where = append(c.where, "("+strings.Join(parts, " OR ")+")")
}

// vlan adds "col = *v" when v is set (VLAN 0, untagged, is a value).
func (c *conds) vlan(col string, v *uint16) {
	if v != nil {
		c.add(col+" = ?", *v)
	}
}

// mac adds the stored form of m to eq; the zero MAC matches everything.
func (c *conds) mac(m model.MAC, cols ...string) {
	if !m.IsZero() {
		eq(c, m.String(), cols...)
	}
}

// ip adds the stored form of a to eq; the invalid Addr matches everything.
func (c *conds) ip(a netip.Addr, cols ...string) {
	if a.IsValid() {
		eq(c, normIP(a).String(), cols...)
	}
}

// since adds "col >= t", before "col < t"; the zero time is no bound.
func (c *conds) since(col string, t time.Time) {
	if !t.IsZero() {
		c.add(col+" >= ?", ns(t))
	}
}

func (c *conds) before(col string, t time.Time) {
	if !t.IsZero() {
		c.add(col+" < ?", ns(t))
	}
}

// in adds "col IN (ids...)" when ids is non-empty.
func (c *conds) in(col string, ids []int64) {
	if len(ids) == 0 {
		return
	}
	c.where = append(c.where, col+" IN ("+placeholders(len(ids))+")")
	for _, id := range ids {
		c.args = append(c.args, id)
	}
}

// like adds cond when s is set, binding each of its placeholders to a LIKE
// pattern (ESCAPE '\') that matches s as a substring; LIKE ignores ASCII
// case.
func (c *conds) like(s, cond string) {
	if s == "" {
		return
	}
	p := likePattern(s)
	c.where = append(c.where, cond)
	for range strings.Count(cond, "?") {
		c.args = append(c.args, p)
	}
}

// clause is the WHERE clause, "" without conditions.
func (c *conds) clause() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// likePattern makes a LIKE pattern matching s as a substring: %, _ and \
// in s match themselves (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// pageQuery is one SELECT of a list: columns from tables (with their
// joins), conditions, an ORDER BY list (a fixed string, never input) and
// a window.
type pageQuery struct {
	op            string // for errors: "query assets in"
	columns, from string
	conds         conds
	order         string
	limit, offset int // limit 0: all
	// noTotal leaves the total out (the scan's total gets 0): counting in
	// the same query makes SQLite materialise every match before the first
	// row, which a cursor over a long list (Each*) must not.
	noTotal bool
}

// find runs q and calls scan for each row; scan must scan the row's
// columns followed by total, which receives count(*) OVER (): the matches
// before the window. It returns the total. A window past the last match
// returns no row, and so no total: then the total is counted alone.
func (db *DB) find(ctx context.Context, q pageQuery, scan func(rows *sql.Rows, total *int) error) (int, error) {
	count := ", count(*) OVER ()"
	if q.noTotal {
		count = ", 0"
	}
	text := "SELECT " + q.columns + count + " FROM " + q.from + q.conds.clause() + " ORDER BY " + q.order
	text, args := limitOffset(text, q.conds.args, q.limit, q.offset)
	rows, err := db.reader(ctx).QueryContext(ctx, text, args...)
	if err != nil {
		return 0, wrap(q.op, db.path, err)
	}
	defer rows.Close()
	total, n := 0, 0
	for rows.Next() {
		if err := scan(rows, &total); err != nil {
			return 0, wrap(q.op, db.path, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, wrap(q.op, db.path, err)
	}
	if n == 0 && q.offset > 0 && !q.noTotal {
		err = db.reader(ctx).QueryRowContext(ctx, "SELECT count(*) FROM "+q.from+q.conds.clause(), q.conds.args...).Scan(&total)
		if err != nil {
			return 0, wrap(q.op, db.path, err)
		}
	}
	return total, nil
}

// limitOffset appends LIMIT n (none for n <= 0) and OFFSET off (when > 0).
func limitOffset(q string, args []any, n, off int) (string, []any) {
	args = args[:len(args):len(args)] // appends never write into the caller's array
	if n > 0 || off > 0 {
		if n <= 0 {
			n = -1 // SQLite: no limit
		}
		q += " LIMIT ?"
		args = append(args, n)
	}
	if off > 0 {
		q += " OFFSET ?"
		args = append(args, off)
	}
	return q, args
}

// scanEach runs q with args and calls fn for each row.
func (db *DB) scanEach(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inChunks calls fn with the IDs of ids in chunks small enough to bind.
func inChunks(ids []int64, fn func(args []any) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		end := min(start+chunk, len(ids))
		args := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

func parseKey(mac, keyIP string) (m model.MAC, ip netip.Addr, err error) {
	if mac != "" {
		if m, err = model.ParseMAC(mac); err != nil {
			return m, ip, err
		}
	}
	if keyIP != "" {
		ip, err = netip.ParseAddr(keyIP)
	}
	return m, ip, err
}

// parseIP parses a stored address; "" is the invalid Addr.
func parseIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}
