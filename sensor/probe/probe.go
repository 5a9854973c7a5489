// Package probe is Wardwatch's one active part, opt-in and off by default: an
// ARP liveness probe for critical devices that went silent.
//
// The sensor is passive: it never transmits on a capture interface. A
// device that sends nothing (an infusion pump on its stand, a monitor
// waiting for a patient) looks dormant to it, though it is alive. When the
// operator allows it, the prober asks such devices "who has <ip>?" from a
// separate interface that has an address in the clinical VLAN, and reports
// every answer as liveness evidence (source "probe") through a callback:
//
//	daemon ──Probe(ip)──▶ allow-list, per-device interval ──▶ queue ──global rate──▶ ARP request on Interface
//	                                                                   ARP reply ◀── device
//	OnAlive(Result{IP, MAC, RTT}) ◀── reply from an IP probed within Timeout
//
// What it never does, enforced by New and Probe:
//   - it refuses to start on an interface the sensor captures on
//     (Options.CaptureInterfaces), or without an allow-list of subnets;
//   - every allowed subnet must be on the probing interface's own link
//     (ARP does not cross routers): a subnet elsewhere is refused at start;
//   - it probes only addresses inside the allow-list, each at most once per
//     Interval, all of them together at most Rate per second;
//   - it sends nothing but ARP requests, and nothing unless Probe is called.
//
// Every probe, refusal and answer is counted (Stats) and logged at debug.
// Nothing read from the wire other than the sender's address pair of ARP
// replies to outstanding probes is used.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdlayher/arp"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

// Source is the observation source of a probe answer.
const Source = model.SourceProbe

// Defaults for zero Options fields.
const (
	DefaultInterval  = 5 * time.Minute
	DefaultRate      = 10.0 // probes per second
	DefaultTimeout   = 2 * time.Second
	DefaultQueueSize = 1024
)

// Errors returned by New and Probe.
var (
	ErrCaptureInterface = errors.New("probe: the interface is a capture interface; the sensor never transmits there")
	ErrNoAllowList      = errors.New("probe: no allow-list of subnets: nothing may be probed")
	ErrNotAllowed       = errors.New("probe: address outside the allow-list")
	ErrTooSoon          = errors.New("probe: address probed less than an interval ago")
	ErrQueueFull        = errors.New("probe: queue full")
)

// Options configures a Prober.
type Options struct {
	// Interface probes are sent on: not a capture interface, with an IPv4
	// address on the link of every allowed subnet. Required.
	Interface string
	// CaptureInterfaces are the sensor's capture interfaces; Interface must
	// not be one of them.
	CaptureInterfaces []string
	// Allow lists the IPv4 subnets that may be probed. Required.
	Allow []netip.Prefix
	// Interval is the least time between two probes of one address.
	Interval time.Duration
	// Rate bounds the probes per second, all addresses together.
	Rate float64
	// Timeout is how long an answer is waited for.
	Timeout time.Duration
	// QueueSize bounds the probes waiting for the rate limit.
	QueueSize int
	// OnAlive is called (from the reading goroutine) for each answer to a
	// probe. Required.
	OnAlive func(Result)
	// Logger logs every probe and answer at debug. Default zap.NewNop().
	Logger *zap.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Result is an answer to a probe: ip is at mac.
type Result struct {
	IP   netip.Addr
	MAC  model.MAC
	Sent time.Time // when the request went out
	At   time.Time // when the answer came
}

// Stats counts what the prober did.
type Stats struct {
	Sent       uint64 // ARP requests sent
	Answered   uint64 // answers to them
	Unanswered uint64 // probes without an answer within Timeout
	NotAllowed uint64 // Probe calls refused: outside the allow-list
	TooSoon    uint64 // Probe calls refused: probed less than Interval ago (or queued)
	QueueFull  uint64 // Probe calls refused: queue full
	SendErrors uint64 // failed sends
}

// Prober sends ARP probes. Probe may be called from any goroutine; Run
// sends and reads until its context ends.
type Prober struct {
	opts   Options
	log    *zap.Logger
	client *arp.Client
	src    netip.Prefix // the interface's address on the allowed link(s)

	queue chan netip.Addr

	mu      sync.Mutex
	last    map[netip.Addr]time.Time // last probe (or queueing) per address
	pending map[netip.Addr]time.Time // sent, waiting for an answer: send time

	sent, answered, unanswered, notAllowed, tooSoon, queueFull, sendErrors atomic.Uint64
}

// New checks the options, opens the interface (an AF_PACKET socket for ARP
// only; needs CAP_NET_RAW) and returns a Prober that sends nothing until
// Probe is called and Run runs.
func New(o Options) (*Prober, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Interface == "" {
		return nil, errors.New("probe: no interface")
	}
	if slices.Contains(o.CaptureInterfaces, o.Interface) {
		return nil, fmt.Errorf("%w (%s)", ErrCaptureInterface, o.Interface)
	}
	if len(o.Allow) == 0 {
		return nil, ErrNoAllowList
	}
	if o.OnAlive == nil {
		return nil, errors.New("probe: no OnAlive callback")
	}
	ifi, err := net.InterfaceByName(o.Interface)
	if err != nil {
		return nil, fmt.Errorf("probe: interface %s: %w", o.Interface, err)
	}
	src, err := linkPrefix(ifi, o.Allow)
	if err != nil {
		return nil, err
	}
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, fmt.Errorf("probe: open %s: %w", o.Interface, err)
	}
	p := &Prober{opts: o, log: o.Logger, client: c, src: src, queue: make(chan netip.Addr, o.QueueSize),
		last: map[netip.Addr]time.Time{}, pending: map[netip.Addr]time.Time{}}
	p.log.Info("ARP liveness probe ready", zap.String("interface", o.Interface), zap.Stringer("address", src),
		zap.Any("allow", o.Allow), zap.Duration("interval", o.Interval), zap.Float64("rate_per_second", o.Rate))
	return p, nil
}

