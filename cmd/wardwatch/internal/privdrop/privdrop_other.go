//go:build !linux || !cgo

package privdrop

import (
	"errors"
	"runtime"
)

// Drop needs Linux and a cgo build (every thread's capability
// sets are changed from a C signal handler); elsewhere only an empty run_as
// section is accepted, and nothing is dropped.
func Drop(userName, groupName string) error {
	if userName != "" || groupName != "" {
		return errors.New("run_as: switching user and group is supported only by Linux builds with cgo (this is " +
			runtime.GOOS + "); leave run_as empty")
	}
	return nil
}

// PrepareDataFiles leaves file modes to the store and the sinks (0600) on
// builds without Drop; a run_as.group cannot be honoured there.
func PrepareDataFiles(dbPath, eventsFile, groupName string) error {
	if groupName != "" {
		return errors.New("run_as.group is supported only by Linux builds with cgo; leave it empty")
	}
	return nil
}
