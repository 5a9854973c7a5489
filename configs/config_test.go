package configs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

// TestBadConfigs maps each invalid file to its exact error: the spec for
// what an operator sees.
func TestBadConfigs(t *testing.T) {
	byteSizeWant := `expected a byte size such as 1048576 or "64MiB" (units B, KiB, MiB, GiB, TiB)`
	durWant := `expected a duration such as "500ms", "1s" or "24h"`
	tests := []struct {
		file string
		want []string // one line per problem, without the "testdata/<file>: " prefix
	}{
		{"unknown-key.bad.yml", []string{`line 4: unknown key "ringsize" in capture`}},
		{"unknown-key-interface.bad.yml", []string{`line 5: unknown key "vlna" in capture.interfaces[1]`}},
		{"unknown-section.bad.yml", []string{`line 3: unknown key "metrics" at the top level`}},
		{"bad-type.bad.yml", []string{
			`line 2: capture.snaplen: expected an integer, got "lots"`,
			`line 4: decode.tunnels: expected true or false, got "maybe"`,
			`line 5: decode.vxlan_ports: expected a list, got 4789`,
		}},
		{"section-type.bad.yml", []string{`line 1: capture: expected a mapping, got "eth1"`}},
		{"not-a-mapping.bad.yml", []string{`line 1: expected a mapping at the top level, got a list`}},
		{"vlan-range.bad.yml", []string{`line 6: capture.interfaces[1].vlan: 5000 is out of range 0..4094`}},
		{"duplicate-interface.bad.yml", []string{
			`line 5: capture.interfaces[2].name: "eth1" duplicates capture.interfaces[0].name`,
		}},
		{"interface-name.bad.yml", []string{
			`line 3: capture.interfaces[0].name: "eth0/1" is not a valid interface name (1-15 bytes, no '/', ':' or whitespace)`,
			`line 4: capture.interfaces[1].name: "averyveryverylongname" is not a valid interface name (1-15 bytes, no '/', ':' or whitespace)`,
			`line 5: capture.interfaces[2].name: must be set`,
		}},
		{"streams.bad.yml", []string{
			`line 3: streams.hl7_ports: 2575 is also in streams.dicom_ports: a port has one protocol`,
			`line 4: streams.idle_timeout: 10ms is out of range 1s..24h`,
		}},
		{"workers-bad.bad.yml", []string{
			`line 4: capture.workers: expected "auto" or a number of workers 1..64, got "many"`,
		}},
		{"log-level.bad.yml", []string{
			`line 2: log.level: "verbose" is not one of debug, info, warn, error`,
			`line 3: log.format: "text" is not one of logfmt, json, console`,
		}},
		{"duration.bad.yml", []string{
			`line 2: capture.poll_timeout: ` + durWant + `, got "5 sec"`,
			`line 4: store.busy_timeout: ` + durWant + `, got 100 (a unit is required)`,
			`line 5: store.flush_interval: ` + durWant + `, got "30d"`,
		}},
		{"duration-range.bad.yml", []string{
			`line 2: capture.poll_timeout: 0s is out of range 1ms..10s`,
			`line 4: store.flush_interval: 2m0s is out of range 10ms..1m`,
			`line 5: store.busy_timeout: -1s must not be negative`,
		}},
		{"byte-size.bad.yml", []string{
			`line 2: capture.ring_size: ` + byteSizeWant + `, got "64MB"`,
			`line 3: capture.block_size: ` + byteSizeWant + `, got a list`,
		}},
		{"block-size.bad.yml", []string{
			`line 2: capture.block_size: 1000 is not a power-of-two multiple of the 4096-byte page size (4KiB, 8KiB, ..., 1MiB, ...)`,
		}},
		{"block-ring.bad.yml", []string{`line 3: capture.block_size: 2MiB is larger than capture.ring_size (1MiB)`}},
		{"ring-multiple.bad.yml", []string{`line 2: capture.ring_size: 3MiB is not a multiple of capture.block_size (2MiB)`}},
		{"ring-range.bad.yml", []string{`line 2: capture.ring_size: 512KiB is out of range 1MiB..4GiB`}},
		{"ranges.bad.yml", []string{
			`line 2: capture.snaplen: 10 is out of range 64..262144`,
			`line 3: capture.fanout_group: 70000 is out of range 0..65535`,
			`line 4: capture.workers: 65 is out of range 1..64`,
			`line 6: decode.vxlan_ports[1]: 0 is out of range 1..65535`,
			`line 6: decode.vxlan_ports[2]: 4789 duplicates decode.vxlan_ports[0]`,
			`line 8: limits.max_assets: 0 must be at least 1`,
			`line 9: limits.max_bindings: -5 must be at least 1`,
			`line 11: store.path: must be set`,
			`line 12: store.flush_size: 0 is out of range 1..1000000`,
			`line 13: store.queue_size: 20000000 is out of range 1..10000000`,
		}},
		{"two-documents.bad.yml", []string{
			`line 3: more than one YAML document ("---"); a config file holds exactly one`,
		}},
		{"tab-indent.bad.yml", []string{`line 2: tab character used for indentation of "snaplen"; YAML indents with spaces only`}},
		{"duplicate-key.bad.yml", []string{`line 4: duplicate key "flush_size" in store (first set at line 2)`}},
		{"inventory.bad.yml", []string{
			`line 3: inventory.retired_after: 24h0m0s must be longer than inventory.dormant_after (168h0m0s)`,
		}},
		{"inventory-range.bad.yml", []string{
			`line 2: inventory.dormant_after: 10s is out of range 1m..8760h`,
			`line 3: inventory.retired_after: 876001h0m0s is out of range 1m..87600h`,
		}},
		{"central.bad.yml", []string{
			`line 2: central.dsn: holds a password: put it in a file only the wardwatch user can read and set central.password_file`,
			`line 3: central.sensor: must be set when central.dsn is (it stamps every row pushed)`,
			`line 4: central.site: "ward\x01": at most 128 bytes, no control characters`,
			`line 5: central.batch_size: 0 is out of range 1..100000`,
			`line 6: central.interval: 100ms is out of range 1s..1h`,
		}},
		{"probe.bad.yml", []string{
			`line 5: probe.interface: "eth1" is capture.interfaces[0]: the sensor never transmits on a capture interface; use a separate one`,
			`line 7: probe.allow[0]: "10.20.0.7/24" has host bits set (did you mean 10.20.0.0/24?)`,
			`line 8: probe.allow[1]: "fd00::/64" is not IPv4: ARP probes IPv4 only`,
			`line 9: probe.allow[2]: "ward-3" is not a CIDR subnet such as 10.20.0.0/24`,
			`line 10: probe.interval: 500ms is out of range 1s..24h`,
			`line 11: probe.rate: 5000 is out of range 0.01..1000 (probes per second)`,
			`line 12: probe.timeout: 5m0s is out of range 100ms..1m`,
		}},
		{"probe-empty.bad.yml", []string{
			`line 3: probe.interface: must be set when probe.enabled is true (a separate interface with an address in the clinical VLAN)`,
			`line 4: probe.allow: must list the subnets that may be probed when probe.enabled is true`,
		}},
		{"baseline.bad.yml", []string{
			`line 2: baseline.learn_for: 500ms is out of range 1s..8760h`,
			`line 3: baseline.max_assets: 0 is out of range 1..10000000`,
			`line 4: baseline.max_items: 100001 is out of range 1..100000`,
			`line 5: baseline.class_min_devices: -1 is out of range 1..100000`,
		}},
		{"central-url.bad.yml", []string{
			`line 2: central.dsn: holds a password: put it in a file only the wardwatch user can read and set central.password_file`,
		}},
	}

	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, cfg)
			}
			if cfg != nil {
				t.Errorf("Load(%s) returned a config with its error", path)
			}
			lines := make([]string, len(tt.want))
			for i, w := range tt.want {
				lines[i] = path + ": " + w
			}
			if got, want := err.Error(), strings.Join(lines, "\n"); got != want {
				t.Errorf("Load(%s) error:\n got: %s\nwant: %s", path, got, want)
			}
		})
	}

	// Every *.bad.yml file must be in the table above.
	files, err := filepath.Glob("testdata/*.bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no entry in the TestBadConfigs table", f)
		}
	}
}

