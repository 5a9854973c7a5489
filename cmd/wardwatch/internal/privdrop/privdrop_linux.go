//go:build linux && cgo

package privdrop

/*
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

enum {
	WW_BOUNDING = 1,  // drop every capability from the bounding set (needs CAP_SETPCAP)
	WW_INHERIT  = 2,  // clear the inheritable set, keep permitted and effective
	WW_ALLCAPS  = 4,  // clear the effective, permitted and inheritable sets
	WW_AMBIENT  = 8,  // clear the ambient set
	WW_NNP      = 16, // set no_new_privs
};

static int ww_ops;
static int ww_sig;
static int ww_ran;   // handler runs so far (atomic)
static int ww_errno; // first errno a thread met (atomic), 0 if none
static struct sigaction ww_old;

static void ww_fail(int e) {
	int zero = 0;
	__atomic_compare_exchange_n(&ww_errno, &zero, e, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

// ww_apply changes the calling thread only. Raw syscalls only: it runs in a
// signal handler.
static void ww_apply(void) {
	int saved = errno;
	int ops = __atomic_load_n(&ww_ops, __ATOMIC_SEQ_CST);
	if (ops & WW_BOUNDING) {
		for (int c = 0; c < 64; c++) {
			// PR_CAPBSET_READ fails (EINVAL) past the kernel's last capability.
			if (syscall(SYS_prctl, PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
			    syscall(SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
				ww_fail(errno);
		}
	}
	if (ops & WW_AMBIENT) {
		// EINVAL: a kernel without ambient capabilities (< 4.3).
		if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
			ww_fail(errno);
	}
	if (ops & (WW_INHERIT | WW_ALLCAPS)) {
		struct __user_cap_header_struct h;
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof d);
		h.version = _LINUX_CAPABILITY_VERSION_3;
		h.pid = 0;
		if ((ops & WW_ALLCAPS) == 0 && syscall(SYS_capget, &h, d) != 0)
			ww_fail(errno);
		d[0].inheritable = d[1].inheritable = 0;
		h.version = _LINUX_CAPABILITY_VERSION_3;
		h.pid = 0;
		if (syscall(SYS_capset, &h, d) != 0)
			ww_fail(errno);
	}
	if (ops & WW_NNP) {
		if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			ww_fail(errno);
	}
	__atomic_add_fetch(&ww_ran, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

static void ww_handler(int sig, siginfo_t *info, void *uctx) {
	(void)sig; (void)info; (void)uctx;
	ww_apply();
}

// ww_install takes over a real-time signal the Go runtime does not use
// (SA_ONSTACK, as the runtime requires of foreign handlers).
static int ww_install(int ops) {
	struct sigaction sa;
	__atomic_store_n(&ww_ops, ops, __ATOMIC_SEQ_CST);
	__atomic_store_n(&ww_errno, 0, __ATOMIC_SEQ_CST);
	ww_sig = SIGRTMAX - 2;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = ww_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	return sigaction(ww_sig, &sa, &ww_old) == 0 ? 0 : errno;
}

static int ww_restore(void) { return sigaction(ww_sig, &ww_old, NULL) == 0 ? 0 : errno; }
static int ww_count(void) { return __atomic_load_n(&ww_ran, __ATOMIC_SEQ_CST); }
static int ww_error(void) { return __atomic_load_n(&ww_errno, __ATOMIC_SEQ_CST); }
static int ww_kill(int tid) { return syscall(SYS_tgkill, getpid(), tid, ww_sig) == 0 ? 0 : errno; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const capSetPCAP = 8 // CAP_SETPCAP

var privMu sync.Mutex

// Drop gives up every privilege the process holds; call it once
// the capture sockets are open (they keep working) and before any file is
// created, so that files belong to the service user.
//
//   - Started as root with userName set: the bounding and ambient sets are
//     emptied, the groups become the one group (groupName, else the user's
//     primary group), the uids become the user's, which makes the kernel
//     clear the permitted and effective sets; the inheritable set is
//     cleared too. No capability is left in any set.
//   - Started as root without userName: capabilities are dropped the same
//     way but the process stays uid 0 (it can still open root's files),
//     with groupName, if set, as its only group.
//   - Started as another user (e.g. by wardwatch.service with ambient
//     CAP_NET_RAW, or from a binary with file capabilities): every
//     capability is cleared. userName
//     and groupName, when set, must then be the current user and group:
//     only root can switch.
//
// no_new_privs is set in every case. The result is verified for every thread
// from /proc/self/task/*/status; any difference is an error, and the caller
// must stop.
func Drop(userName, groupName string) error {
	privMu.Lock()
	defer privMu.Unlock()

	uid, gid := -1, -1
	var err error
	if userName != "" {
		var u *user.User
		if u, err = lookupUser(userName); err != nil {
			return err
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	if groupName != "" {
		if gid, err = lookupGroup(groupName); err != nil {
			return err
		}
	}

	before, err := threadStatus("self")
	if err != nil {
		return fmt.Errorf("run_as: %w", err)
	}
	hadSetPCAP := before.capEff&(1<<capSetPCAP) != 0
	euid := os.Geteuid()

	if euid != 0 || (uid < 0 && gid < 0) {
		// No identity change: only shed capabilities. A non-root process
		// must already be who run_as names.
		if uid >= 0 && uid != euid {
			return fmt.Errorf("run_as.user %q (uid %d): wardwatch runs as uid %d and only root can switch users; "+
				"start it as root or as that user (wardwatch.service does), or leave run_as.user empty", userName, uid, euid)
		}
		if gid >= 0 && gid != os.Getegid() {
			return fmt.Errorf("run_as.group %q (gid %d): wardwatch runs as gid %d and only root can switch groups; "+
				"start it as root or with that group (Group= in wardwatch.service), or leave run_as.group empty",
				groupName, gid, os.Getegid())
		}
		ops := C.int(C.WW_ALLCAPS | C.WW_AMBIENT | C.WW_NNP)
		if hadSetPCAP {
			ops |= C.WW_BOUNDING
		}
		if err := allThreads(ops); err != nil {
			return fmt.Errorf("dropping capabilities: %w", err)
		}
		return verifyDropped(-1, -1, hadSetPCAP)
	}

	// Root switching to uid/gid (a group alone keeps uid 0). The bounding
	// set can only be emptied while CAP_SETPCAP is still effective, i.e.
	// before the uid changes.
	if uid < 0 {
		uid = 0
	}
	ops := C.int(C.WW_AMBIENT | C.WW_INHERIT | C.WW_NNP)
	if hadSetPCAP {
		ops |= C.WW_BOUNDING
	}
	if err := allThreads(ops); err != nil {
		return fmt.Errorf("dropping capabilities: %w", err)
	}
	const hint = " (switching users needs CAP_SETUID and CAP_SETGID: start wardwatch as plain root, " +
		"or as the run_as user with CAP_NET_RAW as wardwatch.service does)"
	if err := syscall.Setgroups([]int{gid}); err != nil {
		return fmt.Errorf("run_as: setgroups(%d): %w%s", gid, err, hint)
	}
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return fmt.Errorf("run_as: setresgid(%d): %w%s", gid, err, hint)
	}
	if err := syscall.Setresuid(uid, uid, uid); err != nil {
		return fmt.Errorf("run_as: setresuid(%d): %w%s", uid, err, hint)
	}
	// The uid change cleared the permitted, effective and ambient sets;
	// clearing them again per thread makes sure (it needs no privilege).
	if err := allThreads(C.WW_ALLCAPS | C.WW_AMBIENT | C.WW_NNP); err != nil {
		return fmt.Errorf("dropping capabilities: %w", err)
	}
	// Changing the uid made the process non-dumpable, which turns
	// /proc/self/fd and friends root-only and breaks the process metrics.
	// The process holds nothing the service user may not see; started by
	// wardwatch.service (no uid change) it is dumpable too.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("run_as: prctl(PR_SET_DUMPABLE): %w", err)
	}
	return verifyDropped(uid, gid, hadSetPCAP)
}

