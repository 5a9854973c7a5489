package sensor

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// sharedTables hold what every worker of a sensor must agree on, whichever
// worker saw the frame that taught it: which MAC an IP is bound to (ARP,
// DHCP ACK, IPv6 neighbour discovery), whether a MAC has bindings at all (a
// MAC with bindings, none to the flow's IP, is a router's), and the VLAN a
// MAC was first seen on (the home of a relayed DHCP client). Live capture
// with PACKET_FANOUT and multi-worker replay both split one link's frames
// over workers; these answers must not depend on the split.
//
// They also hold which MAC owns an IP on a vantage whatever its VLAN (a
// signal seen through a router goes to the owner of its source address),
// the IPv4 subnets learned on each VLAN (DHCP ACKs' subnet masks, directed
// broadcasts, ARP senders' and direct conversations' /24s) and how many IPv4 source addresses each MAC sent from (a
// MAC sending from MinRouterIPs or more is a router's).
//
// They are read when a flow, stream or signal is reported and written on
// ARP, DHCP and NDP frames, on a MAC's first frame on a worker and on its
// first packets from a new source address, never on the steady-state
// packet path. Sharded locks keep
// workers from contending; each table is bounded (a full shard drops an
// arbitrary entry, counted: capHits).
type sharedTables struct {
	binds   shardedMap[bindKey, model.MAC]
	bound   shardedMap[model.AssetKey, struct{}]
	home    shardedMap[homeKey, uint16]
	owner   shardedMap[ownerKey, ownerVal]
	subnets shardedMap[vlanKey, subnetSet]
	sources shardedMap[model.AssetKey, sourceSet]
	senders shardedMap[model.AssetKey, struct{}]
	// signals is when each signal value was last reported (capture time,
	// Unix ns): a value is reported once per refresh interval by the
	// sensor, not once per worker whose frames carried it.
	signals shardedMap[sigKey, int64]
}

// MinRouterIPs is how many IPv4 source addresses a MAC must send from to
// be taken for a router's by the sensor: no address of its is learned from
// traffic, and its signals go to the owners of their source addresses.
// (Whether a device is a router is the classifier's to say, from the
// flow.routed evidence: flows whose client MAC is bound to other
// addresses.)
const MinRouterIPs = 3

// maxSubnets bounds the subnets kept per VLAN.
const maxSubnets = 32

// ownerKey is an IP on a vantage, whatever its VLAN.
type ownerKey struct {
	vantage string
	ip      netip.Addr
}

type ownerVal struct {
	vlan uint16
	mac  model.MAC
}

type vlanKey struct {
	vantage string
	vlan    uint16
}

// subnetSet is the IPv4 subnets learned on one VLAN, oldest first.
type subnetSet struct {
	p [maxSubnets]subnet4
	n int
}

// subnet4 is an IPv4 prefix: the masked address and its length.
type subnet4 struct {
	base uint32
	bits uint8
}

func v4(ip netip.Addr) uint32 {
	b := ip.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (s subnet4) contains(a uint32) bool {
	return a&(^uint32(0)<<(32-s.bits)) == s.base
}

// sourceSet is the first IPv4 source addresses of one MAC.
type sourceSet struct {
	ip [MinRouterIPs]netip.Addr
	n  int
}

func newSharedTables(maxBindings, maxAssets, maxSignals int) *sharedTables {
	t := &sharedTables{}
	t.signals.init(maxSignals)
	t.binds.init(maxBindings)
	t.bound.init(maxAssets)
	t.home.init(maxAssets)
	t.owner.init(maxBindings)
	t.subnets.init(4096)
	t.sources.init(maxAssets)
	t.senders.init(maxAssets)
	return t
}

// bind records ip bound to mac on the VLAN. A binding learned from traffic
// alone (a frame's source address) does not make mac one with bindings: its
// other source addresses stay its own (hasBindings), as before it had one.
func (t *sharedTables) bind(vantage string, vlan uint16, ip netip.Addr, mac model.MAC, traffic bool) {
	t.binds.put(bindKey{vantage, vlan, ip}, mac)
	if !traffic {
		t.bound.put(model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}, struct{}{})
	}
	t.owner.put(ownerKey{vantage, ip}, ownerVal{vlan, mac})
}

