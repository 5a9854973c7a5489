package api

import (
	"encoding/csv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// TestAdvisoriesAPI serves the fixture hospital matched to the whole ICSMA
// set: the JSON and CSV lists name the Alaris pump, the device's own
// answer carries the same advisories, and parameters other than format are
// refused.
func TestAdvisoriesAPI(t *testing.T) {
	srv := New(Options{Inventory: inventorytest.ServiceWithAdvisories(t), Logger: zaptest.NewLogger(t)})
	base := serve(t, srv, "")

	rec := decode[inventory.AdvisoriesRecord](t, request(t, "GET", base+"/api/v1/advisories"))
	var pcu *inventory.AdvisoryRecord
	for i := range rec.Advisories {
		if rec.Advisories[i].ID == "ICSMA-23-194-01" {
			pcu = &rec.Advisories[i]
		}
	}
	if rec.Loaded < 144 || pcu == nil || pcu.Devices[0].Device.MAC != inventorytest.PumpMAC ||
		pcu.Devices[0].Verdict != "possibly affected" || len(pcu.Devices[0].Products[0].Evidence) == 0 {
		t.Fatalf("advisories: loaded %d, ICSMA-23-194-01 %+v", rec.Loaded, pcu)
	}

	r := request(t, "GET", base+"/api/v1/advisories?format=csv")
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %v %q", r.code, err, r.body)
	}
	if strings.Join(rows[0], ",") != strings.Join(inventory.AdvisoryCSVHeader, ",") {
		t.Errorf("csv header %q", rows[0])
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] == "ICSMA-23-194-01" && row[8] == inventorytest.PumpMAC && row[5] == "possibly affected" &&
			strings.Contains(row[15], "Alaris") {
			found = true
		}
	}
	if !found {
		t.Errorf("csv lacks the pump's ICSMA-23-194-01 row:\n%s", r.body)
	}

	d := decode[inventory.AssetDetailRecord](t, request(t, "GET", base+"/api/v1/assets/"+inventorytest.PumpMAC))
	ids := map[string]bool{}
	for _, a := range d.Advisories {
		ids[a.ID] = true
	}
	for _, a := range rec.Advisories {
		for _, dev := range a.Devices {
			if dev.Device.MAC == inventorytest.PumpMAC && !ids[a.ID] {
				t.Errorf("%s names the pump in the list, not on its page", a.ID)
			}
		}
	}

	if r := request(t, "GET", base+"/api/v1/advisories?verdict=affected"); r.code != 400 ||
		decode[ErrorRecord](t, r).Param != "verdict" {
		t.Errorf("unknown parameter: %d %s", r.code, r.body)
	}
}

// TestAdvisoriesPage: the page of its own and the device page show the
// advisory with its evidence, and the remediation text with "port 3613"
// marked; the strict CSP is sent.
func TestAdvisoriesPage(t *testing.T) {
	srv := New(Options{Inventory: inventorytest.ServiceWithAdvisories(t), Logger: zaptest.NewLogger(t)})
	base := serve(t, srv, "")
	r := request(t, "GET", base+"/ui/advisories")
	for _, want := range []string{`<article class="advisory" id="adv-ICSMA-23-194-01">`, `<span class="verdict possible">possibly affected</span>`,
		`<mark class="mention port">port 3613</mark>`, `<mark class="mention service">DHCP</mark>`, "ALARIS-PC-0042",
		`aria-current="page">Advisories`, `href="/api/v1/advisories?format=csv"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/advisories lacks %q", want)
		}
	}
	if r.header.Get("Content-Security-Policy") != ContentSecurityPolicy || strings.Contains(r.body, " style=") {
		t.Error("the advisories page must keep the strict CSP")
	}
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.PumpMAC)
	for _, want := range []string{`<h2 id="h-adv">Advisories</h2>`, `id="adv-ICSMA-23-194-01"`,
		`<mark class="mention port">port 3613</mark>`, `<ul class="evidence">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("device page lacks %q", want)
		}
	}
	r = request(t, "GET", base+"/ui/assets/"+inventorytest.WSMAC)
	if !strings.Contains(r.body, `id="no-advisories"`) {
		t.Error("the workstation's page does not say no advisory names it")
	}
	if r := request(t, "GET", base+"/ui/advisories?x=1"); r.code != 400 {
		t.Errorf("unknown parameter: %d", r.code)
	}
}

// TestRemediationHTML: the text is escaped around the marks; a mention
// whose offsets do not fit its text is not marked.
func TestRemediationHTML(t *testing.T) {
	text := `<script>alert("x")</script> block port 3613 & 10.0.0.1`
	i := strings.Index(text, "port 3613")
	j := strings.Index(text, "10.0.0.1")
	got := string(remediationHTML(advisory.Remediation{Details: text, Mentions: []advisory.Mention{
		{Kind: advisory.MentionPort, Start: i, End: i + 9, Text: "port 3613"},
		{Kind: advisory.MentionAddress, Start: j, End: j + 8, Text: "10.0.0.1"},
		{Kind: advisory.MentionService, Start: 0, End: 3, Text: "DNS"},      // overlaps and does not fit
		{Kind: `"><x`, Start: len(text) + 1, End: len(text) + 5, Text: "x"}, // out of range
	}}))
	want := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; block <mark class="mention port">port 3613</mark> &amp; ` +
		`<mark class="mention address">10.0.0.1</mark>`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