func TestGoodConfigs(t *testing.T) {
	withDefaults := func(edit func(*Config)) *Config {
		c := Default()
		edit(c)
		return c
	}
	tests := []struct {
		file string
		want *Config
	}{
		{"empty.good.yml", Default()},
		{"comments-only.good.yml", Default()},
		{"minimal.good.yml", withDefaults(func(c *Config) {
			c.Capture.Interfaces = []InterfaceConfig{{Name: "eth1", Vantage: "eth1", Promiscuous: true}}
			c.Store.Path = "/var/lib/wardwatch/wardwatch.db"
		})},
		{"workers-no-fanout.good.yml", withDefaults(func(c *Config) {
			c.Capture.Interfaces = []InterfaceConfig{{Name: "eth1", Vantage: "eth1", Promiscuous: true}}
			c.Capture.Workers = 4
		})},
		{"sizes.good.yml", withDefaults(func(c *Config) {
			c.Capture.RingSize = 2 * MiB
			c.Capture.BlockSize = 4 * KiB
			c.Decode.VXLANPorts = []int{}
		})},
		{"full.good.yml", &Config{
			Capture: CaptureConfig{
				Interfaces: []InterfaceConfig{
					{Name: "eth1", Vantage: "core-span", VLAN: 120, Promiscuous: false},
					{Name: "ens2f0.30", Vantage: "ens2f0.30", VLAN: 4094, Promiscuous: true},
				},
				RingSize:    1 * GiB,
				BlockSize:   4 * MiB,
				Snaplen:     9216,
				PollTimeout: 250 * time.Millisecond,
				FanoutGroup: 42,
				Workers:     8,
			},
			Decode: DecodeConfig{VXLANPorts: []int{4789, 8472}, Tunnels: false},
			Limits: LimitsConfig{MaxAssets: 50000, MaxBindings: 75000, NewAssetsBurst: 10000, NewAssetsPerSecond: 100, MaxFlows: 100000, FlowIdleTimeout: 5 * time.Minute},
			Web:    WebConfig{ListenAddresses: []string{":9929"}}, Events: EventsConfig{Syslog: SyslogConfig{Network: "udp", Facility: 16, Format: "rfc5424"}},
			Streams: StreamsConfig{DICOMPorts: []int{104, 11112}, HL7Ports: []int{2575}, ContentDetection: true,
				MaxStreams: 10000, MaxBufferedPages: 4096, IdleTimeout: 2 * time.Minute, MaxInspectBytes: 1 * MiB, MaxBufferBytes: 64 * MiB},
			Store: StoreConfig{
				Path:          "/data/ww.db",
				FlushInterval: time.Minute,
				FlushSize:     1000000,
				QueueSize:     500000,
				BusyTimeout:   90 * time.Second,
			},
			Log:       LogConfig{Level: "debug", Format: "json"},
			Inventory: InventoryConfig{DormantAfter: 48 * time.Hour, RetiredAfter: 30 * 24 * time.Hour},
			Central:   CentralConfig{BatchSize: 2000, Interval: 10 * time.Second},
			Probe:     ProbeConfig{Allow: []string{}, Interval: 5 * time.Minute, Rate: 10, Timeout: 2 * time.Second},
			Baseline:  BaselineConfig{LearnFor: 72 * time.Hour, MaxAssets: 5000, MaxItems: 16, ClassMinDevices: 5},
		}},
		{"probe.good.yml", withDefaults(func(c *Config) {
			c.Capture.Interfaces = []InterfaceConfig{{Name: "eth1", Vantage: "eth1", Promiscuous: true}}
			c.Probe = ProbeConfig{Enabled: true, Interface: "eth2.20", Allow: []string{"10.20.0.0/24", "10.20.1.0/28"},
				Interval: 10 * time.Minute, Rate: 2.5, Timeout: time.Second}
		})},
		{"central.good.yml", withDefaults(func(c *Config) {
			c.Central = CentralConfig{DSN: "host=central.example dbname=wardwatch user=sensor sslmode=verify-full sslrootcert=/etc/wardwatch/central-ca.pem",
				PasswordFile: "/etc/wardwatch/central-password", Sensor: "icu-core-1", Site: "St Mary's, main campus",
				BatchSize: 500, Interval: 30 * time.Second}
		})},
	}

	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			got, err := Load(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, *tt.want)
			}
		})
	}
	files, err := filepath.Glob("testdata/*.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no entry in the TestGoodConfigs table", f)
		}
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	want := &Config{
		Capture: CaptureConfig{RingSize: 64 * MiB, BlockSize: MiB, Snaplen: 65535,
			PollTimeout: 100 * time.Millisecond, Workers: 0},
		Decode: DecodeConfig{VXLANPorts: []int{4789, 4790}, Tunnels: true},
		Limits: LimitsConfig{MaxAssets: 200000, MaxBindings: 200000, NewAssetsBurst: 10000, NewAssetsPerSecond: 100, MaxFlows: 100000, FlowIdleTimeout: 5 * time.Minute},
		Web:    WebConfig{ListenAddresses: []string{":9929"}}, Events: EventsConfig{Syslog: SyslogConfig{Network: "udp", Facility: 16, Format: "rfc5424"}},
		Streams: StreamsConfig{DICOMPorts: []int{104, 11112}, HL7Ports: []int{2575}, ContentDetection: true,
			MaxStreams: 10000, MaxBufferedPages: 4096, IdleTimeout: 2 * time.Minute, MaxInspectBytes: 1 * MiB, MaxBufferBytes: 64 * MiB},
		Store: StoreConfig{Path: "./wardwatch.db", FlushInterval: time.Second, FlushSize: 50000,
			QueueSize: 100000, BusyTimeout: 5 * time.Second},
		Log:       LogConfig{Level: "info", Format: "console"},
		Inventory: InventoryConfig{DormantAfter: 7 * 24 * time.Hour, RetiredAfter: 90 * 24 * time.Hour},
		Central:   CentralConfig{BatchSize: 2000, Interval: 10 * time.Second},
		Probe:     ProbeConfig{Allow: []string{}, Interval: 5 * time.Minute, Rate: 10, Timeout: 2 * time.Second},
		Baseline:  BaselineConfig{LearnFor: 7 * 24 * time.Hour, MaxAssets: 100000, MaxItems: 64, ClassMinDevices: 3},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Default() = %+v\nwant %+v", *d, *want)
	}
	// Each call is independent.
	d.Decode.VXLANPorts[0] = 1
	if Default().Decode.VXLANPorts[0] != 4789 {
		t.Error("Default() shares its slices between calls")
	}
}

