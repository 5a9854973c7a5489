package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"

	"github.com/wardwatch/wardwatch/model"
)

// The network-namespace test: three namespaces, made by the test.
//
//	sensor ns:  pr0 10.77.0.1/24  ───veth───  dev0 10.77.0.20/24   device ns (silent: sends nothing by itself, answers ARP)
//	            cap0 (no address) ───veth───  span0 (no address)   mirror ns (the SPAN the sensor captures on)
//
// No namespace has IPv6 (no router solicitations, DAD or MLD), so the
// kernel itself sends nothing on cap0, and every frame dev0 receives is the
// prober's.

type netns struct{ name string }

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
	n := netns{name}
	for _, k := range []string{"all", "default"} {
		n.must(t, "sysctl", "-q", "-w", "net.ipv6.conf."+k+".disable_ipv6=1")
	}
	return n
}

func (n netns) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", n.name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns exec %s %s: %v: %s", n.name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (n netns) counter(t *testing.T, ifname, which string) uint64 {
	t.Helper()
	out := n.must(t, "cat", "/sys/class/net/"+ifname+"/statistics/"+which)
	v, err := strconv.ParseUint(out, 10, 64)
	if err != nil {
		t.Fatalf("%s of %s: %q", which, ifname, out)
	}
	return v
}

// in runs fn on an OS thread inside the namespace: sockets fn opens belong
// to it. The thread is never returned to the scheduler (it ends with the
// goroutine), so no other goroutine runs in the namespace by accident.
func (n netns) in(t *testing.T, fn func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + n.name)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", n.name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

func veth(t *testing.T, a netns, aName string, b netns, bName string) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "add", aName, "netns", a.name, "type", "veth",
		"peer", "name", bName, "netns", b.name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a veth pair: %v: %s", err, out)
	}
	a.must(t, "ip", "link", "set", aName, "up")
	b.must(t, "ip", "link", "set", bName, "up")
}

// arpRequest is an ARP request seen on the wire.
type arpRequest struct {
	at     time.Time
	target netip.Addr
}

// watchARP records the ARP requests arriving on ifname (opened inside ns)
// until ctx ends.
func watchARP(t *testing.T, ctx context.Context, ns netns, ifname string) func() []arpRequest {
	t.Helper()
	var conn *packet.Conn
	err := ns.in(t, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		conn, err = packet.Listen(ifi, packet.Raw, unix.ETH_P_ARP, nil)
		return err
	})
	if err != nil {
		t.Fatalf("listen on %s: %v", ifname, err)
	}
	var mu sync.Mutex
	var seen []arpRequest
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			var p arp.Packet
			if n < 14 || p.UnmarshalBinary(buf[14:n]) != nil || p.Operation != arp.OperationRequest {
				continue
			}
			mu.Lock()
			seen = append(seen, arpRequest{time.Now(), p.TargetIP})
			mu.Unlock()
		}
	}()
	go func() { <-ctx.Done(); conn.Close() }()
	return func() []arpRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]arpRequest(nil), seen...)
	}
}

func TestNetnsProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("the probe test needs root (network namespaces, AF_PACKET)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skipf("ip (iproute2) not installed: %v", err)
	}
	prefix := fmt.Sprintf("wwprobe-%d-", os.Getpid())
	sensorNS, deviceNS, mirrorNS := addNetns(t, prefix+"s"), addNetns(t, prefix+"d"), addNetns(t, prefix+"m")
	veth(t, sensorNS, "pr0", deviceNS, "dev0")
	veth(t, sensorNS, "cap0", mirrorNS, "span0")
	sensorNS.must(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "pr0")
	deviceNS.must(t, "ip", "addr", "add", "10.77.0.20/24", "dev", "dev0")
	devMAC, err := model.ParseMAC(deviceNS.must(t, "cat", "/sys/class/net/dev0/address"))
	if err != nil {
		t.Fatal(err)
	}

	allow := []netip.Prefix{netip.MustParsePrefix("10.77.0.0/26")}
	var mu sync.Mutex
	alive := map[netip.Addr]Result{}
	opts := Options{Interface: "pr0", CaptureInterfaces: []string{"cap0"}, Allow: allow,
		Interval: time.Minute, Rate: 5, Timeout: 500 * time.Millisecond,
		OnAlive: func(r Result) {
			mu.Lock()
			alive[r.IP] = r
			mu.Unlock()
		}}
	newIn := func(o Options) (p *Prober, err error) {
		sensorNS.in(t, func() error { p, err = New(o); return nil })
		return p, err
	}

	// Refusals at start: a capture interface, no allow-list, a subnet off
	// the link.
	for _, tc := range []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"capture interface", func(o *Options) { o.Interface = "cap0" }, "capture interface"},
		{"no allow-list", func(o *Options) { o.Allow = nil }, "no allow-list"},
		{"subnet off the link", func(o *Options) { o.Allow = []netip.Prefix{netip.MustParsePrefix("10.99.0.0/24")} },
			"is not on the link of pr0 (10.77.0.1/24)"},
		{"interface without IPv4", func(o *Options) { o.Interface = "cap0"; o.CaptureInterfaces = nil }, "no IPv4 address"},
	} {
		o := opts
		tc.mod(&o)
		if p, err := newIn(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			if p != nil {
				p.Close()
			}
			t.Errorf("%s: New = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wire := watchARP(t, ctx, deviceNS, "dev0")
	p, err := newIn(opts)
	if err != nil {
		t.Fatal(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- p.Run(ctx) }()

	// Outside the allow-list: refused, never sent.
	for _, ip := range []string{"10.77.0.100", "192.0.2.1", "10.77.0.1"} {
		if err := p.Probe(netip.MustParseAddr(ip)); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("Probe(%s) = %v, want ErrNotAllowed", ip, err)
		}
	}
	// The silent-but-alive device, a dead address, then ten more dead
	// ones for the rate limit; the alive one again at once (too soon).
	start := time.Now()
	targets := []netip.Addr{netip.MustParseAddr("10.77.0.20"), netip.MustParseAddr("10.77.0.30")}
	for i := 40; i < 50; i++ {
		targets = append(targets, netip.AddrFrom4([4]byte{10, 77, 0, byte(i)}))
	}
	for _, ip := range targets {
		if err := p.Probe(ip); err != nil {
			t.Fatalf("Probe(%s) = %v", ip, err)
		}
	}
	if err := p.Probe(targets[0]); !errors.Is(err, ErrTooSoon) {
		t.Errorf("second Probe(%s) within the interval = %v, want ErrTooSoon", targets[0], err)
	}

	// 12 probes at 5 per second take about 2.2 s; then the timeouts.
	deadline := time.Now().Add(15 * time.Second)
	for p.Stats().Answered+p.Stats().Unanswered < uint64(len(targets)) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	t.Logf("stats: %+v", st)

	seen := wire()
	if len(seen) != len(targets) {
		t.Errorf("%d ARP requests on the device's link, want %d (one per target): %v", len(seen), len(targets), seen)
	}
	perTarget := map[netip.Addr]int{}
	for i, r := range seen {
		perTarget[r.target]++
		if i > 0 {
			// 5 per second: 200 ms apart, less a little scheduling slack.
			if gap := r.at.Sub(seen[i-1].at); gap < 180*time.Millisecond {
				t.Errorf("requests %d and %d only %v apart: the rate limit is 5/s", i-1, i, gap)
			}
		}
		if r.at.Sub(start) < 0 {
			t.Errorf("request before the first Probe call")
		}
	}
	for ip, n := range perTarget {
		if n != 1 {
			t.Errorf("%s probed %d times within one interval", ip, n)
		}
	}
	if len(seen) > 1 {
		span := seen[len(seen)-1].at.Sub(seen[0].at)
		if span < 1800*time.Millisecond {
			t.Errorf("%d requests within %v: faster than 5/s", len(seen), span)
		}
	}

	mu.Lock()
	r, ok := alive[targets[0]]
	mu.Unlock()
	if !ok {
		t.Errorf("the silent device %s was not found alive", targets[0])
	} else if r.MAC != devMAC || !r.At.After(r.Sent) {
		t.Errorf("alive result %+v, want MAC %s", r, devMAC)
	}
	if len(alive) != 1 {
		t.Errorf("alive: %v, want only %s", alive, targets[0])
	}
	want := Stats{Sent: 12, Answered: 1, Unanswered: 11, NotAllowed: 3, TooSoon: 1}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}

	// Nothing ever left on the capture interface, nothing arrived at the
	// mirror end.
	if n := sensorNS.counter(t, "cap0", "tx_packets"); n != 0 {
		t.Errorf("cap0 transmitted %d packets, want 0", n)
	}
	if n := mirrorNS.counter(t, "span0", "rx_packets"); n != 0 {
		t.Errorf("span0 received %d packets, want 0", n)
	}
}
