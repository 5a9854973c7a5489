package store

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

// Flows and violations: typed filters, a page and its total from one
// query, and the violation counts of the inventory summary.
func TestFindFlowsAndViolations(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	client, server := key(t, "00:1b:63:00:00:01"), key(t, "00:1b:63:00:00:02")
	router := key(t, "00:00:0c:00:00:fe")
	mustSubmit(t, db, arp(server, t0, "10.0.10.20"), arp(router, t0, "10.0.10.1"), activity(client, t0, t0, 1, 1))
	t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
	local := flowObs(client, server, "10.0.10.5", "10.0.10.20", 104, t1, 10)
	routed := flowObs(client, router, "10.0.10.5", "192.0.2.7", 22, t2, 3)
	routed6 := flowObs(client, router, "2001:db8::5", "2001:db8:1::7", 443, t2, 3)
	mustSubmit(t, db, local, routed, routed6,
		violationObs(local, "no-dicom-from-guests", "guest", "imaging", "high"),
		violationObs(routed, "default", "guest", "internet", "medium"),
		violationObs(routed6, "default", "guest", "internet", "medium"))

	vlan := client.VLAN
	for _, tt := range []struct {
		name        string
		f           ViolationFilter
		items, want int
	}{
		{"all", ViolationFilter{}, 3, 3},
		{"zone, either end", ViolationFilter{Zone: "internet"}, 2, 2},
		{"server MAC", ViolationFilter{MAC: server.MAC}, 1, 1},
		{"client MAC", ViolationFilter{MAC: client.MAC}, 3, 3},
		{"IPv4-mapped IP", ViolationFilter{IP: netip.MustParseAddr("::ffff:192.0.2.7")}, 1, 1},
		{"asset", ViolationFilter{AssetID: assetID(t, db, server)}, 1, 1},
		{"VLAN", ViolationFilter{VLAN: &vlan, Severity: "medium"}, 2, 2},
		{"first seen", ViolationFilter{FirstSince: t1}, 2, 2},
		{"page", ViolationFilter{Limit: 1, Offset: 1}, 1, 3},
		{"past the end", ViolationFilter{Offset: 5}, 0, 3},
		{"nothing", ViolationFilter{Rule: "' OR 1=1 --"}, 0, 0},
	} {
		vs, n, err := db.FindViolations(ctx, tt.f)
		if err != nil || len(vs) != tt.items || n != tt.want {
			t.Errorf("%s: %d items of %d, %v; want %d of %d", tt.name, len(vs), n, err, tt.items, tt.want)
		}
	}
	vs, _, _ := db.FindViolations(ctx, ViolationFilter{Desc: true, Chronological: true})
	if len(vs) != 3 || vs[2].Rule != "no-dicom-from-guests" {
		t.Errorf("newest first: %+v", vs)
	}

	fs, n, err := db.FindFlows(ctx, FlowFilter{Proto: 6, Port: 104, Limit: 5})
	if err != nil || len(fs) != 1 || n != 1 || fs[0].DstIP != netip.MustParseAddr("10.0.10.20") {
		t.Errorf("flows to 104: %+v %d %v", fs, n, err)
	}
	// A routed flow's server end is no asset (the frames carried the
	// router's MAC): the router's MAC matches no flow.
	if fs, n, _ := db.FindFlows(ctx, FlowFilter{MAC: router.MAC}); len(fs) != 0 || n != 0 {
		t.Errorf("flows of the router: %d of %d", len(fs), n)
	}
	if fs, n, _ := db.FindFlows(ctx, FlowFilter{MAC: client.MAC, Limit: 1}); len(fs) != 1 || n != 3 {
		t.Errorf("flows of the client: %d of %d", len(fs), n)
	}

	c, err := db.ViolationCounts(ctx, t2)
	if err != nil || c != (ViolationCounts{All: 3, SeenSince: 2, NewSince: 0}) {
		t.Errorf("ViolationCounts(t2) = %+v, %v", c, err)
	}
	if c, _ := db.ViolationCounts(ctx, t0); c != (ViolationCounts{All: 3, SeenSince: 3, NewSince: 3}) {
		t.Errorf("ViolationCounts(t0) = %+v", c)
	}
}