// TestExample checks the shipped example: it parses and validates, the
// embedded copy is the file, its values are the defaults (so its "Default:"
// comments are true) and it mentions every key.
func TestExample(t *testing.T) {
	onDisk, err := os.ReadFile("wardwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, Example) {
		t.Fatal("Example differs from wardwatch.yml")
	}
	got, err := Parse(Example, "wardwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Capture.Interfaces = []InterfaceConfig{{Name: "eth1", Vantage: "eth1", Promiscuous: true}}
	want.Store.Path = "/var/lib/wardwatch/wardwatch.db"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("example = %+v\nwant      %+v", *got, *want)
	}

	tree := yamlerr.NewTree(Example)
	for _, path := range yamlKeys(reflect.TypeFor[Config](), "") {
		if tree.Lookup(yamlerr.ParsePath(path)) == nil {
			t.Errorf("wardwatch.yml does not document %s", path)
		}
	}
}

// yamlKeys lists the key paths of a config type: "capture.ring_size",
// "capture.interfaces[0].name", ...
func yamlKeys(typ reflect.Type, prefix string) []string {
	var keys []string
	for f := range typ.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		p := tag
		if prefix != "" {
			p = prefix + "." + tag
		}
		keys = append(keys, p)
		ft := f.Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			keys = append(keys, yamlKeys(ft.Elem(), p+"[0]")...)
		} else if ft.Kind() == reflect.Struct {
			keys = append(keys, yamlKeys(ft, p)...)
		}
	}
	return keys
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
	if want := "open config: open " + path + ": no such file or directory"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestParseWithoutName(t *testing.T) {
	_, err := Parse([]byte("capture:\n  snaplen: 1\n"), "")
	if want := "line 2: capture.snaplen: 1 is out of range 64..262144"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestValidationErrorAs(t *testing.T) {
	_, err := Parse([]byte("capture:\n  interfaces:\n    - name: eth1\n    - name: eth2\n      vlan: 5000\n"), "x.yml")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("errors.As(%v, *ValidationError) = false", err)
	}
	if ve.Path != "capture.interfaces[1].vlan" || ve.Value != 5000 {
		t.Errorf("ValidationError = %+v", ve)
	}
}

