package main

import "net"

// Sites: `make fleet-sim` feeds each simulated sensor its own hospital, so
// that the devices of different sites never share a MAC. With -site N
// (1..255) the fourth byte of every MAC of a mixed capture (end hosts and
// the router; the OUI is kept, so vendors and device classes are as
// without it) is N, and the end hosts' last two bytes are drawn as usual:
// site N's MACs are a range of its own. -site 0 (the default) leaves the
// capture exactly as before.

// siteMAC returns mac placed in site's range, or mac unchanged for site 0.
// A locally administered (randomized) MAC is left alone: such MACs are
// random per device anyway.
func siteMAC(mac net.HardwareAddr, site int) net.HardwareAddr {
	if site <= 0 || mac[0]&0x02 != 0 {
		return mac
	}
	mac[3] = byte(site)
	return mac
}
