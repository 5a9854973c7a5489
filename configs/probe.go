package configs

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/sensor/probe"
)

// ProbeConfig is the probe: section: the opt-in ARP liveness probe
// (package sensor/probe), the sensor's only transmitter. Off by default.
type ProbeConfig struct {
	// Enabled turns the probe on. Default false.
	Enabled bool `yaml:"enabled"`
	// Interface sends the probes: a separate interface with an IPv4 address
	// in the clinical VLAN, never one of capture.interfaces. Required when
	// enabled.
	Interface string `yaml:"interface"`
	// Allow lists the IPv4 subnets that may be probed (CIDR, on the
	// interface's link). Required when enabled; nothing outside is ever
	// probed.
	Allow []string `yaml:"allow"`
	// Interval is the least time between two probes of one device
	// (1s..24h).
	Interval time.Duration `yaml:"interval"`
	// Rate bounds the probes per second, all devices together (0.01..1000).
	Rate float64 `yaml:"rate"`
	// Timeout is how long an answer is waited for (100ms..1m).
	Timeout time.Duration `yaml:"timeout"`
}

func defaultProbe() ProbeConfig {
	return ProbeConfig{Allow: []string{}, Interval: probe.DefaultInterval, Rate: probe.DefaultRate, Timeout: probe.DefaultTimeout}
}

// AllowPrefixes returns Allow parsed (valid after Validate).
func (p *ProbeConfig) AllowPrefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(p.Allow))
	for _, s := range p.Allow {
		if pf, err := netip.ParsePrefix(s); err == nil {
			out = append(out, pf)
		}
	}
	return out
}

func (p *ProbeConfig) validate(v *validator, capture []InterfaceConfig) {
	if p.Enabled {
		switch {
		case p.Interface == "":
			v.add("probe.interface", p.Interface, "must be set when probe.enabled is true (a separate interface with an address in the clinical VLAN)")
		case !validIfaceName(p.Interface):
			v.add("probe.interface", p.Interface, fmt.Sprintf(
				"%q is not a valid interface name (1-15 bytes, no '/', ':' or whitespace)", p.Interface))
		default:
			for i, c := range capture {
				if c.Name == p.Interface {
					v.add("probe.interface", p.Interface, fmt.Sprintf(
						"%q is capture.interfaces[%d]: the sensor never transmits on a capture interface; use a separate one", p.Interface, i))
				}
			}
		}
		if len(p.Allow) == 0 {
			v.add("probe.allow", p.Allow, "must list the subnets that may be probed when probe.enabled is true")
		}
	}
	for i, s := range p.Allow {
		path := fmt.Sprintf("probe.allow[%d]", i)
		pf, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			v.add(path, s, fmt.Sprintf("%q is not a CIDR subnet such as 10.20.0.0/24", s))
		case !pf.Addr().Is4():
			v.add(path, s, fmt.Sprintf("%q is not IPv4: ARP probes IPv4 only", s))
		case pf.Masked() != pf:
			v.add(path, s, fmt.Sprintf("%q has host bits set (did you mean %s?)", s, pf.Masked()))
		}
	}
	v.durRange("probe.interval", p.Interval, time.Second, 24*time.Hour, "1s..24h")
	if p.Rate < 0.01 || p.Rate > 1000 {
		v.add("probe.rate", p.Rate, fmt.Sprintf("%g is out of range 0.01..1000 (probes per second)", p.Rate))
	}
	v.durRange("probe.timeout", p.Timeout, 100*time.Millisecond, time.Minute, "100ms..1m")
}
