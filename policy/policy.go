// Package policy checks flows against a hospital's segmentation policy: a
// YAML file, separate from the sensor config, that names zones (pump VLAN,
// imaging, PACS, ...) and says which traffic between them is allowed and
// which raises an alert.
//
// # File format
//
// See configs/policy.yml for a commented example. At the top level:
//
//	zones:            # list; file order breaks ties (see Zone membership)
//	  - name: pumps   # required, unique, [a-z0-9_-], at most 30 bytes
//	    description: free text
//	    vlans: [20]                 # 802.1Q ids, 1..4094
//	    cidrs: [10.20.0.0/16]       # IPv4/IPv6 prefixes (no host bits) or bare addresses
//	    classes: [infusion-pump]    # device classes (model.Classes)
//	    macs: ["00:1b:63:84:45:e6"] # unicast MACs, any of the forms model.ParseMAC accepts
//	    ae_titles: [PACS_MAIN]      # DICOM AE titles, 1..16 printable ASCII characters
//	rules:            # list; the first rule that matches a flow decides
//	  - name: pumps-to-hl7   # required, unique, [a-z0-9_-], at most 64 bytes; a metric label
//	    description: free text
//	    from: pumps          # a zone, a list of zones, or "any"
//	    to: [servers]
//	    services: [hl7, tcp/8443, udp/5000-5100]  # optional; omitted means any traffic
//	    action: allow        # allow or alert
//	    severity: high       # alert rules only: low, medium (default), high, critical
//	default: alert           # verdict when no rule matches; default allow
//	default_severity: medium # with default: alert only
//
// A zone needs at least one matcher. Every key is optional except where
// noted; unknown keys are errors. A list key also accepts a single value
// (from: pumps is from: [pumps]).
//
// # Zones and zone membership
//
// Besides the zones of the file there are two built-in zones: "internet"
// (see IsInternet: any address that is not private, RFC 6598, loopback,
// link-local, multicast or unspecified; documentation ranges count as
// internet) and "unzoned" (an endpoint no zone claims). Rules may name both;
// "any" in a rule means every zone, built-in ones included. Zone names
// "any", "internet" and "unzoned" are reserved.
//
// An endpoint may match several zones. The most specific match wins, in this
// order:
//
//	mac > ae_title > class > cidr (longest prefix) > internet > vlan > unzoned
//
// and between zones matching at the same level (the same MAC, AE title or
// class listed twice, the same prefix length, the same VLAN) the zone that
// comes first in the file wins. The internet zone ranks above vlan on
// purpose: the SPAN shows a routed frame on the sender's VLAN, so the far
// end of a flow to the internet carries the sender's VLAN; it must not land
// in the sender's zone. For the same reason zones of routed networks should
// list their cidrs as well as their vlans.
//
// # Services
//
// A rule's services are named services or port specifications:
// "tcp/PORT", "udp/PORT", "tcp/LOW-HIGH", "udp/LOW-HIGH" (ports 1..65535,
// matched against the flow's server port) and "ip/PROTOCOL" (an IP protocol
// other than TCP and UDP, any port). Named services:
//
//	dicom tcp/104,11112    dicom-tls tcp/2762     hl7 tcp/2575
//	dhcp udp/67,68         dns udp/53,tcp/53      ntp udp/123
//	ldap tcp/389,636       kerberos udp/88,tcp/88 syslog udp/514
//	syslog-tls tcp/6514    snmp udp/161,162       tftp udp/69
//	http tcp/80            https tcp/443          smb tcp/445
//	ftp tcp/21             smtp tcp/25,587        mssql tcp/1433
//	ssh tcp/22             telnet tcp/23          rdp tcp/3389
//	vnc tcp/5900           sip udp/5060,tcp/5060,5061
//	mqtt tcp/1883,8883     icmp ip/1              icmpv6 ip/58
//
// # Evaluation
//
// Parse compiles the file into an immutable Policy. Evaluate classifies both
// ends of a flow, then walks the rules in file order; the first rule whose
// from, to and services all match gives the verdict, and when none does the
// verdict is the default with rule name "default". Evaluate is pure and
// does not allocate; a Policy is safe for concurrent use. Holder swaps
// policies atomically on reload, in the style of blackbox_exporter's
// SafeConfig.
package policy

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Built-in zone names and the rule name of the default verdict.
const (
	ZoneInternet = "internet"
	ZoneUnzoned  = "unzoned"
	ZoneAny      = "any" // in rules only: every zone
	RuleDefault  = "default"
)