func lookupUser(name string) (*user.User, error) {
	u, err := user.Lookup(name)
	if err != nil && isDigits(name) {
		u, err = user.LookupId(name)
	}
	if err != nil {
		return nil, fmt.Errorf("run_as.user %q: no such user (create it, e.g. `useradd --system --no-create-home --shell /usr/sbin/nologin %s`)", name, name)
	}
	return u, nil
}

func lookupGroup(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil && isDigits(name) {
		g, err = user.LookupGroupId(name)
	}
	if err != nil {
		return -1, fmt.Errorf("run_as.group %q: no such group", name)
	}
	return strconv.Atoi(g.Gid)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// allThreads makes every thread of the process run ww_apply(ops), one at a
// time, until a scan of /proc/self/task finds no thread it has not reached
// (a thread created meanwhile by a reached one inherits the change).
func allThreads(ops C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if e := C.ww_install(ops); e != 0 {
		return fmt.Errorf("sigaction: %w", syscall.Errno(e))
	}
	defer C.ww_restore()
	done := map[int]bool{}
	for round := 0; ; round++ {
		if round == 100 {
			return errors.New("threads keep appearing; giving up")
		}
		tids, err := threadIDs()
		if err != nil {
			return err
		}
		fresh := 0
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			fresh++
			n := C.ww_count()
			switch e := C.ww_kill(C.int(tid)); syscall.Errno(e) {
			case 0:
			case syscall.ESRCH: // exited
				done[tid] = true
				continue
			default:
				return fmt.Errorf("tgkill(%d): %w", tid, syscall.Errno(e))
			}
			deadline := time.Now().Add(5 * time.Second)
			for C.ww_count() == n {
				if time.Now().After(deadline) {
					if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid)); err != nil {
						break // exited before running the handler
					}
					return fmt.Errorf("thread %d did not respond", tid)
				}
				time.Sleep(20 * time.Microsecond)
			}
			done[tid] = true
		}
		if fresh == 0 {
			break
		}
	}
	if e := C.ww_error(); e != 0 {
		return syscall.Errno(e)
	}
	return nil
}

