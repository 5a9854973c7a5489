// Package behaviour keeps a behaviour baseline per device and reports what
// a device does that its baseline lacks.
//
// A device's baseline is learned from the flows it is an end of during its
// learning window (Options.LearnFor of capture time from its first flow):
//
//	peer-zone       the policy zones of its peers, either direction ("servers")
//	external-peer   its peers outside the site, by address (the internet zone)
//	service         the server ports it used as a client ("tcp/443")
//	served-service  the ports it answered on as a server ("tcp/104")
//	protocol        the recognised services it spoke ("dicom"), else the transport ("udp")
//
// After the window, an item the baseline lacks is a change: an event
// (new-peer-zone, new-external-peer, new-service for both service kinds,
// new-protocol) with the flow that showed it, recorded in the store as an
// item with learned = false (reported once). Per device class, the items
// of the devices whose window has ended form the class's baseline: a
// device that does what none of at least Options.ClassMinDevices other
// devices of its class does is an unusual-for-class event, in its window
// or after.
//
//	sensor ─► policy checker ─► Stage ─► store
//	                              └─► OnEvent (metric, SIEM)
//
// A report one of whose own-MAC ends the store has not committed yet is
// held until it has (Committed, registered with the class index's Watch)
// or two commits have passed, or until Flush: the store records items of
// known assets only, and a zone by class or AE title may still change.
//
// The Stage sits between the policy checker and the store: it passes every
// observation on and adds an ObsBehaviour observation for each new item
// (the store keeps baselines in the baselines and baseline_items tables;
// Load reads them back at start). Zones come from policy/segment
// (FlowEndpoints, Segmenter.EndpointZone), the one owner of "which zone is
// this end in"; classes from the store's class index.
//
// Cost and bounds: a flow report (a new flow at once, its counters once a
// minute; never a packet) costs two zone lookups and a few map lookups
// under one mutex, no allocation unless something is new. Memory is
// bounded: at most Options.MaxAssets devices (later ones are not tracked,
// counted in Stats.AssetsRefused) and Options.MaxItems items per device and
// kind (a kind that reaches it stops reporting; Stats.ItemsCapped).
package behaviour

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
)

// Defaults of Options (configs.Default takes them: baseline: section).
const (
	DefaultLearnFor        = 7 * 24 * time.Hour
	DefaultMaxAssets       = 100000
	DefaultMaxItems        = 64
	DefaultClassMinDevices = 3
)

// Store is where the Stage passes observations on (*store.DB): the same
// interface the policy checker needs of its store, so the Stage can sit
// between the two.
type Store = segment.Store

// Classes answers from memory which class an asset has and whether it is
// in the inventory (store.ClassIndex).
type Classes = segment.Classes

// Options configure a Stage. Zero values take the defaults.
type Options struct {
	LearnFor        time.Duration
	MaxAssets       int
	MaxItems        int // per device and kind
	ClassMinDevices int
	// OnEvent is called for every behaviour event, on the sensor's
	// goroutine (it must not block for long): the metric and the SIEM.
	OnEvent func(*Event)
}

