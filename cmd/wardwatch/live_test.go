//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// liveCaptures are replayed onto a veth pair with tcpreplay: 802.1Q, QinQ
// (two and three 0x8100 tags), 802.1ad, and untagged ARP and DHCP.
var liveCaptures = []string{
	"zeek/q-in-q.pcap",
	"arkime/twovlan.pcap",
	"zeek/icmp_dot1q.pcap",
	"arkime/dot1ad.pcap",
	"zeek/vlan-qinqinq.pcap",
	"zeek/arp-who-has.pcap",
	"arkime/wireshark-dhcp.pcap",
}

// outerVLANFixed makes a live/replay difference in outer_vlan an error.
// Until sensor/sensor.go takes the outer VLAN of QinQ frames from the
// kernel-stripped tag (AncillaryVLAN), live capture records outer_vlan 0
// (or the middle tag) and the difference is only logged.
const outerVLANFixed = true

// liveKey is what must agree between live capture and replay; the vantage
// (interface name vs file name) differs by design.
type liveKey struct {
	VLAN      uint16
	OuterVLAN uint16
	MAC       string
}

func (k liveKey) String() string {
	return fmt.Sprintf("vlan %d (outer %d) %s", k.VLAN, k.OuterVLAN, k.MAC)
}

// assetsJSON runs `wardwatch assets --db path -o json` in-process and
// returns the records.
func assetsJSON(tb testing.TB, path string) []assetRecord {
	tb.Helper()
	r := runMain("assets", "--db", path, "-o", "json")
	if r.code != 0 {
		tb.Fatalf("assets --db %s: exit %d: %s", path, r.code, r.stderr)
	}
	var recs []assetRecord
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		tb.Fatalf("assets --db %s -o json: %v", path, err)
	}
	return recs
}

// keysOf returns the (VLAN, outer VLAN, MAC) of every MAC-keyed record.
func keysOf(recs []assetRecord) map[liveKey]bool {
	m := make(map[liveKey]bool, len(recs))
	for _, r := range recs {
		if r.MAC != "" {
			m[liveKey{r.VLAN, r.OuterVLAN, r.MAC}] = true
		}
	}
	return m
}

// vlanMACs drops the outer VLAN from keys.
func vlanMACs(keys map[liveKey]bool) map[liveKey]bool {
	m := make(map[liveKey]bool, len(keys))
	for k := range keys {
		m[liveKey{VLAN: k.VLAN, MAC: k.MAC}] = true
	}
	return m
}

