package central

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The query side: Inventory reads the central database for store/inventory
// (it satisfies inventory.Store, as *store.DB does for a sensor's own
// database), so `wardwatch assets --central DSN`, the other query verbs and
// the `wardwatch central` daemon give the same answers over many sensors.
//
// A device is one, however many sensors saw it: the assets rows of all
// sensors that share a MAC are one device (assets.device, migration
// 0002_devices.sql), whatever their sensor, vantage and VLAN. The VLAN is
// deliberately not part of a device's identity: the same switch port is
// VLAN 20 on one sensor's trunk mirror and untagged on another's access
// port mirror, and a portable modality keeps its MAC from site to site.
// Assets keyed by IP (link types without MACs) stay one device per row,
// since the address plans of two sites overlap. The device's ID is
// assets.device (stable: a hash of the MAC, or the row's key); its
// identity (vantage, VLAN, hostname, DHCP) is its most recently seen row's,
// its classification the best-evidenced row's, its first and last seen the
// earliest and latest of all, and Vantages lists every row: which sensor
// and site saw it where, first and last.
//
// A sensor or site filter (and a vantage or VLAN filter) selects rows
// before they are grouped into devices: `--sensor a` lists what sensor a
// sees, as a's own inventory does. Flows, violations and events stay one
// row per sensor (each has the sensor's name and site), their ends
// pointing at devices.

// InventoryOptions configure OpenInventory.
type InventoryOptions struct {
	// DSN is the central database as pgx parses it (as central.dsn).
	DSN string
	// PasswordFile, if set, holds the password (as central.password_file),
	// read at every connect.
	PasswordFile string
	// MaxConns bounds the pool. Default 4.
	MaxConns int32
	// Timeout bounds a connect. Default DefaultTimeout.
	Timeout time.Duration
}

// Inventory is the central database's read side. It is safe for
// concurrent use.
type Inventory struct {
	pool   *pgxpool.Pool
	server string
}

