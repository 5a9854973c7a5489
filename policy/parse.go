package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
	"github.com/wardwatch/wardwatch/model"
	"gopkg.in/yaml.v3"
)

// Limits on names. Rule names label Prometheus series, so they are short
// and from a small alphabet.
const (
	maxZoneName = 30
	maxRuleName = 64
)

var severities = []string{"low", "medium", "high", "critical"}

// Load reads and parses the policy file at path. See Parse.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open policy: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes, validates and compiles one YAML policy document. name
// (usually the file path) prefixes every error message; it may be empty.
// Empty input, or input holding only comments, yields a policy with no
// zones and no rules that allows everything.
//
// The error lists every problem found, one per line, each in the form
// "name: line N: zone "z": key: message" (or rule "r": ...).
func Parse(data []byte, name string) (*Policy, error) {
	var raw rawPolicy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(data, name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, decodeError(data, name, err)
	default:
		return nil, yamlerr.New(name, next.Line,
			errors.New(`more than one YAML document ("---"); a policy file holds exactly one`))
	}
	c := compiler{name: name, tree: newTree(data), p: &Policy{name: name}}
	c.compile(&raw)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return c.p, nil
}

// compiler turns a rawPolicy into c.p, collecting every problem in errs.
type compiler struct {
	name string
	tree tree
	p    *Policy
	errs []error

	zoneIdx        map[string]int // zone name -> index in p.zones
	zoneLine       map[string]int // zone name -> line it was defined on
	ruleLine       map[string]int // rule name -> line it was defined on
	v4bits, v6bits map[int]bool   // prefix lengths the zones' CIDRs use
	froms, tos     [][]bool       // per rule, indexed by zone; nil = any
}

func (c *compiler) errorf(line int, ctx, format string, args ...any) {
	c.errs = append(c.errs, yamlerr.New(c.name, line, errors.New(withContext(ctx, fmt.Sprintf(format, args...)))))
}

func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// compile compiles the zones (then the built-in internet and unzoned),
// the rules and the default verdict.
func (c *compiler) compile(raw *rawPolicy) {
	p := c.p
	p.byMAC = map[uint64]int32{}
	p.byAE = map[string]int32{}
	p.byClass = map[model.Class]int32{}
	p.byV4 = map[uint64]int32{}
	p.byV6 = map[v6key]int32{}
	c.zoneIdx, c.zoneLine, c.ruleLine = map[string]int{}, map[string]int{}, map[string]int{}
	c.v4bits, c.v6bits = map[int]bool{}, map[int]bool{}

	for i := range raw.Zones {
		c.zone(i, &raw.Zones[i])
	}
	p.internet = len(p.zones)
	p.zones = append(p.zones, ZoneInfo{Name: ZoneInternet, Description: "public addresses (built-in)", Builtin: true})
	p.unzoned = len(p.zones)
	p.zones = append(p.zones, ZoneInfo{Name: ZoneUnzoned, Description: "endpoints no zone claims (built-in)", Builtin: true})
	c.zoneIdx[ZoneInternet] = p.internet
	c.zoneIdx[ZoneUnzoned] = p.unzoned
	p.v4Bits = sortedDesc(c.v4bits)
	p.v6Bits = sortedDesc(c.v6bits)

	for i := range raw.Rules {
		c.rule(i, &raw.Rules[i])
	}
	p.words = (len(p.rules) + 63) / 64
	p.fromBits = ruleBits(c.froms, len(p.zones), p.words)
	p.toBits = ruleBits(c.tos, len(p.zones), p.words)

	c.defaultVerdict(raw)
	c.criticals(raw.Critical)
	c.windows(raw.MaintenanceWindows)
}

// entryLine is the line to report for zones[i] or rules[i]: its name's,
// else the entry's.
func (c *compiler) entryLine(section string, i int, name scalar) int {
	if name.line != 0 {
		return name.line
	}
	return c.tree.entryLine(section, i)
}

// nameRules are what a zone's or a rule's name must be.
type nameRules struct {
	kind     string // "zone" or "rule"
	max      int    // longest name
	why      string // appended to the character rule, e.g. "; it labels metrics"
	reserved func(name string) string
}

