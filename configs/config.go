// Package configs holds Wardwatch's configuration: the Go types the daemon
// reads its one YAML file into, their defaults and their validation, and the
// shipped, commented example (wardwatch.yml, embedded as Example).
//
// Decoding is strict, in the style of prometheus/blackbox_exporter: unknown
// keys, values of the wrong type, duplicate keys and more than one YAML
// document are errors. Every error names the file, the line and the key, for
// example
//
//	/etc/wardwatch/wardwatch.yml: line 4: unknown key "ringsize" in capture
//	/etc/wardwatch/wardwatch.yml: line 9: capture.interfaces[1].vlan: 5000 is out of range 0..4094
//
// Defaults are applied before decoding, so a key left out of the file keeps
// its default, and an empty file yields Default().
package configs

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// Example is the shipped, commented example config (configs/wardwatch.yml).
// It documents every key and is tested to parse and validate.
//
//go:embed wardwatch.yml
var Example []byte

// Config is the whole Wardwatch config file.
type Config struct {
	Capture CaptureConfig `yaml:"capture"`
	Decode  DecodeConfig  `yaml:"decode"`
	Limits  LimitsConfig  `yaml:"limits"`
	Streams StreamsConfig `yaml:"streams"`
	Web     WebConfig     `yaml:"web"`
	Policy  PolicyConfig  `yaml:"policy"`
	Events  EventsConfig  `yaml:"events"`
	// Fingerprints configures device classification.
	Fingerprints FingerprintsConfig `yaml:"fingerprints"`
	// Advisories are the manufacturer security advisories devices are
	// matched to.
	Advisories AdvisoriesConfig `yaml:"advisories"`
	Store      StoreConfig      `yaml:"store"`
	Log        LogConfig        `yaml:"log"`
	// RunAs is who `wardwatch run` becomes once its capture sockets are open.
	RunAs RunAsConfig `yaml:"run_as"`
	// Inventory configures how the inventory (CLI, API, web page) reads
	// the database.
	Inventory InventoryConfig `yaml:"inventory"`
	// Central pushes the inventory to a central PostgreSQL database.
	Central CentralConfig `yaml:"central"`
	// Probe is the opt-in ARP liveness probe.
	Probe ProbeConfig `yaml:"probe"`
	// Baseline configures per-device behaviour baselines.
	Baseline BaselineConfig `yaml:"baseline"`

	// ---- Later sections go here. ----
	// web:, policy: and streams: are added by the issues that read them,
	// each as a field above this comment plus its defaults in Default, its
	// checks in Validate, its keys in wardwatch.yml and its testdata files.
	// Do not add keys that nothing reads yet: unknown keys are errors, so an
	// operator learns at once that a key has no effect.
}

// CaptureConfig is the capture: section: where packets come from and how the
// AF_PACKET (TPACKET_V3) rings are sized.
type CaptureConfig struct {
	// Interfaces are captured live by `wardwatch run`. Empty is valid when
	// only replaying pcap files.
	Interfaces []InterfaceConfig `yaml:"interfaces"`
	// RingSize is the AF_PACKET ring per interface and worker (1MiB..4GiB,
	// a multiple of BlockSize). The block count is RingSize / BlockSize.
	RingSize ByteSize `yaml:"ring_size"`
	// BlockSize is the TPACKET_V3 block size: a power-of-two multiple of
	// the 4096-byte page size, at most RingSize.
	BlockSize ByteSize `yaml:"block_size"`
	// Snaplen is the most bytes kept per frame (64..262144).
	Snaplen int `yaml:"snaplen"`
	// PollTimeout is how long a worker waits for a block to fill (1ms..10s).
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// FanoutGroup is the PACKET_FANOUT group id (hash by flow) of the
	// first interface, the next interfaces using the next ids; 0 picks
	// free ids when there is more than one worker.
	FanoutGroup int `yaml:"fanout_group"`
	// Workers is the decode workers per interface, each a fanout member
	// (live) or a share of the file's frames (replay): "auto" (0, the
	// default) is one per CPU; else 1..64.
	Workers Workers `yaml:"workers"`
}