func (o *Options) defaults() {
	if o.LearnFor <= 0 {
		o.LearnFor = DefaultLearnFor
	}
	if o.MaxAssets <= 0 {
		o.MaxAssets = DefaultMaxAssets
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.ClassMinDevices <= 0 {
		o.ClassMinDevices = DefaultClassMinDevices
	}
}

// Event is one behaviour event, for the metric and the SIEM.
type Event struct {
	Time  time.Time
	Type  model.EventType
	Key   model.AssetKey // the device
	IP    netip.Addr     // the device's address in the flow
	Class model.Class
	Zone  string // the device's zone ("" without a policy)
	Item  model.BehaviourInfo
	// PeerZone is the zone of the flow's other end.
	PeerZone string
	Flow     model.FlowInfo // the report that showed it
	Server   bool           // the device is the flow's server end
}

// Stats are the Stage's counters.
type Stats struct {
	Assets        int    // devices with a baseline in memory
	Learning      int    // of which in their learning window
	Items         int    // items in memory
	Events        uint64 // behaviour events reported
	AssetsRefused uint64 // devices not tracked: MaxAssets reached
	ItemsCapped   uint64 // items not kept: MaxItems reached for their device and kind
}

// kind indexes model.BehaviourKinds.
type kind uint8

const (
	kPeerZone kind = iota
	kExternalPeer
	kService
	kServed
	kProtocol
	numKinds
)

var kindNames = [numKinds]model.BehaviourKind{model.BehaviourPeerZone, model.BehaviourExternalPeer,
	model.BehaviourService, model.BehaviourServed, model.BehaviourProtocol}

var kindEvents = [numKinds]model.EventType{model.EventNewPeerZone, model.EventNewExternalPeer, model.EventNewService,
	model.EventNewService, model.EventNewProtocol}

// item is one baseline item, comparable and without pointers into a
// report: name interns a zone or protocol name.
type item struct {
	kind  kind
	proto uint8
	port  uint16
	name  uint32
	ip    [16]byte
}

// device is one device's baseline.
type device struct {
	key        model.AssetKey
	started    time.Time
	learnedAt  time.Time // started + LearnFor
	learned    bool      // the window has ended (and the device counts in its class)
	class      model.Class
	items      map[item]bool // true: learned
	counts     [numKinds]uint16
	inClassSet bool
}

// classSet is a class's baseline: how many of its learned devices have
// each item.
type classSet struct {
	devices int
	items   map[item]int32
}

// Stage is the behaviour baseline stage (see the package doc). It is safe
// for concurrent use by the sensor's workers.
type Stage struct {
	st      Store
	seg     *segment.Segmenter
	classes Classes
	opts    Options

	commits  atomic.Uint64 // store commits (Committed)
	dirty    atomic.Bool   // a commit since the held reports were last judged
	zonesGen atomic.Pointer[zonesCache]

	mu       sync.Mutex
	emit     []*Event // events to pass to OnEvent once the lock is released
	held     []heldReport
	devices  map[model.AssetKey]*device
	learning []*device // in the order their windows end (about)
	byClass  map[model.Class]*classSet
	names    map[string]uint32
	nameList []string
	nItems   int
	events   uint64
	refused  uint64
	capped   uint64
}

// New returns a Stage passing observations on to st, placing ends in zones
// with seg and looking classes up in classes.
func New(st Store, seg *segment.Segmenter, classes Classes, opts Options) *Stage {
	opts.defaults()
	return &Stage{st: st, seg: seg, classes: classes, opts: opts, devices: map[model.AssetKey]*device{},
		byClass: map[model.Class]*classSet{}, names: map[string]uint32{}, nameList: []string{""}}
}

// Submit passes o on, then the behaviour observations it gives.
func (s *Stage) Submit(ctx context.Context, o model.Observation) error {
	if err := s.st.Submit(ctx, o); err != nil {
		return err
	}
	for _, b := range s.observe(&o) {
		if err := s.st.Submit(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// TrySubmit is Submit that never blocks (live capture). A report the
// store's queue has no room for is not judged either. A behaviour
// observation it has no room for is lost to the database (counted there
// as dropped) but kept in memory: after a restart the item is new again.
func (s *Stage) TrySubmit(o model.Observation) bool {
	if !s.st.TrySubmit(o) {
		return false
	}
	for _, b := range s.observe(&o) {
		s.st.TrySubmit(b)
	}
	return true
}

// Flush commits what was submitted (so the class index is current),
// judges every held report and submits what that gives. Call it when
// capture has stopped (end of a replay, shutdown).
func (s *Stage) Flush(ctx context.Context) error {
	ferr := s.st.Flush(ctx)
	for _, b := range s.settle(nil, true) {
		if err := s.st.Submit(ctx, b); err != nil {
			return err
		}
	}
	return ferr
}

// Stats returns the Stage's counters.
func (s *Stage) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Assets: len(s.devices), Items: s.nItems, Events: s.events, AssetsRefused: s.refused,
		ItemsCapped: s.capped}
	for _, d := range s.devices {
		if !d.learned {
			st.Learning++
		}
	}
	return st
}

// LearnFor is the learning window in force.
func (s *Stage) LearnFor() time.Duration { return s.opts.LearnFor }

// observe judges a flow report, and the held reports a store commit may
// have settled; other observations pass untouched.
func (s *Stage) observe(o *model.Observation) []model.Observation {
	var out []model.Observation
	if s.dirty.Load() {
		out = s.settle(out, false)
	}
	if o.Kind != model.ObsFlow || o.Flow == nil || !o.Flow.ServerIP.IsValid() {
		return out
	}
	out, hold := s.judge(out, o, false)
	if hold {
		s.mu.Lock()
		if len(s.held) < MaxHeld {
			cp := *o
			f := *o.Flow
			cp.Flow = &f
			s.held = append(s.held, heldReport{o: cp, commit: s.commits.Load()})
			s.mu.Unlock()
			return out
		}
		s.mu.Unlock()
		out, _ = s.judge(out, o, true) // no room: judged on what is known
	}
	return out
}

// MaxHeld bounds the flow reports held back until the store commits an
// end (see Committed).
const MaxHeld = 10000

// heldReport is a flow report one of whose own-MAC ends the inventory did
// not hold yet: the server end (the store records items of known assets
// only), or a peer whose zone may depend on its class or AE title.
type heldReport struct {
	o      model.Observation
	commit uint64 // store commits seen when it was held
}

// Committed is the store's notice that a batch was committed (register it
// with store.ClassIndex.Watch): held reports are judged again on the next
// observation.
func (s *Stage) Committed([]model.AssetKey) {
	s.commits.Add(1)
	s.dirty.Store(true)
}

// settle judges the held reports whose ends are now known, or that have
// waited two commits (all of them when final).
func (s *Stage) settle(out []model.Observation, final bool) []model.Observation {
	s.dirty.Store(false)
	commits := s.commits.Load()
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	var keep []heldReport
	for i := range held {
		h := &held[i]
		last := final || commits >= h.commit+2
		var hold bool
		if out, hold = s.judge(out, &h.o, last); hold {
			keep = append(keep, *h)
		}
	}
	if len(keep) > 0 {
		s.mu.Lock()
		s.held = append(keep, s.held...)
		s.mu.Unlock()
	}
	return out
}

// judge judges a flow report's own-MAC ends and returns the observations
// of their new items, and whether the report must be held until the store
// commits an end it does not know yet (never when final: then an unknown
// server end is left out and an unknown peer is placed without its class).
func (s *Stage) judge(out []model.Observation, o *model.Observation, final bool) ([]model.Observation, bool) {
	f := o.Flow
	var cf, sf model.EndFacts
	clientOK := f.ClientLocal && f.ClientIP.IsValid()
	serverOK := f.ServerLocal
	if s.classes != nil {
		if f.ClientLocal {
			cf.Class, cf.AETitle, cf.Known = s.classes.Lookup(normKey(f.Client))
		}
		if f.ServerLocal {
			sf.Class, sf.AETitle, sf.Known = s.classes.Lookup(normKey(f.Server))
			serverOK = sf.Known // the store records items of known assets only
		}
	}
	p, gen := s.seg.Current()
	factsZones := s.factsZones(p, gen)
	// An own-MAC end the inventory does not hold yet: its zone may change
	// with its class or AE title.
	clientSettled := !f.ClientLocal || cf.Known || !factsZones || s.classes == nil
	serverSettled := !f.ServerLocal || sf.Known || !factsZones || s.classes == nil
	// Held too while the device's own class is not known (not committed):
	// it decides what is unusual for its class.
	hold := !final && s.classes != nil && (f.ServerLocal && !sf.Known || f.ClientLocal && !cf.Known)
	src, dst := segment.FlowEndpoints(f, &cf, &sf)
	var srcZone, dstZone string
	if p != nil {
		srcZone, dstZone = p.ZoneOf(&src), p.ZoneOf(&dst)
	}
	s.mu.Lock()
	s.promote(o.Time)
	if clientOK {
		out = s.end(out, o, normKey(f.Client), f.ClientIP, cf.Class, srcZone, f.ServerIP, dstZone,
			serverSettled || final, false)
	}
	if serverOK {
		out = s.end(out, o, normKey(f.Server), f.ServerIP, sf.Class, dstZone, f.ClientIP, srcZone,
			clientSettled || final, true)
	}
	evs := s.emit
	s.emit = nil
	s.mu.Unlock()
	// Outside the lock: the SIEM may be slow, the other workers need not
	// wait for it.
	for _, e := range evs {
		s.opts.OnEvent(e)
	}
	return out, hold
}

// factsZones reports whether a zone of p matches by device class or AE
// title (facts the inventory learns after a device appears); cached per
// policy generation.
func (s *Stage) factsZones(p *policy.Policy, gen uint64) bool {
	if p == nil {
		return false
	}
	if c := s.zonesGen.Load(); c != nil && c.gen == gen {
		return c.facts
	}
	c := &zonesCache{gen: gen}
	for _, z := range p.ZoneInfos() {
		if len(z.Classes) > 0 || len(z.AETitles) > 0 {
			c.facts = true
		}
	}
	s.zonesGen.Store(c)
	return c.facts
}

type zonesCache struct {
	gen   uint64
	facts bool
}

// end judges one end of a flow (s.mu held): the device key with its
// address, class and zone, and its peer's address and zone. peerKnown is
// false while the peer's own MAC is not in the inventory yet (its zone may
// still change with its class): its zone is not judged then.
func (s *Stage) end(out []model.Observation, o *model.Observation, key model.AssetKey, ip netip.Addr, class model.Class,
	zone string, peer netip.Addr, peerZone string, peerKnown, server bool) []model.Observation {
	d := s.devices[key]
	if d == nil {
		if len(s.devices) >= s.opts.MaxAssets {
			s.refused++
			return out
		}
		d = s.newDevice(key, o.Time)
	}
	if !d.learned && !d.learnedAt.After(o.Time) {
		d.learned = true
		s.joinClass(d)
	}
	s.setClass(d, class.OrUnknown())
	f := o.Flow
	var items [4]item
	n := 0
	if peerKnown && peerZone != "" && peerZone != policy.ZoneInternet {
		items[n] = item{kind: kPeerZone, name: s.intern(peerZone)}
		n++
	}
	if s.external(peer, peerZone) {
		items[n] = item{kind: kExternalPeer, ip: peer.Unmap().As16()}
		n++
	}
	if server {
		items[n] = item{kind: kServed, proto: f.Proto, port: f.Port}
	} else {
		items[n] = item{kind: kService, proto: f.Proto, port: f.Port}
	}
	n++
	items[n] = item{kind: kProtocol, name: s.intern(protocolName(f))}
	n++
	for _, it := range items[:n] {
		if _, seen := d.items[it]; seen {
			continue
		}
		out = s.newItem(out, d, it, o, ip, zone, peer, peerZone, server)
	}
	return out
}

// external reports whether a peer is outside the site: in the internet
// zone of the policy, or (without a policy) a public address.
func (s *Stage) external(peer netip.Addr, zone string) bool {
	if zone != "" {
		return zone == policy.ZoneInternet
	}
	return policy.IsInternet(peer)
}

func (s *Stage) newDevice(key model.AssetKey, t time.Time) *device {
	d := &device{key: key, started: t, learnedAt: t.Add(s.opts.LearnFor), items: map[item]bool{},
		class: model.ClassUnknown}
	s.devices[key] = d
	s.learning = append(s.learning, d)
	return d
}

// promote ends the learning windows that have ended by t (s.mu held).
func (s *Stage) promote(t time.Time) {
	n := 0
	for n < len(s.learning) && !s.learning[n].learnedAt.After(t) {
		d := s.learning[n]
		if s.devices[d.key] == d && !d.learned {
			d.learned = true
			s.joinClass(d)
		}
		n++
	}
	if n > 0 {
		clear(s.learning[:n])
		s.learning = s.learning[n:]
	}
}

// setClass moves a learned device to its current class's set.
func (s *Stage) setClass(d *device, class model.Class) {
	if d.class == class {
		return
	}
	s.leaveClass(d)
	d.class = class
	if d.learned {
		s.joinClass(d)
	}
}

func (s *Stage) joinClass(d *device) {
	if d.inClassSet || d.class == model.ClassUnknown {
		return
	}
	cs := s.byClass[d.class]
	if cs == nil {
		cs = &classSet{items: map[item]int32{}}
		s.byClass[d.class] = cs
	}
	cs.devices++
	for it, learned := range d.items {
		if learned {
			cs.items[it]++
		}
	}
	d.inClassSet = true
}

func (s *Stage) leaveClass(d *device) {
	if !d.inClassSet {
		return
	}
	cs := s.byClass[d.class]
	cs.devices--
	for it, learned := range d.items {
		if learned {
			if cs.items[it]--; cs.items[it] <= 0 {
				delete(cs.items, it)
			}
		}
	}
	d.inClassSet = false
}

// unusual reports whether it is an item no other learned device of d's
// class has, the class having at least ClassMinDevices others; and how
// many others there are. External peers are not judged by class.
func (s *Stage) unusual(d *device, it item) (bool, int) {
	if it.kind == kExternalPeer || d.class == model.ClassUnknown {
		return false, 0
	}
	cs := s.byClass[d.class]
	if cs == nil {
		return false, 0
	}
	others := cs.devices
	if d.inClassSet {
		others--
	}
	return others >= s.opts.ClassMinDevices && cs.items[it] == 0, others
}

// newItem adds an item new to d and returns the observation recording it
// with its events (s.mu held).
func (s *Stage) newItem(out []model.Observation, d *device, it item, o *model.Observation, ip netip.Addr, zone string,
	peer netip.Addr, peerZone string, server bool) []model.Observation {
	if int(d.counts[it.kind]) >= s.opts.MaxItems {
		s.capped++
		return out
	}
	unusual, others := s.unusual(d, it)
	inWindow := o.Time.Before(d.learnedAt) // a held report may be judged after the window
	bi := model.BehaviourInfo{Started: d.started, Kind: kindNames[it.kind], Value: s.value(it), Learned: inWindow,
		Peer: peer, Evidence: evidence(o.Flow, server, zone, peerZone)}
	if !inWindow {
		bi.Events = append(bi.Events, kindEvents[it.kind])
	}
	if unusual {
		bi.Events = append(bi.Events, model.EventUnusualForClass)
		bi.Detail = fmt.Sprintf("no other of %d %s devices does", others, d.class)
	}
	d.items[it] = bi.Learned
	d.counts[it.kind]++
	s.nItems++
	if bi.Learned && d.inClassSet {
		s.byClass[d.class].items[it]++
	}
	s.events += uint64(len(bi.Events))
	if s.opts.OnEvent != nil {
		for _, typ := range bi.Events {
			s.emit = append(s.emit, &Event{Time: o.Time, Type: typ, Key: d.key, IP: ip, Class: d.class, Zone: zone,
				Item: bi, PeerZone: peerZone, Flow: *o.Flow, Server: server})
		}
	}
	return append(out, model.Observation{Kind: model.ObsBehaviour, Time: o.Time, Key: d.key, OuterVLAN: o.OuterVLAN,
		IP: ip, Behaviour: &bi})
}

// intern returns the id of a zone or protocol name (s.mu held).
func (s *Stage) intern(name string) uint32 {
	if id, ok := s.names[name]; ok {
		return id
	}
	id := uint32(len(s.nameList))
	s.nameList = append(s.nameList, name)
	s.names[name] = id
	return id
}

// value is an item's canonical text (model.BehaviourKind).
func (s *Stage) value(it item) string {
	switch it.kind {
	case kPeerZone, kProtocol:
		return s.nameList[it.name]
	case kExternalPeer:
		return netip.AddrFrom16(it.ip).Unmap().String()
	default:
		return ServiceText(it.proto, it.port)
	}
}

// ServiceText is the canonical text of a service: "tcp/443", "udp/53",
// "ip/47" (a protocol without ports).
func ServiceText(proto uint8, port uint16) string {
	var b [16]byte
	return string(appendService(b[:0], proto, port))
}

// appendService appends ServiceText(proto, port) to b.
func appendService(b []byte, proto uint8, port uint16) []byte {
	switch proto {
	case 6:
		return strconv.AppendUint(append(b, "tcp/"...), uint64(port), 10)
	case 17:
		return strconv.AppendUint(append(b, "udp/"...), uint64(port), 10)
	}
	return strconv.AppendUint(append(b, "ip/"...), uint64(proto), 10)
}

// protocolName is a flow's protocol item: its recognised service, else its
// transport.
func protocolName(f *model.FlowInfo) string {
	if f.Service != "" {
		return f.Service
	}
	switch f.Proto {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	}
	return "ip/" + strconv.Itoa(int(f.Proto))
}

// evidence describes the flow that showed an item:
// "10.1.2.3 -> 10.9.0.1 tcp/443 (https), zones pumps -> internet, tap1 vlan 20".
// It is built in one buffer: a baseline item is new for every device and
// peer, tens of thousands in a busy capture's first minutes.
func evidence(f *model.FlowInfo, server bool, zone, peerZone string) string {
	srcZone, dstZone := zone, peerZone
	if server {
		srcZone, dstZone = peerZone, zone
	}
	var buf [160]byte
	b := appendAddr(buf[:0], f.ClientIP)
	b = appendAddr(append(b, " -> "...), f.ServerIP)
	b = appendService(append(b, ' '), f.Proto, f.Port)
	if f.Service != "" {
		b = append(append(append(b, " ("...), f.Service...), ')')
	}
	if srcZone != "" || dstZone != "" {
		b = append(append(append(append(b, ", zones "...), orDash(srcZone)...), " -> "...), orDash(dstZone)...)
	}
	b = append(append(append(b, ", "...), f.Client.Vantage...), " vlan "...)
	b = strconv.AppendUint(b, uint64(f.Client.VLAN), 10)
	return string(b)
}

// appendAddr appends ip as ip.String() writes it (AppendTo writes nothing
// for the zero Addr).
func appendAddr(b []byte, ip netip.Addr) []byte {
	if !ip.IsValid() {
		return append(b, "invalid IP"...)
	}
	return ip.AppendTo(b)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// normKey is an asset key as the inventory keys assets.
func normKey(k model.AssetKey) model.AssetKey {
	if !k.MAC.IsZero() {
		k.IP = netip.Addr{}
	} else {
		k.IP = k.IP.Unmap()
	}
	return k
}
