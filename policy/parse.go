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

type compiler struct {
	name string
	tree tree
	p    *Policy
	errs []error
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

func (c *compiler) compile(raw *rawPolicy) {
	p := c.p
	p.byMAC = map[uint64]int32{}
	p.byAE = map[string]int32{}
	p.byClass = map[model.Class]int32{}
	p.byV4 = map[uint64]int32{}
	p.byV6 = map[v6key]int32{}
	zoneIdx := map[string]int{}
	zoneLine := map[string]int{}
	v4bits, v6bits := map[int]bool{}, map[int]bool{}

	for i := range raw.Zones {
		rz := &raw.Zones[i]
		ctx := c.tree.entryName("zones", i)
		line := rz.Name.line
		if line == 0 {
			line = c.tree.entryLine("zones", i)
		}
		z := ZoneInfo{Name: rz.Name.v, Description: rz.Description.v}
		switch n := rz.Name.v; {
		case !rz.Name.set || n == "":
			c.errorf(line, ctx, "name must be set")
		case !validName(n, maxZoneName):
			c.errorf(line, ctx, "name %q is not valid (1-%d characters from a-z, 0-9, '_' and '-')", n, maxZoneName)
		case n == ZoneAny || n == ZoneInternet || n == ZoneUnzoned:
			c.errorf(line, ctx, "name %q is reserved (built-in zones: internet, unzoned; \"any\" means every zone)", n)
		default:
			if l, dup := zoneLine[n]; dup {
				c.errorf(line, ctx, "duplicate zone name (first defined at line %d)", l)
			} else {
				zoneLine[n] = line
			}
		}
		zi := len(p.zones)
		if _, dup := zoneIdx[z.Name]; !dup && z.Name != "" {
			zoneIdx[z.Name] = zi
		}
		if len(rz.VLANs)+len(rz.CIDRs)+len(rz.Classes)+len(rz.MACs)+len(rz.AETitles) == 0 {
			c.errorf(line, ctx, "has no matcher; set at least one of vlans, cidrs, classes, macs, ae_titles")
		}

		seen := map[string]int{}
		dup := func(key string, s scalar, canon string) bool {
			k := key + "\x00" + canon
			if l, ok := seen[k]; ok {
				c.errorf(s.line, ctx+": "+key, "%s is listed twice (first at line %d)", canon, l)
				return true
			}
			seen[k] = s.line
			return false
		}
		for _, s := range rz.VLANs {
			var n int64
			err := yaml.Unmarshal([]byte(s.v), &n) // YAML's own integer syntax
			switch {
			case s.tag != "!!int" || err != nil:
				c.errorf(s.line, ctx+": vlans", "expected a VLAN id (an integer 1..4094), got %s", quoteScalar(s))
			case n < 1 || n > 4094:
				c.errorf(s.line, ctx+": vlans", "%d is out of range 1..4094", n)
			case !dup("vlans", s, strconv.FormatInt(n, 10)):
				z.VLANs = append(z.VLANs, uint16(n))
				if p.byVLAN[n] == 0 {
					p.byVLAN[n] = int32(zi + 1)
				}
			}
		}
		for _, s := range rz.CIDRs {
			pfx, err := parseCIDR(s.v)
			if err != nil {
				c.errorf(s.line, ctx+": cidrs", "%v", err)
				continue
			}
			if dup("cidrs", s, pfx.String()) {
				continue
			}
			z.CIDRs = append(z.CIDRs, pfx)
			if a, bits := pfx.Addr(), pfx.Bits(); a.Is4() {
				if _, ok := p.byV4[v4Key(a, bits)]; !ok {
					p.byV4[v4Key(a, bits)] = int32(zi)
				}
				v4bits[bits] = true
			} else {
				if _, ok := p.byV6[v6Key(a, bits)]; !ok {
					p.byV6[v6Key(a, bits)] = int32(zi)
				}
				v6bits[bits] = true
			}
		}
		for _, s := range rz.Classes {
			cl := model.Class(s.v)
			if !cl.Valid() {
				c.errorf(s.line, ctx+": classes", "unknown class %q (known: %s)", s.v, strings.Join(model.ClassNames(), ", "))
				continue
			}
			if dup("classes", s, s.v) {
				continue
			}
			z.Classes = append(z.Classes, cl)
			if _, ok := p.byClass[cl]; !ok {
				p.byClass[cl] = int32(zi)
			}
		}
		for _, s := range rz.MACs {
			m, err := model.ParseMAC(s.v)
			switch {
			case err != nil:
				c.errorf(s.line, ctx+": macs", "%q is not a MAC address (00:1b:63:84:45:e6, 00-1B-63-84-45-E6 or 001b.6384.45e6)", s.v)
				continue
			case m.IsZero() || m.IsGroup():
				c.errorf(s.line, ctx+": macs", "%s is not a unicast device address", m)
				continue
			}
			if dup("macs", s, m.String()) {
				continue
			}
			z.MACs = append(z.MACs, m)
			if _, ok := p.byMAC[macKey(m)]; !ok {
				p.byMAC[macKey(m)] = int32(zi)
			}
		}
		for _, s := range rz.AETitles {
			ae := strings.Trim(s.v, " \x00")
			if !validAETitle(ae) {
				c.errorf(s.line, ctx+": ae_titles", "%q is not a DICOM AE title (1-16 printable ASCII characters, no backslash)", s.v)
				continue
			}
			if dup("ae_titles", s, ae) {
				continue
			}
			z.AETitles = append(z.AETitles, ae)
			if _, ok := p.byAE[ae]; !ok {
				p.byAE[ae] = int32(zi)
			}
		}
		p.zones = append(p.zones, z)
	}
	p.internet = len(p.zones)
	p.zones = append(p.zones, ZoneInfo{Name: ZoneInternet, Description: "public addresses (built-in)", Builtin: true})
	p.unzoned = len(p.zones)
	p.zones = append(p.zones, ZoneInfo{Name: ZoneUnzoned, Description: "endpoints no zone claims (built-in)", Builtin: true})
	zoneIdx[ZoneInternet] = p.internet
	zoneIdx[ZoneUnzoned] = p.unzoned
	p.v4Bits = sortedDesc(v4bits)
	p.v6Bits = sortedDesc(v6bits)

	ruleLine := map[string]int{}
	var froms, tos [][]bool // per rule, indexed by zone; nil = any
	for i := range raw.Rules {
		rr := &raw.Rules[i]
		ctx := c.tree.entryName("rules", i)
		line := rr.Name.line
		if line == 0 {
			line = c.tree.entryLine("rules", i)
		}
		r := rule{name: rr.Name.v}
		switch n := rr.Name.v; {
		case !rr.Name.set || n == "":
			c.errorf(line, ctx, "name must be set")
		case !validName(n, maxRuleName):
			c.errorf(line, ctx, "name %q is not valid (1-%d characters from a-z, 0-9, '_' and '-'; it labels metrics)", n, maxRuleName)
		case n == RuleDefault:
			c.errorf(line, ctx, "name %q is reserved for the default verdict", n)
		default:
			if l, dup := ruleLine[n]; dup {
				c.errorf(line, ctx, "duplicate rule name (first defined at line %d)", l)
			} else {
				ruleLine[n] = line
			}
		}
		from, fromNames := c.zoneSet(rr.From, "from", ctx, line, zoneIdx, len(p.zones))
		to, toNames := c.zoneSet(rr.To, "to", ctx, line, zoneIdx, len(p.zones))
		froms, tos = append(froms, from), append(tos, to)

		var svcNames []string
		for _, s := range rr.Services {
			if s.v == ZoneAny {
				if len(rr.Services) > 1 {
					c.errorf(s.line, ctx+": services", `"any" cannot be combined with other services`)
				}
				svcNames, r.services = nil, nil
				break
			}
			rs, err := parseService(s.v)
			if err != nil {
				c.errorf(s.line, ctx+": services", "%v", err)
				continue
			}
			svcNames = append(svcNames, s.v)
			r.services = append(r.services, rs...)
		}

		switch a := rr.Action; {
		case !a.set:
			c.errorf(line, ctx, "action must be set (allow or alert)")
		case a.v == "allow":
			r.action = Allow
		case a.v == "alert":
			r.action = Alert
		default:
			c.errorf(a.line, ctx+": action", "%s is not one of allow, alert", quoteScalar(a))
		}
		if sv := rr.Severity; sv.set {
			switch {
			case !oneOf(sv.v, severities):
				c.errorf(sv.line, ctx+": severity", "%s is not one of %s", quoteScalar(sv), strings.Join(severities, ", "))
			case rr.Action.v == "allow":
				c.errorf(sv.line, ctx+": severity", "only alert rules have a severity")
			default:
				r.severity = sv.v
			}
		} else if r.action == Alert {
			r.severity = "medium"
		}
		r.info = RuleInfo{
			Name: r.name, Description: rr.Description.v, From: fromNames, To: toNames,
			Services: svcNames, Action: r.action, Severity: r.severity, Line: line,
		}
		p.rules = append(p.rules, r)
	}

	p.words = (len(p.rules) + 63) / 64
	p.fromBits = ruleBits(froms, len(p.zones), p.words)
	p.toBits = ruleBits(tos, len(p.zones), p.words)

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
func (c *compiler) zoneSet(list scalars, key, ctx string, line int, zoneIdx map[string]int, n int) ([]bool, []string) {
	if len(list) == 0 {
		c.errorf(line, ctx, "%s must be set (a zone, a list of zones, or any)", key)
		return nil, nil
	}
	set := make([]bool, n)
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
		z, ok := zoneIdx[s.v]
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