// InterfaceConfig is one entry of capture.interfaces.
type InterfaceConfig struct {
	// Name is the Linux interface name (1..15 bytes, no '/', ':' or
	// whitespace). Required.
	Name string `yaml:"name"`
	// Vantage is the label recorded as the vantage of assets seen on this
	// interface (model.AssetKey.Vantage). Decoding sets it to Name when it
	// is empty or unset.
	Vantage string `yaml:"vantage"`
	// VLAN is stamped on untagged frames from this interface (an access-port
	// SPAN that carries no tags); 0 leaves them untagged. 0..4094.
	VLAN int `yaml:"vlan"`
	// Promiscuous puts the interface into promiscuous mode. Default true.
	Promiscuous bool `yaml:"promiscuous"`
}

// DecodeConfig is the decode: section.
type DecodeConfig struct {
	// VXLANPorts are the UDP destination ports decapsulated as VXLAN
	// (1..65535, no duplicates). Empty disables VXLAN.
	VXLANPorts []int `yaml:"vxlan_ports"`
	// Tunnels enables decapsulation of ERSPAN I/II/III, GRE TEB and VXLAN.
	Tunnels bool `yaml:"tunnels"`
}

// LimitsConfig is the limits: section: bounds on in-memory tables.
type LimitsConfig struct {
	// MaxAssets bounds each worker's asset table; when it is full the
	// longest-idle asset is evicted for a new one (counted). At least 1.
	MaxAssets int `yaml:"max_assets"`
	// MaxBindings bounds each worker's IP-to-MAC binding table (ARP, DHCP,
	// neighbour discovery); when it is full the least recently reported
	// binding is evicted. At least 1.
	MaxBindings int `yaml:"max_bindings"`
	// NewAssetsBurst and NewAssetsPerSecond are the new-asset budget per
	// worker (token bucket in capture time); MACs beyond it are counted,
	// not stored, and each flood episode is one mac-flood event.
	// NewAssetsPerSecond 0 disables the budget.
	NewAssetsBurst     int     `yaml:"new_assets_burst"`
	NewAssetsPerSecond float64 `yaml:"new_assets_per_second"`
	// MaxFlows bounds each worker's flow table (1..100000000); when it is
	// full the longest-idle flow of a few sampled ones is evicted for a
	// new one (counted).
	MaxFlows int `yaml:"max_flows"`
	// FlowIdleTimeout evicts flows with no packet for this long. 1s..24h.
	FlowIdleTimeout time.Duration `yaml:"flow_idle_timeout"`
}

// WebConfig is the web: section: the HTTP listener for /metrics, the API
// and the web page. The --web.listen-address and --web.config.file flags
// override it.
type WebConfig struct {
	// ListenAddresses to serve on (host:port). Default [":9929"].
	ListenAddresses []string `yaml:"listen_addresses"`
	// ConfigFile is an exporter-toolkit web configuration file (TLS, basic
	// auth). "" serves plain HTTP without authentication.
	ConfigFile string `yaml:"config_file"`
}

// FingerprintsConfig is the fingerprints: section.
type FingerprintsConfig struct {
	// Dir holds extra rule files (*.yml) that override shipped rules of the
	// same name or add new ones. "" uses the shipped rules only.
	Dir string `yaml:"dir"`
}

// AdvisoriesConfig is the advisories: section.
type AdvisoriesConfig struct {
	// Dir holds CSAF 2.0 advisories (*.json, read recursively, offline),
	// e.g. CISA's ICS Medical Advisories. "" matches no advisory.
	Dir string `yaml:"dir"`
}