// TestValidate covers configs built in Go rather than decoded.
func TestValidate(t *testing.T) {
	c := Default()
	c.Capture.Interfaces = []InterfaceConfig{{Name: "eth1"}, {Name: "eth 2", VLAN: -1}}
	c.Capture.BlockSize = 12 * KiB
	c.Log.Level = "warning"
	want := strings.Join([]string{
		`capture.interfaces[1].name: "eth 2" is not a valid interface name (1-15 bytes, no '/', ':' or whitespace)`,
		`capture.interfaces[1].vlan: -1 is out of range 0..4094`,
		`capture.block_size: 12KiB is not a power-of-two multiple of the 4096-byte page size (4KiB, 8KiB, ..., 1MiB, ...)`,
		`log.level: "warning" is not one of debug, info, warn, error`,
	}, "\n")
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
}

func TestInterfaceNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"eth1": true, "ens2f0.30": true, "bond0": true, "a": true, "fifteen-bytes15": true,
		"": false, "sixteen-bytes-16": false, ".": false, "..": false,
		"eth0/1": false, "eth0:1": false, "eth 0": false, "eth\t0": false,
	} {
		if got := validIfaceName(name); got != ok {
			t.Errorf("validIfaceName(%q) = %v, want %v", name, got, ok)
		}
	}
}