// diffKeys lists the keys only in a and only in b, sorted.
func diffKeys(a, b map[liveKey]bool) (onlyA, onlyB []string) {
	for k := range a {
		if !b[k] {
			onlyA = append(onlyA, k.String())
		}
	}
	for k := range b {
		if !a[k] {
			onlyB = append(onlyB, k.String())
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

func equalKeys(a, b map[liveKey]bool) bool {
	x, y := diffKeys(a, b)
	return len(x) == 0 && len(y) == 0
}

// netns is one test network namespace.
type netns struct{ name string }

// run runs a command inside the namespace and returns its combined output.
func (n netns) run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.name, name}, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (n netns) must(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := n.run(t, name, args...)
	if err != nil {
		t.Fatalf("ip netns exec %s %s %s: %v: %s", n.name, name, strings.Join(args, " "), err, out)
	}
	return out
}

// addNetns creates a namespace and deletes it, by its exact name, when the
// test ends. It skips the test when namespaces cannot be created.
func addNetns(t *testing.T, name string) netns {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("ip netns add %s: %v: %s (network namespaces unavailable)", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	return netns{name}
}

// txPackets reads an interface's transmit counter inside the namespace.
func (n netns) txPackets(t *testing.T, ifname string) uint64 {
	t.Helper()
	out := n.must(t, "cat", "/sys/class/net/"+ifname+"/statistics/tx_packets")
	v, err := strconv.ParseUint(out, 10, 64)
	if err != nil {
		t.Fatalf("tx_packets of %s: %q", ifname, out)
	}
	return v
}

// rxVLANOffload returns ethtool's "rx-vlan-offload" state ("on", "off",
// "off [fixed]", ...) of ifname.
func (n netns) rxVLANOffload(t *testing.T, ifname string) string {
	t.Helper()
	out := n.must(t, "ethtool", "-k", ifname)
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "rx-vlan-offload:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// TestLiveCaptureMatchesReplay captures with AF_PACKET on one end of a veth
// pair in a network namespace while tcpreplay plays tagged captures into the
// other end, and checks that the daemon finds the same (VLAN, MAC) assets as
// a replay of the same files, with the veth's rx VLAN offload off and on, and
// that it never transmits.
func TestLiveCaptureMatchesReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("live capture in network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (network namespaces, AF_PACKET)")
	}
	for _, tool := range []string{"ip", "tcpreplay", "ethtool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	root := sharedPcaps(t)
	var files []string
	for _, c := range liveCaptures {
		files = append(files, filepath.Join(root, c))
	}
	frames := 0
	for _, f := range files {
		frames += countFrames(t, f)
	}
	bin := wardwatchBinary(t)
	dir := t.TempDir()

	// The reference: a replay of the same files.
	refDB := filepath.Join(dir, "replay.db")
	if r := runMain(append([]string{"replay", "-q", "--workers", "1", "--db", refDB}, files...)...); r.code != 0 {
		t.Fatalf("replay: exit %d: %s", r.code, r.stderr)
	}
	want := keysOf(assetsJSON(t, refDB))
	if len(want) == 0 {
		t.Fatal("replay found no assets")
	}

	// Two namespaces joined by a veth pair: a sends, b captures.
	prefix := fmt.Sprintf("wwtest-%d-", os.Getpid())
	a := addNetns(t, prefix+"a")
	b := addNetns(t, prefix+"b")
	if out, err := exec.Command("ip", "link", "add", "vethA", "netns", a.name, "type", "veth",
		"peer", "name", "vethB", "netns", b.name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a veth pair: %v: %s", err, out)
	}
	for _, end := range []struct {
		ns     netns
		ifname string
	}{{a, "vethA"}, {b, "vethB"}} {
		// No IPv6 (no DAD, router solicitations or MLD reports), no
		// addresses: the kernel itself has nothing to send.
		end.ns.must(t, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
		end.ns.must(t, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
		end.ns.must(t, "sysctl", "-q", "-w", "net.ipv6.conf."+end.ifname+".disable_ipv6=1")
		// twovlan.pcap holds a 4418-byte frame.
		end.ns.must(t, "ip", "link", "set", end.ifname, "mtu", "9000")
		end.ns.must(t, "ip", "link", "set", end.ifname, "up")
	}

	cfg := filepath.Join(dir, "live.yml")
	writeFile(t, cfg, []byte("capture:\n  ring_size: 4MiB\n  block_size: 1MiB\n  poll_timeout: 50ms\n"+
		"store:\n  flush_interval: 100ms\n"), 0o644)

	initial := b.rxVLANOffload(t, "vethB")
	t.Logf("vethB rx-vlan-offload initially: %s", initial)
	modes := []string{"off", "on"}
	if strings.Contains(initial, "fixed") {
		t.Logf("rx-vlan-offload is fixed (%s) on this kernel's veth: running one pass only", initial)
		modes = []string{""}
	}
	for _, mode := range modes {
		name := "rxvlan-" + mode
		if mode == "" {
			name = "rxvlan-fixed"
		}
		t.Run(name, func(t *testing.T) {
			if mode != "" {
				b.must(t, "ethtool", "-K", "vethB", "rxvlan", mode)
				if got := b.rxVLANOffload(t, "vethB"); !strings.HasPrefix(got, mode) {
					t.Fatalf("rx-vlan-offload is %q after ethtool -K vethB rxvlan %s", got, mode)
				}
			}
			liveDB := filepath.Join(dir, "live-"+name+".db")
			got := captureLive(t, bin, a, b, cfg, liveDB, files, frames, want)
			if onlyLive, onlyReplay := diffKeys(vlanMACs(got), vlanMACs(want)); len(onlyLive)+len(onlyReplay) > 0 {
				t.Errorf("live capture and replay disagree on (VLAN, MAC):\nonly live:   %v\nonly replay: %v", onlyLive, onlyReplay)
			}
			t.Logf("%d assets, same (VLAN, MAC) as replay", len(got))
			// Did the outer tags arrive in the frame or stripped? A
			// stripped one comes back only through AncillaryVLAN.
			stripped := 0
			for k := range want {
				if k.OuterVLAN != 0 && !got[k] {
					stripped++
				}
			}
			t.Logf("rx-vlan-offload %q: %d of %d QinQ assets lost their outer tag to the kernel (it arrived as AncillaryVLAN)",
				b.rxVLANOffload(t, "vethB"), stripped, countOuter(want))
			if onlyLive, onlyReplay := diffKeys(got, want); len(onlyLive)+len(onlyReplay) > 0 {
				msg := fmt.Sprintf("live capture and replay disagree on the outer VLAN:\nonly live:   %v\nonly replay: %v", onlyLive, onlyReplay)
				if !outerVLANFixed {
					t.Logf("KNOWN PRODUCT BUG (sensor/sensor.go worker.packet ignores the kernel-stripped tag when "+
						"the frame still carries an inner one, so QinQ loses its outer VLAN live): %s", msg)
				} else {
					t.Error(msg)
				}
			}
		})
	}
}

// captureLive runs the daemon on vethB in namespace b, plays files into
// vethA in namespace a, waits until the database holds want (or 5 s pass),
// stops the daemon with SIGTERM and returns the keys it stored. It also
// checks that vethB transmitted nothing.
func captureLive(t *testing.T, bin string, a, b netns, cfg, db string, files []string, frames int, want map[liveKey]bool) map[liveKey]bool {
	t.Helper()
	txBefore := b.txPackets(t, "vethB")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", b.name, bin, "run",
		"--interface", "vethB", "--config.file", cfg, "--db", db)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var logBuf strings.Builder
	capturing := make(chan struct{})
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			logBuf.WriteString(line + "\n")
			if !seen && strings.Contains(line, "capturing") {
				seen = true
				close(capturing)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-logDone
		exited <- cmd.Wait()
	}()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	})

	select {
	case <-capturing:
	case err := <-exited:
		stopped = true
		t.Fatalf("wardwatch run exited before capturing: %v\n%s", err, logBuf.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("wardwatch run did not log \"capturing\" within 10s:\n%s", logBuf.String())
	}

	out, err := a.run(t, "tcpreplay", append([]string{"-q", "-i", "vethA", "--topspeed"}, files...)...)
	if err != nil {
		t.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	t.Logf("tcpreplay: %s", lineWith(out, "Actual:"))

	// Wait until everything is stored: flush_interval is 100ms.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if n := countAssets(db); n >= len(want) && equalKeys(vlanMACs(keysOf(assetsJSON(t, db))), vlanMACs(want)) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-exited:
		stopped = true
	case <-time.After(10 * time.Second):
		t.Fatalf("wardwatch run did not stop within 10s of SIGTERM:\n%s", logBuf.String())
	}
	if err != nil {
		t.Fatalf("wardwatch run after SIGTERM: %v (want exit 0)\n%s", err, logBuf.String())
	}
	if !strings.Contains(logBuf.String(), "stopped cleanly") {
		t.Errorf("no \"stopped cleanly\" in the log:\n%s", logBuf.String())
	}
	for _, l := range strings.Split(logBuf.String(), "\n") {
		if strings.Contains(l, "capture stopped") {
			t.Logf("daemon: %s", l)
			if want := fmt.Sprintf(` packets=%d `, frames); !strings.Contains(l, want) {
				t.Errorf("the daemon did not capture exactly the %d frames tcpreplay sent (want %s)", frames, want)
			}
		}
	}

	if txAfter := b.txPackets(t, "vethB"); txAfter != txBefore {
		t.Errorf("vethB transmitted %d packets while wardwatch captured on it (passive sensor)", txAfter-txBefore)
	}
	return keysOf(assetsJSON(t, db))
}

func countOuter(keys map[liveKey]bool) int {
	n := 0
	for k := range keys {
		if k.OuterVLAN != 0 {
			n++
		}
	}
	return n
}

// countFrames returns the number of frames in a pcap file.
func countFrames(tb testing.TB, path string) int {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		_, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		n++
	}
}

// lineWith returns the first line of s containing sub, trimmed, or s.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return s
}
