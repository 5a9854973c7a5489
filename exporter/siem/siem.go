// Package siem emits Wardwatch's security events for SIEMs: Elastic Common
// Schema (ECS) JSON lines to a file or stdout, and optionally the same
// events as syslog messages over UDP or TCP (RFC 6587 octet counting), each
// an RFC 5424 message whose MSG is either the ECS document (format rfc5424)
// or an ArcSight Common Event Format record (format cef).
//
// Events are policy violations (*Violation: event.kind "alert",
// event.dataset "wardwatch.violation") and asset events (*AssetEvent:
// new-device, class-changed, advisory-match and every other type of the
// events table; event.dataset "wardwatch.asset"). A passive sensor observed
// a violation's connection, it did not block it: event.type is
// "connection", never "denied", and event.outcome "unknown". MAC addresses
// use the RFC 7042 form ECS recommends (00-1B-63-84-45-E6). A single-armed
// SPAN sensor fills observer.ingress only.
package siem

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// ECSVersion is the ECS version the events follow.
const ECSVersion = "8.11.0"

// ecsOutcomeUnknown is the ECS event.outcome of an alert: a passive sensor
// cannot tell whether the flow succeeded.
const ecsOutcomeUnknown = "unknown"

// Event is what the sinks send: a *Violation or an *AssetEvent.
type Event interface {
	record() *record
}

// record is an event in the terms every format needs.
type record struct {
	time     time.Time
	msgID    string // RFC 5424 MSGID and CEF Device Event Class ID: the event type
	name     string // CEF Name: one human line
	severity string // low, medium, high, critical
	sd       []param
	doc      map[string]any // the ECS document, without @timestamp, ecs and observer
	cef      []param        // CEF extension, without rt and dvchost
}

type param struct{ k, v string }

// Severities of events, lowest first.
var severities = []string{"low", "medium", "high", "critical"}

func normSeverity(s string) string {
	for _, x := range severities {
		if s == x {
			return s
		}
	}
	return "medium"
}

var severityNum = map[string]int{"low": 21, "medium": 47, "high": 73, "critical": 99}

// Violation is what the sinks need to describe one flagged flow.
type Violation struct {
	Time      time.Time
	Rule      string
	Severity  string // the rule's: low, medium, high, critical ("" = medium)
	SrcZone   string
	DstZone   string
	SrcClass  model.Class
	DstClass  model.Class
	Vantage   string
	VLAN      uint16
	OuterVLAN uint16
	SrcMAC    model.MAC
	DstMAC    model.MAC
	SrcIP     string
	DstIP     string
	Proto     uint8
	Port      uint16
	Service   string
	// The ends' identities from the inventory, "" when unknown.
	SrcHostname, DstHostname         string
	SrcManufacturer, DstManufacturer string
	SrcModel, DstModel               string
}

// Direction is the ECS network.direction of a flow between two zones:
// inbound from the internet, outbound to it, internal within the site,
// external between two internet addresses.
func Direction(srcZone, dstZone string) string {
	src, dst := srcZone == policy.ZoneInternet, dstZone == policy.ZoneInternet
	switch {
	case src && dst:
		return "external"
	case src:
		return "inbound"
	case dst:
		return "outbound"
	}
	return "internal"
}

