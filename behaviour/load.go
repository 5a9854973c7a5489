package behaviour

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Item is a stored baseline item, as Load takes it.
type Item struct {
	Kind    model.BehaviourKind
	Value   string
	Learned bool
}

// Load adds a stored baseline (the store's baselines and baseline_items)
// before capture starts: the device's window began at started; its items
// are known, none is reported again. Items in a form this version does
// not read are skipped and returned as an error after the rest is loaded.
// Call Loaded once every baseline is loaded.
func (s *Stage) Load(key model.AssetKey, class model.Class, started time.Time, items []Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key = normKey(key)
	if s.devices[key] != nil {
		return fmt.Errorf("baseline of %s loaded twice", key)
	}
	if len(s.devices) >= s.opts.MaxAssets {
		s.refused++
		return nil
	}
	d := s.newDevice(key, started)
	d.class = class.OrUnknown()
	var bad []string
	for _, x := range items {
		it, ok := s.parse(x.Kind, x.Value)
		if !ok {
			bad = append(bad, string(x.Kind)+" "+strconv.Quote(x.Value))
			continue
		}
		if _, dup := d.items[it]; dup || int(d.counts[it.kind]) >= s.opts.MaxItems {
			continue
		}
		d.items[it] = x.Learned
		d.counts[it.kind]++
		s.nItems++
	}
	if bad != nil {
		return fmt.Errorf("baseline of %s: items not understood: %s", key, strings.Join(bad, ", "))
	}
	return nil
}

// Loaded orders the learning windows after Load.
func (s *Stage) Loaded() {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.SortStableFunc(s.learning, func(a, b *device) int { return a.learnedAt.Compare(b.learnedAt) })
}

// parse reads an item's canonical text (s.mu held).
func (s *Stage) parse(k model.BehaviourKind, v string) (item, bool) {
	switch k {
	case model.BehaviourPeerZone:
		return item{kind: kPeerZone, name: s.intern(v)}, v != ""
	case model.BehaviourProtocol:
		return item{kind: kProtocol, name: s.intern(v)}, v != ""
	case model.BehaviourExternalPeer:
		ip, err := netip.ParseAddr(v)
		return item{kind: kExternalPeer, ip: ip.Unmap().As16()}, err == nil
	case model.BehaviourService, model.BehaviourServed:
		proto, port, ok := ParseService(v)
		kd := kService
		if k == model.BehaviourServed {
			kd = kServed
		}
		return item{kind: kd, proto: proto, port: port}, ok
	}
	return item{}, false
}

// ParseService reads ServiceText's form.
func ParseService(v string) (proto uint8, port uint16, ok bool) {
	p, n, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, false
	}
	x, err := strconv.ParseUint(n, 10, 16)
	if err != nil {
		return 0, 0, false
	}
	switch p {
	case "tcp":
		return 6, uint16(x), true
	case "udp":
		return 17, uint16(x), true
	case "ip":
		if x > 255 {
			return 0, 0, false
		}
		return uint8(x), 0, true
	}
	return 0, 0, false
}
