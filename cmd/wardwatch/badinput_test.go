package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	_ "github.com/mattn/go-sqlite3"

	"github.com/wardwatch/wardwatch/store"
)

// This file checks that every bad input ends with exactly one line
// "wardwatch: <cause>" on stderr, a non-zero exit status, and no loss of
// what the database already held. The cases run in-process through Main and,
// where a real process matters (another process's lock, another user's
// privileges), through the built binary.

// ---- the built binary, shared with crash_test.go and live_test.go ----

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary built by wardwatchBinary, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// wardwatchBinary builds ./cmd/wardwatch once per test binary and returns
// its path. The directory is world-readable so that other users (nobody)
// may run it.
func wardwatchBinary(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		binDir, binErr = os.MkdirTemp("", "wardwatch-bin-")
		if binErr != nil {
			return
		}
		if binErr = os.Chmod(binDir, 0o755); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "wardwatch")
		cmd := exec.Command(goTool, "build", "-o", binPath, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatalf("building wardwatch: %v", binErr)
	}
	return binPath
}

// runResult is what one invocation printed and returned.
type runResult struct {
	code           int
	stdout, stderr string
}

// runMain calls Main in-process.
func runMain(args ...string) runResult {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// runBinary runs the built binary with args; cred, if set, runs it as that
// user. It fails the test if the process does not finish within a minute.
func runBinary(t *testing.T, dir string, cred *syscall.Credential, args ...string) runResult {
	t.Helper()
	bin := wardwatchBinary(t) // built once, before the run's deadline starts
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ctx.Err() != nil {
			t.Fatalf("wardwatch %s: %v (stderr: %s)", strings.Join(args, " "), err, errb.String())
		}
		code = ee.ExitCode()
	}
	return runResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// checkOneLineError asserts the failure contract: exit status want, and
// stderr is exactly one line "wardwatch: ..." naming every cause.
func checkOneLineError(t *testing.T, r runResult, want int, causes ...string) {
	t.Helper()
	for _, p := range oneLineProblems(r, want, causes...) {
		t.Error(p)
	}
}

// oneLineProblems lists how r breaks the failure contract.
func oneLineProblems(r runResult, want int, causes ...string) []string {
	var ps []string
	if r.code == 0 {
		ps = append(ps, fmt.Sprintf("exit status 0 for a failure (product bug); stderr %q", r.stderr))
	} else if r.code != want {
		ps = append(ps, fmt.Sprintf("exit status %d, want %d (stderr %q)", r.code, want, r.stderr))
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasSuffix(r.stderr, "\n") {
		ps = append(ps, fmt.Sprintf("stderr has %d lines, want exactly one line:\n%s", n, r.stderr))
	}
	if !strings.HasPrefix(r.stderr, "wardwatch: ") {
		ps = append(ps, fmt.Sprintf("stderr does not start with \"wardwatch: \": %q", r.stderr))
	}
	low := strings.ToLower(r.stderr)
	for _, c := range causes {
		if !strings.Contains(low, strings.ToLower(c)) {
			ps = append(ps, fmt.Sprintf("stderr does not name the cause %q: %q", c, r.stderr))
		}
	}
	return ps
}

// ---- capture fixtures, generated at test time ----

// writePcap writes frames as a pcap file with link type lt, one frame per
// millisecond from a fixed start time.
func writePcap(tb testing.TB, path string, lt layers.LinkType, frames [][]byte) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		tb.Fatal(err)
	}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, fr := range frames {
		ci := gopacket.CaptureInfo{Timestamp: ts.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(fr), Length: len(fr)}
		if err := w.WritePacket(ci, fr); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// arpFrame is an Ethernet ARP request from 02:00:5e:00:00:<n> / 10.0.0.<n>.
func arpFrame(tb testing.TB, n byte) []byte {
	tb.Helper()
	src := net.HardwareAddr{0x02, 0x00, 0x5e, 0x00, 0x00, n}
	eth := &layers.Ethernet{SrcMAC: src, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP}
	arp := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: src, SourceProtAddress: []byte{10, 0, 0, n},
		DstHwAddress: make([]byte, 6), DstProtAddress: []byte{10, 0, 0, 254},
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, eth, arp); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// seedDB creates a database holding the assets of a few generated ARP
// frames and returns its path.
func seedDB(t *testing.T, dir string) string {
	t.Helper()
	pcap := filepath.Join(dir, "seed.pcap")
	var frames [][]byte
	for n := byte(1); n <= 5; n++ {
		frames = append(frames, arpFrame(t, n))
	}
	writePcap(t, pcap, layers.LinkTypeEthernet, frames)
	db := filepath.Join(dir, "inventory.db")
	if r := runMain("replay", "-q", "--db", db, pcap); r.code != 0 {
		t.Fatalf("seeding %s: exit %d: %s", db, r.code, r.stderr)
	}
	if got := assetKeys(t, db); len(got) != 5 {
		t.Fatalf("seeded database holds %d assets, want 5: %v", len(got), got)
	}
	return db
}

// assetKeys returns "vlan/mac" (or "vlan/ip" for IP-keyed assets) of every
// asset, sorted, ignoring the vantage.
func assetKeys(tb testing.TB, path string) []string {
	tb.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	assets, err := db.Assets(context.Background(), store.AssetFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	keys := make([]string, 0, len(assets))
	for _, a := range assets {
		r := toRecord(a)
		id := r.MAC
		if r.KeyedBy == "ip" && len(r.IPs) > 0 {
			id = "ip:" + r.IPs[0]
		}
		keys = append(keys, strconv.Itoa(int(r.VLAN))+"/"+id)
	}
	sort.Strings(keys)
	return keys
}

// pcapRecordOffsets returns the file offset of every record of a classic
// (not pcapng) pcap file and the length of its captured data.
func pcapRecordOffsets(tb testing.TB, data []byte) (offs, lens []int) {
	tb.Helper()
	if len(data) < 24 {
		tb.Fatal("pcap shorter than its header")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		tb.Fatal("not a classic pcap file")
	}
	for off := 24; off+16 <= len(data); {
		n := int(bo.Uint32(data[off+8:]))
		offs, lens = append(offs, off), append(lens, n)
		off += 16 + n
	}
	return offs, lens
}

func writeFile(tb testing.TB, path string, data []byte, mode os.FileMode) {
	tb.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// ---- the cases ----

// badEnv is one case's scratch directory with a seeded database.
type badEnv struct {
	dir  string // writable scratch directory (cwd of the binary)
	db   string // seeded database holding 5 assets
	seed []byte // the database file's bytes before the case ran
}

type badCase struct {
	name string
	// args returns the command line; it may create files in env.dir.
	args   func(t *testing.T, env *badEnv) []string
	code   int
	causes []string
	// dbChanges: the case legitimately adds to the seeded database
	// (truncated capture); otherwise the file must be byte-identical.
	dbChanges bool
	// check runs after the command, for case-specific assertions.
	check func(t *testing.T, env *badEnv, r runResult)
	// asNobody: run only through the built binary, as user nobody.
	asNobody bool
	// before, if set, runs before the command and returns a cleanup func
	// that runs right after it (e.g. a lock held by the test).
	before func(t *testing.T, env *badEnv) func()
	// skip returns a reason to skip, or "".
	skip func(t *testing.T) string
	// knownBug describes a product bug that makes this case fail today:
	// while the output breaks the contract the case is skipped with this
	// text; once it is fixed the case runs normally.
	knownBug string
}

func TestBadInput(t *testing.T) {
	for _, c := range badCases() {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != nil {
				if why := c.skip(t); why != "" {
					t.Skip(why)
				}
			}
			vias := []string{"main", "binary"}
			if c.asNobody {
				vias = vias[1:]
			}
			for _, via := range vias {
				t.Run(via, func(t *testing.T) {
					// A world-writable directory that every user can
					// reach (t.TempDir's parent is 0700).
					dir, err := os.MkdirTemp("", "wardwatch-badinput-")
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { os.RemoveAll(dir) })
					if err := os.Chmod(dir, 0o777); err != nil {
						t.Fatal(err)
					}
					env := &badEnv{dir: dir}
					env.db = seedDB(t, dir)
					env.seed = readFile(t, env.db)
					args := c.args(t, env)
					var done func()
					if c.before != nil {
						done = c.before(t, env)
					}
					var r runResult
					if via == "main" {
						r = runMain(args...)
					} else {
						var cred *syscall.Credential
						if c.asNobody {
							cred = nobodyCred(t)
						}
						r = runBinary(t, dir, cred, args...)
					}
					if done != nil {
						done()
					}
					t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))
					if ps := oneLineProblems(r, c.code, c.causes...); len(ps) > 0 && c.knownBug != "" {
						t.Skipf("KNOWN PRODUCT BUG (%s): %s", c.knownBug, strings.Join(ps, "; "))
					}
					checkOneLineError(t, r, c.code, c.causes...)
					if !c.dbChanges {
						if !bytes.Equal(readFile(t, env.db), env.seed) {
							t.Errorf("%s changed although the command failed", env.db)
						}
					}
					if got := assetKeys(t, env.db); len(got) < 5 {
						t.Errorf("database lost assets: %v", got)
					}
					if c.check != nil {
						c.check(t, env, r)
					}
				})
			}
		})
	}
}