func (v *Violation) record() *record {
	sev := normSeverity(v.Severity)
	transport := "tcp"
	if v.Proto == 17 {
		transport = "udp"
	}
	dir := Direction(v.SrcZone, v.DstZone)
	src := endECS(v.SrcIP, v.SrcMAC, v.SrcHostname)
	dst := endECS(v.DstIP, v.DstMAC, v.DstHostname)
	dst["port"] = v.Port
	network := map[string]any{"transport": transport, "direction": dir}
	if v.Service != "" {
		network["protocol"] = v.Service
	}
	if v.OuterVLAN != 0 {
		network["vlan"] = map[string]any{"id": strconv.Itoa(int(v.OuterVLAN))}
		network["inner"] = map[string]any{"vlan": map[string]any{"id": strconv.Itoa(int(v.VLAN))}}
	} else if v.VLAN != 0 {
		network["vlan"] = map[string]any{"id": strconv.Itoa(int(v.VLAN))}
	}
	r := &record{time: v.Time, msgID: string(model.EventViolation), severity: sev,
		name: "Segmentation violation: " + v.Rule + " (" + v.SrcZone + " -> " + v.DstZone + ")",
		sd:   []param{{"rule", v.Rule}, {"severity", sev}, {"srcZone", v.SrcZone}, {"dstZone", v.DstZone}},
		doc: map[string]any{
			"event": map[string]any{
				"kind": "alert", "category": []string{"network"}, "type": []string{"connection"},
				"dataset": "wardwatch.violation", "module": "wardwatch", "action": model.EventViolation,
				"severity": severityNum[sev], "outcome": ecsOutcomeUnknown,
			},
			"rule":        map[string]any{"name": v.Rule, "ruleset": "wardwatch-segmentation"},
			"source":      src,
			"destination": dst,
			"network":     network,
			"related":     map[string]any{"ip": nonEmpty(v.SrcIP, v.DstIP), "hosts": nonEmpty(v.SrcHostname, v.DstHostname)},
			"wardwatch": map[string]any{"src_zone": v.SrcZone, "dst_zone": v.DstZone, "src_class": v.SrcClass,
				"dst_class": v.DstClass, "severity": sev, "src_hostname": v.SrcHostname, "dst_hostname": v.DstHostname,
				"src_manufacturer": v.SrcManufacturer, "dst_manufacturer": v.DstManufacturer,
				"src_model": v.SrcModel, "dst_model": v.DstModel},
		},
	}
	r.cef = append(r.cef, ipCEF("src", "c6a2", "sourceIPv6", v.SrcIP)...)
	r.cef = append(r.cef, ipCEF("dst", "c6a3", "destinationIPv6", v.DstIP)...)
	r.cef = append(r.cef, macCEF("smac", v.SrcMAC)...)
	r.cef = append(r.cef, macCEF("dmac", v.DstMAC)...)
	r.cef = append(r.cef, param{"dpt", strconv.Itoa(int(v.Port))}, param{"proto", strings.ToUpper(transport)})
	r.cef = appendSet(r.cef, "app", v.Service)
	r.cef = appendSet(r.cef, "shost", v.SrcHostname)
	r.cef = appendSet(r.cef, "dhost", v.DstHostname)
	switch dir {
	case "inbound":
		r.cef = append(r.cef, param{"deviceDirection", "0"})
	case "outbound":
		r.cef = append(r.cef, param{"deviceDirection", "1"})
	}
	r.cef = append(r.cef, param{"cat", "wardwatch.violation"}, param{"act", "observed"},
		param{"cs1Label", "rule"}, param{"cs1", v.Rule},
		param{"cs2Label", "srcZone"}, param{"cs2", v.SrcZone},
		param{"cs3Label", "dstZone"}, param{"cs3", v.DstZone},
		param{"cs4Label", "srcClass"}, param{"cs4", string(v.SrcClass)},
		param{"cs5Label", "dstClass"}, param{"cs5", string(v.DstClass)},
		param{"cs6Label", "srcDevice"}, param{"cs6", join2(v.SrcManufacturer, v.SrcModel)},
		param{"flexString1Label", "dstDevice"}, param{"flexString1", join2(v.DstManufacturer, v.DstModel)},
		param{"flexString2Label", "networkDirection"}, param{"flexString2", dir})
	r.cef = vlanCEF(r.cef, v.Vantage, v.VLAN)
	r.cef = append(r.cef, param{"msg", r.name})
	return r
}

func endECS(ip string, mac model.MAC, host string) map[string]any {
	m := map[string]any{"ip": ip}
	if !mac.IsZero() {
		m["mac"] = mac.ECS()
	}
	if host != "" {
		m["domain"] = host
	}
	return m
}

// AssetEvent is a change about one device (a row of the events table):
// new-device, class-changed, advisory-match, ...
type AssetEvent struct {
	Time    time.Time
	Type    model.EventType
	Vantage string
	VLAN    uint16
	MAC     model.MAC // zero for an asset keyed by IP
	// IP is the device's address (the event's, else the device's own).
	IP string
	// The device as the inventory has it.
	Hostname     string
	Class        model.Class
	Manufacturer string
	Model        string
	Zone         string
	OldValue     string
	NewValue     string
	// Advisory: the advisory of an advisory-match event.
	Advisory *AdvisoryInfo
}

// AdvisoryInfo is the advisory an advisory-match event names.
type AdvisoryInfo struct {
	ID       string
	Title    string
	URL      string
	CVEs     []string
	CVSS     float64
	Severity string // none, low, medium, high, critical
	Verdict  string // affected, possibly affected
}

