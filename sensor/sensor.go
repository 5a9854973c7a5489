// Package sensor captures packets (AF_PACKET on a SPAN port, or a pcap/pcapng
// file), decodes them, opens mirror tunnels and turns what it sees into
// model.Observations for the store.
//
// The pipeline per worker goroutine is
//
//	Source.ReadPacket -> Decoder.Decode (gopacket DecodingLayerParser, preallocated layers)
//	                  -> tracker (per-worker asset and binding tables; DHCP options read by package dhcp) -> Sink
//
// Each worker owns its Source, its Decoder and its tracker, so the per-packet
// path takes no lock and, for packets from known assets, allocates nothing.
// Live capture runs one worker per AF_PACKET socket; several sockets on one
// interface share a PACKET_FANOUT group so the kernel spreads flows across
// workers. Replay runs one worker over a file, through exactly the same code.
//
// Malformed packets are counted per layer (Stats().DecodeErrors) and dropped;
// a decoder panic is turned into an error by gopacket's DecodingLayerParser.
// Nothing is ever written to a capture socket.
//
// Shared domain types (Observation, Asset, Event) live in model.
package sensor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/membudget"
)

// Sink receives observations. store.DB implements it.
type Sink interface {
	// Submit blocks until the observation is queued (replay: back-pressure).
	Submit(ctx context.Context, o model.Observation) error
	// TrySubmit never blocks; it reports false when the queue is full (live
	// capture: the packet ring must keep draining).
	TrySubmit(o model.Observation) bool
}

// Config tunes the sensor. Zero fields take the Default* values
// (defaults.go); a nil VXLANPorts is DefaultVXLANPorts(), an empty one
// decapsulates no VXLAN.
type Config struct {
	Tunnels     bool     // open ERSPAN, GRE TEB and VXLAN
	VXLANPorts  []uint16 // UDP ports decapsulated as VXLAN
	MaxAssets   int      // per worker; full: the longest idle of a few makes room
	MaxBindings int      // per worker; full: the longest idle of a few makes room
	// NewAssetBurst and NewAssetRate are the new-asset budget per worker,
	// a token bucket in capture time (DefaultNewAssetBurst new MACs at
	// once, then DefaultNewAssetRate per second). Beyond it new MACs are
	// counted (AssetFloodRefused) and not reported, and each flood episode
	// reports one ObsMACFlood. A negative rate disables the budget.
	NewAssetBurst    int
	NewAssetRate     float64
	ActivityInterval time.Duration
	RefreshInterval  time.Duration
	MaxFlows         int // per worker; full: the longest idle of a few makes room
	// MaxSignals bounds the (sender, source, value) signals the sensor
	// remembers as reported, for all its workers; full: an arbitrary one
	// is forgotten (and reported again when seen again).
	MaxSignals int
	// Workers is the number of decode workers a replay uses (frames are
	// dispatched by a symmetric hash of their endpoints); default 1. Live
	// capture runs one worker per input (sockets of a PACKET_FANOUT group).
	Workers  int
	FlowIdle time.Duration // flows idle this long are evicted
	Streams  StreamConfig
	Logger   *zap.Logger
}

func (c *Config) defaults() {
	if c.VXLANPorts == nil {
		c.VXLANPorts = DefaultVXLANPorts()
	}
	setDefault(&c.MaxAssets, DefaultMaxAssets)
	setDefault(&c.MaxBindings, DefaultMaxBindings)
	setDefault(&c.NewAssetBurst, DefaultNewAssetBurst)
	if c.NewAssetRate == 0 {
		c.NewAssetRate = DefaultNewAssetRate
	}
	setDefault(&c.ActivityInterval, DefaultActivityInterval)
	setDefault(&c.RefreshInterval, DefaultRefreshInterval)
	setDefault(&c.MaxFlows, DefaultMaxFlows)
	setDefault(&c.MaxSignals, DefaultMaxSignals)
	setDefault(&c.FlowIdle, DefaultFlowIdle)
	c.Streams.defaults()
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
}

// Input is one packet source with how its frames are labelled.
type Input struct {
	Source  Source
	Vantage string // label recorded on assets; default Source.Name()
	// VLAN is stamped on frames that arrive untagged (an access-port SPAN
	// carries no tags). 0 leaves them untagged.
	VLAN uint16
}

// Sensor runs workers over inputs and keeps their counters.
type Sensor struct {
	cfg    Config
	sink   Sink
	budget *membudget.Budget // parser buffers of every stream of every worker
	shared *sharedTables     // bindings and home VLANs every worker agrees on

	mu      sync.Mutex
	workers []*worker
}

