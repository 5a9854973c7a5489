package store

import (
	"context"
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
		as, err := db.AssetDetails(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []string
		for _, x := range as {
			out = append(out, x.Key.MAC.String()[15:])
		}
		n, err := db.CountAssets(ctx, AssetFilter{Search: f.Search, Vendor: f.Vendor, SeenSince: f.SeenSince,
			SeenBefore: f.SeenBefore, FirstSeenSince: f.FirstSeenSince, IDs: f.IDs})
		if err != nil {
			t.Fatal(err)
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
		{AssetFilter{Sort: "-packets"}, "02 03 01 /3"},
		{AssetFilter{Sort: "last_seen", Limit: 1, Offset: 1}, "02 /3"},
		{AssetFilter{Sort: "-last_seen", Offset: 2}, "01 /3"},
		{AssetFilter{IDs: []int64{}}, " /0"},
	} {
		if got := macsOf(tt.f); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
	all, _ := db.AssetDetails(ctx, AssetFilter{})
	if got := macsOf(AssetFilter{IDs: []int64{all[2].ID, all[0].ID}}); got != "01 03 /2" {
		t.Errorf("IDs: %q", got)
	}
	for _, bad := range []string{"id", "hostname; DROP TABLE assets", "--packets", "-"} {
		if _, err := db.AssetDetails(ctx, AssetFilter{Sort: bad}); err == nil {
			t.Errorf("sort %q accepted", bad)
		}
	}
	if n, _, err := db.Counts(ctx); err != nil || n != 3 {
		t.Errorf("the table survived: %d %v", n, err)
	}

	// Events: by asset, newest first, paged and counted.
	evs, err := db.Events(ctx, EventFilter{AssetID: all[0].ID, Desc: true, Limit: 1})
	if err != nil || len(evs) != 1 || evs[0].Key != a {
		t.Fatalf("events of a: %+v %v", evs, err)
	}
	n, err := db.CountEvents(ctx, EventFilter{AssetID: all[0].ID})
	if err != nil || n < 2 {
		t.Errorf("CountEvents: %d %v", n, err)
	}
	first, _ := db.Events(ctx, EventFilter{AssetID: all[0].ID})
	if first[len(first)-1].ID != evs[0].ID {
		t.Errorf("Desc is not the reverse order")
	}
}
