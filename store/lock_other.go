//go:build !unix

package store

import "os"

// lockFile creates path+"-lock" but takes no lock: the single-writer
// exclusion is only enforced on Unix.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &pathError{op: "lock", path: path, kind: classify(err), cause: err}
	}
	return f, nil
}

func readOnlyFS(string) bool { return false }
