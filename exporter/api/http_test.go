package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap/zaptest"
	"golang.org/x/crypto/bcrypt"

	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// newFixture serves inventorytest's hospital with the example policy.
func newFixture(tb testing.TB) *Server {
	return New(Options{Inventory: inventorytest.Service(tb, true), Logger: zaptest.NewLogger(tb)})
}

// serve mounts the API and the page on a real exporter.Server (the
// daemon's listener, with webConfig's TLS/auth if set) on a free port and
// returns its base URL.
func serve(t *testing.T, srv *Server, webConfig string) string {
	t.Helper()
	addrs := []string{"127.0.0.1:0"}
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: new(bool), WebConfigFile: &webConfig}
	s := exporter.NewServer(exporter.ServerOptions{Web: flags, Gatherer: prometheus.NewRegistry(),
		Logger: zaptest.NewLogger(t), Links: LandingLinks})
	s.Handle(APIPrefix, srv.APIHandler())
	s.Handle(UIPrefix, srv.UIHandler())
	listening, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	return "http://" + listening[0].String()
}

type reply struct {
	code   int
	header http.Header
	body   string
}

func request(t *testing.T, method, url string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "auth" {
			user, pass, _ := strings.Cut(header[i+1], ":")
			req.SetBasicAuth(user, pass)
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
	return v
}

func TestAPI(t *testing.T) {
	base := serve(t, newFixture(t), "")

	// Lists: JSON pages with totals, filters, pagination.
	r := request(t, "GET", base+"/api/v1/assets")
	if r.code != 200 || r.header.Get("Content-Type") != "application/json; charset=utf-8" ||
		r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("assets: %d %v", r.code, r.header)
	}
	page := decode[inventory.Page[inventory.AssetRecord]](t, r)
	if page.Total != 8 || len(page.Items) != 8 || page.Limit != DefaultLimit || page.Offset != 0 {
		t.Errorf("assets page: total %d, %d items, limit %d", page.Total, len(page.Items), page.Limit)
	}
	page = decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?zone=pumps&sort=-last_seen&limit=2"))
	if page.Total != 3 || len(page.Items) != 2 || page.Items[0].MAC != inventorytest.PumpMAC || page.Items[1].MAC != inventorytest.RouterMAC {
		t.Errorf("pumps zone: %+v", page)
	}
	page = decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?zone=pumps&sort=-last_seen&limit=2&offset=2"))
	if page.Total != 3 || len(page.Items) != 1 || page.Items[0].MAC != inventorytest.MonitorMAC || page.Items[0].State != inventory.StateDormant {
		t.Errorf("pumps zone, page 2: %+v", page)
	}
	page = decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?class=imaging-modality&vlan=30"))
	if page.Total != 1 || page.Items[0].MAC != inventorytest.CTMAC || page.Items[0].AETitles[0] != "CT_SCANNER1" {
		t.Errorf("imaging: %+v", page)
	}
	page = decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?search=%25%27%20OR%201%3D1--"))
	if page.Total != 0 || page.Items == nil {
		t.Errorf("injection-looking search matched: %+v", page)
	}

	// Bad parameters: 400 naming the parameter, as JSON.
	for path, param := range map[string]string{
		"/api/v1/assets?vlan=abc": "vlan", "/api/v1/assets?limit=5000": "limit", "/api/v1/assets?colour=red": "colour",
		"/api/v1/assets?sort=id%3BDROP%20TABLE%20assets": "sort", "/api/v1/assets?format=xml": "format",
		"/api/v1/violations?severity=urgent": "severity", "/api/v1/flows?port=70000": "port",
		"/api/v1/events?since=soon": "since", "/api/v1/summary?x=1": "x", "/api/v1/assets/not-a-mac": "asset",
		"/api/v1/assets/" + inventorytest.PumpMAC + "?vlan=x": "vlan",
	} {
		r := request(t, "GET", base+path)
		e := decode[ErrorRecord](t, r)
		if r.code != 400 || e.Status != 400 || e.Param != param || !strings.Contains(e.Message, `"`+param+`"`) {
			t.Errorf("%s: %d %+v", path, r.code, e)
		}
	}

	// Read-only, and JSON 404s.
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		r := request(t, m, base+"/api/v1/assets")
		if e := decode[ErrorRecord](t, r); r.code != 405 || r.header.Get("Allow") != "GET, HEAD" || e.Status != 405 {
			t.Errorf("%s: %d %v", m, r.code, r.header)
		}
	}
	if r := request(t, "HEAD", base+"/api/v1/summary"); r.code != 200 || r.body != "" {
		t.Errorf("HEAD: %d %q", r.code, r.body)
	}
	for _, path := range []string{"/api/v1/nothing", "/api/v1/assets/00:11:22:33:44:55", "/api/v1/assets/10.9.9.9",
		"/api/v1/assets/" + inventorytest.CTMAC + "?vlan=20"} {
		r := request(t, "GET", base+path)
		if e := decode[ErrorRecord](t, r); r.code != 404 || e.Status != 404 || e.Message == "" {
			t.Errorf("%s: %d %+v", path, r.code, e)
		}
	}

	// One device.
	d := decode[inventory.AssetDetailRecord](t, request(t, "GET", base+"/api/v1/assets/"+inventorytest.PACSMAC))
	if d.Asset.Hostname != "PACS01" || len(d.DICOM) != 1 || len(d.Peers) != 1 || d.Asset.Zone != "pacs" {
		t.Errorf("PACS: %+v", d)
	}
	d = decode[inventory.AssetDetailRecord](t, request(t, "GET", base+"/api/v1/assets/10.20.0.101"))
	if d.Asset.MAC != inventorytest.PumpMAC || len(d.Violations) != 1 {
		t.Errorf("pump by IP: %+v", d)
	}
	d = decode[inventory.AssetDetailRecord](t, request(t, "GET", base+"/api/v1/assets/"+strings.ToUpper(inventorytest.RouterMAC)+"?vlan=20&vantage=span0"))
	if d.Asset.VLAN != 20 || len(d.OtherMatches) != 0 {
		t.Errorf("router on VLAN 20: %+v", d.Asset)
	}

	// The other lists and the summary.
	vs := decode[inventory.Page[inventory.ViolationRecord]](t, request(t, "GET", base+"/api/v1/violations?zone=pumps&seen_since=24h"))
	if vs.Total != 1 || vs.Items[0].Severity != "critical" || vs.Items[0].SrcZone != "pumps" {
		t.Errorf("violations: %+v", vs)
	}
	fs := decode[inventory.Page[inventory.FlowRecord]](t, request(t, "GET", base+"/api/v1/flows?service=dicom&order=asc&limit=1"))
	if fs.Total != 2 || len(fs.Items) != 1 || fs.Items[0].DstMAC != inventorytest.PACSMAC {
		t.Errorf("flows: %+v", fs)
	}
	evs := decode[inventory.Page[inventory.EventRecord]](t, request(t, "GET", base+"/api/v1/events?type=new-device&vlan=20"))
	if evs.Total != 3 || evs.Items[0].Time < evs.Items[2].Time {
		t.Errorf("events (newest first): %+v", evs)
	}
	s := decode[inventory.SummaryRecord](t, request(t, "GET", base+"/api/v1/summary"))
	if s.Assets != 8 || s.ByClass["pacs"] != 1 || s.ByZone["pumps"] != 3 || s.ViolationsLast24h != 1 {
		t.Errorf("summary: %+v", s)
	}

	// The landing page links to the page and the API.
	if r := request(t, "GET", base+"/"); !strings.Contains(r.body, `href="/ui/"`) {
		t.Errorf("landing page has no link to /ui/: %s", r.body)
	}
}

