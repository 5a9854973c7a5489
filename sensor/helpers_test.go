package sensor

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/model"
)

// sharedPcaps returns the folder of third-party captures beside the repo
// (../shared/pcaps from the module root), skipping the test when absent.
func sharedPcaps(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "pcaps")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared captures not found at %s: skipping (they sit beside the repo in CI)", p)
	}
	return p
}

// collector is a Sink that keeps every observation in memory.
type collector struct {
	mu  sync.Mutex
	obs []model.Observation
}

func (c *collector) Submit(_ context.Context, o model.Observation) error {
	c.mu.Lock()
	c.obs = append(c.obs, o)
	c.mu.Unlock()
	return nil
}

func (c *collector) TrySubmit(o model.Observation) bool { _ = c.Submit(context.Background(), o); return true }

func replayFile(tb testing.TB, path string, cfg Config) (*collector, Summary, error) {
	tb.Helper()
	src, err := OpenFile(path)
	if err != nil {
		return nil, Summary{}, err
	}
	defer src.Close()
	c := &collector{}
	s := New(cfg, c)
	sum, err := s.Replay(context.Background(), Input{Source: src, Vantage: "test"})
	return c, sum, err
}
