//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive, non-blocking flock(2) on path+"-lock",
// creating it (mode 0600) if needed, so that only one read-write DB uses a
// database at a time. The lock lives on a separate file because closing
// any descriptor of the database file itself would drop the POSIX locks
// SQLite holds on it. The kernel releases the flock when the process dies.
func lockFile(path string) (*os.File, error) {
	name := path + "-lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &pathError{op: "lock", path: path, kind: classify(err), cause: err}
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &pathError{op: "open", path: path, kind: ErrLocked,
				msg: "database is in use by another writer (" + name + " is locked)"}
		}
		return nil, &pathError{op: "lock", path: path, cause: err}
	}
	return f, nil
}

// readOnlyFS reports whether dir is on a read-only file system.
func readOnlyFS(dir string) bool {
	return errors.Is(syscall.Access(dir, 2 /* W_OK */), syscall.EROFS)
}
