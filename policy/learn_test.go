package policy

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func mustParse(tb testing.TB, data []byte) *Policy {
	tb.Helper()
	p, err := Parse(data, "test")
	if err != nil {
		if len(data) > 4000 {
			data = append(data[:4000:4000], "\n..."...)
		}
		tb.Fatalf("Parse:\n%s\nerror: %v", data, err)
	}
	return p
}

func obs(src, dst Endpoint, proto uint8, port uint16, conns uint64) ObservedFlow {
	return ObservedFlow{Src: src, Dst: dst, Proto: proto, Port: port, Connections: conns, Packets: conns * 10, Bytes: conns * 1000}
}

// demoFlows is ten minutes of the demo hospital, aggregated: the normal
// traffic and the two violations.
func demoFlows() []ObservedFlow {
	return []ObservedFlow{
		obs(pump, srv("10.50.0.10", 20), 17, 53, 4),
		obs(pump, srv("10.50.0.10", 20), 17, 123, 3),
		obs(pump, srv("10.50.0.40", 20), 6, 443, 1),
		obs(monitor, srv("10.50.0.60", 20), 6, 443, 1),
		obs(monitor, srv("10.50.0.10", 20), 17, 123, 3),
		obs(relay20, srv("10.50.0.10", 20), 17, 67, 14),
		obs(Endpoint{VLAN: 20, MAC: pump.MAC, IP: ip("0.0.0.0")}, Endpoint{VLAN: 20, IP: ip("255.255.255.255")}, 17, 67, 14),
		obs(ct, dicomTo(30, "PACS_MAIN"), 6, 104, 1),
		obs(usound, srv("10.50.0.20", 30), 6, 11112, 1),
		obs(ct, srv("10.50.0.10", 30), 17, 53, 6),
		obs(radWS, dicomTo(40, "PACS_MAIN"), 6, 104, 1),
		obs(ws, srv("10.50.0.50", 40), 6, 443, 9),
		obs(ws, srv("10.50.0.10", 40), 17, 53, 3),
		obs(ws, srv("10.50.0.10", 40), 6, 53, 1),
		obs(srv("10.50.0.40", 50), srv("10.50.0.30", 50), 6, 2575, 1),
		obs(srv("10.50.0.40", 50), srv("10.50.0.50", 50), 6, 443, 4),
		// Violations.
		obs(pump, srv("203.0.113.10", 20), 6, 443, 2),
		obs(nursWS, dicomTo(40, "PACS_MAIN"), 6, 104, 1),
	}
}

// checkLearned parses learned and checks that every flow it was learned
// from is allowed by an explicit rule.
func checkLearned(t *testing.T, learned []byte, flows []ObservedFlow) *Policy {
	t.Helper()
	p := mustParse(t, learned)
	if a, _ := p.Default(); a != Alert {
		t.Errorf("learned default = %v, want alert", a)
	}
	for i := range flows {
		f := flows[i].flow()
		if v := p.Evaluate(&f); v.Action != Allow || v.Rule == RuleDefault {
			t.Errorf("flow %d %s -> %s %d/%d: %+v under the learned policy", i, f.Src.IP, f.Dst.IP, f.Proto, f.Port, v)
		}
	}
	return p
}

func TestLearnFromExampleZones(t *testing.T) {
	base := mustLoad(t, examplePath)
	flows := demoFlows()
	// Extra services to show naming and merging.
	flows = append(flows,
		obs(ct, srv("10.50.0.20", 30), 6, 11112, 2), // with tcp/104 above: "dicom"
		obs(pump, srv("10.50.0.40", 20), 17, 5000, 1),
		obs(pump, srv("10.50.0.40", 20), 17, 5001, 1),
		obs(pump, srv("10.50.0.40", 20), 17, 5002, 1),
		obs(pump, srv("10.50.0.40", 20), 17, 5004, 1),
		obs(pump, srv("10.50.0.40", 20), 1, 0, 1),
		obs(pump, srv("10.50.0.40", 20), 47, 0, 1),
		obs(stranger, srv("10.50.0.10", 0), 17, 123, 1),
	)
	out := Learn(flows, base)
	p := checkLearned(t, out, flows)

	// The zones are the example's, in its order, and classify alike.
	if !equal(p.Zones(), base.Zones()) {
		t.Errorf("learned zones %q, want %q", p.Zones(), base.Zones())
	}
	for i := range flows {
		for _, e := range []*Endpoint{&flows[i].Src, &flows[i].Dst} {
			if a, b := p.ZoneOf(e), base.ZoneOf(e); a != b {
				t.Errorf("%+v: learned zone %q, example zone %q", *e, a, b)
			}
		}
	}
	// The learned policy has the violations as allow rules: that is what
	// review is for. The example policy flags them.
	for _, want := range []string{"- name: pumps-to-internet\n", "- name: workstations-to-pacs\n",
		"      - dicom  # tcp/104,tcp/11112: 3 flows, 4 connections, 40 packets, 4000 bytes\n",
		"      - udp/67         # udp/67 (dhcp): 1 flow, 14 connections, 140 packets, 14000 bytes\n",
		"      - udp/5000-5002  # udp/5000-5002: 3 flows,", "      - icmp  ", "      - ip/47  ", "      - udp/5004 "} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("learned policy lacks %q", want)
		}
	}
	golden(t, "testdata/learn-example.golden.yml", out)
}