func TestAPICSV(t *testing.T) {
	base := serve(t, newFixture(t), "")
	for _, tc := range []struct {
		path, accept string
		header       []string
		rows         int
	}{
		{"/api/v1/assets", "text/csv", inventory.AssetCSVHeader, 8}, // CSV exports everything by default
		{"/api/v1/assets?format=csv&vlan=20", "", inventory.AssetCSVHeader, 3},
		{"/api/v1/assets?limit=2", "text/csv;q=0.9, application/json;q=0.5", inventory.AssetCSVHeader, 2},
		{"/api/v1/violations", "text/csv", inventory.ViolationCSVHeader, 1},
		{"/api/v1/flows?format=csv", "", inventory.FlowCSVHeader, 3},
		{"/api/v1/events?format=csv&type=new-device", "", inventory.EventCSVHeader, 8},
	} {
		r := request(t, "GET", base+tc.path, "Accept", tc.accept)
		if r.code != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment; filename=\"wardwatch-") {
			t.Errorf("%s: %d %v", tc.path, r.code, r.header)
			continue
		}
		recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if strings.Join(recs[0], ",") != strings.Join(tc.header, ",") || len(recs)-1 != tc.rows {
			t.Errorf("%s: header %q, %d rows, want %d", tc.path, recs[0], len(recs)-1, tc.rows)
		}
	}
	// JSON and CSV carry the same fields under the same names.
	r := request(t, "GET", base+"/api/v1/assets?mac="+inventorytest.CTMAC+"&format=csv")
	recs, _ := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	var obj map[string]any
	page := decode[struct{ Items []map[string]any }](t, request(t, "GET", base+"/api/v1/assets?mac="+inventorytest.CTMAC))
	obj = page.Items[0]
	for i, name := range recs[0] {
		v, ok := obj[name]
		if !ok && name != "outer_vlan" {
			t.Errorf("CSV column %q is not a JSON field", name)
			continue
		}
		if s, isString := v.(string); isString && s != recs[1][i] {
			t.Errorf("%s: CSV %q, JSON %q", name, recs[1][i], s)
		}
	}
	if len(obj) > len(recs[0]) {
		t.Errorf("JSON has %d fields, CSV %d columns", len(obj), len(recs[0]))
	}
	// A formula from the wire is defused for spreadsheets.
	r = request(t, "GET", base+"/api/v1/assets?mac="+inventorytest.HostileMAC+"&format=csv")
	if !strings.Contains(r.body, `'=HYPERLINK(`) {
		t.Errorf("formula not defused: %s", r.body)
	}
}