var (
	zoneNames = nameRules{kind: "zone", max: maxZoneName, reserved: func(n string) string {
		if n == ZoneAny || n == ZoneInternet || n == ZoneUnzoned {
			return `(built-in zones: internet, unzoned; "any" means every zone)`
		}
		return ""
	}}
	ruleNames = nameRules{kind: "rule", max: maxRuleName, why: "; it labels metrics", reserved: func(n string) string {
		if n == RuleDefault {
			return "for the default verdict"
		}
		return ""
	}}
)

// checkName checks the name of a zone or rule defined at line: set, valid,
// not reserved, not in lines (name -> line of the ones defined before).
func (c *compiler) checkName(name scalar, line int, ctx string, nr nameRules, lines map[string]int) {
	switch n := name.v; {
	case !name.set || n == "":
		c.errorf(line, ctx, "name must be set")
	case !validName(n, nr.max):
		c.errorf(line, ctx, "name %q is not valid (1-%d characters from a-z, 0-9, '_' and '-'%s)", n, nr.max, nr.why)
	case nr.reserved(n) != "":
		c.errorf(line, ctx, "name %q is reserved %s", n, nr.reserved(n))
	default:
		if l, dup := lines[n]; dup {
			c.errorf(line, ctx, "duplicate %s name (first defined at line %d)", nr.kind, l)
		} else {
			lines[n] = line
		}
	}
}

// zone compiles zones[i] into p.zones and the lookup tables.
func (c *compiler) zone(i int, rz *rawZone) {
	p := c.p
	ctx := c.tree.entryName("zones", i)
	line := c.entryLine("zones", i, rz.Name)
	c.checkName(rz.Name, line, ctx, zoneNames, c.zoneLine)
	zc := &zoneCompiler{c: c, ctx: ctx, zi: len(p.zones), seen: map[string]int{},
		z: ZoneInfo{Name: rz.Name.v, Description: rz.Description.v}}
	if _, dup := c.zoneIdx[zc.z.Name]; !dup && zc.z.Name != "" {
		c.zoneIdx[zc.z.Name] = zc.zi
	}
	if len(rz.VLANs)+len(rz.CIDRs)+len(rz.Classes)+len(rz.MACs)+len(rz.AETitles) == 0 {
		c.errorf(line, ctx, "has no matcher; set at least one of vlans, cidrs, classes, macs, ae_titles")
	}
	zc.vlans(rz.VLANs)
	zc.cidrs(rz.CIDRs)
	zc.classes(rz.Classes)
	zc.macs(rz.MACs)
	zc.aeTitles(rz.AETitles)
	p.zones = append(p.zones, zc.z)
}

// zoneCompiler compiles the matchers of one zone.
type zoneCompiler struct {
	c    *compiler
	ctx  string
	zi   int            // the zone's index in p.zones
	z    ZoneInfo       // the zone so far
	seen map[string]int // key + "\x00" + canonical value -> line
}

// dup reports (and records) a value listed twice under key.
func (zc *zoneCompiler) dup(key string, s scalar, canon string) bool {
	k := key + "\x00" + canon
	if l, ok := zc.seen[k]; ok {
		zc.c.errorf(s.line, zc.ctx+": "+key, "%s is listed twice (first at line %d)", canon, l)
		return true
	}
	zc.seen[k] = s.line
	return false
}

func (zc *zoneCompiler) vlans(list scalars) {
	p := zc.c.p
	for _, s := range list {
		var n int64
		err := yaml.Unmarshal([]byte(s.v), &n) // YAML's own integer syntax
		switch {
		case s.tag != "!!int" || err != nil:
			zc.c.errorf(s.line, zc.ctx+": vlans", "expected a VLAN id (an integer 1..4094), got %s", quoteScalar(s))
		case n < 1 || n > 4094:
			zc.c.errorf(s.line, zc.ctx+": vlans", "%d is out of range 1..4094", n)
		case !zc.dup("vlans", s, strconv.FormatInt(n, 10)):
			zc.z.VLANs = append(zc.z.VLANs, uint16(n))
			if p.byVLAN[n] == 0 {
				p.byVLAN[n] = int32(zc.zi + 1)
			}
		}
	}
}

