package siem

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardwatch/wardwatch/model"
)

// parseCEF reads a CEF:0 record as the ArcSight CEF specification writes
// it: seven header fields after "CEF:0" separated by unescaped pipes (\|
// and \\ escaped), then the extension, key=value pairs separated by
// spaces, where a key is a run of [A-Za-z0-9_.] before an unescaped "="
// and a value runs to the space before the next key, with \\, \=, \n and
// \r unescaped.
func parseCEF(s string) (header []string, ext map[string]string, err error) {
	if !strings.HasPrefix(s, "CEF:0|") {
		return nil, nil, fmt.Errorf("no CEF:0 prefix: %q", s)
	}
	i := len("CEF:")
	var cur strings.Builder
	for len(header) < 7 {
		if i >= len(s) {
			return nil, nil, fmt.Errorf("header ends after %d fields", len(header))
		}
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '\\'):
			cur.WriteByte(s[i+1])
			i += 2
		case c == '|':
			header = append(header, cur.String())
			cur.Reset()
			i++
		case c == '\n' || c == '\r':
			return nil, nil, fmt.Errorf("line break in the header")
		default:
			cur.WriteByte(c)
			i++
		}
	}
	// header: "0" (the CEF version), vendor, product, version, event
	// class id, name, severity.
	ext = map[string]string{}
	e := s[i:]
	if strings.ContainsAny(e, "\n\r") {
		return nil, nil, fmt.Errorf("line break in the extension")
	}
	// Unescaped "=" positions and the key before each.
	type kv struct{ key, keyStart, valStart int }
	var keys []kv
	for k := 0; k < len(e); k++ {
		if e[k] == '\\' {
			k++
			continue
		}
		if e[k] != '=' {
			continue
		}
		st := k
		for st > 0 && isKeyByte(e[st-1]) {
			st--
		}
		if st == k || (st > 0 && e[st-1] != ' ') {
			return nil, nil, fmt.Errorf("unescaped = at %d not after a key: %q", k, e)
		}
		keys = append(keys, kv{keyStart: st, valStart: k + 1})
	}
	for n, k := range keys {
		end := len(e)
		if n+1 < len(keys) {
			end = keys[n+1].keyStart - 1
		}
		raw := e[k.valStart:end]
		v, err := unescapeCEF(raw)
		if err != nil {
			return nil, nil, err
		}
		name := e[k.keyStart : k.valStart-1]
		if _, dup := ext[name]; dup && !strings.HasSuffix(name, "Label") {
			return nil, nil, fmt.Errorf("key %s twice", name)
		}
		ext[name] = v
	}
	return header, ext, nil
}

