// Package privdrop gives up the privileges of `wardwatch run` once its
// capture sockets are open: the process then needs no privilege at all, so
// Drop switches to the configured user and group (when started as root) and
// clears every capability set of every thread, and PrepareDataFiles gives
// the database and events file the modes and group run_as asks for.
//
// Capabilities, the bounding set and no_new_privs are per-thread attributes
// in Linux. Go runs on many threads, and with cgo (needed by SQLite)
// syscall.AllThreadsSyscall is unavailable, so the per-thread changes are
// made by a small C signal handler that each thread runs in turn (the
// technique glibc uses for setuid(2) and libcap's psx package for capset).
// The uid/gid changes themselves use syscall.Setres[ug]id and
// syscall.Setgroups, which glibc applies to all threads. The result is then
// checked for every thread in /proc/self/task/*/status.
//
// Builds other than Linux with cgo accept only an empty run_as section and
// drop nothing.
package privdrop
