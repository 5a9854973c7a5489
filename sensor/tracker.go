package sensor

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/dhcp"
)

// tracker is one worker's view of the assets it has seen. It turns packets
// into observations, emitting only what is new: a new asset at once, its
// traffic counters once per activity interval, a binding or DHCP fingerprint
// when it changes (or again after the refresh interval, to move last-seen
// times along). Steady-state packets from known assets update two counters
// and a timestamp: no allocation, no channel send.
type tracker struct {
	emit func(model.Observation)

	activityEvery time.Duration
	refreshEvery  time.Duration
	maxAssets     int
	maxBindings   int

	assets   map[model.AssetKey]*assetState
	bindings map[bindKey]*bindState
	shared   *sharedTables // bindings and home VLANs, shared by every worker of the sensor

	lastSweep time.Time
	relays    relayHold // relayed DHCP waiting for its client (relayhold.go)

	// The new-asset budget: a token bucket in capture time. A flood of
	// random source MACs (ARP or anything else) spends it; past it new
	// MACs are counted, not tracked or reported, so one flood cannot grow
	// the inventory without bound.
	newBurst  float64
	newRate   float64 // tokens per second
	tokens    float64
	tokensAt  time.Time
	flooding  bool      // a flood episode is under way
	lastDeny  time.Time // last new MAC refused
	floodFrom time.Time // start of the episode

	// counters
	assetCapHits   uint64 // new assets that found the table full (an idle one was evicted for each)
	assetEvicted   uint64
	bindingCapHits uint64 // new bindings that found the table full (an old one was evicted for each)
	dhcpUnplaced   uint64
	floodRefused   uint64 // new MACs refused by the new-asset budget
	floods         uint64 // flood episodes (a mac-flood each)
}

// floodQuiet ends a flood episode: this long without a refused new MAC.
const floodQuiet = time.Minute

type assetState struct {
	first, last time.Time // since the last activity emission
	pkts, bytes uint64
	outerVLAN   uint16
	dhcpHash    uint64
	dhcpEmitted time.Time
	// src4 is the IPv4 source address of the asset's last frame that had
	// one, checked at src4At (see sourceIP); router is set once its MAC
	// sent from MinRouterIPs addresses.
	src4   netip.Addr
	src4At time.Time
	router bool
}

type bindKey struct {
	vantage string
	vlan    uint16
	ip      netip.Addr
}

type bindState struct {
	mac     model.MAC
	emitted time.Time
	traffic bool // learned from the traffic's source address only (no ARP, DHCP or NDP message)
	// The latest sighting (reported or not, within the refresh interval)
	// and when it was. A binding seen since it was last reported is
	// reported once more, as of its latest sighting, when the worker
	// stops or the binding is evicted (settleBindings): the store's last
	// seen times and sources are then those of the last message.
	seen time.Time
	last sighting
}

// sighting is what binding records of a message that showed a binding:
// the kind and source of observation it made, and its outer VLAN.
type sighting struct {
	kind  model.ObsKind
	src   model.ObsSource
	outer uint16
}

type homeKey struct {
	vantage string
	mac     model.MAC
}

func newTracker(emit func(model.Observation), shared *sharedTables, activityEvery, refreshEvery time.Duration, maxAssets, maxBindings int, newBurst int, newRate float64) *tracker {
	return &tracker{
		shared:        shared,
		newBurst:      float64(newBurst),
		newRate:       newRate,
		tokens:        float64(newBurst),
		emit:          emit,
		activityEvery: activityEvery,
		refreshEvery:  refreshEvery,
		maxAssets:     maxAssets,
		maxBindings:   maxBindings,
		assets:        make(map[model.AssetKey]*assetState, 1024),
		bindings:      make(map[bindKey]*bindState, 1024),
	}
}

// touch records one packet from key. It returns nil when the asset table is
// full and key is new.
func (t *tracker) touch(key model.AssetKey, outer uint16, ts time.Time, n int) *assetState {
	st := t.assets[key]
	if st == nil {
		if !t.admitNew(key, ts) {
			return nil
		}
		if len(t.assets) >= t.maxAssets {
			// Never blind: make room for the new device by evicting the
			// longest-idle asset (its row stays in the store; if it comes
			// back it is tracked again).
			t.assetCapHits++
			t.evictAsset()
		}
		st = &assetState{first: ts, last: ts, bytes: uint64(n), outerVLAN: outer}
		if n > 0 { // a station named in an ARP or DHCP payload sent no frame yet
			st.pkts = 1
		}
		t.assets[key] = st
		if !key.MAC.IsZero() {
			hk := homeKey{key.Vantage, key.MAC}
			t.shared.home.putIfAbsent(hk, key.VLAN)
			t.shared.noteSender(key)
		}
		// A new asset is reported at once so its first-seen time is exact.
		t.emitActivity(key, st)
		return st
	}
	if st.pkts == 0 {
		st.first = ts
	}
	st.last = ts
	st.pkts++
	st.bytes += uint64(n)
	return st
}

