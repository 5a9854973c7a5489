package inventory

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The parameters of the queries: the API's URL query parameters and the
// CLI verbs' flags (the same names, "-" for "_"). Parsing validates every
// value and turns it into the typed field of the query; a bad one is a
// *ParamError naming the parameter, with a message that starts with the
// value.

// ParseRawQuery parses a URL's raw query as url.ParseQuery does, but a
// pair it would drop is an error naming its parameter: a ";" (which Go no
// longer takes for "&"; "?vlan=abc;" would otherwise list everything) or
// a bad %-escape. An empty pair ("a=1&&b=2") is skipped.
func ParseRawQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if strings.Contains(pair, ";") {
			name, _, _ = strings.Cut(name, ";")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			return nil, &ParamError{Param: name, Msg: fmt.Sprintf("%q holds a \";\": separate parameters with \"&\", or write \";\" as %%3B", pair)}
		}
		n, nerr := url.QueryUnescape(name)
		val, verr := url.QueryUnescape(value)
		if nerr != nil || verr != nil {
			if nerr == nil {
				name = n
			}
			return nil, &ParamError{Param: name, Msg: fmt.Sprintf("%q is not %%-encoded correctly", pair)}
		}
		v[n] = append(v[n], val)
	}
	return v, nil
}

// ParamError is a bad query parameter (or command-line flag): the API
// answers it with 400 naming Param, the CLI with a usage error naming the
// flag.
type ParamError struct {
	Param string // the parameter's name, "seen_since"
	Msg   string // what is wrong, starting with the value
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Msg) }

// Paging says how limit behaves for a caller: Default applies when limit
// is not given (0 = everything), Max bounds it (0 = no bound).
type Paging struct{ Default, Max int }

// FleetParams are the parameters a central inventory (Options.Central)
// adds to every query: the pushing sensor's name and its site. Callers
// allow them (the extra names of Parse*Query) only there.
var FleetParams = []string{"sensor", "site"}

// fleet reads FleetParams (absent unless allowed).
func (p *params) fleet() (sensor, site string) {
	return p.text("sensor", 200), p.text("site", 200)
}

// AssetQueryParams are the parameters ParseAssetQuery reads.
var AssetQueryParams = []string{"class", "modality", "vendor", "vantage", "vlan", "zone", "ip", "mac", "search",
	"state", "seen_since", "new_since", "sort", "limit", "offset"}

// ParseAssetQuery reads an AssetQuery from v. Names other than
// AssetQueryParams and extra are errors, as are repeated parameters.
// Relative times ("24h", "7d") are taken back from now.
func ParseAssetQuery(v url.Values, now time.Time, pg Paging, extra ...string) (AssetQuery, error) {
	p := newParams(v, now, append(slices.Clone(AssetQueryParams), extra...))
	q := AssetQuery{
		Class: enum(p, "class", model.Classes), Modality: strings.ToUpper(p.text("modality", 8)),
		Vendor: p.text("vendor", 200), Vantage: p.text("vantage", 200), VLAN: p.vlan("vlan"),
		Zone: p.text("zone", 100), IP: p.ip("ip"), MAC: p.mac("mac"), Search: p.text("search", 200),
		State: enum(p, "state", FilterStates), SeenSince: p.since("seen_since"), NewSince: p.since("new_since"),
		Sort: p.sort("sort"),
	}
	q.Sensor, q.Site = p.fleet()
	if q.Modality != "" && !fingerprint.IsModality(q.Modality) {
		p.fail("modality", fmt.Sprintf("%q is not one of %s", v.Get("modality"), strings.Join(fingerprint.Modalities, ", ")))
	}
	q.Limit, q.Offset = p.page(pg)
	return q, p.err
}

// ParseAssetRef reads an asset reference: a MAC address (any form
// model.ParseMAC accepts) or an IP address.
func ParseAssetRef(ref string) (mac model.MAC, ip netip.Addr, err error) {
	if a, err := netip.ParseAddr(ref); err == nil {
		return model.MAC{}, a, nil
	}
	m, err := model.ParseMAC(ref)
	if err != nil {
		return model.MAC{}, netip.Addr{}, &ParamError{Param: "asset", Msg: "\"" + ref + "\" is not a MAC or IP address"}
	}
	return m, netip.Addr{}, nil
}

