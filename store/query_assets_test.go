package store

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

func TestAssetFilterInventory(t *testing.T) {
	db, _ := newDB(t)
	a, b, c := key(t, "00:1b:63:00:00:01"), key(t, "00:1b:63:00:00:02"), key(t, "02:00:00:00:00:03")
	mustSubmit(t, db,
		activity(a, t0, t0.Add(time.Minute), 10, 1000), arp(a, t0, "10.0.0.1"),
		dhcp(a, t0, model.DHCPInfo{MsgType: 3, Hostname: "PUMP_100%"}),
		activity(b, t0.Add(time.Hour), t0.Add(2*time.Hour), 30, 3000), arp(b, t0.Add(time.Hour), "10.0.0.2"),
		dhcp(b, t0.Add(time.Hour), model.DHCPInfo{MsgType: 3, Hostname: "pump-200"}),
		activity(c, t0.Add(3*time.Hour), t0.Add(4*time.Hour), 20, 2000),
	)
	ctx := context.Background()
	macsOf := func(f AssetFilter) string {
		t.Helper()
		as, n, err := db.FindAssets(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []string
		for _, x := range as {
			out = append(out, x.Key.MAC.String()[15:])
		}
		return strings.Join(out, " ") + " /" + string(rune('0'+n))
	}
	for _, tt := range []struct {
		f    AssetFilter
		want string
	}{
		{AssetFilter{}, "01 02 03 /3"},
		{AssetFilter{Search: "PUMP"}, "01 02 /2"},
		{AssetFilter{Search: "100%"}, "01 /1"}, // % is literal
		{AssetFilter{Search: "_"}, "01 /1"},    // so is _
		{AssetFilter{Search: "%"}, "01 /1"},
		{AssetFilter{Vendor: "apple"}, "01 02 /2"},
		{AssetFilter{SeenSince: t0.Add(90 * time.Minute)}, "02 03 /2"},
		{AssetFilter{SeenBefore: t0.Add(90 * time.Minute)}, "01 /1"},
		{AssetFilter{FirstSeenSince: t0.Add(2 * time.Hour)}, "03 /1"},
		{AssetFilter{Sort: AssetSort{By: "packets", Desc: true}}, "02 03 01 /3"},
		{AssetFilter{Sort: AssetSort{By: "last_seen"}, Limit: 1, Offset: 1}, "02 /3"},
		{AssetFilter{Sort: AssetSort{By: "last_seen", Desc: true}, Offset: 2}, "01 /3"},
		{AssetFilter{Offset: 5}, " /3"}, // past the end: the total still counts
		{AssetFilter{Search: "pump", Limit: 1}, "01 /2"},
		{AssetFilter{IDs: []int64{}}, " /0"},
	} {
		if got := macsOf(tt.f); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
	all, _, _ := db.FindAssets(ctx, AssetFilter{})
	if got := macsOf(AssetFilter{IDs: []int64{all[2].ID, all[0].ID}}); got != "01 03 /2" {
		t.Errorf("IDs: %q", got)
	}
	for _, bad := range []string{"id", "hostname; DROP TABLE assets", "-packets"} {
		if _, _, err := db.FindAssets(ctx, AssetFilter{Sort: AssetSort{By: bad}}); err == nil {
			t.Errorf("sort %q accepted", bad)
		}
	}
	if n, _, err := db.Counts(ctx); err != nil || n != 3 {
		t.Errorf("the table survived: %d %v", n, err)
	}

	// Events: by asset, newest first, paged and counted.
	evs, n, err := db.FindEvents(ctx, EventFilter{AssetID: all[0].ID, Desc: true, Limit: 1})
	if err != nil || len(evs) != 1 || evs[0].Key != a || n < 1 {
		t.Fatalf("events of a: %+v %d %v", evs, n, err)
	}
	first, m, _ := db.FindEvents(ctx, EventFilter{AssetID: all[0].ID})
	if first[len(first)-1].ID != evs[0].ID || m != n || len(first) != n {
		t.Errorf("Desc is not the reverse order, or the totals differ: %d %d", m, n)
	}
	if _, m, _ := db.FindEvents(ctx, EventFilter{AssetID: all[0].ID, Offset: n}); m != n {
		t.Errorf("total past the end: %d, want %d", m, n)
	}
}

func TestAssetAETitle(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	ct, plain := key(t, "00:1b:63:00:00:01"), key(t, "00:1b:63:00:00:02")
	assoc := func(ae string) model.DICOMInfo {
		return model.DICOMInfo{Role: "scu", AETitle: ae, PeerAETitle: "PACS", PeerIP: netip.MustParseAddr("10.0.10.20"),
			Port: 104, Result: "released", NewAssociation: true}
	}
	mustSubmit(t, db, dicomObs(ct, t0, assoc("CT_OLD")), dicomObs(ct, t0.Add(time.Hour), assoc("CT01")),
		dicomObs(ct, t0.Add(2*time.Hour), assoc("")), activity(plain, t0, t0, 1, 1))
	// The latest non-empty title, in every asset query and in ClassOf.
	a, err := db.AssetByKey(ctx, ct)
	if err != nil || a.AETitle != "CT01" {
		t.Errorf("AssetByKey: %q %v", a.AETitle, err)
	}
	if _, ae := db.ClassOf(ctx, ct); ae != "CT01" {
		t.Errorf("ClassOf: %q", ae)
	}
	as, n, err := db.FindAssets(ctx, AssetFilter{})
	if err != nil || n != 2 || as[0].AETitle != "CT01" || as[1].AETitle != "" {
		t.Errorf("FindAssets: %+v %d %v", as, n, err)
	}
	names, err := db.AssetNames(ctx, []int64{as[0].ID, as[1].ID, as[0].ID})
	if err != nil || !slices.Equal(names[as[0].ID].AETitles, []string{"CT01", "CT_OLD"}) || len(names) != 1 {
		t.Errorf("AssetNames: %+v %v", names, err)
	}
}
