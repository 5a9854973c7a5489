package sensor

import (
	"io"
	"time"

	"context"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"sync"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// sharedPcaps returns the folder of third-party captures beside the repo
// (../shared/pcaps from the module root), skipping the test when absent.
func sharedPcaps(tb testing.TB) string {
	tb.Helper()
	p, err := sharedRoot()
	if err != nil {
		tb.Skipf("shared captures not found beside the repo (../shared/pcaps): %v", err)
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

func (c *collector) TrySubmit(o model.Observation) bool {
	_ = c.Submit(context.Background(), o)
	return true
}

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

// fakeLinkType makes a FileSource report Ethernet without a file.
type fakeLinkType struct{}

func (fakeLinkType) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return nil, gopacket.CaptureInfo{}, io.EOF
}
func (fakeLinkType) LinkType() layers.LinkType { return layers.LinkTypeEthernet }

func testCI(n int) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: n, Length: n}
}
