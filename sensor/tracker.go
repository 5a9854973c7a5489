package sensor

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
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
}

type bindKey struct {
	vantage string
	vlan    uint16
	ip      netip.Addr
}

type bindState struct {
	mac     model.MAC
	emitted time.Time
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
// is new, changed, or due for a refresh.
func (t *tracker) binding(vantage string, vlan uint16, ip netip.Addr, mac model.MAC, ts time.Time) bool {
	bk := bindKey{vantage, vlan, ip}
	b := t.bindings[bk]
	if b == nil {
		if len(t.bindings) >= t.maxBindings {
			t.bindingCapHits++
			t.evictBinding()
		}
		t.bindings[bk] = &bindState{mac: mac, emitted: ts}
		t.shared.bind(vantage, vlan, ip, mac)
		return true
	}
	if b.mac != mac || ts.Sub(b.emitted) >= t.refreshEvery {
		b.mac, b.emitted = mac, ts
		t.shared.bind(vantage, vlan, ip, mac)
		return true
	}
	return false
}

// evictBinding drops the least recently reported of a few bindings (the
// store keeps it; a binding seen again is reported again).
func (t *tracker) evictBinding() {
	if victim, _, ok := sampleOldest(t.bindings, func(b *bindState) time.Time { return b.emitted }); ok {
		delete(t.bindings, victim)
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

// sent reports whether mac sent a frame here (is a tracked asset); MAC-less
// link types count as sent.
func (t *tracker) sent(vantage string, vlan uint16, mac model.MAC) bool {
	if mac.IsZero() {
		return true
	}
	return t.assets[model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}] != nil
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

// arp handles an ARP packet's sender binding.
func (t *tracker) arp(vantage string, vlan, outer uint16, a *layers.ARP, ts time.Time, n int, ethSrc model.MAC) {
	if a.AddrType != layers.LinkTypeEthernet || a.Protocol != layers.EthernetTypeIPv4 ||
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
	if !t.binding(vantage, vlan, ip, mac, ts) {
		return
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
	if !t.binding(key.Vantage, key.VLAN, ip, key.MAC, ts) {
		return
	}
	t.emit(model.Observation{Kind: model.ObsAddress, Time: ts, Key: key, OuterVLAN: outer, IP: ip, Source: src})
}

// dhcp handles a DHCPv4 message.
func (t *tracker) dhcp(vantage string, vlan, outer uint16, d *layers.DHCPv4, ts time.Time) {
	if d.HardwareType != layers.LinkTypeEthernet || d.HardwareLen != 6 || len(d.ClientHWAddr) < 6 {
		return
	}
	mac := model.MAC(d.ClientHWAddr[:6])
	if mac.IsGroup() || mac.IsZero() {
		return
	}
	relayed := len(d.RelayAgentIP) == 4 && !netip.AddrFrom4([4]byte(d.RelayAgentIP)).IsUnspecified()
	if relayed {
		// Seen between relay and server: the client's own VLAN is where
		// its MAC was seen directly, if it was.
		v, ok := t.shared.home.get(homeKey{vantage, mac})
		if !ok {
			t.dhcpUnplaced++
			return
		}
		vlan = v
	}
	key := model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}
	var msgType uint8
	for i := range d.Options {
		if d.Options[i].Type == layers.DHCPOptMessageType && len(d.Options[i].Data) == 1 {
			msgType = d.Options[i].Data[0]
		}
	}
	if d.Operation == layers.DHCPOpReply {
		if layers.DHCPMsgType(msgType) != layers.DHCPMsgTypeAck || len(d.YourClientIP) != 4 {
			return
		}
		ip := netip.AddrFrom4([4]byte(d.YourClientIP))
		if ip.IsUnspecified() {
			return // ACK to an INFORM carries no lease
		}
		st := t.assets[key]
		if st == nil {
			st = t.touch(key, outer, ts, 0)
			if st == nil {
				return
			}
		}
		if !t.binding(vantage, vlan, ip, mac, ts) {
			return
		}
		info := &model.DHCPInfo{MsgType: msgType, Overloaded: hasOption(d, layers.DHCPOptExtOptions)}
		fillRelay(info, d)
		t.emit(model.Observation{Kind: model.ObsDHCPAck, Time: ts, Key: key, OuterVLAN: outer, IP: ip, Source: model.SourceDHCPAck, DHCP: info})
		return
	}
	if d.Operation != layers.DHCPOpRequest {
		return
	}
	st := t.assets[key]
	if st == nil {
		st = t.touch(key, outer, ts, 0)
		if st == nil {
			return
		}
	}
	h := dhcpHash(d)
	if h == st.dhcpHash && ts.Sub(st.dhcpEmitted) < t.refreshEvery {
		return
	}
	st.dhcpHash, st.dhcpEmitted = h, ts
	info := &model.DHCPInfo{MsgType: msgType}
	var obsIP netip.Addr
	for i := range d.Options {
		o := &d.Options[i]
		switch o.Type {
		case layers.DHCPOptParamsRequest:
			info.ParamList = append([]byte(nil), o.Data...)
		case layers.DHCPOptMaxMessageSize:
			if len(o.Data) == 2 {
				info.MaxMsgSize = binary.BigEndian.Uint16(o.Data)
			}
		case layers.DHCPOptClassID:
			info.VendorClass = printable(o.Data)
		case layers.DHCPOptClientID:
			info.ClientID = append([]byte(nil), o.Data...)
		case layers.DHCPOptHostname:
			info.Hostname = printable(o.Data)
		case 81: // client FQDN: flags, rcode1, rcode2, name
			if len(o.Data) > 3 {
				info.FQDN = fqdnName(o.Data[0], o.Data[3:])
			}
		case layers.DHCPOptRequestIP:
			if len(o.Data) == 4 {
				info.RequestedIP = netip.AddrFrom4([4]byte(o.Data))
			}
		case layers.DHCPOptServerID:
			if len(o.Data) == 4 {
				info.ServerID = netip.AddrFrom4([4]byte(o.Data))
			}
		case layers.DHCPOptExtOptions:
			info.Overloaded = true
		}
	}
	fillRelay(info, d)
	if len(d.ClientIP) == 4 {
		obsIP = netip.AddrFrom4([4]byte(d.ClientIP))
	}
	t.emit(model.Observation{Kind: model.ObsDHCP, Time: ts, Key: key, OuterVLAN: outer, IP: obsIP, Source: dhcpSource(msgType), DHCP: info})
}

func hasOption(d *layers.DHCPv4, t layers.DHCPOpt) bool {
	for i := range d.Options {
		if d.Options[i].Type == t {
			return true
		}
	}
	return false
}

func fillRelay(info *model.DHCPInfo, d *layers.DHCPv4) {
	if len(d.RelayAgentIP) == 4 {
		info.RelayAgentIP = netip.AddrFrom4([4]byte(d.RelayAgentIP))
	}
	for i := range d.Options {
		o := &d.Options[i]
		if o.Type != 82 {
			continue
		}
		// Sub-options: code, length, value.
		b := o.Data
		for len(b) >= 2 {
			code, l := b[0], int(b[1])
			if len(b)-2 < l {
				break
			}
			switch code {
			case 1:
				info.RelayCircuitID = append([]byte(nil), b[2:2+l]...)
			case 2:
				info.RelayRemoteID = append([]byte(nil), b[2:2+l]...)
			}
			b = b[2+l:]
		}
	}
}

// dhcpHash hashes the fields of a client message that make its fingerprint
// (FNV-1a over options 12, 55, 57, 60, 61, 81, 82 and the message type).
func dhcpHash(d *layers.DHCPv4) uint64 {
	h := uint64(14695981039346656037)
	add := func(b byte) { h ^= uint64(b); h *= 1099511628211 }
	for i := range d.Options {
		o := &d.Options[i]
		switch o.Type {
		case layers.DHCPOptMessageType, layers.DHCPOptHostname, layers.DHCPOptParamsRequest, layers.DHCPOptMaxMessageSize,
			layers.DHCPOptClassID, layers.DHCPOptClientID, 81, 82:
			add(byte(o.Type))
			add(byte(len(o.Data)))
			for _, c := range o.Data {
				add(c)
			}
		}
	}
	return h
}

// dhcpSource names a DHCPv4 client message of type t.
func dhcpSource(t uint8) model.ObsSource {
	switch layers.DHCPMsgType(t) {
	case layers.DHCPMsgTypeDiscover:
		return model.SourceDHCPDiscover
	case layers.DHCPMsgTypeRequest:
		return model.SourceDHCPRequest
	case layers.DHCPMsgTypeInform:
		return model.SourceDHCPInform
	case layers.DHCPMsgTypeDecline:
		return model.SourceDHCPDecline
	case layers.DHCPMsgTypeRelease:
		return model.SourceDHCPRelease
	}
	return model.SourceDHCPOther
}

// printable returns b as a string with control and non-ASCII bytes replaced
// by '?', and at most 255 bytes: values from the wire go into the database
// and terminals.
func printable(b []byte) string {
	if len(b) > 255 {
		b = b[:255]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	return string(out)
}

// fqdnName decodes option 81's name: ASCII when the E flag (0x04) is clear,
// DNS wire format when set.
func fqdnName(flags byte, b []byte) string {
	if flags&0x04 == 0 {
		return printable(b)
	}
	var out []byte
	for len(b) > 0 {
		l := int(b[0])
		if l == 0 || len(b)-1 < l || l > 63 {
			break
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		out = append(out, b[1:1+l]...)
		b = b[1+l:]
	}
	return printable(out)
}
