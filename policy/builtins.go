package policy

import "net/netip"

// nonInternet lists the address blocks that are never the built-in
// "internet" zone, besides what netip classifies (private, loopback,
// link-local, multicast, unspecified).
var nonInternet = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // RFC 1122 "this network" (DHCP clients, probes)
	netip.MustParsePrefix("100.64.0.0/10"),      // RFC 6598 shared address space (carrier-grade NAT)
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
}

// IsInternet reports whether ip belongs to the built-in "internet" zone:
// a valid unicast address that is not
//
//   - private: RFC 1918 (10/8, 172.16/12, 192.168/16) or IPv6 ULA (fc00::/7);
//   - RFC 6598 shared address space (100.64/10);
//   - loopback (127/8, ::1), link-local (169.254/16, fe80::/10), multicast,
//     unspecified, "this network" (0/8) or the limited broadcast.
//
// Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
// 2001:db8::/32) and every other public or reserved block count as
// internet: the demo and the tests use 203.0.113.10 as an internet host, and
// a segmentation policy should rather alert on an odd address than trust it.
// IPv4-mapped IPv6 addresses are judged by their IPv4 address.
func IsInternet(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsUnspecified() {
		return false
	}
	if ip.Is4() {
		for _, p := range nonInternet {
			if p.Contains(ip) {
				return false
			}
		}
	}
	return true
}
