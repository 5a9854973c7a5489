package store

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// Errors returned by Open, OpenReadOnly and the writer, to be tested with
// errors.Is. Every error the package returns names the database path; the
// underlying SQLite or OS error stays reachable with errors.As.
var (
	// ErrLocked: another writer holds the database (a second Wardwatch
	// daemon, or any SQLite client holding a write transaction past the busy
	// timeout).
	ErrLocked = errors.New("database is locked by another writer")
	// ErrCorrupt: the file is not an SQLite database, or it is malformed
	// (PRAGMA quick_check failed).
	ErrCorrupt = errors.New("database file is corrupt or not a database")
	// ErrReadOnly: the database, its directory or the file system cannot be
	// written (permissions, read-only mount, a path under a regular file),
	// or a write was attempted through OpenReadOnly.
	ErrReadOnly = errors.New("database is not writable")
	// ErrNotFound: the database file (OpenReadOnly) or its directory (Open)
	// does not exist.
	ErrNotFound = errors.New("database file does not exist")
	// ErrSchema: the database's schema is newer than this binary knows, or
	// the file is an SQLite database that Wardwatch did not create.
	ErrSchema = errors.New("incompatible database schema")
	// ErrClosed: the DB was closed, or its writer stopped.
	ErrClosed = errors.New("store is closed")
	// ErrNoAsset: Asset or AssetByKey found no such asset.
	ErrNoAsset = errors.New("no such asset")
)

// pathError is the one error a failure produces: what was being done, to
// which file, the kind (one of the sentinels above, or nil), a human
// detail and the underlying cause.
type pathError struct {
	op    string
	path  string
	kind  error
	msg   string // defaults to kind's text
	cause error
}

func (e *pathError) Error() string {
	s := e.op + " " + e.path + ": "
	msg := e.msg
	if msg == "" && e.kind != nil {
		msg = e.kind.Error()
	}
	switch {
	case msg == "" && e.cause != nil:
		s += e.cause.Error()
	case e.cause != nil:
		s += msg + ": " + e.cause.Error()
	default:
		s += msg
	}
	return s
}

func (e *pathError) Unwrap() []error {
	var errs []error
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// wrap turns err into a pathError, classifying it. If err already is one it
// is returned as is, with op and path filled in if it had none.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := err.(*pathError); ok {
		if pe.path == "" {
			pe.op, pe.path = op, path
		}
		return err
	}
	return &pathError{op: op, path: path, kind: classify(err), cause: err}
}

// classify maps an SQLite or OS error to one of the sentinels, or nil.
func classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return ErrLocked
		case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return ErrCorrupt
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
			return ErrReadOnly
		}
		return nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS),
		errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EPERM):
		return ErrReadOnly
	case errors.Is(err, syscall.EWOULDBLOCK):
		return ErrLocked
	}
	return nil
}
