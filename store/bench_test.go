package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
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

// BenchmarkSubmitFlushMix measures the writer on a realistic mix in steady
// state: 60% flow reports (4000 distinct flows between 1000 known assets,
// half of them routed), 20% activity, 10% ARP, 5% HL7 messages and 5%
// policy violations; with and without the shipped fingerprint engine.
func BenchmarkSubmitFlushMix(b *testing.B) {
	router := model.AssetKey{Vantage: "span0", VLAN: 10, MAC: model.MAC{0x00, 0x00, 0x0c, 0, 0, 0xfe}}
	ipOf := func(i int) string { return fmt.Sprintf("10.0.%d.%d", i>>8, i&0xff) }
	obs := func(i int) model.Observation {
		t := t0.Add(time.Duration(i))
		c := i % 1000
		s := (c + 1) % 1000
		port := uint16(104 + (i/1000)%4)
		switch n := i % 20; {
		case n < 12, n == 19:
			var o model.Observation
			if c%2 == 0 {
				o = withLocal(flowObs(nthKey(c), nthKey(s), ipOf(c), ipOf(s), port, t, 10), true, true)
			} else {
				o = withLocal(flowObs(nthKey(c), router, ipOf(c), "192.0.2."+fmt.Sprint(c%250), port, t, 10), true, false)
			}
			if n == 19 {
				o = violationObs(o, "default", "vlan10", "internet", "medium")
			}
			return o
		case n < 16:
			return activity(nthKey(c), t, t, 1, 100)
		case n < 18:
			return arp(nthKey(c), t, ipOf(c))
		default:
			return hl7Obs(nthKey(c), t, model.HL7Info{Role: "sender", Application: "APP", PeerApplication: "ENGINE",
				MessageType: "ORU^R01", Version: "2.5"})
		}
	}
	for _, bc := range []struct {
		name       string
		classifier Classifier
	}{{"plain", nil}, {"engine", loadEngine(b)}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := testOpts()
			opts.FlushInterval = 100 * time.Millisecond
			opts.Classifier = bc.classifier
			db := mustOpen(b, filepath.Join(b.TempDir(), "bench.db"), opts)
			ctx := context.Background()
			for i := 0; i < 1000; i++ { // every asset with its address first
				db.Submit(ctx, arp(nthKey(i), t0, ipOf(i)))
			}
			for i := 0; i < 20000; i++ { // every flow, violation and HL7 row: steady state
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
