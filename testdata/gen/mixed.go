package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
)

// mixedDuration is the capture span the mixed generator aims at, whatever
// -packets is.
const mixedDuration = 10 * time.Minute

// oui is a real IEEE MA-L assignment (from /usr/share/ieee-data/oui.csv).
type oui [3]byte

var (
	ouiDell      = []oui{{0x98, 0xe7, 0x43}, {0xc8, 0xf7, 0x50}, {0xf8, 0xbc, 0x12}}
	ouiHPInc     = []oui{{0x04, 0x0e, 0x3c}, {0x50, 0x81, 0x40}}
	ouiHPE       = []oui{{0x00, 0x1a, 0x4b}, {0xdc, 0x4a, 0x3e}}
	ouiLenovo    = []oui{{0x10, 0xc5, 0x95}}
	ouiIntel     = []oui{{0xf0, 0xd5, 0xbf}, {0x3c, 0xa9, 0xf4}, {0xac, 0xed, 0x5c}}
	ouiApple     = []oui{{0xa4, 0xc3, 0x61}, {0x3c, 0x22, 0xfb}, {0x8c, 0x85, 0x90}}
	ouiSamsung   = []oui{{0xd0, 0xd0, 0x03}, {0x7c, 0x89, 0x56}}
	ouiGoogle    = []oui{{0xf4, 0xf5, 0xd8}}
	ouiCisco     = []oui{{0x00, 0x1b, 0x54}, {0x2c, 0x31, 0x24}}
	ouiZebra     = []oui{{0x84, 0x24, 0x8d}, {0x00, 0x23, 0x68}}
	ouiMedical   = []oui{{0x9c, 0xc8, 0xae}, {0x58, 0x46, 0xe1}, {0x00, 0x09, 0x5c}, {0x44, 0x4b, 0x5d}, {0x00, 0x0f, 0x14}, {0x00, 0x03, 0xb1}}
	ouiRouterMix = oui{0x00, 0x56, 0x2b} // Cisco Systems
)

// mixedProfile is a kind of end host in the mixed capture.
type mixedProfile struct {
	name    string
	weight  int
	ouis    []oui
	random  int // percent with a randomized (locally administered) MAC
	ttl     uint8
	dhcp    *dhcpClient // template; nil: static address
	hostFmt func(g *gen, mac net.HardwareAddr, i int) string
	idKind  int // option 61: 0 none, 1 type 1 + MAC, 2 DUID
}