// admitNew spends one token of the new-asset budget. Without one the new
// MAC is refused and counted; the first refusal of an episode reports a
// mac-flood, and an episode ends after floodQuiet without refusals. Assets
// keyed by IP (MAC-less links) are not budgeted.
func (t *tracker) admitNew(key model.AssetKey, ts time.Time) bool {
	if t.newRate <= 0 || key.MAC.IsZero() {
		return true
	}
	if !t.tokensAt.IsZero() && ts.After(t.tokensAt) {
		t.tokens = min(t.newBurst, t.tokens+ts.Sub(t.tokensAt).Seconds()*t.newRate)
	}
	t.tokensAt = ts
	if t.flooding && ts.Sub(t.lastDeny) >= floodQuiet {
		t.flooding = false
	}
	if t.tokens >= 1 {
		t.tokens--
		return true
	}
	t.floodRefused++
	t.lastDeny = ts
	if !t.flooding {
		t.flooding, t.floodFrom = true, ts
		t.floods++
		t.emit(model.Observation{Kind: model.ObsMACFlood, Time: ts, Key: key, Source: model.SourceNewAssetBudget})
	}
	return false
}

// evictAsset removes the longest-idle of a few assets, reporting its
// pending activity first.
func (t *tracker) evictAsset() {
	victim, vst, ok := sampleOldest(t.assets, func(st *assetState) time.Time { return st.last })
	if !ok {
		return
	}
	if vst.pkts > 0 {
		t.emitActivity(victim, vst)
	}
	delete(t.assets, victim)
	t.assetEvicted++
}

func (t *tracker) emitActivity(key model.AssetKey, st *assetState) {
	t.emit(model.Observation{
		Kind: model.ObsActivity, Time: st.last, First: st.first, Key: key,
		OuterVLAN: st.outerVLAN, Packets: st.pkts, Bytes: st.bytes,
	})
	st.pkts, st.bytes = 0, 0
}

// maybeSweep emits the activity counters of every asset that sent traffic
// since the last sweep, once per activity interval of capture time. It
// reports whether it swept.
func (t *tracker) maybeSweep(now time.Time) bool {
	if t.lastSweep.IsZero() {
		t.lastSweep = now
		return false
	}
	if now.Sub(t.lastSweep) < t.activityEvery {
		return false
	}
	t.sweep()
	t.retryHeld(now, false)
	t.lastSweep = now
	return true
}

// sweep emits all pending activity.
func (t *tracker) sweep() {
	for k, st := range t.assets {
		if st.pkts > 0 {
			t.emitActivity(k, st)
		}
	}
}

// binding reports ip bound to mac; it emits an observation when the binding
// is new, changed, or due for a refresh. traffic says it comes from a
// frame's source address only: a binding learned so is reported again as
// soon as an ARP, DHCP or NDP message shows it.
func (t *tracker) binding(vantage string, vlan uint16, ip netip.Addr, mac model.MAC, ts time.Time, s sighting) bool {
	bk := bindKey{vantage, vlan, ip}
	traffic := s.src == model.SourceTraffic
	b := t.bindings[bk]
	if b == nil {
		if len(t.bindings) >= t.maxBindings {
			t.bindingCapHits++
			t.evictBinding()
		}
		t.bindings[bk] = &bindState{mac: mac, emitted: ts, traffic: traffic, seen: ts, last: s}
		t.shared.bind(vantage, vlan, ip, mac, traffic)
		return true
	}
	if !ts.Before(b.seen) || b.mac != mac {
		b.seen, b.last = ts, s
	}
	if b.mac != mac || ts.Sub(b.emitted) >= t.refreshEvery || (b.traffic && !traffic) {
		b.mac, b.emitted, b.traffic = mac, ts, traffic
		t.shared.bind(vantage, vlan, ip, mac, traffic)
		return true
	}
	return false
}

