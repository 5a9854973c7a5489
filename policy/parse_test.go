package policy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

const examplePath = "../configs/policy.yml"

func mustLoad(tb testing.TB, path string) *Policy {
	tb.Helper()
	p, err := Load(path)
	if err != nil {
		tb.Fatalf("Load(%s): %v", path, err)
	}
	return p
}

// TestBadPolicies maps each invalid file to its exact error: the spec for
// what an operator sees.
func TestBadPolicies(t *testing.T) {
	const aeWant = `is not a DICOM AE title (1-16 printable ASCII characters, no backslash)`
	const portWant = `is not a valid port or port range (ports are 1..65535, a range is LOW-HIGH)`
	tests := []struct {
		file string
		want []string // one line per problem, without the "testdata/<file>: " prefix
	}{
		{"unknown-key.bad.yml", []string{
			`line 3: zone "pumps": unknown key "vlan" (known keys: name, description, vlans, cidrs, classes, macs, ae_titles)`,
		}},
		{"unknown-key-rule.bad.yml", []string{
			`line 8: rule "pumps-out": unknown key "actions" (known keys: name, description, from, to, services, action, severity)`,
		}},
		{"unknown-key-top.bad.yml", []string{
			`line 1: unknown key "zone" at the top level (known keys: zones, rules, default, default_severity, critical, maintenance_windows)`,
		}},
		{"unknown-zone.bad.yml", []string{
			`line 8: rule "pumps-hl7": from: unknown zone "pump"`,
			`line 9: rule "pumps-hl7": to: unknown zone "hl7-engine"`,
		}},
		{"duplicate-zone.bad.yml", []string{`line 6: zone "pumps": duplicate zone name (first defined at line 2)`}},
		{"duplicate-rule.bad.yml", []string{`line 9: rule "pumps-out": duplicate rule name (first defined at line 5)`}},
		{"duplicate-key.bad.yml", []string{`line 4: zone "pumps": duplicate key "vlans" (first set at line 3)`}},
		{"bad-cidr.bad.yml", []string{
			`line 4: zone "servers": cidrs: "10.50.0.0/33" is not a valid CIDR: prefix length out of range`,
			`line 5: zone "servers": cidrs: "10.50.0.1/16" has host bits set (did you mean 10.50.0.0/16?)`,
			`line 6: zone "servers": cidrs: "10.50.0" is not a valid CIDR (10.50.0.0/16, 2001:db8::/32) or address`,
			`line 7: zone "servers": cidrs: "::ffff:10.0.0.0/104" is an IPv4-mapped IPv6 prefix; write the IPv4 prefix`,
		}},
		{"vlan-range.bad.yml", []string{
			`line 3: zone "pumps": vlans: 5000 is out of range 1..4094`,
			`line 3: zone "pumps": vlans: 0 is out of range 1..4094`,
			`line 3: zone "pumps": vlans: expected a VLAN id (an integer 1..4094), got "twenty"`,
			`line 3: zone "pumps": vlans: 20 is listed twice (first at line 3)`,
		}},
		{"port-range.bad.yml", []string{
			`line 9: rule "odd-ports": services: "tcp/0" ` + portWant,
			`line 10: rule "odd-ports": services: "tcp/70000" ` + portWant,
			`line 11: rule "odd-ports": services: "udp/200-100" is not a valid port range (200 is greater than 100)`,
			`line 12: rule "odd-ports": services: "tcp/abc" ` + portWant,
			`line 13: rule "odd-ports": services: "sctp/80" has an unknown protocol "sctp" (use tcp, udp or ip)`,
			`line 14: rule "odd-ports": services: "ip/6": use tcp/PORT or udp/PORT for TCP and UDP`,
			`line 15: rule "odd-ports": services: "ip/300" is not a valid IP protocol (ip/0..ip/255)`,
		}},
		{"unknown-service.bad.yml", []string{
			`line 8: rule "imaging-out": services: unknown service "dicomm" (use tcp/PORT, udp/PORT, tcp/LOW-HIGH, udp/LOW-HIGH, ip/PROTOCOL or one of ` +
				`dhcp, dicom, dicom-tls, dns, ftp, hl7, http, https, icmp, icmpv6, kerberos, ldap, mqtt, mssql, ntp, rdp, sip, smb, smtp, snmp, ssh, syslog, syslog-tls, telnet, tftp, vnc)`,
		}},
		{"unknown-class.bad.yml", []string{
			`line 3: zone "pumps": classes: unknown class "pump" (known: infusion-pump, pump-gateway, patient-monitor, central-station, ` +
				`imaging-modality, pacs, dicom-workstation, hl7-interface-engine, lab-analyzer, medical-gateway, workstation, server, printer, ` +
				`voip-phone, network-infrastructure, iot, mobile, virtual-machine, unknown)`,
		}},
		{"bad-action.bad.yml", []string{`line 8: rule "pumps-out": action: "deny" is not one of allow, alert`}},
		{"rule-name.bad.yml", []string{
			`line 5: rule "Pumps to Internet": name "Pumps to Internet" is not valid (1-64 characters from a-z, 0-9, '_' and '-'; it labels metrics)`,
			`line 9: rule "default": name "default" is reserved for the default verdict`,
		}},
		{"no-matcher.bad.yml", []string{
			`line 2: zone "pumps": has no matcher; set at least one of vlans, cidrs, classes, macs, ae_titles`,
		}},
		{"missing.bad.yml", []string{
			`line 2: zones[0]: name must be set`,
			`line 5: rules[0]: name must be set`,
			`line 8: rule "half-a-rule": from must be set (a zone, a list of zones, or any)`,
			`line 8: rule "half-a-rule": to must be set (a zone, a list of zones, or any)`,
			`line 8: rule "half-a-rule": action must be set (allow or alert)`,
		}},
		{"reserved-zone.bad.yml", []string{
			`line 2: zone "internet": name "internet" is reserved (built-in zones: internet, unzoned; "any" means every zone)`,
			`line 4: zone "Pumps": name "Pumps" is not valid (1-30 characters from a-z, 0-9, '_' and '-')`,
		}},
		{"bad-mac.bad.yml", []string{
			`line 3: zone "gateways": macs: "00:1b:63:84:45" is not a MAC address (00:1b:63:84:45:e6, 00-1B-63-84-45-E6 or 001b.6384.45e6)`,
			`line 3: zone "gateways": macs: 01:00:5e:00:00:01 is not a unicast device address`,
			`line 3: zone "gateways": macs: 00:00:00:00:00:00 is not a unicast device address`,
		}},
		{"bad-ae-title.bad.yml", []string{
			`line 3: zone "pacs": ae_titles: "A_VERY_LONG_AE_TITLE" ` + aeWant,
			`line 3: zone "pacs": ae_titles: "PACS\\MAIN" ` + aeWant,
			`line 3: zone "pacs": ae_titles: "   " ` + aeWant,
		}},
		{"severity.bad.yml", []string{
			`line 9: rule "pumps-out": severity: "urgent" is not one of low, medium, high, critical`,
			`line 14: rule "pumps-any": severity: only alert rules have a severity`,
			`line 16: default_severity: only applies with default: alert`,
		}},
		{"default.bad.yml", []string{`line 1: default: "deny" is not one of allow, alert`}},
		{"any-mixed.bad.yml", []string{
			`line 6: rule "pumps-any": from: "any" cannot be combined with other zones`,
			`line 7: rule "pumps-any": to: zone "pumps" is listed twice`,
			`line 8: rule "pumps-any": services: "any" cannot be combined with other services`,
		}},
		{"type.bad.yml", []string{
			`line 1: zones: expected a list of zones, got "pumps"`,
			`line 3: rules[0]: expected a rule (a mapping with name, from, to, services, action), got "pumps-out"`,
		}},
		{"value-type.bad.yml", []string{
			`line 3: zone "pumps": vlans: expected a single value, got a list`,
			`line 4: zone "pumps": description: expected a single value, got a mapping`,
		}},
		{"not-a-mapping.bad.yml", []string{`line 1: expected a mapping at the top level, got a list`}},
		{"two-documents.bad.yml", []string{`line 2: more than one YAML document ("---"); a policy file holds exactly one`}},
		{"tab-indent.bad.yml", []string{`line 3: tab character used for indentation; YAML indents with spaces only`}},
	}
	files, err := filepath.Glob("testdata/*.bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			p, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded (%d rules); want an error", len(p.Rules()))
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + ": " + w
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
				t.Errorf("error:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
			}
			var fe *yamlerr.Error
			if !errors.As(err, &fe) || fe.Line() == 0 {
				t.Errorf("error %v carries no line", err)
			}
		})
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no entry in the table", f)
		}
	}
}