// Endpoint is one end of a flow, as the sensor and the inventory know it.
// Zero fields are unknown and match nothing.
type Endpoint struct {
	// Vantage is where the flow was seen. It is carried for reporting;
	// zones do not match on it.
	Vantage string
	// VLAN is the innermost 802.1Q id of the frames, 0 if untagged. For
	// the server end of a routed flow it is the client's VLAN (the SPAN
	// shows the frame on the sender's segment): zones of routed networks
	// should therefore list cidrs too.
	VLAN uint16
	// MAC is the endpoint's own hardware address. Leave it zero when the
	// frame's address is a router's (the server end of a routed flow),
	// or a MAC matcher meant for one device catches everything routed.
	MAC model.MAC
	// IP is the endpoint's address.
	IP netip.Addr
	// Class is the endpoint's device class (model.Classes), "" if the
	// endpoint is not in the inventory. Like MAC, it must describe the
	// endpoint itself, not the router in front of it.
	Class model.Class
	// AETitle is the endpoint's DICOM AE title on a DICOM association
	// (calling AE for the client, called AE for the server). Leading and
	// trailing spaces and NULs are ignored.
	AETitle string
}

// Flow is one flow to evaluate.
type Flow struct {
	Src, Dst Endpoint // client (initiator) and server
	Proto    uint8    // IP protocol: 6 TCP, 17 UDP, ...
	Port     uint16   // server port (TCP/UDP)
}

// Action is what a rule says about a flow.
type Action uint8

const (
	Allow Action = iota // the flow conforms to the policy
	Alert               // the flow violates the policy
)

func (a Action) String() string {
	switch a {
	case Allow:
		return "allow"
	case Alert:
		return "alert"
	}
	return "Action(" + itoa(int(a)) + ")"
}

// MarshalText renders the action as in the policy file.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Verdict is the outcome of Evaluate. All strings are the policy's own, so
// a Verdict costs no allocation.
type Verdict struct {
	Action Action
	// Rule is the name of the matching rule, or "default" when none did.
	// Rule names are a bounded set: they may label metrics.
	Rule string
	// SrcZone and DstZone are the zones of the flow's ends (a zone of the
	// file, "internet" or "unzoned").
	SrcZone, DstZone string
	// Severity is the rule's (or default_severity's) severity for an
	// alert: low, medium, high or critical; "" for allow.
	Severity string
}

// RuleInfo describes one rule of a policy, for listing and review.
type RuleInfo struct {
	Name        string
	Description string
	From, To    []string // zone names, or ["any"]
	Services    []string // as written in the file; nil means any traffic
	Action      Action
	Severity    string // "" for allow rules
	Line        int    // line of the rule's name in the file
}

// ZoneInfo describes one zone of a policy.
type ZoneInfo struct {
	Name        string
	Description string
	VLANs       []uint16
	CIDRs       []netip.Prefix
	Classes     []model.Class
	MACs        []model.MAC
	AETitles    []string
	Builtin     bool // internet and unzoned
}

// Policy is a compiled segmentation policy. It is immutable: build it with
// Parse or Load, and share it freely between goroutines. A nil *Policy is
// valid: it has no zones and no rules and allows everything.
type Policy struct {
	name     string
	windows  []MaintenanceWindow // maintenance.go
	zones    []ZoneInfo          // file order, then internet, then unzoned
	internet int                 // index of the internet zone
	unzoned  int                 // index of the unzoned zone

	// Matchers, each mapping to the index of the first zone (in file
	// order) that lists the value. Keys are integers where possible: the
	// generic hash of netip.Prefix or [6]byte costs more than the rest of
	// Evaluate.
	byMAC   map[uint64]int32 // macKey
	byAE    map[string]int32 // trimmed AE title
	byClass map[model.Class]int32
	v4Bits  []int            // distinct IPv4 prefix lengths, longest first
	v6Bits  []int            // distinct IPv6 prefix lengths, longest first
	byV4    map[uint64]int32 // bits<<32 | masked IPv4 address
	byV6    map[v6key]int32  // masked IPv6 address and bits
	byVLAN  [4096]int32      // zone index + 1; 0 = none

	rules []rule
	// Rule selection by bitsets: bit i of fromBits[z*words:] is set when
	// rule i applies to traffic from zone z (likewise toBits), so the
	// candidates for a flow are the AND of two rows, walked in rule order.
	words    int
	fromBits []uint64
	toBits   []uint64

	def   Action
	defSv string // severity of default alerts

	critical []CriticalInfo // critical.go
}

type rule struct {
	name     string
	action   Action
	severity string
	services []portRange // nil = any traffic
	info     RuleInfo
}

// empty is what a nil *Policy behaves as.
var empty = mustEmpty()

func mustEmpty() *Policy {
	p, err := Parse(nil, "")
	if err != nil {
		panic(err)
	}
	return p
}

// Name returns the name the policy was parsed under (usually its path).
func (p *Policy) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// ZoneOf returns the zone of e: the name of a zone of the file, "internet"
// or "unzoned". See the package comment for the order of precedence.
func (p *Policy) ZoneOf(e *Endpoint) string {
	if p == nil {
		p = empty
	}
	return p.zones[p.zoneOf(e)].Name
}

type v6key struct {
	hi, lo uint64
	bits   int
}

func macKey(m model.MAC) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 | uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

func v4Key(a netip.Addr, bits int) uint64 {
	b := a.As4()
	u := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	if bits < 32 {
		u &^= 1<<(32-bits) - 1
	}
	return uint64(bits)<<32 | u
}

