//go:build linux && cgo

package privdrop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
)

// The privilege tests run the test binary again as a child process (the
// switch is the environment variable below), because dropping privileges
// cannot be undone: the child opens an AF_PACKET socket on lo, calls
// Drop, and prints every thread's /proc status; the parent
// asserts on what it printed.

const privdropEnv = "WARDWATCH_PRIVDROP_CHILD"

const (
	capNetRaw   = 13
	capNetAdmin = 12
)

// TestPrivdropChild is the child side; it does nothing in a normal run.
func TestPrivdropChild(t *testing.T) {
	mode := os.Getenv(privdropEnv)
	if mode == "" {
		return
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	say := func(format string, a ...any) { fmt.Fprintf(out, "CHILD "+format+"\n", a...) }

	// Several threads before the drop, some locked and idle.
	stopThreads := make(chan struct{})
	defer close(stopThreads)
	lockThreads(8, stopThreads)

	if mode == "promisc" {
		say("PROMISCUITY before %s", loPromiscuity())
	}
	src, err := sensor.OpenLive(sensor.LiveOptions{Interface: "lo", RingSize: 1 << 20, BlockSize: 1 << 20,
		Snaplen: 2048, PollTimeout: 20 * time.Millisecond, Promiscuous: mode != "no-promisc"})
	if err != nil {
		say("OPEN-ERROR %s", oneLine(err))
		return
	}
	closed := false
	defer func() {
		if !closed {
			src.Close()
		}
	}()
	say("OPEN ok")
	if mode == "promisc" {
		say("PROMISCUITY open %s", loPromiscuity())
	}

	userName, groupName := os.Getenv(privdropEnv+"_USER"), os.Getenv(privdropEnv+"_GROUP")
	if err := Drop(userName, groupName); err != nil {
		say("DROP-ERROR %s", oneLine(err))
		return
	}
	say("DROP ok")
	// More threads after the drop: they inherit the dropped state.
	lockThreads(4, stopThreads)

	if mode == "promisc" {
		// lo is down in the child's own network namespace: nothing to
		// capture, but the membership must outlive the drop and go away
		// with the socket.
		say("PROMISCUITY dropped %s", loPromiscuity())
		src.Close()
		closed = true
		say("PROMISCUITY closed %s", loPromiscuity())
	} else if err := captureUDP(src); err != nil { // the capture socket still works...
		say("CAPTURE-ERROR %s", oneLine(err))
	} else {
		say("CAPTURE ok")
	}
	// ...but no new one can be opened.
	if s2, err := sensor.OpenLive(sensor.LiveOptions{Interface: "lo", RingSize: 1 << 20, BlockSize: 1 << 20}); err == nil {
		s2.Close()
		say("REOPEN allowed")
	} else {
		say("REOPEN-ERROR %s", oneLine(err))
	}
	tids, err := threadIDs()
	if err != nil {
		say("TASKS-ERROR %v", err)
		return
	}
	for _, tid := range tids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/status", tid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			for _, k := range []string{"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:"} {
				if strings.HasPrefix(line, k) {
					say("TASK %d %s", tid, strings.Join(strings.Fields(line), " "))
				}
			}
		}
	}
}

// loPromiscuity is lo's promiscuity count from `ip -d link show lo`.
func loPromiscuity() string {
	out, err := exec.Command("ip", "-d", "link", "show", "lo").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("error %v %s", err, out)
	}
	f := strings.Fields(string(out))
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "promiscuity" {
			return f[i+1]
		}
	}
	return "unknown"
}

// lockThreads starts n goroutines, each holding its own OS thread until
// stop is closed.
func lockThreads(n int, stop chan struct{}) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			runtime.LockOSThread()
			wg.Done()
			<-stop
		}()
	}
	wg.Wait()
}

