package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// sharedZonePolicy zones the shared captures of zoneCaptures by every kind
// of matcher the inventory's zone depends on: AE title (tapirx DICOM, on
// loopback: an asset keyed by IP), device class (the Android phone of
// ndpi/android.pcap) and CIDR.
const sharedZonePolicy = `default: allow
zones:
  - name: dicom
    ae_titles: [testclient, testserver]
  - name: phones
    classes: [mobile]
  - name: loopback
    cidrs: [127.0.0.0/8]
  - name: lan
    cidrs: [192.168.0.0/16, 10.0.0.0/8, 172.16.0.0/12]
rules: []
`

// zoneCaptures are shared captures replayed into one database for
// TestZonesAgree.
var zoneCaptures = []string{
	"tapirx/dicom_arq_1_find_testclient.pcap",
	"tapirx/HL7-ORU.pcap",
	"ndpi/android.pcap",
	"zeek/dhcp.pcap",
	"arkime/twovlan.pcap",
}

// TestZonesAgree is issue 10's first wrong answer: the zone of each asset
// must be the same in the CLI (assets -o json), the API (/api/v1/assets),
// the web page (/ui/) and the asset counts of /metrics
// (wardwatch_assets{class,zone}), on the demo with the example policy and on
// shared captures. Before policy/segment, /metrics placed WS-RAD-07 in
// "workstations" (no AE title) while the CLI and API said "radiology".
func TestZonesAgree(t *testing.T) {
	t.Run("demo", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "demo.db")
		replayInto(t, db, demoPolicy, "demo", filepath.Join("..", "..", "testdata", "demo.pcap"))
		zones := checkZonesAgree(t, db, demoPolicy)
		if z := zones["demo/40/98:e7:43:2e:e8:6a"]; z != "radiology" {
			t.Errorf("WS-RAD-07 (AE RAD_WS07) is in zone %q, want radiology", z)
		}
	})
	t.Run("shared", func(t *testing.T) {
		root := sharedPcaps(t)
		dir := t.TempDir()
		pol := filepath.Join(dir, "policy.yml")
		writeFile(t, pol, []byte(sharedZonePolicy), 0o644)
		db := filepath.Join(dir, "shared.db")
		var files []string
		for _, c := range zoneCaptures {
			files = append(files, filepath.Join(root, c))
		}
		replayInto(t, db, pol, "shared", files...)
		zones := checkZonesAgree(t, db, pol)
		if z := zones["shared/0/127.0.0.1"]; z != "dicom" {
			t.Errorf("the DICOM test client on 127.0.0.1 is in zone %q, want dicom (by AE title)", z)
		}
	})
}

// replayInto replays files into db with the policy pol.
func replayInto(t *testing.T, db, pol, vantage string, files ...string) {
	t.Helper()
	args := append([]string{"replay", "-q", "--db", db, "--vantage", vantage, "--policy.file", pol}, files...)
	if r := runMain(args...); r.code != 0 {
		t.Fatalf("replay exit %d: %s", r.code, r.stderr)
	}
}

