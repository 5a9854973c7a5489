package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/cmd/wardwatch/internal/privdrop"
	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/sensor/probe"
)

// runCmd is the daemon: live capture on every configured interface, metrics
// and API on the web listener, until SIGINT or SIGTERM; then stop capture,
// flush the store and exit 0. SIGHUP and POST /-/reload reload the config
// file and the policy.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "", stderr)
	var cf commonFlags
	cf.register(fs, true)
	cf.registerAdvisories(fs)
	var ifaces stringList
	fs.Var(&ifaces, "interface", "capture `interface` (repeatable); overrides capture.interfaces")
	policyFile := fs.String("policy.file", "", "segmentation policy file (overrides policy.file)")
	webFlags := exporter.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("run: unexpected arguments %q", fs.Args())
	}
	cfg, err := cf.load()
	if err != nil {
		return configError(err)
	}
	if *policyFile != "" {
		cfg.Policy.File = *policyFile
	}
	if len(ifaces) > 0 {
		cfg.Capture.Interfaces = cfg.Capture.Interfaces[:0]
		for _, name := range ifaces {
			cfg.Capture.Interfaces = append(cfg.Capture.Interfaces, configs.DefaultInterface(name))
		}
		if err := cfg.Validate(); err != nil {
			return configError(fmt.Errorf("config: %s", oneLine(err)))
		}
	}
	if err := needInterface(cfg, cf.configPath()); err != nil {
		return configError(err)
	}
	// Everything the config refers to, checked as check-config checks it,
	// before anything is opened; openDaemon loads it again as the run_as
	// user.
	dopts := daemonOptions{serve: true, webFlags: webFlags, flagSet: flagWasSet(fs)}
	if _, err := loadReferences(refSource{path: cf.configPath(), flagSet: dopts.flagSet}, cfg, webConfigFile(cfg, dopts)); err != nil {
		return configError(err)
	}
	log, err := newLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer log.Sync()

	// Open every capture socket first, so a missing interface or privilege
	// fails before anything else is touched.
	var inputs []sensor.Input
	closeAll := func() {
		for _, in := range inputs {
			in.Source.Close()
		}
		inputs = nil
	}
	defer closeAll()
	workers := cfg.Capture.Workers.N()
	for i, ic := range cfg.Capture.Interfaces {
		group := fanoutGroup(cfg.Capture.FanoutGroup, i, workers)
		for w := 0; w < workers; w++ {
			src, err := sensor.OpenLive(sensor.LiveOptions{
				Interface:   ic.Name,
				RingSize:    int(cfg.Capture.RingSize),
				BlockSize:   int(cfg.Capture.BlockSize),
				Snaplen:     cfg.Capture.Snaplen,
				PollTimeout: cfg.Capture.PollTimeout,
				Promiscuous: ic.Promiscuous,
				FanoutGroup: group,
			})
			if err != nil {
				return err
			}
			inputs = append(inputs, sensor.Input{Source: src, Vantage: ic.Vantage, VLAN: uint16(ic.VLAN)})
		}
	}

	names := make([]string, 0, len(cfg.Capture.Interfaces))
	for _, ic := range cfg.Capture.Interfaces {
		names = append(names, ic.Name)
	}
	// The opt-in ARP liveness probe opens its socket now, while the
	// privilege to is still there; it sends nothing until the daemon asks
	// it about a silent critical device.
	var live atomic.Pointer[liveness]
	if pc := cfg.Probe; pc.Enabled {
		p, err := probe.New(probe.Options{Interface: pc.Interface, CaptureInterfaces: names, Allow: pc.AllowPrefixes(),
			Interval: pc.Interval, Rate: pc.Rate, Timeout: pc.Timeout, Logger: log.Named("probe"),
			OnAlive: func(r probe.Result) {
				if l := live.Load(); l != nil {
					l.alive(r)
				}
			}})
		if err != nil {
			return configError(err)
		}
		dopts.prober = p
		defer p.Close()
	}
	dopts.watch = true

	// The interfaces exist and can be captured: what is probably not
	// meant is said now (a failed start stays one line).
	startupWarnings(log, cfg, os.Geteuid(), interfaceAddrs)

	// Capture sockets are open: give up every privilege before the
	// database and event files are created, so they belong to the service
	// user.
	if err := privdrop.Drop(cfg.RunAs.User, cfg.RunAs.Group); err != nil {
		return err
	}
	if err := privdrop.PrepareDataFiles(cfg.Store.Path, cfg.Events.File, cfg.RunAs.Group); err != nil {
		return dataFileError(err)
	}
	log.Info("privileges dropped", zap.Int("uid", os.Getuid()), zap.Int("gid", os.Getgid()))

	d, err := openDaemon(cf.configPath(), cfg, log, dopts)
	if err != nil {
		if re := (*refError)(nil); errors.As(err, &re) {
			return configError(err)
		}
		return storeHint(err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d.db.Start(context.WithoutCancel(ctx))
	live.Store(d.live)
	if dopts.prober != nil {
		probeWarnings(log, cfg.Probe.Interval, d.seg.Policy())
	}
	wait := d.serve(ctx)

	log.Info("capturing", zap.Strings("interfaces", names), zap.Int("workers_per_interface", workers),
		zap.String("db", cfg.Store.Path), zap.String("policy", cfg.Policy.File))
	d.ready.Store(true)
	go logLimits(ctx, log, d.sensor, limitLogEvery)
	runErr := d.sensor.Run(ctx, inputs)
	stop()
	closeAll()
	for _, st := range d.sensor.Stats() {
		log.Info("capture stopped", zap.String("interface", st.Interface), zap.Uint64("packets", st.Packets),
			zap.Uint64("kernel_drops", st.KernelDrops), zap.Uint64("malformed", st.Malformed),
			zap.Uint64("observations_dropped", st.ObsDropped))
	}
	wait()
	if err := d.close(); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	log.Info("stopped cleanly")
	return nil
}

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// flagWasSet reports which flags were given on the command line.
func flagWasSet(fs *flag.FlagSet) func(string) bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return func(name string) bool { return set[name] }
}

// fanoutGroup is the PACKET_FANOUT group of the i-th interface: the
// configured id plus i (ids are per host and a group spans one device), or,
// when none is configured and there is more than one worker, an id derived
// from the process id (unique among running sensors). 0: no fanout.
func fanoutGroup(configured, i, workers int) uint16 {
	switch {
	case configured > 0:
		return uint16((configured-1+i)%65535 + 1)
	case workers > 1:
		return uint16((os.Getpid()*61+i)%65535 + 1)
	}
	return 0
}

// exitConfig is the exit status of `run` for a configuration it refuses
// (EX_CONFIG from sysexits.h). wardwatch.service does not restart on it
// (RestartPreventExitStatus=78): only fixing the file helps.
const exitConfig = 78

// configError marks err as a configuration `run` refuses (exit status
// exitConfig). The message stays the one line Main prints.
func configError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitConfig, err: err}
}

// needInterface is the one setting the installer must make: the packaged
// config ships capture.interfaces empty, and the daemon says so in one line
// and stops rather than capture nothing.
func needInterface(cfg *configs.Config, cfgPath string) error {
	if len(cfg.Capture.Interfaces) > 0 {
		return nil
	}
	where := "the config file"
	if cfgPath != "" {
		where = cfgPath
	}
	return fmt.Errorf("no capture interface set: add the SPAN port to capture.interfaces in %s (or pass --interface); nothing is captured until then", where)
}
