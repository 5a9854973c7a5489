package store

import (
	"context"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

func TestActivityUpsert(t *testing.T) {
	db, _ := newDB(t)
	k := key(t, "00:1b:63:84:45:e6")
	mustSubmit(t, db,
		activity(k, t0.Add(time.Minute), t0.Add(2*time.Minute), 10, 1000),
		activity(k, t0, t0.Add(30*time.Second), 5, 500), // earlier interval, replayed late
		activity(k, t0.Add(3*time.Minute), t0.Add(4*time.Minute), 1, 60),
	)
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 1 {
		t.Fatalf("got %d assets, want 1", len(as))
	}
	a := as[0]
	if a.Key != k || !a.FirstSeen.Equal(t0) || !a.LastSeen.Equal(t0.Add(4*time.Minute)) ||
		a.Packets != 16 || a.Bytes != 1560 || a.Vendor != "Apple, Inc." || a.Randomized || a.Class != model.ClassUnknown {
		t.Errorf("asset = %+v", a)
	}
	if a.FirstSeen.Location() != time.UTC {
		t.Errorf("times are not UTC: %v", a.FirstSeen.Location())
	}
	if got, want := events(t, db), []ev{{model.EventNewDevice, "", "", "unknown"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	es := mustEvents(t, db, EventFilter{})
	if !es[0].Time.Equal(t0.Add(time.Minute)) || es[0].Key != k {
		t.Errorf("new-asset event = %+v, want time %v key %v", es[0], t0.Add(time.Minute), k)
	}
}

func TestRandomizedAndIPKeyed(t *testing.T) {
	db, _ := newDB(t)
	local := key(t, "da:a1:19:00:00:01")
	byIP := model.AssetKey{Vantage: "lo0", IP: netip.MustParseAddr("::ffff:10.0.0.7")}
	mustSubmit(t, db,
		activity(local, t0, t0, 1, 1),
		model.Observation{Kind: model.ObsActivity, Key: byIP, Time: t0, Packets: 2, Bytes: 2},
		model.Observation{Kind: model.ObsActivity, Key: byIP, Time: t0.Add(time.Second), Packets: 3, Bytes: 3},
		// Not devices: ignored and counted.
		activity(key(t, "01:00:5e:00:00:01"), t0, t0, 1, 1),
		activity(model.AssetKey{Vantage: "span0"}, t0, t0, 1, 1),
		model.Observation{Kind: model.ObsFlow, Key: local, Time: t0},
	)
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 2 {
		t.Fatalf("got %d assets, want 2: %+v", len(as), as)
	}
	// Ordered by vantage: lo0 first.
	if as[0].Key.IP != netip.MustParseAddr("10.0.0.7") || !as[0].Key.KeyedByIP() || as[0].Packets != 5 {
		t.Errorf("IP-keyed asset = %+v", as[0])
	}
	if !as[1].Randomized || as[1].Vendor != "" {
		t.Errorf("randomized asset = %+v", as[1])
	}
	if s := db.Stats(); s.Invalid != 2 || s.Ignored != 1 || s.Written != 6 {
		t.Errorf("stats = %+v, want Invalid 2, Ignored 1, Written 6", s)
	}
}

func TestAddress(t *testing.T) {
	db, _ := newDB(t)
	k := key(t, "00:1b:63:84:45:e6")
	addr := func(at time.Time, ip string) model.Observation {
		return model.Observation{Kind: model.ObsAddress, Key: k, Time: at, IP: netip.MustParseAddr(ip), Source: "ipv6.ndp"}
	}
	mustSubmit(t, db,
		addr(t0, "fe80::21b:63ff:fe84:45e6%eth0"),
		addr(t0.Add(time.Minute), "fe80::21b:63ff:fe84:45e6"),
		addr(t0.Add(2*time.Minute), "2001:db8::1"),
	)
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 1 {
		t.Fatalf("got %d assets", len(as))
	}
	want := []model.AssetAddress{
		{IP: netip.MustParseAddr("fe80::21b:63ff:fe84:45e6"), Source: "ipv6.ndp", FirstSeen: t0, LastSeen: t0.Add(time.Minute)},
		{IP: netip.MustParseAddr("2001:db8::1"), Source: "ipv6.ndp", FirstSeen: t0.Add(2 * time.Minute), LastSeen: t0.Add(2 * time.Minute)},
	}
	if !reflect.DeepEqual(as[0].Addresses, want) {
		t.Errorf("addresses = %+v\nwant %+v", as[0].Addresses, want)
	}
	if !as[0].FirstSeen.Equal(t0) || !as[0].LastSeen.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("asset seen %v..%v", as[0].FirstSeen, as[0].LastSeen)
	}
	wantEv := []ev{
		// The first address comes with the new-device event.
		{model.EventNewDevice, "fe80::21b:63ff:fe84:45e6", "", "unknown"},
		{model.EventNewIP, "2001:db8::1", "", "2001:db8::1"},
	}
	if got := events(t, db); !reflect.DeepEqual(got, wantEv) {
		t.Errorf("events = %v\nwant %v", got, wantEv)
	}
}

// TestARPBindings walks arpwatch's rules one step at a time.
func TestARPBindings(t *testing.T) {
	a, b, c := "00:1b:63:00:00:0a", "00:1b:63:00:00:0b", "00:1b:63:00:00:0c"
	const ip = "10.1.1.5"
	h := time.Hour
	steps := []struct {
		name string
		obs  model.Observation
		want []ev // events this step adds
	}{
		// A new device's first binding: one new-device event with its IP.
		{"first binding", arp(key(t, a), t0, ip), []ev{{model.EventNewDevice, ip, "", "unknown"}}},
		{"same mac again", arp(key(t, a), t0.Add(h), ip), nil},
		{"probe binds nothing", model.Observation{Kind: model.ObsARP, Key: key(t, c), Time: t0.Add(h),
			IP: netip.IPv4Unspecified(), Source: "arp.probe"}, []ev{{model.EventNewDevice, "", "", "unknown"}}},
		{"other mac takes the ip", arp(key(t, b), t0.Add(2*h), ip), []ev{
			{model.EventIPMoved, ip, a, b}, {model.EventNewDevice, ip, "", "unknown"}}},
		{"back to previous mac within 24h", arp(key(t, a), t0.Add(3*h), ip), []ev{
			{model.EventFlipFlop, ip, b, a}}},
		{"and back again", arp(key(t, b), t0.Add(4*h), ip), []ev{{model.EventFlipFlop, ip, a, b}}},
		{"back to previous mac after 24h", arp(key(t, a), t0.Add(4*h+FlipFlopWindow), ip), []ev{
			{model.EventIPMoved, ip, b, a}}},
		{"a third mac", arp(key(t, c), t0.Add(30*h), ip), []ev{
			{model.EventNewIP, ip, "", ip}, {model.EventIPMoved, ip, a, c}}},
		{"dhcp ack binds like arp", ack(key(t, a), t0.Add(31*h), ip), []ev{{model.EventFlipFlop, ip, c, a}}},
		{"dhcp ack of a new ip", ack(key(t, a), t0.Add(32*h), "10.1.1.6"), []ev{
			{model.EventNewIP, "10.1.1.6", "", "10.1.1.6"}, {model.EventNewStation, "10.1.1.6", "", a}}},
		{"same ip in another vlan is another station", arp(model.AssetKey{Vantage: "span0", VLAN: 20, MAC: mac(t, b)},
			t0.Add(33*h), ip), []ev{{model.EventNewDevice, ip, "", "unknown"}}},
	}
	for _, restart := range []bool{false, true} {
		name := "cached"
		if restart {
			name = "reopened every step"
		}
		t.Run(name, func(t *testing.T) {
			db, path := newDB(t)
			var want []ev
			for _, st := range steps {
				mustSubmit(t, db, st.obs)
				want = append(want, st.want...)
				if got := events(t, db); !reflect.DeepEqual(got, want) {
					t.Fatalf("after %q: events = %v\nwant %v", st.name, got, want)
				}
				if restart { // the bindings come from the table, not the cache
					if err := db.Close(); err != nil {
						t.Fatal(err)
					}
					db = mustOpen(t, path, testOpts())
				}
			}
			as := mustAssets(t, db, AssetFilter{MAC: mac(t, a)})
			if len(as) != 1 {
				t.Fatalf("assets with mac %s: %d", a, len(as))
			}
			if got := len(as[0].Addresses); got != 2 || as[0].Addresses[0].Source != model.SourceDHCPAck {
				t.Errorf("addresses of %s = %+v", a, as[0].Addresses)
			}
			if probe := mustAssets(t, db, AssetFilter{MAC: mac(t, c)}); len(probe) != 1 || len(probe[0].Addresses) != 1 {
				t.Errorf("probe sender's addresses = %+v (0.0.0.0 must not be one)", probe)
			}
		})
	}
}

func TestDHCP(t *testing.T) {
	k := key(t, "00:1b:63:84:45:e6")
	fp := model.DHCPInfo{
		MsgType: 1, ParamList: []byte{1, 3, 6, 15, 119, 252}, MaxMsgSize: 1500, VendorClass: "MSFT 5.0",
		ClientID: []byte{1, 0, 0x1b, 0x63, 0x84, 0x45, 0xe6}, Hostname: "infusion-07",
		RelayCircuitID: []byte("Gi1/0/7"), RelayRemoteID: []byte{0, 6, 0xaa, 0xbb},
		RequestedIP: netip.MustParseAddr("10.2.0.9"),
	}
	with := func(f func(*model.DHCPInfo)) model.DHCPInfo { d := fp; f(&d); return d }
	cases := []struct {
		name   string
		second model.DHCPInfo
		want   []ev // events after the first message's new-asset
		host   string
	}{
		{"same again", fp, nil, "infusion-07"},
		{"fields absent keep values", model.DHCPInfo{MsgType: 3}, nil, "infusion-07"},
		{"hostname changed", with(func(d *model.DHCPInfo) { d.Hostname = "infusion-08" }),
			[]ev{{model.EventHostname, "10.2.0.9", "infusion-07", "infusion-08"}}, "infusion-08"},
		{"hostname case only", with(func(d *model.DHCPInfo) { d.Hostname = "INFUSION-07" }), nil, "INFUSION-07"},
		{"vendor class changed", with(func(d *model.DHCPInfo) { d.VendorClass = "android-dhcp-13" }),
			[]ev{{model.EventVendorClass, "10.2.0.9", "MSFT 5.0", "android-dhcp-13"}}, "infusion-07"},
		{"fingerprint changed", with(func(d *model.DHCPInfo) { d.ParamList = []byte{1, 3, 6} }),
			[]ev{{model.EventDHCPFingerprint, "10.2.0.9", "1,3,6,15,119,252", "1,3,6"}}, "infusion-07"},
		{"everything changed", with(func(d *model.DHCPInfo) {
			d.Hostname, d.VendorClass, d.ParamList, d.RequestedIP = "x", "y", []byte{1}, netip.Addr{}
		}), []ev{
			{model.EventHostname, "", "infusion-07", "x"},
			{model.EventVendorClass, "", "MSFT 5.0", "y"},
			{model.EventDHCPFingerprint, "", "1,3,6,15,119,252", "1"},
		}, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newDB(t)
			mustSubmit(t, db, dhcp(k, t0, fp), dhcp(k, t0.Add(time.Minute), tc.second))
			want := append([]ev{{model.EventNewDevice, "", "", "unknown"}}, tc.want...)
			if got := events(t, db); !reflect.DeepEqual(got, want) {
				t.Errorf("events = %v\nwant %v", got, want)
			}
			a := mustAssets(t, db, AssetFilter{})[0]
			if a.Hostname != tc.host {
				t.Errorf("hostname = %q, want %q", a.Hostname, tc.host)
			}
			if len(a.Addresses) != 0 {
				t.Errorf("a requested IP became an address: %+v", a.Addresses)
			}
		})
	}

	t.Run("stored fields", func(t *testing.T) {
		db, _ := newDB(t)
		mustSubmit(t, db, dhcp(k, t0, fp),
			dhcp(k, t0.Add(time.Minute), model.DHCPInfo{MsgType: 3, FQDN: "infusion-07.icu.example.org"}))
		a := mustAssets(t, db, AssetFilter{})[0]
		if a.DHCPParamList != "1,3,6,15,119,252" || a.DHCPMaxMsgSize != 1500 || a.DHCPVendorClass != "MSFT 5.0" ||
			a.DHCPClientID != "01001b638445e6" || a.Hostname != "infusion-07" {
			t.Errorf("asset = %+v", a)
		}
		var circuit, remote string
		if err := db.rdb.QueryRow(`SELECT relay_circuit_id, relay_remote_id FROM assets`).Scan(&circuit, &remote); err != nil {
			t.Fatal(err)
		}
		if circuit != "Gi1/0/7" || remote != "0x0006aabb" {
			t.Errorf("relay ids = %q, %q", circuit, remote)
		}
		names := hostnames(t, db)
		want := []string{"dhcp.opt12 infusion-07", "dhcp.opt81 infusion-07.icu.example.org"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("asset_hostnames = %q, want %q", names, want)
		}
	})

	t.Run("fqdn only, then host name", func(t *testing.T) {
		db, _ := newDB(t)
		mustSubmit(t, db, dhcp(k, t0, model.DHCPInfo{MsgType: 3, FQDN: "pump.icu.example.org"}))
		if a := mustAssets(t, db, AssetFilter{})[0]; a.Hostname != "pump.icu.example.org" {
			t.Errorf("hostname = %q", a.Hostname)
		}
		mustSubmit(t, db, dhcp(k, t0.Add(time.Minute), model.DHCPInfo{MsgType: 3, Hostname: "pump"}))
		if a := mustAssets(t, db, AssetFilter{})[0]; a.Hostname != "pump" {
			t.Errorf("hostname = %q", a.Hostname)
		}
		if got := events(t, db); len(got) != 1 {
			t.Errorf("events = %v, want only new-asset", got)
		}
	})
}

func hostnames(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.rdb.Query(`SELECT source, name FROM asset_hostnames ORDER BY source, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s, n string
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, s+" "+n)
	}
	return out
}

func TestRestartContinues(t *testing.T) {
	path := t.TempDir() + "/w.db"
	k := key(t, "00:1b:63:84:45:e6")
	db := mustOpen(t, path, testOpts())
	mustSubmit(t, db, activity(k, t0, t0.Add(time.Minute), 10, 100), arp(k, t0, "10.0.0.1"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, path, testOpts())
	mustSubmit(t, db, activity(k, t0.Add(time.Hour), t0.Add(2*time.Hour), 5, 50), arp(k, t0.Add(time.Hour), "10.0.0.1"))
	a := mustAssets(t, db, AssetFilter{})
	if len(a) != 1 || !a[0].FirstSeen.Equal(t0) || !a[0].LastSeen.Equal(t0.Add(2*time.Hour)) ||
		a[0].Packets != 15 || a[0].Bytes != 150 {
		t.Fatalf("after restart: %+v", a)
	}
	if got := events(t, db); len(got) != 1 { // new-device (with the IP) once
		t.Errorf("events = %v", got)
	}
	var n int
	if err := db.rdb.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != LatestVersion() {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, LatestVersion())
	}
}

func TestQueries(t *testing.T) {
	db, _ := newDB(t)
	k1 := key(t, "00:1b:63:00:00:02")
	k2 := key(t, "00:1b:63:00:00:01")
	k3 := model.AssetKey{Vantage: "span0", VLAN: 5, MAC: mac(t, "00:1b:63:00:00:03")}
	k4 := model.AssetKey{Vantage: "a", VLAN: 99, MAC: mac(t, "00:1b:63:00:00:04")}
	mustSubmit(t, db,
		arp(k1, t0.Add(3*time.Second), "10.0.0.2"),
		arp(k2, t0.Add(2*time.Second), "10.0.0.1"),
		activity(k3, t0.Add(time.Second), t0.Add(time.Second), 1, 1),
		activity(k4, t0, t0, 1, 1),
	)
	keys := func(as []model.Asset) []model.AssetKey {
		var ks []model.AssetKey
		for _, a := range as {
			ks = append(ks, a.Key)
		}
		return ks
	}
	vlan10 := uint16(10)
	for _, tc := range []struct {
		name string
		f    AssetFilter
		want []model.AssetKey
	}{
		{"all ordered", AssetFilter{}, []model.AssetKey{k4, k3, k2, k1}},
		{"vlan", AssetFilter{VLAN: &vlan10}, []model.AssetKey{k2, k1}},
		{"mac", AssetFilter{MAC: k1.MAC}, []model.AssetKey{k1}},
		{"ip", AssetFilter{IP: netip.MustParseAddr("10.0.0.1")}, []model.AssetKey{k2}},
		{"vantage", AssetFilter{Vantage: "a"}, []model.AssetKey{k4}},
		{"limit", AssetFilter{Limit: 2}, []model.AssetKey{k4, k3}},
		{"none", AssetFilter{MAC: mac(t, "00:00:00:00:00:99")}, nil},
	} {
		if got := keys(mustAssets(t, db, tc.f)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	all := mustEvents(t, db, EventFilter{})
	if len(all) != 4 { // one new-device event each, with the ARP address
		t.Fatalf("events: %d, want 4", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Errorf("events not ordered by time: %v", all)
		}
	}
	if !all[0].Time.Equal(t0) || all[0].Key != k4 {
		t.Errorf("first event = %+v", all[0])
	}
	for _, tc := range []struct {
		name string
		f    EventFilter
		want int
	}{
		{"type", EventFilter{Type: model.EventNewDevice}, 4},
		{"other type", EventFilter{Type: model.EventNewStation}, 0},
		{"mac", EventFilter{MAC: k1.MAC}, 1},
		{"since", EventFilter{Since: t0.Add(2 * time.Second)}, 2},
		{"until", EventFilter{Until: t0.Add(2 * time.Second)}, 2},
		{"vlan", EventFilter{VLAN: &vlan10}, 2},
		{"vantage", EventFilter{Vantage: "a"}, 1},
		{"after id", EventFilter{AfterID: 2}, 2},
		{"limit", EventFilter{Limit: 3}, 3},
	} {
		if got := mustEvents(t, db, tc.f); len(got) != tc.want {
			t.Errorf("%s: got %d events, want %d", tc.name, len(got), tc.want)
		}
	}
	na, ne, err := db.Counts(context.Background())
	if err != nil || na != 4 || ne != 4 {
		t.Errorf("Counts = %d, %d, %v; want 4, 4", na, ne, err)
	}
}