// ownerOf returns the asset ip was last bound to on the vantage, on any
// VLAN.
func (t *sharedTables) ownerOf(vantage string, ip netip.Addr) (model.AssetKey, bool) {
	o, ok := t.owner.get(ownerKey{vantage, ip})
	return model.AssetKey{Vantage: vantage, VLAN: o.vlan, MAC: o.mac}, ok
}

// addSubnet records the IPv4 prefix p as a subnet of the VLAN unless a
// known one holds it; the known ones it holds are dropped, and a full set
// drops its oldest.
func (t *sharedTables) addSubnet(vantage string, vlan uint16, p netip.Prefix) {
	if !p.Addr().Is4() {
		return
	}
	k := vlanKey{vantage, vlan}
	n := subnet4{base: v4(p.Masked().Addr()), bits: uint8(p.Bits())}
	s, _ := t.subnets.get(k)
	kept := 0
	for i := 0; i < s.n; i++ {
		x := s.p[i]
		if x.bits <= n.bits && x.contains(n.base) {
			return
		}
		if !(n.bits <= x.bits && n.contains(x.base)) {
			s.p[kept] = x
			kept++
		}
	}
	s.n = kept
	if s.n == maxSubnets {
		copy(s.p[:], s.p[1:])
		s.n--
	}
	s.p[s.n] = n
	s.n++
	t.subnets.put(k, s)
}

// subnetOf reports whether the IPv4 address ip is in a subnet learned on
// the VLAN (in), and whether any subnet was learned there (known).
func (t *sharedTables) subnetOf(vantage string, vlan uint16, ip netip.Addr) (in, known bool) {
	s, ok := t.subnets.get(vlanKey{vantage, vlan})
	if !ok || s.n == 0 {
		return false, false
	}
	a := v4(ip)
	for i := 0; i < s.n; i++ {
		if s.p[i].contains(a) {
			return true, true
		}
	}
	return false, true
}

// noteSource records that the MAC of key sent from the IPv4 address ip and
// returns how many distinct addresses it sent from (at most MinRouterIPs).
func (t *sharedTables) noteSource(key model.AssetKey, ip netip.Addr) int {
	return t.sources.update(key, func(s *sourceSet) int {
		for i := 0; i < s.n; i++ {
			if s.ip[i] == ip {
				return s.n
			}
		}
		if s.n < len(s.ip) {
			s.ip[s.n] = ip
			s.n++
		}
		return s.n
	})
}

// router reports whether the MAC of key sent from MinRouterIPs or more
// IPv4 addresses.
func (t *sharedTables) router(key model.AssetKey) bool {
	s, ok := t.sources.get(key)
	return ok && s.n >= MinRouterIPs
}

// noteSender records that key's MAC sent a frame on its VLAN, seen by
// whichever worker; sentBy reports it. (A flow's client is on the link
// only if its MAC sent something: with several workers, the frames it sent
// and a flow's first packet towards it may be on different workers.)
// capHits returns how many entries the tables dropped to make room for new
// ones: those sized by limits.max_bindings (bindings, owners of addresses)
// and those sized by limits.max_assets (per-MAC facts, and the subnets of
// each VLAN).
func (t *sharedTables) capHits() (bindings, assets uint64) {
	bindings = t.binds.drops.Load() + t.owner.drops.Load()
	assets = t.bound.drops.Load() + t.home.drops.Load() + t.subnets.drops.Load() + t.sources.drops.Load() +
		t.senders.drops.Load()
	return bindings, assets
}

// signalRecent reports whether the signal k was reported within refresh
// before capture time ts (a capture time that went backwards counts as
// recent): a read lock, for every value a frame carries.
func (t *sharedTables) signalRecent(k sigKey, ts time.Time, refresh time.Duration) bool {
	at, ok := t.signals.get(k)
	return ok && reportedWithin(at, ts, refresh)
}