// checkZonesAgree compares the zone of every asset of db under pol in the
// CLI, the API, the web page and /metrics, and returns the CLI's zones by
// "vantage/vlan/ref".
func checkZonesAgree(t *testing.T, db, pol string) map[string]string {
	t.Helper()
	type rec struct {
		Vantage, MAC, Class, Zone string
		VLAN                      uint16
		KeyedBy                   string `json:"keyed_by"`
		IPs                       []string
	}
	ref := func(r rec) string {
		id := r.MAC
		if r.KeyedBy == "ip" {
			id = r.IPs[0]
		}
		return fmt.Sprintf("%s/%d/%s", r.Vantage, r.VLAN, id)
	}

	r := runMain("assets", "--db", db, "--policy.file", pol, "-o", "json")
	if r.code != 0 {
		t.Fatalf("assets exit %d: %s", r.code, r.stderr)
	}
	var cliRecs []rec
	if err := json.Unmarshal([]byte(r.stdout), &cliRecs); err != nil {
		t.Fatalf("assets -o json: %v", err)
	}
	cli := map[string]string{}
	counts := map[string]int{} // "class/zone" -> assets, from the CLI
	for _, x := range cliRecs {
		cli[ref(x)] = x.Zone
		counts[x.Class+"/"+x.Zone]++
	}
	if len(cli) == 0 {
		t.Fatal("no assets")
	}

	// The daemon on the same database, serving what run serves: replay of
	// an empty capture with --serve.
	empty := filepath.Join(t.TempDir(), "empty.pcap")
	writePcap(t, empty, layers.LinkTypeEthernet, nil)
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan runResult, 1)
	go func() {
		var out, errb strings.Builder
		code := Main(ctx, []string{"replay", "-q", "--serve", "--log.level", "error", "--web.listen-address",
			fmt.Sprintf("127.0.0.1:%d", port), "--db", db, "--policy.file", pol, "--vantage", "empty", empty}, &out, &errb)
		done <- runResult{code: code, stdout: out.String(), stderr: errb.String()}
	}()
	defer func() {
		cancel()
		select {
		case r := <-done:
			if r.code != 0 {
				t.Errorf("replay --serve exit %d: %s", r.code, r.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Error("replay --serve did not stop")
		}
	}()
	get := func(path string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(base + path)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return string(body)
				}
				err = fmt.Errorf("%s: %s", resp.Status, body)
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", path, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	get("/-/ready")

	var page struct {
		Total int
		Items []rec
	}
	if err := json.Unmarshal([]byte(get("/api/v1/assets?limit=1000")), &page); err != nil {
		t.Fatal(err)
	}
	apiZones := map[string]string{}
	for _, x := range page.Items {
		apiZones[ref(x)] = x.Zone
	}
	compareZones(t, "API", cli, apiZones)

	uiZones := map[string]string{}
	uiPage := get("/ui/?limit=1000")
	// The zone column is the one headed "Zone".
	table := uiPage[strings.Index(uiPage, `<table id="assets"`):]
	head := table[:strings.Index(table, "</thead>")]
	zoneCol := -1
	for i, th := range regexp.MustCompile(`(?s)<th[^>]*>(.*?)</th>`).FindAllStringSubmatch(head, -1) {
		if regexp.MustCompile(`<[^>]*>`).ReplaceAllString(th[1], "") == "Zone" {
			zoneCol = i
		}
	}
	if zoneCol < 0 {
		t.Fatalf("no Zone column in the web page's inventory:\n%s", head)
	}
	row := regexp.MustCompile(`(?s)<tr>\s*<td class="mono"><a href="/ui/assets/([^"?]+)\?([^"]*)">.*?</tr>`)
	cell := regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		q := html.UnescapeString(m[2])
		vlan, vantage := "", ""
		for _, kv := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "vlan":
				vlan = v
			case "vantage":
				vantage = v
			}
		}
		cells := cell.FindAllStringSubmatch(m[0], -1)
		if len(cells) <= zoneCol {
			t.Fatalf("UI row with %d cells: %s", len(cells), m[0])
		}
		uiZones[vantage+"/"+vlan+"/"+m[1]] = html.UnescapeString(strings.TrimSpace(cells[zoneCol][1]))
	}
	compareZones(t, "web page", cli, uiZones)

	// wardwatch_assets{class,zone,...} (other labels, such as state, are
	// summed over).
	metric := regexp.MustCompile(`^wardwatch_assets\{([^}]*)\} (\S+)$`)
	label := func(labels, name string) string {
		m := regexp.MustCompile(`(?:^|,)` + name + `="([^"]*)"`).FindStringSubmatch(labels)
		if m == nil {
			return ""
		}
		return m[1]
	}
	got := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(get("/metrics")))
	for sc.Scan() {
		if m := metric.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.ParseFloat(m[2], 64)
			if n > 0 {
				got[label(m[1], "class")+"/"+label(m[1], "zone")] += int(n)
			}
		}
	}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(counts)) {
		t.Errorf("wardwatch_assets{class,zone} disagree with the CLI's zones:\n/metrics: %v\nCLI:      %v",
			sorted(got), sorted(counts))
	}
	return cli
}