// readPassword reads a password file: its content without trailing
// newlines.
func readPassword(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("central.password_file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// OpenInventory connects to the central database and checks (or brings
// up) its schema. The role needs SELECT on the tables; a database whose
// schema is older than this binary's is migrated first, which needs the
// role that owns the tables (a sensor's).
func OpenInventory(ctx context.Context, o InventoryOptions) (*Inventory, error) {
	if o.DSN == "" {
		return nil, errors.New("central: no DSN")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 4
	}
	// The same parsing and password handling as the pusher's.
	cc, err := connConfig(o.DSN, o.PasswordFile, "query", o.Timeout)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig, cfg.MaxConns = cc, o.MaxConns
	cc.RuntimeParams["application_name"] = "wardwatch central query"
	if o.PasswordFile != "" { // re-read at every connect: a rotated password is picked up
		file := o.PasswordFile
		cfg.BeforeConnect = func(_ context.Context, c *pgx.ConnConfig) error {
			pw, err := readPassword(file)
			c.Password = pw
			return err
		}
	}
	inv := &Inventory{server: describe(cc)}
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if inv.pool, err = pgxpool.NewWithConfig(tctx, cfg); err != nil {
		return nil, fmt.Errorf("central database %s: %w", inv.server, err)
	}
	if err := inv.schema(tctx); err != nil {
		inv.pool.Close()
		return nil, fmt.Errorf("central database %s: %w", inv.server, err)
	}
	return inv, nil
}

// schema migrates a database older than this binary (as a pusher would at
// its next connect). A newer one is read as it is: migrations only add.
func (inv *Inventory) schema(ctx context.Context) error {
	conn, err := inv.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	v, err := remoteVersion(ctx, conn.Conn())
	if err != nil || v >= SchemaVersion() {
		return err
	}
	if err := migrate(ctx, conn.Conn()); err != nil {
		return fmt.Errorf("its schema is version %d, this binary reads version %d, and migrating it failed "+
			"(a sensor of this version migrates it at its next push, or connect as the role that owns the tables): %w",
			v, SchemaVersion(), err)
	}
	return nil
}

// Close closes the pool.
func (inv *Inventory) Close() { inv.pool.Close() }

// Server names the database for messages: user@host:port/database.
func (inv *Inventory) Server() string { return inv.server }

// Sensor is a sensor database that pushed to the central database.
type Sensor struct {
	Sensor, Site, DBID  string
	FirstPush, LastPush time.Time
	CaughtUpAt          time.Time // zero until its first complete push
	Assets              int       // its assets rows
}

// Sensors lists the sensor databases that pushed, by sensor name, the
// latest pushing database of a sensor first.
func (inv *Inventory) Sensors(ctx context.Context) ([]Sensor, error) {
	rows, err := inv.pool.Query(ctx, `SELECT s.sensor, s.site, s.db_id, `+us("s.first_push")+`, `+us("s.last_push")+`,
		`+us("s.caught_up_at")+`,
		(SELECT count(*) FROM assets a WHERE a.sensor = s.sensor)
		FROM sensors s ORDER BY s.sensor COLLATE "C", s.last_push DESC, s.db_id`)
	if err != nil {
		return nil, inv.wrap("query sensors", err)
	}
	var out []Sensor
	for rows.Next() {
		var s Sensor
		var first, last, caught int64
		if err := rows.Scan(&s.Sensor, &s.Site, &s.DBID, &first, &last, &caught, &s.Assets); err != nil {
			rows.Close()
			return nil, inv.wrap("query sensors", err)
		}
		s.FirstPush, s.LastPush, s.CaughtUpAt = fromUS(first), fromUS(last), fromUS(caught)
		out = append(out, s)
	}
	return out, inv.wrap("query sensors", rows.Err())
}

// Ping checks the connection.
func (inv *Inventory) Ping(ctx context.Context) error { return inv.wrap("ping", inv.pool.Ping(ctx)) }

func (inv *Inventory) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("central database %s: %s: %w", inv.server, op, err)
}

// us is a timestamptz column as Unix microseconds, 0 for NULL: what every
// query selects, so rows scan into int64 (and NULL, "unknown", into the
// zero time, as the sensor's 0).
func us(col string) string {
	return "coalesce((extract(epoch FROM " + col + ") * 1000000)::bigint, 0)"
}

func fromUS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// pgTime is a time as a query argument: NULL for the zero time.
func pgTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// qb builds a query's conditions and numbered arguments.
type qb struct {
	where []string
	args  []any
}

// arg binds v and returns its placeholder.
func (q *qb) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// add appends a condition; each "?" in cond is replaced with a new
// placeholder bound to the next of args.
func (q *qb) add(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			b.WriteString(q.arg(args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	q.where = append(q.where, b.String())
}

// eq adds "col = v" (or "(col1 = v OR ...)") unless v is its zero value;
// v is bound once.
func qeq[T comparable](q *qb, v T, cols ...string) {
	var zero T
	if v == zero {
		return
	}
	ph := q.arg(v)
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = " + ph
	}
	if len(parts) == 1 {
		q.where = append(q.where, parts[0])
		return
	}
	q.where = append(q.where, "("+strings.Join(parts, " OR ")+")")
}

func (q *qb) vlan(col string, v *uint16) {
	if v != nil {
		q.add(col+" = ?", int64(*v))
	}
}

func (q *qb) since(col string, t time.Time) {
	if !t.IsZero() {
		q.add(col+" >= ?", t)
	}
}

func (q *qb) before(col string, t time.Time) {
	if !t.IsZero() {
		q.add(col+" < ?", t)
	}
}

func (q *qb) mac(m model.MAC, cols ...string) {
	if !m.IsZero() {
		qeq(q, m.String(), cols...)
	}
}

func (q *qb) ip(a netip.Addr, cols ...string) {
	if a.IsValid() {
		qeq(q, a.Unmap().WithZone("").String(), cols...)
	}
}

// like adds cond with every "%s" replaced by one placeholder bound to the
// ILIKE pattern of s as a substring; nothing when s is "".
func (q *qb) like(s, cond string) {
	if s == "" {
		return
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	ph := q.arg("%" + r.Replace(s) + "%")
	q.where = append(q.where, strings.ReplaceAll(cond, "%s", ph))
}

// clause is " WHERE ..." or "".
func (q *qb) clause() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// and is the conditions joined with AND, "true" without any.
func (q *qb) and() string {
	if len(q.where) == 0 {
		return "true"
	}
	return strings.Join(q.where, " AND ")
}

// window appends LIMIT and OFFSET.
func (q *qb) window(text string, limit, offset int) string {
	if limit > 0 {
		text += " LIMIT " + q.arg(int64(limit))
	}
	if offset > 0 {
		text += " OFFSET " + q.arg(int64(offset))
	}
	return text
}

// find runs text (whose last column is the total, count(*) OVER ()) and
// calls scan per row; it returns the total. A window past the last match
// has no row and so no total: countText (without window) counts then.
func (inv *Inventory) find(ctx context.Context, op, text string, args []any, countText string, countArgs []any,
	offset int, scan func(pgx.Rows, *int) error) (int, error) {
	rows, err := inv.pool.Query(ctx, text, args...)
	if err != nil {
		return 0, inv.wrap(op, err)
	}
	defer rows.Close()
	total, n := 0, 0
	for rows.Next() {
		if err := scan(rows, &total); err != nil {
			return 0, inv.wrap(op, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, inv.wrap(op, err)
	}
	if n == 0 && offset > 0 && countText != "" {
		if err := inv.pool.QueryRow(ctx, countText, countArgs...).Scan(&total); err != nil {
			return 0, inv.wrap(op, err)
		}
	}
	return total, nil
}

// each runs text (whose last column is ignored) as a cursor and calls fn
// with the rows scan reads in chunks of at most chunk (0: store.EachChunk),
// after fill, if any, completed them.
func each[T any](ctx context.Context, inv *Inventory, op, text string, args []any, chunk int,
	scan func(pgx.Rows, *int) (T, error), fill func(context.Context, []T) error,
	fn func(context.Context, []T) error) error {
	if chunk <= 0 {
		chunk = store.EachChunk
	}
	rows, err := inv.pool.Query(ctx, text, args...)
	if err != nil {
		return inv.wrap(op, err)
	}
	defer rows.Close()
	buf := make([]T, 0, chunk)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if fill != nil {
			if err := fill(ctx, buf); err != nil {
				return err
			}
		}
		err := fn(ctx, buf)
		clear(buf)
		buf = buf[:0]
		return err
	}
	var total int
	for rows.Next() {
		x, err := scan(rows, &total)
		if err != nil {
			return inv.wrap(op, err)
		}
		if buf = append(buf, x); len(buf) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return inv.wrap(op, err)
	}
	return flush()
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

func parseIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}