// ParseAssetRefQuery reads vantage and vlan from v.
func ParseAssetRefQuery(v url.Values, extra ...string) (AssetRefQuery, error) {
	p := newParams(v, time.Time{}, append([]string{"vantage", "vlan"}, extra...))
	q := AssetRefQuery{Vantage: p.text("vantage", 200), VLAN: p.vlan("vlan")}
	q.Sensor, q.Site = p.fleet()
	return q, p.err
}

// ViolationQueryParams are the parameters ParseViolationQuery reads.
var ViolationQueryParams = []string{"rule", "severity", "zone", "src_zone", "dst_zone", "vantage", "vlan", "mac", "ip",
	"seen_since", "new_since", "order", "limit", "offset"}

// Severities are the policy's alert severities.
var Severities = []string{"low", "medium", "high", "critical"}

// ParseViolationQuery reads a ViolationQuery from v; order defaults to
// desc (newest first) when defaultDesc, else asc.
func ParseViolationQuery(v url.Values, now time.Time, pg Paging, defaultDesc bool, extra ...string) (ViolationQuery, error) {
	p := newParams(v, now, append(slices.Clone(ViolationQueryParams), extra...))
	q := ViolationQuery{
		Rule: p.text("rule", 100), Severity: enum(p, "severity", Severities), Zone: p.text("zone", 100),
		SrcZone: p.text("src_zone", 100), DstZone: p.text("dst_zone", 100),
		Vantage: p.text("vantage", 200), VLAN: p.vlan("vlan"), MAC: p.mac("mac"), IP: p.ip("ip"),
		SeenSince: p.since("seen_since"), NewSince: p.since("new_since"), Desc: p.order("order", defaultDesc),
	}
	q.Sensor, q.Site = p.fleet()
	q.Limit, q.Offset = p.page(pg)
	return q, p.err
}

// FlowQueryParams are the parameters ParseFlowQuery reads.
var FlowQueryParams = []string{"vantage", "vlan", "mac", "ip", "proto", "port", "service", "seen_since", "order",
	"limit", "offset"}

// ParseFlowQuery reads a FlowQuery from v.
func ParseFlowQuery(v url.Values, now time.Time, pg Paging, defaultDesc bool, extra ...string) (FlowQuery, error) {
	p := newParams(v, now, append(slices.Clone(FlowQueryParams), extra...))
	q := FlowQuery{
		Vantage: p.text("vantage", 200), VLAN: p.vlan("vlan"), MAC: p.mac("mac"), IP: p.ip("ip"),
		Proto: p.proto("proto"), Port: p.port("port"), Service: enum(p, "service", model.Services),
		SeenSince: p.since("seen_since"), Desc: p.order("order", defaultDesc),
	}
	q.Sensor, q.Site = p.fleet()
	q.Limit, q.Offset = p.page(pg)
	return q, p.err
}

// EventQueryParams are the parameters ParseEventQuery reads.
var EventQueryParams = []string{"type", "vantage", "vlan", "mac", "ip", "since", "until", "order", "limit", "offset"}

// ParseEventQuery reads an EventQuery from v.
func ParseEventQuery(v url.Values, now time.Time, pg Paging, defaultDesc bool, extra ...string) (EventQuery, error) {
	p := newParams(v, now, append(slices.Clone(EventQueryParams), extra...))
	q := EventQuery{
		Type: enum(p, "type", model.EventTypes), Vantage: p.text("vantage", 200), VLAN: p.vlan("vlan"), MAC: p.mac("mac"),
		IP: p.ip("ip"), Since: p.since("since"), Until: p.since("until"), Desc: p.order("order", defaultDesc),
	}
	q.Sensor, q.Site = p.fleet()
	q.Limit, q.Offset = p.page(pg)
	return q, p.err
}

// params reads url.Values, keeping the first error.
type params struct {
	v   url.Values
	now time.Time
	err error
}

func newParams(v url.Values, now time.Time, allowed []string) *params {
	p := &params{v: v, now: now}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			sorted := slices.Clone(allowed)
			sort.Strings(sorted)
			p.fail(name, fmt.Sprintf("unknown parameter (want one of %s)", strings.Join(sorted, ", ")))
		} else if len(v[name]) > 1 {
			p.fail(name, "given more than once")
		}
	}
	return p
}

func (p *params) fail(name, msg string) {
	if p.err == nil {
		p.err = &ParamError{Param: name, Msg: msg}
	}
}

// get returns the parameter's value, "" if absent or after an error.
func (p *params) get(name string) string {
	if p.err != nil {
		return ""
	}
	return strings.TrimSpace(p.v.Get(name))
}