// captureUDP sends UDP datagrams to 127.0.0.1 and waits until src sees one.
func captureUDP(src *sensor.LiveSource) error {
	conn, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		return err
	}
	defer conn.Close()
	marker := []byte(fmt.Sprintf("wardwatch-privdrop-%d", os.Getpid()))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		conn.Write(marker)
		for i := 0; i < 20; i++ {
			data, _, err := src.ReadPacket()
			if errors.Is(err, sensor.ErrTimeout) {
				break
			}
			if err != nil {
				return err
			}
			if bytes.Contains(data, marker) {
				return nil
			}
		}
	}
	return errors.New("no packet captured after dropping privileges")
}

// childResult is what the child printed: its CHILD lines (without the
// prefix) and the /proc status lines per thread.
type childResult struct {
	lines []string
	tasks map[string]map[string]string // tid -> key -> value
	raw   string
}

func (r childResult) has(line string) bool {
	for _, l := range r.lines {
		if l == line {
			return true
		}
	}
	return false
}

func (r childResult) find(prefix string) (string, bool) {
	for _, l := range r.lines {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

// runPrivdropChild runs TestPrivdropChild in mode with the given
// credentials and ambient capabilities (nil cred: as the current user).
func runPrivdropChild(t *testing.T, mode, runAsUser, runAsGroup string, cred *syscall.Credential, ambient ...uintptr) childResult {
	t.Helper()
	return runPrivdrop(t, 0, mode, runAsUser, runAsGroup, cred, ambient)
}

// runPrivdropChildNS is runPrivdropChild in a new network namespace.
func runPrivdropChildNS(t *testing.T, mode, runAsUser, runAsGroup string, cred *syscall.Credential, ambient ...uintptr) childResult {
	t.Helper()
	return runPrivdrop(t, syscall.CLONE_NEWNET, mode, runAsUser, runAsGroup, cred, ambient)
}

func runPrivdrop(t *testing.T, clone uintptr, mode, runAsUser, runAsGroup string, cred *syscall.Credential, ambient []uintptr) childResult {
	t.Helper()
	bin := os.Args[0]
	dir := ""
	if cred != nil {
		bin, dir = worldReadableTestBinary(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestPrivdropChild$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), privdropEnv+"="+mode, privdropEnv+"_USER="+runAsUser, privdropEnv+"_GROUP="+runAsGroup)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, AmbientCaps: ambient, Cloneflags: clone}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, out.String())
	}
	r := childResult{tasks: map[string]map[string]string{}, raw: out.String()}
	for _, l := range strings.Split(out.String(), "\n") {
		l, ok := strings.CutPrefix(l, "CHILD ")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(l, "TASK "); ok {
			f := strings.SplitN(rest, " ", 3)
			if len(f) < 2 {
				continue
			}
			if r.tasks[f[0]] == nil {
				r.tasks[f[0]] = map[string]string{}
			}
			v := ""
			if len(f) == 3 {
				v = f[2]
			}
			r.tasks[f[0]][strings.TrimSuffix(f[1], ":")] = v
			continue
		}
		r.lines = append(r.lines, l)
	}
	return r
}