// RunAsConfig is the run_as: section. Once its capture sockets are open,
// `wardwatch run` drops every capability; started as root it also switches
// to this user and group.
type RunAsConfig struct {
	// User name or uid; "" keeps the current user.
	User string `yaml:"user"`
	// Group name or gid; "" is the user's primary group. When set, the
	// database (-wal, -shm) and events file are created 0640 with that
	// group (for the query tools); otherwise 0600.
	Group string `yaml:"group"`
}

// PolicyConfig is the policy: section.
type PolicyConfig struct {
	// File is the segmentation policy (YAML). "" checks nothing.
	File string `yaml:"file"`
}

// EventsConfig is the events: section: where policy violations and asset
// events (new devices, changes, advisory matches, ...) are sent as ECS JSON
// or CEF events besides the database and the metrics.
type EventsConfig struct {
	// File receives one ECS JSON document per line; "-" is stdout; ""
	// disables it.
	File   string       `yaml:"file"`
	Syslog SyslogConfig `yaml:"syslog"`
}

// SyslogConfig sends the same events as RFC 5424 syslog messages, with
// the ECS document or a CEF record as MSG.
type SyslogConfig struct {
	// Address host:port; "" disables syslog.
	Address string `yaml:"address"`
	// Network udp or tcp (RFC 6587 octet counting). Default udp.
	Network string `yaml:"network"`
	// Facility 0..23. Default 16 (local0).
	Facility int `yaml:"facility"`
	// Format of the message: rfc5424 (structured data, the ECS document
	// as MSG) or cef (ArcSight Common Event Format as MSG). Default
	// rfc5424.
	Format string `yaml:"format"`
}

// StreamsConfig is the streams: section: TCP reassembly for the clinical
// protocols (DICOM, HL7/MLLP).
type StreamsConfig struct {
	// DICOMPorts are followed as DICOM upper layer. 1..65535, no duplicates.
	DICOMPorts []int `yaml:"dicom_ports"`
	// HL7Ports are followed as HL7 v2 over MLLP. 1..65535, no duplicates.
	HL7Ports []int `yaml:"hl7_ports"`
	// ContentDetection also follows connections on any port whose first
	// payload is a DICOM A-ASSOCIATE-RQ or an MLLP-framed MSH segment.
	ContentDetection bool `yaml:"content_detection"`
	// MaxStreams bounds the connections followed at once per worker.
	MaxStreams int `yaml:"max_streams"`
	// MaxBufferedPages bounds out-of-order data held per worker, in
	// 1900-byte pages.
	MaxBufferedPages int `yaml:"max_buffered_pages"`
	// IdleTimeout closes a followed connection with no packet for this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxInspectBytes is how much of each direction of a connection is
	// looked at.
	MaxInspectBytes ByteSize `yaml:"max_inspect_bytes"`
	// MaxBufferBytes bounds the bytes all DICOM and HL7 parsers hold at
	// once (unfinished messages and association PDUs), over every
	// connection; when it is spent they truncate or skip, counted.
	MaxBufferBytes ByteSize `yaml:"max_buffer_bytes"`
}

// StoreConfig is the store: section: the SQLite database and its writer.
type StoreConfig struct {
	// Path is the SQLite database file. Required.
	Path string `yaml:"path"`
	// FlushInterval is the longest a batch waits before it is written
	// (10ms..1m).
	FlushInterval time.Duration `yaml:"flush_interval"`
	// FlushSize writes a batch as soon as this many rows changed since the
	// last one, each counted once (1..1000000).
	FlushSize int `yaml:"flush_size"`
	// QueueSize is the buffer between the decode workers and the writer
	// (1..10000000).
	QueueSize int `yaml:"queue_size"`
	// BusyTimeout is how long SQLite waits on a locked database; 0 fails at
	// once. Not negative.
	BusyTimeout time.Duration `yaml:"busy_timeout"`
}

