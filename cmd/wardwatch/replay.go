package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
)

// replayCmd reads capture files through exactly the live pipeline, as fast
// as the store takes observations, then prints a summary.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay", "FILE...", stderr)
	var cf commonFlags
	cf.register(fs, true)
	vantage := fs.String("vantage", "", "vantage label recorded on assets (default: the file's base name)")
	vlan := fs.Uint("vlan", 0, "VLAN id stamped on untagged frames (as for an access-port SPAN); 0 = none")
	quiet := fs.Bool("q", false, "do not print the summary")
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

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	db, err := store.Open(cfg.Store.Path, storeOptions(cfg, log))
	if err != nil {
		return err
	}
	db.Start(ctx)
	sn := sensor.New(sensorConfig(cfg, log), db)

	var replayErr error
	for _, src := range srcs {
		v := *vantage
		if v == "" {
			v = filepath.Base(src.Name())
		}
		sum, err := sn.Replay(ctx, sensor.Input{Source: src, Vantage: v, VLAN: uint16(*vlan)})
		if !*quiet {
			printSummary(stdout, src.Name(), sum)
		}
		if err != nil {
			replayErr = err
			if errors.Is(err, sensor.ErrTruncatedFile) {
				// What came before the cut is kept.
				continue
			}
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	// Flush and close even after an error: no observation already read is lost.
	if err := db.Close(); err != nil {
		return fmt.Errorf("store %s: %w", cfg.Store.Path, err)
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
				fmt.Fprintf(stdout, "database %s: %d assets, %d events\n", cfg.Store.Path, assets, events)
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
	if s.AssetCapHits > 0 {
		fmt.Fprintf(w, "; asset table full %d times", s.AssetCapHits)
	}
	fmt.Fprintln(w)
}
