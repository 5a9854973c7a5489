package sensor

import (
	"hash/maphash"
	"net/netip"
	"sync"

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
// They are read when a flow or stream is reported and written on ARP, DHCP
// and NDP frames, never on the steady-state packet path. Sharded locks keep
// workers from contending; each table is bounded (a full shard drops an
// arbitrary entry).
type sharedTables struct {
	binds shardedMap[bindKey, model.MAC]
	bound shardedMap[model.AssetKey, struct{}]
	home  shardedMap[homeKey, uint16]
}

func newSharedTables(maxBindings, maxAssets int) *sharedTables {
	t := &sharedTables{}
	t.binds.init(maxBindings)
	t.bound.init(maxAssets)
	t.home.init(maxAssets)
	return t
}

// bind records ip bound to mac on the VLAN.
func (t *sharedTables) bind(vantage string, vlan uint16, ip netip.Addr, mac model.MAC) {
	t.binds.put(bindKey{vantage, vlan, ip}, mac)
	t.bound.put(model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac}, struct{}{})
}

// boundTo reports whether ip is bound to mac on the VLAN.
func (t *sharedTables) boundTo(vantage string, vlan uint16, ip netip.Addr, mac model.MAC) bool {
	m, ok := t.binds.get(bindKey{vantage, vlan, ip})
	return ok && m == mac
}

// hasBindings reports whether mac is bound to some IP on the VLAN.
func (t *sharedTables) hasBindings(vantage string, vlan uint16, mac model.MAC) bool {
	_, ok := t.bound.get(model.AssetKey{Vantage: vantage, VLAN: vlan, MAC: mac})
	return ok
}

const numShards = 32

type shardedMap[K comparable, V any] struct {
	seed   maphash.Seed
	max    int // per shard
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
		for old := range sh.m { // bounded: drop an arbitrary entry
			delete(sh.m, old)
			break
		}
	}
	sh.m[k] = v
	sh.mu.Unlock()
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
		for old := range sh.m {
			delete(sh.m, old)
			break
		}
	}
	sh.m[k] = v
	return v
}