// InventoryConfig is the inventory: section: the asset lifecycle shown by
// `wardwatch assets`, the API and the web page. An asset's state is
// computed when it is read, from its last-seen time: active, dormant after
// DormantAfter without traffic, retired after RetiredAfter.
type InventoryConfig struct {
	// DormantAfter: an asset not seen for this long is dormant. 1m..8760h.
	DormantAfter time.Duration `yaml:"dormant_after"`
	// RetiredAfter: an asset not seen for this long is retired. Longer
	// than DormantAfter, at most 87600h (10 years).
	RetiredAfter time.Duration `yaml:"retired_after"`
}

// LogConfig is the log: section.
type LogConfig struct {
	// Level is one of debug, info, warn, error.
	Level string `yaml:"level"`
	// Format is logfmt or json ("console" is the old name of logfmt).
	Format string `yaml:"format"`
}

// Default returns the default config: what an empty file decodes to. Each
// call returns a new value, so callers may modify it.
//
// Where a package applies a default of its own to a zero option, Default
// takes that package's exported constant (as litestream's DefaultConfig
// does), so the number has one home: sensor.Default* for capture, decode,
// limits and streams, store.Default* for the writer, exporter for the
// listen address and store/inventory for the asset lifecycle. The rest
// (log, events, the database path, tunnels, workers) are read only from the
// config, and their defaults live here. configs/wardwatch.yml states every
// one of them in a "Default:" comment; TestDocumentedDefaults holds the two
// together.
func Default() *Config {
	return &Config{
		Capture: CaptureConfig{
			Interfaces:  nil,
			RingSize:    sensor.DefaultRingSize,
			BlockSize:   sensor.DefaultBlockSize,
			Snaplen:     sensor.DefaultSnaplen,
			PollTimeout: sensor.DefaultPollTimeout,
			FanoutGroup: 0,
			Workers:     0, // auto
		},
		Decode: DecodeConfig{
			VXLANPorts: ints(sensor.DefaultVXLANPorts()),
			Tunnels:    true,
		},
		Limits: LimitsConfig{
			MaxAssets:          sensor.DefaultMaxAssets,
			MaxBindings:        sensor.DefaultMaxBindings,
			NewAssetsBurst:     sensor.DefaultNewAssetBurst,
			NewAssetsPerSecond: sensor.DefaultNewAssetRate,
			MaxFlows:           sensor.DefaultMaxFlows,
			FlowIdleTimeout:    sensor.DefaultFlowIdle,
		},
		Web: WebConfig{ListenAddresses: []string{exporter.DefaultListenAddress}},
		Events: EventsConfig{
			Syslog: SyslogConfig{Network: "udp", Facility: 16, Format: "rfc5424"}, // local0
		},
		Streams: StreamsConfig{
			DICOMPorts:       ints(sensor.DefaultDICOMPorts()),
			HL7Ports:         ints(sensor.DefaultHL7Ports()),
			ContentDetection: true,
			MaxStreams:       sensor.DefaultMaxStreams,
			MaxBufferedPages: sensor.DefaultMaxBufferedPages,
			IdleTimeout:      sensor.DefaultStreamIdle,
			MaxInspectBytes:  sensor.DefaultMaxInspectBytes,
			MaxBufferBytes:   sensor.DefaultMaxBufferBytes,
		},
		Store: StoreConfig{
			Path:          "./wardwatch.db",
			FlushInterval: store.DefaultFlushInterval,
			FlushSize:     store.DefaultFlushSize,
			QueueSize:     store.DefaultQueueSize,
			BusyTimeout:   store.DefaultBusyTimeout,
		},
		Log: LogConfig{
			Level:  "info",
			Format: "console",
		},
		Inventory: InventoryConfig{
			DormantAfter: inventory.DefaultDormantAfter,
			RetiredAfter: inventory.DefaultRetiredAfter,
		},
		Central:  defaultCentral(),
		Probe:    defaultProbe(),
		Baseline: defaultBaseline(),
	}
}

func ints(ports []uint16) []int {
	out := make([]int, len(ports))
	for i, p := range ports {
		out[i] = int(p)
	}
	return out
}

