package main

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/sensor"
)

// limitLogEvery is how often the daemon looks at its bounds, and the most
// often it warns about one that bit.
const limitLogEvery = time.Minute

// logLimits warns, at most once a minute, when a bound bit since the last
// look: a table that evicted for new entries, a MAC flood, the parsers' byte
// budget, observations dropped because the store's queue was full, or
// frames the kernel dropped. The counters themselves are in /metrics; the
// log says it happened without flooding the log.
func logLimits(ctx context.Context, log *zap.Logger, s *sensor.Sensor, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last bounds
	var lastDenied uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := boundsOf(s.Stats())
		d := now.since(last)
		if caps := capsBitten(d.Stats); caps != "" {
			log.Warn("limits reached in the last interval", zap.String("limits", caps), zap.Duration("interval", every))
		}
		if d.ObsDropped > 0 {
			log.Warn("observations dropped: the store's queue was full", zap.Uint64("dropped", d.ObsDropped))
		}
		if d.KernelDrops > 0 {
			log.Warn("the kernel dropped frames: the capture ring was full", zap.Uint64("dropped", d.KernelDrops))
		}
		if b := s.BufferBudget(); b.Denied > lastDenied {
			log.Warn("stream parsers' byte budget (streams.max_buffer_bytes) refused buffers",
				zap.Uint64("refused", b.Denied-lastDenied), zap.Int64("limit_bytes", b.Limit))
			lastDenied = b.Denied
		}
		last = now
	}
}

// bounds are the counters of the bounds that can bite, summed over the
// sensor's inputs.
type bounds struct{ sensor.Stats }

func boundsOf(all []sensor.Stats) bounds {
	var b bounds
	for _, s := range all {
		b.AssetCapHits += s.AssetCapHits
		b.AssetFloodRefused += s.AssetFloodRefused
		b.AssetFloods += s.AssetFloods
		b.BindCapHits += s.BindCapHits
		b.FlowCapHits += s.FlowCapHits
		b.StreamCapHits += s.StreamCapHits
		b.InspectCaps += s.InspectCaps
		b.SignalCapHits += s.SignalCapHits
		b.SharedBindCapHits += s.SharedBindCapHits
		b.SharedAssetCapHits += s.SharedAssetCapHits
		b.DHCPHoldCapHits += s.DHCPHoldCapHits
		b.ObsDropped += s.ObsDropped
		b.KernelDrops += s.KernelDrops
	}
	return b
}

// since returns how much each counter grew after prev.
func (b bounds) since(prev bounds) bounds {
	b.AssetCapHits -= prev.AssetCapHits
	b.AssetFloodRefused -= prev.AssetFloodRefused
	b.AssetFloods -= prev.AssetFloods
	b.BindCapHits -= prev.BindCapHits
	b.FlowCapHits -= prev.FlowCapHits
	b.StreamCapHits -= prev.StreamCapHits
	b.InspectCaps -= prev.InspectCaps
	b.SignalCapHits -= prev.SignalCapHits
	b.SharedBindCapHits -= prev.SharedBindCapHits
	b.SharedAssetCapHits -= prev.SharedAssetCapHits
	b.DHCPHoldCapHits -= prev.DHCPHoldCapHits
	b.ObsDropped -= prev.ObsDropped
	b.KernelDrops -= prev.KernelDrops
	return b
}