// claimSignal records the signal k as reported at ts unless it was
// reported within refresh before (by another worker since signalRecent),
// and reports whether it was recorded: the caller reports it then.
func (t *sharedTables) claimSignal(k sigKey, ts time.Time, refresh time.Duration) bool {
	return t.signals.update(k, func(at *int64) int {
		if *at != 0 && reportedWithin(*at, ts, refresh) {
			return 0
		}
		*at = ts.UnixNano()
		return 1
	}) == 1
}

// reportedWithin reports whether a report at Unix ns at is less than
// refresh before ts.
func reportedWithin(at int64, ts time.Time, refresh time.Duration) bool {
	return time.Duration(ts.UnixNano()-at) < refresh
}

// signalCapHits is how many signal values were forgotten for new ones.
func (t *sharedTables) signalCapHits() uint64 { return t.signals.drops.Load() }

func (t *sharedTables) noteSender(key model.AssetKey) { t.senders.put(key, struct{}{}) }

func (t *sharedTables) sentBy(key model.AssetKey) bool {
	_, ok := t.senders.get(key)
	return ok
}

// boundTo reports whether ip is bound to mac on the VLAN.
func (t *sharedTables) boundTo(vantage string, vlan uint16, ip netip.Addr, mac model.MAC) bool {
	m, ok := t.binds.get(bindKey{vantage, vlan, ip})
	return ok && m == mac
}

// hasBindings reports whether mac is bound to some IP on the VLAN by an
// ARP, DHCP or NDP message.
func (t *sharedTables) hasBindings(vantage string, vlan uint16, mac model.MAC) bool {
	_, ok := t.bound.get(model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac})
	return ok
}

const numShards = 32

type shardedMap[K comparable, V any] struct {
	seed   maphash.Seed
	max    int           // per shard
	drops  atomic.Uint64 // entries dropped for new ones (a full shard)
	shards [numShards]struct {
		mu sync.RWMutex
		m  map[K]V
	}
}

func (s *shardedMap[K, V]) init(limit int) {
	s.seed = maphash.MakeSeed()
	s.max = max(1, limit/numShards)
	for i := range s.shards {
		s.shards[i].m = make(map[K]V)
	}
}

func (s *shardedMap[K, V]) shard(k K) int {
	return int(maphash.Comparable(s.seed, k) % numShards)
}

// dropOne makes room in a full shard (its lock held): it drops an
// arbitrary entry, and counts it.
func (s *shardedMap[K, V]) dropOne(m map[K]V) {
	for old := range m {
		delete(m, old)
		break
	}
	s.drops.Add(1)
}

func (s *shardedMap[K, V]) get(k K) (V, bool) {
	sh := &s.shards[s.shard(k)]
	sh.mu.RLock()
	v, ok := sh.m[k]
	sh.mu.RUnlock()
	return v, ok
}

func (s *shardedMap[K, V]) put(k K, v V) {
	sh := &s.shards[s.shard(k)]
	sh.mu.Lock()
	if _, ok := sh.m[k]; !ok && len(sh.m) >= s.max {
		s.dropOne(sh.m)
	}
	sh.m[k] = v
	sh.mu.Unlock()
}

// update applies fn to k's value (the zero value if absent) under the
// shard's lock, stores the result and returns what fn returned.
func (s *shardedMap[K, V]) update(k K, fn func(*V) int) int {
	sh := &s.shards[s.shard(k)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	v, ok := sh.m[k]
	if !ok && len(sh.m) >= s.max {
		s.dropOne(sh.m)
	}
	n := fn(&v)
	sh.m[k] = v
	return n
}

// putIfAbsent stores v unless k has a value; it returns the value k has.
func (s *shardedMap[K, V]) putIfAbsent(k K, v V) V {
	sh := &s.shards[s.shard(k)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[k]; ok {
		return old
	}
	if len(sh.m) >= s.max {
		s.dropOne(sh.m)
	}
	sh.m[k] = v
	return v
}