// evictBinding drops the least recently reported of a few bindings (the
// store keeps it; a binding seen again is reported again), reporting its
// latest sighting first if that was not reported.
func (t *tracker) evictBinding() {
	if victim, b, ok := sampleOldest(t.bindings, func(b *bindState) time.Time { return b.emitted }); ok {
		t.settleBinding(victim, b)
		delete(t.bindings, victim)
	}
}

// settleBindings reports the latest sighting of every binding seen again
// since it was last reported (a sighting within the refresh interval is
// not reported at once): at the end of a capture, or when the sensor
// stops, the store has the last time and message each binding was seen
// in, whichever worker saw it.
func (t *tracker) settleBindings() {
	for bk, b := range t.bindings {
		t.settleBinding(bk, b)
	}
}

// settleBinding reports b's latest sighting if it was not reported. The
// device's own frames count as a sighting too: when its last IPv4
// source address was this one, its last frame is reported (as traffic,
// which moves the address's last-seen time along but never names its
// source) after the last message.
func (t *tracker) settleBinding(bk bindKey, b *bindState) {
	if m, ok := t.shared.binds.get(bk); ok && m != b.mac {
		return // the address moved since, seen by another worker: its report is the newer
	}
	key := model.AssetKey{Vantage: bk.vantage, VLAN: bk.vlan, MAC: b.mac}
	if b.seen.After(b.emitted) {
		b.emitted = b.seen
		t.emit(model.Observation{Kind: b.last.kind, Time: b.seen, Key: key, OuterVLAN: b.last.outer, IP: bk.ip, Source: b.last.src})
	}
	if st := t.assets[key]; st != nil && st.src4 == bk.ip && st.last.After(b.emitted) {
		b.emitted = st.last
		t.emit(model.Observation{Kind: model.ObsAddress, Time: st.last, Key: key, OuterVLAN: b.last.outer, IP: bk.ip,
			Source: model.SourceTraffic})
	}
}

// boundTo reports whether this worker saw ip bound to mac (ARP, DHCP ACK,
// IPv6 neighbour discovery) on the VLAN: the MAC is the device's own.
func (t *tracker) boundTo(vantage string, vlan uint16, ip netip.Addr, mac model.MAC) bool {
	if mac.IsZero() {
		return true // link types without MACs: the IP is the identity
	}
	return t.shared.boundTo(vantage, vlan, ip, mac)
}

// sent reports whether mac sent a frame on the VLAN, seen by this worker
// (a tracked asset) or another (sharedTables.sentBy); MAC-less link types
// count as sent.
func (t *tracker) sent(vantage string, vlan uint16, mac model.MAC) bool {
	if mac.IsZero() {
		return true
	}
	key := model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}
	return t.assets[key] != nil || t.shared.sentBy(key)
}

// remote reports whether mac is known to be some other IP's (a router
// forwarding for ip): it has bindings, none of them to ip. A MAC with no
// binding at all is given the benefit of the doubt.
func (t *tracker) remote(vantage string, vlan uint16, ip netip.Addr, mac model.MAC) bool {
	if mac.IsZero() || t.boundTo(vantage, vlan, ip, mac) {
		return false
	}
	return t.shared.hasBindings(vantage, vlan, mac)
}