func (p *params) text(name string, max int) string {
	s := p.get(name)
	if len(s) > max {
		p.fail(name, fmt.Sprintf("longer than %d bytes", max))
		return ""
	}
	return s
}

// enum reads parameter name, which must be one of allowed.
func enum[T ~string](p *params, name string, allowed []T) T {
	s := T(p.get(name))
	if s != "" && !slices.Contains(allowed, s) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		p.fail(name, fmt.Sprintf("%q is not one of %s", s, strings.Join(names, ", ")))
		return ""
	}
	return s
}

func (p *params) vlan(name string) *uint16 {
	s := p.get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 4095 {
		p.fail(name, fmt.Sprintf("%q is not a VLAN id (0..4095)", s))
		return nil
	}
	v := uint16(n)
	return &v
}

func (p *params) mac(name string) model.MAC {
	s := p.get(name)
	if s == "" {
		return model.MAC{}
	}
	m, err := model.ParseMAC(s)
	if err != nil {
		p.fail(name, fmt.Sprintf("%q is not a MAC address (00:1b:63:84:45:e6, 00-1B-63-84-45-E6 or 001b.6384.45e6)", s))
		return model.MAC{}
	}
	return m
}

func (p *params) ip(name string) netip.Addr {
	s := p.get(name)
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		p.fail(name, fmt.Sprintf("%q is not an IP address", s))
		return netip.Addr{}
	}
	return a
}

func (p *params) port(name string) uint16 {
	s := p.get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		p.fail(name, fmt.Sprintf("%q is not a port (1..65535)", s))
		return 0
	}
	return uint16(n)
}

func (p *params) proto(name string) uint8 {
	s := strings.ToLower(p.get(name))
	switch s {
	case "":
		return 0
	case "tcp":
		return 6
	case "udp":
		return 17
	case "icmp":
		return 1
	case "icmpv6":
		return 58
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 {
		p.fail(name, fmt.Sprintf("%q is not a protocol (tcp, udp, icmp, icmpv6 or 1..255)", s))
		return 0
	}
	return uint8(n)
}

func (p *params) order(name string, defaultDesc bool) bool {
	switch s := p.get(name); s {
	case "":
		return defaultDesc
	case "asc":
		return false
	case "desc":
		return true
	default:
		p.fail(name, fmt.Sprintf("%q is not one of asc, desc", s))
		return defaultDesc
	}
}

func (p *params) sort(name string) store.AssetSort {
	s := p.get(name)
	if s == "" {
		return store.AssetSort{}
	}
	by, desc := strings.CutPrefix(s, "-")
	if !slices.Contains(store.AssetSorts, by) {
		p.fail(name, fmt.Sprintf("%q is not one of %s (a leading - sorts descending)", s,
			strings.Join(store.AssetSorts, ", ")))
		return store.AssetSort{}
	}
	return store.AssetSort{By: by, Desc: desc}
}

// since reads a point in time: an RFC 3339 time, or a duration back from
// now (Go syntax plus a "d" suffix for days: 90m, 24h, 7d). "" and "0" are
// the zero time (no bound).
func (p *params) since(name string) time.Time {
	s := p.get(name)
	if s == "" || s == "0" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.fail(name, fmt.Sprintf("%q is not a duration (90m, 24h, 7d) or an RFC 3339 time", s))
		return time.Time{}
	}
	return p.now.Add(-d)
}

func (p *params) page(pg Paging) (limit, offset int) {
	limit = pg.Default
	if s := p.get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 0:
			p.fail("limit", fmt.Sprintf("%q is not a count (0 or more)", s))
		case pg.Max > 0 && (n == 0 || n > pg.Max):
			p.fail("limit", fmt.Sprintf("%q is out of range 1..%d", s, pg.Max))
		default:
			limit = n
		}
	}
	if s := p.get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			p.fail("offset", fmt.Sprintf("%q is not a count (0 or more)", s))
		} else {
			offset = n
		}
	}
	return limit, offset
}

// ParseDuration parses a non-negative Go duration or a number of days
// ("7d", "1.5d").
func ParseDuration(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var f float64
		f, err = strconv.ParseFloat(days, 64)
		if err == nil && f >= 0 && f < 365*100 {
			d = time.Duration(f * float64(24*time.Hour))
		} else if err == nil {
			err = fmt.Errorf("out of range")
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 90m, 24h or 7d", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}
