package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/sensor/model"
)

// BenchmarkSubmitFlush measures the writer's throughput in steady state:
// activity observations for 1000 known assets, submitted and committed in
// batches of the default FlushSize. Run with -benchmem.
func BenchmarkSubmitFlush(b *testing.B) {
	for _, bc := range []struct {
		name string
		kind model.ObsKind
	}{{"activity", model.ObsActivity}, {"arp", model.ObsARP}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := testOpts()
			opts.FlushInterval = 100 * time.Millisecond
			db := mustOpen(b, filepath.Join(b.TempDir(), "bench.db"), opts)
			ctx := context.Background()
			obs := func(i int) model.Observation {
				o := activity(nthKey(i%1000), t0, t0.Add(time.Duration(i)), 1, 100)
				if bc.kind == model.ObsARP {
					o = arp(nthKey(i%1000), t0.Add(time.Duration(i)), "10.0.0.1")
					o.IP = o.IP.Next() // keep the type; vary nothing per asset
					o.Key.VLAN = uint16(i % 1000 / 250)
				}
				return o
			}
			for i := 0; i < 1000; i++ { // warm the cache: steady state
				db.Submit(ctx, obs(i))
			}
			if err := db.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if err := db.Submit(ctx, obs(i)); err != nil {
					b.Fatal(err)
				}
			}
			if err := db.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "obs/s")
		})
	}
}