// DefaultInterface is a capture.interfaces entry for name with every
// other key at its default (what `--interface name` adds).
func DefaultInterface(name string) InterfaceConfig {
	return InterfaceConfig{Name: name, Vantage: name, Promiscuous: true}
}

// UnmarshalYAML applies the per-entry defaults (promiscuous: true) before
// decoding and defaults Vantage to Name after. It uses the func-style
// unmarshaler so the outer decoder's strictness (KnownFields) still applies.
func (i *InterfaceConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*i = DefaultInterface("")
	type plain InterfaceConfig
	if err := unmarshal((*plain)(i)); err != nil {
		return err
	}
	if i.Vantage == "" {
		i.Vantage = i.Name
	}
	return nil
}

// Workers is a worker count; 0 means "auto" (one per CPU).
type Workers int

// N is the number of workers to run: the count, or one per CPU (at most
// 64) for auto.
func (w Workers) N() int {
	if w > 0 {
		return int(w)
	}
	return min(runtime.NumCPU(), 64)
}

// UnmarshalYAML accepts "auto" or a number; a bad value is a
// *yaml.TypeError like ByteSize's, so every problem in the file is listed.
func (w *Workers) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "auto" {
			*w = 0
			return nil
		}
		var v int
		if n.ShortTag() == "!!int" && n.Decode(&v) == nil {
			if v <= 0 {
				v = -1 // rejected by Validate (0 would mean auto)
			}
			*w = Workers(v)
			return nil
		}
	}
	return &yaml.TypeError{Errors: []string{
		fmt.Sprintf("line %d: cannot unmarshal %s `%s` into configs.Workers", n.Line, n.ShortTag(), n.Value),
	}}
}

// MarshalYAML writes auto as "auto".
func (w Workers) MarshalYAML() (any, error) {
	if w == 0 {
		return "auto", nil
	}
	return int(w), nil
}

// ParseWorkers reads a --workers flag value: "auto" or 1..64.
func ParseWorkers(s string) (Workers, error) {
	if s == "auto" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 64 {
		return 0, fmt.Errorf("workers %q: want auto or 1..64", s)
	}
	return Workers(n), nil
}

// Load reads and parses the config file at path. See Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and validates one YAML document. name (usually the file
// path) prefixes every error message; it may be empty. Empty input, or input
// holding only comments, yields Default().
//
// The error lists every problem found, one per line, each in the form
// "name: line N: message". Validation problems wrap a *ValidationError.
func Parse(data []byte, name string) (*Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil
		}
		return nil, decodeError(data, name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, decodeError(data, name, err)
	default:
		return nil, yamlerr.New(name, next.Line,
			errors.New(`more than one YAML document ("---"); a config file holds exactly one`))
	}
	if err := cfg.Validate(); err != nil {
		return nil, locateValidation(data, name, err)
	}
	return cfg, nil
}

// ValidationError is one invalid value found by Validate.
type ValidationError struct {
	Path  string // key path, e.g. "capture.interfaces[1].vlan"
	Value any    // the offending value
	Msg   string // what is wrong, normally starting with the value
}

func (e *ValidationError) Error() string { return e.Path + ": " + e.Msg }