func v6Key(a netip.Addr, bits int) v6key {
	b := a.As16()
	k := v6key{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]), bits}
	switch {
	case bits == 0:
		k.hi, k.lo = 0, 0
	case bits < 64:
		k.hi &^= 1<<(64-bits) - 1
		k.lo = 0
	case bits == 64:
		k.lo = 0
	case bits < 128:
		k.lo &^= 1<<(128-bits) - 1
	}
	return k
}

func (p *Policy) zoneOf(e *Endpoint) int {
	if len(p.byMAC) > 0 && !e.MAC.IsZero() {
		if z, ok := p.byMAC[macKey(e.MAC)]; ok {
			return int(z)
		}
	}
	if len(p.byAE) > 0 && e.AETitle != "" {
		if z, ok := p.byAE[strings.Trim(e.AETitle, " \x00")]; ok {
			return int(z)
		}
	}
	if len(p.byClass) > 0 && e.Class != "" {
		if z, ok := p.byClass[e.Class]; ok {
			return int(z)
		}
	}
	if ip := e.IP.Unmap(); ip.IsValid() {
		if ip.Is4() {
			for _, b := range p.v4Bits {
				if z, ok := p.byV4[v4Key(ip, b)]; ok {
					return int(z)
				}
			}
		} else {
			for _, b := range p.v6Bits {
				if z, ok := p.byV6[v6Key(ip, b)]; ok {
					return int(z)
				}
			}
		}
		if IsInternet(ip) {
			return p.internet
		}
	}
	if e.VLAN < 4096 {
		if z := p.byVLAN[e.VLAN]; z != 0 {
			return int(z - 1)
		}
	}
	return p.unzoned
}

// Evaluate returns the verdict of the policy on f. It is pure and does not
// allocate.
func (p *Policy) Evaluate(f *Flow) Verdict {
	if p == nil {
		p = empty
	}
	src, dst := p.zoneOf(&f.Src), p.zoneOf(&f.Dst)
	v := Verdict{SrcZone: p.zones[src].Name, DstZone: p.zones[dst].Name}
	if r := p.match(src, dst, f.Proto, f.Port); r != nil {
		v.Action, v.Rule, v.Severity = r.action, r.name, r.severity
		return v
	}
	v.Action, v.Rule, v.Severity = p.def, RuleDefault, p.defSv
	return v
}

func (p *Policy) match(src, dst int, proto uint8, port uint16) *rule {
	from := p.fromBits[src*p.words : (src+1)*p.words]
	to := p.toBits[dst*p.words : (dst+1)*p.words]
	for w := range from {
		for m := from[w] & to[w]; m != 0; m &= m - 1 {
			r := &p.rules[w*64+bits.TrailingZeros64(m)]
			if r.services == nil {
				return r
			}
			for _, s := range r.services {
				if s.match(proto, port) {
					return r
				}
			}
		}
	}
	return nil
}

// Zones returns the zone names: the file's in file order, then "internet"
// and "unzoned".
func (p *Policy) Zones() []string {
	if p == nil {
		p = empty
	}
	out := make([]string, len(p.zones))
	for i := range p.zones {
		out[i] = p.zones[i].Name
	}
	return out
}

// ZoneInfos returns the zones with their matchers, in the order of Zones.
func (p *Policy) ZoneInfos() []ZoneInfo {
	if p == nil {
		p = empty
	}
	out := make([]ZoneInfo, len(p.zones))
	for i, z := range p.zones {
		z.VLANs = append([]uint16(nil), z.VLANs...)
		z.CIDRs = append([]netip.Prefix(nil), z.CIDRs...)
		z.Classes = append([]model.Class(nil), z.Classes...)
		z.MACs = append([]model.MAC(nil), z.MACs...)
		z.AETitles = append([]string(nil), z.AETitles...)
		out[i] = z
	}
	return out
}

// Rules returns the rules in evaluation (file) order. The default verdict
// is not included: see Default.
func (p *Policy) Rules() []RuleInfo {
	if p == nil {
		p = empty
	}
	out := make([]RuleInfo, len(p.rules))
	for i := range p.rules {
		ri := p.rules[i].info
		ri.From = append([]string(nil), ri.From...)
		ri.To = append([]string(nil), ri.To...)
		ri.Services = append([]string(nil), ri.Services...)
		if p.rules[i].info.Services == nil {
			ri.Services = nil
		}
		out[i] = ri
	}
	return out
}

// Default returns the action and severity of flows no rule matches.
func (p *Policy) Default() (Action, string) {
	if p == nil {
		p = empty
	}
	return p.def, p.defSv
}

// RuleNames returns every value Verdict.Rule can take: the rule names in
// file order, then "default". Exporters use it to pre-create counters.
func (p *Policy) RuleNames() []string {
	if p == nil {
		p = empty
	}
	out := make([]string, 0, len(p.rules)+1)
	for i := range p.rules {
		out = append(out, p.rules[i].name)
	}
	return append(out, RuleDefault)
}
