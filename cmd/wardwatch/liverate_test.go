package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Live-rate measurements (make live-rate, make soak): not part of make test.
// The daemon captures on vethB in this namespace (so its web listener is on
// this host's loopback); tcpreplay plays a capture into vethA, the other end
// of the pair, from a namespace of its own.
//
//	WARDWATCH_LIVE_RATE=1 WARDWATCH_LIVE_PCAP=testdata/mixed1m.pcap \
//	WARDWATCH_LIVE_RATES=500,1000,2000,top go test -run TestLiveRate -v -timeout 60m ./cmd/wardwatch
//	WARDWATCH_SOAK=10m ... go test -run TestSoak -v -timeout 60m ./cmd/wardwatch

type liveRig struct {
	bin, pcap, dir string
	a              netns
}

func newLiveRig(t *testing.T, env string) *liveRig {
	t.Helper()
	if os.Getenv(env) == "" {
		t.Skipf("measurement, not a test: set %s (see make live-rate / make soak)", env)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, AF_PACKET)")
	}
	pcap := os.Getenv("WARDWATCH_LIVE_PCAP")
	if pcap == "" {
		pcap = filepath.Join("..", "..", "testdata", "mixed1m.pcap")
	}
	if _, err := os.Stat(pcap); err != nil {
		t.Skipf("no capture to play: %v (make testdata/mixed1m.pcap)", err)
	}
	r := &liveRig{bin: wardwatchBinary(t), pcap: pcap, dir: t.TempDir()}
	r.a = addNetns(t, fmt.Sprintf("wwrate-%d-a", os.Getpid()))
	if out, err := exec.Command("ip", "link", "add", "vethRB", "type", "veth", "peer", "name", "vethRA", "netns", r.a.name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a veth pair: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "vethRB").Run() })
	for _, c := range [][]string{
		{"sysctl", "-q", "-w", "net.ipv6.conf.vethRB.disable_ipv6=1"},
		{"ip", "link", "set", "vethRB", "mtu", "9000"},
		{"ip", "link", "set", "vethRB", "up"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", c, err, out)
		}
	}
	r.a.must(t, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
	r.a.must(t, "ip", "link", "set", "vethRA", "mtu", "9000")
	r.a.must(t, "ip", "link", "set", "vethRA", "up")
	return r
}

// daemon starts `wardwatch run` on vethRB with a fresh database.
func (r *liveRig) daemon(t *testing.T, name string) (*exec.Cmd, string) {
	t.Helper()
	port := freePort(t)
	cfg := filepath.Join(r.dir, name+".yml")
	// The shipped defaults unless WARDWATCH_LIVE_CONFIG gives YAML (e.g.
	// "capture: {ring_size: 256MiB, block_size: 4MiB}").
	writeFile(t, cfg, []byte(os.Getenv("WARDWATCH_LIVE_CONFIG")+"\n"), 0o644)
	cmd := exec.Command(r.bin, "run", "--interface", "vethRB", "--config.file", cfg, "--db", filepath.Join(r.dir, name+".db"),
		"--policy.file", filepath.Join("..", "..", "configs", "policy.yml"), "--web.listen-address", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 100 {
		if resp, err := http.Get(base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, base
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("daemon not ready")
	return nil, ""
}

func (r *liveRig) play(t *testing.T, rate string) time.Duration {
	t.Helper()
	args := []string{"-q", "-i", "vethRA"}
	if rate == "top" {
		args = append(args, "--topspeed")
	} else {
		args = append(args, "--mbps", rate)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", r.a.name, "tcpreplay"}, append(args, r.pcap)...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tcpreplay %v: %v: %s", args, err, out)
	}
	return time.Since(start)
}

// metricSum sums the samples of one metric family from /metrics.
func metricSum(t *testing.T, base, name string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, name) || (len(l) > len(name) && l[len(name)] != '{' && l[len(name)] != ' ') {
			continue
		}
		f := strings.Fields(l)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return sum
}

// rssMiB is the process's peak resident set (VmHWM), current (VmRSS) and
// current anonymous memory (RssAnon: the process's own memory, without the
// AF_PACKET rings, which count as file-backed pages of the socket).
func rssMiB(pid int) (peak, now, anon float64) {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 {
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmHWM:":
				peak = v / 1024
			case "VmRSS:":
				now = v / 1024
			case "RssAnon:":
				anon = v / 1024
			}
		}
	}
	return peak, now, anon
}

func stopDaemon(t *testing.T, cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("daemon exit: %v", err)
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Error("daemon did not stop within a minute of SIGTERM")
	}
}

// TestLiveRate plays the capture at each rate into a fresh daemon and
// reports kernel drops, observations dropped at the store and peak RSS.
func TestLiveRate(t *testing.T) {
	r := newLiveRig(t, "WARDWATCH_LIVE_RATE")
	rates := strings.Split(os.Getenv("WARDWATCH_LIVE_RATES"), ",")
	if rates[0] == "" {
		rates = []string{"500", "1000", "2000", "top"}
	}
	t.Logf("capture %s; %d CPUs", r.pcap, runtime.NumCPU())
	st, err := os.Stat(r.pcap)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("config: %q (empty: the shipped defaults)", os.Getenv("WARDWATCH_LIVE_CONFIG"))
	t.Logf("| rate (Mbit/s) | play time | achieved Mbit/s | packets seen | kernel drops | observations dropped | peak RSS | RSS without rings |")
	for _, rate := range rates {
		cmd, base := r.daemon(t, "rate-"+rate)
		took := r.play(t, rate)
		time.Sleep(3 * time.Second) // let the ring and the store queue drain
		pkts := metricSum(t, base, "wardwatch_capture_packets_total")
		kd := metricSum(t, base, "wardwatch_capture_kernel_drops_total")
		od := metricSum(t, base, "wardwatch_observations_dropped_total")
		peak, _, anon := rssMiB(cmd.Process.Pid)
		stopDaemon(t, cmd)
		t.Logf("| %s | %.1f s | %.0f | %.0f | %.0f | %.0f | %.0f MiB | %.0f MiB |", rate, took.Seconds(),
			float64(st.Size())*8/1e6/took.Seconds(), pkts, kd, od, peak, anon)
	}
}

// TestSoak plays the capture at 1 Gbit/s over and over for WARDWATCH_SOAK
// (e.g. 10m) and reports RSS over time.
func TestSoak(t *testing.T) {
	r := newLiveRig(t, "WARDWATCH_SOAK")
	d, err := time.ParseDuration(os.Getenv("WARDWATCH_SOAK"))
	if err != nil {
		t.Fatalf("WARDWATCH_SOAK: %v", err)
	}
	rate := os.Getenv("WARDWATCH_SOAK_RATE")
	if rate == "" {
		rate = "1000"
	}
	cmd, base := r.daemon(t, "soak")
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	t.Logf("config: %q (empty: the shipped defaults)", os.Getenv("WARDWATCH_LIVE_CONFIG"))
	t.Logf("| elapsed | RSS | peak RSS | RSS without rings | packets | kernel drops | observations dropped |")
	for i := 0; ctx.Err() == nil; i++ {
		r.play(t, rate)
		peak, now, anon := rssMiB(cmd.Process.Pid)
		t.Logf("| %s | %.0f MiB | %.0f MiB | %.0f MiB | %.0f | %.0f | %.0f |", time.Since(start).Round(time.Second), now, peak, anon,
			metricSum(t, base, "wardwatch_capture_packets_total"), metricSum(t, base, "wardwatch_capture_kernel_drops_total"),
			metricSum(t, base, "wardwatch_observations_dropped_total"))
	}
	stopDaemon(t, cmd)
}
