package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/exporter/api"
	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store/central"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// centralCmd serves the central inventory of many sensors (the PostgreSQL
// database their pushes fill) with the sensor's API and web page, plus a
// sensor and site filter and column, and its own /metrics: the same
// listener, TLS and basic auth flags as `run` (exporter-toolkit). It
// captures nothing and writes nothing but, on a database older than the
// binary, the schema migration. SIGHUP and POST /-/reload re-read the
// policy (zones).
func centralCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("central", "", stderr)
	var cf commonFlags
	fs.StringVar(&cf.configFile, "config.file", "", "path to the YAML config file (default "+defaultConfigFile+" if it exists): central.dsn, central.password_file, policy.file, inventory, web and log settings")
	fs.StringVar(&cf.logLevel, "log.level", "", "log `level`: debug, info, warn, error (overrides log.level)")
	fs.StringVar(&cf.logFormat, "log.format", "", "log `format`: logfmt or json (overrides log.format)")
	dsn := fs.String("central", "", "the central PostgreSQL database as a `DSN` (default: central.dsn from the config; never with the password)")
	pwFile := fs.String("central.password-file", "", "`file` holding the database password (default: central.password_file from the config; pgx also reads PGPASSFILE/~/.pgpass)")
	policyFile := fs.String("policy.file", "", "segmentation policy for zones (default: policy.file from the config)")
	cf.registerAdvisories(fs)
	webFlags := exporter.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("central: unexpected arguments %q", fs.Args())
	}
	cfg, err := cf.load()
	if err != nil {
		return configError(err)
	}
	if *dsn == "" {
		*dsn = cfg.Central.DSN
	}
	if *pwFile == "" {
		*pwFile = cfg.Central.PasswordFile
	}
	if *dsn == "" {
		return configError(errors.New("central: no database: pass --central DSN or set central.dsn in the config"))
	}
	if *policyFile != "" {
		cfg.Policy.File = *policyFile
	}
	var pol *policy.Policy
	if cfg.Policy.File != "" {
		if pol, err = policy.Load(cfg.Policy.File); err != nil {
			return configError(fmt.Errorf("policy: %s", oneLine(err)))
		}
	}
	log, err := newLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer log.Sync()

	set, err := loadAdvisories(cfg.Advisories.Dir, stderr)
	if err != nil {
		if cf.advisoriesDir != "" {
			return configError(err)
		}
		log.Warn("no advisories", zap.Error(err))
	}
	c, err := central.OpenInventory(ctx, central.InventoryOptions{DSN: *dsn, PasswordFile: *pwFile, MaxConns: 8})
	if err != nil {
		return err
	}
	defer c.Close()
	holder := policy.NewHolder(pol)
	inv := newCentralInventory(c, segment.New(holder), cfg, nil, func() *advisory.Set { return set })

	reg := prometheus.NewRegistry()
	metrics := exporter.NewMetrics(reg, exporter.Sources{
		AssetCounts: func(ctx context.Context) ([]exporter.AssetCount, error) {
			counts, err := inv.AssetCounts(ctx)
			out := make([]exporter.AssetCount, len(counts))
			for i, n := range counts {
				out[i] = exporter.AssetCount{Class: n.Class, Zone: n.Zone, State: n.State, N: n.N}
			}
			return out, err
		},
		Fleet: func(ctx context.Context) ([]exporter.FleetSensor, error) {
			ss, err := c.Sensors(ctx)
			out := make([]exporter.FleetSensor, len(ss))
			for i, s := range ss {
				out[i] = exporter.FleetSensor{Sensor: s.Sensor, Site: s.Site, LastPush: s.LastPush, CaughtUp: s.CaughtUpAt,
					Assets: s.Assets}
			}
			return out, err
		},
	}, exporter.Options{Version: version, Revision: revision, Logger: log})

	var reloadMu sync.Mutex
	reload := func() error {
		reloadMu.Lock()
		defer reloadMu.Unlock()
		err := reloadCentralPolicy(cf.configPath(), *policyFile, holder, inv)
		if err != nil {
			log.Error("reload failed; keeping the running policy", zap.Error(err))
		} else {
			log.Info("policy reloaded")
		}
		metrics.ReloadResult(err == nil, time.Now())
		return err
	}
	if !flagWasSet(fs)("web.listen-address") && len(cfg.Web.ListenAddresses) > 0 {
		addrs := append([]string(nil), cfg.Web.ListenAddresses...)
		webFlags.WebListenAddresses = &addrs
	}
	if !flagWasSet(fs)("web.config.file") && cfg.Web.ConfigFile != "" {
		f := cfg.Web.ConfigFile
		webFlags.WebConfigFile = &f
	}
	srv := exporter.NewServer(exporter.ServerOptions{
		Web: webFlags, Gatherer: reg, Registerer: reg, Logger: log, Version: version, Links: api.LandingLinks,
		Ready: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return c.Ping(ctx)
		},
		Reload: func(context.Context) error { return reload() },
	})
	web := api.New(api.Options{Inventory: inv, Logger: log, Version: version})
	srv.Handle(api.APIPrefix, web.APIHandler())
	srv.Handle(api.UIPrefix, web.UIHandler())
	addrs, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	metrics.ReloadResult(true, time.Now())

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hup := make(chan struct{}, 1)
	go watchHUP(ctx, hup)
	go func() {
		for range hup {
			reload()
		}
	}()
	var listen []string
	for _, a := range addrs {
		listen = append(listen, a.String())
	}
	log.Info("serving the central inventory", zap.String("server", c.Server()), zap.Strings("listen", listen),
		zap.String("policy", cfg.Policy.File))
	if err := srv.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// reloadCentralPolicy re-reads the policy (the config file's policy.file,
// or the one --policy.file named) for the zones.
func reloadCentralPolicy(cfgPath, policyFlag string, holder *policy.Holder, inv *inventory.Service) error {
	file := policyFlag
	if file == "" && cfgPath != "" {
		c, err := configs.Load(cfgPath)
		if err != nil {
			return fmt.Errorf("config: %s", oneLine(err))
		}
		file = c.Policy.File
	}
	var p *policy.Policy
	if file != "" {
		var err error
		if p, err = policy.Load(file); err != nil {
			return fmt.Errorf("policy: %s", oneLine(err))
		}
	}
	holder.Swap(p)
	inv.Forget()
	return nil
}

// watchHUP sends on out for every SIGHUP (dropping one when a reload is
// still pending) until ctx ends, then closes out.
func watchHUP(ctx context.Context, out chan<- struct{}) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	defer signal.Stop(sig)
	defer close(out)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}
}