var mixedProfiles = []mixedProfile{
	{name: "win10", weight: 32, ouis: append(append(append([]oui{}, ouiDell...), ouiHPInc...), ouiLenovo...), ttl: 128, idKind: 1,
		dhcp:    &dhcpClient{vendor: "MSFT 5.0", params: []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}, probe: true},
		hostFmt: func(g *gen, _ net.HardwareAddr, _ int) string { return "DESKTOP-" + g.alnum(7) }},
	{name: "win7", weight: 6, ouis: append(append([]oui{}, ouiDell...), ouiHPE...), ttl: 128, idKind: 1,
		dhcp: &dhcpClient{vendor: "MSFT 5.0", params: []byte{1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43, 252}, probe: true},
		hostFmt: func(g *gen, _ net.HardwareAddr, i int) string {
			return fmt.Sprintf("WS-%s-%03d", g.pick([]string{"NURS", "ADM", "LAB", "PHARM", "RAD"}), i%1000)
		}},
	{name: "macos", weight: 6, ouis: ouiApple, ttl: 64, idKind: 1,
		dhcp:    &dhcpClient{params: []byte{1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46}, maxSize: 1500, probe: true},
		hostFmt: func(g *gen, _ net.HardwareAddr, i int) string { return fmt.Sprintf("MacBook-Pro-%d", i%97) }},
	{name: "ios", weight: 6, ouis: ouiApple, random: 80, ttl: 64, idKind: 1,
		dhcp:    &dhcpClient{params: []byte{1, 121, 3, 6, 15, 108, 114, 119, 252}, maxSize: 1500, probe: true},
		hostFmt: func(g *gen, _ net.HardwareAddr, _ int) string { return g.pick([]string{"iPhone", "iPad", "iPhone"}) }},
	{name: "android", weight: 8, ouis: append(append([]oui{}, ouiSamsung...), ouiGoogle...), random: 50, ttl: 64,
		dhcp: &dhcpClient{vendor: "android-dhcp-13", params: []byte{1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108}, maxSize: 1500},
		hostFmt: func(g *gen, _ net.HardwareAddr, _ int) string {
			return g.pick([]string{"Galaxy-S23", "Pixel-8", "android-" + strings.ToLower(g.hex(8))})
		}},
	{name: "linux", weight: 5, ouis: append(append([]oui{}, ouiIntel...), ouiDell...), ttl: 64,
		dhcp:    &dhcpClient{params: []byte{1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42}},
		hostFmt: func(g *gen, _ net.HardwareAddr, i int) string { return fmt.Sprintf("lab-ubuntu-%04d", i) }},
	{name: "networkd", weight: 3, ouis: ouiIntel, ttl: 64, idKind: 2,
		dhcp:    &dhcpClient{params: []byte{1, 3, 6, 12, 15, 28, 42, 119, 121}, maxSize: 1472},
		hostFmt: func(g *gen, _ net.HardwareAddr, i int) string { return fmt.Sprintf("kiosk-%04d", i) }},
	{name: "ciscophone", weight: 8, ouis: ouiCisco, ttl: 64,
		dhcp: &dhcpClient{vendor: "Cisco Systems, Inc. IP Phone CP-8841", params: []byte{1, 66, 6, 3, 15, 150, 35}, bcast: true},
		hostFmt: func(_ *gen, mac net.HardwareAddr, _ int) string {
			return "SEP" + strings.ToUpper(strings.ReplaceAll(mac.String(), ":", ""))
		}},
	{name: "printer", weight: 4, ouis: ouiHPE, ttl: 64, idKind: 1,
		dhcp: &dhcpClient{vendor: "Hewlett-Packard JetDirect", params: []byte{1, 3, 6, 15, 44, 46, 47, 12, 69, 81, 42, 119}},
		hostFmt: func(_ *gen, mac net.HardwareAddr, _ int) string {
			return fmt.Sprintf("NPI%02X%02X%02X", mac[3], mac[4], mac[5])
		}},
	{name: "medical", weight: 7, ouis: ouiMedical, ttl: 64,
		dhcp: &dhcpClient{vendor: "udhcp 1.31.1", params: []byte{1, 3, 6, 12, 15, 28, 42}, maxSize: 576, bcast: true},
		hostFmt: func(g *gen, _ net.HardwareAddr, i int) string {
			return fmt.Sprintf("%s-%04d", g.pick([]string{"INFUSION", "MONITOR", "VENT", "ECG"}), i)
		}},
	{name: "static", weight: 10, ouis: append(append(append([]oui{}, ouiDell...), ouiZebra...), ouiMedical...), ttl: 64},
	{name: "winstatic", weight: 5, ouis: ouiDell, ttl: 128},
}

func (g *gen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *gen) alnum(n int) string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.rng.IntN(len(set))]
	}
	return string(b)
}

func (g *gen) hex(n int) string {
	const set = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.rng.IntN(16)]
	}
	return string(b)
}

// mhost is an end host of the mixed capture.
type mhost struct {
	*host
	seg    int // index into segments
	cl     *dhcpClient
	joined bool
}

// flow is a queue of frames that the mixed writer interleaves with others.
type flow struct {
	frames []pframe
	next   int
	done   func()
}

type mixed struct {
	g        *gen
	cfg      config
	segs     []segment
	routers  []*host // router interface per segment
	members  [][]*mhost
	joined   [][]*mhost
	all      []*mhost
	allJoin  []*mhost
	dns, ntp *host
	syslog   *host
	dc       []*host // data-centre servers (remote)
	inet     []*host // internet servers (remote)
	svc      *dhcpService
	names    []string
}

func genMixed(w io.Writer, cfg config) (*summary, error) {
	g := newGen(cfg.Seed, "mixed")
	m := &mixed{g: g, cfg: cfg}
	m.build()
	out, err := newPcapOut(w, g.sum)
	if err != nil {
		return nil, err
	}
	if err := m.run(out); err != nil {
		return nil, err
	}
	tagged, untagged, qinq := 0, 0, 0
	for i, sg := range m.segs {
		n := len(m.members[i])
		switch {
		case sg.Outer != 0:
			qinq += n
		case sg.VLAN == 0:
			untagged += n
		default:
			tagged += n
		}
	}
	g.sum.note("hosts planned: %d (%d on %d tagged VLANs, %d untagged, %d Q-in-Q); router MAC %s on every segment",
		len(m.all), tagged, cfg.VLANs, untagged, qinq, m.routers[0].mac)
	return g.sum, nil
}

