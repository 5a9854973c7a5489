package inventory_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// TestFleetParams: the sensor and site parameters of a central inventory
// are parsed only where the caller allows them, and a sensor's own
// inventory refuses them; its records and CSV stay as they were.
func TestFleetParams(t *testing.T) {
	v := url.Values{"sensor": {"stmary-core-1"}, "site": {"St Mary's"}}
	if _, err := inventory.ParseAssetQuery(v, t0, inventory.Paging{}); err == nil {
		t.Error("sensor parsed without FleetParams")
	}
	q, err := inventory.ParseAssetQuery(v, t0, inventory.Paging{}, inventory.FleetParams...)
	if err != nil || q.Sensor != "stmary-core-1" || q.Site != "St Mary's" {
		t.Fatalf("ParseAssetQuery: %+v, %v", q, err)
	}
	fq, err := inventory.ParseFlowQuery(v, t0, inventory.Paging{}, false, inventory.FleetParams...)
	if err != nil || fq.Sensor != "stmary-core-1" || fq.Site != "St Mary's" {
		t.Fatalf("ParseFlowQuery: %+v, %v", fq, err)
	}

	inv := inventorytest.Service(t, false)
	if inv.Central() {
		t.Fatal("a sensor's inventory says it is central")
	}
	ctx := context.Background()
	var pe *inventory.ParamError
	if _, err := inv.Assets(ctx, q); !errors.As(err, &pe) || pe.Param != "sensor" {
		t.Errorf("Assets with a sensor on a sensor's inventory: %v", err)
	}
	if _, err := inv.Events(ctx, inventory.EventQuery{Site: "x"}); !errors.As(err, &pe) || pe.Param != "site" {
		t.Errorf("Events with a site on a sensor's inventory: %v", err)
	}
	if _, err := inv.Asset(ctx, pumpMAC, inventory.AssetRefQuery{Sensor: "x"}); !errors.As(err, &pe) {
		t.Errorf("Asset with a sensor on a sensor's inventory: %v", err)
	}
	if h := inv.CSVHeader(inventory.AssetCSVHeader); strings.Join(h, ",") != strings.Join(inventory.AssetCSVHeader, ",") {
		t.Errorf("a sensor's CSV header changed: %v", h)
	}
	page, err := inv.Assets(ctx, inventory.AssetQuery{})
	if err != nil || len(page.Items) == 0 {
		t.Fatal(page, err)
	}
	r := page.Items[0]
	if r.Sensor != "" || r.Vantages != nil || len(r.CSV()) != len(inventory.AssetCSVHeader) {
		t.Errorf("a sensor's record has fleet fields: %+v", r)
	}
	// A central record has its sensor and site first in CSV.
	r.Sensor, r.Site = "s", "north"
	if row := r.CSV(); len(row) != len(inventory.AssetCSVHeader)+2 || row[0] != "s" || row[1] != "north" {
		t.Errorf("central CSV row: %v", row)
	}
}