func threadIDs() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	sort.Ints(tids)
	return tids, nil
}

// procStatus is what /proc/<pid>/task/<tid>/status says about credentials.
type procStatus struct {
	uid, gid                               [4]int // real, effective, saved, filesystem
	groups                                 []int
	capInh, capPrm, capEff, capBnd, capAmb uint64
	noNewPrivs                             bool
}

// threadStatus reads /proc/self/task/<tid>/status, or /proc/self/status
// for tid "self".
func threadStatus(tid string) (procStatus, error) {
	path := "/proc/self/status"
	if tid != "self" {
		path = filepath.Join("/proc/self/task", tid, "status")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return procStatus{}, err
	}
	return parseStatus(string(data))
}

func parseStatus(text string) (procStatus, error) {
	var st procStatus
	seen := 0
	for _, line := range strings.Split(text, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		var err error
		switch key {
		case "Uid", "Gid":
			ids := &st.uid
			if key == "Gid" {
				ids = &st.gid
			}
			if len(f) != 4 {
				return st, fmt.Errorf("status: bad %s line %q", key, line)
			}
			for i := range f {
				if ids[i], err = strconv.Atoi(f[i]); err != nil {
					return st, fmt.Errorf("status: bad %s line %q", key, line)
				}
			}
			seen++
		case "Groups":
			for _, s := range f {
				g, err := strconv.Atoi(s)
				if err != nil {
					return st, fmt.Errorf("status: bad Groups line %q", line)
				}
				st.groups = append(st.groups, g)
			}
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb":
			if len(f) != 1 {
				return st, fmt.Errorf("status: bad %s line %q", key, line)
			}
			v, err := strconv.ParseUint(f[0], 16, 64)
			if err != nil {
				return st, fmt.Errorf("status: bad %s line %q", key, line)
			}
			switch key {
			case "CapInh":
				st.capInh = v
			case "CapPrm":
				st.capPrm = v
			case "CapEff":
				st.capEff = v
			case "CapBnd":
				st.capBnd = v
			case "CapAmb":
				st.capAmb = v
			}
			seen++
		case "NoNewPrivs":
			st.noNewPrivs = len(f) == 1 && f[0] == "1"
		}
	}
	if seen != 7 {
		return st, errors.New("status: Uid, Gid or Cap* lines missing")
	}
	return st, nil
}