func TestAPIBasicAuth(t *testing.T) {
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("biomed-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("basic_auth_users:\n  biomed: %q\n", hash)), 0o600); err != nil {
		t.Fatal(err)
	}
	base := serve(t, newFixture(t), cfg)
	for _, path := range []string{"/api/v1/assets", "/api/v1/assets/" + inventorytest.PumpMAC, "/api/v1/summary", "/ui/",
		"/ui/assets/" + inventorytest.PumpMAC, "/ui/static/style.css", "/api/v1/nothing"} {
		if r := request(t, "GET", base+path); r.code != 401 {
			t.Errorf("%s without credentials: %d", path, r.code)
		}
		if r := request(t, "GET", base+path, "auth", "biomed:wrong"); r.code != 401 {
			t.Errorf("%s with a wrong password: %d", path, r.code)
		}
		want := 200
		if path == "/api/v1/nothing" {
			want = 404
		}
		if r := request(t, "GET", base+path, "auth", "biomed:biomed-pw"); r.code != want {
			t.Errorf("%s with credentials: %d %s", path, r.code, r.body)
		}
	}
}

func TestUI(t *testing.T) {
	base := serve(t, newFixture(t), "")
	r := request(t, "GET", base+"/ui/")
	if r.code != 200 || r.header.Get("Content-Security-Policy") != ContentSecurityPolicy ||
		r.header.Get("X-Frame-Options") != "DENY" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("/ui/: %d %v", r.code, r.header)
	}
	for _, want := range []string{`<table id="assets"`, "ALARIS-PC-0042", `href="/ui/assets/9c:c8:ae:23:c3:65?vantage=span0&amp;vlan=20"`,
		`id="sum-assets">8<`, `id="sum-violations">1<`, "Export CSV", `<option value="infusion-pump">infusion-pump (1)</option>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/ lacks %q", want)
		}
	}
	// Nothing from the wire reaches the page unescaped; no inline script or
	// style (the CSP forbids them).
	for _, path := range []string{"/ui/", "/ui/assets/" + inventorytest.HostileMAC, "/ui/?search=%3Cscript%3E", "/ui/events?mac=" + inventorytest.HostileMAC} {
		r := request(t, "GET", base+path)
		if r.code != 200 {
			t.Errorf("%s: %d", path, r.code)
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "alert(") && !strings.Contains(r.body, "alert(&#34;x&#34;)") {
			t.Errorf("%s: unescaped wire data", path)
		}
		if strings.Contains(r.body, " style=") || strings.Count(r.body, "<script") != 1 {
			t.Errorf("%s: inline style or extra script", path)
		}
	}
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.HostileMAC)
	if !strings.Contains(r.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") || !strings.Contains(r.body, "=HYPERLINK(") {
		t.Errorf("hostile device page does not show the escaped names:\n%s", r.body)
	}

	// The device page.
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.CTMAC+"?vlan=30&vantage=span0")
	for _, want := range []string{`id="device-title">CT-SOMATOM-01`, "imaging-modality (CT)", `<table id="evidence"`,
		"dicom.sop_class", `<table id="dicom"`, "CT_SCANNER1", "CT Image Storage", `<table id="peers"`, "10.50.0.20",
		`<table id="addresses"`, `id="no-violations"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("CT page lacks %q", want)
		}
	}
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.PumpMAC)
	if !strings.Contains(r.body, `<table id="violations"`) || !strings.Contains(r.body, "pumps-to-internet") {
		t.Errorf("pump page has no violation")
	}
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.RouterMAC)
	if !strings.Contains(r.body, "This address also matches") {
		t.Errorf("router page lists no other match")
	}

	// Violations and changes.
	r = request(t, "GET", base+"/ui/violations?severity=critical")
	if r.code != 200 || !strings.Contains(r.body, "pumps → internet") || !strings.Contains(r.body, `<option value="critical" selected>`) {
		t.Errorf("violations page: %d", r.code)
	}
	r = request(t, "GET", base+"/ui/events?type=class-changed")
	if r.code != 200 || !strings.Contains(r.body, "class-changed") {
		t.Errorf("changes page: %d", r.code)
	}

	// Filters, pages, errors.
	r = request(t, "GET", base+"/ui/?class=infusion-pump&zone=&state=&vlan=&search=")
	if r.code != 200 || strings.Count(r.body, `<td class="class">`) != 1 {
		t.Errorf("filtered page: %d, %d rows", r.code, strings.Count(r.body, `<td class="class">`))
	}
	r = request(t, "GET", base+"/ui/?limit=3&sort=hostname")
	if !strings.Contains(r.body, `rel="next"`) || strings.Count(r.body, `<td class="class">`) != 3 {
		t.Errorf("first page of 3 has no next link")
	}
	r = request(t, "GET", base+"/ui/?vlan=banana")
	if r.code != 400 || !strings.Contains(r.body, "parameter &#34;vlan&#34;") {
		t.Errorf("bad filter: %d %s", r.code, r.body)
	}
	for _, path := range []string{"/ui/nothing", "/ui/assets/00:11:22:33:44:55", "/ui/static/", "/ui/static/nope.js"} {
		if r := request(t, "GET", base+path); r.code != 404 || r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d", path, r.code)
		}
	}
	if r := request(t, "POST", base+"/ui/"); r.code != 405 {
		t.Errorf("POST /ui/: %d", r.code)
	}
	for path, ctype := range map[string]string{"/ui/static/style.css": "text/css", "/ui/static/ui.js": "text/javascript"} {
		r := request(t, "GET", base+path)
		if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, r.code, r.header.Get("Content-Type"))
		}
	}
	if r := request(t, "GET", base+"/ui"); r.code != 200 || !strings.Contains(r.body, `<table id="assets"`) {
		t.Errorf("/ui (redirect): %d", r.code)
	}
}
