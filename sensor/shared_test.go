package sensor

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// A full shared table drops an entry for a new one and counts it, by the
// setting that sizes it; it stays within its bound.
func TestSharedTablesCountDrops(t *testing.T) {
	st := newSharedTables(64, 64, 64)
	if b, a := st.capHits(); b != 0 || a != 0 {
		t.Fatalf("fresh tables: %d, %d drops", b, a)
	}
	for i := range 1000 {
		m := model.MAC{0x02, 0, 0, 0, byte(i >> 8), byte(i)}
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		st.bind("v", 10, ip, m, false)
		st.noteSender(model.AssetKey{Vantage: "v", VLAN: 10, MAC: m})
	}
	b, a := st.capHits()
	// 1000 keys into 32 shards of 2 entries: at most 64 kept per table.
	if b < 2*(1000-64) || a < 2*(1000-64) {
		t.Errorf("drops: bindings %d, assets %d; want at least %d each", b, a, 2*(1000-64))
	}
	n := 0
	for i := range st.senders.shards {
		n += len(st.senders.shards[i].m)
	}
	if n > 64 {
		t.Errorf("senders table holds %d entries, bound 64", n)
	}
}

// Sensor.Stats reports the shared tables' drops, once, on its first
// interface, so the replay summary, the limit log and
// wardwatch_limit_hits_total see them.
func TestSharedTablesDropsInStats(t *testing.T) {
	src, err := OpenFile(filepath.Join("..", "testdata", "demo.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	s := New(Config{Workers: 2, MaxAssets: 8, MaxBindings: 8}, &collector{})
	if _, err := s.Replay(context.Background(), Input{Source: src, Vantage: "test"}); err != nil {
		t.Fatal(err)
	}
	all := s.Stats()
	if len(all) != 1 {
		t.Fatalf("%d interfaces", len(all))
	}
	b, a := s.shared.capHits()
	if all[0].SharedBindCapHits != b || all[0].SharedAssetCapHits != a || a == 0 || b == 0 {
		t.Errorf("stats: bindings %d, assets %d; the tables dropped %d, %d (the demo has 48 assets)",
			all[0].SharedBindCapHits, all[0].SharedAssetCapHits, b, a)
	}
}

// Replay's summary reports the drops of the shared tables during that
// replay, with one worker and with several: the replay summary prints the
// bounds that bit from it (cmd/wardwatch printSummary), and the shared
// tables' are counted nowhere else in a replay.
func TestSharedTablesDropsInReplaySummary(t *testing.T) {
	for _, workers := range []int{1, 2} {
		s := New(Config{Workers: workers, MaxAssets: 8, MaxBindings: 8}, &collector{})
		var prevB, prevA uint64
		for range 2 {
			src, err := OpenFile(filepath.Join("..", "testdata", "demo.pcap"))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := s.Replay(context.Background(), Input{Source: src, Vantage: "test"})
			src.Close()
			if err != nil {
				t.Fatal(err)
			}
			b, a := s.shared.capHits()
			if sum.SharedBindCapHits != b-prevB || sum.SharedAssetCapHits != a-prevA || b == prevB || a == prevA {
				t.Errorf("%d workers: summary bindings %d, assets %d; the tables dropped %d, %d in this replay",
					workers, sum.SharedBindCapHits, sum.SharedAssetCapHits, b-prevB, a-prevA)
			}
			prevB, prevA = b, a
		}
	}
}
