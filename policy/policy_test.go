package policy

import (
	"net/netip"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func mac(s string) model.MAC {
	m, err := model.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Demo hospital endpoints (testdata/gen/demo.go): VLAN v is 10.v.0.0/24.
// Servers are seen as the far end of routed flows: their VLAN is the
// client's (the SPAN shows the frame on the sender's VLAN) and their MAC is
// left zero, as Endpoint asks.
var (
	routerMAC = mac("00:00:0c:9f:f0:01")
	pump      = Endpoint{Vantage: "span0", VLAN: 20, MAC: mac("9c:c8:ae:00:00:68"), IP: ip("10.20.0.104"), Class: "infusion-pump"}
	monitor   = Endpoint{Vantage: "span0", VLAN: 20, MAC: mac("00:09:5c:00:00:71"), IP: ip("10.20.0.113"), Class: "patient-monitor"}
	ct        = Endpoint{Vantage: "span0", VLAN: 30, MAC: mac("00:18:65:00:00:15"), IP: ip("10.30.0.21"), Class: "imaging-modality", AETitle: "CT_SCANNER1"}
	usound    = Endpoint{Vantage: "span0", VLAN: 30, IP: ip("10.30.0.22")}
	radWS     = Endpoint{Vantage: "span0", VLAN: 40, MAC: mac("98:e7:43:00:00:6b"), IP: ip("10.40.0.107"), Class: "workstation", AETitle: "RAD_WS07"}
	nursWS    = Endpoint{Vantage: "span0", VLAN: 40, MAC: mac("50:81:40:00:00:71"), IP: ip("10.40.0.113"), Class: "workstation", AETitle: "NURS_WS03"}
	ws        = Endpoint{Vantage: "span0", VLAN: 40, IP: ip("10.40.0.111"), Class: "workstation"}
	guestPh   = Endpoint{Vantage: "span0", VLAN: 90, IP: ip("10.90.0.55"), Class: "mobile"}
	relay20   = Endpoint{Vantage: "span0", VLAN: 20, MAC: routerMAC, IP: ip("10.20.0.1"), Class: "network-infrastructure"}
	stranger  = Endpoint{Vantage: "span0", IP: ip("192.168.5.5")}
)

// srv is a server endpoint as the far end of a flow from a client on vlan.
func srv(addr string, vlan uint16) Endpoint {
	return Endpoint{Vantage: "span0", VLAN: vlan, IP: ip(addr)}
}

func dicomTo(vlan uint16, ae string) Endpoint {
	e := srv("10.50.0.20", vlan)
	e.AETitle = ae
	return e
}

// TestExamplePolicy is the SOC's view of configs/policy.yml.
func TestExamplePolicy(t *testing.T) {
	p := mustLoad(t, examplePath)
	internet := Endpoint{Vantage: "span0", VLAN: 20, MAC: routerMAC, IP: ip("203.0.113.10")}
	tests := []struct {
		name     string
		flow     Flow
		action   Action
		rule     string
		src, dst string
		severity string
	}{
		{"pump to internet (demo violation)", Flow{Src: pump, Dst: internet, Proto: 6, Port: 443},
			Alert, "pumps-to-internet", "pumps", "internet", "critical"},
		{"pump to internet, any port", Flow{Src: pump, Dst: srv("8.8.8.8", 20), Proto: 17, Port: 53},
			Alert, "pumps-to-internet", "pumps", "internet", "critical"},
		{"pump DNS to DC01", Flow{Src: pump, Dst: srv("10.50.0.10", 20), Proto: 17, Port: 53},
			Allow, "core-services", "pumps", "servers", ""},
		{"pump TLS to pump gateway", Flow{Src: pump, Dst: srv("10.50.0.40", 20), Proto: 6, Port: 443},
			Allow, "pumps-to-servers-tls", "pumps", "servers", ""},
		{"monitor TLS to central station", Flow{Src: monitor, Dst: srv("10.50.0.60", 20), Proto: 6, Port: 443},
			Allow, "pumps-to-servers-tls", "pumps", "servers", ""},
		{"pump HL7 to engine", Flow{Src: pump, Dst: srv("10.50.0.30", 20), Proto: 6, Port: 2575},
			Allow, "pumps-to-servers-hl7", "pumps", "servers", ""},
		{"pump unknown service to servers", Flow{Src: pump, Dst: srv("10.50.0.40", 20), Proto: 6, Port: 8080},
			Alert, "default", "pumps", "servers", "medium"},
		{"CT to PACS dicom", Flow{Src: ct, Dst: dicomTo(30, "PACS_MAIN"), Proto: 6, Port: 104},
			Allow, "imaging-to-pacs", "imaging", "pacs", ""},
		{"ultrasound to PACS tcp/11112 by address", Flow{Src: usound, Dst: srv("10.50.0.20", 30), Proto: 6, Port: 11112},
			Allow, "imaging-to-pacs", "imaging", "pacs", ""},
		{"CT to PACS by class", Flow{Src: ct, Dst: Endpoint{IP: ip("10.50.7.7"), Class: "pacs"}, Proto: 6, Port: 104},
			Allow, "imaging-to-pacs", "imaging", "pacs", ""},
		{"radiology workstation to PACS", Flow{Src: radWS, Dst: dicomTo(40, "PACS_MAIN"), Proto: 6, Port: 104},
			Allow, "radiology-to-pacs", "radiology", "pacs", ""},
		{"nursing workstation to PACS (demo violation)", Flow{Src: nursWS, Dst: dicomTo(40, "PACS_MAIN"), Proto: 6, Port: 104},
			Alert, "workstations-to-pacs", "workstations", "pacs", "high"},
		{"workstation to PACS https", Flow{Src: ws, Dst: srv("10.50.0.20", 40), Proto: 6, Port: 443},
			Alert, "default", "workstations", "pacs", "medium"},
		{"workstation to EHR", Flow{Src: ws, Dst: srv("10.50.0.50", 40), Proto: 6, Port: 443},
			Allow, "workstations-to-ehr", "workstations", "servers", ""},
		{"radiology workstation to EHR (no AE title outside DICOM)", Flow{Src: Endpoint{VLAN: 40, IP: ip("10.40.0.107")}, Dst: srv("10.50.0.50", 40), Proto: 6, Port: 443},
			Allow, "workstations-to-ehr", "workstations", "servers", ""},
		{"guest to internet", Flow{Src: guestPh, Dst: srv("93.184.215.14", 90), Proto: 6, Port: 443},
			Alert, "guest-isolation", "guest", "internet", "high"},
		{"guest DHCP to DC01", Flow{Src: guestPh, Dst: srv("10.50.0.10", 90), Proto: 17, Port: 67},
			Alert, "guest-isolation", "guest", "servers", "high"},
		{"guest to pump", Flow{Src: guestPh, Dst: srv("10.20.0.104", 90), Proto: 6, Port: 80},
			Alert, "guest-isolation", "guest", "pumps", "high"},
		{"DHCP discover broadcast", Flow{Src: Endpoint{VLAN: 20, MAC: pump.MAC, IP: ip("0.0.0.0")}, Dst: Endpoint{VLAN: 20, IP: ip("255.255.255.255")}, Proto: 17, Port: 67},
			Allow, "dhcp-local", "pumps", "pumps", ""},
		{"DHCP relay to DC01", Flow{Src: relay20, Dst: srv("10.50.0.10", 20), Proto: 17, Port: 67},
			Allow, "core-services", "pumps", "servers", ""},
		{"pump gateway HL7 to engine", Flow{Src: srv("10.50.0.40", 50), Dst: srv("10.50.0.30", 50), Proto: 6, Port: 2575},
			Allow, "servers-internal", "servers", "servers", ""},
		{"imaging SMB to servers", Flow{Src: ct, Dst: srv("10.50.0.10", 30), Proto: 6, Port: 445},
			Alert, "default", "imaging", "servers", "medium"},
		{"internet to servers ssh", Flow{Src: srv("198.51.100.9", 50), Dst: srv("10.50.0.50", 50), Proto: 6, Port: 22},
			Alert, "default", "internet", "servers", "medium"},
		{"unzoned host to PACS", Flow{Src: stranger, Dst: dicomTo(0, "PACS_MAIN"), Proto: 6, Port: 104},
			Alert, "default", "unzoned", "pacs", "medium"},
		{"unzoned host NTP", Flow{Src: stranger, Dst: srv("10.50.0.10", 0), Proto: 17, Port: 123},
			Allow, "core-services", "unzoned", "servers", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Verdict{Action: tt.action, Rule: tt.rule, SrcZone: tt.src, DstZone: tt.dst, Severity: tt.severity}
			if got := p.Evaluate(&tt.flow); got != want {
				t.Errorf("Evaluate = %+v\n           want %+v", got, want)
			}
		})
	}
}

// TestZoneSpecificity pins the order
// mac > ae_title > class > cidr (longest prefix) > internet > vlan > unzoned
// and file order between equals.
func TestZoneSpecificity(t *testing.T) {
	p := mustLoad(t, "testdata/specificity.good.yml")
	m := mac("00:1b:63:84:45:e6")
	tests := []struct {
		name string
		e    Endpoint
		want string
	}{
		{"vlan; first zone listing it wins", Endpoint{VLAN: 20, IP: ip("192.168.1.1")}, "by-vlan"},
		{"vlan of the second zone", Endpoint{VLAN: 21, IP: ip("192.168.1.1")}, "by-vlan-2"},
		{"vlan without an address", Endpoint{VLAN: 21}, "by-vlan-2"},
		{"cidr beats vlan", Endpoint{VLAN: 20, IP: ip("10.99.0.1")}, "by-wide-cidr"},
		{"longest prefix", Endpoint{VLAN: 20, IP: ip("10.20.1.1")}, "by-narrow-cidr"},
		{"host address", Endpoint{VLAN: 20, IP: ip("10.20.0.5")}, "by-host"},
		{"IPv4-mapped address", Endpoint{IP: ip("::ffff:10.20.0.5")}, "by-host"},
		{"class beats cidr; first zone listing it wins", Endpoint{VLAN: 20, IP: ip("10.20.0.5"), Class: "infusion-pump"}, "by-class"},
		{"class of the second zone", Endpoint{IP: ip("10.20.0.5"), Class: "pacs"}, "by-class-2"},
		{"unlisted class falls through", Endpoint{IP: ip("10.20.0.5"), Class: "printer"}, "by-host"},
		{"ae title beats class", Endpoint{IP: ip("10.20.0.5"), Class: "infusion-pump", AETitle: "PUMP_AE"}, "by-ae"},
		{"ae title padding ignored", Endpoint{AETitle: " PUMP_AE  \x00"}, "by-ae"},
		{"ae title is case-sensitive", Endpoint{AETitle: "pump_ae"}, "unzoned"},
		{"mac beats everything", Endpoint{VLAN: 20, MAC: m, IP: ip("10.20.0.5"), Class: "infusion-pump", AETitle: "PUMP_AE"}, "by-mac"},
		{"unlisted mac falls through", Endpoint{VLAN: 20, MAC: mac("00:1b:63:84:45:e7")}, "by-vlan"},
		{"internet beats vlan", Endpoint{VLAN: 20, MAC: routerMAC, IP: ip("203.0.113.10")}, "internet"},
		{"cidr beats internet", Endpoint{VLAN: 20, IP: ip("198.51.100.7")}, "public"},
		{"IPv6 cidr", Endpoint{IP: ip("2001:db8:20::1")}, "v6"},
		{"IPv6 internet", Endpoint{IP: ip("2001:db8:99::1")}, "internet"},
		{"IPv6 ULA is not internet", Endpoint{IP: ip("fd12::1")}, "unzoned"},
		{"RFC 6598 is not internet", Endpoint{IP: ip("100.64.1.1")}, "unzoned"},
		{"link-local is not internet", Endpoint{VLAN: 21, IP: ip("169.254.1.1")}, "by-vlan-2"},
		{"broadcast goes by vlan", Endpoint{VLAN: 20, IP: ip("255.255.255.255")}, "by-vlan"},
		{"unspecified goes by vlan", Endpoint{VLAN: 21, IP: ip("0.0.0.0")}, "by-vlan-2"},
		{"multicast goes by vlan", Endpoint{VLAN: 20, IP: ip("224.0.0.251")}, "by-vlan"},
		{"unknown vlan", Endpoint{VLAN: 30, IP: ip("192.168.1.1")}, "unzoned"},
		{"nothing known", Endpoint{}, "unzoned"},
		{"vlan id out of range", Endpoint{VLAN: 4096}, "unzoned"},
	}
	for _, tt := range tests {
		if got := p.ZoneOf(&tt.e); got != tt.want {
			t.Errorf("%s: ZoneOf(%+v) = %q, want %q", tt.name, tt.e, got, tt.want)
		}
	}
}

func TestIsInternet(t *testing.T) {
	yes := []string{"203.0.113.10", "192.0.2.1", "198.51.100.1", "8.8.8.8", "1.1.1.1", "2001:db8::1",
		"2606:4700::1111", "::ffff:8.8.8.8", "100.128.0.1", "172.32.0.1", "192.0.0.8", "240.0.0.1"}
	no := []string{"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.255",
		"127.0.0.1", "169.254.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255", "0.0.0.0", "0.1.2.3",
		"::1", "::", "fe80::1", "fc00::1", "fd00::1", "ff02::1", "::ffff:10.0.0.1"}
	for _, s := range yes {
		if !IsInternet(ip(s)) {
			t.Errorf("IsInternet(%s) = false", s)
		}
	}
	for _, s := range no {
		if IsInternet(ip(s)) {
			t.Errorf("IsInternet(%s) = true", s)
		}
	}
	if IsInternet(netip.Addr{}) {
		t.Error("IsInternet(zero) = true")
	}
}

func TestIntrospection(t *testing.T) {
	p := mustLoad(t, examplePath)
	wantZones := []string{"pumps", "imaging", "radiology", "workstations", "pacs", "servers", "guest", "internet", "unzoned"}
	if got := p.Zones(); !equal(got, wantZones) {
		t.Errorf("Zones = %q", got)
	}
	rules := p.Rules()
	if len(rules) != 11 {
		t.Fatalf("%d rules", len(rules))
	}
	r := rules[9]
	if r.Name != "workstations-to-ehr" || !equal(r.From, []string{"workstations", "radiology"}) ||
		!equal(r.To, []string{"servers"}) || !equal(r.Services, []string{"https"}) || r.Action != Allow || r.Severity != "" {
		t.Errorf("rule 9 = %+v", r)
	}
	if r := rules[0]; r.Name != "guest-isolation" || !equal(r.To, []string{"any"}) || r.Services != nil || r.Severity != "high" {
		t.Errorf("rule 0 = %+v", r)
	}
	rules[0].From[0] = "mutated"
	if p.Rules()[0].From[0] != "guest" {
		t.Error("Rules exposes the policy's slices")
	}
	names := p.RuleNames()
	if len(names) != 12 || names[11] != "default" || names[1] != "pumps-to-internet" {
		t.Errorf("RuleNames = %q", names)
	}
	zi := p.ZoneInfos()
	if z := zi[4]; z.Name != "pacs" || !equal(z.AETitles, []string{"PACS_MAIN"}) || len(z.CIDRs) != 1 || z.CIDRs[0].String() != "10.50.0.20/32" {
		t.Errorf("pacs zone = %+v", z)
	}
	if !zi[7].Builtin || zi[7].Name != "internet" {
		t.Errorf("zone 7 = %+v", zi[7])
	}
	if b, _ := Alert.MarshalText(); string(b) != "alert" || Allow.String() != "allow" || Action(9).String() != "Action(9)" {
		t.Error("Action text")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// benchFlows is a mix of allowed, alerting and default flows.
func benchFlows() []Flow {
	return []Flow{
		{Src: pump, Dst: srv("203.0.113.10", 20), Proto: 6, Port: 443},
		{Src: pump, Dst: srv("10.50.0.40", 20), Proto: 6, Port: 443},
		{Src: ct, Dst: dicomTo(30, "PACS_MAIN"), Proto: 6, Port: 104},
		{Src: nursWS, Dst: dicomTo(40, "PACS_MAIN"), Proto: 6, Port: 104},
		{Src: ws, Dst: srv("10.50.0.50", 40), Proto: 6, Port: 443},
		{Src: guestPh, Dst: srv("93.184.215.14", 90), Proto: 6, Port: 443},
		{Src: ct, Dst: srv("10.50.0.10", 30), Proto: 6, Port: 445},
		{Src: Endpoint{VLAN: 40, IP: ip("2001:db8:40::5")}, Dst: srv("2606:4700::1111", 40), Proto: 17, Port: 443},
	}
}

// TestEvaluateAllocs proves Evaluate and ZoneOf do not allocate.
func TestEvaluateAllocs(t *testing.T) {
	p := mustLoad(t, examplePath)
	flows := benchFlows()
	var sink Verdict
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range flows {
			sink = p.Evaluate(&flows[i])
			_ = p.ZoneOf(&flows[i].Dst)
		}
	})
	if allocs != 0 {
		t.Errorf("Evaluate allocates %.1f times per %d flows", allocs, len(flows))
	}
	var nilPolicy *Policy
	if a := testing.AllocsPerRun(100, func() { sink = nilPolicy.Evaluate(&flows[0]) }); a != 0 {
		t.Errorf("nil Policy Evaluate allocates %.1f times", a)
	}
	_ = sink
}

func BenchmarkEvaluate(b *testing.B) {
	p := mustLoad(b, examplePath)
	flows := benchFlows()
	b.ReportAllocs()
	var alerts int
	for i := 0; b.Loop(); i++ {
		if p.Evaluate(&flows[i%len(flows)]).Action == Alert {
			alerts++
		}
	}
	if alerts == 0 {
		b.Fatal("no alerts")
	}
}

// BenchmarkEvaluateLarge: 200 zones (VLAN, CIDR, class, MAC and AE
// matchers) and 400 rules, most flows falling through to late rules.
func BenchmarkEvaluateLarge(b *testing.B) {
	p := mustParse(b, largePolicy(200, 400))
	flows := []Flow{
		{Src: Endpoint{VLAN: 199, IP: ip("10.199.0.5")}, Dst: Endpoint{VLAN: 199, IP: ip("10.3.0.9")}, Proto: 6, Port: 443},
		{Src: Endpoint{VLAN: 7, IP: ip("10.7.0.5"), MAC: mac("02:00:00:00:00:07")}, Dst: Endpoint{IP: ip("203.0.113.10")}, Proto: 17, Port: 53},
		{Src: Endpoint{VLAN: 150, IP: ip("10.150.0.5"), AETitle: "AE150"}, Dst: Endpoint{IP: ip("10.150.0.6"), Class: "pacs"}, Proto: 6, Port: 104},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Evaluate(&flows[i%len(flows)])
	}
}