func compareZones(t *testing.T, what string, cli, got map[string]string) {
	t.Helper()
	if len(got) != len(cli) {
		t.Errorf("%s lists %d assets, the CLI %d", what, len(got), len(cli))
	}
	for k, z := range cli {
		if g, ok := got[k]; !ok {
			t.Errorf("%s lacks asset %s", what, k)
		} else if g != z {
			t.Errorf("asset %s: zone %q in the %s, %q in the CLI", k, g, what, z)
		}
	}
}

func sorted(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+strconv.Itoa(v))
	}
	sort.Strings(out)
	return out
}

// pumpClassPolicy zones by device class only: a pump's flow to the
// internet is a violation only once the pump is known as a pump.
const pumpClassPolicy = `default: allow
zones:
  - name: pumps
    classes: [infusion-pump]
rules:
  - name: pumps-to-internet
    from: pumps
    to: internet
    action: alert
    severity: critical
`

// liveViolations counts the violation rows of db by rule (what the live
// checker stored).
func liveViolations(t *testing.T, db string) map[string]int {
	t.Helper()
	r := runMain("violations", "--db", db, "-o", "json")
	if r.code != 0 {
		t.Fatalf("violations exit %d: %s", r.code, r.stderr)
	}
	var recs []struct{ Rule string }
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatalf("violations -o json: %v", err)
	}
	n := map[string]int{}
	for _, v := range recs {
		n[v.Rule]++
	}
	return n
}

// simulatedAlerts runs `policy simulate` of pol on db and counts the flows
// that would alert, by rule.
func simulatedAlerts(t *testing.T, db, pol string) map[string]int {
	t.Helper()
	r := runMain("policy", "simulate", "--db", db, "--policy", pol, "-o", "json")
	if r.code != 0 {
		t.Fatalf("policy simulate exit %d: %s", r.code, r.stderr)
	}
	var rows []struct {
		Rule, Action string
		Flows        int
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("policy simulate -o json: %v", err)
	}
	n := map[string]int{}
	for _, x := range rows {
		if x.Action == "alert" && x.Flows > 0 {
			n[x.Rule] += x.Flows
		}
	}
	return n
}

// TestSimulateMatchesLive is issue 10's second wrong answer: `policy
// simulate` of the policy a capture was replayed with must flag the flows
// the live checker flagged. Before, simulate said 4 flows on the demo (live
// 2): it judged the routed copy of WS-RAD-07's association without the AE
// title the live checker had learned for its address, and counted both
// copies of NURS_WS03's routed flow.
func TestSimulateMatchesLive(t *testing.T) {
	cases := []struct{ name, policy string }{
		{"example-policy", demoPolicy},
		{"class-zone", ""}, // pumpClassPolicy
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			pol := c.policy
			if pol == "" {
				pol = filepath.Join(dir, "pumps.yml")
				writeFile(t, pol, []byte(pumpClassPolicy), 0o644)
			}
			db := filepath.Join(dir, "demo.db")
			replayInto(t, db, pol, "demo", filepath.Join("..", "..", "testdata", "demo.pcap"))
			live, sim := liveViolations(t, db), simulatedAlerts(t, db, pol)
			if fmt.Sprint(live) != fmt.Sprint(sim) {
				t.Errorf("live stored violations %v, simulate flags %v", live, sim)
			}
		})
	}
	t.Run("shared-default-alert", func(t *testing.T) {
		// Every flow of the shared captures is a violation: simulate must
		// count as many as the live checker stored.
		root := sharedPcaps(t)
		dir := t.TempDir()
		pol := filepath.Join(dir, "policy.yml")
		writeFile(t, pol, []byte(strings.Replace(sharedZonePolicy, "default: allow", "default: alert", 1)), 0o644)
		db := filepath.Join(dir, "shared.db")
		var files []string
		for _, c := range zoneCaptures {
			files = append(files, filepath.Join(root, c))
		}
		replayInto(t, db, pol, "shared", files...)
		live, sim := liveViolations(t, db), simulatedAlerts(t, db, pol)
		if fmt.Sprint(live) != fmt.Sprint(sim) || live["default"] == 0 {
			t.Errorf("live stored violations %v, simulate flags %v", live, sim)
		}
	})
}