func ipv4(a, b, c, d int) net.IP { return net.IPv4(byte(a), byte(b), byte(c), byte(d)).To4() }

func (m *mixed) build() {
	g, cfg := m.g, m.cfg
	for i := 0; i < cfg.VLANs; i++ {
		m.segs = append(m.segs, segment{VLAN: uint16(10 * (i + 1))})
	}
	m.segs = append(m.segs, segment{}, segment{Outer: 3000, VLAN: 700})
	routerMAC := siteMAC(net.HardwareAddr{ouiRouterMix[0], ouiRouterMix[1], ouiRouterMix[2], 0x1e, 0x0a, 0x01}, cfg.Site)
	for k, sg := range m.segs {
		m.routers = append(m.routers, &host{name: "router", mac: routerMAC, ip: ipv4(10, k+1, 0, 1), seg: sg,
			ttl: 255, mask: net.CIDRMask(16, 32)})
	}
	m.members = make([][]*mhost, len(m.segs))
	m.joined = make([][]*mhost, len(m.segs))

	remote := func(name string, ip net.IP, ttl uint8) *host {
		return &host{name: name, ip: ip, remote: true, ttl: ttl, port: 49152}
	}
	m.dns = remote("dns", ipv4(172, 16, 0, 53), 127)
	m.ntp = remote("ntp", ipv4(172, 16, 0, 123), 63)
	m.syslog = remote("syslog", ipv4(172, 16, 0, 14), 63)
	dhcpSrv := remote("dhcp", ipv4(172, 16, 0, 67), 127)
	for i := 0; i < 40; i++ {
		ttl := uint8(63)
		if i%3 == 0 {
			ttl = 127
		}
		m.dc = append(m.dc, remote("dc", ipv4(172, 16, 1, 10+i), ttl))
	}
	for i := 0; i < 60; i++ {
		ip := ipv4(198, 51, 100, 10+i)
		if i >= 30 {
			ip = ipv4(203, 0, 113, 10+i-30)
		}
		m.inet = append(m.inet, remote("inet", ip, 50+uint8(i%7)))
	}
	m.names = []string{"www.example.com", "login.example.org", "updates.example.net", "cdn.example.com",
		"mail.hosp.example", "ehr.hosp.example", "api.vendor.example", "portal.example.org", "wpad.hosp.example"}
	m.svc = &dhcpService{
		server: dhcpSrv,
		relay:  func(seg segment) *host { return m.routerFor(seg) },
		domain: "hosp.example", dns: m.dns.ip, lease: 28800,
	}

	totalW := 0
	for _, p := range mixedProfiles {
		totalW += p.weight
	}
	// Uneven VLAN sizes: weight 2..5 each.
	vw := make([]int, cfg.VLANs)
	vwt := 0
	for i := range vw {
		vw[i] = 2 + g.rng.IntN(4)
		vwt += vw[i]
	}
	used := map[[6]byte]bool{{}: true}
	for i := 0; i < cfg.MACs; i++ {
		// Profile.
		r := g.rng.IntN(totalW)
		var p *mixedProfile
		for j := range mixedProfiles {
			if r < mixedProfiles[j].weight {
				p = &mixedProfiles[j]
				break
			}
			r -= mixedProfiles[j].weight
		}
		// Segment: 3% untagged, 2% Q-in-Q, the rest over the VLANs.
		var si int
		switch x := g.rng.IntN(100); {
		case x < 3:
			si = cfg.VLANs
		case x < 5:
			si = cfg.VLANs + 1
		default:
			y := g.rng.IntN(vwt)
			for si = 0; y >= vw[si]; si++ {
				y -= vw[si]
			}
		}
		// MAC.
		var mac net.HardwareAddr
		for {
			o := p.ouis[g.rng.IntN(len(p.ouis))]
			mac = net.HardwareAddr{o[0], o[1], o[2], byte(g.rng.IntN(256)), byte(g.rng.IntN(256)), byte(g.rng.IntN(256))}
			if g.rng.IntN(100) < p.random {
				mac[0] = byte(g.rng.IntN(256))&0xfc | 0x02
			}
			mac = siteMAC(mac, cfg.Site)
			var k [6]byte
			copy(k[:], mac)
			if !used[k] {
				used[k] = true
				break
			}
		}
		n := len(m.members[si])
		h := &host{mac: mac, ip: ipv4(10, si+1, 1+n/240, 10+n%240), seg: m.segs[si], gw: m.routers[si],
			ttl: p.ttl, ipid: uint16(g.rng.Uint32()), port: uint16(49152 + g.rng.IntN(10000))}
		mh := &mhost{host: h, seg: si}
		if p.dhcp != nil {
			cl := *p.dhcp
			cl.profile = p.name
			cl.hostname = p.hostFmt(g, mac, i)
			switch p.idKind {
			case 1:
				cl.clientID = clientID01(mac)
			case 2:
				// RFC 4361: type 255, IAID, DUID-EN.
				cl.clientID = append([]byte{0xff}, mac[2:6]...)
				cl.clientID = append(cl.clientID, 0, 2, 0, 0, 0xab, 0x11)
				cl.clientID = append(cl.clientID, g.randBytes(8)...)
			}
			if p.name == "win10" {
				cl.fqdn = cl.hostname + ".hosp.example"
			}
			mh.cl = &cl
		}
		h.name = p.name
		m.members[si] = append(m.members[si], mh)
		m.all = append(m.all, mh)
	}
}