// Severity is the event's severity: an advisory match takes the
// advisory's (one step lower when the device is only possibly affected), a
// MAC flood, a silent critical device and a new peer outside the site are
// high, an address taken over by another device and the other behaviour
// changes but a new protocol medium, everything else low.
func (e *AssetEvent) Severity() string {
	switch {
	case e.Type == model.EventAdvisoryMatch && e.Advisory != nil:
		i := 0
		for j, s := range severities {
			if s == e.Advisory.Severity {
				i = j
			}
		}
		if e.Advisory.Verdict != "affected" && i > 0 {
			i--
		}
		return severities[i]
	case e.Type == model.EventMACFlood || e.Type == model.EventSilent || e.Type == model.EventNewExternalPeer:
		return "high"
	case e.Type == model.EventNewProtocol:
		return "low"
	case e.Type.IsBehaviour(): // docs/behaviour.md
		return "medium"
	case e.Type == model.EventIPMoved || e.Type == model.EventFlipFlop:
		return "medium"
	}
	return "low"
}

// ecsType is the ECS event.type of an asset event type.
func ecsType(t model.EventType) []string {
	switch t {
	case model.EventNewDevice, model.EventNewStation, model.EventNewIP:
		return []string{"creation"}
	case model.EventAdvisoryMatch, model.EventMACFlood, model.EventSilent, model.EventHeardAgain, model.EventAliveByProbe:
		return []string{"info"}
	}
	return []string{"change"}
}

func (e *AssetEvent) record() *record {
	sev := e.Severity()
	typ := string(e.Type)
	kind, cat := "event", []string{"host"}
	switch e.Type {
	case model.EventAdvisoryMatch:
		kind, cat = "alert", []string{"vulnerability", "host"}
	case model.EventMACFlood:
		kind, cat = "alert", []string{"network"}
	case model.EventSilent:
		kind = "alert"
	}
	host := map[string]any{"type": string(e.Class.OrUnknown())}
	if !e.MAC.IsZero() {
		host["mac"] = []string{e.MAC.ECS()}
	}
	if e.IP != "" {
		host["ip"] = []string{e.IP}
	}
	if e.Hostname != "" {
		host["hostname"] = e.Hostname
		host["name"] = e.Hostname
	}
	dev := map[string]any{"class": e.Class.OrUnknown(), "manufacturer": e.Manufacturer, "model": e.Model,
		"zone": e.Zone, "vantage": e.Vantage, "vlan": e.VLAN}
	ww := map[string]any{"event_type": typ, "old_value": e.OldValue, "new_value": e.NewValue, "severity": sev,
		"device": dev}
	name := strings.Join(append([]string{typ + ": " + deviceName(e)}, nonEmpty(e.OldValue, e.NewValue)...), " ")
	r := &record{time: e.Time, msgID: typ, severity: sev, name: name,
		sd: []param{{"type", typ}, {"severity", sev}, {"device", deviceRef(e)}, {"old", e.OldValue}, {"new", e.NewValue}},
		doc: map[string]any{
			"event": map[string]any{"kind": kind, "category": cat, "type": ecsType(e.Type),
				"dataset": "wardwatch.asset", "module": "wardwatch", "action": typ, "severity": severityNum[sev]},
			"host":      host,
			"related":   map[string]any{"ip": nonEmpty(e.IP), "hosts": nonEmpty(e.Hostname)},
			"wardwatch": ww,
		},
	}
	if e.VLAN != 0 {
		r.doc["network"] = map[string]any{"vlan": map[string]any{"id": strconv.Itoa(int(e.VLAN))}}
	}
	r.cef = append(r.cef, ipCEF("src", "c6a2", "sourceIPv6", e.IP)...)
	r.cef = append(r.cef, macCEF("smac", e.MAC)...)
	r.cef = appendSet(r.cef, "shost", e.Hostname)
	r.cef = append(r.cef, param{"cat", "wardwatch.asset"},
		param{"cs1Label", "class"}, param{"cs1", string(e.Class.OrUnknown())},
		param{"cs2Label", "manufacturer"}, param{"cs2", e.Manufacturer},
		param{"cs3Label", "model"}, param{"cs3", e.Model},
		param{"cs4Label", "oldValue"}, param{"cs4", e.OldValue},
		param{"cs5Label", "newValue"}, param{"cs5", e.NewValue},
		param{"cs6Label", "zone"}, param{"cs6", e.Zone})
	if a := e.Advisory; a != nil {
		vuln := map[string]any{"id": a.CVEs, "enumeration": "CVE", "severity": a.Severity,
			"description": a.Title, "reference": a.URL, "classification": "CVSS",
			"scanner": map[string]any{"vendor": "Wardwatch"}, "category": []string{"advisory"}}
		if a.CVSS > 0 {
			vuln["score"] = map[string]any{"base": a.CVSS, "version": "3"}
		}
		r.doc["vulnerability"] = vuln
		ww["advisory"] = map[string]any{"id": a.ID, "title": a.Title, "url": a.URL, "cves": a.CVEs,
			"cvss": a.CVSS, "severity": a.Severity, "verdict": a.Verdict}
		r.sd = append(r.sd, param{"advisory", a.ID}, param{"verdict", a.Verdict})
		r.cef = append(r.cef, param{"flexString1Label", "advisory"}, param{"flexString1", a.ID},
			param{"flexString2Label", "verdict"}, param{"flexString2", a.Verdict},
			param{"cfp1Label", "cvss"}, param{"cfp1", strconv.FormatFloat(a.CVSS, 'f', 1, 64)},
			param{"cs6Label", "cves"}, param{"cs6", strings.Join(a.CVEs, ",")})
		r.cef = appendSet(r.cef, "request", a.URL)
		r.cef = dropFirst(r.cef, "cs6Label", "cs6") // the zone makes way for the CVEs
	}
	r.cef = vlanCEF(r.cef, e.Vantage, e.VLAN)
	r.cef = append(r.cef, param{"msg", r.name})
	return r
}