func TestGoodPolicies(t *testing.T) {
	files, err := filepath.Glob("testdata/*.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, examplePath)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			mustLoad(t, f)
		})
	}
}

func TestEmptyPolicy(t *testing.T) {
	for _, p := range []*Policy{nil, mustLoad(t, "testdata/empty.good.yml")} {
		f := Flow{Src: Endpoint{VLAN: 20, IP: ip("10.20.0.5")}, Dst: Endpoint{IP: ip("203.0.113.10")}, Proto: 6, Port: 443}
		want := Verdict{Action: Allow, Rule: "default", SrcZone: "unzoned", DstZone: "internet"}
		if got := p.Evaluate(&f); got != want {
			t.Errorf("%v: Evaluate = %+v, want %+v", p.Name(), got, want)
		}
		if got := p.Zones(); !slices.Equal(got, []string{"internet", "unzoned"}) {
			t.Errorf("Zones = %q", got)
		}
		if got := p.RuleNames(); !slices.Equal(got, []string{"default"}) {
			t.Errorf("RuleNames = %q", got)
		}
	}
	p := mustLoad(t, "testdata/minimal.good.yml")
	if a, sv := p.Default(); a != Alert || sv != "medium" {
		t.Errorf("minimal: Default = %v %q, want alert medium", a, sv)
	}
}