// New returns a sensor that sends observations to sink.
func New(cfg Config, sink Sink) *Sensor {
	cfg.defaults()
	return &Sensor{cfg: cfg, sink: sink, budget: membudget.New(cfg.Streams.MaxBufferBytes),
		shared: newSharedTables(cfg.MaxBindings, cfg.MaxAssets, cfg.MaxSignals)}
}

// BufferBudget reports the stream parsers' shared byte budget
// (streams.max_buffer_bytes): bytes held now, the peak, and how many
// buffers it refused.
func (s *Sensor) BufferBudget() membudget.Stats { return s.budget.Stats() }

// Summary is what a replay or run did.
type Summary struct {
	Stats
	Duration    time.Duration
	FirstPacket time.Time
	LastPacket  time.Time
}

// Replay reads in to the end through the same pipeline as live capture, as
// fast as the store accepts observations, and flushes the tracker. A
// truncated file returns what was read together with an error wrapping
// ErrTruncatedFile.
func (s *Sensor) Replay(ctx context.Context, in Input) (Summary, error) {
	// The shared tables are the sensor's, not a worker's: the summary
	// counts what they dropped during this replay.
	b0, a0 := s.shared.capHits()
	s0 := s.shared.signalCapHits()
	var (
		sum Summary
		err error
	)
	if s.cfg.Workers > 1 {
		sum, err = s.replayParallel(ctx, in, s.cfg.Workers)
	} else {
		var w *worker
		if w, err = s.newWorker(in, true); err != nil {
			return Summary{}, err
		}
		start := time.Now()
		err = w.loop(ctx)
		sum = Summary{Stats: w.snapshot(), Duration: time.Since(start), FirstPacket: w.firstTS, LastPacket: w.lastTS}
	}
	b, a := s.shared.capHits()
	sum.SharedBindCapHits, sum.SharedAssetCapHits = b-b0, a-a0
	sum.SignalCapHits = s.shared.signalCapHits() - s0
	return sum, err
}

// Run captures from every input until ctx is cancelled or a source fails.
// Observations that do not fit in the sink's queue are dropped and counted.
func (s *Sensor) Run(ctx context.Context, inputs []Input) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, len(inputs))
	for _, in := range inputs {
		w, err := s.newWorker(in, false)
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.loop(ctx); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc // nil when every worker stopped on ctx
}

// Stats returns the counters of every worker, summed per interface.
func (s *Sensor) Stats() []Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Stats
	idx := map[string]int{}
	for _, w := range s.workers {
		st := w.published()
		if i, ok := idx[st.Interface]; ok {
			out[i].add(&st)
			continue
		}
		idx[st.Interface] = len(out)
		out = append(out, st)
	}
	if len(out) > 0 {
		out[0].SharedBindCapHits, out[0].SharedAssetCapHits = s.shared.capHits()
		out[0].SignalCapHits = s.shared.signalCapHits()
	}
	return out
}

// Stats are one interface's (or file's) counters: every counter of the
// capture pipeline in one struct. All are cumulative except the gauges
// Assets and Flows. A worker's are read with worker.snapshot; Sensor.Stats
// returns the last snapshot each worker published (at least once a second
// while it runs, and when it stops), summed per interface.
type Stats struct {
	Interface         string
	Vantage           string
	Packets           uint64
	Bytes             uint64
	KernelPackets     uint64 // packets the kernel handed to the socket (live only)
	KernelDrops       uint64 // packets the kernel dropped because the ring was full (live only)
	Truncated         uint64 // frames shorter than their headers said
	Malformed         uint64 // frames nothing could be decoded from
	DecodeErrors      [numLayers]uint64
	Observations      [model.NumObsKinds]uint64 // by model.ObsKind
	ObsDropped        uint64                    // observations the store queue had no room for
	AssetCapHits      uint64                    // new assets that found the asset table full (the longest-idle was evicted for each)
	AssetEvictions    uint64                    // assets evicted from the worker tables to make room
	AssetFloodRefused uint64                    // new MACs refused by the new-asset budget (a MAC flood)
	AssetFloods       uint64                    // MAC flood episodes (one ObsMACFlood each)
	BindCapHits       uint64                    // new bindings not tracked: the binding table was full
	DHCPUnplaced      uint64                    // relayed DHCP messages for clients never seen directly (held relayWait first)
	DHCPHoldCapHits   uint64                    // relayed DHCP messages dropped before their wait: the hold was full (also in DHCPUnplaced)
	Assets            int                       // assets in the worker tables now
	Flows             int                       // flows in the worker tables now
	FlowCapHits       uint64                    // new flows that found the flow table full (the longest-idle entry was evicted for each)
	FlowEvictions     uint64                    // flows evicted (idle, or to make room)
	Streams           uint64                    // TCP streams followed (DICOM, HL7)
	StreamCapHits     uint64                    // connections not followed: the stream table was full
	InspectCaps       uint64                    // stream directions cut at streams.max_inspect_bytes
	SignalCapHits     uint64                    // new signal values that found the sensor's signal table full (one was forgotten for each)
	// SharedBindCapHits and SharedAssetCapHits count the entries the
	// tables every worker shares (sharedTables: bindings and owners of
	// addresses, sized by limits.max_bindings; per-MAC facts, by
	// limits.max_assets) dropped for new ones. The tables are the
	// sensor's, not an interface's: Sensor.Stats counts them on its first
	// interface, and a Replay's Summary those dropped during that replay.
	SharedBindCapHits, SharedAssetCapHits uint64
}