func TestLearnFromVLANs(t *testing.T) {
	flows := demoFlows()
	out := Learn(flows, nil)
	p := checkLearned(t, out, flows)
	if got := p.Zones(); !equal(got, []string{"vlan20", "vlan30", "vlan40", "vlan50", "internet", "unzoned"}) {
		t.Errorf("learned zones %q", got)
	}
	// Client subnets place the far end of routed flows.
	if z := p.ZoneOf(&Endpoint{VLAN: 20, IP: ip("10.50.0.10")}); z != "vlan50" {
		t.Errorf("10.50.0.10 seen from VLAN 20 is in %q, want vlan50", z)
	}
	golden(t, "testdata/learn-vlans.golden.yml", out)
}

func TestLearnEmpty(t *testing.T) {
	for _, base := range []*Policy{nil, mustLoad(t, "testdata/empty.good.yml")} {
		out := Learn(nil, base)
		p := mustParse(t, out)
		if len(p.Rules()) != 0 || len(p.Zones()) != 2 {
			t.Errorf("Learn(nil) = %s", out)
		}
	}
}

// TestLearnProperty: for random flows over random endpoints, with and
// without base zones, the learned policy parses, allows every flow, and is
// the same whatever the order of the input.
func TestLearnProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	spec := mustLoad(t, "testdata/specificity.good.yml")
	bases := []*Policy{nil, spec, mustLoad(t, examplePath)}
	addrs := []string{"10.20.0.5", "10.20.1.1", "10.99.0.1", "192.168.1.1", "203.0.113.10", "198.51.100.7",
		"2001:db8:20::1", "2001:db8:99::1", "fd00::5", "0.0.0.0", "255.255.255.255", "10.50.0.20", "100.64.0.1"}
	classes := []model.Class{"", "", model.ClassInfusionPump, model.ClassPACS, model.ClassPrinter}
	aes := []string{"", "", "", "PUMP_AE", "PACS_MAIN", "RAD_WS07"}
	protos := []uint8{6, 6, 17, 17, 1, 58, 47}
	endpoint := func() Endpoint {
		e := Endpoint{VLAN: uint16(r.IntN(4) * 10), IP: netip.MustParseAddr(addrs[r.IntN(len(addrs))]),
			Class: classes[r.IntN(len(classes))], AETitle: aes[r.IntN(len(aes))]}
		if r.IntN(4) == 0 {
			e.MAC = model.MAC{0x00, 0x1b, 0x63, 0x84, 0x45, byte(0xe5 + r.IntN(3))}
		}
		return e
	}
	for round := 0; round < 50; round++ {
		n := 1 + r.IntN(60)
		flows := make([]ObservedFlow, n)
		for i := range flows {
			port := uint16(1 + r.IntN(20))
			if r.IntN(3) == 0 {
				port = []uint16{53, 67, 68, 104, 11112, 443, 2575, 88, 161, 162}[r.IntN(10)]
			}
			flows[i] = ObservedFlow{Src: endpoint(), Dst: endpoint(), Proto: protos[r.IntN(len(protos))], Port: port,
				Packets: uint64(r.IntN(100)), Bytes: uint64(r.IntN(100000)), Connections: uint64(r.IntN(5))}
		}
		for _, base := range bases {
			out := Learn(flows, base)
			t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
				checkLearned(t, out, flows)
			})
			shuffled := append([]ObservedFlow(nil), flows...)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if again := Learn(shuffled, base); !bytes.Equal(again, out) {
				t.Fatalf("round %d: Learn depends on input order:\n%s\n---\n%s", round, out, again)
			}
		}
	}
}

