package store

import (
	"context"
	"fmt"
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
			// 1000 assets, each with its own IP: after the first round
			// every observation only touches existing rows.
			base := make([]model.Observation, 1000)
			for i := range base {
				base[i] = activity(nthKey(i), t0, t0, 1, 100)
				if bc.kind == model.ObsARP {
					base[i] = arp(nthKey(i), t0, fmt.Sprintf("10.0.%d.%d", i>>8, i&0xff))
				}
			}
			obs := func(i int) model.Observation {
				o := base[i%1000]
				o.Time = t0.Add(time.Duration(i))
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
