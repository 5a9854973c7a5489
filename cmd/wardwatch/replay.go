package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
)

// replayCmd reads capture files through exactly the live pipeline (policy,
// store, metrics), as fast as the store takes observations, then prints a
// summary. With --serve it keeps the web listener (metrics, API, page) up
// after the replay until SIGINT/SIGTERM.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay", "FILE...", stderr)
	var cf commonFlags
	cf.register(fs, true)
	cf.registerAdvisories(fs)
	vantage := fs.String("vantage", "", "vantage label recorded on assets (default: the file's base name)")
	vlan := fs.Uint("vlan", 0, "VLAN id stamped on untagged frames (as for an access-port SPAN); 0 = none")
	quiet := fs.Bool("q", false, "do not print the summary")
	serve := fs.Bool("serve", false, "serve metrics, API and web page during and after the replay, until SIGINT/SIGTERM")
	var asOf time.Time
	timeFlag(fs, "now", "with --serve: show states and ages as of this RFC 3339 time (default: the capture's time, its end once replayed)",
		func(t time.Time) { asOf = t })
	policyFile := fs.String("policy.file", "", "segmentation policy file (overrides policy.file)")
	workers := fs.String("workers", "", "decode workers: auto (one per CPU) or 1..64 (overrides capture.workers)")
	webFlags := exporter.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("replay: no capture file given (usage: wardwatch replay [--db PATH] FILE...)")
	}
	if *vlan > 4094 {
		return usageError("replay: --vlan %d is out of range 0..4094", *vlan)
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if *policyFile != "" {
		cfg.Policy.File = *policyFile
	}
	if *workers != "" {
		w, err := configs.ParseWorkers(*workers)
		if err != nil {
			return usageError("replay: --%v", err)
		}
		cfg.Capture.Workers = w
	}
	log, err := newLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer log.Sync()

	// Open every file first: a missing or unreadable one stops before
	// anything is written.
	var srcs []*sensor.FileSource
	defer func() {
		for _, s := range srcs {
			s.Close()
		}
	}()
	for _, p := range fs.Args() {
		s, err := sensor.OpenFile(p)
		if err != nil {
			return err
		}
		srcs = append(srcs, s)
	}

	clock := newCaptureClock(asOf)
	d, err := openDaemon(cf.configPath(), cfg, log, daemonOptions{clock: clock, serve: *serve, webFlags: webFlags,
		flagSet: flagWasSet(fs)})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d.db.Start(context.WithoutCancel(ctx))
	wait := d.serve(ctx)
	d.ready.Store(true)
	go logLimits(ctx, log, d.sensor, limitLogEvery)

	var replayErr error
	var packets, sensorDropped uint64 // over all files, for an interrupted replay's report
	for _, src := range srcs {
		v := *vantage
		if v == "" {
			v = filepath.Base(src.Name())
		}
		sum, err := d.sensor.Replay(ctx, sensor.Input{Source: src, Vantage: v, VLAN: uint16(*vlan)})
		clock.see(sum.LastPacket) // the end of the capture
		packets += sum.Packets
		sensorDropped += sum.ObsDropped
		if !*quiet {
			printSummary(stdout, src.Name(), sum)
		}
		if err != nil {
			replayErr = err
			if errors.Is(err, sensor.ErrTruncatedFile) {
				continue // what came before the cut is kept
			}
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	if replayErr == nil && ctx.Err() == nil && d.seg.HasCritical() {
		// Critical devices silent at the end of the capture (the capture's
		// clock), once everything read is stored.
		err := d.checker.Flush(ctx)
		if err == nil {
			err = d.db.Flush(ctx)
		}
		if err == nil {
			err = d.live.evaluate(ctx)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("judging the critical devices after replay", zap.Error(err))
		}
	}
	if *serve && replayErr == nil && ctx.Err() == nil {
		err := d.checker.Flush(ctx)
		if err == nil {
			err = d.db.Flush(ctx)
		}
		if err == nil && d.advisorySet() != nil { // the advisory matches of the replayed inventory
			d.sweepAdvisories(ctx)
			err = d.db.Flush(ctx)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("flush after replay", zap.Error(err))
		}
		log.Info("replay done; serving until SIGINT/SIGTERM")
		<-ctx.Done()
	}
	interrupted := !*serve && ctx.Err() != nil
	stop()
	wait()
	// Flush and close even after an error: nothing already read is lost.
	if err := d.close(); err != nil {
		return err
	}
	if interrupted && replayErr == nil {
		// SIGINT/SIGTERM before the end: what was read is stored (the
		// sensor's final sweep and the store's last flush ran with a live
		// context), but the replay is incomplete, so the exit is non-zero
		// and says what was kept and what, if anything, was lost.
		ws := d.db.Stats()
		lost := ws.Dropped + uint64(ws.Queued) + uint64(ws.Pending) + sensorDropped
		if lost > 0 {
			return fmt.Errorf("replay interrupted after %d packets: %d observations stored in %s, %d lost", packets, ws.Written, cfg.Store.Path, lost)
		}
		return fmt.Errorf("replay interrupted after %d packets: all %d observations stored in %s, none lost; replay the rest again to finish", packets, ws.Written, cfg.Store.Path)
	}
	if replayErr != nil {
		if errors.Is(replayErr, sensor.ErrTruncatedFile) {
			return fmt.Errorf("%w; the packets before the cut were stored in %s", replayErr, cfg.Store.Path)
		}
		return replayErr
	}
	if !*quiet {
		ro, err := store.OpenReadOnly(cfg.Store.Path)
		if err == nil {
			assets, events, err := ro.Counts(context.Background())
			ro.Close()
			if err == nil {
				ws := d.db.Stats()
				fmt.Fprintf(stdout, "database %s: %d assets, %d events (%d rows written in %d flushes)\n",
					cfg.Store.Path, assets, events, ws.RowsWritten, ws.Flushes)
			}
		}
	}
	return nil
}

func printSummary(w io.Writer, name string, s sensor.Summary) {
	secs := s.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Packets) / secs
	}
	var decodeErrs uint64
	for _, e := range s.DecodeErrors {
		decodeErrs += e
	}
	var obs uint64
	for _, o := range s.Observations {
		obs += o
	}
	fmt.Fprintf(w, "replayed %s: %d packets, %d bytes in %.3fs (%.0f packets/s); %d malformed, %d decode errors, %d truncated; %d observations",
		name, s.Packets, s.Bytes, secs, rate, s.Malformed, decodeErrs, s.Truncated, obs)
	if s.ObsDropped > 0 {
		fmt.Fprintf(w, ", %d dropped", s.ObsDropped)
	}
	if caps := capsBitten(s.Stats); caps != "" {
		fmt.Fprintf(w, "; limits reached: %s", caps)
	}
	if s.DHCPUnplaced > 0 {
		fmt.Fprintf(w, "; %d relayed DHCP messages dropped (their clients' VLANs not in the capture)", s.DHCPUnplaced)
	}
	fmt.Fprintln(w)
}

// capsBitten describes every bound that bit during a replay or capture, ""
// when none did: the replay summary and the daemon's rate-limited warning
// say the same.
func capsBitten(s sensor.Stats) string {
	var parts []string
	add := func(n uint64, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", what, n))
		}
	}
	add(s.AssetCapHits, "asset table full (idle asset evicted)")
	add(s.AssetFloodRefused, "new MACs refused by the new-asset budget")
	add(s.AssetFloods, "MAC floods")
	add(s.BindCapHits, "binding table full (oldest evicted)")
	add(s.FlowCapHits, "flow table full (idle flow evicted)")
	add(s.StreamCapHits, "connections not followed (stream table full)")
	add(s.InspectCaps, "stream directions cut at max_inspect_bytes")
	add(s.SignalCapHits, "signal table full (one forgotten for each new value)")
	add(s.SharedBindCapHits, "shared binding tables full (limits.max_bindings; an entry dropped)")
	add(s.SharedAssetCapHits, "shared per-MAC tables full (limits.max_assets; an entry dropped)")
	add(s.DHCPHoldCapHits, "relayed DHCP hold full (the oldest message dropped)")
	return strings.Join(parts, ", ")
}
