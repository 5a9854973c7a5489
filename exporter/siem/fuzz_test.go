package siem

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardwatch/wardwatch/model"
)

// FuzzEncoders feeds arbitrary violations to both encoders. ECS: one valid
// JSON document on one line whose rule, zones and classes read back as
// given (invalid UTF-8 replaced). Syslog: an RFC 5424 header, one
// SD-ELEMENT whose parameters an RFC 5424 parser unescapes back to the
// given rule and zones, then the ECS document as MSG.
func FuzzEncoders(f *testing.F) {
	s := sample()
	f.Add(s.Rule, s.Severity, s.SrcZone, s.DstZone, string(s.SrcClass), s.Vantage, uint16(20), uint16(0),
		[]byte{0x9c, 0xc8, 0xae, 0x3c, 0xc8, 0xab}, s.SrcIP, s.DstIP, uint8(6), uint16(443), s.Service, "sensor1", 16)
	f.Add(`a]b"c\d`, "critical", "z]", `"`, "", "span0/erspan:100", uint16(4094), uint16(100),
		[]byte{1, 2, 3, 4, 5, 6, 7}, "fe80::1%eth0", "", uint8(17), uint16(0), "", "", 23)
	f.Add("\xff\xfe", "urgent", "\n", "\x00", "\u2028", "", uint16(0), uint16(0), []byte{}, "", "", uint8(0), uint16(65535), "x", "h", 0)
	f.Fuzz(func(t *testing.T, rule, severity, srcZone, dstZone, class, vantage string, vlan, outer uint16,
		macs []byte, srcIP, dstIP string, proto uint8, port uint16, service, host string, facility int) {
		v := &Violation{
			Time: time.Unix(1767600180, 123456789).UTC(), Rule: rule, Severity: severity, SrcZone: srcZone, DstZone: dstZone,
			SrcClass: model.Class(class), DstClass: model.Class(class), Vantage: vantage, VLAN: vlan, OuterVLAN: outer,
			SrcIP: srcIP, DstIP: dstIP, Proto: proto, Port: port, Service: service,
		}
		if len(macs) >= 12 {
			copy(v.SrcMAC[:], macs[:6])
			copy(v.DstMAC[:], macs[6:12])
		}

		doc := ECS(v, host)
		checkECS(t, doc, v)

		facility = ((facility % 24) + 24) % 24
		sl, err := NewSyslog("udp", "127.0.0.1:514", facility, hostnameOf(host))
		if err != nil {
			t.Fatal(err)
		}
		checkSyslog(t, sl.Format(v), v, facility)

		cef := CEF(v, hostnameOf(host), "1.0|x")
		checkCEF(t, cef, map[string]string{"cs1": v.Rule, "cs2": v.SrcZone, "cs3": v.DstZone, "cs4": class,
			"dpt": strconv.Itoa(int(port))})
		sc, err := NewSyslog("udp", "127.0.0.1:514", facility, hostnameOf(host), SyslogOptions{Format: FormatCEF})
		if err != nil {
			t.Fatal(err)
		}
		msg, rec := string(sc.Format(v)), string(CEF(v, hostnameOf(host), ""))
		if !strings.HasSuffix(msg, "] "+rec) || strings.ContainsAny(rec, "\n\r") {
			t.Fatalf("syslog CEF message: %q", msg)
		}
	})
}

// hostnameOf is what the daemon passes: os.Hostname gives a name without
// spaces (RFC 5424 HOSTNAME is printable US-ASCII); keep the fuzzed one
// within that.
func hostnameOf(s string) string { return PrintableASCII(s, 255) }

func checkECS(t *testing.T, doc []byte, v *Violation) {
	t.Helper()
	if bytes.ContainsAny(doc, "\n\r") {
		t.Fatalf("ECS document is not one line: %q", doc)
	}
	var m struct {
		Rule      struct{ Name string }
		Wardwatch struct {
			SrcZone  string `json:"src_zone"`
			DstZone  string `json:"dst_zone"`
			SrcClass string `json:"src_class"`
		}
		Destination struct{ Port uint16 }
	}
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("ECS document is not JSON: %v\n%q", err, doc)
	}
	valid := jsonValid
	if m.Rule.Name != valid(v.Rule) || m.Wardwatch.SrcZone != valid(v.SrcZone) || m.Wardwatch.DstZone != valid(v.DstZone) ||
		m.Wardwatch.SrcClass != valid(string(v.SrcClass)) || m.Destination.Port != v.Port {
		t.Errorf("ECS does not read back: %+v from %+v", m, v)
	}
}

