package accuracy

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/fingerprint/oui"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
)

// sharedPcaps is the directory of the shared third-party captures, or ""
// (the tests that need them skip).
func sharedPcaps(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "pcaps")
	if _, err := os.Stat(filepath.Join(dir, "INDEX.md")); err != nil {
		tb.Skipf("shared captures not found at %s (they sit beside the repository): %v", dir, err)
	}
	return dir
}

// captureFiles lists the captures under dir ("zeek/dhcp.pcap", ...).
func captureFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// withSignals is the classifier the replay uses: the engine, with the
// decoded signals of the asset's MAC added to its facts when signals is
// not nil (standing in for the sensor's wiring of the new decoders).
type withSignals struct {
	e       *fingerprint.Engine
	signals map[model.MAC][]fingerprint.Signal
}

func (c withSignals) Classify(f *fingerprint.Facts) fingerprint.Result {
	if s := c.signals[f.MAC]; len(s) > 0 {
		g := *f
		g.Signals = append(append([]fingerprint.Signal{}, f.Signals...), s...)
		return c.e.Classify(&g)
	}
	return c.e.Classify(f)
}

// ReadsSignal is the engine's, so the store skips what the sensor's wiring
// skips (store.SignalReader).
func (c withSignals) ReadsSignal(src model.EvidenceSource) bool { return c.e.ReadsSignal(src) }

// replayed is one asset of a replayed capture.
type replayed struct {
	store.AssetDetail
	Evidence []store.EvidenceRow
}

// replay runs a capture through the sensor and the store (a real SQLite
// file) with the shipped rules, exactly as `wardwatch replay` does but for
// the policy checker, and returns its assets. With decoded, the signals of
// the new decoders are added (see decodedSignals).
func replay(tb testing.TB, e *fingerprint.Engine, path string, decoded bool) []replayed {
	tb.Helper()
	cfg := configs.Default()
	cl := withSignals{e: e}
	if decoded {
		var err error
		if cl.signals, err = decodedSignals(path); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
	}
	db, err := store.Open(filepath.Join(tb.TempDir(), "replay.db"), store.Options{
		Logger: zap.NewNop(), Classifier: cl,
		Vendor: func(m model.MAC) string { v, _ := oui.Lookup(m); return v },
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.Start(context.Background())
	src, err := sensor.OpenFile(path)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	defer src.Close()
	s := sensor.New(sensor.Config{Tunnels: true, Logger: zap.NewNop(), Streams: sensor.StreamConfig{
		DICOMPorts: ports(cfg.Streams.DICOMPorts), HL7Ports: ports(cfg.Streams.HL7Ports), ContentDetection: true}}, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.Replay(ctx, sensor.Input{Source: src, Vantage: filepath.Base(path)}); err != nil && !strings.Contains(err.Error(), "truncated") {
		tb.Logf("%s: replay: %v", path, err)
	}
	if err := db.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	ds, _, err := db.FindAssets(ctx, store.AssetFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]replayed, len(ds))
	for i, d := range ds {
		out[i].AssetDetail = d
		if out[i].Evidence, err = db.Evidence(ctx, d.ID); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

func ports(in []int) []uint16 {
	out := make([]uint16, len(in))
	for i, v := range in {
		out[i] = uint16(v)
	}
	return out
}
