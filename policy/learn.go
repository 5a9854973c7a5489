package policy

import (
	"bytes"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ObservedFlow is a flow seen during a learning window, with its totals.
type ObservedFlow struct {
	Src, Dst                    Endpoint
	Proto                       uint8
	Port                        uint16 // server port (TCP/UDP)
	Packets, Bytes, Connections uint64
	// Conv, when not zero, names the conversation the flow is a copy of:
	// a routed flow is seen (and stored, and judged live) once per VLAN it
	// crosses, and its copies share a Conv. Simulate counts the copies
	// that get the same verdict as one flow.
	Conv uint64
}

func (o *ObservedFlow) flow() Flow {
	return Flow{Src: o.Src, Dst: o.Dst, Proto: o.Proto, Port: o.Port}
}

type counts struct {
	flows                       int
	connections, packets, bytes uint64
}

func (c *counts) add(o *ObservedFlow) {
	c.flows++
	c.connections += o.Connections
	c.packets += o.Packets
	c.bytes += o.Bytes
}

func (c *counts) addCounts(o counts) {
	c.flows += o.flows
	c.connections += o.connections
	c.packets += o.packets
	c.bytes += o.bytes
}

func (c counts) String() string {
	return fmt.Sprintf("%s, %s, %s, %s", plural(uint64(c.flows), "flow"), plural(c.connections, "connection"),
		plural(c.packets, "packet"), plural(c.bytes, "byte"))
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatUint(n, 10) + " " + what + "s"
}

// svcKey is one observed service: TCP/UDP and a port, or another IP
// protocol (port 0).
type svcKey struct {
	proto uint8
	port  uint16
}

func keyOf(proto uint8, port uint16) svcKey {
	if proto != protoTCP && proto != protoUDP {
		port = 0
	}
	return svcKey{proto, port}
}

// Learn proposes an allow-list policy from observed flows, as YAML for a
// human to review. The output is deterministic (the same flows in any order
// give the same bytes), parses with Parse, allows every flow it was learned
// from and alerts on everything else (default: alert).
//
// Zones are base's (copied verbatim, in base's order) when base is not nil;
// otherwise one zone per VLAN seen on endpoints that are not internet
// addresses ("vlan20": vlans [20]), with the subnets (IPv4 /24, IPv6 /64)
// of the private client addresses seen on that VLAN and no other as cidrs.
// Clients' VLANs are their own, while the server end of a routed flow
// carries the client's VLAN (see Endpoint); the subnets place it. A server
// whose subnet has no client falls back to the frame's VLAN: give a base
// policy with cidrs for such networks. Either way endpoints are classified
// exactly as the proposed policy will classify them, so the built-in zones
// (internet, unzoned) appear in rules where needed.
//
// There is one rule per (source zone, destination zone) pair, in zone
// order, listing the services seen: named services where every port of the
// name was seen, then tcp/udp ports (consecutive ports merged into ranges)
// and ip/N for other protocols. Comments give the counts behind each rule
// and each service.
func Learn(flows []ObservedFlow, base *Policy) []byte {
	var zones []ZoneInfo
	if base != nil {
		for _, z := range base.ZoneInfos() {
			if !z.Builtin {
				zones = append(zones, z)
			}
		}
	} else {
		zones = vlanZones(flows)
	}

	var zb bytes.Buffer
	writeZones(&zb, zones)
	pol, err := Parse(zb.Bytes(), "learned zones")
	if err != nil {
		// Zones come from a valid policy or from VLAN ids: this is a bug.
		panic("policy: Learn: " + err.Error())
	}

	type pair struct{ src, dst int }
	groups := map[pair]map[svcKey]*counts{}
	var total counts
	for i := range flows {
		o := &flows[i]
		total.add(o)
		pr := pair{pol.zoneOf(&o.Src), pol.zoneOf(&o.Dst)}
		g := groups[pr]
		if g == nil {
			g = map[svcKey]*counts{}
			groups[pr] = g
		}
		k := keyOf(o.Proto, o.Port)
		c := g[k]
		if c == nil {
			c = &counts{}
			g[k] = c
		}
		c.add(o)
	}
	pairs := make([]pair, 0, len(groups))
	for pr := range groups {
		pairs = append(pairs, pr)
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].src != pairs[j].src {
			return pairs[i].src < pairs[j].src
		}
		return pairs[i].dst < pairs[j].dst
	})

	var b bytes.Buffer
	fmt.Fprintf(&b, "# Segmentation policy proposed by wardwatch from %s.\n", total)
	b.WriteString(`#
# Every rule allows traffic that was seen while learning, and "default:
# alert" flags everything else. Review each rule before use: what was seen
# is not necessarily what is wanted (the learning window may hold a
# violation), and narrow or delete what should not be allowed. Counts are
# totals over the learning window.

default: alert

`)
	b.Write(zb.Bytes())
	if len(pairs) == 0 {
		b.WriteString("\nrules: []\n")
		return b.Bytes()
	}
	b.WriteString("\nrules:\n")
	used := map[string]bool{}
	for _, pr := range pairs {
		src, dst := pol.zones[pr.src].Name, pol.zones[pr.dst].Name
		items := serviceItems(groups[pr])
		var sum counts
		for _, it := range items {
			sum.addCounts(it.counts)
		}
		fmt.Fprintf(&b, "  # %s -> %s: %s; %s.\n", src, dst, plural(uint64(len(items)), "service"), sum)
		fmt.Fprintf(&b, "  - name: %s\n", plainOrQuoted(uniqueName(src+"-to-"+dst, used)))
		fmt.Fprintf(&b, "    from: %s\n    to: %s\n    services:\n", plainOrQuoted(src), plainOrQuoted(dst))
		width := 0
		for _, it := range items {
			width = max(width, len(it.text))
		}
		for _, it := range items {
			fmt.Fprintf(&b, "      - %-*s  # %s: %s\n", width, it.text, it.detail, it.counts)
		}
		b.WriteString("    action: allow\n")
	}
	return b.Bytes()
}

