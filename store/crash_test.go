package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below re-execute the test binary as a child process running
// TestHelperProcess, selected by this variable.
const childEnv = "WARDWATCH_STORE_TEST_CHILD"

func childCmd(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestHelperProcess(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("helper process for other tests")
	case "crash":
		crashChild()
	case "ro-mount":
		roMountChild()
	case "ro-file":
		roFileChild()
	}
	os.Exit(0)
}

// crashChild writes one new asset per observation, forever, and prints the
// number of observations committed after every flush. The parent kills it.
func crashChild() {
	path := os.Getenv("WARDWATCH_STORE_TEST_DB")
	start, _ := strconv.Atoi(os.Getenv("WARDWATCH_STORE_TEST_START"))
	var db *DB
	opts := Options{
		FlushInterval: 50 * time.Millisecond,
		OnFlush: func(d time.Duration, err error) {
			if err == nil {
				fmt.Fprintf(os.Stdout, "flushed %d\n", db.Stats().Written) // os.Stdout is unbuffered
			}
		},
	}
	var err error
	if db, err = Open(path, opts); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	db.Start(context.Background())
	for i := start; ; i++ {
		if err := db.Submit(context.Background(), activity(nthKey(i), t0, t0, 1, 100)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		if i%200 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// TestCrashSafety kills a writing child with SIGKILL, three times, and
// checks after each that the database is intact and holds at least every
// observation the child saw committed.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	total := 0 // observations reported committed so far, over all rounds
	for round := 0; round < 3; round++ {
		cmd := childCmd(t, "crash", "WARDWATCH_STORE_TEST_DB="+path,
			"WARDWATCH_STORE_TEST_START="+strconv.Itoa(total))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		flushed, lines := 0, 0
		for sc.Scan() {
			n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "flushed "))
			if err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
			flushed = max(flushed, n)
			if lines++; lines == 5+round*3 {
				cmd.Process.Signal(syscall.SIGKILL) // mid-stream; keep reading what it printed before dying
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child ended with %v, want killed", err)
		}
		if flushed == 0 {
			t.Fatal("child reported no flush")
		}
		total += flushed

		raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		raw.Close()
		db, err := Open(path, testOpts())
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		n, _, err := db.Counts(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: child reported %d committed, database holds %d assets", round, flushed, n)
		if n < total {
			t.Fatalf("round %d: %d assets, but %d were reported committed", round, n, total)
		}
		total = n // the child may have committed more than it printed
	}
}

type roResult struct {
	Case  string
	Err   string
	IsRO  bool
	IsAny bool
}

// roMountChild runs in a private mount namespace: it remounts the test
// directory read-only and tries to open databases in it.
func roMountChild() {
	dir := os.Getenv("WARDWATCH_STORE_TEST_DIR")
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		fmt.Fprintln(os.Stderr, "child: bind:", err)
		os.Exit(3)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		fmt.Fprintln(os.Stderr, "child: remount ro:", err)
		os.Exit(3)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range []string{"existing.db", "new.db"} {
		path := filepath.Join(dir, c)
		db, err := Open(path, Options{BusyTimeout: 100 * time.Millisecond})
		if err == nil {
			db.Close()
			enc.Encode(roResult{Case: c})
			continue
		}
		enc.Encode(roResult{Case: c, Err: err.Error(), IsRO: errors.Is(err, ErrReadOnly), IsAny: true})
	}
	// Reading works on a read-only file system.
	ro, err := OpenReadOnly(filepath.Join(dir, "existing.db"))
	if err == nil {
		_, _, err = ro.Counts(context.Background())
		ro.Close()
	}
	r := roResult{Case: "read-only open", IsAny: err != nil}
	if err != nil {
		r.Err = err.Error()
	}
	enc.Encode(r)
}

// TestOpenReadOnlyMount opens databases on a read-only bind mount, in a
// child process with its own mount namespace (skipped where that needs
// privileges the test lacks).
func TestOpenReadOnlyMount(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "existing.db")
	db := mustOpen(t, path, testOpts())
	mustSubmit(t, db, activity(nthKey(1), t0, t0, 1, 1))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)

	cmd := childCmd(t, "ro-mount", "WARDWATCH_STORE_TEST_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	cmd.Stderr = nil
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run with a private read-only mount here: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var r roResult
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		seen++
		t.Logf("%s: %s", r.Case, r.Err)
		switch r.Case {
		case "read-only open":
			if r.IsAny {
				t.Errorf("OpenReadOnly on a read-only mount: %s", r.Err)
			}
		default:
			if !r.IsRO || !strings.Contains(r.Err, filepath.Join(dir, r.Case)) {
				t.Errorf("Open %s on a read-only mount: error %q, want ErrReadOnly naming the path", r.Case, r.Err)
			}
		}
	}
	if seen != 3 {
		t.Errorf("child reported %d results: %s", seen, out)
	}
	assertUnchanged(t, path, before)
}

// roFileChild opens the database a user cannot write (run as nobody) and
// prints the error.
func roFileChild() {
	db, err := Open(os.Getenv("WARDWATCH_STORE_TEST_DB"), Options{})
	if err == nil {
		db.Close()
		fmt.Println("opened")
		return
	}
	fmt.Printf("readonly=%v %v\n", errors.Is(err, ErrReadOnly), err)
}

// TestOpenReadOnlyFile: SQLite's mode=rw falls back to a read-only
// connection on a file the process cannot write, and the writer would then
// fail every batch; Open must refuse with ErrReadOnly naming the file. The
// file belongs to root, the opener is nobody (root can write any file).
func TestOpenReadOnlyFile(t *testing.T) {
	if os.Geteuid() != 0 {
		// As an ordinary user a 0444 file is enough.
		path := filepath.Join(t.TempDir(), "ro.db")
		mustOpen(t, path, testOpts()).Close()
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		before := readFile(t, path)
		db, err := Open(path, testOpts())
		if err == nil {
			db.Close()
		}
		checkOpenErr(t, err, path, ErrReadOnly, "not writable")
		assertUnchanged(t, path, before)
		return
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dir, err := os.MkdirTemp("", "ww-rofile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil { // nobody may create -lock, -wal, -shm
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ro.db")
	mustOpen(t, path, testOpts()).Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	// The test binary lives in a private build directory: run a copy
	// nobody can execute.
	bin := filepath.Join(dir, "store.test")
	if data, err := os.ReadFile(os.Args[0]); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := childCmd(t, "ro-file", "WARDWATCH_STORE_TEST_DB="+path)
	cmd.Path, cmd.Args[0] = bin, bin
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run the test binary as nobody here: %v", err)
	}
	got := strings.TrimSpace(string(out))
	t.Log(got)
	if !strings.HasPrefix(got, "readonly=true") || !strings.Contains(got, path+": not writable") {
		t.Errorf("Open as nobody of a root-owned 0644 database: %q, want ErrReadOnly naming the path and \"not writable\"", got)
	}
	assertUnchanged(t, path, before)
}
