package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestProbeSilentCritical runs `wardwatch run` with the ARP liveness probe
// on, in three network namespaces made by the test:
//
//	sensor ns:  pr0 10.77.0.1/24 ───veth─── dev0 10.77.0.20/24, 10.77.0.40/24   device ns
//	            cap0 (capture)   ───veth─── span0                              mirror ns
//
// The mirror replays one ARP announcement of each device into cap0, so the
// sensor knows them; then nothing more. The policy's critical section
// names A (10.77.0.20, alive: dev0 answers ARP for it with A's MAC), B
// (10.77.0.30, gone) and ten more gone devices (10.77.0.60-69), all to be
// heard every 2s (+8s grace), and D (10.77.0.50) every hour. C
// (10.77.0.40, also on dev0) is not critical.
//
// It proves: the daemon probes exactly the silent critical devices (A, B
// and the ten), each once per probe.interval, never C nor D (not silent);
// the rate limit (5/s) holds on the wire; nothing leaves the capture
// interface; A is shown alive-by-probe, not silent, with an alive-by-probe
// event after its silent one; and the probes are counted in
// wardwatch_probes_total.
func TestProbeSilentCritical(t *testing.T) {
	if testing.Short() {
		t.Skip("network namespaces (skipped with -short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the probe test needs root (network namespaces, AF_PACKET)")
	}
	for _, tool := range []string{"ip", "tcpreplay", "tcpdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("wwprb-%d-", os.Getpid())
	sensorNS, deviceNS, mirrorNS := addNetns(t, prefix+"s"), addNetns(t, prefix+"d"), addNetns(t, prefix+"m")
	for _, ns := range []netns{sensorNS, deviceNS, mirrorNS} {
		for _, k := range []string{"all", "default"} {
			ns.must(t, "sysctl", "-q", "-w", "net.ipv6.conf."+k+".disable_ipv6=1")
		}
		ns.must(t, "ip", "link", "set", "lo", "up")
	}
	pair := func(a netns, an string, b netns, bn string) {
		if out, err := exec.Command("ip", "link", "add", an, "netns", a.name, "type", "veth",
			"peer", "name", bn, "netns", b.name).CombinedOutput(); err != nil {
			t.Skipf("cannot create a veth pair: %v: %s", err, out)
		}
	}
	pair(sensorNS, "pr0", deviceNS, "dev0")
	pair(sensorNS, "cap0", mirrorNS, "span0")
	const (
		macA = "00:12:21:0a:04:17" // alive
		macB = "00:12:21:0a:04:18" // gone
		macC = "00:12:21:0a:04:19" // not critical
		macD = "00:12:21:0a:04:1a" // critical, heard in time
	)
	deviceNS.must(t, "ip", "link", "set", "dev0", "address", macA)
	for _, l := range []struct {
		ns  netns
		if_ string
	}{{sensorNS, "pr0"}, {sensorNS, "cap0"}, {deviceNS, "dev0"}, {mirrorNS, "span0"}} {
		l.ns.must(t, "ip", "link", "set", l.if_, "up")
	}
	sensorNS.must(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "pr0")
	deviceNS.must(t, "ip", "addr", "add", "10.77.0.20/24", "dev", "dev0")
	deviceNS.must(t, "ip", "addr", "add", "10.77.0.40/24", "dev", "dev0")

	// The devices' announcements.
	type dev struct{ mac, ip string }
	devs := []dev{{macA, "10.77.0.20"}, {macB, "10.77.0.30"}, {macC, "10.77.0.40"}, {macD, "10.77.0.50"}}
	var gone []string // B and the ten
	critMACs := []string{macA, macB}
	for i := range 10 {
		d := dev{fmt.Sprintf("00:12:21:0b:00:%02x", i), fmt.Sprintf("10.77.0.%d", 60+i)}
		devs = append(devs, d)
		critMACs = append(critMACs, d.mac)
		gone = append(gone, d.ip)
	}
	gone = append(gone, "10.77.0.30")
	var frames [][]byte
	for _, d := range devs {
		frames = append(frames, announcement(t, d.mac, d.ip))
	}
	pcap := filepath.Join(dir, "announce.pcap")
	writePcap(t, pcap, layers.LinkTypeEthernet, frames)

	policyFile := filepath.Join(dir, "policy.yml")
	writeFile(t, policyFile, []byte(`critical:
  - name: quiet-pumps
    macs: ["`+strings.Join(critMACs, `", "`)+`"]
    every: 2s
    grace: 8s
  - name: ct
    macs: ["`+macD+`"]
    every: 1h
`), 0o644)
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte(`capture:
  interfaces: [{name: cap0}]
  ring_size: 4MiB
  block_size: 1MiB
  poll_timeout: 50ms
store:
  flush_interval: 100ms
log:
  level: debug
probe:
  enabled: true
  interface: pr0
  allow: [10.77.0.0/24]
  interval: 1m
  rate: 5
  timeout: 500ms
`), 0o644)
	db := filepath.Join(dir, "wardwatch.db")
	const webAddr = "127.0.0.1:9931"

	// What reaches the devices' link: tcpdump in the device namespace.
	wire := filepath.Join(dir, "wire.pcap")
	dump := exec.Command("ip", "netns", "exec", deviceNS.name, "tcpdump", "-Z", "root", "-i", "dev0", "-w", wire, "-U", "-n", "arp")
	var dumpErr lockedBuffer // tcpdump writes it while the test reads it
	dump.Stderr = &dumpErr
	if err := dump.Start(); err != nil {
		t.Fatal(err)
	}
	dumpDone := false
	stopDump := func() {
		if !dumpDone {
			dumpDone = true
			dump.Process.Signal(syscall.SIGTERM)
			dump.Wait()
		}
	}
	t.Cleanup(stopDump)
	waitUntil(t, 5*time.Second, "tcpdump listening", func() bool { return strings.Contains(dumpErr.String(), "listening") })

	d := startLogged(t, "ip", "netns", "exec", sensorNS.name, bin, "run", "--config.file", cfg, "--db", db,
		"--policy.file", policyFile, "--web.listen-address", webAddr)
	d.waitFor(t, "capturing", 15*time.Second)

	injected := time.Now()
	if out, err := mirrorNS.run(t, "tcpreplay", "-q", "-i", "span0", pcap); err != nil {
		t.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	// Silent 10s after the announcements; the probes go out at 5/s (2.4s
	// for 12), the answers within 500ms.
	waitUntil(t, 30*time.Second, "every probe answered or timed out", func() bool {
		m := scrapeIn(t, sensorNS.name, webAddr)
		return metricValue(m, `wardwatch_probes_total{result="answered"}`)+
			metricValue(m, `wardwatch_probes_total{result="unanswered"}`) >= 12
	})
	metrics := scrapeIn(t, sensorNS.name, webAddr)
	for result, want := range map[string]float64{"sent": 12, "answered": 1, "unanswered": 11, "not_allowed": 0,
		"send_error": 0} {
		if got := metricValue(metrics, `wardwatch_probes_total{result="`+result+`"}`); got != want {
			t.Errorf("wardwatch_probes_total{result=%q} = %v, want %v", result, got, want)
		}
	}
	// A few more evaluations: nothing is probed twice within probe.interval.
	time.Sleep(3 * time.Second)
	d.stop(t)
	stopDump()

	if !strings.Contains(d.log(), `msg="probe sent"`) && !strings.Contains(d.log(), "probe sent") {
		t.Errorf("no probe logged at debug:\n%s", d.log())
	}

	// On the wire: one request per silent critical device, 5/s at most.
	seen := readARPRequests(t, wire)
	if len(seen) > 1 {
		t.Logf("%d ARP requests on the device link over %v, the first %v after the announcements",
			len(seen), seen[len(seen)-1].at.Sub(seen[0].at).Round(time.Millisecond), seen[0].at.Sub(injected).Round(time.Millisecond))
	}
	targets := map[string]int{}
	for i, r := range seen {
		targets[r.target]++
		if i > 0 {
			if gap := r.at.Sub(seen[i-1].at); gap < 180*time.Millisecond {
				t.Errorf("requests %d and %d only %v apart: the rate limit is 5/s", i-1, i, gap)
			}
		}
		if r.at.Before(injected.Add(9 * time.Second)) {
			t.Errorf("%s probed %v after the announcement: before it was silent", r.target, r.at.Sub(injected))
		}
	}
	wantTargets := append([]string{"10.77.0.20"}, gone...)
	for _, ip := range wantTargets {
		if targets[ip] != 1 {
			t.Errorf("%s probed %d times, want once (silent and critical)", ip, targets[ip])
		}
	}
	for ip, n := range targets {
		if !slices.Contains(wantTargets, ip) {
			t.Errorf("%s probed %d times: not a silent critical device", ip, n)
		}
	}

	// Nothing ever left on the capture interface.
	if n := sensorNS.txPackets(t, "cap0"); n != 0 {
		t.Errorf("cap0 (capture) transmitted %d packets, want 0", n)
	}

	// A answered: alive-by-probe as of just after its answer, not silent;
	// B silent; C (not critical) and D (heard in time) active.
	var answered time.Time
	for _, r := range readARPReplies(t, wire) {
		if r.target == "10.77.0.20" {
			answered = r.at
		}
	}
	if answered.IsZero() {
		t.Fatal("no ARP reply from 10.77.0.20 on the wire")
	}
	asOf := answered.Add(2 * time.Second).UTC().Format(time.RFC3339)
	res := runMain("assets", "--db", db, "--policy.file", policyFile, "--now", asOf, "-o", "json")
	if res.code != 0 {
		t.Fatalf("assets: exit %d: %s", res.code, res.stderr)
	}
	var assets []struct {
		MAC      string `json:"mac"`
		State    string `json:"state"`
		Critical bool   `json:"critical"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &assets); err != nil {
		t.Fatalf("assets -o json: %v\n%s", err, res.stdout)
	}
	states := map[string]string{}
	for _, a := range assets {
		states[a.MAC] = a.State
	}
	for mac, want := range map[string]string{macA: "alive-by-probe", macB: "silent", macC: "active", macD: "active"} {
		if states[mac] != want {
			t.Errorf("%s: state %q as of %s, want %q (all: %v)", mac, states[mac], asOf, want, states)
		}
	}
	t.Logf("states as of %s: %v", asOf, states)
	detail := runMain("asset", "--db", db, "--policy.file", policyFile, "--now", asOf, macA)
	if !strings.Contains(detail.stdout, "alive-by-probe") || !strings.Contains(detail.stdout, "yes; probe answered") {
		t.Errorf("wardwatch asset %s does not say it is alive by probe:\n%s%s", macA, detail.stdout, detail.stderr)
	} else {
		t.Logf("wardwatch asset: %s / %s", lineWith(detail.stdout, "State"), lineWith(detail.stdout, "Critical"))
	}
	ev := runMain("events", "--db", db, "--mac", macA, "-o", "json")
	if !strings.Contains(ev.stdout, `"silent"`) || !strings.Contains(ev.stdout, `"alive-by-probe"`) {
		t.Errorf("events of %s: want silent then alive-by-probe:\n%s%s", macA, ev.stdout, ev.stderr)
	}
}

// announcement is a gratuitous ARP request of mac/ip.
func announcement(tb testing.TB, mac, ip string) []byte {
	tb.Helper()
	hw, err := net.ParseMAC(mac)
	if err != nil {
		tb.Fatal(err)
	}
	a := netip.MustParseAddr(ip).As4()
	eth := &layers.Ethernet{SrcMAC: hw, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		EthernetType: layers.EthernetTypeARP}
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6,
		ProtAddressSize: 4, Operation: layers.ARPRequest, SourceHwAddress: hw, SourceProtAddress: a[:],
		DstHwAddress: make([]byte, 6), DstProtAddress: a[:]}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{}, eth, arp); err != nil {
		tb.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// arpSeen is an ARP packet on the wire: a request for target, or a reply
// from target.
type arpSeen struct {
	at     time.Time
	target string
}

// proberIP is pr0's address: the prober's requests come from it.
var proberIP = netip.MustParseAddr("10.77.0.1")

func readARP(tb testing.TB, path string, op uint16) []arpSeen {
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
	var out []arpSeen
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		a, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP)
		if !ok || a.Operation != op {
			continue
		}
		addr := a.DstProtAddress
		if op == layers.ARPReply {
			addr = a.SourceProtAddress
		} else if src, _ := netip.AddrFromSlice(a.SourceProtAddress); src != proberIP {
			continue // the device's kernel asking, not the prober
		}
		ip, _ := netip.AddrFromSlice(addr)
		out = append(out, arpSeen{ci.Timestamp, ip.String()})
	}
	return out
}

func readARPRequests(tb testing.TB, path string) []arpSeen {
	return readARP(tb, path, layers.ARPRequest)
}
func readARPReplies(tb testing.TB, path string) []arpSeen { return readARP(tb, path, layers.ARPReply) }

// loggedProc is a daemon whose stderr the test keeps.
type loggedProc struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	buf     strings.Builder
	exited  chan error
	stopped bool
}

func startLogged(t *testing.T, name string, args ...string) *loggedProc {
	t.Helper()
	p := &loggedProc{cmd: exec.Command(name, args...), exited: make(chan error, 1)}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.buf.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		io.Copy(io.Discard, stderr)
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if !p.stopped {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *loggedProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

func (p *loggedProc) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	waitUntil(t, timeout, fmt.Sprintf("%q in the log", s), func() bool {
		select {
		case err := <-p.exited:
			p.stopped = true
			t.Fatalf("exited before %q: %v\n%s", s, err, p.log())
		default:
		}
		return strings.Contains(p.log(), s)
	})
}

func (p *loggedProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		p.stopped = true
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, p.log())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no exit within 15s of SIGTERM:\n%s", p.log())
	}
}

// waitUntil polls cond every 100ms until it holds, failing the test after
// timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scrapeIn fetches /metrics from addr inside the namespace ns.
func scrapeIn(t *testing.T, ns, addr string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			return dialInNetns(ctx, ns, network, a)
		},
	}}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics in %s: %v", ns, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metricValue is the value of the series (name and labels exactly as
// exposed) in an exposition, 0 when absent.
func metricValue(exposition, series string) float64 {
	for _, l := range strings.Split(exposition, "\n") {
		if rest, ok := strings.CutPrefix(l, series+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return 0
}