// Validate checks ranges, enums and cross-field rules. It reports every
// problem, joined with errors.Join, each a *ValidationError.
func (c *Config) Validate() error {
	var v validator

	cp := &c.Capture
	seen := make(map[string]int, len(cp.Interfaces))
	for i, iface := range cp.Interfaces {
		p := fmt.Sprintf("capture.interfaces[%d]", i)
		switch {
		case iface.Name == "":
			v.add(p+".name", iface.Name, "must be set")
		case !validIfaceName(iface.Name):
			v.add(p+".name", iface.Name, fmt.Sprintf(
				"%q is not a valid interface name (1-15 bytes, no '/', ':' or whitespace)", iface.Name))
		default:
			if j, dup := seen[iface.Name]; dup {
				v.add(p+".name", iface.Name, fmt.Sprintf(
					"%q duplicates capture.interfaces[%d].name", iface.Name, j))
			} else {
				seen[iface.Name] = i
			}
		}
		v.intRange(p+".vlan", iface.VLAN, 0, 4094)
	}
	v.sizeRange("capture.ring_size", cp.RingSize, 1*MiB, 4*GiB)
	blockOK := cp.BlockSize >= 4096 && cp.BlockSize&(cp.BlockSize-1) == 0
	if !blockOK {
		v.add("capture.block_size", cp.BlockSize, fmt.Sprintf(
			"%s is not a power-of-two multiple of the 4096-byte page size (4KiB, 8KiB, ..., 1MiB, ...)", cp.BlockSize))
	}
	if blockOK && cp.RingSize >= 1*MiB && cp.RingSize <= 4*GiB {
		switch {
		case cp.BlockSize > cp.RingSize:
			v.add("capture.block_size", cp.BlockSize, fmt.Sprintf(
				"%s is larger than capture.ring_size (%s)", cp.BlockSize, cp.RingSize))
		case cp.RingSize%cp.BlockSize != 0:
			v.add("capture.ring_size", cp.RingSize, fmt.Sprintf(
				"%s is not a multiple of capture.block_size (%s)", cp.RingSize, cp.BlockSize))
		}
	}
	v.intRange("capture.snaplen", cp.Snaplen, 64, 262144)
	v.durRange("capture.poll_timeout", cp.PollTimeout, time.Millisecond, 10*time.Second, "1ms..10s")
	v.intRange("capture.fanout_group", cp.FanoutGroup, 0, 65535)
	if cp.Workers != 0 {
		v.intRange("capture.workers", max(int(cp.Workers), 0), 1, 64)
	}

	for i, a := range c.Web.ListenAddresses {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			v.add(fmt.Sprintf("web.listen_addresses[%d]", i), a, fmt.Sprintf("%q is not host:port", a))
		}
	}
	if c.Events.Syslog.Address != "" {
		if _, _, err := net.SplitHostPort(c.Events.Syslog.Address); err != nil {
			v.add("events.syslog.address", c.Events.Syslog.Address, fmt.Sprintf("%q is not host:port", c.Events.Syslog.Address))
		}
	}
	if n := c.Events.Syslog.Network; n != "udp" && n != "tcp" {
		v.add("events.syslog.network", n, fmt.Sprintf("%q: want udp or tcp", n))
	}
	v.intRange("events.syslog.facility", c.Events.Syslog.Facility, 0, 23)
	if f := c.Events.Syslog.Format; f != "rfc5424" && f != "cef" {
		v.add("events.syslog.format", f, fmt.Sprintf("%q: want rfc5424 or cef", f))
	}
	v.portList("decode.vxlan_ports", c.Decode.VXLANPorts)
	v.portList("streams.dicom_ports", c.Streams.DICOMPorts)
	v.portList("streams.hl7_ports", c.Streams.HL7Ports)
	for _, d := range c.Streams.DICOMPorts {
		for _, h := range c.Streams.HL7Ports {
			if d == h {
				v.add("streams.hl7_ports", h, fmt.Sprintf("%d is also in streams.dicom_ports: a port has one protocol", h))
			}
		}
	}
	v.intRange("streams.max_streams", c.Streams.MaxStreams, 1, 10000000)
	v.intRange("streams.max_buffered_pages", c.Streams.MaxBufferedPages, 1, 10000000)
	v.durRange("streams.idle_timeout", c.Streams.IdleTimeout, time.Second, 24*time.Hour, "1s..24h")
	v.sizeRange("streams.max_inspect_bytes", c.Streams.MaxInspectBytes, 1*KiB, 1*GiB)
	v.sizeRange("streams.max_buffer_bytes", c.Streams.MaxBufferBytes, 1*MiB, 64*GiB)
	v.intRange("limits.max_flows", c.Limits.MaxFlows, 1, 100000000)
	v.durRange("limits.flow_idle_timeout", c.Limits.FlowIdleTimeout, time.Second, 24*time.Hour, "1s..24h")

	v.atLeast("limits.max_assets", c.Limits.MaxAssets, 1)
	v.atLeast("limits.max_bindings", c.Limits.MaxBindings, 1)
	v.atLeast("limits.new_assets_burst", c.Limits.NewAssetsBurst, 1)
	if c.Limits.NewAssetsPerSecond < 0 {
		v.add("limits.new_assets_per_second", c.Limits.NewAssetsPerSecond, "must be 0 (no limit) or more")
	}

	st := &c.Store
	if st.Path == "" {
		v.add("store.path", st.Path, "must be set")
	}
	v.durRange("store.flush_interval", st.FlushInterval, 10*time.Millisecond, time.Minute, "10ms..1m")
	v.intRange("store.flush_size", st.FlushSize, 1, 1000000)
	v.intRange("store.queue_size", st.QueueSize, 1, 10000000)
	if st.BusyTimeout < 0 {
		v.add("store.busy_timeout", st.BusyTimeout, fmt.Sprintf("%s must not be negative", st.BusyTimeout))
	}

	inv := &c.Inventory
	dormantOK := v.durRange("inventory.dormant_after", inv.DormantAfter, time.Minute, 8760*time.Hour, "1m..8760h")
	retiredOK := v.durRange("inventory.retired_after", inv.RetiredAfter, time.Minute, 87600*time.Hour, "1m..87600h")
	if dormantOK && retiredOK && inv.RetiredAfter <= inv.DormantAfter {
		v.add("inventory.retired_after", inv.RetiredAfter, fmt.Sprintf(
			"%s must be longer than inventory.dormant_after (%s)", inv.RetiredAfter, inv.DormantAfter))
	}

	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "logfmt", "json", "console") // console: the old name of logfmt

	c.Central.validate(&v)
	c.Probe.validate(&v, c.Capture.Interfaces)
	c.Baseline.validate(&v)

	return errors.Join(v.errs...)
}

