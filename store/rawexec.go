package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// The flush's writes (some 160 k single-row statements for a million
// frames of a busy capture) run on the writer connection's driver
// statements, below database/sql: its per-call cost (the connection lock,
// the argument conversion by reflection, a result and its allocations) was
// a fifth of the flusher's CPU, and the flusher is the replay's critical
// path (issue 11). Queries, BEGIN and COMMIT stay on database/sql's
// transaction. Both use the one SQLite connection of the writer pool
// (SetMaxOpenConns(1)) and hence its one transaction: while a flush's
// sql.Tx is open nothing else can take that connection, so the flusher
// goroutine is its only user.

// writerConnector opens the writer pool's connections and remembers the
// newest, whose driver statements rawStmts prepares.
type writerConnector struct {
	dsn  string
	drv  *sqlite3.SQLiteDriver
	conn atomic.Pointer[sqlite3.SQLiteConn]
}

func (c *writerConnector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	if sc, ok := dc.(*sqlite3.SQLiteConn); ok {
		c.conn.Store(sc)
	}
	return dc, nil
}

func (c *writerConnector) Driver() driver.Driver { return c.drv }

// rawStmts are the write statements prepared on the writer's driver
// connection, made on first use and again when the pool replaced the
// connection.
type rawStmts struct {
	mu   sync.Mutex // held while a statement runs: Close never closes one under way
	conn *sqlite3.SQLiteConn
	s    [numStmts]*sqlite3.SQLiteStmt
}

// get returns statement id on conn. The caller holds r.mu while it uses
// the statement (a closed go-sqlite3 statement must never run).
func (r *rawStmts) get(conn *sqlite3.SQLiteConn, id stmtID) (*sqlite3.SQLiteStmt, error) {
	if r.conn != conn {
		r.closeLocked()
		r.conn = conn
	}
	if s := r.s[id]; s != nil {
		return s, nil
	}
	if conn == nil {
		return nil, fmt.Errorf("statement %d: no writer connection", id)
	}
	ds, err := conn.Prepare(stmtSQL[id])
	if err != nil {
		return nil, fmt.Errorf("prepare statement %d: %w", id, err)
	}
	s, ok := ds.(*sqlite3.SQLiteStmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("prepare statement %d: driver statement is %T", id, ds)
	}
	r.s[id] = s
	return s, nil
}

func (r *rawStmts) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	r.conn = nil
}

func (r *rawStmts) closeLocked() {
	for i, s := range r.s {
		if s != nil {
			s.Close()
			r.s[i] = nil
		}
	}
}

// execRaw runs write statement id with args on the writer connection,
// inside the flush's transaction.
func (f *flush) execRaw(id stmtID, args []any) (sql.Result, error) {
	db := f.db
	db.raw.mu.Lock()
	defer db.raw.mu.Unlock()
	st, err := db.raw.get(db.conn.conn.Load(), id)
	if err != nil {
		return nil, err
	}
	nv := f.nv[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, fmt.Errorf("statement %d: argument %d: %w", id, i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	f.nv = nv
	res, err := st.ExecContext(context.Background(), nv) // no Done: the driver runs it in this goroutine
	clear(nv)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// driverValue converts a statement argument as database/sql does
// (driver.DefaultParameterConverter), the types the writer passes without
// reflection.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, string, bool, float64, []byte:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}