func (m *mixed) routerFor(seg segment) *host {
	for i, s := range m.segs {
		if s == seg {
			return m.routers[i]
		}
	}
	panic("no router for " + seg.String())
}

// take moves the frames built so far into a flow.
func (m *mixed) take(done func()) *flow {
	f := &flow{frames: m.g.out, done: done}
	m.g.out = nil
	return f
}

// joinFlow: the host appears: DHCP (full or init-reboot) or static ARP.
func (m *mixed) joinFlow(h *mhost) *flow {
	g := m.g
	if h.cl != nil {
		g.dhcpExchange(h.host, h.cl, m.svc, g.rng.IntN(10) < 3)
	} else if g.rng.IntN(4) == 0 {
		g.arpGratuitousReply(h.host)
	} else {
		g.arpAnnounce(h.host)
	}
	// Resolve the gateway.
	g.arpRequest(h.host, h.gw.ip)
	g.arpReply(h.gw, h.host)
	return m.take(func() {
		h.joined = true
		m.joined[h.seg] = append(m.joined[h.seg], h)
		m.allJoin = append(m.allJoin, h)
	})
}

// chatty picks a joined host, favouring a few heavy talkers.
func (m *mixed) chatty() *mhost {
	n := len(m.allJoin)
	u := m.g.rng.Float64()
	return m.allJoin[int(float64(n)*u*u)]
}

func (m *mixed) peerOf(h *mhost) *mhost {
	j := m.joined[h.seg]
	if len(j) < 2 {
		return nil
	}
	for {
		p := j[m.g.rng.IntN(len(j))]
		if p != h {
			return p
		}
	}
}

// responseSize draws an HTTP/TLS response size.
func (m *mixed) responseSize() int {
	g := m.g
	switch x := g.rng.IntN(100); {
	case x < 35:
		return 100 + g.rng.IntN(500)
	case x < 65:
		return 600 + g.rng.IntN(2400)
	case x < 85:
		return 3000 + g.rng.IntN(9000)
	case x < 97:
		return 12000 + g.rng.IntN(40000)
	}
	return 50000 + g.rng.IntN(250000)
}

// tlsSession builds a TLS-over-TCP conversation c -> s:443.
func (m *mixed) tlsSession(c, s *host) {
	m.g.tlsSession(c, s, 443, 1+m.g.rng.IntN(4), m.responseSize)
}

// httpSession builds a plain HTTP/1.1 request and response.
func (m *mixed) httpSession(c, s *host) {
	g := m.g
	t := g.newConn(c, s, 80)
	t.open()
	path := fmt.Sprintf("/static/%s/%d.bin", strings.ToLower(g.hex(6)), g.rng.IntN(10000))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + s.ip.String() + "\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	t.sendBytes(true, []byte(req))
	body := g.randBytes(m.responseSize())
	hdr := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	t.sendBytes(false, append([]byte(hdr), body...))
	t.close(false)
}

func (m *mixed) syslogMsg(c *host) {
	g := m.g
	msg := fmt.Sprintf("<134>1 %s %s app %d - - event id=%d status=ok", g.now.Format(time.RFC3339), c.ip, 1000+g.rng.IntN(9000), g.rng.IntN(100000))
	g.udp(c, m.syslog, c.nextPort(), 514, gopacket.Payload(msg))
}

