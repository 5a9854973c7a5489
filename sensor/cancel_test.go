package sensor

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// cancellingSink behaves like the store's Submit (it refuses observations
// submitted with a cancelled context) and cancels the replay after `after`
// observations, as SIGTERM does in the middle of `wardwatch replay`.
type cancellingSink struct {
	mu        sync.Mutex
	after     int
	cancel    context.CancelFunc
	n, late   int
	cancelled bool
}

func (s *cancellingSink) Submit(ctx context.Context, _ model.Observation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.cancelled {
		s.late++
	}
	if s.n == s.after {
		s.cancelled = true
		s.cancel()
	}
	return nil
}

func (s *cancellingSink) TrySubmit(o model.Observation) bool {
	return s.Submit(context.Background(), o) == nil
}

// TestReplayCancelKeepsFinalSweep: a replay cancelled half-way still hands
// the store everything its tables hold (the final sweep), none dropped.
func TestReplayCancelKeepsFinalSweep(t *testing.T) {
	src, err := OpenFile(filepath.Join("..", "testdata", "demo.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &cancellingSink{after: 100, cancel: cancel}
	sum, err := New(Config{}, sink).Replay(ctx, Input{Source: src, Vantage: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if !sink.cancelled {
		t.Fatalf("the demo produced only %d observations; the test needs more than %d", sink.n, sink.after)
	}
	if sum.ObsDropped != 0 {
		t.Errorf("%d observations dropped after the cancellation, want 0", sum.ObsDropped)
	}
	if sink.late == 0 {
		t.Error("no observation reached the sink after the cancellation: the final sweep was lost")
	}
	t.Logf("%d observations, %d of them from the final sweep after the cancellation", sink.n, sink.late)
}
