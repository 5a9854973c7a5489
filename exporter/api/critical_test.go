package api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// TestUICritical: a critical device not heard from in time is "silent" on
// the page, in the summary and in the state filter, and in the API.
func TestUICritical(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("..", "..", "configs", "policy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(append(base, "\ncritical:\n  - name: monitors\n    macs: [\""+inventorytest.MonitorMAC+"\"]\n    every: 1h\n"...), "policy.yml")
	if err != nil {
		t.Fatal(err)
	}
	seg := segment.Fixed(p)
	inv := inventory.New(inventory.Options{Store: inventorytest.DB(t), Zones: seg, Liveness: seg,
		Now: func() time.Time { return inventorytest.Now }})
	url := serve(t, New(Options{Inventory: inv}), "")
	r := request(t, "GET", url+"/ui/?state=silent")
	for _, want := range []string{`<span class="state silent">silent</span>`, `id="sum-silent">1<`,
		`<option value="silent" selected>silent (1)</option>`, inventorytest.MonitorMAC} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/ui/?state=silent lacks %q", want)
		}
	}
	if strings.Contains(r.body, inventorytest.PumpMAC) {
		t.Error("/ui/?state=silent lists the pump")
	}
	a := request(t, "GET", url+"/api/v1/assets?state=silent")
	if !strings.Contains(a.body, `"state": "silent"`) || !strings.Contains(a.body, `"critical": true`) {
		t.Errorf("/api/v1/assets?state=silent: %s", a.body)
	}
}