// TestDurations checks that yaml.v3 decodes time.Duration from Go duration
// strings, and that a bare number (no unit) is rejected.
func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1s": time.Second, "500ms": 500 * time.Millisecond, "24h": 24 * time.Hour,
		"1m30s": 90 * time.Second, `"2s"`: 2 * time.Second, "0s": 0, "1.5s": 1500 * time.Millisecond,
	} {
		c, err := Parse([]byte("store:\n  busy_timeout: "+in+"\n"), "")
		if err != nil {
			t.Errorf("busy_timeout: %s: %v", in, err)
			continue
		}
		if c.Store.BusyTimeout != want {
			t.Errorf("busy_timeout: %s = %v, want %v", in, c.Store.BusyTimeout, want)
		}
	}
	for _, in := range []string{"5", "1d", "5 sec", "-", "true"} {
		if _, err := Parse([]byte("store:\n  busy_timeout: "+in+"\n"), ""); err == nil {
			t.Errorf("busy_timeout: %s was accepted", in)
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{
		"0": 0, "1048576": MiB, "512B": 512, "4KiB": 4 * KiB, "4 KiB": 4 * KiB,
		"64MiB": 64 * MiB, "4GiB": 4 * GiB, "1TiB": TiB, "8388607TiB": 8388607 * TiB,
	} {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "64MB", "64mib", "1.5GiB", "-1MiB", "MiB", "64  MiB", "8388608TiB",
		"99999999999999999999"} {
		if got, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %v, want an error", in, got)
		}
	}
	for b, want := range map[ByteSize]string{
		0: "0", 1000: "1000", 1536: "1536", 2048: "2KiB", 12 * KiB: "12KiB", 64 * MiB: "64MiB",
		4 * GiB: "4GiB", 3 * TiB: "3TiB", -MiB: "-1MiB",
	} {
		if got := b.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(b), got, want)
		}
	}

	// YAML: integers are bytes, strings carry units; both marshal back.
	var v struct {
		A, B, C ByteSize
	}
	if err := yaml.Unmarshal([]byte("a: 4096\nb: 64MiB\nc: 0x100000\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 4*KiB || v.B != 64*MiB || v.C != MiB {
		t.Errorf("decoded %+v", v)
	}
	v.A = 1000
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: 1000\nb: 64MiB\nc: 1MiB\n"; string(out) != want {
		t.Errorf("marshalled %q, want %q", out, want)
	}
}

// TestRoundTrip marshals a config and parses it back, as a future /config
// endpoint or `wardwatch config dump` would.
func TestRoundTrip(t *testing.T) {
	in, err := Load("testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := yaml.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(data, "marshalled")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the config:\n in %+v\nout %+v", *in, *out)
	}
}