func (a *Stats) add(b *Stats) {
	a.Packets += b.Packets
	a.Bytes += b.Bytes
	a.KernelPackets += b.KernelPackets
	a.KernelDrops += b.KernelDrops
	a.Truncated += b.Truncated
	a.Malformed += b.Malformed
	for i := range a.DecodeErrors {
		a.DecodeErrors[i] += b.DecodeErrors[i]
	}
	for i := range a.Observations {
		a.Observations[i] += b.Observations[i]
	}
	a.ObsDropped += b.ObsDropped
	a.AssetCapHits += b.AssetCapHits
	a.AssetEvictions += b.AssetEvictions
	a.AssetFloodRefused += b.AssetFloodRefused
	a.AssetFloods += b.AssetFloods
	a.BindCapHits += b.BindCapHits
	a.DHCPUnplaced += b.DHCPUnplaced
	a.DHCPHoldCapHits += b.DHCPHoldCapHits
	a.Assets += b.Assets
	a.Flows += b.Flows
	a.FlowCapHits += b.FlowCapHits
	a.FlowEvictions += b.FlowEvictions
	a.Streams += b.Streams
	a.StreamCapHits += b.StreamCapHits
	a.InspectCaps += b.InspectCaps
	a.SignalCapHits += b.SignalCapHits
	a.SharedBindCapHits += b.SharedBindCapHits
	a.SharedAssetCapHits += b.SharedAssetCapHits
}

type kernelStatser interface {
	KernelStats() (packets, drops uint64, err error)
}

// worker owns one source, decoder and tracker.
type worker struct {
	s        *Sensor
	in       Input
	ctx      context.Context // emit's: the loop's, never cancelled
	blocking bool
	dec      *Decoder
	tr       *tracker
	flows    *flowTable
	streams  *streamTable
	sig      *signalTable
	f        Frame
	vantages map[vantageKey]string

	firstTS, lastTS time.Time

	// cnt holds the counters the worker keeps itself (packets, bytes,
	// malformed frames, observations, kernel counts); only the worker's
	// goroutine touches it. snapshot adds those the decoder, tracker, flow
	// and stream tables keep.
	cnt Stats
	// pub is the last snapshot, for Sensor.Stats on other goroutines.
	pubMu   sync.Mutex
	pub     Stats
	lastPub time.Time
}

type vantageKey struct {
	n  int
	t0 tunnelTag
	t1 tunnelTag
}

func (s *Sensor) newWorker(in Input, blocking bool) (*worker, error) {
	first, err := firstLayer(in.Source.LinkType())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Source.Name(), err)
	}
	if in.Vantage == "" {
		in.Vantage = in.Source.Name()
	}
	w := &worker{s: s, in: in, blocking: blocking, vantages: map[vantageKey]string{}}
	w.dec = NewDecoder(first, s.cfg.Tunnels, s.cfg.VXLANPorts)
	w.tr = newTracker(w.emit, s.shared, s.cfg.ActivityInterval, s.cfg.RefreshInterval, s.cfg.MaxAssets, s.cfg.MaxBindings,
		s.cfg.NewAssetBurst, s.cfg.NewAssetRate)
	sc := s.cfg.Streams
	servers := func(p uint16) bool {
		return wellKnownServer(p) || hasPort(sc.DICOMPorts, p, p) || hasPort(sc.HL7Ports, p, p)
	}
	service := func(proto uint8, p uint16) string {
		if proto == 6 && hasPort(sc.DICOMPorts, p, p) {
			return model.ServiceDICOM
		}
		if proto == 6 && hasPort(sc.HL7Ports, p, p) {
			return model.ServiceHL7
		}
		return serviceName(proto, p)
	}
	w.flows = newFlowTable(s.cfg.MaxFlows, s.cfg.FlowIdle, servers, service)
	w.streams = newStreamTable(w, sc)
	w.sig = newSignalTable(w, s.shared, s.cfg.RefreshInterval)
	s.mu.Lock()
	s.workers = append(s.workers, w)
	s.mu.Unlock()
	return w, nil
}