func isKeyByte(c byte) bool {
	return c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func unescapeCEF(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("value ends in a lone backslash: %q", s)
		}
		i++
		switch s[i] {
		case '\\', '=':
			b.WriteByte(s[i])
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Errorf("unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String(), nil
}

// checkCEF parses a record and checks the extension values want, as given
// (invalid UTF-8 replaced).
func checkCEF(t *testing.T, rec []byte, want map[string]string) {
	t.Helper()
	if !utf8.Valid(rec) {
		t.Fatalf("CEF record is not UTF-8: %q", rec)
	}
	h, ext, err := parseCEF(string(rec))
	if err != nil {
		t.Fatalf("%v\n%q", err, rec)
	}
	if h[1] != "Wardwatch" || h[2] != "wardwatch" {
		t.Errorf("header %q", h)
	}
	for k, v := range want {
		if got := ext[k]; got != jsonValid(v) {
			t.Errorf("%s = %q, want %q (record %q)", k, got, jsonValid(v), rec)
		}
	}
}

func TestCEFViolation(t *testing.T) {
	v := sample()
	v.Rule = `a|b=c\d` + "\nx"
	rec := CEF(v, "sensor1", "1.2.3")
	h, ext, err := parseCEF(string(rec))
	if err != nil {
		t.Fatalf("%v: %s", err, rec)
	}
	if h[3] != "1.2.3" || h[4] != "policy-violation" || h[6] != "8" {
		t.Errorf("header %q", h)
	}
	if !strings.Contains(h[5], `a|b=c\d x`) {
		t.Errorf("name %q: want the rule with the line break as a space", h[5])
	}
	for k, want := range map[string]string{
		"cs1Label": "rule", "cs1": v.Rule, "src": "10.20.0.104", "dst": "203.0.113.10", "dpt": "443",
		"smac": "9c:c8:ae:3c:c8:ab", "proto": "TCP", "app": "https", "shost": "ALARIS-PC-0042",
		"cs2": "pumps", "cs3": "internet", "cs4": "infusion-pump", "cs6": "BD Alaris PC 8015", "deviceDirection": "1",
		"flexString2": "outbound", "deviceInboundInterface": "span0", "cn1": "20", "dvchost": "sensor1",
		"act": "observed", "rt": "1767600180000",
	} {
		if ext[k] != want {
			t.Errorf("%s = %q, want %q", k, ext[k], want)
		}
	}
	if !strings.Contains(string(rec), `cs1=a|b\=c\\d\nx`) {
		t.Errorf("extension escaping: %s", rec)
	}
}

func TestDirection(t *testing.T) {
	for _, c := range []struct{ src, dst, want string }{
		{"pumps", "internet", "outbound"}, {"internet", "pumps", "inbound"}, {"pumps", "pacs", "internal"},
		{"unzoned", "pacs", "internal"}, {"internet", "internet", "external"},
	} {
		if got := Direction(c.src, c.dst); got != c.want {
			t.Errorf("Direction(%s, %s) = %s, want %s", c.src, c.dst, got, c.want)
		}
	}
}

func advisoryEvent() *AssetEvent {
	mac, _ := model.ParseMAC("9c:c8:ae:23:c3:65")
	return &AssetEvent{Time: time.Date(2026, 1, 5, 8, 10, 0, 0, time.UTC), Type: model.EventAdvisoryMatch,
		Vantage: "span0", VLAN: 20, MAC: mac, IP: "10.20.0.101", Hostname: "ALARIS-PC-0042", Class: "infusion-pump",
		Manufacturer: "BD", Zone: "pumps", NewValue: "ICSMA-23-194-01 (possibly affected)",
		Advisory: &AdvisoryInfo{ID: "ICSMA-23-194-01", Title: "BD Alaris System with Guardrails Suite MX",
			URL: "https://example.org/icsma-23-194-01", CVEs: []string{"CVE-2023-30559", "CVE-2023-30560"}, CVSS: 8.2,
			Severity: "high", Verdict: "possibly affected"}}
}

// TestAssetEvents: every event type of the events table is sent in all
// three formats, with the device; an advisory match carries the
// advisory as ECS vulnerability fields.
func TestAssetEvents(t *testing.T) {
	for _, typ := range model.EventTypes {
		e := advisoryEvent()
		e.Type, e.OldValue, e.NewValue, e.Advisory = typ, "old", "new", nil
		var m map[string]any
		if err := json.Unmarshal(ECS(e, "sensor1"), &m); err != nil {
			t.Fatal(err)
		}
		ev := m["event"].(map[string]any)
		if ev["action"] != string(typ) || ev["dataset"] != "wardwatch.asset" {
			t.Errorf("%s: event %v", typ, ev)
		}
		host := m["host"].(map[string]any)
		if host["hostname"] != "ALARIS-PC-0042" || host["type"] != "infusion-pump" {
			t.Errorf("%s: host %v", typ, host)
		}
		if _, ext, err := parseCEF(string(CEF(e, "sensor1", "1"))); err != nil || ext["cs4"] != "old" || ext["cs5"] != "new" {
			t.Errorf("%s: CEF %v %v", typ, ext, err)
		}
		s, _ := NewSyslog("udp", "127.0.0.1:514", 16, "sensor1")
		if msg := string(s.Format(e)); !strings.Contains(msg, " wardwatch ") || !strings.Contains(msg, " "+string(typ)+" [wardwatch@32473 type=") {
			t.Errorf("%s: syslog %q", typ, msg)
		}
	}

	e := advisoryEvent()
	var m map[string]any
	if err := json.Unmarshal(ECS(e, "sensor1"), &m); err != nil {
		t.Fatal(err)
	}
	vuln := m["vulnerability"].(map[string]any)
	if vuln["severity"] != "high" || vuln["score"].(map[string]any)["base"] != 8.2 || len(vuln["id"].([]any)) != 2 {
		t.Errorf("vulnerability %v", vuln)
	}
	if (&AssetEvent{Type: model.EventSilent}).Severity() != "high" || (&AssetEvent{Type: model.EventNewDevice}).Severity() != "low" {
		t.Error("a silent critical device is high, a new device low")
	}
	if m["event"].(map[string]any)["kind"] != "alert" || e.Severity() != "medium" {
		t.Errorf("kind %v, severity %s (a possibly affected device of a high advisory is medium)", m["event"], e.Severity())
	}
	_, ext, err := parseCEF(string(CEF(e, "sensor1", "1")))
	if err != nil {
		t.Fatal(err)
	}
	if ext["flexString1"] != "ICSMA-23-194-01" || ext["cfp1"] != "8.2" || ext["cs6"] != "CVE-2023-30559,CVE-2023-30560" ||
		ext["cs6Label"] != "cves" || ext["request"] != "https://example.org/icsma-23-194-01" {
		t.Errorf("CEF extension %v", ext)
	}
}

// TestSyslogCEF sends a CEF record over the RFC 5424 transport.
func TestSyslogCEF(t *testing.T) {
	msg := sendUDP(t, advisoryEvent(), SyslogOptions{Format: FormatCEF, Version: "9.9"})
	i := strings.Index(msg, "] CEF:0|")
	if !strings.HasPrefix(msg, "<132>1 ") || i < 0 { // local0, warning (medium)
		t.Fatalf("not RFC 5424 with a CEF MSG: %s", msg)
	}
	h, _, err := parseCEF(msg[i+2:])
	if err != nil || h[3] != "9.9" || h[4] != "advisory-match" || h[6] != "5" {
		t.Errorf("CEF header %q, %v", h, err)
	}
	if _, err := NewSyslog("udp", "127.0.0.1:514", 16, "", SyslogOptions{Format: "leef"}); err == nil {
		t.Error("format leef accepted")
	}
}

// FuzzCEF: whatever the strings, a CEF record parses back per the
// specification (= \ | and line breaks escaped) to the values given.
func FuzzCEF(f *testing.F) {
	f.Add(`a=b`, `c\d`, "e|f\ng", "h\r", "\xff", "v1|\\")
	f.Add("", "", "", "", "", "")
	f.Add(` x=`, `\`, `=`, `|`, "\\n", "a b c=d")
	f.Fuzz(func(t *testing.T, host, class, manuf, model_, oldV, newV string) {
		e := advisoryEvent()
		e.Hostname, e.Class, e.Manufacturer, e.Model, e.OldValue, e.NewValue = host, model.Class(class), manuf, model_, oldV, newV
		e.Advisory.ID, e.Advisory.Verdict = newV, oldV
		c := class
		if c == "" {
			c = string(model.ClassUnknown)
		}
		checkCEF(t, CEF(e, "sensor1", oldV), map[string]string{"shost": host, "cs1": c, "cs2": manuf, "cs3": model_,
			"cs4": oldV, "cs5": newV, "flexString1": newV, "flexString2": oldV})
		if doc := ECS(e, "sensor1"); !json.Valid(doc) || strings.ContainsAny(string(doc), "\n\r") {
			t.Fatalf("ECS: %q", doc)
		}
	})
}