// sourceIP looks at the IPv4 source address of a frame f from the tracked
// asset key (state st). Once the MAC has sent from MinRouterIPs addresses
// it is a router's and nothing more is looked at. Otherwise a unicast
// address inside a subnet learned on the VLAN, not bound to another MAC
// and not already bound to this one by ARP, DHCP or NDP, is reported as
// the asset's (model.SourceTraffic); a unicast frame between two addresses
// of one /24 teaches that /24 (routed traffic has a router's MAC on one
// end and, from another subnet, addresses that differ). Steady state: one
// comparison, and a check again once per refresh interval.
func (t *tracker) sourceIP(key model.AssetKey, outer uint16, f *Frame, ts time.Time, st *assetState) {
	ip := f.SrcIP
	if st.router || (ip == st.src4 && ts.Sub(st.src4At) < t.refreshEvery) {
		return
	}
	changed := ip != st.src4
	st.src4, st.src4At = ip, ts
	if !unicast4(ip) {
		return
	}
	if changed && t.shared.noteSource(key, ip) >= MinRouterIPs {
		st.router = true
		return
	}
	bk := bindKey{key.Vantage, key.VLAN, ip}
	if b := t.bindings[bk]; b != nil && b.mac == key.MAC && !b.traffic {
		return // ARP or DHCP keep it fresh
	}
	in, _ := t.shared.subnetOf(key.Vantage, key.VLAN, ip)
	if !in {
		if p, ok := subnetFromFrame(ip, f); ok {
			t.learnSubnet(key.Vantage, key.VLAN, p)
			in = p.Contains(ip)
		}
	}
	if !in {
		// The VLAN's subnet may be learned later (an ARP, a DHCP ACK, a
		// conversation): look again in a second rather than a refresh
		// interval.
		st.src4At = ts.Add(subnetRecheck - t.refreshEvery)
		return
	}
	if m, ok := t.shared.binds.get(bk); (ok && m != key.MAC) || t.remote(key.Vantage, key.VLAN, ip, key.MAC) {
		return // another station's address, or a router's MAC
	}
	if !t.binding(key.Vantage, key.VLAN, ip, key.MAC, ts, sighting{model.ObsAddress, model.SourceTraffic, outer}) {
		return
	}
	t.emit(model.Observation{Kind: model.ObsAddress, Time: ts, Key: key, OuterVLAN: outer, IP: ip, Source: model.SourceTraffic})
}

// subnetFromFrame returns the subnet a frame from ip shows: a directed
// broadcast (to the subnet's all-ones address, on the broadcast MAC) gives
// the subnet itself; a unicast frame to an address of the same /24 that /24
// (hosts of one /24 are on one link unless a router's MAC is in between, and
// routed traffic comes from other subnets).
func subnetFromFrame(ip netip.Addr, f *Frame) (netip.Prefix, bool) {
	dst := f.DstIP
	if !dst.Is4() || dst.IsMulticast() || isBroadcast4(dst) {
		return netip.Prefix{}, false
	}
	if f.Dst == (model.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
		// The shortest prefix the two addresses share whose host part of
		// the destination is all ones.
		s, d := v4(ip), v4(dst)
		for bits := 8; bits <= 30 && (s^d)>>(32-bits) == 0; bits++ {
			if host := ^uint32(0) >> bits; d&host == host {
				p, _ := ip.Prefix(bits)
				return p, true
			}
		}
		return netip.Prefix{}, false
	}
	if f.Dst.IsGroup() || !unicast4(dst) {
		return netip.Prefix{}, false
	}
	if p := netip.PrefixFrom(ip, 24).Masked(); p.Contains(dst) {
		return p, true
	}
	return netip.Prefix{}, false
}

// subnetRecheck is how soon sourceIP looks again at an address that was
// in no subnet known on its VLAN.
const subnetRecheck = time.Second

// unicast4 reports whether ip is a unicast IPv4 address a device can have
// (not 0.0.0.0, loopback, link-local, multicast or broadcast).
func unicast4(ip netip.Addr) bool {
	return ip.Is4() && ip.IsGlobalUnicast() && !isBroadcast4(ip)
}

// learnSubnet records p (an ACK's subnet, an ARP sender's /24) as local to
// the VLAN. Only plausible LAN prefixes (/8 to /30) of unicast addresses
// count.
func (t *tracker) learnSubnet(vantage string, vlan uint16, p netip.Prefix) {
	if !p.IsValid() || p.Bits() < 8 || p.Bits() > 30 || !unicast4(p.Addr()) {
		return
	}
	t.shared.addSubnet(vantage, vlan, p.Masked())
}