// validIfaceName mirrors the kernel's dev_valid_name: 1..IFNAMSIZ-1 bytes,
// not "." or "..", no '/', ':' or whitespace.
func validIfaceName(s string) bool {
	if s == "" || len(s) >= 16 || s == "." || s == ".." {
		return false
	}
	return !strings.ContainsAny(s, "/: \t\n\v\f\r")
}

type validator struct{ errs []error }

func (v *validator) add(path string, value any, msg string) {
	v.errs = append(v.errs, &ValidationError{Path: path, Value: value, Msg: msg})
}

func (v *validator) intRange(path string, n, lo, hi int) bool {
	if n < lo || n > hi {
		v.add(path, n, fmt.Sprintf("%d is out of range %d..%d", n, lo, hi))
		return false
	}
	return true
}

func (v *validator) atLeast(path string, n, lo int) {
	if n < lo {
		v.add(path, n, fmt.Sprintf("%d must be at least %d", n, lo))
	}
}

func (v *validator) sizeRange(path string, n, lo, hi ByteSize) {
	if n < lo || n > hi {
		v.add(path, n, fmt.Sprintf("%s is out of range %s..%s", n, lo, hi))
	}
}

func (v *validator) durRange(path string, d, lo, hi time.Duration, bounds string) bool {
	if d < lo || d > hi {
		v.add(path, d, fmt.Sprintf("%s is out of range %s", d, bounds))
		return false
	}
	return true
}

func (v *validator) oneOf(path, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.add(path, s, fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", ")))
}

// portList checks a list of TCP/UDP ports: each 1..65535, no duplicates.
func (v *validator) portList(path string, list []int) {
	seen := make(map[int]int, len(list))
	for i, port := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		if !v.intRange(p, port, 1, 65535) {
			continue
		}
		if j, dup := seen[port]; dup {
			v.add(p, port, fmt.Sprintf("%d duplicates %s[%d]", port, path, j))
		} else {
			seen[port] = i
		}
	}
}
