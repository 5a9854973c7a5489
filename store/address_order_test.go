package store

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// TestAddressSourceOrderIndependent: several workers report an address's
// messages in no set order. Its source is the latest message's (the
// traffic moves last_seen along but never names it), and a worker's late
// report from before the address moved makes no move: the stored result is
// the same in every order.
func TestAddressSourceOrderIndependent(t *testing.T) {
	k := key(t, "00:1b:63:00:01:0a")
	const ip = "10.1.1.7"
	traffic := model.Observation{Kind: model.ObsAddress, Key: k, Time: t0.Add(3 * time.Minute),
		IP: netip.MustParseAddr(ip), Source: model.SourceTraffic}
	obs := []model.Observation{ack(k, t0, ip), arp(k, t0.Add(2*time.Minute), ip), ack(k, t0.Add(time.Minute), ip), traffic}
	orders := [][]int{{0, 1, 2, 3}, {0, 3, 1, 2}, {0, 2, 3, 1}, {0, 3, 2, 1}}
	for _, order := range orders {
		db, _ := newDB(t)
		for _, i := range order {
			mustSubmit(t, db, obs[i]) // one flush each: the cache and the rows must agree too
		}
		as := mustAssets(t, db, AssetFilter{MAC: k.MAC})
		if len(as) != 1 || len(as[0].Addresses) != 1 {
			t.Fatalf("order %v: assets %+v", order, as)
		}
		got := as[0].Addresses[0]
		if got.Source != model.SourceARPReply || !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("order %v: address %+v, want source arp.reply (the latest message), seen %v..%v", order, got,
				t0, t0.Add(3*time.Minute))
		}
	}

	// A late report of the old owner, from before the move, is no move.
	a, b := key(t, "00:1b:63:00:01:0b"), key(t, "00:1b:63:00:01:0c")
	const ip2 = "10.1.1.8"
	db, _ := newDB(t)
	mustSubmit(t, db, arp(a, t0, ip2))
	mustSubmit(t, db, arp(b, t0.Add(2*time.Hour), ip2))
	want := events(t, db)
	mustSubmit(t, db, arp(a, t0.Add(time.Hour), ip2))
	if got := events(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("a late report from before the move added events:\n got %v\nwant %v", got, want)
	}
	var mac string
	if err := db.rdb.QueryRow(`SELECT mac FROM ip_bindings WHERE ip = ?`, ip2).Scan(&mac); err != nil || mac != b.MAC.String() {
		t.Errorf("binding of %s = %q (%v), want %s", ip2, mac, err, b.MAC)
	}
}
