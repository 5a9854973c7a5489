package api

import (
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// TestUIFirstLook: the charts, the sortable headers, the flows view and the
// zone matrix, all drawn on the server (no script needed).
func TestUIFirstLook(t *testing.T) {
	base := serve(t, newFixture(t), "")
	r := request(t, "GET", base+"/ui/?sort=hostname")
	for _, want := range []string{
		`<figure class="chart" id="chart-class">`, `<svg viewBox="0 0 420 `, `<a href="/ui/?class=infusion-pump">`,
		`id="chart-zone"`, `<a href="/ui/?zone=pumps">`,
		`<th scope="col" aria-sort="ascending"><a href="/ui/?sort=-hostname">Hostname`, // sorted by it: the link reverses
		`<a href="/ui/?sort=-last_seen">Last seen`,                                     // times: newest first on the first click
		`<th scope="col" class="wide-only"><a href="/ui/?sort=vendor">Manufacturer`, `<a href="/ui/?sort=model">Model`,
		`<td class="model">`, `id="as-of">2026-03-01T12:00:00Z<`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/ lacks %q", want)
		}
	}
	if strings.Contains(r.body, " style=") {
		t.Error("a style attribute: the CSP forbids it")
	}

	r = request(t, "GET", base+"/ui/flows?service=dicom")
	for _, want := range []string{`<table id="flows"`, "CT-SOMATOM-01", "imaging-modality", "PACS01",
		`<a href="/ui/flows?order=asc&amp;service=dicom">Last seen`, `<option value="dicom" selected>`,
		`href="/api/v1/flows?format=csv&amp;service=dicom"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/flows lacks %q", want)
		}
	}
	r = request(t, "GET", base+"/ui/zones")
	for _, want := range []string{`<table id="matrix"`, `title="pumps → internet: 1 flows, 1 violations"`,
		`href="/ui/violations?src_zone=pumps&amp;dst_zone=internet"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/zones lacks %q:\n%s", want, r.body)
		}
	}
	r = request(t, "GET", base+"/ui/violations?src_zone=pumps&dst_zone=internet")
	if !strings.Contains(r.body, "pumps-to-internet") || !strings.Contains(r.body, "from zone pumps to zone internet") {
		t.Errorf("violations between two zones: %d", r.code)
	}
	// Without a policy: no zones, and the matrix says why.
	noPolicy := serve(t, New(Options{Inventory: inventorytest.Service(t, false)}), "")
	if r := request(t, "GET", noPolicy+"/ui/zones"); !strings.Contains(r.body, `id="no-zones"`) {
		t.Errorf("zones without a policy: %s", r.body)
	}
}

// TestSemicolon: Go's query parser drops a pair holding ";" — "?vlan=abc;"
// would list everything. The API and the page answer 400 naming it.
func TestSemicolon(t *testing.T) {
	base := serve(t, newFixture(t), "")
	for path, param := range map[string]string{
		"/api/v1/assets?vlan=abc;": "vlan", "/api/v1/assets?class=pacs;vlan=20": "class",
		"/api/v1/flows?limit=5&port=104;": "port", "/api/v1/summary?x;": "x", "/api/v1/matrix?;": "",
		"/api/v1/assets/" + inventorytest.PumpMAC + "?vlan=20;": "vlan", "/api/v1/assets?vlan=%zz": "vlan",
	} {
		r := request(t, "GET", base+path)
		e := decode[ErrorRecord](t, r)
		if r.code != 400 || e.Param != param {
			t.Errorf("%s: %d %+v, want 400 naming %q", path, r.code, e, param)
		}
	}
	for _, path := range []string{"/ui/?vlan=abc;", "/ui/flows?port=1;", "/ui/zones?a;b", "/ui/assets/" + inventorytest.PumpMAC + "?vlan=1;"} {
		if r := request(t, "GET", base+path); r.code != 400 || !strings.Contains(r.body, "holds a") {
			t.Errorf("%s: %d", path, r.code)
		}
	}
	// An escaped ";" is a value like any other.
	if r := request(t, "GET", base+"/api/v1/assets?search=a%3Bb"); r.code != 200 {
		t.Errorf("search=a%%3Bb: %d", r.code)
	}
	page := decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?vlan=20&&limit=1"))
	if page.Total != 3 {
		t.Errorf("an empty pair is skipped: %+v", page)
	}
}
