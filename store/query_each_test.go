package store

import (
	"context"
	"fmt"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// routedHospital stores a flow routed from VLAN 30 to VLAN 50 as the
// sensor reports it, once per VLAN (the router's MAC as the server on the
// client's VLAN, as the client on the server's), and a local flow on VLAN
// 50. It returns the client, server and router assets.
func routedHospital(t *testing.T, db *DB) (client, server, r30, r50 model.AssetKey) {
	t.Helper()
	client, server = key(t, "00:18:65:04:85:95"), key(t, "dc:4a:3e:a2:c8:32")
	client.VLAN, server.VLAN = 30, 50
	r30, r50 = key(t, "00:00:0c:9f:f0:01"), key(t, "00:00:0c:9f:f0:01")
	r30.VLAN, r50.VLAN = 30, 50
	ws := key(t, "04:0e:3c:0b:13:30")
	ws.VLAN = 50
	mustSubmit(t, db,
		arp(client, t0, "10.30.0.21"), arp(server, t0, "10.50.0.20"), arp(ws, t0, "10.50.0.60"),
		arp(r30, t0, "10.30.0.1"), arp(r50, t0, "10.50.0.1"))
	t1 := t0.Add(time.Minute)
	mustSubmit(t, db,
		withLocal(flowObs(client, r30, "10.30.0.21", "10.50.0.20", 104, t1, 9), true, false),
		withLocal(flowObs(r50, server, "10.30.0.21", "10.50.0.20", 104, t1.Add(time.Millisecond), 6), false, true),
		flowObs(ws, server, "10.50.0.60", "10.50.0.20", 104, t1.Add(time.Second), 3),
	)
	return client, server, r30, r50
}

func TestMergedFlows(t *testing.T) {
	db, _ := newDB(t)
	client, server, _, r50 := routedHospital(t, db)
	if n := len(mustFlows(t, db, FlowFilter{})); n != 3 {
		t.Fatalf("%d flow rows stored, want 3 (two copies of the routed flow)", n)
	}
	cid, sid, rid := assetID(t, db, client), assetID(t, db, server), assetID(t, db, r50)
	merged := mustFlows(t, db, FlowFilter{Merge: true, Chronological: true})
	if len(merged) != 2 {
		t.Fatalf("merged: %+v", merged)
	}
	m := merged[0]
	if m.SrcAssetID != cid || m.Src != client || m.DstAssetID != sid || m.Dst != server || m.VLAN != 30 ||
		!m.SrcLocal || !m.DstLocal || m.Packets != 9 || m.SrcIP != netip.MustParseAddr("10.30.0.21") ||
		!m.FirstSeen.Equal(t0.Add(time.Minute-time.Second)) {
		t.Errorf("merged routed flow = %+v", m)
	}
	// Filters test the merged flow: its ends are the client and the server,
	// never the router; VLAN matches either end's.
	for _, c := range []struct {
		f    FlowFilter
		want int
	}{
		{FlowFilter{AssetID: cid}, 1},
		{FlowFilter{AssetID: sid}, 2},
		{FlowFilter{AssetID: rid}, 0},
		{FlowFilter{MAC: r50.MAC}, 0},
		{FlowFilter{MAC: client.MAC}, 1},
		{FlowFilter{VLAN: ptr[uint16](30)}, 1},
		{FlowFilter{VLAN: ptr[uint16](50)}, 2},
		{FlowFilter{IP: netip.MustParseAddr("10.30.0.21")}, 1},
		{FlowFilter{IP: netip.MustParseAddr("10.50.0.20"), Port: 104, Proto: 6, Vantage: "span0"}, 2},
		{FlowFilter{Port: 443}, 0},
		{FlowFilter{Since: t0.Add(time.Minute + time.Second)}, 1},
	} {
		c.f.Merge = true
		fs, total, err := db.FindFlows(context.Background(), c.f)
		if err != nil || len(fs) != c.want || total != c.want {
			t.Errorf("%+v: %d flows, total %d, %v; want %d", c.f, len(fs), total, err, c.want)
		}
	}
	// A page past the end still counts.
	if fs, total, err := db.FindFlows(context.Background(), FlowFilter{Merge: true, Limit: 1, Offset: 5}); err != nil ||
		len(fs) != 0 || total != 2 {
		t.Errorf("past the end: %d flows, total %d, %v", len(fs), total, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestEach: the cursors return what Find* return, in chunks, and reads
// made per chunk run on the pinned connection: many concurrent cursors,
// each reading per chunk, never wait for a connection the others hold.
func TestEach(t *testing.T) {
	db, _ := newDB(t)
	routedHospital(t, db)
	var obs []model.Observation
	for i := range 40 {
		k := key(t, fmt.Sprintf("00:1b:63:00:01:%02x", i))
		obs = append(obs, arp(k, t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("10.0.10.%d", i+10)))
	}
	mustSubmit(t, db, obs...)
	ctx := context.Background()

	want, _, err := db.FindAssets(ctx, AssetFilter{Sort: AssetSort{By: "last_seen", Desc: true}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 12 { // three times the pool
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got []AssetDetail
			chunks := 0
			err := db.EachAsset(ctx, AssetFilter{Sort: AssetSort{By: "last_seen", Desc: true}}, 7,
				func(ctx context.Context, as []AssetDetail) error {
					chunks++
					got = append(got, as...)
					ids := make([]int64, len(as))
					for i := range as {
						ids[i] = as[i].ID
					}
					_, err := db.AssetNames(ctx, ids) // a read per chunk, on the pinned connection
					return err
				})
			if err != nil || !reflect.DeepEqual(got, want) || chunks != (len(want)+6)/7 {
				t.Errorf("EachAsset: %d assets in %d chunks, %v; want %d", len(got), chunks, err, len(want))
			}
		}()
	}
	wg.Wait()

	wantF, _, _ := db.FindFlows(ctx, FlowFilter{Merge: true, Chronological: true})
	var gotF []Flow
	if err := db.EachFlow(ctx, FlowFilter{Merge: true, Chronological: true}, 1, func(_ context.Context, fs []Flow) error {
		gotF = append(gotF, fs...)
		return nil
	}); err != nil || !reflect.DeepEqual(gotF, wantF) {
		t.Errorf("EachFlow = %+v, %v; want %+v", gotF, err, wantF)
	}
	wantE, _, _ := db.FindEvents(ctx, EventFilter{Desc: true})
	var gotE []model.Event
	if err := db.EachEvent(ctx, EventFilter{Desc: true}, 0, func(_ context.Context, es []model.Event) error {
		gotE = append(gotE, es...)
		return nil
	}); err != nil || !reflect.DeepEqual(gotE, wantE) || len(gotE) == 0 || gotE[0].AssetID == 0 {
		t.Errorf("EachEvent = %d events, %v; want %d, with asset ids", len(gotE), err, len(wantE))
	}
	// fn's error stops the cursor and is returned.
	stop := fmt.Errorf("stop")
	if err := db.EachViolation(ctx, ViolationFilter{}, 0, func(context.Context, []Violation) error { return stop }); err != nil {
		t.Errorf("EachViolation with no violations: %v", err)
	}
	if err := db.EachAsset(ctx, AssetFilter{}, 3, func(context.Context, []AssetDetail) error { return stop }); err != stop {
		t.Errorf("EachAsset stopped with %v, want fn's error", err)
	}
}