func (zc *zoneCompiler) cidrs(list scalars) {
	p := zc.c.p
	for _, s := range list {
		pfx, err := parseCIDR(s.v)
		if err != nil {
			zc.c.errorf(s.line, zc.ctx+": cidrs", "%v", err)
			continue
		}
		if zc.dup("cidrs", s, pfx.String()) {
			continue
		}
		zc.z.CIDRs = append(zc.z.CIDRs, pfx)
		if a, bits := pfx.Addr(), pfx.Bits(); a.Is4() {
			if _, ok := p.byV4[v4Key(a, bits)]; !ok {
				p.byV4[v4Key(a, bits)] = int32(zc.zi)
			}
			zc.c.v4bits[bits] = true
		} else {
			if _, ok := p.byV6[v6Key(a, bits)]; !ok {
				p.byV6[v6Key(a, bits)] = int32(zc.zi)
			}
			zc.c.v6bits[bits] = true
		}
	}
}

func (zc *zoneCompiler) classes(list scalars) {
	p := zc.c.p
	for _, s := range list {
		cl := model.Class(s.v)
		if !cl.Valid() {
			zc.c.errorf(s.line, zc.ctx+": classes", "unknown class %q (known: %s)", s.v, strings.Join(model.ClassNames(), ", "))
			continue
		}
		if zc.dup("classes", s, s.v) {
			continue
		}
		zc.z.Classes = append(zc.z.Classes, cl)
		if _, ok := p.byClass[cl]; !ok {
			p.byClass[cl] = int32(zc.zi)
		}
	}
}

func (zc *zoneCompiler) macs(list scalars) {
	p := zc.c.p
	for _, s := range list {
		m, err := model.ParseMAC(s.v)
		switch {
		case err != nil:
			zc.c.errorf(s.line, zc.ctx+": macs", "%q is not a MAC address (00:1b:63:84:45:e6, 00-1B-63-84-45-E6 or 001b.6384.45e6)", s.v)
			continue
		case m.IsZero() || m.IsGroup():
			zc.c.errorf(s.line, zc.ctx+": macs", "%s is not a unicast device address", m)
			continue
		}
		if zc.dup("macs", s, m.String()) {
			continue
		}
		zc.z.MACs = append(zc.z.MACs, m)
		if _, ok := p.byMAC[macKey(m)]; !ok {
			p.byMAC[macKey(m)] = int32(zc.zi)
		}
	}
}

func (zc *zoneCompiler) aeTitles(list scalars) {
	p := zc.c.p
	for _, s := range list {
		ae := strings.Trim(s.v, " \x00")
		if !validAETitle(ae) {
			zc.c.errorf(s.line, zc.ctx+": ae_titles", "%q is not a DICOM AE title (1-16 printable ASCII characters, no backslash)", s.v)
			continue
		}
		if zc.dup("ae_titles", s, ae) {
			continue
		}
		zc.z.AETitles = append(zc.z.AETitles, ae)
		if _, ok := p.byAE[ae]; !ok {
			p.byAE[ae] = int32(zc.zi)
		}
	}
}

// rule compiles rules[i] into p.rules and its from and to sets.
func (c *compiler) rule(i int, rr *rawRule) {
	p := c.p
	ctx := c.tree.entryName("rules", i)
	line := c.entryLine("rules", i, rr.Name)
	c.checkName(rr.Name, line, ctx, ruleNames, c.ruleLine)
	from, fromNames := c.zoneSet(rr.From, "from", ctx, line)
	to, toNames := c.zoneSet(rr.To, "to", ctx, line)
	c.froms, c.tos = append(c.froms, from), append(c.tos, to)

	svcNames, services := c.services(rr.Services, ctx)
	action, severity := c.verdict(rr, ctx, line)
	p.rules = append(p.rules, rule{name: rr.Name.v, services: services, action: action, severity: severity,
		info: RuleInfo{
			Name: rr.Name.v, Description: rr.Description.v, From: fromNames, To: toNames,
			Services: svcNames, Action: action, Severity: severity, Line: line,
		}})
}

// services compiles a rule's services: the names as written and their port
// ranges; both nil for "any".
func (c *compiler) services(list scalars, ctx string) ([]string, []portRange) {
	var names []string
	var ranges []portRange
	for _, s := range list {
		if s.v == ZoneAny {
			if len(list) > 1 {
				c.errorf(s.line, ctx+": services", `"any" cannot be combined with other services`)
			}
			return nil, nil
		}
		rs, err := parseService(s.v)
		if err != nil {
			c.errorf(s.line, ctx+": services", "%v", err)
			continue
		}
		names = append(names, s.v)
		ranges = append(ranges, rs...)
	}
	return names, ranges
}