// verifyDropped checks every thread: no capability in any set (the
// bounding set too when wantBnd), no_new_privs, and, when uid/gid >= 0,
// those ids everywhere with gid as the only group.
func verifyDropped(uid, gid int, wantBnd bool) error {
	tids, err := threadIDs()
	if err != nil {
		return fmt.Errorf("verifying privileges: %w", err)
	}
	for _, tid := range tids {
		st, err := threadStatus(strconv.Itoa(tid))
		if errors.Is(err, os.ErrNotExist) {
			continue // exited
		}
		if err != nil {
			return fmt.Errorf("verifying privileges of thread %d: %w", tid, err)
		}
		var bad []string
		for _, c := range []struct {
			name string
			v    uint64
		}{{"CapInh", st.capInh}, {"CapPrm", st.capPrm}, {"CapEff", st.capEff}, {"CapAmb", st.capAmb}} {
			if c.v != 0 {
				bad = append(bad, fmt.Sprintf("%s %016x", c.name, c.v))
			}
		}
		if wantBnd && st.capBnd != 0 {
			bad = append(bad, fmt.Sprintf("CapBnd %016x", st.capBnd))
		}
		if !st.noNewPrivs {
			bad = append(bad, "NoNewPrivs 0")
		}
		if uid >= 0 && st.uid != [4]int{uid, uid, uid, uid} {
			bad = append(bad, fmt.Sprintf("Uid %v", st.uid))
		}
		if gid >= 0 && (st.gid != [4]int{gid, gid, gid, gid} || len(st.groups) != 1 || st.groups[0] != gid) {
			bad = append(bad, fmt.Sprintf("Gid %v Groups %v", st.gid, st.groups))
		}
		if len(bad) > 0 {
			return fmt.Errorf("privileges not dropped in thread %d: %s", tid, strings.Join(bad, ", "))
		}
	}
	return nil
}

// PrepareDataFiles gives the database (with its -wal and -shm) and the
// events file their mode before the store and the sinks open them: 0600,
// or 0640 group-owned by groupName when that is set, so that members of the
// group can run the query verbs (`wardwatch assets`). Missing database and
// events files are created empty with that mode (SQLite gives -wal and -shm
// the database's mode and ignores the umask); existing files owned by this
// process's user are chmod'ed (and chgrp'ed) to it; files of other users are
// left to fail where they are opened. A file whose directory is missing is
// skipped too (the store reports that). Call it after Drop.
func PrepareDataFiles(dbPath, eventsFile, groupName string) error {
	mode, gid := os.FileMode(0o600), -1
	if groupName != "" {
		var err error
		if gid, err = lookupGroup(groupName); err != nil {
			return err
		}
		mode = 0o640
	}
	type file struct {
		path   string
		create bool
	}
	var files []file
	if dbPath != "" {
		files = append(files, file{dbPath, true}, file{dbPath + "-wal", false}, file{dbPath + "-shm", false})
	}
	if eventsFile != "" && eventsFile != "-" {
		files = append(files, file{eventsFile, true})
	}
	for _, f := range files {
		if err := setFileMode(f.path, f.create, mode, gid); err != nil {
			return err
		}
	}
	return nil
}

func setFileMode(path string, create bool, mode os.FileMode, gid int) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ENOENT) {
		if !create {
			return nil
		}
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return nil // the opener reports the missing directory
		}
		fd, err = unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(mode))
		if errors.Is(err, unix.EEXIST) {
			return setFileMode(path, create, mode, gid)
		}
	}
	if errors.Is(err, unix.EACCES) {
		return nil // not ours: the opener reports it
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		return nil
	}
	if gid >= 0 && int(st.Gid) != gid {
		if err := unix.Fchown(fd, -1, gid); err != nil {
			return fmt.Errorf("%s: chgrp to gid %d: %w", path, gid, err)
		}
	}
	if os.FileMode(st.Mode&0o7777) != mode {
		if err := unix.Fchmod(fd, uint32(mode)); err != nil {
			return fmt.Errorf("%s: chmod %o: %w", path, mode, err)
		}
	}
	return nil
}
