package store

// DHCPv4 client fingerprints and host names, with their change events.

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// hostKey is one asset_hostnames row.
type hostKey struct {
	asset  int64
	source model.ObsSource
	name   string
}

// hostSpan is the pending first and last sighting of a host name.
type hostSpan struct{ first, last int64 }

// dhcpObs records a DHCPv4 client message and classifies the asset again
// when what classification reads changed.
func (b *batch) dhcpObs(key model.AssetKey, o *model.Observation, t time.Time) error {
	a, err := b.asset(key, o.OuterVLAN, t, t, 0, 0)
	if err != nil || o.DHCP == nil {
		return err
	}
	// Classification reads hostname, option 55 and option 60: only a
	// change to one of them makes the asset worth classifying again.
	h, pl, vc := a.hostname, a.params, a.vendorClass
	b.dhcp(a, key, normIP(o.IP), o.DHCP, t)
	if a.hostname != h || a.params != pl || a.vendorClass != vc {
		b.markDirty(a, t)
	}
	return nil
}

// dhcp stores a client's fingerprint and names, with an event for each
// change of a previously known hostname, vendor class or parameter list.
func (b *batch) dhcp(a *assetState, key model.AssetKey, ip netip.Addr, d *model.DHCPInfo, t time.Time) {
	if !usableIP(ip) {
		ip = netip.Addr{}
	}
	if d.Hostname != "" {
		if a.hostname != "" && !sameHost(a.hostname, d.Hostname) {
			b.event(model.EventHostname, t, key, a.id, ip, a.hostname, d.Hostname)
		}
		a.hostname = d.Hostname
	} else if d.FQDN != "" && a.hostname == "" {
		a.hostname = d.FQDN // no option 12 known: the FQDN names it
	}
	if d.VendorClass != "" {
		if a.vendorClass != "" && a.vendorClass != d.VendorClass {
			b.event(model.EventVendorClass, t, key, a.id, ip, a.vendorClass, d.VendorClass)
		}
		a.vendorClass = d.VendorClass
	}
	if params := paramList(d.ParamList); params != "" {
		if a.params != "" && a.params != params {
			b.event(model.EventDHCPFingerprint, t, key, a.id, ip, a.params, params)
		}
		a.params = params
	}
	a.setDHCP(d)
	for _, h := range [...]struct {
		name   string
		source model.ObsSource
	}{{d.Hostname, model.SourceDHCPOpt12}, {d.FQDN, model.SourceDHCPOpt81}} {
		if h.name == "" {
			continue
		}
		hk := hostKey{a.id, h.source, h.name}
		tn := ns(t)
		if s := b.hosts[hk]; s != nil {
			s.first, s.last = minNS(s.first, tn), maxNS(s.last, tn)
		} else {
			b.hosts[hk] = &hostSpan{tn, tn}
			b.changed()
		}
	}
}

// writeHosts upserts the host names seen since the last flush.
func (f *flush) writeHosts() error {
	for k, s := range f.hosts {
		if _, err := f.exec(sHostUpsert, k.asset, k.name, k.source, s.first, s.last); err != nil {
			return err
		}
	}
	return nil
}

// sameHost reports whether two names name the same host: equal ignoring
// case, or one is the other's first label (an option 81 FQDN stored before
// the option 12 name arrived).
func sameHost(old, new string) bool {
	if strings.EqualFold(old, new) {
		return true
	}
	o, n := strings.ToLower(old), strings.ToLower(new)
	return strings.HasPrefix(o, n+".") || strings.HasPrefix(n, o+".")
}

// paramList formats option 55 as "1,3,6,15".
func paramList(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	buf := make([]byte, 0, 4*len(p))
	for i, c := range p {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendUint(buf, uint64(c), 10)
	}
	return string(buf)
}

// relayID formats an option 82 sub-option: as text if every byte is
// printable ASCII, else "0x" and lowercase hex.
func relayID(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	for _, c := range p {
		if c < 0x20 || c > 0x7e {
			return "0x" + hex.EncodeToString(p)
		}
	}
	return string(p)
}
