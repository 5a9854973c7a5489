package sensor

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// flowKey identifies a flow: (vantage, VLAN, client IP, server IP,
// protocol, server port). Direction is inferred once, when the flow is
// first seen.
type flowKey struct {
	vantage string
	vlan    uint16
	client  netip.Addr
	server  netip.Addr
	proto   uint8
	port    uint16
}

type flowState struct {
	clientMAC, serverMAC model.MAC
	outer                uint16
	first, last          time.Time // of the current interval
	pkts, bytes, conns   uint64    // deltas since the last report
	seen                 time.Time // last packet
	reported             time.Time // capture time of the last report
	// sigAt is when the signals of a TCP payload from the client [0] and
	// from the server [1] were last read (signalTable.tcp): a flow's
	// further messages within the refresh interval are not parsed again.
	sigAt [2]time.Time
}

// flowTable is one worker's bounded flow table. New flows are reported at
// once (so the policy sees them immediately); their counters once per
// activity interval. Flows idle longer than idle are evicted (counted). A
// full table evicts its longest-idle entry for a new flow rather than
// refuse it: a flood of allowed flows cannot hide a violating one.
type flowTable struct {
	m    map[flowKey]*flowState
	max  int
	idle time.Duration
	// reportEvery spaces a flow's counter reports (new flows are reported
	// at once): flow rows are about conversations, not packets.
	reportEvery time.Duration
	servers     func(port uint16) bool
	service     func(proto uint8, port uint16) string
	capHits     uint64 // new flows that found the table full (an entry was evicted for them)
	evicted     uint64 // entries evicted: idle, or for a new flow
	// known remembers server endpoints (IP, port) of flows already
	// oriented, so the other half of a routed flow, seen on another VLAN,
	// gets the same orientation even when both ports look alike (NTP
	// 123<->123). Bounded like the flow table.
	known map[netip.AddrPort]struct{}
}

func newFlowTable(max int, idle time.Duration, servers func(uint16) bool, service func(uint8, uint16) string) *flowTable {
	return &flowTable{m: make(map[flowKey]*flowState, 1024), max: max, idle: idle, reportEvery: time.Minute, servers: servers, service: service,
		known: make(map[netip.AddrPort]struct{}, 1024)}
}

// wellKnownServer reports whether p is a port servers listen on: the
// system ports and a few registered ones common in hospitals.
func wellKnownServer(p uint16) bool {
	if p < 1024 {
		return true
	}
	switch p {
	case 1433, 1521, 2575, 3306, 3389, 5432, 5060, 5061, 6661, 8080, 8443, 11112, 1883, 8883, 5671, 5672:
		return true
	}
	return false
}

// serviceName names well-known services for flow records.
func serviceName(proto uint8, port uint16) string {
	if proto == 17 {
		switch port {
		case 53:
			return "dns"
		case 67, 68:
			return "dhcp"
		case 123:
			return "ntp"
		case 161, 162:
			return "snmp"
		case 514:
			return "syslog"
		case 5060:
			return "sip"
		}
		return ""
	}
	switch port {
	case 22:
		return "ssh"
	case 53:
		return "dns"
	case 80, 8080:
		return "http"
	case 443, 8443:
		return "https"
	case 445:
		return "smb"
	case 389, 636:
		return "ldap"
	case 3389:
		return "rdp"
	}
	return ""
}

// packet accounts one TCP or UDP packet of f; emit receives new flows. It
// returns the flow and whether f came from its client (nil for packets
// that are not flows: multicast, broadcast, other protocols).
func (ft *flowTable) packet(w *worker, vantage string, f *Frame, ts time.Time, n int) (*flowState, bool) {
	proto := uint8(f.Proto)
	if proto != uint8(layers.IPProtocolTCP) && proto != uint8(layers.IPProtocolUDP) {
		return nil, false
	}
	if !f.SrcIP.IsValid() || !f.DstIP.IsValid() || f.DstIP.IsMulticast() || f.SrcIP.IsUnspecified() ||
		f.DstIP.IsUnspecified() || isBroadcast4(f.DstIP) {
		return nil, false
	}
	syn := proto == 6 && f.TCPFlags&2 != 0 && f.TCPFlags&16 == 0
	k := flowKey{vantage: vantage, vlan: f.VLAN, client: f.SrcIP, server: f.DstIP, proto: proto, port: f.DstPort}
	st := ft.m[k]
	fromClient := true
	if st == nil {
		rk := flowKey{vantage: vantage, vlan: f.VLAN, client: f.DstIP, server: f.SrcIP, proto: proto, port: f.SrcPort}
		if st = ft.m[rk]; st != nil {
			k, fromClient = rk, false
		}
	}
	if st == nil {
		if !ft.clientIsSrc(f, proto) {
			k = flowKey{vantage: vantage, vlan: f.VLAN, client: f.DstIP, server: f.SrcIP, proto: proto, port: f.SrcPort}
			fromClient = false
		}
		if len(ft.m) >= ft.max {
			// Never blind: a full table makes room for the new flow (which
			// the policy must judge) by evicting the least valuable entry,
			// the longest idle of a few, after reporting its counters.
			ft.capHits++
			ft.evictOne(w)
		}
		if len(ft.known) >= ft.max {
			clear(ft.known)
		}
		ft.known[netip.AddrPortFrom(k.server, k.port)] = struct{}{}
		st = &flowState{outer: f.OuterVLAN, first: ts, last: ts, seen: ts, pkts: 1, bytes: uint64(n), conns: 1}
		if fromClient {
			st.clientMAC, st.serverMAC = f.Src, f.Dst
		} else {
			st.clientMAC, st.serverMAC = f.Dst, f.Src
		}
		ft.m[k] = st
		if w.tr.sent(k.vantage, k.vlan, st.clientMAC) {
			ft.report(w, k, st)
		}
		// else: a client not seen sending yet, so not known to be on
		// the link (a one-way mirror, or its frames are on another
		// worker that is behind this one): the flow is reported at the
		// next sweep, when the other workers have caught up, rather than
		// now as a flow from a MAC that only received frames (which the
		// store attributes to an existing asset or drops).
		return st, fromClient
	}
	if st.pkts == 0 {
		st.first = ts
	}
	st.last, st.seen = ts, ts
	st.pkts++
	st.bytes += uint64(n)
	if syn && fromClient {
		st.conns++
	}
	return st, fromClient
}