// arp handles an ARP packet's sender binding.
func (t *tracker) arp(vantage string, vlan, outer uint16, a *layers.ARP, ts time.Time, n int, ethSrc model.MAC) {
	// Hardware type 1 (Ethernet) or 6 (IEEE 802, as ARP in 802.2 LLC/SNAP
	// framing has it: RFC 1042).
	if (a.AddrType != layers.LinkTypeEthernet && a.AddrType != 6) || a.Protocol != layers.EthernetTypeIPv4 ||
		len(a.SourceHwAddress) != 6 || len(a.SourceProtAddress) != 4 || len(a.DstProtAddress) != 4 {
		return
	}
	mac := model.MAC(a.SourceHwAddress)
	if mac.IsGroup() || mac.IsZero() {
		return
	}
	key := model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}
	switch {
	case mac != ethSrc:
		// Sender hardware address differs from the frame source (proxy
		// ARP, or a crafted packet): the sender is a station too, admitted
		// like any new asset.
		if t.touch(key, outer, ts, 0) == nil {
			return
		}
	case t.assets[key] == nil:
		// The frame source was just refused (asset table or new-asset
		// budget): no binding for an untracked MAC, or an ARP flood would
		// bypass every bound.
		return
	}
	ip := netip.AddrFrom4([4]byte(a.SourceProtAddress))
	if ip.IsUnspecified() {
		return // an address probe (RFC 5227): not a binding
	}
	target := netip.AddrFrom4([4]byte(a.DstProtAddress))
	src := model.SourceARPRequest
	grat := ip == target
	switch {
	case grat:
		src = model.SourceARPGratuitous
	case a.Operation == layers.ARPReply:
		src = model.SourceARPReply
	}
	if !t.binding(vantage, vlan, ip, mac, ts, sighting{model.ObsARP, src, outer}) {
		return
	}
	t.learnSubnet(vantage, vlan, netip.PrefixFrom(ip, 24))
	t.emit(model.Observation{
		Kind: model.ObsARP, Time: ts, Key: model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac},
		OuterVLAN: outer, IP: ip, Source: src,
		ARP: &model.ARPInfo{Op: a.Operation, Gratuitous: grat, TargetIP: target},
	})
}

// address reports an IPv6 address in use by an asset.
func (t *tracker) address(key model.AssetKey, outer uint16, ip netip.Addr, src model.ObsSource, ts time.Time) {
	if t.assets[key] == nil {
		return // not tracked (refused): no address either
	}
	if !t.binding(key.Vantage, key.VLAN, ip, key.MAC, ts, sighting{model.ObsAddress, src, outer}) {
		return
	}
	t.emit(model.Observation{Kind: model.ObsAddress, Time: ts, Key: key, OuterVLAN: outer, IP: ip, Source: src})
}

// dhcp handles a DHCPv4 message: an ACK binds its lease to the client, a
// client message reports the client's fingerprint when it changed (or is
// due for a refresh). The option parsing is package dhcp's.
func (t *tracker) dhcp(vantage string, vlan, outer uint16, d *layers.DHCPv4, ts time.Time) {
	mac, ok := dhcp.ClientMAC(d)
	if !ok {
		return
	}
	if dhcp.Relayed(d) {
		// Seen between relay and server: the client's own VLAN is where
		// its MAC was seen directly, if it was.
		v, ok := t.shared.home.get(homeKey{vantage, mac})
		if !ok {
			t.hold(vantage, outer, d, ts) // perhaps another worker has not read the client's frame yet
			return
		}
		vlan = v
	}
	key := model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}
	msgType := dhcp.MsgType(d)
	switch d.Operation {
	case layers.DHCPOpReply:
		ip, ok := dhcp.LeasedIP(d, msgType)
		if !ok || t.known(key, outer, ts) == nil || !t.binding(vantage, vlan, ip, mac, ts, sighting{model.ObsDHCPAck, model.SourceDHCPAck, outer}) {
			return
		}
		if p, ok := dhcp.Subnet(d, ip); ok {
			t.learnSubnet(vantage, vlan, p)
		}
		t.emit(model.Observation{Kind: model.ObsDHCPAck, Time: ts, Key: key, OuterVLAN: outer, IP: ip,
			Source: model.SourceDHCPAck, DHCP: dhcp.AckInfo(d, msgType)})
	case layers.DHCPOpRequest:
		st := t.known(key, outer, ts)
		if st == nil {
			return
		}
		h := dhcp.Fingerprint(d)
		if h == st.dhcpHash && ts.Sub(st.dhcpEmitted) < t.refreshEvery {
			return
		}
		st.dhcpHash, st.dhcpEmitted = h, ts
		t.emit(model.Observation{Kind: model.ObsDHCP, Time: ts, Key: key, OuterVLAN: outer, IP: dhcp.ClientIP(d),
			Source: dhcp.Source(msgType), DHCP: dhcp.ClientInfo(d, msgType)})
	}
}

// known returns the state of key, tracking it first if it is new (nil when
// the asset table refuses it).
func (t *tracker) known(key model.AssetKey, outer uint16, ts time.Time) *assetState {
	if st := t.assets[key]; st != nil {
		return st
	}
	return t.touch(key, outer, ts, 0)
}