func TestLearnLongNames(t *testing.T) {
	// Zone names that make colliding and maximal rule names.
	base := mustParse(t, []byte(`
zones:
  - {name: a, vlans: [1]}
  - {name: b-to-c, vlans: [2]}
  - {name: a-to-b, vlans: [3]}
  - {name: c, vlans: [4]}
  - {name: "null", vlans: [5]}
  - {name: "123", vlans: [6]}
  - {name: xxxxxxxxxxxxxxxxxxxxxxxxxxxxx1, vlans: [7]}
  - {name: xxxxxxxxxxxxxxxxxxxxxxxxxxxxx2, vlans: [8]}
`))
	e := func(v uint16) Endpoint { return Endpoint{VLAN: v} }
	flows := []ObservedFlow{
		obs(e(1), e(2), 6, 1, 1), obs(e(3), e(4), 6, 1, 1), obs(e(5), e(6), 6, 1, 1),
		obs(e(7), e(8), 6, 1, 1), obs(e(8), e(7), 6, 1, 1), obs(e(7), e(7), 6, 1, 1),
	}
	out := Learn(flows, base)
	checkLearned(t, out, flows)
	if !bytes.Contains(out, []byte(`name: a-to-b-to-c-2`)) {
		t.Errorf("no de-duplicated name in\n%s", out)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestSimulate(t *testing.T) {
	p := mustLoad(t, examplePath)
	res := Simulate(p, demoFlows())
	if len(res) != len(p.Rules())+1 || res[len(res)-1].Rule != "default" {
		t.Fatalf("%d results", len(res))
	}
	got := map[string]SimResult{}
	total := 0
	for _, r := range res {
		got[r.Rule] = r
		total += r.Flows
	}
	if total != len(demoFlows()) {
		t.Errorf("results cover %d flows, want %d", total, len(demoFlows()))
	}
	want := map[string]struct {
		action Action
		flows  int
		conns  uint64
	}{
		"guest-isolation":      {Alert, 0, 0},
		"pumps-to-internet":    {Alert, 1, 2},
		"core-services":        {Allow, 7, 34},
		"dhcp-local":           {Allow, 1, 14},
		"pumps-to-servers-tls": {Allow, 2, 2},
		"pumps-to-servers-hl7": {Allow, 0, 0},
		"imaging-to-pacs":      {Allow, 2, 2},
		"radiology-to-pacs":    {Allow, 1, 1},
		"workstations-to-pacs": {Alert, 1, 1},
		"workstations-to-ehr":  {Allow, 1, 9},
		"servers-internal":     {Allow, 2, 5},
		"default":              {Alert, 0, 0},
	}
	for name, w := range want {
		r := got[name]
		if r.Action != w.action || r.Flows != w.flows || r.Connections != w.conns ||
			r.Packets != 10*w.conns || r.Bytes != 1000*w.conns || len(r.Samples) != min(w.flows, MaxSimSamples) {
			t.Errorf("%s: %+v, want %v %d flows %d connections", name, r, w.action, w.flows, w.conns)
		}
	}
	s := got["workstations-to-pacs"].Samples[0]
	if s.SrcZone != "workstations" || s.DstZone != "pacs" || s.Flow.Src.AETitle != "NURS_WS03" {
		t.Errorf("sample %+v", s)
	}
	if r := got["pumps-to-internet"]; r.Severity != "critical" {
		t.Errorf("pumps-to-internet severity %q", r.Severity)
	}
	// Alerting flows, in the form an operator reads.
	var alerts []string
	for _, r := range res {
		if r.Action == Alert && r.Flows > 0 {
			alerts = append(alerts, fmt.Sprintf("%s:%d", r.Rule, r.Flows))
		}
	}
	if strings.Join(alerts, " ") != "pumps-to-internet:1 workstations-to-pacs:1" {
		t.Errorf("alerts %q", alerts)
	}

	// Samples are bounded; a nil policy allows everything by default.
	many := make([]ObservedFlow, 20)
	for i := range many {
		many[i] = obs(pump, srv("8.8.8.8", 20), 6, 443, 1)
	}
	if r := Simulate(p, many)[1]; r.Flows != 20 || len(r.Samples) != MaxSimSamples {
		t.Errorf("bounded samples: %d flows, %d samples", r.Flows, len(r.Samples))
	}
	if r := Simulate(nil, many); len(r) != 1 || r[0].Rule != "default" || r[0].Action != Allow || r[0].Flows != 20 {
		t.Errorf("Simulate(nil) = %+v", r)
	}
}

// largePolicy generates zones vlanN (VLAN N, 10.N.0.0/16, a MAC, an AE
// title) and rules between them.
func largePolicy(zones, rules int) []byte {
	var b strings.Builder
	b.WriteString("default: alert\nzones:\n")
	for i := 1; i <= zones; i++ {
		fmt.Fprintf(&b, "  - name: z%d\n    vlans: [%d]\n    cidrs: [10.%d.0.0/16]\n    macs: [\"02:00:00:00:%02x:%02x\"]\n    ae_titles: [AE%d]\n",
			i, i, i%256, i>>8, i&0xff, i)
	}
	b.WriteString("  - name: pacs\n    classes: [pacs]\nrules:\n")
	for i := 0; i < rules; i++ {
		fmt.Fprintf(&b, "  - name: r%d\n    from: z%d\n    to: [z%d, z%d]\n    services: [tcp/%d, udp/%d-%d, dns]\n    action: allow\n",
			i, 1+i%zones, 1+(i*7)%zones, 1+(i*7+3)%zones, 1000+i, 2000+i, 2010+i)
	}
	b.WriteString("  - name: last\n    from: any\n    to: pacs\n    services: [dicom]\n    action: alert\n")
	return []byte(b.String())
}

// TestSimulateCopies: the copies of a routed flow (one per VLAN it
// crossed, the same Conv) count once per verdict, with the larger copy's
// counters; copies judged differently count apart, and flows without a
// Conv always count.
func TestSimulateCopies(t *testing.T) {
	p := mustLoad(t, examplePath)
	local := obs(nursWS, Endpoint{Vantage: "span0", VLAN: 40, IP: ip("10.50.0.20")}, 6, 104, 2) // to the router
	local.Conv = 7
	routed := obs(Endpoint{Vantage: "span0", VLAN: 50, IP: ip("10.40.0.113")}, dicomTo(50, "PACS_MAIN"), 6, 104, 3)
	routed.Conv = 7
	// The same conversation, but the routed copy's client is named by its
	// AE title: radiology, another verdict.
	rad := obs(Endpoint{Vantage: "span0", VLAN: 40, MAC: radWS.MAC, IP: ip("10.40.0.107"), Class: "workstation"},
		Endpoint{Vantage: "span0", VLAN: 40, IP: ip("10.50.0.20")}, 6, 104, 1)
	rad.Conv = 8
	radRouted := obs(Endpoint{Vantage: "span0", VLAN: 50, IP: ip("10.40.0.107"), AETitle: "RAD_WS07"}, dicomTo(50, "PACS_MAIN"), 6, 104, 1)
	radRouted.Conv = 8
	got := map[string]SimResult{}
	for _, r := range Simulate(p, []ObservedFlow{local, routed, rad, radRouted, local, routed}) {
		got[r.Rule] = r
	}
	if r := got["workstations-to-pacs"]; r.Flows != 2 || r.Connections != 3+1 || r.Packets != 30+10 || len(r.Samples) != 2 {
		t.Errorf("workstations-to-pacs: %d flows, %d connections, %d packets, %d samples; want 2, 4, 40, 2",
			r.Flows, r.Connections, r.Packets, len(r.Samples))
	}
	if r := got["radiology-to-pacs"]; r.Flows != 1 || r.Connections != 1 {
		t.Errorf("radiology-to-pacs: %d flows, %d connections; want 1, 1", r.Flows, r.Connections)
	}
	local.Conv, routed.Conv = 0, 0
	if r := Simulate(p, []ObservedFlow{local, routed})[8]; r.Rule != "workstations-to-pacs" || r.Flows != 2 {
		t.Errorf("without Conv: %s %d flows, want 2", r.Rule, r.Flows)
	}
}