func isBroadcast4(a netip.Addr) bool {
	return a.Is4() && a.As4() == [4]byte{255, 255, 255, 255}
}

// clientIsSrc infers the direction of a new flow from f: a SYN comes from
// the client, a SYN-ACK from the server; otherwise an endpoint already known
// as a server is the server, then the side on a server port, else the lower
// port.
func (ft *flowTable) clientIsSrc(f *Frame, proto uint8) bool {
	if proto == 6 && f.TCPFlags&2 != 0 {
		return f.TCPFlags&16 == 0
	}
	_, dk := ft.known[netip.AddrPortFrom(f.DstIP, f.DstPort)]
	_, sk := ft.known[netip.AddrPortFrom(f.SrcIP, f.SrcPort)]
	switch {
	case dk && !sk:
		return true
	case sk && !dk:
		return false
	}
	ds, ss := ft.servers(f.DstPort), ft.servers(f.SrcPort)
	switch {
	case ds && !ss:
		return true
	case ss && !ds:
		return false
	}
	return f.DstPort <= f.SrcPort
}

func (ft *flowTable) report(w *worker, k flowKey, st *flowState) {
	client := model.AssetKey{Vantage: k.vantage, VLAN: k.vlan, MAC: st.clientMAC}
	server := model.AssetKey{Vantage: k.vantage, VLAN: k.vlan, MAC: st.serverMAC}
	if client.MAC.IsZero() {
		client.IP = k.client
	}
	if server.MAC.IsZero() {
		server.IP = k.server
	}
	w.emit(model.Observation{
		Kind: model.ObsFlow, Time: st.last, First: st.first, Key: client, OuterVLAN: st.outer,
		Flow: &model.FlowInfo{
			Client: client, Server: server, ClientIP: k.client, ServerIP: k.server, Proto: k.proto, Port: k.port,
			ClientLocal: !w.tr.remote(k.vantage, k.vlan, k.client, st.clientMAC) && w.tr.sent(k.vantage, k.vlan, st.clientMAC),
			ServerLocal: !w.tr.remote(k.vantage, k.vlan, k.server, st.serverMAC),
			Service:     ft.service(k.proto, k.port), Packets: st.pkts, Bytes: st.bytes, Connections: st.conns, First: st.first,
		},
	})
	st.pkts, st.bytes, st.conns = 0, 0, 0
	st.reported = st.last
}

// evictSample is how many entries sampleOldest compares. Map iteration
// starts at a random entry, so this approximates least-recently-seen
// eviction (as Redis does) at a fixed cost per new entry.
const evictSample = 8

// sampleOldest returns the entry of m with the earliest time (by at) among
// evictSample of them; ok is false for an empty map.
func sampleOldest[K comparable, V any](m map[K]V, at func(V) time.Time) (key K, val V, ok bool) {
	n := 0
	for k, v := range m {
		if !ok || at(v).Before(at(val)) {
			key, val, ok = k, v, true
		}
		if n++; n == evictSample {
			break
		}
	}
	return key, val, ok
}

// evictOne removes the longest-idle of a few entries, reporting its pending
// counters first so nothing it counted is lost.
func (ft *flowTable) evictOne(w *worker) {
	victim, vst, ok := sampleOldest(ft.m, func(st *flowState) time.Time { return st.seen })
	if !ok {
		return
	}
	if vst.pkts > 0 {
		ft.report(w, victim, vst)
	}
	delete(ft.m, victim)
	ft.evicted++
}

// sweep reports pending counters (at most once per reportEvery, and always
// when now is zero: the final sweep) and evicts idle flows.
func (ft *flowTable) sweep(w *worker, now time.Time) {
	for k, st := range ft.m {
		idle := !now.IsZero() && now.Sub(st.seen) > ft.idle
		if st.pkts > 0 && (now.IsZero() || idle || now.Sub(st.reported) >= ft.reportEvery) {
			ft.report(w, k, st)
		}
		if idle {
			delete(ft.m, k)
			ft.evicted++
		}
	}
}
