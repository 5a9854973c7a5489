// Package siem emits Wardwatch's security events for SIEMs: Elastic Common
// Schema (ECS) JSON lines to a file or stdout, and optionally the same lines
// as RFC 5424 syslog messages over UDP or TCP (RFC 6587 octet counting).
//
// Events are policy violations (event.kind "alert", event.dataset
// "wardwatch.violation"). MAC addresses use the RFC 7042 form ECS recommends
// (00-1B-63-84-45-E6). A single-armed SPAN sensor fills observer.ingress only.
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
)

// ECSVersion is the ECS version the events follow.
const ECSVersion = "8.11.0"

// ecsOutcomeUnknown is the ECS event.outcome of an alert: a passive sensor
// cannot tell whether the flow succeeded.
const ecsOutcomeUnknown = "unknown"

// Violation is what the sinks need to describe one flagged flow.
type Violation struct {
	Time      time.Time
	Rule      string
	Severity  string // low, medium, high, critical ("" = medium)
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
}

type ecsEvent struct {
	Timestamp   string         `json:"@timestamp"`
	ECS         map[string]any `json:"ecs"`
	Event       map[string]any `json:"event"`
	Rule        map[string]any `json:"rule"`
	Source      map[string]any `json:"source"`
	Destination map[string]any `json:"destination"`
	Network     map[string]any `json:"network"`
	Observer    map[string]any `json:"observer"`
	Related     map[string]any `json:"related"`
	Wardwatch   map[string]any `json:"wardwatch"`
}

var severityNum = map[string]int{"low": 21, "medium": 47, "high": 73, "critical": 99}

// ECS renders v as one ECS JSON document (no trailing newline).
func ECS(v *Violation, observerHost string) []byte {
	sev := v.Severity
	if sev == "" {
		sev = "medium"
	}
	transport := "tcp"
	if v.Proto == 17 {
		transport = "udp"
	}
	src := map[string]any{"ip": v.SrcIP}
	if !v.SrcMAC.IsZero() {
		src["mac"] = v.SrcMAC.ECS()
	}
	dst := map[string]any{"ip": v.DstIP, "port": v.Port}
	if !v.DstMAC.IsZero() {
		dst["mac"] = v.DstMAC.ECS()
	}
	network := map[string]any{"transport": transport, "direction": "internal"}
	if v.Service != "" {
		network["protocol"] = v.Service
	}
	if v.OuterVLAN != 0 {
		network["vlan"] = map[string]any{"id": strconv.Itoa(int(v.OuterVLAN))}
		network["inner"] = map[string]any{"vlan": map[string]any{"id": strconv.Itoa(int(v.VLAN))}}
	} else if v.VLAN != 0 {
		network["vlan"] = map[string]any{"id": strconv.Itoa(int(v.VLAN))}
	}
	ingress := map[string]any{"interface": map[string]any{"name": v.Vantage}}
	if v.VLAN != 0 {
		ingress["vlan"] = map[string]any{"id": strconv.Itoa(int(v.VLAN))}
	}
	e := ecsEvent{
		Timestamp: v.Time.UTC().Format(time.RFC3339Nano),
		ECS:       map[string]any{"version": ECSVersion},
		Event: map[string]any{
			"kind": "alert", "category": []string{"network"}, "type": []string{"connection", "denied"},
			"dataset": "wardwatch.violation", "module": "wardwatch", "action": model.EventViolation,
			"severity": severityNum[sev], "outcome": ecsOutcomeUnknown,
		},
		Rule:        map[string]any{"name": v.Rule, "ruleset": "wardwatch-segmentation"},
		Source:      src,
		Destination: dst,
		Network:     network,
		Observer: map[string]any{"type": "sensor", "vendor": "Wardwatch", "product": "wardwatch",
			"hostname": observerHost, "ingress": ingress},
		Related: map[string]any{"ip": []string{v.SrcIP, v.DstIP}},
		Wardwatch: map[string]any{"src_zone": v.SrcZone, "dst_zone": v.DstZone, "src_class": v.SrcClass,
			"dst_class": v.DstClass, "severity": sev},
	}
	b, _ := json.Marshal(e)
	return b
}

// Sink writes violations somewhere. Emit never blocks for long: a slow or
// broken destination is reported by the returned error (and counted by the
// caller); the sensor does not wait for it.
type Sink interface {
	Emit(v *Violation) error
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

func (l *Lines) Emit(v *Violation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(ECS(v, l.host))
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

// Syslog sends each event as an RFC 5424 message whose MSG is the ECS JSON
// document. Over TCP, messages are framed by octet counting (RFC 6587 3.4.1).
type Syslog struct {
	mu       sync.Mutex
	network  string
	addr     string
	facility int
	host     string
	conn     net.Conn
	timeout  time.Duration
}

// NewSyslog prepares a syslog sink; network is "udp" or "tcp". The
// connection is made on first use and remade after an error.
func NewSyslog(network, addr string, facility int, host string) (*Syslog, error) {
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
	return &Syslog{network: network, addr: addr, facility: facility, host: host, timeout: 2 * time.Second}, nil
}

var syslogSeverity = map[string]int{"low": 5, "medium": 4, "high": 3, "critical": 2} // notice, warning, err, crit

// Format renders one RFC 5424 message.
func (s *Syslog) Format(v *Violation) []byte {
	sev, ok := syslogSeverity[v.Severity]
	if !ok {
		sev = 4
	}
	host := s.host
	if host == "" {
		host = "-"
	}
	msg := fmt.Sprintf("<%d>1 %s %s wardwatch %d policy-violation [wardwatch@32473 rule=%s srcZone=%s dstZone=%s] ",
		s.facility*8+sev, v.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), host, os.Getpid(),
		sdValue(v.Rule), sdValue(v.SrcZone), sdValue(v.DstZone))
	return append([]byte(msg), ECS(v, s.host)...)
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

func (s *Syslog) Emit(v *Violation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.Format(v)
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

func (m Multi) Emit(v *Violation) error {
	var first error
	for _, s := range m {
		if err := s.Emit(v); err != nil && first == nil {
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