// steadyFlow builds one ordinary conversation of a joined host.
func (m *mixed) steadyFlow() *flow {
	g := m.g
	h := m.chatty()
	switch x := g.rng.IntN(100); {
	case x < 33:
		s := m.dc[g.rng.IntN(len(m.dc))]
		if g.rng.IntN(2) == 0 {
			s = m.inet[g.rng.IntN(len(m.inet))]
		}
		m.tlsSession(h.host, s)
	case x < 41:
		m.httpSession(h.host, m.dc[g.rng.IntN(len(m.dc))])
	case x < 53:
		if p := m.peerOf(h); p != nil {
			if g.rng.IntN(3) == 0 {
				g.arpRequest(h.host, p.ip)
				g.arpReply(p.host, h.host)
			}
			m.tlsSession(h.host, p.host)
		} else {
			m.tlsSession(h.host, m.dc[0])
		}
	case x < 75:
		name := m.names[g.rng.IntN(len(m.names))]
		if g.rng.IntN(20) == 0 {
			g.dnsExchange(h.host, m.dns, "nohost-"+strings.ToLower(g.hex(4))+".hosp.example")
		} else {
			g.dnsExchange(h.host, m.dns, name, m.inet[g.rng.IntN(len(m.inet))].ip)
		}
	case x < 79:
		g.ntpExchange(h.host, m.ntp)
	case x < 86:
		m.syslogMsg(h.host)
	case x < 92:
		switch g.rng.IntN(3) {
		case 0:
			g.arpRequest(h.host, h.gw.ip)
			g.arpReply(h.gw, h.host)
		case 1:
			g.arpRequest(h.gw, h.ip)
			g.arpReply(h.host, h.gw)
		default:
			g.arpAnnounce(h.host)
		}
	case x < 94:
		if h.cl != nil {
			g.dhcpRenew(h.host, h.cl, m.svc)
		} else {
			g.ntpExchange(h.host, m.ntp)
		}
	case x < 95:
		if p := m.peerOf(h); p != nil {
			t := g.newConn(h.host, p.host, 3389)
			t.refused()
		} else {
			g.ntpExchange(h.host, m.ntp)
		}
	default:
		// UDP chatter between peers is rare; a second TLS session instead.
		m.tlsSession(h.host, m.inet[g.rng.IntN(len(m.inet))])
	}
	return m.take(nil)
}

func (m *mixed) run(out *pcapOut) error {
	g, cfg := m.g, m.cfg
	P := cfg.Packets
	// Join schedule: 95% of the hosts during the first 15% of frames, the
	// rest spread up to 90%.
	order := g.rng.Perm(len(m.all))
	joinAt := make([]int, len(order))
	early := len(order) * 95 / 100
	for i := range order {
		if i < early {
			joinAt[i] = int(float64(P) * 0.15 * float64(i) / float64(max(early, 1)))
		} else {
			joinAt[i] = int(float64(P) * (0.15 + 0.75*float64(i-early)/float64(max(len(order)-early, 1))))
		}
	}
	const poolSize = 48
	var pool []*flow
	nextJoin := 0
	clock := startTime
	meanGap := float64(mixedDuration) / float64(P)
	written := 0
	for written < P {
		g.now = clock
		for nextJoin < len(order) && joinAt[nextJoin] <= written {
			pool = append(pool, m.joinFlow(m.all[order[nextJoin]]))
			nextJoin++
		}
		for len(pool) < poolSize && len(m.allJoin) > 0 {
			pool = append(pool, m.steadyFlow())
		}
		if len(pool) == 0 {
			if nextJoin < len(order) {
				pool = append(pool, m.joinFlow(m.all[order[nextJoin]]))
				nextJoin++
				continue
			}
			return fmt.Errorf("nothing to send")
		}
		i := g.rng.IntN(len(pool))
		f := pool[i]
		fr := f.frames[f.next]
		f.next++
		gap := time.Duration(g.rng.ExpFloat64() * meanGap)
		clock = clock.Add(max(gap, time.Microsecond))
		fr.ts = clock
		if err := out.write(fr); err != nil {
			return err
		}
		written++
		if f.next == len(f.frames) {
			pool[i] = pool[len(pool)-1]
			pool = pool[:len(pool)-1]
			if f.done != nil {
				f.done()
			}
		}
	}
	return nil
}