// uniqueName returns name, or name with a numeric suffix if it was used,
// within the rule-name length limit.
func uniqueName(name string, used map[string]bool) string {
	cand := name
	for n := 2; used[cand]; n++ {
		suffix := "-" + strconv.Itoa(n)
		base := name
		if len(base)+len(suffix) > maxRuleName {
			base = base[:maxRuleName-len(suffix)]
		}
		cand = base + suffix
	}
	used[cand] = true
	return cand
}

type serviceItem struct {
	text   string // as written in services
	detail string // the ports behind a name, or the spec again
	first  svcKey // sort key
	counts counts
}

// serviceItems turns a set of observed services into services entries.
func serviceItems(set map[svcKey]*counts) []serviceItem {
	left := make(map[svcKey]counts, len(set))
	for k, c := range set {
		left[k] = *c
	}
	var items []serviceItem
	for _, name := range learnOrder {
		rs := namedServices[name]
		all := true
		for _, r := range rs {
			if _, ok := left[keyOf(r.proto, r.lo)]; !ok {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		it := serviceItem{text: name, first: keyOf(rs[0].proto, rs[0].lo)}
		specs := make([]string, 0, len(rs))
		for _, r := range rs {
			k := keyOf(r.proto, r.lo)
			it.counts.addCounts(left[k])
			delete(left, k)
			if k.less(it.first) {
				it.first = k
			}
			specs = append(specs, r.String())
		}
		it.detail = strings.Join(specs, ",")
		if len(rs) == 1 && rs[0].proto != protoTCP && rs[0].proto != protoUDP {
			it.detail = "ip/" + strconv.Itoa(int(rs[0].proto))
		}
		items = append(items, it)
	}
	keys := make([]svcKey, 0, len(left))
	for k := range left {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	for i := 0; i < len(keys); {
		k := keys[i]
		it := serviceItem{first: k, counts: left[k]}
		j := i + 1
		if k.proto == protoTCP || k.proto == protoUDP {
			for j < len(keys) && keys[j].proto == k.proto && keys[j].port == keys[j-1].port+1 {
				it.counts.addCounts(left[keys[j]])
				j++
			}
		}
		r := portRange{k.proto, k.port, keys[j-1].port}
		if k.proto != protoTCP && k.proto != protoUDP {
			r = portRange{k.proto, 0, 65535}
		}
		it.text = r.String()
		if k.proto != protoTCP && k.proto != protoUDP {
			it.text = "ip/" + strconv.Itoa(int(k.proto))
		}
		it.detail = it.text
		if j == i+1 {
			it.detail += serviceHint(k)
		}
		items = append(items, it)
		i = j
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].first.less(items[j].first) })
	return items
}

func (k svcKey) less(o svcKey) bool {
	if k.proto != o.proto {
		return k.proto < o.proto
	}
	return k.port < o.port
}

// writeZones renders zones as the zones: section of a policy file.
func writeZones(b *bytes.Buffer, zones []ZoneInfo) {
	if len(zones) == 0 {
		b.WriteString("zones: []\n")
		return
	}
	b.WriteString("zones:\n")
	for _, z := range zones {
		fmt.Fprintf(b, "  - name: %s\n", plainOrQuoted(z.Name))
		if z.Description != "" {
			fmt.Fprintf(b, "    description: %s\n", strconv.Quote(z.Description))
		}
		list := func(key string, n int, item func(i int) string) {
			if n == 0 {
				return
			}
			parts := make([]string, n)
			for i := range parts {
				parts[i] = item(i)
			}
			fmt.Fprintf(b, "    %s: [%s]\n", key, strings.Join(parts, ", "))
		}
		list("vlans", len(z.VLANs), func(i int) string { return strconv.Itoa(int(z.VLANs[i])) })
		list("cidrs", len(z.CIDRs), func(i int) string { return strconv.Quote(z.CIDRs[i].String()) })
		list("classes", len(z.Classes), func(i int) string { return plainOrQuoted(string(z.Classes[i])) })
		list("macs", len(z.MACs), func(i int) string { return strconv.Quote(z.MACs[i].String()) })
		list("ae_titles", len(z.AETitles), func(i int) string { return strconv.Quote(z.AETitles[i]) })
	}
}

// SimResult is what one rule (or the default) would do to a set of
// observed flows.
type SimResult struct {
	Rule     string // rule name, or "default"
	Action   Action
	Severity string // for alerts
	// Flows is the number of observed flows the rule decided; the other
	// counts are their totals.
	Flows                       int
	Connections, Packets, Bytes uint64
	// Samples are the first (up to MaxSimSamples) flows the rule decided,
	// in input order, with their zones.
	Samples []SimSample
}

// SimSample is one flow in a SimResult.
type SimSample struct {
	Flow             ObservedFlow
	SrcZone, DstZone string
}

// MaxSimSamples bounds SimResult.Samples.
const MaxSimSamples = 5

// Simulate evaluates observed flows under p and reports, per rule, what it
// would decide: one SimResult per rule in file order, then one for the
// default, including those that decided no flow (a rule that never
// matches is worth a reviewer's look). Alerting results are the flows that
// would raise violations.
//
// Copies of one conversation (the same non-zero Conv) that get the same
// verdict (rule and zones) count as one flow, with the larger copy's
// counters (the same packets, seen on two VLANs), as the live checker
// reports them once and the store merges their violations.
func Simulate(p *Policy, flows []ObservedFlow) []SimResult {
	if p == nil {
		p = empty
	}
	out := make([]SimResult, len(p.rules)+1)
	idx := make(map[string]int, len(out))
	for i := range p.rules {
		r := &p.rules[i]
		out[i] = SimResult{Rule: r.name, Action: r.action, Severity: r.severity}
		idx[r.name] = i
	}
	out[len(p.rules)] = SimResult{Rule: RuleDefault, Action: p.def, Severity: p.defSv}
	idx[RuleDefault] = len(p.rules)
	type copyKey struct {
		conv                   uint64
		rule, srcZone, dstZone string
	}
	copies := map[copyKey]*ObservedFlow{} // the counters counted so far
	for i := range flows {
		o := &flows[i]
		f := o.flow()
		v := p.Evaluate(&f)
		r := &out[idx[v.Rule]]
		if o.Conv != 0 {
			k := copyKey{o.Conv, v.Rule, v.SrcZone, v.DstZone}
			if c := copies[k]; c != nil {
				r.Connections += more(&c.Connections, o.Connections)
				r.Packets += more(&c.Packets, o.Packets)
				r.Bytes += more(&c.Bytes, o.Bytes)
				continue
			}
			copies[k] = &ObservedFlow{Connections: o.Connections, Packets: o.Packets, Bytes: o.Bytes}
		}
		r.Flows++
		r.Connections += o.Connections
		r.Packets += o.Packets
		r.Bytes += o.Bytes
		if len(r.Samples) < MaxSimSamples {
			r.Samples = append(r.Samples, SimSample{Flow: *o, SrcZone: v.SrcZone, DstZone: v.DstZone})
		}
	}
	return out
}

// more raises *have to n and returns by how much (0 when n is not larger).
func more(have *uint64, n uint64) uint64 {
	if n <= *have {
		return 0
	}
	d := n - *have
	*have = n
	return d
}

// plainOrQuoted writes a name plain when YAML reads it back as that string,
// and quoted when it would read as something else ("null", "true", "123").
func plainOrQuoted(s string) string {
	var n yaml.Node
	if yaml.Unmarshal([]byte(s), &n) == nil && len(n.Content) == 1 &&
		n.Content[0].Kind == yaml.ScalarNode && n.Content[0].ShortTag() == "!!str" && n.Content[0].Value == s {
		return s
	}
	return strconv.Quote(s)
}

// vlanZones proposes one zone per VLAN seen on endpoints that are not
// internet addresses. A zone also gets the subnets (IPv4 /24, IPv6 /64) of
// the client addresses seen on its VLAN and on no other: clients' VLANs are
// their own, and the subnets then place the server end of routed flows,
// which carries the client's VLAN.
func vlanZones(flows []ObservedFlow) []ZoneInfo {
	vlans := map[uint16]bool{}
	subnets := map[netip.Prefix]map[uint16]bool{}
	for i := range flows {
		for j, e := range []*Endpoint{&flows[i].Src, &flows[i].Dst} {
			if IsInternet(e.IP) || e.VLAN < 1 || e.VLAN > 4094 {
				continue
			}
			vlans[e.VLAN] = true
			a := e.IP.Unmap()
			if j != 0 || !a.IsValid() || !a.IsPrivate() {
				continue // clients with private unicast addresses only
			}
			bits := 24
			if a.Is6() {
				bits = 64
			}
			pfx, _ := a.Prefix(bits)
			if subnets[pfx] == nil {
				subnets[pfx] = map[uint16]bool{}
			}
			subnets[pfx][e.VLAN] = true
		}
	}
	byVLAN := map[uint16][]netip.Prefix{}
	for pfx, vs := range subnets {
		if len(vs) != 1 {
			continue // seen on two VLANs: the subnet says nothing
		}
		for v := range vs {
			byVLAN[v] = append(byVLAN[v], pfx)
		}
	}
	ids := make([]int, 0, len(vlans))
	for v := range vlans {
		ids = append(ids, int(v))
	}
	sort.Ints(ids)
	zones := make([]ZoneInfo, 0, len(ids))
	for _, v := range ids {
		cidrs := byVLAN[uint16(v)]
		sort.Slice(cidrs, func(i, j int) bool {
			if c := cidrs[i].Addr().Compare(cidrs[j].Addr()); c != 0 {
				return c < 0
			}
			return cidrs[i].Bits() < cidrs[j].Bits()
		})
		desc := "VLAN " + strconv.Itoa(v) + " (learned"
		if len(cidrs) > 0 {
			desc += "; subnets of its clients"
		}
		zones = append(zones, ZoneInfo{Name: "vlan" + strconv.Itoa(v), Description: desc + ")",
			VLANs: []uint16{uint16(v)}, CIDRs: cidrs})
	}
	return zones
}

// serviceHint names the named services a port belongs to, for a comment:
// " (dhcp)" for udp/67.
func serviceHint(k svcKey) string {
	var names []string
	for _, n := range serviceNames {
		for _, r := range namedServices[n] {
			if r.match(k.proto, k.port) && (k.proto == protoTCP || k.proto == protoUDP) {
				names = append(names, n)
				break
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}
