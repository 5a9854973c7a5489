package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// IP protocol numbers used by services.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// portRange is one element of a rule's services: an IP protocol and an
// inclusive server-port range. Protocols other than TCP and UDP have no
// ports: their ranges are 0..65535, so any Flow.Port matches.
type portRange struct {
	proto  uint8
	lo, hi uint16
}

func (r portRange) match(proto uint8, port uint16) bool {
	return r.proto == proto && port >= r.lo && port <= r.hi
}

// String renders the range in the file syntax: "tcp/443", "udp/5000-5100",
// "icmp", "ip/47".
func (r portRange) String() string {
	switch r.proto {
	case protoTCP, protoUDP:
		p := "tcp"
		if r.proto == protoUDP {
			p = "udp"
		}
		if r.lo == r.hi {
			return p + "/" + strconv.Itoa(int(r.lo))
		}
		return p + "/" + strconv.Itoa(int(r.lo)) + "-" + strconv.Itoa(int(r.hi))
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	}
	return "ip/" + strconv.Itoa(int(r.proto))
}

func tcp(ports ...uint16) []portRange { return ports2(protoTCP, ports) }
func udp(ports ...uint16) []portRange { return ports2(protoUDP, ports) }

func ports2(proto uint8, ports []uint16) []portRange {
	out := make([]portRange, len(ports))
	for i, p := range ports {
		out[i] = portRange{proto, p, p}
	}
	return out
}

func cat(lists ...[]portRange) []portRange {
	var out []portRange
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// namedServices are the service names a rule may use. The list is part of
// the file format: it is documented in the package comment and in
// configs/policy.yml; a name is never redefined, only added.
var namedServices = map[string][]portRange{
	// Clinical.
	"dicom":     tcp(104, 11112),
	"dicom-tls": tcp(2762),
	"hl7":       tcp(2575),
	// Infrastructure.
	"dhcp":       udp(67, 68),
	"dns":        cat(udp(53), tcp(53)),
	"ntp":        udp(123),
	"ldap":       tcp(389, 636),
	"kerberos":   cat(udp(88), tcp(88)),
	"syslog":     udp(514),
	"syslog-tls": tcp(6514),
	"snmp":       udp(161, 162),
	"tftp":       udp(69),
	// Web and file.
	"http":  tcp(80),
	"https": tcp(443),
	"smb":   tcp(445),
	"ftp":   tcp(21),
	"smtp":  tcp(25, 587),
	"mssql": tcp(1433),
	// Remote access.
	"ssh":    tcp(22),
	"telnet": tcp(23),
	"rdp":    tcp(3389),
	"vnc":    tcp(5900),
	// Voice and IoT.
	"sip":  cat(udp(5060), tcp(5060, 5061)),
	"mqtt": tcp(1883, 8883),
	// Port-less protocols.
	"icmp":   {{protoICMP, 0, 65535}},
	"icmpv6": {{protoICMPv6, 0, 65535}},
}

// serviceNames lists namedServices' keys, sorted, for error messages.
var serviceNames = func() []string {
	names := make([]string, 0, len(namedServices))
	for n := range namedServices {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

// learnOrder is the order in which Learn tries to name a set of observed
// ports: multi-port services first, so "dns" wins over a bare udp/53.
var learnOrder = func() []string {
	names := append([]string(nil), serviceNames...)
	sort.SliceStable(names, func(i, j int) bool {
		return len(namedServices[names[i]]) > len(namedServices[names[j]])
	})
	return names
}()

// parseService parses one entry of a rule's services list: a named service,
// "tcp/N", "udp/N", "tcp/N-M", "udp/N-M" or "ip/P" (IP protocol P, any
// port). Ports are 1..65535; protocols 0..255.
func parseService(s string) ([]portRange, error) {
	if rs, ok := namedServices[s]; ok {
		return rs, nil
	}
	proto, spec, found := strings.Cut(s, "/")
	if !found {
		return nil, fmt.Errorf("unknown service %q (use tcp/PORT, udp/PORT, tcp/LOW-HIGH, udp/LOW-HIGH, ip/PROTOCOL or one of %s)",
			s, strings.Join(serviceNames, ", "))
	}
	switch proto {
	case "tcp", "udp":
		lo, hi := spec, spec
		if a, b, isRange := strings.Cut(spec, "-"); isRange {
			lo, hi = a, b
		}
		l, err1 := strconv.ParseUint(lo, 10, 16)
		h, err2 := strconv.ParseUint(hi, 10, 16)
		switch {
		case err1 != nil || err2 != nil || l == 0 || h == 0:
			return nil, fmt.Errorf("%q is not a valid port or port range (ports are 1..65535, a range is LOW-HIGH)", s)
		case l > h:
			return nil, fmt.Errorf("%q is not a valid port range (%d is greater than %d)", s, l, h)
		}
		p := uint8(protoTCP)
		if proto == "udp" {
			p = protoUDP
		}
		return []portRange{{p, uint16(l), uint16(h)}}, nil
	case "ip":
		n, err := strconv.ParseUint(spec, 10, 8)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid IP protocol (ip/0..ip/255)", s)
		}
		if n == protoTCP || n == protoUDP {
			return nil, fmt.Errorf("%q: use tcp/PORT or udp/PORT for TCP and UDP", s)
		}
		return []portRange{{uint8(n), 0, 65535}}, nil
	}
	return nil, fmt.Errorf("%q has an unknown protocol %q (use tcp, udp or ip)", s, proto)
}
