package siem

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

func sample() *Violation {
	mac, _ := model.ParseMAC("9c:c8:ae:3c:c8:ab")
	return &Violation{
		Time: time.Date(2026, 1, 5, 8, 3, 0, 0, time.UTC), Rule: "pumps-to-internet", Severity: "high",
		SrcZone: "pumps", DstZone: "internet", SrcClass: "infusion-pump", Vantage: "span0", VLAN: 20,
		SrcMAC: mac, SrcIP: "10.20.0.104", DstIP: "203.0.113.10", Proto: 6, Port: 443, Service: "https",
		SrcHostname: "ALARIS-PC-0042", SrcManufacturer: "BD", SrcModel: "Alaris PC 8015",
	}
}

func TestECS(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(ECS(sample(), "sensor1"), &m); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var v any = m
		for _, p := range strings.Split(path, ".") {
			v = v.(map[string]any)[p]
		}
		return v
	}
	for path, want := range map[string]any{
		"ecs.version": ECSVersion, "event.kind": "alert", "event.dataset": "wardwatch.violation",
		"rule.name": "pumps-to-internet", "source.mac": "9C-C8-AE-3C-C8-AB", "source.ip": "10.20.0.104",
		"destination.ip": "203.0.113.10", "destination.port": float64(443), "network.transport": "tcp",
		"network.protocol": "https", "network.vlan.id": "20", "observer.type": "sensor",
		"observer.ingress.interface.name": "span0", "observer.ingress.vlan.id": "20", "observer.hostname": "sensor1",
		"wardwatch.src_zone": "pumps", "wardwatch.dst_zone": "internet", "event.severity": float64(73),
		"@timestamp": "2026-01-05T08:03:00Z", "network.direction": "outbound", "event.outcome": "unknown",
		"wardwatch.severity": "high", "source.domain": "ALARIS-PC-0042", "wardwatch.src_hostname": "ALARIS-PC-0042",
		"wardwatch.src_manufacturer": "BD", "wardwatch.src_model": "Alaris PC 8015", "wardwatch.src_class": "infusion-pump",
	} {
		if got := get(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if _, ok := m["observer"].(map[string]any)["egress"]; ok {
		t.Error("a SPAN sensor must not fill observer.egress")
	}
	// A passive sensor observed the connection; it denied nothing.
	if typ := get("event.type").([]any); len(typ) != 1 || typ[0] != "connection" {
		t.Errorf("event.type %v, want [connection]", typ)
	}
}

func TestLinesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	l, err := OpenLines(path, "h")
	if err != nil {
		t.Fatal(err)
	}
	l.Emit(sample())
	l.Emit(sample())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, ln := range lines {
		if !json.Valid([]byte(ln)) {
			t.Errorf("not JSON: %s", ln)
		}
	}
}

var rfc5424 = regexp.MustCompile(`^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \S+ wardwatch \d+ policy-violation \[wardwatch@32473 rule="[^"]*" severity="[^"]*" srcZone="[^"]*" dstZone="[^"]*"\] \{`)

// sendUDP emits e through a UDP syslog sink with o and returns the
// datagram a receiver got.
func sendUDP(t *testing.T, e Event, o SyslogOptions) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := NewSyslog("udp", pc.LocalAddr().String(), 16, "sensor1", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Emit(e); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	pc.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestSyslogUDP(t *testing.T) {
	msg := sendUDP(t, sample(), SyslogOptions{})
	mm := rfc5424.FindStringSubmatch(msg)
	if mm == nil {
		t.Fatalf("not RFC 5424: %s", msg)
	}
	if mm[1] != strconv.Itoa(16*8+3) { // local0, err (high)
		t.Errorf("PRI %s", mm[1])
	}
	if i := strings.Index(msg, "] {"); i < 0 || !json.Valid([]byte(msg[i+2:])) {
		t.Errorf("MSG is not the ECS JSON document: %s", msg)
	}
}

func TestSyslogTCPOctetCounting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		var msgs []string
		for len(msgs) < 2 {
			lenStr, err := r.ReadString(' ')
			if err != nil {
				break
			}
			n, _ := strconv.Atoi(strings.TrimSpace(lenStr))
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				break
			}
			msgs = append(msgs, string(b))
		}
		got <- msgs
	}()
	s, err := NewSyslog("tcp", ln.Addr().String(), 16, "sensor1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.Emit(sample()); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case msgs := <-got:
		if len(msgs) != 2 || !rfc5424.MatchString(msgs[0]) || !rfc5424.MatchString(msgs[1]) {
			t.Errorf("messages: %q", msgs)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no messages")
	}
	s.Close()
}

func TestSyslogErrors(t *testing.T) {
	if _, err := NewSyslog("tls", "127.0.0.1:514", 16, ""); err == nil {
		t.Error("bad network accepted")
	}
	if _, err := NewSyslog("udp", "nohostport", 16, ""); err == nil {
		t.Error("bad address accepted")
	}
	s, _ := NewSyslog("tcp", "127.0.0.1:1", 16, "")
	if err := s.Emit(sample()); err == nil || !strings.Contains(err.Error(), "syslog tcp 127.0.0.1:1") {
		t.Errorf("unreachable: %v", err)
	}
}