// jsonValid is s as encoding/json writes it: each byte of invalid UTF-8
// replaced by U+FFFD.
func jsonValid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// checkSyslog parses msg as RFC 5424 (section 6) strictly enough to catch
// a header field or an SD-PARAM that breaks out of its place.
func checkSyslog(t *testing.T, msg []byte, v *Violation, facility int) {
	t.Helper()
	s := string(msg)
	if !utf8.ValidString(s) {
		t.Fatalf("syslog message is not UTF-8: %q", s)
	}
	end := strings.IndexByte(s, '>')
	if !strings.HasPrefix(s, "<") || end < 2 {
		t.Fatalf("no PRI: %q", s)
	}
	pri, err := strconv.Atoi(s[1:end])
	if err != nil || pri/8 != facility || pri%8 < 2 || pri%8 > 5 {
		t.Fatalf("PRI %q: want facility %d and severity 2..5", s[1:end], facility)
	}
	// VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID: no spaces inside.
	fields := strings.SplitN(s[end+1:], " ", 7)
	if len(fields) != 7 || fields[0] != "1" || fields[3] != "wardwatch" || fields[5] != "policy-violation" {
		t.Fatalf("header: %q", fields)
	}
	if _, err := time.Parse(time.RFC3339Nano, fields[1]); err != nil {
		t.Errorf("TIMESTAMP %q: %v", fields[1], err)
	}
	if h := fields[2]; h == "" || len(h) > 255 || strings.ContainsFunc(h, func(r rune) bool { return r <= ' ' || r > '~' }) {
		t.Errorf("HOSTNAME %q is not 1-255 printable US-ASCII", h)
	}
	params, rest, err := parseSDElement(fields[6])
	if err != nil {
		t.Fatalf("structured data: %v\n%q", err, fields[6])
	}
	valid := jsonValid
	want := map[string]string{"rule": valid(v.Rule), "severity": normSeverity(v.Severity), "srcZone": valid(v.SrcZone),
		"dstZone": valid(v.DstZone)}
	if fmt.Sprint(params) != fmt.Sprint(want) {
		t.Errorf("SD-PARAMs read back as %q, want %q", params, want)
	}
	if !strings.HasPrefix(rest, " ") || !json.Valid([]byte(rest[1:])) {
		t.Errorf("MSG is not the ECS document: %q", rest)
	}
}

// parseSDElement reads one SD-ELEMENT, "[wardwatch@32473 k="v" ...]", with
// RFC 5424's escapes (\" \\ \] in a value; a backslash before anything else
// is itself), and returns its parameters and what follows it.
func parseSDElement(s string) (map[string]string, string, error) {
	if !strings.HasPrefix(s, "[wardwatch@32473") {
		return nil, "", fmt.Errorf("no SD-ID")
	}
	i := len("[wardwatch@32473")
	params := map[string]string{}
	for {
		if i >= len(s) {
			return nil, "", fmt.Errorf("unterminated SD-ELEMENT")
		}
		if s[i] == ']' {
			return params, s[i+1:], nil
		}
		if s[i] != ' ' {
			return nil, "", fmt.Errorf("at %d: %q, want space or ]", i, s[i])
		}
		i++
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 || eq > 32 || strings.ContainsAny(s[i:i+eq], ` ]"=`) {
			return nil, "", fmt.Errorf("at %d: bad PARAM-NAME", i)
		}
		name := s[i : i+eq]
		i += eq + 1
		if i >= len(s) || s[i] != '"' {
			return nil, "", fmt.Errorf("PARAM-VALUE of %s is not quoted", name)
		}
		i++
		var val strings.Builder
		for {
			if i >= len(s) {
				return nil, "", fmt.Errorf("unterminated PARAM-VALUE of %s", name)
			}
			c := s[i]
			if c == '"' {
				i++
				break
			}
			if c == ']' {
				return nil, "", fmt.Errorf("unescaped ] in PARAM-VALUE of %s", name)
			}
			if c == '\\' && i+1 < len(s) && strings.IndexByte(`"\]`, s[i+1]) >= 0 {
				val.WriteByte(s[i+1])
				i += 2
				continue
			}
			val.WriteByte(c)
			i++
		}
		params[name] = val.String()
	}
}