// TestClassZoneFirstReplay is issue 10's third wrong answer: with a policy
// that zones pumps by class only, the first replay of the demo into a fresh
// database recorded no violation (the pump's flow was judged before its
// class was committed) and a second replay into the same database one. A
// verdict must not depend on whether classification ran first.
func TestClassZoneFirstReplay(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "pumps.yml")
	writeFile(t, pol, []byte(pumpClassPolicy), 0o644)
	db := filepath.Join(dir, "demo.db")
	demo := filepath.Join("..", "..", "testdata", "demo.pcap")
	replayInto(t, db, pol, "demo", demo)
	if got := liveViolations(t, db); got["pumps-to-internet"] != 1 || len(got) != 1 {
		t.Errorf("first replay: violations %v, want pumps-to-internet 1", got)
	}
	replayInto(t, db, pol, "demo", demo)
	if got := liveViolations(t, db); got["pumps-to-internet"] != 1 || len(got) != 1 {
		t.Errorf("second replay: violations %v, want the same pumps-to-internet 1", got)
	}
}

// TestECSAlertCarriesClass is issue 10's fourth wrong answer: the demo's
// ECS alert for the pump that talks to the internet said src_class
// "unknown" although the pump was classified five capture-minutes earlier.
// Every alert's classes must be those of the inventory.
func TestECSAlertCarriesClass(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("events:\n  file: "+events+"\n"), 0o644)
	db := filepath.Join(dir, "demo.db")
	if r := runMain("replay", "-q", "--config.file", cfg, "--db", db, "--vantage", "demo", "--policy.file", demoPolicy,
		filepath.Join("..", "..", "testdata", "demo.pcap")); r.code != 0 {
		t.Fatalf("replay exit %d: %s", r.code, r.stderr)
	}
	classOf := map[string]string{} // IP -> class, from the inventory
	r := runMain("assets", "--db", db, "-o", "json")
	var recs []struct {
		Class string
		IPs   []string
	}
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatal(err)
	}
	for _, a := range recs {
		if a.Class == "network-infrastructure" {
			continue // routers own many addresses
		}
		for _, ip := range a.IPs {
			classOf[ip] = a.Class
		}
	}
	data, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Event     struct{ Dataset string }
			Rule      struct{ Name string }
			Source    struct{ IP string }
			Wardwatch struct {
				SrcClass string `json:"src_class"`
			}
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if e.Event.Dataset != "wardwatch.violation" {
			continue // an asset event (new-device, ...)
		}
		alerts = append(alerts, e.Rule.Name+" "+e.Source.IP+" "+e.Wardwatch.SrcClass)
		if want := classOf[e.Source.IP]; e.Wardwatch.SrcClass != want {
			t.Errorf("alert %s from %s: src_class %q, the inventory says %q", e.Rule.Name, e.Source.IP, e.Wardwatch.SrcClass, want)
		}
	}
	want := []string{"pumps-to-internet 10.20.0.104 infusion-pump", "workstations-to-pacs 10.40.0.113 dicom-workstation"}
	sort.Strings(alerts)
	if fmt.Sprint(alerts) != fmt.Sprint(want) {
		t.Errorf("ECS alerts %q, want %q", alerts, want)
	}
}
