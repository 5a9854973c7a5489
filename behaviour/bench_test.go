package behaviour

import (
	"context"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
)

// discard is a store that drops everything: the benchmark measures the
// stage alone (the store's own cost is measured in package store).
type discard struct{}

func (discard) Submit(context.Context, model.Observation) error { return nil }
func (discard) TrySubmit(model.Observation) bool                { return true }
func (discard) Flush(context.Context) error                     { return nil }

// BenchmarkKnownFlow is the steady state: a report of a flow whose items
// the device's baseline has (every counter report of a known flow).
func BenchmarkKnownFlow(b *testing.B) {
	p, err := policy.Parse([]byte(sitePolicy), "site.yml")
	if err != nil {
		b.Fatal(err)
	}
	st := New(discard{}, segment.Fixed(p), nil, Options{LearnFor: time.Hour})
	o := routed(dev("00:09:fb:06:00:01", 20), "10.20.6.1", "10.50.0.10", 6, 443, "https", t0)
	st.TrySubmit(o)
	o.Time = t0.Add(2 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		st.TrySubmit(o)
	}
}
