package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/fingerprint/oui"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/central"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// defaultConfigFile is read when --config.file is not given and it exists.
const defaultConfigFile = "/etc/wardwatch/wardwatch.yml"

// commonFlags are the flags every database verb shares.
type commonFlags struct {
	configFile string
	db         string
	logLevel   string
	logFormat  string
	// advisoriesDir is --advisories.dir (run, replay and the query verbs).
	advisoriesDir string
}

// registerAdvisories adds --advisories.dir.
func (c *commonFlags) registerAdvisories(fs *flag.FlagSet) {
	fs.StringVar(&c.advisoriesDir, "advisories.dir", "", "directory of CSAF 2.0 advisories matched to the devices (overrides advisories.dir)")
}

func (c *commonFlags) register(fs *flag.FlagSet, withLog bool) {
	fs.StringVar(&c.configFile, "config.file", "", "path to the YAML config file (default "+defaultConfigFile+" if it exists, else built-in defaults)")
	fs.StringVar(&c.db, "db", "", "SQLite database path (default: store.path from the config, else ./wardwatch.db)")
	if withLog {
		fs.StringVar(&c.logLevel, "log.level", "", "log `level`: debug, info, warn, error (overrides log.level)")
		fs.StringVar(&c.logFormat, "log.format", "", "log `format`: logfmt or json, as the Prometheus tools (overrides log.format; console is an alias of logfmt)")
	}
}

// configPath is the config file in use: --config.file, else the default
// file if it exists, else "" (built-in defaults).
func (c *commonFlags) configPath() string {
	if c.configFile != "" {
		return c.configFile
	}
	if _, err := os.Stat(defaultConfigFile); err == nil {
		return defaultConfigFile
	}
	return ""
}

// load reads the config file (or the defaults) and applies flag overrides.
func (c *commonFlags) load() (*configs.Config, error) {
	path := c.configPath()
	cfg := configs.Default()
	if path != "" {
		var err error
		cfg, err = configs.Load(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	if c.db != "" {
		cfg.Store.Path = c.db
	}
	if c.logLevel != "" {
		cfg.Log.Level = c.logLevel
	}
	if c.logFormat != "" {
		cfg.Log.Format = c.logFormat
	}
	if c.advisoriesDir != "" {
		cfg.Advisories.Dir = c.advisoriesDir
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %s", oneLine(err))
	}
	return cfg, nil
}

// oneLine joins a multi-line error into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func vendorOf(m model.MAC) string {
	org, _ := oui.Lookup(m)
	return org
}

func storeOptions(cfg *configs.Config, log *zap.Logger) store.Options {
	busy := cfg.Store.BusyTimeout
	if busy == 0 { // store.busy_timeout: 0 gives up at once
		busy = store.NoBusyWait
	}
	return store.Options{
		BusyTimeout:   busy,
		FlushInterval: cfg.Store.FlushInterval,
		FlushSize:     cfg.Store.FlushSize,
		QueueSize:     cfg.Store.QueueSize,
		Logger:        log,
		Vendor:        vendorOf,
	}
}

// newInventory is the inventory service over db, placing assets with
// zones (and judging critical devices' liveness with it when it is the
// segmenter), with the lifecycle thresholds of cfg and the clock now (nil:
// time.Now), critical devices judged from listeningSince at the earliest
// (the daemon's start; zero for the CLI): the CLI verbs and the daemon's
// API and web page give its answers; advisories are the advisories in force
// (nil: none).
func newInventory(db *store.DB, zones inventory.Zoner, cfg *configs.Config, now func() time.Time,
	listeningSince time.Time, advisories func() *advisory.Set) *inventory.Service {
	o := inventory.Options{Store: db, Zones: zones, Now: now, ListeningSince: listeningSince, Advisories: advisories,
		Lifecycle: inventory.Lifecycle{DormantAfter: cfg.Inventory.DormantAfter, RetiredAfter: cfg.Inventory.RetiredAfter}}
	if l, ok := zones.(inventory.Liveness); ok { // the segmenter: critical devices' states too
		o.Liveness = l
	}
	return inventory.New(o)
}

// newCentralInventory is the inventory service over the central database
// of many sensors (wardwatch central, --central): the same service, with
// the sensor and site filters and columns; advisories are matched to the
// devices of every sensor.
func newCentralInventory(c *central.Inventory, zones inventory.Zoner, cfg *configs.Config, now func() time.Time,
	advisories func() *advisory.Set) *inventory.Service {
	o := inventory.Options{Store: c, Zones: zones, Now: now, Central: true, Advisories: advisories,
		Lifecycle: inventory.Lifecycle{DormantAfter: cfg.Inventory.DormantAfter, RetiredAfter: cfg.Inventory.RetiredAfter}}
	if l, ok := zones.(inventory.Liveness); ok { // critical devices' states, over every sensor's sightings and probes
		o.Liveness = l
	}
	return inventory.New(o)
}

func sensorConfig(cfg *configs.Config, log *zap.Logger) sensor.Config {
	ports := u16s(cfg.Decode.VXLANPorts) // empty (not nil): no VXLAN
	return sensor.Config{
		Workers:       cfg.Capture.Workers.N(),
		Tunnels:       cfg.Decode.Tunnels,
		VXLANPorts:    ports,
		MaxAssets:     cfg.Limits.MaxAssets,
		MaxBindings:   cfg.Limits.MaxBindings,
		NewAssetBurst: cfg.Limits.NewAssetsBurst,
		NewAssetRate:  newAssetRate(cfg.Limits.NewAssetsPerSecond),
		MaxFlows:      cfg.Limits.MaxFlows,
		FlowIdle:      cfg.Limits.FlowIdleTimeout,
		Streams: sensor.StreamConfig{
			DICOMPorts:       u16s(cfg.Streams.DICOMPorts),
			HL7Ports:         u16s(cfg.Streams.HL7Ports),
			ContentDetection: cfg.Streams.ContentDetection,
			MaxStreams:       cfg.Streams.MaxStreams,
			MaxBufferedPages: cfg.Streams.MaxBufferedPages,
			IdleTimeout:      cfg.Streams.IdleTimeout,
			MaxInspectBytes:  int(cfg.Streams.MaxInspectBytes),
			MaxBufferBytes:   int64(cfg.Streams.MaxBufferBytes),
		},
		Logger: log,
	}
}

func u16s(in []int) []uint16 {
	out := make([]uint16, 0, len(in))
	for _, v := range in {
		out = append(out, uint16(v))
	}
	return out
}

// newAssetRate maps the config's "0 = no limit" to the sensor's negative
// rate (the sensor's zero means its default).
func newAssetRate(perSecond float64) float64 {
	if perSecond == 0 {
		return -1
	}
	return perSecond
}