// worldReadableTestBinary links (or copies) the test binary into a
// directory other users may enter, for children run as nobody.
func worldReadableTestBinary(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin = filepath.Join(dir, "privdrop.test")
	if os.Link(os.Args[0], bin) != nil {
		if err := copyFile(os.Args[0], bin, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin, dir
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func requireRootAndLo(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (AF_PACKET on lo, changing users)")
	}
	if _, err := net.InterfaceByName("lo"); err != nil {
		t.Skip("no loopback interface")
	}
}

func nobodyIDs(t *testing.T) (uid, gid int, groupName string) {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	g, err := user.LookupGroup("nogroup")
	if err != nil {
		t.Skipf("no group nogroup: %v", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(g.Gid)
	return uid, gid, g.Name
}

// checkTasks asserts every thread's status: no capabilities (the bounding
// set too when wantBnd), NoNewPrivs 1 and, when uid >= 0, those ids.
func checkTasks(t *testing.T, r childResult, uid, gid int, wantBnd, wantGroups bool) {
	t.Helper()
	if len(r.tasks) < 2 {
		t.Fatalf("child reported %d threads, want several:\n%s", len(r.tasks), r.raw)
	}
	for tid, st := range r.tasks {
		for _, k := range []string{"CapInh", "CapPrm", "CapEff", "CapAmb"} {
			if st[k] != "0000000000000000" {
				t.Errorf("thread %s: %s %q, want 0", tid, k, st[k])
			}
		}
		if wantBnd && st["CapBnd"] != "0000000000000000" {
			t.Errorf("thread %s: CapBnd %q, want 0", tid, st["CapBnd"])
		}
		if st["NoNewPrivs"] != "1" {
			t.Errorf("thread %s: NoNewPrivs %q, want 1", tid, st["NoNewPrivs"])
		}
		if uid >= 0 {
			want := fmt.Sprintf("%d %d %d %d", uid, uid, uid, uid)
			if st["Uid"] != want {
				t.Errorf("thread %s: Uid %q, want %q", tid, st["Uid"], want)
			}
			want = fmt.Sprintf("%d %d %d %d", gid, gid, gid, gid)
			if st["Gid"] != want {
				t.Errorf("thread %s: Gid %q, want %q", tid, st["Gid"], want)
			}
			if wantGroups && st["Groups"] != strconv.Itoa(gid) {
				t.Errorf("thread %s: Groups %q, want %d", tid, st["Groups"], gid)
			}
		}
	}
	t.Logf("%d threads checked", len(r.tasks))
}

// Started as root: open the socket, drop to nobody/nogroup, nothing left.
func TestPrivdropRootToNobody(t *testing.T) {
	requireRootAndLo(t)
	uid, gid, _ := nobodyIDs(t)
	r := runPrivdropChild(t, "root", "nobody", "nogroup", nil)
	for _, want := range []string{"OPEN ok", "DROP ok", "CAPTURE ok"} {
		if !r.has(want) {
			t.Fatalf("child did not print %q:\n%s", want, r.raw)
		}
	}
	if l, _ := r.find("REOPEN"); !strings.Contains(l, "CAP_NET_RAW") {
		t.Errorf("opening a capture socket after the drop: %q, want a permission error naming CAP_NET_RAW", l)
	}
	checkTasks(t, r, uid, gid, true, true)
}

// Started as root with only run_as.group: stays uid 0, with that group as
// its only group and no capability left.
func TestPrivdropRootGroupOnly(t *testing.T) {
	requireRootAndLo(t)
	_, gid, _ := nobodyIDs(t)
	r := runPrivdropChild(t, "rootgroup", "", "nogroup", nil)
	for _, want := range []string{"OPEN ok", "DROP ok", "CAPTURE ok"} {
		if !r.has(want) {
			t.Fatalf("child did not print %q:\n%s", want, r.raw)
		}
	}
	checkTasks(t, r, 0, gid, true, true)
}

// Started as a user with ambient CAP_NET_RAW and CAP_NET_ADMIN (the most
// a unit or `setcap cap_net_raw,cap_net_admin+ep` grants): enough to
// capture in promiscuous mode, and Drop sheds both.
func TestPrivdropAmbientCaps(t *testing.T) {
	requireRootAndLo(t)
	uid, gid, _ := nobodyIDs(t)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	r := runPrivdropChild(t, "ambient", "nobody", "nogroup", cred, capNetRaw, capNetAdmin)
	for _, want := range []string{"OPEN ok", "DROP ok", "CAPTURE ok"} {
		if !r.has(want) {
			t.Fatalf("child did not print %q:\n%s", want, r.raw)
		}
	}
	checkTasks(t, r, uid, gid, false, false)
}

// CAP_NET_RAW alone is enough for promiscuous mode: it is a
// PACKET_MR_PROMISC membership of the capture socket, which the kernel does
// not guard with CAP_NET_ADMIN (that is why wardwatch.service grants only
// CAP_NET_RAW). The child runs in a network namespace of its own, so that
// no other capture on the host changes lo's promiscuity count.
func TestPrivdropPromiscNetRawOnly(t *testing.T) {
	requireRootAndLo(t)
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2)")
	}
	uid, gid, _ := nobodyIDs(t)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	r := runPrivdropChildNS(t, "promisc", "", "", cred, capNetRaw)
	for _, want := range []string{"PROMISCUITY before 0", "OPEN ok", "PROMISCUITY open 1", "DROP ok",
		"PROMISCUITY dropped 1", "PROMISCUITY closed 0"} {
		if !r.has(want) {
			t.Errorf("child did not print %q", want)
		}
	}
	if t.Failed() {
		t.Log(r.raw)
	}
	checkTasks(t, r, uid, gid, false, false)
}

// Without any capability: one error naming CAP_NET_RAW and every fix.
func TestPrivdropNoCapabilityError(t *testing.T) {
	requireRootAndLo(t)
	uid, gid, _ := nobodyIDs(t)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	r := runPrivdropChild(t, "nocaps", "", "", cred)
	l, ok := r.find("OPEN-ERROR ")
	if !ok {
		t.Fatalf("opening a capture socket without CAP_NET_RAW did not fail:\n%s", r.raw)
	}
	for _, want := range []string{"CAP_NET_RAW", "setcap", "wardwatch.service", "root"} {
		if !strings.Contains(l, want) {
			t.Errorf("error %q does not mention %q", l, want)
		}
	}
}

// A non-root process cannot become another user: a clear error.
func TestPrivdropWrongUserError(t *testing.T) {
	requireRootAndLo(t)
	uid, gid, _ := nobodyIDs(t)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	r := runPrivdropChild(t, "wronguser", "root", "", cred, capNetRaw, capNetAdmin)
	l, ok := r.find("DROP-ERROR ")
	if !ok || !strings.Contains(l, "only root can switch") {
		t.Fatalf("run_as.user root as nobody: want an error saying only root can switch users, got:\n%s", r.raw)
	}
}

// PrepareDataFiles: 0600 by default, 0640 and the group with a group;
// SQLite's -wal and -shm follow the database's mode.
func TestPrivdropDataFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	ev := filepath.Join(dir, "events.json")
	if err := PrepareDataFiles(db, ev, ""); err != nil {
		t.Fatal(err)
	}
	checkMode(t, db, 0o600)
	checkMode(t, ev, 0o600)
	// Missing directory: skipped (the store reports it); "-" is stdout.
	if err := PrepareDataFiles(filepath.Join(dir, "nodir", "w.db"), "-", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nodir")); err == nil {
		t.Error("PrepareDataFiles created a directory")
	}

	g, err := user.LookupGroupId(strconv.Itoa(os.Getegid()))
	if err != nil {
		t.Skip(err)
	}
	os.Chmod(ev, 0o644)
	if err := PrepareDataFiles(db, ev, g.Name); err != nil {
		t.Fatal(err)
	}
	checkMode(t, db, 0o640)
	checkMode(t, ev, 0o640)
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkMode(t, db+"-wal", 0o640)
	checkMode(t, db+"-shm", 0o640)
	// And back to private, -wal and -shm included.
	if err := PrepareDataFiles(db, ev, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", ev} {
		checkMode(t, p, 0o600)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

func TestPrivdropParseStatus(t *testing.T) {
	st, err := parseStatus("Name:\tx\nUid:\t65534\t65534\t65534\t65534\nGid:\t1\t2\t3\t4\nGroups:\t4 5 \n" +
		"CapInh:\t0000000000000000\nCapPrm:\t0000000000003000\nCapEff:\t0000000000003000\n" +
		"CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n")
	if err != nil {
		t.Fatal(err)
	}
	if st.uid != [4]int{65534, 65534, 65534, 65534} || st.gid != [4]int{1, 2, 3, 4} || fmt.Sprint(st.groups) != "[4 5]" ||
		st.capEff != 1<<capNetRaw|1<<capNetAdmin || st.capBnd != 0x1ffffffffff || !st.noNewPrivs {
		t.Errorf("parsed %+v", st)
	}
	if _, err := parseStatus("Name:\tx\n"); err == nil {
		t.Error("no error for a status without Uid/Cap lines")
	}
}

// oneLine joins a multi-line error into one line for the child's output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
