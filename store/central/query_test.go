package central

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// The query side over the central database of two sensors: the inventory
// service over it (as `wardwatch assets --central`, `wardwatch central`
// use it) answers what the union of the two sensors' own inventories
// answers, a device both sensors see being one device with both vantages.

var _ inventory.Store = (*Inventory)(nil)

// fleet is two sensors' databases pushed into one central database.
type fleet struct {
	pg       *pgServer
	dbA, dbB string
	pwFile   string
	central  *inventory.Service
	local    map[string]*inventory.Service // by sensor
	inv      *Inventory
}

var fleetNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // after every capture: states are the same everywhere

// newFleet: sensor a (site north) replays the demo capture at vantage span-a;
// sensor b (site south), a core mirror, replays third-party captures and
// the demo capture too, at vantage core-b: the demo capture's devices are
// seen by both.
func newFleet(t *testing.T) *fleet {
	f := &fleet{pg: startPG(t)}
	dir := t.TempDir()
	f.dbA, f.dbB = filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	replay(t, f.dbA, "span-a", demoPcap(t))
	filesB := sharedCaptures(t, "tapirx/HL7-ORU.pcap", "tapirx/dicom_arq_1_find_testclient.pcap", "ndpi/android.pcap",
		"arkime/wireshark-dhcp.pcap")
	if len(filesB) == 0 {
		t.Log("../shared/pcaps absent: sensor b replays the demo capture only")
	}
	replay(t, f.dbB, "core-b", append(filesB, demoPcap(t))...)
	mustSync(t, newPusher(t, f.pg, f.dbA, "sensor-a", "north", nil))
	mustSync(t, newPusher(t, f.pg, f.dbB, "sensor-b", "south", nil))

	f.pwFile = f.pg.passwordFile(f.pg.Passwd)
	ctx := context.Background()
	var err error
	f.inv, err = OpenInventory(ctx, InventoryOptions{DSN: f.pg.DSN(), PasswordFile: f.pwFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.inv.Close)
	now := func() time.Time { return fleetNow }
	f.central = inventory.New(inventory.Options{Store: f.inv, Central: true, Now: now})
	f.local = map[string]*inventory.Service{}
	for sensor, path := range map[string]string{"sensor-a": f.dbA, "sensor-b": f.dbB} {
		db, err := store.OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f.local[sensor] = inventory.New(inventory.Options{Store: db, Now: now})
	}
	return f
}

func allAssets(t *testing.T, inv *inventory.Service, q inventory.AssetQuery) []inventory.AssetRecord {
	t.Helper()
	var out []inventory.AssetRecord
	n, err := inv.EachAsset(context.Background(), q, func(rs []inventory.AssetRecord) error {
		out = append(out, rs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := inv.Assets(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != n || len(page.Items) != n {
		t.Fatalf("Assets: total %d, %d items; EachAsset: %d", page.Total, len(page.Items), n)
	}
	return out
}

// deviceOf is a local asset's central device: its MAC, or its sensor and
// key for an asset keyed by IP.
func deviceOf(sensor string, r *inventory.AssetRecord) string {
	if r.KeyedBy == "ip" {
		return fmt.Sprintf("%s/%s/%d/%s", sensor, r.Vantage, r.VLAN, r.IPs[0])
	}
	return r.MAC
}

func vantageOf(sensor, site string, r *inventory.AssetRecord) inventory.VantageRecord {
	return inventory.VantageRecord{Sensor: sensor, Site: site, Vantage: r.Vantage, VLAN: r.VLAN, FirstSeen: r.FirstSeen,
		LastSeen: r.LastSeen}
}

func sortedVantages(vs []inventory.VantageRecord) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%s|%s", v.Sensor, v.Site, v.Vantage, v.VLAN, v.FirstSeen, v.LastSeen))
	}
	sort.Strings(out)
	return out
}

// TestCentralQueryUnion: the central inventory's devices are the union of
// both sensors' assets, one device per MAC with every vantage; narrowed to
// one sensor, its assets, flows, violations and events are that sensor's
// own inventory's, record for record.
func TestCentralQueryUnion(t *testing.T) {
	f := newFleet(t)
	sites := map[string]string{"sensor-a": "north", "sensor-b": "south"}

	// The union: every local asset is in one central device, with its vantage.
	type group struct {
		vantages []inventory.VantageRecord
		ips      map[string]bool
		classes  map[string]bool
		first    string
		last     string
	}
	groups := map[string]*group{}
	for sensor, inv := range f.local {
		for _, r := range allAssets(t, inv, inventory.AssetQuery{}) {
			k := deviceOf(sensor, &r)
			g := groups[k]
			if g == nil {
				g = &group{ips: map[string]bool{}, classes: map[string]bool{}, first: r.FirstSeen}
				groups[k] = g
			}
			g.vantages = append(g.vantages, vantageOf(sensor, sites[sensor], &r))
			for _, ip := range r.IPs {
				g.ips[ip] = true
			}
			g.classes[string(r.Class)] = true
			if r.FirstSeen < g.first {
				g.first = r.FirstSeen
			}
			if r.LastSeen > g.last {
				g.last = r.LastSeen
			}
		}
	}
	devices := allAssets(t, f.central, inventory.AssetQuery{})
	if len(devices) != len(groups) {
		t.Errorf("central: %d devices; the sensors' assets make %d", len(devices), len(groups))
	}
	both := 0
	for _, d := range devices {
		k := d.MAC
		if d.KeyedBy == "ip" {
			k = fmt.Sprintf("%s/%s/%d/%s", d.Sensor, d.Vantage, d.VLAN, d.IPs[0])
		}
		g := groups[k]
		if g == nil {
			t.Errorf("central device %s is no sensor's asset", k)
			continue
		}
		if got, want := sortedVantages(d.Vantages), sortedVantages(g.vantages); !slices.Equal(got, want) {
			t.Errorf("device %s: vantages\n%v\nwant\n%v", k, got, want)
		}
		var ips []string
		for ip := range g.ips {
			ips = append(ips, ip)
		}
		if got := slices.Sorted(slices.Values(d.IPs)); !slices.Equal(got, slices.Sorted(slices.Values(ips))) {
			t.Errorf("device %s: IPs %v, want %v", k, got, ips)
		}
		if !g.classes[string(d.Class)] {
			t.Errorf("device %s: class %s is none of its assets' %v", k, d.Class, g.classes)
		}
		if d.FirstSeen != g.first || d.LastSeen != g.last {
			t.Errorf("device %s: seen %s..%s, want %s..%s", k, d.FirstSeen, d.LastSeen, g.first, g.last)
		}
		if d.Sensor != d.Vantages[0].Sensor || d.Site != sites[d.Sensor] {
			t.Errorf("device %s: sensor %q site %q, vantages %v", k, d.Sensor, d.Site, d.Vantages)
		}
		sensors := map[string]bool{}
		for _, v := range d.Vantages {
			sensors[v.Sensor] = true
		}
		if len(sensors) == 2 {
			both++
		}
	}
	if both == 0 {
		t.Error("no device seen by both sensors is one device with both vantages")
	}
	t.Logf("%d central devices, %d seen by both sensors", len(devices), both)

	// The detail of a device both see: one asset, two vantages.
	for _, d := range devices {
		if len(d.Vantages) < 2 || d.MAC == "" {
			continue
		}
		det, err := f.central.Asset(context.Background(), d.MAC, inventory.AssetRefQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Asset.Vantages) != len(d.Vantages) || len(det.OtherMatches) != 0 {
			t.Errorf("asset %s: %d vantages, %d other matches; want %d and none", d.MAC, len(det.Asset.Vantages),
				len(det.OtherMatches), len(d.Vantages))
		}
		break
	}

	// Narrowed to one sensor: that sensor's own inventory.
	for sensor, local := range f.local {
		strip := func(r inventory.AssetRecord) string {
			r.ID, r.Sensor, r.Site, r.Vantages = 0, "", "", nil
			slices.Sort(r.IPs)
			b, _ := json.Marshal(r)
			return string(b)
		}
		var want, got []string
		perMAC := map[string]int{}
		locals := allAssets(t, local, inventory.AssetQuery{})
		for _, r := range locals {
			perMAC[deviceOf(sensor, &r)]++
		}
		for _, r := range locals {
			if perMAC[deviceOf(sensor, &r)] == 1 { // a MAC on two VLANs is one device centrally
				want = append(want, strip(r))
			}
		}
		for _, r := range allAssets(t, f.central, inventory.AssetQuery{Sensor: sensor}) {
			if r.Sensor != sensor || r.Site != sites[sensor] {
				t.Errorf("--sensor %s: device %s has sensor %q site %q", sensor, r.MAC, r.Sensor, r.Site)
			}
			if len(r.Vantages) == 1 {
				got = append(got, strip(r))
			}
		}
		assertSame(t, sensor+" assets", want, got)
		bySite := allAssets(t, f.central, inventory.AssetQuery{Site: sites[sensor]})
		if len(bySite) != len(perMAC) {
			t.Errorf("--site %s: %d devices, want %d", sites[sensor], len(bySite), len(perMAC))
		}

		assertSame(t, sensor+" flows", records(t, local.EachFlow, inventory.FlowQuery{}, stripFlow),
			records(t, f.central.EachFlow, inventory.FlowQuery{Sensor: sensor}, stripFlow))
		assertSame(t, sensor+" violations", records(t, local.EachViolation, inventory.ViolationQuery{}, stripViolation),
			records(t, f.central.EachViolation, inventory.ViolationQuery{Sensor: sensor}, stripViolation))
		assertSame(t, sensor+" events", records(t, local.EachEvent, inventory.EventQuery{}, stripEvent),
			records(t, f.central.EachEvent, inventory.EventQuery{Sensor: sensor}, stripEvent))
	}
	// Unfiltered lists are the union.
	for _, c := range []struct {
		name string
		n    func(*inventory.Service) int
	}{
		{"flows", func(s *inventory.Service) int {
			p, err := s.Flows(context.Background(), inventory.FlowQuery{Limit: 1})
			must(t, err)
			return p.Total
		}},
		{"violations", func(s *inventory.Service) int {
			p, err := s.Violations(context.Background(), inventory.ViolationQuery{Limit: 1})
			must(t, err)
			return p.Total
		}},
		{"events", func(s *inventory.Service) int {
			p, err := s.Events(context.Background(), inventory.EventQuery{Limit: 1})
			must(t, err)
			return p.Total
		}},
	} {
		want := c.n(f.local["sensor-a"]) + c.n(f.local["sensor-b"])
		if got := c.n(f.central); got != want || got == 0 {
			t.Errorf("central %s: %d, the sensors' sum %d", c.name, got, want)
		}
	}
	// A sensor filter on a sensor's own inventory is refused.
	if _, err := f.local["sensor-a"].Assets(context.Background(), inventory.AssetQuery{Sensor: "x"}); err == nil {
		t.Error("a sensor's own inventory took a sensor filter")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// records reads every record q selects through each, as strings stripped
// of what differs between the databases (IDs, sensor and site).
func records[Q, R any](t *testing.T, each func(context.Context, Q, func([]R) error) (int, error), q Q,
	strip func(R) R) []string {
	t.Helper()
	var out []string
	_, err := each(context.Background(), q, func(rs []R) error {
		for _, r := range rs {
			b, _ := json.Marshal(strip(r))
			out = append(out, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func stripFlow(r inventory.FlowRecord) inventory.FlowRecord {
	r.ID, r.Sensor, r.Site = 0, "", ""
	return r
}

func stripViolation(r inventory.ViolationRecord) inventory.ViolationRecord {
	r.ID, r.Sensor, r.Site = 0, "", ""
	return r
}

func stripEvent(r inventory.EventRecord) inventory.EventRecord {
	r.ID, r.Sensor, r.Site = 0, "", ""
	return r
}

// assertSame compares two lists as multisets.
func assertSame(t *testing.T, what string, want, got []string) {
	t.Helper()
	sort.Strings(want)
	sort.Strings(got)
	if len(want) == 0 {
		t.Errorf("%s: nothing to compare", what)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("%s (%d local, %d central):\n%s", what, len(want), len(got), d)
	}
}

// TestCentralCLIAndDaemon: `wardwatch assets --central` and the other verbs
// print the central inventory, and `wardwatch central` serves it: API,
// web page and metrics.
func TestCentralCLIAndDaemon(t *testing.T) {
	f := newFleet(t)
	bin := wardwatchBin(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--central", f.pg.DSN(), "--central.password-file", f.pwFile,
			"--now", fleetNow.Format(time.RFC3339))...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("wardwatch %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	var want []inventory.AssetRecord
	for _, r := range allAssets(t, f.central, inventory.AssetQuery{}) {
		want = append(want, r)
	}
	var got []inventory.AssetRecord
	if err := json.Unmarshal([]byte(run("assets", "-o", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("assets --central: %d devices, the service %d", len(got), len(want))
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if string(wj) != string(gj) {
		t.Errorf("assets --central -o json differs from the service's answer")
	}
	table := run("assets", "--sensor", "sensor-b")
	if !strings.Contains(table, "SENSOR") || !strings.Contains(table, "SITE") || !strings.Contains(table, "sensor-b") {
		t.Errorf("assets --central --sensor sensor-b:\n%s", table)
	}
	csv := run("assets", "-o", "csv", "--site", "north")
	if !strings.HasPrefix(csv, "sensor,site,vantage,") {
		t.Errorf("assets --central -o csv header: %q", strings.SplitN(csv, "\n", 2)[0])
	}
	var shared string
	for _, r := range want {
		if len(r.Vantages) > 1 && r.MAC != "" {
			shared = r.MAC
			break
		}
	}
	if shared == "" {
		t.Fatal("no device seen by both sensors")
	}
	detail := run("asset", shared)
	if !strings.Contains(detail, "sensor-a (north) at span-a") || !strings.Contains(detail, "sensor-b (south) at core-b") {
		t.Errorf("asset %s --central: want both vantages:\n%s", shared, detail)
	}
	for _, verb := range []string{"flows", "violations", "events"} {
		out := run(verb, "--sensor", "sensor-a", "-o", "json")
		var items []map[string]any
		if err := json.Unmarshal([]byte(out), &items); err != nil {
			t.Fatalf("%s: %v", verb, err)
		}
		for _, it := range items {
			if it["sensor"] != "sensor-a" || it["site"] != "north" {
				t.Fatalf("%s --sensor sensor-a: %v", verb, it)
			}
		}
		if len(items) == 0 && verb != "violations" {
			t.Errorf("%s --sensor sensor-a: none", verb)
		}
	}

	// Advisories: every advisory naming a device of either sensor names the
	// central device.
	if adv := filepath.Join(repoRoot(t), "..", "shared", "advisories"); dirExists(adv) {
		type advisories struct {
			Advisories []struct {
				ID      string `json:"id"`
				Devices []struct {
					Device struct {
						MAC string `json:"mac"`
					} `json:"device"`
				} `json:"devices"`
			} `json:"advisories"`
		}
		pairs := func(out []byte) map[string]bool {
			var a advisories
			if err := json.Unmarshal(out, &a); err != nil {
				t.Fatalf("advisories -o json: %v\n%.300s", err, out)
			}
			m := map[string]bool{}
			for _, x := range a.Advisories {
				for _, d := range x.Devices {
					m[x.ID+" "+d.Device.MAC] = true
				}
			}
			return m
		}
		got := pairs([]byte(run("advisories", "-o", "json", "--advisories.dir", adv)))
		n := 0
		for _, db := range []string{f.dbA, f.dbB} {
			cmd := exec.Command(bin, "advisories", "--db", db, "-o", "json", "--advisories.dir", adv)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("advisories --db %s: %v", db, err)
			}
			for p := range pairs(out) {
				n++
				if !got[p] {
					t.Errorf("advisories --central lacks %s", p)
				}
			}
		}
		if n == 0 {
			t.Error("no advisory names a device of the sensors")
		}
	} else {
		t.Log("../shared/advisories absent: advisories --central not checked")
	}

	// The daemon.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "central", "--central", f.pg.DSN(), "--central.password-file", f.pwFile,
		"--web.listen-address", addr)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("wardwatch central:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor(t, 30*time.Second, "wardwatch central ready", func() bool { code, _ := get("/-/ready"); return code == 200 })
	code, body := get("/api/v1/assets?sensor=sensor-a&limit=1000")
	var page inventory.Page[inventory.AssetRecord]
	if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
		t.Fatalf("/api/v1/assets?sensor=sensor-a: %d %s", code, body)
	}
	if n := len(allAssets(t, f.central, inventory.AssetQuery{Sensor: "sensor-a"})); page.Total != n || n == 0 {
		t.Errorf("/api/v1/assets?sensor=sensor-a: total %d, want %d", page.Total, n)
	}
	code, body = get("/api/v1/assets/" + shared)
	var det inventory.AssetDetailRecord
	if code != 200 || json.Unmarshal([]byte(body), &det) != nil || len(det.Asset.Vantages) < 2 {
		t.Errorf("/api/v1/assets/%s: %d %s", shared, code, body)
	}
	if code, body = get("/api/v1/flows?format=csv&site=south"); code != 200 || !strings.HasPrefix(body, "sensor,site,id,") ||
		strings.Contains(body, "north") {
		t.Errorf("/api/v1/flows?format=csv&site=south: %d %.300s", code, body)
	}
	if code, body = get("/api/v1/events?sensor=a&sensor=b"); code != 400 {
		t.Errorf("two sensor parameters: %d %s", code, body)
	}
	if code, body = get("/ui/?sensor=sensor-b"); code != 200 || !strings.Contains(body, "Seen by") ||
		!strings.Contains(body, "sensor-b (south)") {
		t.Errorf("/ui/?sensor=sensor-b: %d %.500s", code, body)
	}
	for _, page := range []string{"/ui/events?sensor=sensor-a", "/ui/flows?sensor=sensor-a", "/ui/violations?site=north"} {
		if code, body = get(page); code != 200 || !strings.Contains(body, "sensor-a (north)") || strings.Contains(body, "(south)") {
			t.Errorf("%s: %d, want rows of sensor-a (north) only", page, code)
		}
	}
	if code, body = get("/ui/assets/" + shared); code != 200 || !strings.Contains(body, "sensor-a (north) at span-a") ||
		!strings.Contains(body, "sensor-b (south) at core-b") {
		t.Errorf("/ui/assets/%s: %d", shared, code)
	}
	code, body = get("/metrics")
	for _, want := range []string{
		`wardwatch_central_sensor_last_push_timestamp_seconds{sensor="sensor-a",site="north"}`,
		`wardwatch_central_sensor_assets{sensor="sensor-b",site="south"}`,
		`wardwatch_scrape_collector_success{collector="fleet"} 1`,
		`wardwatch_scrape_collector_success{collector="assets"} 1`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