// linkPrefix returns the interface's IPv4 prefix that holds every allowed
// subnet, or an error naming a subnet off the interface's link.
func linkPrefix(ifi *net.Interface, allow []netip.Prefix) (netip.Prefix, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("probe: addresses of %s: %w", ifi.Name, err)
	}
	var own []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap().Is4() {
				ones, _ := n.Mask.Size()
				own = append(own, netip.PrefixFrom(ip.Unmap(), ones))
			}
		}
	}
	if len(own) == 0 {
		return netip.Prefix{}, fmt.Errorf("probe: %s has no IPv4 address: give it one in the clinical VLAN", ifi.Name)
	}
	var src netip.Prefix
	for _, a := range allow {
		if !a.Addr().Is4() {
			return netip.Prefix{}, fmt.Errorf("probe: allow %s: ARP probes IPv4 only", a)
		}
		found := false
		for _, o := range own {
			if o.Bits() <= a.Bits() && o.Masked().Contains(a.Addr()) {
				if src.IsValid() && src != o {
					return netip.Prefix{}, fmt.Errorf("probe: the allowed subnets are on two links of %s (%s, %s): use one probe interface per link", ifi.Name, src, o)
				}
				src, found = o, true
				break
			}
		}
		if !found {
			return netip.Prefix{}, fmt.Errorf("probe: allow %s is not on the link of %s (%s): ARP does not cross routers",
				a, ifi.Name, prefixes(own))
		}
	}
	return src, nil
}

func prefixes(ps []netip.Prefix) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += p.String()
	}
	return s
}

// allowed reports whether ip may be probed.
func (p *Prober) allowed(ip netip.Addr) bool {
	if !ip.Is4() || ip == p.src.Addr() {
		return false
	}
	for _, a := range p.opts.Allow {
		if a.Contains(ip) {
			return true
		}
	}
	return false
}