func (w *worker) emit(o model.Observation) {
	if w.blocking {
		// Never cancelled: on SIGTERM during a replay the loop stops
		// within a few packets, but what was read is still stored. (A
		// retry after a cancelled Submit would hand a stateful sink, the
		// policy checker, the observation twice: the violations it had
		// judged and not yet submitted were lost.)
		ctx := w.ctx // never cancelled (loop)
		if ctx == nil {
			ctx = context.Background()
		}
		err := w.s.sink.Submit(ctx, o)
		if err != nil {
			w.cnt.ObsDropped++
			return
		}
	} else if !w.s.sink.TrySubmit(o) {
		w.cnt.ObsDropped++
		return
	}
	if int(o.Kind) < model.NumObsKinds {
		w.cnt.Observations[o.Kind]++
	}
}

func (w *worker) loop(ctx context.Context) error {
	w.ctx = context.WithoutCancel(ctx) // once, not per Submit: see emit
	src := w.in.Source
	ks, _ := src.(kernelStatser)
	w.lastPub = time.Now()
	var n uint64
	defer w.finish()
	for {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil
			}
			if time.Since(w.lastPub) >= time.Second {
				if ks != nil {
					w.pollKernel(ks)
				}
				w.publish()
			}
		}
		n++
		data, ci, err := src.ReadPacket()
		if err != nil {
			switch {
			case errors.Is(err, ErrTimeout):
				n = 0 // check ctx and stats now
				if ks != nil {
					w.maybeSweep(time.Now())
				}
				continue
			case errors.Is(err, io.EOF):
				return nil
			}
			return err
		}
		w.packet(data, &ci)
	}
}

func (w *worker) finish() {
	// The final sweep reports what the tables still hold (the last activity,
	// flow counters, open streams). It runs after a cancellation too (SIGTERM
	// during a replay); emit's context is never cancelled (loop).
	w.streams.closeAll()
	w.tr.retryHeld(time.Time{}, true)
	w.tr.sweep()
	w.tr.settleBindings()
	w.flows.sweep(w, time.Time{})
	if ks, ok := w.in.Source.(kernelStatser); ok {
		w.pollKernel(ks)
	}
	w.publish()
}

func (w *worker) pollKernel(ks kernelStatser) {
	p, d, err := ks.KernelStats()
	if err != nil {
		return
	}
	w.cnt.KernelPackets, w.cnt.KernelDrops = p, d
}

// snapshot returns the worker's counters: its own and those of its
// decoder, tracker, flow and stream tables. Only the worker's goroutine
// may call it (or anyone once the worker has stopped).
func (w *worker) snapshot() Stats {
	st := w.cnt
	st.Interface, st.Vantage = w.in.Source.Name(), w.in.Vantage
	st.DecodeErrors = w.dec.Errors
	st.Truncated = w.dec.Truncated
	st.AssetCapHits = w.tr.assetCapHits
	st.AssetEvictions = w.tr.assetEvicted
	st.AssetFloodRefused = w.tr.floodRefused
	st.AssetFloods = w.tr.floods
	st.BindCapHits = w.tr.bindingCapHits
	st.DHCPUnplaced = w.tr.dhcpUnplaced
	st.DHCPHoldCapHits = w.tr.relays.capHits
	st.Assets = len(w.tr.assets)
	st.Flows = len(w.flows.m)
	st.FlowCapHits = w.flows.capHits
	st.FlowEvictions = w.flows.evicted
	st.Streams = w.streams.started
	st.StreamCapHits = w.streams.capHits
	st.InspectCaps = w.streams.inspectCaps
	return st
}

// publish makes a snapshot readable by Sensor.Stats.
func (w *worker) publish() {
	st := w.snapshot()
	w.pubMu.Lock()
	w.pub = st
	w.pubMu.Unlock()
	w.lastPub = time.Now()
}

// published returns the last snapshot published; before the first, the
// worker's labels with zero counters.
func (w *worker) published() Stats {
	w.pubMu.Lock()
	defer w.pubMu.Unlock()
	st := w.pub
	st.Interface, st.Vantage = w.in.Source.Name(), w.in.Vantage
	return st
}