// nobodyCred is the credential of user nobody (and its group), for the
// no-privilege case. The binary runs only if it is missing CAP_NET_RAW.
func nobodyCred(t *testing.T) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
}

func badCases() []badCase {
	replayOf := func(file func(t *testing.T, env *badEnv) string) func(t *testing.T, env *badEnv) []string {
		return func(t *testing.T, env *badEnv) []string {
			return []string{"replay", "-q", "--db", env.db, file(t, env)}
		}
	}
	configFile := func(t *testing.T, env *badEnv, yml string) string {
		p := filepath.Join(env.dir, "wardwatch.yml")
		writeFile(t, p, []byte(yml), 0o644)
		return p
	}
	return []badCase{
		{
			name: "capture-missing",
			args: replayOf(func(t *testing.T, env *badEnv) string {
				return filepath.Join(env.dir, "no-such.pcap")
			}),
			code: 1, causes: []string{"no such file", "no-such.pcap"},
		},
		{
			// A good file followed by a missing one: every file is opened
			// before anything is written, so the good one is not replayed
			// either and the database is untouched.
			name: "capture-missing-after-good",
			args: func(t *testing.T, env *badEnv) []string {
				good := filepath.Join(env.dir, "good.pcap")
				writePcap(t, good, layers.LinkTypeEthernet, [][]byte{arpFrame(t, 9)})
				return []string{"replay", "-q", "--db", env.db, good, filepath.Join(env.dir, "no-such.pcap")}
			},
			code: 1, causes: []string{"no such file", "no-such.pcap"},
		},
		{
			name: "capture-empty",
			args: replayOf(func(t *testing.T, env *badEnv) string {
				p := filepath.Join(env.dir, "empty.pcap")
				writeFile(t, p, nil, 0o644)
				return p
			}),
			code: 1, causes: []string{"empty", "truncated"},
		},
		{
			name: "capture-not-a-capture",
			args: replayOf(func(t *testing.T, env *badEnv) string {
				p := filepath.Join(env.dir, "notes.pcap")
				writeFile(t, p, []byte("this is a text file, not a packet capture\n"), 0o644)
				return p
			}),
			code: 1, causes: []string{"not a pcap or pcapng file"},
		},
		{
			name: "capture-header-cut",
			args: replayOf(func(t *testing.T, env *badEnv) string {
				p := filepath.Join(env.dir, "header.pcap")
				writePcap(t, p, layers.LinkTypeEthernet, nil)
				writeFile(t, p, readFile(t, p)[:13], 0o644)
				return p
			}),
			code: 1, causes: []string{"truncated"},
		},
		{
			name: "capture-unsupported-link-type",
			args: replayOf(func(t *testing.T, env *badEnv) string {
				p := filepath.Join(env.dir, "wifi.pcap")
				// A raw 802.11 beacon header (no radiotap).
				beacon := []byte{0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x00, 0x00}
				writePcap(t, p, layers.LinkTypeIEEE802_11, [][]byte{beacon})
				return p
			}),
			code: 1, causes: []string{"unsupported link type", "105"},
		},
		{
			// Cut in the middle of a record's data: the packets before the
			// cut are stored, and the command still fails.
			name: "capture-truncated",
			skip: func(t *testing.T) string {
				if _, err := os.Stat(filepath.Join(sharedPcapsDir(), "ndpi", "android.pcap")); err != nil {
					return "shared capture ndpi/android.pcap not found: " + err.Error()
				}
				return ""
			},
			args: replayOf(func(t *testing.T, env *badEnv) string {
				data := readFile(t, filepath.Join(sharedPcapsDir(), "ndpi", "android.pcap"))
				offs, lens := pcapRecordOffsets(t, data)
				k := len(offs) / 2
				for lens[k] < 20 {
					k++
				}
				cut := offs[k] + 16 + lens[k]/2
				p := filepath.Join(env.dir, "cut.pcap")
				writeFile(t, p, data[:cut], 0o644)
				// The same first k records, ending cleanly.
				writeFile(t, filepath.Join(env.dir, "whole.pcap"), data[:offs[k]], 0o644)
				return p
			}),
			code: 1, causes: []string{"truncated", "cut.pcap", "before the cut were stored"},
			dbChanges: true,
			check: func(t *testing.T, env *badEnv, r runResult) {
				ref := filepath.Join(env.dir, "ref.db")
				if rr := runMain("replay", "-q", "--db", ref, filepath.Join(env.dir, "whole.pcap")); rr.code != 0 {
					t.Fatalf("replay of the records before the cut: exit %d: %s", rr.code, rr.stderr)
				}
				want := map[string]bool{}
				for _, k := range assetKeys(t, env.db) {
					want[k] = true
				}
				refKeys := assetKeys(t, ref)
				if len(refKeys) == 0 {
					t.Fatal("the records before the cut hold no assets: pick another cut")
				}
				for _, k := range refKeys {
					if !want[k] {
						t.Errorf("asset %s from before the cut is not stored", k)
					}
				}
				seed := assetKeys(t, env.db)
				if len(seed) != len(refKeys)+5 {
					t.Errorf("database holds %d assets, want the 5 seeded + %d from before the cut", len(seed), len(refKeys))
				}
			},
		},
		{
			name: "interface-missing",
			args: func(t *testing.T, env *badEnv) []string {
				return []string{"run", "--interface", "nope0", "--db", filepath.Join(env.dir, "live.db")}
			},
			code: 1, causes: []string{"no such network interface", "nope0"},
			check: func(t *testing.T, env *badEnv, r runResult) {
				if _, err := os.Stat(filepath.Join(env.dir, "live.db")); err == nil {
					t.Errorf("run created its database although the interface does not exist")
				}
			},
		},
		{
			name:     "interface-no-permission",
			asNobody: true,
			skip: func(t *testing.T) string {
				if os.Geteuid() != 0 {
					return "needs root to run the binary as nobody"
				}
				return ""
			},
			args: func(t *testing.T, env *badEnv) []string {
				return []string{"run", "--interface", "lo", "--db", filepath.Join(env.dir, "live.db")}
			},
			code: 1, causes: []string{"CAP_NET_RAW", "lo", "permission denied"},
			check: func(t *testing.T, env *badEnv, r runResult) {
				if _, err := os.Stat(filepath.Join(env.dir, "live.db")); err == nil {
					t.Errorf("run created its database although it may not capture")
				}
			},
		},
		{
			name: "db-under-regular-file",
			args: func(t *testing.T, env *badEnv) []string {
				return []string{"replay", "-q", "--db", "/etc/hostname/x.db", filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"/etc/hostname/x.db", "not writable", "not a directory"},
		},
		{
			name: "db-directory-missing",
			args: func(t *testing.T, env *badEnv) []string {
				return []string{"replay", "-q", "--db", filepath.Join(env.dir, "nodir", "x.db"), filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"does not exist", "nodir"},
		},
		{
			name: "db-corrupt",
			args: func(t *testing.T, env *badEnv) []string {
				p := filepath.Join(env.dir, "corrupt.db")
				writeFile(t, p, junkBytes(64<<10), 0o600)
				return []string{"replay", "-q", "--db", p, filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"corrupt", "not a database"},
			check: func(t *testing.T, env *badEnv, r runResult) {
				if !bytes.Equal(readFile(t, filepath.Join(env.dir, "corrupt.db")), junkBytes(64<<10)) {
					t.Errorf("corrupt.db was modified")
				}
			},
		},
		{
			name: "db-corrupt-assets-verb",
			args: func(t *testing.T, env *badEnv) []string {
				p := filepath.Join(env.dir, "corrupt.db")
				writeFile(t, p, bytes.Repeat([]byte("garbage!"), 8192), 0o600)
				return []string{"assets", "--db", p, "-o", "json"}
			},
			code: 1, causes: []string{"corrupt", "not a database"},
		},
		{
			// Another process holds the write lock (BEGIN EXCLUSIVE) longer
			// than store.busy_timeout: Open fails with "locked" and the
			// database is byte-identical afterwards.
			name: "db-locked",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  busy_timeout: 200ms\n  flush_interval: 50ms\n")
				return []string{"replay", "-q", "--config.file", cfg, "--db", env.db, filepath.Join(env.dir, "seed.pcap")}
			},
			before: holdExclusive,
			code:   1, causes: []string{"locked"},
		},
		{
			name: "config-unknown-key",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  flush_size: 10\n  flush_intervall: 1s\n")
				return []string{"replay", "-q", "--config.file", cfg, "--db", env.db, filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"line 3", "flush_intervall", "unknown key"},
		},
		{
			name: "config-wrong-type",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  flush_size: 10\n  busy_timeout: soon\n")
				return []string{"replay", "-q", "--config.file", cfg, "--db", env.db, filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"line 3", "store.busy_timeout", "soon"},
		},
		{
			// Two problems in one file: still one line.
			name: "config-two-wrong-types",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  flush_size: 10\n  busy_timeout: soon\n  queue_size: many\n")
				return []string{"check-config", cfg}
			},
			code: 1, causes: []string{"line 3", "store.busy_timeout", "line 4", "store.queue_size"},
		},
		{
			name: "config-two-out-of-range",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  flush_size: 10\n  flush_interval: 1h\n  queue_size: 0\n")
				return []string{"check-config", cfg}
			},
			code: 1, causes: []string{"line 3", "store.flush_interval", "line 4", "store.queue_size"},
		},
		{
			name: "config-tab-indent",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "capture:\n\tsnaplen: 1500\n")
				return []string{"replay", "-q", "--config.file", cfg, "--db", env.db, filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"line 2", "tab"},
		},
		{
			// The tab is on line 3, after a correctly indented line.
			name: "config-tab-indent-line-3",
			args: func(t *testing.T, env *badEnv) []string {
				cfg := configFile(t, env, "store:\n  flush_size: 10\n\tbusy_timeout: 1s\n")
				return []string{"check-config", cfg}
			},
			code: 1, causes: []string{"line 3", "tab", "busy_timeout"},
		},
		{
			name: "config-missing",
			args: func(t *testing.T, env *badEnv) []string {
				return []string{"replay", "-q", "--config.file", filepath.Join(env.dir, "nope.yml"), "--db", env.db, filepath.Join(env.dir, "seed.pcap")}
			},
			code: 1, causes: []string{"no such file", "nope.yml"},
		},
	}
}

// holdExclusive opens env.db as another SQLite client and holds a write
// lock (BEGIN EXCLUSIVE) until the returned func is called.
func holdExclusive(t *testing.T, env *badEnv) func() {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+env.db+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Error(err)
		}
		conn.Close()
		db.Close()
	}
}

// junkBytes returns n pseudo-random bytes, the same on every call.
func junkBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{1, 2, 3}).Read(b)
	return b
}

// sharedPcapsDir is sharedPcaps without skipping.
func sharedPcapsDir() string {
	p, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "pcaps"))
	return p
}

func TestCheckConfigShippedExample(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "wardwatch.yml")
	r := runMain("check-config", path)
	if r.code != 0 {
		t.Fatalf("check-config %s: exit %d: %s", path, r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("check-config wrote to stderr: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "OK") {
		t.Errorf("check-config stdout %q, want OK", r.stdout)
	}
}