func TestServicesPolicy(t *testing.T) {
	p := mustLoad(t, "testdata/services.good.yml")
	lab := Endpoint{VLAN: 60, IP: ip("10.60.0.9")}
	v6 := Endpoint{IP: ip("2001:db8:60::7")}
	ula := Endpoint{IP: ip("fd00::1")}
	tests := []struct {
		dst   Endpoint
		proto uint8
		port  uint16
		rule  string
	}{
		{v6, 6, 104, "lab-named"},
		{v6, 6, 11112, "lab-named"},
		{v6, 17, 53, "lab-named"},
		{v6, 6, 53, "lab-named"},
		{v6, 17, 5061, "lab-ports"}, // sip's 5061 is TCP only
		{v6, 6, 5061, "lab-named"},
		{v6, 1, 0, "lab-named"},  // icmp: any port
		{v6, 58, 7, "lab-named"}, // icmpv6
		{v6, 6, 8443, "lab-ports"},
		{v6, 17, 5000, "lab-ports"},
		{v6, 17, 5100, "lab-ports"},
		{ula, 17, 5101, "lab_any"}, // ula is zone v6 by bare address
		{v6, 17, 5101, "lab_any"},
		{v6, 47, 0, "lab-ports"},
		{v6, 132, 0, "lab_any"},   // SCTP
		{lab, 6, 9999, "lab_any"}, // lab-ports is to v6 only
	}
	for _, tt := range tests {
		f := Flow{Src: lab, Dst: tt.dst, Proto: tt.proto, Port: tt.port}
		if got := p.Evaluate(&f); got.Rule != tt.rule {
			t.Errorf("%d/%d to %s: rule %q, want %q", tt.proto, tt.port, tt.dst.IP, got.Rule, tt.rule)
		}
	}
	rules := p.Rules()
	if len(rules) != 3 || rules[2].Services != nil || !slices.Equal(rules[1].Services,
		[]string{"tcp/8443", "udp/5000-5100", "tcp/1-65535", "ip/47", "ip/50"}) || rules[1].Line != 14 {
		t.Errorf("Rules = %+v", rules)
	}
}

func TestParseService(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"tcp/443", "tcp/443"},
		{"udp/5000-5100", "udp/5000-5100"},
		{"tcp/7-7", "tcp/7"},
		{"dns", "udp/53 tcp/53"},
		{"dicom", "tcp/104 tcp/11112"},
		{"icmp", "icmp"},
		{"ip/47", "ip/47"},
		{"ip/1", "icmp"},
	}
	for _, tt := range tests {
		rs, err := parseService(tt.in)
		if err != nil {
			t.Errorf("parseService(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.String())
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("parseService(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "tcp", "tcp/", "tcp/-1", "tcp/1-", "tcp/65536", "udp/0-10", "tcp/ 80", "TCP/80", "https/443", "ip/x"} {
		if _, err := parseService(bad); err == nil {
			t.Errorf("parseService(%q) succeeded", bad)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

// FuzzParse: Parse never panics, and whatever it accepts evaluates and
// learns without panicking.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	files = append(files, examplePath)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	flows := demoFlows()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		for i := range flows {
			fl := flows[i].flow()
			p.Evaluate(&fl)
		}
		for i, c := range p.Critical() { // the schedule of whatever it accepts
			base := time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)
			c.Liveness(base, base.Add(time.Duration(i)*time.Hour), base.Add(time.Duration(i+1)*37*time.Hour))
		}
		if _, err := Parse(Learn(flows, p), "learned"); err != nil {
			t.Fatalf("Learn over an accepted policy does not parse: %v", err)
		}
	})
}