// deviceName is how an event names its device: host name, else address,
// else MAC.
func deviceName(e *AssetEvent) string {
	switch {
	case e.Hostname != "":
		return e.Hostname
	case e.IP != "":
		return e.IP
	}
	return deviceRef(e)
}

func deviceRef(e *AssetEvent) string {
	if !e.MAC.IsZero() {
		return e.MAC.String()
	}
	return e.IP
}

func join2(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

func nonEmpty(ss ...string) []string {
	out := []string{}
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func appendSet(ps []param, k, v string) []param {
	if v == "" {
		return ps
	}
	return append(ps, param{k, v})
}

// dropFirst removes the first parameters named by keys (a later one of
// the same key stays).
func dropFirst(ps []param, keys ...string) []param {
	for _, k := range keys {
		for i, p := range ps {
			if p.k == k {
				ps = append(ps[:i], ps[i+1:]...)
				break
			}
		}
	}
	return ps
}

// ipCEF puts an IPv4 address in key and an IPv6 one in the custom IPv6
// field (CEF's src and dst are IPv4).
func ipCEF(key, v6key, v6label, ip string) []param {
	switch {
	case ip == "":
		return nil
	case strings.Contains(ip, ":"):
		return []param{{v6key + "Label", v6label}, {v6key, ip}}
	}
	return []param{{key, ip}}
}

func macCEF(key string, m model.MAC) []param {
	if m.IsZero() {
		return nil
	}
	return []param{{key, m.String()}}
}

func vlanCEF(ps []param, vantage string, vlan uint16) []param {
	ps = appendSet(ps, "deviceInboundInterface", vantage)
	if vlan != 0 {
		ps = append(ps, param{"cn1Label", "vlan"}, param{"cn1", strconv.Itoa(int(vlan))})
	}
	return ps
}

// ECS renders e as one ECS JSON document (no trailing newline).
func ECS(e Event, observerHost string) []byte {
	return ecsOf(e.record(), observerHost)
}

func ecsOf(r *record, observerHost string) []byte {
	doc := make(map[string]any, len(r.doc)+4)
	for k, v := range r.doc {
		doc[k] = v
	}
	doc["@timestamp"] = r.time.UTC().Format(time.RFC3339Nano)
	doc["ecs"] = map[string]any{"version": ECSVersion}
	obs := map[string]any{"type": "sensor", "vendor": "Wardwatch", "product": "wardwatch", "hostname": observerHost}
	if in := ingressOf(r); in != nil {
		obs["ingress"] = in
	}
	doc["observer"] = obs
	b, _ := json.Marshal(doc)
	return b
}

// ingressOf is observer.ingress: the capture interface (vantage) and the
// frames' VLAN.
func ingressOf(r *record) map[string]any {
	var vantage, vlan string
	for _, p := range r.cef {
		switch p.k {
		case "deviceInboundInterface":
			vantage = p.v
		case "cn1":
			vlan = p.v
		}
	}
	if vantage == "" && vlan == "" {
		return nil
	}
	in := map[string]any{"interface": map[string]any{"name": vantage}}
	if vlan != "" {
		in["vlan"] = map[string]any{"id": vlan}
	}
	return in
}

// CEF renders e as one ArcSight Common Event Format record (CEF:0, no
// trailing newline). Version is the product version in the header.
func CEF(e Event, observerHost, version string) []byte {
	return cefOf(e.record(), observerHost, version)
}

// cefSeverity is CEF's 0..10 severity of ours.
var cefSeverity = map[string]int{"low": 3, "medium": 5, "high": 8, "critical": 10}

func cefOf(r *record, observerHost, version string) []byte {
	var b strings.Builder
	b.WriteString("CEF:0|Wardwatch|wardwatch|")
	b.WriteString(cefHeader(version))
	b.WriteByte('|')
	b.WriteString(cefHeader(r.msgID))
	b.WriteByte('|')
	b.WriteString(cefHeader(r.name))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(cefSeverity[r.severity]))
	b.WriteString("|rt=")
	b.WriteString(strconv.FormatInt(r.time.UnixMilli(), 10))
	if observerHost != "" {
		b.WriteString(" dvchost=")
		b.WriteString(cefValue(observerHost))
	}
	for _, p := range r.cef {
		b.WriteByte(' ')
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(cefValue(p.v))
	}
	return []byte(b.String())
}

// cefHeader escapes a CEF header field: backslash and pipe with a
// backslash; a line break, which the header may not hold, becomes a space;
// invalid UTF-8 becomes U+FFFD.
func cefHeader(s string) string {
	return cefEscape(s, func(b *strings.Builder, r rune) bool {
		switch r {
		case '\\', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			return false
		}
		return true
	})
}

// cefValue escapes a CEF extension value: backslash and equals sign with a
// backslash, a line break as \n or \r (the spec's multi-line encoding);
// invalid UTF-8 becomes U+FFFD.
func cefValue(s string) string {
	return cefEscape(s, func(b *strings.Builder, r rune) bool {
		switch r {
		case '\\', '=':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			return false
		}
		return true
	})
}

func cefEscape(s string, esc func(*strings.Builder, rune) bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			continue
		}
		if !esc(&b, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Sink writes events somewhere. Emit never blocks for long: a slow or
// broken destination is reported by the returned error (and counted by the
// caller); the sensor does not wait for it.
type Sink interface {
	Emit(e Event) error
	Close() error
}

// Lines writes ECS JSON lines to w (a file or stdout).
type Lines struct {
	mu   sync.Mutex
	w    *bufio.Writer
	c    io.Closer
	host string
}

// OpenLines appends to path ("-" is stdout). A new file is created 0600.
func OpenLines(path, host string) (*Lines, error) {
	if path == "-" {
		return &Lines{w: bufio.NewWriter(os.Stdout), host: host}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open event file: %w", err)
	}
	return &Lines{w: bufio.NewWriter(f), c: f, host: host}, nil
}

func (l *Lines) Emit(e Event) error {
	doc := ECS(e, l.host)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(doc)
	l.w.WriteByte('\n')
	return l.w.Flush()
}

func (l *Lines) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.w.Flush()
	if l.c != nil {
		if cerr := l.c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Syslog message formats (events.syslog.format).
const (
	// FormatRFC5424: structured data with the event's key fields, the ECS
	// document as MSG.
	FormatRFC5424 = "rfc5424"
	// FormatCEF: the same RFC 5424 header and structured data, a CEF:0
	// record as MSG.
	FormatCEF = "cef"
)

// Formats are the syslog formats NewSyslog takes.
var Formats = []string{FormatRFC5424, FormatCEF}

// Syslog sends each event as an RFC 5424 message whose MSG is the ECS JSON
// document or a CEF record. Over TCP, messages are framed by octet
// counting (RFC 6587 3.4.1).
type Syslog struct {
	mu       sync.Mutex
	network  string
	addr     string
	facility int
	host     string
	format   string
	version  string
	conn     net.Conn
	timeout  time.Duration
}

// SyslogOptions are the optional settings of NewSyslog.
type SyslogOptions struct {
	// Format is FormatRFC5424 (default) or FormatCEF.
	Format string
	// Version is the product version a CEF header carries.
	Version string
}

// NewSyslog prepares a syslog sink; network is "udp" or "tcp". The
// connection is made on first use and remade after an error.
func NewSyslog(network, addr string, facility int, host string, o ...SyslogOptions) (*Syslog, error) {
	if network != "udp" && network != "tcp" {
		return nil, fmt.Errorf("syslog: network %q: want udp or tcp", network)
	}
	if facility < 0 || facility > 23 {
		return nil, fmt.Errorf("syslog: facility %d out of range 0..23", facility)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("syslog: address %q: %w", addr, err)
	}
	if _, err := net.LookupPort(network, port); err != nil { // a number or a service name; no DNS
		return nil, fmt.Errorf("syslog: address %q: %w", addr, err)
	}
	s := &Syslog{network: network, addr: addr, facility: facility, host: host, format: FormatRFC5424,
		timeout: 2 * time.Second}
	if len(o) > 0 {
		switch o[0].Format {
		case "", FormatRFC5424:
		case FormatCEF:
			s.format = FormatCEF
		default:
			return nil, fmt.Errorf("syslog: format %q: want %s", o[0].Format, strings.Join(Formats, " or "))
		}
		s.version = o[0].Version
	}
	return s, nil
}

var syslogSeverity = map[string]int{"low": 5, "medium": 4, "high": 3, "critical": 2} // notice, warning, err, crit

// Format renders one RFC 5424 message.
func (s *Syslog) Format(e Event) []byte {
	r := e.record()
	host := s.host
	if host == "" {
		host = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<%d>1 %s %s wardwatch %d %s [wardwatch@32473", s.facility*8+syslogSeverity[r.severity],
		r.time.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), host, os.Getpid(), msgID(r.msgID))
	for _, p := range r.sd {
		b.WriteByte(' ')
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(sdValue(p.v))
	}
	b.WriteString("] ")
	if s.format == FormatCEF {
		return append([]byte(b.String()), cefOf(r, s.host, s.version)...)
	}
	return append([]byte(b.String()), ecsOf(r, s.host)...)
}

// msgID is an RFC 5424 MSGID: 1..32 printable US-ASCII characters, "-"
// for none.
func msgID(s string) string {
	if s = PrintableASCII(s, 32); s == "" {
		return "-"
	}
	return s
}

// PrintableASCII is s with every byte that is not printable US-ASCII (a
// space, a control character, UTF-8) replaced by "_", cut to max bytes:
// what an RFC 5424 header field (HOSTNAME, MSGID) may hold.
func PrintableASCII(s string, max int) string {
	b := []byte(s)
	for i, c := range b {
		if c <= ' ' || c > '~' {
			b[i] = '_'
		}
	}
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

// sdValue quotes an SD-PARAM value (RFC 5424 6.3.3): '"', '\\' and ']'
// escaped with a backslash, nothing else (a receiver keeps any other
// backslash as it is), and invalid UTF-8 replaced by U+FFFD, as
// encoding/json does in the MSG.
func sdValue(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '"' || r == '\\' || r == ']':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

func (s *Syslog) Emit(e Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.Format(e)
	if s.network == "tcp" {
		msg = append([]byte(strconv.Itoa(len(msg))+" "), msg...)
	}
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil {
			c, err := net.DialTimeout(s.network, s.addr, s.timeout)
			if err != nil {
				return fmt.Errorf("syslog %s %s: %w", s.network, s.addr, err)
			}
			s.conn = c
		}
		s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
		if _, err := s.conn.Write(msg); err != nil {
			s.conn.Close()
			s.conn = nil
			if attempt == 1 {
				return fmt.Errorf("syslog %s %s: %w", s.network, s.addr, err)
			}
			continue
		}
		return nil
	}
	return errors.New("syslog: unreachable")
}

func (s *Syslog) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		err := s.conn.Close()
		s.conn = nil
		return err
	}
	return nil
}

// Multi fans out to several sinks; it returns the first error.
type Multi []Sink

func (m Multi) Emit(e Event) error {
	var first error
	for _, s := range m {
		if err := s.Emit(e); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (m Multi) Close() error {
	var first error
	for _, s := range m {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