// verdict compiles a rule's action and severity (alert rules default to
// medium).
func (c *compiler) verdict(rr *rawRule, ctx string, line int) (Action, string) {
	var action Action
	switch a := rr.Action; {
	case !a.set:
		c.errorf(line, ctx, "action must be set (allow or alert)")
	case a.v == "allow":
		action = Allow
	case a.v == "alert":
		action = Alert
	default:
		c.errorf(a.line, ctx+": action", "%s is not one of allow, alert", quoteScalar(a))
	}
	sv := rr.Severity
	switch {
	case !sv.set && action == Alert:
		return action, "medium"
	case !sv.set:
		return action, ""
	case !oneOf(sv.v, severities):
		c.errorf(sv.line, ctx+": severity", "%s is not one of %s", quoteScalar(sv), strings.Join(severities, ", "))
	case rr.Action.v == "allow":
		c.errorf(sv.line, ctx+": severity", "only alert rules have a severity")
	default:
		return action, sv.v
	}
	return action, ""
}

// defaultVerdict compiles default and default_severity.
func (c *compiler) defaultVerdict(raw *rawPolicy) {
	p := c.p
	switch d := raw.Default; {
	case !d.set, d.v == "allow":
		p.def = Allow
	case d.v == "alert":
		p.def = Alert
	default:
		c.errorf(d.line, "default", "%s is not one of allow, alert", quoteScalar(d))
	}
	if sv := raw.DefaultSeverity; sv.set {
		switch {
		case !oneOf(sv.v, severities):
			c.errorf(sv.line, "default_severity", "%s is not one of %s", quoteScalar(sv), strings.Join(severities, ", "))
		case p.def != Alert:
			c.errorf(sv.line, "default_severity", "only applies with default: alert")
		default:
			p.defSv = sv.v
		}
	} else if p.def == Alert {
		p.defSv = "medium"
	}
}

// zoneSet compiles a rule's from or to list into a membership table (nil
// for "any").
func (c *compiler) zoneSet(list scalars, key, ctx string, line int) ([]bool, []string) {
	if len(list) == 0 {
		c.errorf(line, ctx, "%s must be set (a zone, a list of zones, or any)", key)
		return nil, nil
	}
	set := make([]bool, len(c.p.zones))
	names := make([]string, 0, len(list))
	seen := map[string]bool{}
	for _, s := range list {
		switch {
		case s.v == ZoneAny:
			if len(list) > 1 {
				c.errorf(s.line, ctx+": "+key, `"any" cannot be combined with other zones`)
			}
			return nil, []string{ZoneAny}
		case seen[s.v]:
			c.errorf(s.line, ctx+": "+key, "zone %q is listed twice", s.v)
			continue
		}
		seen[s.v] = true
		z, ok := c.zoneIdx[s.v]
		if !ok {
			c.errorf(s.line, ctx+": "+key, "unknown zone %q", s.v)
			continue
		}
		set[z] = true
		names = append(names, s.v)
	}
	return set, names
}

// parseCIDR accepts a prefix without host bits, or a bare address (a host
// prefix). IPv4-mapped IPv6 prefixes are rejected: write the IPv4 form.
func parseCIDR(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || a.Is4In6() {
			return netip.Prefix{}, fmt.Errorf("%q is not a valid CIDR (10.50.0.0/16, 2001:db8::/32) or address", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, "): "); i >= 0 {
			msg = msg[i+3:]
		}
		return netip.Prefix{}, fmt.Errorf("%q is not a valid CIDR: %s", s, msg)
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%q is an IPv4-mapped IPv6 prefix; write the IPv4 prefix", s)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set (did you mean %s?)", s, m)
	}
	return p, nil
}

func validAETitle(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' {
			return false
		}
	}
	return true
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func quoteScalar(s scalar) string {
	if s.tag == "!!str" {
		return strconv.Quote(s.v)
	}
	return s.v
}

func sortedDesc(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for b := range set {
		out = append(out, b)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

// ruleBits lays out, per zone, the bitset of rules whose set includes it.
func ruleBits(sets [][]bool, zones, words int) []uint64 {
	out := make([]uint64, zones*words)
	for i, set := range sets {
		for z := 0; z < zones; z++ {
			if set == nil || set[z] {
				out[z*words+i/64] |= 1 << (i % 64)
			}
		}
	}
	return out
}