// packet is the per-packet path.
func (w *worker) packet(data []byte, ci *gopacket.CaptureInfo) {
	w.cnt.Packets++
	wire := ci.Length
	if wire < len(data) {
		wire = len(data)
	}
	w.cnt.Bytes += uint64(wire)
	ts := ci.Timestamp
	if w.firstTS.IsZero() {
		w.firstTS = ts
	}
	w.lastTS = ts
	problems := w.dec.Problems
	f := &w.f
	ok := w.dec.Decode(data, wire, f)
	if w.dec.Problems != problems {
		w.publish()
	}
	if !ok {
		w.cnt.Malformed++
		return
	}
	if f.numTunnels == 0 {
		if v, ok := ancillaryVLAN(ci); ok {
			// The kernel stripped the outermost tag (VLAN offload). If
			// tags remain in the frame, the stripped one was the outer.
			if f.Tagged {
				f.OuterVLAN = v
			} else {
				f.Tagged, f.VLAN = true, v
			}
		} else if !f.Tagged && w.in.VLAN != 0 {
			f.Tagged, f.VLAN = true, w.in.VLAN
		}
	}
	vantage := w.vantage(f)
	tr := w.tr
	w.maybeSweep(ts)

	var st *assetState
	switch {
	case f.HasMAC:
		if !f.Src.IsGroup() && !f.Src.IsZero() {
			st = tr.touch(model.AssetKey{Vantage: vantage, VLAN: f.VLAN, MAC: f.Src}, f.OuterVLAN, ts, wire)
			if f.SrcIP.Is6() && (f.SrcIP.IsLinkLocalUnicast() || (f.Proto == 58 && f.HopLimit == 255)) && !f.SrcIP.IsUnspecified() {
				tr.address(model.AssetKey{Vantage: vantage, VLAN: f.VLAN, MAC: f.Src}, f.OuterVLAN, f.SrcIP, model.SourceIPv6NDP, ts)
			}
		}
	case f.SrcIP.IsValid():
		// No hardware addresses on this link type: key the device by IP.
		st = tr.touch(model.AssetKey{Vantage: vantage, VLAN: f.VLAN, IP: f.SrcIP}, f.OuterVLAN, ts, wire)
	}
	if f.ARP != nil {
		tr.arp(vantage, f.VLAN, f.OuterVLAN, f.ARP, ts, wire, f.Src)
	}
	if f.DHCP != nil {
		tr.dhcp(vantage, f.VLAN, f.OuterVLAN, f.DHCP, ts)
	}
	if st != nil && f.HasMAC && f.SrcIP.Is4() {
		tr.sourceIP(model.AssetKey{Vantage: vantage, VLAN: f.VLAN, MAC: f.Src}, f.OuterVLAN, f, ts, st)
	}
	var fl *flowState
	var fromClient bool
	if f.SrcPort != 0 || f.DstPort != 0 {
		fl, fromClient = w.flows.packet(w, vantage, f, ts, wire)
		if f.TCP != nil {
			w.streams.packet(vantage, f, f.TCP, ci)
		}
	}
	if st != nil {
		w.sig.frame(vantage, f, fl, fromClient, ts)
	}
}

// maybeSweep runs the periodic work of the worker's tables, driven by
// capture time: activity and flow counters, idle flows and streams.
func (w *worker) maybeSweep(now time.Time) {
	if w.tr.maybeSweep(now) {
		w.flows.sweep(w, now)
		w.streams.maybeFlush(now)
		w.publish()
	}
}

// vantage returns the interned vantage name for f's tunnel path.
func (w *worker) vantage(f *Frame) string {
	if f.numTunnels == 0 {
		return w.in.Vantage
	}
	k := vantageKey{n: f.numTunnels, t0: f.tunnels[0]}
	if f.numTunnels > 1 {
		k.t1 = f.tunnels[1]
	}
	if v, ok := w.vantages[k]; ok {
		return v
	}
	v := w.in.Vantage
	for i := 0; i < f.numTunnels; i++ {
		v += "/" + f.tunnels[i].String()
	}
	if len(w.vantages) < 4096 {
		w.vantages[k] = v
	}
	return v
}

func (t tunnelTag) String() string {
	switch t.kind {
	case tunnelERSPAN1:
		return "erspan1"
	case tunnelERSPAN2:
		return fmt.Sprintf("erspan:%d", t.id)
	case tunnelERSPAN3:
		return fmt.Sprintf("erspan3:%d", t.id)
	case tunnelGRE:
		if t.id != 0 {
			return fmt.Sprintf("gre:%d", t.id)
		}
		return "gre"
	case tunnelVXLAN:
		return fmt.Sprintf("vxlan:%d", t.id)
	case tunnelCAPWAP:
		return "capwap"
	}
	return "tunnel"
}