// Probe queues an ARP probe of ip. It refuses (and counts) an address
// outside the allow-list, one probed or queued less than Interval ago, and
// a full queue. It never blocks.
func (p *Prober) Probe(ip netip.Addr) error {
	ip = ip.Unmap()
	if !p.allowed(ip) {
		p.notAllowed.Add(1)
		p.log.Debug("probe refused: outside the allow-list", zap.Stringer("ip", ip))
		return ErrNotAllowed
	}
	now := p.opts.Now()
	p.mu.Lock()
	if t, ok := p.last[ip]; ok && now.Sub(t) < p.opts.Interval {
		p.mu.Unlock()
		p.tooSoon.Add(1)
		p.log.Debug("probe skipped: probed less than an interval ago", zap.Stringer("ip", ip), zap.Time("last", t))
		return ErrTooSoon
	}
	select {
	case p.queue <- ip:
		p.last[ip] = now
		p.mu.Unlock()
		return nil
	default:
		p.mu.Unlock()
		p.queueFull.Add(1)
		p.log.Debug("probe refused: queue full", zap.Stringer("ip", ip))
		return ErrQueueFull
	}
}

// Run sends the queued probes at most Rate per second and reads the
// answers until ctx ends; then it closes the socket.
func (p *Prober) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.read(ctx)
	}()
	gap := time.Duration(float64(time.Second) / p.opts.Rate)
	tick := time.NewTicker(min(p.opts.Timeout, time.Second))
	defer tick.Stop()
	var next time.Time // earliest time the next probe may go out
	for {
		select {
		case <-ctx.Done():
			p.client.Close() // unblocks the reader
			wg.Wait()
			return nil
		case <-tick.C:
			p.expire()
		case ip := <-p.queue:
			if wait := time.Until(next); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					continue // handled at the top
				case <-t.C:
				}
			}
			p.send(ip)
			next = time.Now().Add(gap)
		}
	}
}

func (p *Prober) send(ip netip.Addr) {
	now := p.opts.Now()
	p.mu.Lock()
	p.pending[ip] = now
	p.mu.Unlock()
	if err := p.client.Request(ip); err != nil {
		p.sendErrors.Add(1)
		p.mu.Lock()
		delete(p.pending, ip)
		p.mu.Unlock()
		p.log.Debug("probe send failed", zap.Stringer("ip", ip), zap.Error(err))
		return
	}
	p.sent.Add(1)
	p.log.Debug("probe sent", zap.Stringer("ip", ip), zap.String("interface", p.opts.Interface))
}

// expire counts the probes that got no answer within Timeout and forgets
// addresses not probed for an Interval.
func (p *Prober) expire() {
	now := p.opts.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for ip, t := range p.pending {
		if now.Sub(t) > p.opts.Timeout {
			delete(p.pending, ip)
			p.unanswered.Add(1)
			p.log.Debug("probe unanswered", zap.Stringer("ip", ip))
		}
	}
	for ip, t := range p.last {
		if now.Sub(t) >= p.opts.Interval {
			delete(p.last, ip)
		}
	}
}

// read takes ARP replies to pending probes until the socket is closed.
func (p *Prober) read(ctx context.Context) {
	for {
		pkt, _, err := p.client.Read()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a frame arp could not parse: not ours to care about
		}
		if pkt.Operation != arp.OperationReply {
			continue
		}
		ip := pkt.SenderIP.Unmap()
		p.mu.Lock()
		sent, ok := p.pending[ip]
		if ok {
			delete(p.pending, ip)
		}
		p.mu.Unlock()
		if !ok {
			continue
		}
		var mac model.MAC
		copy(mac[:], pkt.SenderHardwareAddr)
		now := p.opts.Now()
		if now.Sub(sent) > p.opts.Timeout {
			p.unanswered.Add(1)
			continue
		}
		p.answered.Add(1)
		p.log.Debug("probe answered", zap.Stringer("ip", ip), zap.Stringer("mac", mac), zap.Duration("rtt", now.Sub(sent)))
		p.opts.OnAlive(Result{IP: ip, MAC: mac, Sent: sent, At: now})
	}
}

// Stats returns the counters.
func (p *Prober) Stats() Stats {
	return Stats{Sent: p.sent.Load(), Answered: p.answered.Load(), Unanswered: p.unanswered.Load(),
		NotAllowed: p.notAllowed.Load(), TooSoon: p.tooSoon.Load(), QueueFull: p.queueFull.Load(),
		SendErrors: p.sendErrors.Load()}
}

// Close closes the socket (Run does too when it returns).
func (p *Prober) Close() error { return p.client.Close() }
