package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// The demo hospital. Addressing: VLAN v uses 10.v.0.0/24 with the core
// switch (Cisco) routing between them at 10.v.0.1.
//
//	VLAN 20  infusion pumps and patient monitors
//	VLAN 30  imaging modalities
//	VLAN 40  clinical workstations, label printer, handheld, IP phone
//	VLAN 50  servers: DC01 (DHCP, DNS, NTP), PACS01, HL7ENG01, ALARIS-GW01, EHR-APP01, CENTRAL-MON01
//
// The SPAN shows each unicast frame once, on the sender's VLAN; the DHCP
// relay legs (client VLAN <-> VLAN 50) are all visible.

const demoDuration = 10 * time.Minute

// Real OUIs (MA-L unless noted) from /usr/share/ieee-data.
var (
	ouiBD          = oui{0x9c, 0xc8, 0xae} // Becton, Dickinson and Company
	ouiCareFusion  = oui{0xf8, 0xc6, 0x78} // Carefusion
	ouiBaxter      = oui{0x58, 0x46, 0xe1} // Baxter International Inc
	ouiICUMedical  = oui{0x00, 0x03, 0xb1} // ICU Medical, Inc.
	ouiPhilipsMed  = oui{0x00, 0x09, 0x5c} // Philips Medical Systems - Cardiac and Monitoring Systems
	ouiPhilipsHC   = oui{0x7c, 0x94, 0xb2} // Philips Healthcare PCCI
	ouiMindray     = oui{0x00, 0x0f, 0x14} // Mindray Co., Ltd.
	ouiDraegerUS   = oui{0x00, 0x30, 0xe6} // Draeger Medical Systems, Inc.
	ouiDraegerwerk = oui{0xf0, 0xe5, 0xc3} // Drägerwerk AG & Co. KG aA
	ouiNihonKohden = oui{0x00, 0xa0, 0x9a} // NIHON KOHDEN AMERICA
	ouiSpacelabs   = oui{0x00, 0xa0, 0xaa} // SPACELABS MEDICAL
	ouiGEHC        = oui{0x44, 0x4b, 0x5d} // GE Healthcare
	ouiSiemensHC   = oui{0x00, 0x18, 0x65} // Siemens Healthcare Diagnostics Manufacturing Ltd
	ouiFujifilm    = oui{0x88, 0xb4, 0x36} // FUJIFILM Corporation
	ouiDellA       = oui{0x98, 0xe7, 0x43} // Dell Inc.
	ouiDellB       = oui{0xf8, 0xbc, 0x12} // Dell Inc.
	ouiHPIncA      = oui{0x04, 0x0e, 0x3c} // HP Inc.
	ouiHPIncB      = oui{0x50, 0x81, 0x40} // HP Inc.
	ouiHPEnt       = oui{0xdc, 0x4a, 0x3e} // Hewlett Packard
	ouiZebraA      = oui{0x00, 0x23, 0x68} // Zebra Technologies Inc
	ouiZebraB      = oui{0x84, 0x24, 0x8d} // Zebra Technologies Inc
	ouiCiscoCore   = oui{0x00, 0x00, 0x0c} // Cisco Systems, Inc
	ouiCiscoSw     = oui{0x2c, 0x31, 0x24} // Cisco Systems, Inc
	ouiCiscoPhone  = oui{0x00, 0x1b, 0x54} // Cisco Systems, Inc
	// GE Medical System China Co. Ltd. is an MA-M block: 50:A0:30:8x:xx:xx.
	mamGEMedical = [4]byte{0x50, 0xa0, 0x30, 0x80}
)

var (
	dhcpWin10    = []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}
	dhcpWinSrv   = []byte{1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252}
	dhcpLinux    = []byte{1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42}
	dhcpEmbedded = []byte{1, 3, 6, 12, 15, 28, 42}
)

type demo struct {
	g       *gen
	routers map[uint16]*host
	svc     *dhcpService
	end     time.Time

	dc01, pacs, hl7eng, pumpgw, ehr, central, internet *host
	pumps, monitors, imaging, workstations             []*host
	clients                                            map[*host]*dhcpClient
	order                                              []*host // DHCP clients in creation order
	ct, us, radws, nursws                              *host
}

func genDemo(w io.Writer, cfg config) (*summary, error) {
	g := newGen(cfg.Seed, "demo")
	d := &demo{g: g, routers: map[uint16]*host{}, clients: map[*host]*dhcpClient{}, end: startTime.Add(demoDuration)}
	d.build()
	d.script()
	sortFrames(g.out)
	out, err := newPcapOut(w, g.sum)
	if err != nil {
		return nil, err
	}
	for _, f := range g.out {
		if err := out.write(f); err != nil {
			return nil, err
		}
	}
	g.out = nil
	return g.sum, nil
}

func (d *demo) mac(o oui) net.HardwareAddr {
	r := d.g.rng
	return net.HardwareAddr{o[0], o[1], o[2], byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))}
}

func (d *demo) at(sec float64) time.Time {
	return startTime.Add(time.Duration(sec * float64(time.Second)))
}

// newHost places a device on VLAN vlan at 10.vlan.0.last.
func (d *demo) newHost(name string, vlan uint16, mac net.HardwareAddr, last int, ttl uint8) *host {
	return &host{name: name, mac: mac, ip: ipv4(10, int(vlan), 0, last), seg: segment{VLAN: vlan},
		gw: d.routers[vlan], ttl: ttl, ipid: uint16(d.g.rng.Uint32()), port: uint16(49152 + d.g.rng.IntN(12000))}
}

// client registers h as a DHCP client.
func (d *demo) client(h *host, vendor string, params []byte, opts ...func(*dhcpClient, *host)) *host {
	cl := &dhcpClient{profile: h.name, hostname: h.name, vendor: vendor, params: params}
	for _, o := range opts {
		o(cl, h)
	}
	d.clients[h] = cl
	d.order = append(d.order, h)
	return h
}

// DHCP client options.
func optID(cl *dhcpClient, h *host)    { cl.clientID = clientID01(h.mac) }
func optFQDN(cl *dhcpClient, h *host)  { cl.fqdn = h.name + ".hosp.example" }
func optProbe(cl *dhcpClient, _ *host) { cl.probe = true }
func optBcast(cl *dhcpClient, _ *host) { cl.bcast = true }
func optMax(n uint16) func(*dhcpClient, *host) {
	return func(cl *dhcpClient, _ *host) { cl.maxSize = n }
}

func (d *demo) build() {
	g := d.g
	core := net.HardwareAddr{ouiCiscoCore[0], ouiCiscoCore[1], ouiCiscoCore[2], 0x9f, 0xf0, 0x01}
	for _, v := range []uint16{20, 30, 40, 50} {
		d.routers[v] = &host{name: fmt.Sprintf("core-vlan%d", v), mac: core, ip: ipv4(10, int(v), 0, 1),
			seg: segment{VLAN: v}, ttl: 255}
	}
	// Servers, VLAN 50.
	d.dc01 = d.newHost("DC01", 50, d.mac(ouiDellB), 10, 128)
	d.pacs = d.client(d.newHost("PACS01", 50, d.mac(ouiHPEnt), 20, 128), "MSFT 5.0", dhcpWinSrv, optID, optFQDN)
	d.hl7eng = d.client(d.newHost("HL7ENG01", 50, d.mac(ouiDellA), 30, 64), "", dhcpLinux)
	d.pumpgw = d.client(d.newHost("ALARIS-GW01", 50, d.mac(ouiDellB), 40, 128), "MSFT 5.0", dhcpWinSrv, optID, optFQDN)
	d.ehr = d.newHost("EHR-APP01", 50, d.mac(ouiHPEnt), 50, 64)
	d.central = d.client(d.newHost("CENTRAL-MON01", 50, d.mac(ouiHPIncA), 60, 128), "MSFT 5.0", dhcpWinSrv, optID)

	// Pumps and monitors, VLAN 20.
	last := 101
	dev := func(name string, o oui, vendor string, params []byte, opts ...func(*dhcpClient, *host)) *host {
		h := d.client(d.newHost(name, 20, d.mac(o), last, 64), vendor, params, opts...)
		last++
		return h
	}
	for i := 42; i <= 47; i++ {
		d.pumps = append(d.pumps, dev(fmt.Sprintf("ALARIS-PC-%04d", i), ouiBD, "BD Alaris PC 8015", dhcpEmbedded, optMax(576), optBcast))
	}
	for i := 48; i <= 49; i++ {
		d.pumps = append(d.pumps, dev(fmt.Sprintf("ALARIS-PC-%04d", i), ouiCareFusion, "CareFusion Alaris PC 8015", dhcpEmbedded, optMax(576), optBcast))
	}
	for i := 101; i <= 103; i++ {
		d.pumps = append(d.pumps, dev(fmt.Sprintf("SIGMA-SPECTRUM-%04d", i), ouiBaxter, "Baxter Spectrum IQ", []byte{1, 3, 6, 15, 28, 42}, optID))
	}
	for i := 7; i <= 8; i++ {
		d.pumps = append(d.pumps, dev(fmt.Sprintf("PLUM360-%04d", i), ouiICUMedical, "ICU Medical Plum 360", []byte{1, 3, 6, 12, 15, 42}))
	}
	for i := 1; i <= 3; i++ {
		d.monitors = append(d.monitors, dev(fmt.Sprintf("MX800-ICU-%02d", i), ouiPhilipsMed, "Philips IntelliVue MX800", []byte{1, 3, 6, 15, 42, 43}))
	}
	d.monitors = append(d.monitors,
		dev("BENEVIEW-N17-01", ouiMindray, "Mindray BeneVision N17", dhcpLinux),
		dev("INFINITY-M540-01", ouiDraegerUS, "Draeger Infinity M540", []byte{1, 3, 6, 15, 28}),
		dev("EVITA-V800-01", ouiDraegerwerk, "Draeger Evita V800", []byte{1, 3, 6, 15, 28}),
		dev("NK-BSM6701-01", ouiNihonKohden, "NIHON KOHDEN BSM-6701", dhcpEmbedded),
		dev("SL-XPREZZON-01", ouiSpacelabs, "Spacelabs xprezzon", dhcpEmbedded),
		dev("CARESCAPE-B450-01", ouiGEHC, "GE Healthcare CARESCAPE B450", dhcpLinux))

	// Imaging, VLAN 30.
	d.ct = d.client(d.newHost("CT-SOMATOM-01", 30, d.mac(ouiSiemensHC), 21, 128), "MSFT 5.0", dhcpWin10, optID, optFQDN, optProbe)
	usMAC := net.HardwareAddr{mamGEMedical[0], mamGEMedical[1], mamGEMedical[2], mamGEMedical[3] | byte(g.rng.IntN(16)),
		byte(g.rng.IntN(256)), byte(g.rng.IntN(256))}
	d.us = d.client(d.newHost("US-LOGIQE10-01", 30, usMAC, 22, 128), "MSFT 5.0", dhcpWin10, optID, optFQDN, optProbe)
	cr := d.client(d.newHost("CR-FCR-01", 30, d.mac(ouiFujifilm), 23, 64), "FUJIFILM FCR PRIMA", dhcpEmbedded)
	dr := d.client(d.newHost("DR-DIGDIAG-01", 30, d.mac(ouiPhilipsHC), 24, 128), "MSFT 5.0", dhcpWin10, optID, optFQDN, optProbe)
	d.imaging = []*host{d.ct, d.us, cr, dr}

	// Workstations and friends, VLAN 40.
	ws := func(name string, o oui, lastOctet int) *host {
		h := d.client(d.newHost(name, 40, d.mac(o), lastOctet, 128), "MSFT 5.0", dhcpWin10, optID, optFQDN, optProbe)
		d.workstations = append(d.workstations, h)
		return h
	}
	d.radws = ws("WS-RAD-07", ouiDellA, 107)
	ws("WS-RAD-08", ouiDellA, 108)
	ws("WS-NURS-01", ouiHPIncA, 111)
	ws("WS-NURS-02", ouiHPIncB, 112)
	d.nursws = ws("WS-NURS-03", ouiHPIncB, 113)
	ws("WS-PHARM-01", ouiDellB, 121)
	ws("WS-ADM-01", ouiHPIncA, 131)
	ws("WS-NURS-04", ouiHPIncA, 114) // joins late
	d.client(d.newHost("ZBR-WRIST-01", 40, d.mac(ouiZebraA), 151, 64), "Zebra Technologies ZD510", dhcpEmbedded)
	zh := d.client(d.newHost("ZBR-TC52-01", 40, d.mac(ouiZebraB), 152, 64), "android-dhcp-11",
		[]byte{1, 3, 6, 15, 26, 28, 51, 58, 59, 43}, optMax(1500))
	d.workstations = append(d.workstations, zh)
	phoneMAC := d.mac(ouiCiscoPhone)
	d.client(d.newHost("SEP"+strings.ToUpper(strings.ReplaceAll(phoneMAC.String(), ":", "")), 40, phoneMAC, 161, 64),
		"Cisco Systems, Inc. IP Phone CP-8845", []byte{1, 66, 6, 3, 15, 150, 35}, optBcast)

	d.internet = &host{name: "internet", ip: ipv4(203, 0, 113, 10), remote: true, ttl: 49, port: 49152}
	d.svc = &dhcpService{
		server:   d.dc01,
		relay:    func(seg segment) *host { return d.routers[seg.VLAN] },
		routerOn: d.routers[50],
		opt82:    func(seg segment) bool { return seg.VLAN == 20 || seg.VLAN == 30 },
		domain:   "hosp.example", dns: d.dc01.ip, lease: 86400,
	}
}

// every runs f at start, then again after a random interval in [lo, hi),
// until the end of the capture (leaving the last 5 s quiet).
func (d *demo) every(start time.Time, lo, hi time.Duration, f func()) {
	for t := start; t.Before(d.end.Add(-5 * time.Second)); t = t.Add(d.g.jitter(lo, hi)) {
		d.g.now = t
		f()
	}
}

func (d *demo) script() {
	g := d.g
	// LLDP from the access switch, untagged, every 30 s.
	sw := net.HardwareAddr{ouiCiscoSw[0], ouiCiscoSw[1], ouiCiscoSw[2], 0x4a, 0x71, 0x30}
	for t := d.at(1); t.Before(d.end); t = t.Add(30 * time.Second) {
		g.now = t
		d.lldp(sw)
	}

	// Servers are up: gratuitous ARP, the router learns them.
	r50 := d.routers[50]
	for i, h := range []*host{d.dc01, d.ehr} {
		g.now = d.at(0.5 + float64(i))
		g.arpAnnounce(h)
		g.after(g.jitter(time.Second, 2*time.Second))
		g.arpRequest(r50, h.ip)
		g.after(g.jitter(100*time.Microsecond, 500*time.Microsecond))
		g.arpReply(h, r50)
	}
	// DHCP clients boot.
	for _, h := range d.order {
		var boot float64
		reboot := false
		switch {
		case h.seg.VLAN == 50:
			boot, reboot = 3+g.rng.Float64()*5, true
		case h.name == "WS-NURS-04":
			boot = 420
		case h.seg.VLAN == 20:
			boot = 8 + g.rng.Float64()*80
		case h.seg.VLAN == 30:
			boot = 12 + g.rng.Float64()*50
		default:
			boot = 15 + g.rng.Float64()*85
			reboot = g.rng.IntN(3) == 0
		}
		g.now = d.at(boot)
		g.dhcpExchange(h, d.clients[h], d.svc, reboot)
		g.after(g.jitter(50*time.Millisecond, 500*time.Millisecond))
		g.arpRequest(h, h.gw.ip)
		g.after(g.jitter(100*time.Microsecond, 900*time.Microsecond))
		g.arpReply(h.gw, h)
		g.after(g.jitter(200*time.Millisecond, 2*time.Second))
		g.ntpExchange(h, d.dc01)
		// Periodic NTP and ARP refresh.
		base := g.now
		d.every(base.Add(g.jitter(200*time.Second, 300*time.Second)), 240*time.Second, 300*time.Second, func() {
			g.ntpExchange(h, d.dc01)
		})
		d.every(base.Add(g.jitter(100*time.Second, 200*time.Second)), 200*time.Second, 260*time.Second, func() {
			g.arpRequest(h.gw, h.ip)
			g.after(g.jitter(200*time.Microsecond, 2*time.Millisecond))
			g.arpReply(h, h.gw)
		})
		d.afterBoot(h, base.Add(g.jitter(time.Second, 5*time.Second)))
	}

	d.dicom()
	d.hl7()
	d.violations()
}

// afterBoot starts the device's ordinary traffic at t.
func (d *demo) afterBoot(h *host, t time.Time) {
	g := d.g
	g.now = t
	isPump, isMon, isWS := false, false, false
	for _, p := range d.pumps {
		isPump = isPump || p == h
	}
	for _, p := range d.monitors {
		isMon = isMon || p == h
	}
	for _, p := range d.workstations {
		isWS = isWS || p == h
	}
	switch {
	case isPump:
		// A persistent TLS session to the pump gateway, status every 25-40 s.
		g.dnsExchange(h, d.dc01, "pumpgw.hosp.example", d.pumpgw.ip)
		g.after(g.jitter(5*time.Millisecond, 50*time.Millisecond))
		c := g.newConn(h, d.pumpgw, 443)
		c.open()
		c.send(true, g.tlsRecord(517))
		c.send(false, g.tlsSegs(2200+g.rng.IntN(800), c.mss)...)
		c.send(true, g.tlsRecord(126))
		c.send(false, g.tlsRecord(51))
		d.every(g.now.Add(g.jitter(10*time.Second, 25*time.Second)), 25*time.Second, 40*time.Second, func() {
			c.push(true, g.tlsRecord(150+g.rng.IntN(250)))
			g.after(g.jitter(2*time.Millisecond, 20*time.Millisecond))
			c.push(false, g.tlsRecord(60+g.rng.IntN(60)))
			g.after(g.jitter(time.Millisecond, 40*time.Millisecond))
			c.pkt(true, fACK, nil)
		})
	case isMon:
		// Waveform/vitals summaries to the central station every 10-20 s.
		c := g.newConn(h, d.central, 443)
		c.open()
		c.send(true, g.tlsRecord(517))
		c.send(false, g.tlsSegs(2600, c.mss)...)
		c.send(true, g.tlsRecord(126))
		c.send(false, g.tlsRecord(51))
		d.every(g.now.Add(g.jitter(5*time.Second, 15*time.Second)), 10*time.Second, 20*time.Second, func() {
			c.send(true, g.tlsRecord(300+g.rng.IntN(500)))
		})
	case isWS:
		// EHR sessions every 40-120 s, sometimes after a DNS lookup.
		d.every(t, 40*time.Second, 120*time.Second, func() {
			if g.rng.IntN(3) == 0 {
				g.dnsExchange(h, d.dc01, "ehr.hosp.example", d.ehr.ip)
				g.after(g.jitter(time.Millisecond, 10*time.Millisecond))
			}
			g.tlsSession(h, d.ehr, 443, 1+g.rng.IntN(3), func() int { return 400 + g.rng.IntN(6000) })
		})
	case h.seg.VLAN == 30:
		d.every(t, 90*time.Second, 180*time.Second, func() {
			g.dnsExchange(h, d.dc01, "pacs01.hosp.example", d.pacs.ip)
		})
	case h == d.pumpgw:
		d.every(t, 120*time.Second, 200*time.Second, func() {
			g.tlsSession(h, d.ehr, 443, 1, func() int { return 200 + g.rng.IntN(800) })
		})
	}
}

// lldp sends one LLDPDU from the access switch.
func (d *demo) lldp(sw net.HardwareAddr) {
	tlv := func(t layers.LLDPTLVType, v []byte) layers.LinkLayerDiscoveryValue {
		return layers.LinkLayerDiscoveryValue{Type: t, Length: uint16(len(v)), Value: v}
	}
	caps := []byte{0x00, 0x14, 0x00, 0x04} // system: bridge+router; enabled: bridge
	mgmt := append([]byte{5, 1}, 10, 99, 0, 3)
	mgmt = append(mgmt, 2, 0, 0, 0, 0, 0) // ifIndex subtype, ifIndex 0, OID length 0
	l := &layers.LinkLayerDiscovery{
		ChassisID: layers.LLDPChassisID{Subtype: layers.LLDPChassisIDSubTypeMACAddr, ID: sw},
		PortID:    layers.LLDPPortID{Subtype: layers.LLDPPortIDSubtypeIfaceName, ID: []byte("Gi1/0/48")},
		TTL:       120,
		Values: []layers.LinkLayerDiscoveryValue{
			tlv(layers.LLDPTLVPortDescription, []byte("SPAN uplink")),
			tlv(layers.LLDPTLVSysName, []byte("ACC-SW-3F")),
			tlv(layers.LLDPTLVSysDescription, []byte("Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4")),
			tlv(layers.LLDPTLVSysCapabilities, caps),
			tlv(layers.LLDPTLVMgmtAddress, mgmt),
		},
	}
	dst := net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}
	d.g.frame(sw, dst, segment{}, layers.EthernetTypeLinkLayerDiscovery, l)
}

func (d *demo) dicom() {
	g := d.g
	sum := g.sum
	// CT_SCANNER1 -> PACS_MAIN: C-ECHO, then C-STORE of one CT image.
	g.now = d.at(181.25)
	t := g.newConn(d.ct, d.pacs, 104)
	t.open()
	t.push(true, associateRQ("PACS_MAIN", "CT_SCANNER1", []presCtx{
		{1, uidVerification, []string{uidImplicitLE, uidExplicitLE}},
		{3, uidCTStorage, []string{uidImplicitLE, uidExplicitLE}},
	}, 16384, "DEMOCT_VA40"))
	t.push(false, associateAC("PACS_MAIN", "CT_SCANNER1", []presResult{
		{1, 0, uidImplicitLE}, {3, 0, uidExplicitLE},
	}, 16384, "DEMOPACS_3_1"))
	t.push(true, pData(1, true, cEchoRQ(1)))
	t.push(false, pData(1, true, cEchoRSP(1)))
	t.push(true, pData(3, true, cStoreRQ(2, uidCTStorage, demoSOPUID)))
	t.push(true, pData(3, false, ctDataSet()))
	t.push(false, pData(3, true, cStoreRSP(2, uidCTStorage, demoSOPUID)))
	t.push(true, releaseRQ())
	t.push(false, releaseRP())
	t.close(true)
	sum.note("DICOM 08:03:01 %s CT_SCANNER1 -> %s PACS_MAIN tcp/104: A-ASSOCIATE-RQ/AC (Verification, CT Image Storage), C-ECHO, C-STORE (data set PatientName DEMO^PATIENT), A-RELEASE, FIN",
		d.ct.ip, d.pacs.ip)

	// US_LOGIQ1 -> PACS_MAIN: verification only.
	g.now = d.at(150.5)
	t = g.newConn(d.us, d.pacs, 104)
	t.open()
	t.push(true, associateRQ("PACS_MAIN", "US_LOGIQ1", []presCtx{{1, uidVerification, []string{uidImplicitLE}}}, 16384, "DEMOUS_R3"))
	t.push(false, associateAC("PACS_MAIN", "US_LOGIQ1", []presResult{{1, 0, uidImplicitLE}}, 16384, "DEMOPACS_3_1"))
	t.push(true, pData(1, true, cEchoRQ(1)))
	t.push(false, pData(1, true, cEchoRSP(1)))
	t.push(true, releaseRQ())
	t.push(false, releaseRP())
	t.close(true)
	sum.note("DICOM 08:02:30 %s US_LOGIQ1 -> PACS_MAIN: C-ECHO", d.us.ip)

	// RAD_WS07 -> PACS_MAIN: study-level C-FIND.
	g.now = d.at(262.75)
	t = g.newConn(d.radws, d.pacs, 104)
	t.open()
	t.push(true, associateRQ("PACS_MAIN", "RAD_WS07", []presCtx{{1, uidStudyFind, []string{uidExplicitLE, uidImplicitLE}}}, 16384, "DEMOVIEWER_2"))
	t.push(false, associateAC("PACS_MAIN", "RAD_WS07", []presResult{{1, 0, uidImplicitLE}}, 16384, "DEMOPACS_3_1"))
	t.push(true, pData(1, true, cFindRQ(7)))
	t.push(true, pData(1, false, findQuery()))
	t.push(false, pData(1, true, cFindRSP(7, 0xff00, true)))
	t.push(false, pData(1, false, findMatch()))
	t.push(false, pData(1, true, cFindRSP(7, 0x0000, false)))
	t.push(true, releaseRQ())
	t.push(false, releaseRP())
	t.close(true)
	sum.note("DICOM 08:04:22 %s RAD_WS07 -> PACS_MAIN: C-FIND study root (pending response data set has PatientName DEMO^PATIENT)", d.radws.ip)
}

// hl7Seg joins fields 1..n of a segment.
func hl7Seg(name string, fields ...string) string { return name + "|" + strings.Join(fields, "|") }

func hl7Time(t time.Time) string { return t.UTC().Format("20060102150405") + "+0000" }

func mllp(msg string) []byte { return append(append([]byte{0x0b}, msg...), 0x1c, 0x0d) }

// oru builds an IHE PCD-01 style ORU^R01 for one pump.
func oru(ctrl string, t time.Time, pumpID string, eui64 string, rate string, bed int) string {
	ts := hl7Time(t)
	equip := pumpID + "^ALARIS^8015"
	obx := func(set, typ, code, sub, val, units, status string) string {
		f := make([]string, 18)
		f[0], f[1], f[2], f[3], f[4], f[5], f[10], f[13], f[17] = set, typ, code, sub, val, units, status, ts, equip
		return hl7Seg("OBX", f...)
	}
	prt := make([]string, 10)
	prt[0], prt[1], prt[3], prt[9] = "1", "UC", "EQUIP^Equipment^HL70912", pumpID+"^ALARIS^"+eui64+"^EUI-64"
	segs := []string{
		"MSH|^~\\&|ALARIS_GW|ICU|HL7_ENGINE|HOSP|" + ts + "||ORU^R01^ORU_R01|" + ctrl + "|P|2.6|||AL|NE",
		hl7Seg("PID", "1", "", "CANARY0001^^^HOSP^MR", "", "CANARY^PHI^TEST", "", "19700101", "U"),
		hl7Seg("PV1", "1", "I", fmt.Sprintf("ICU^^BED%02d", bed)),
		hl7Seg("OBR", "1", ctrl+"^ALARIS_GW", ctrl+"^ALARIS_GW", "PUMPSTAT^Infusion pump status^L", "", "", ts),
		obx("1", "NM", "157784^MDC_FLOW_FLUID_PUMP^MDC", "1.1.1.1", rate, "265266^MDC_DIM_MILLI_L_PER_HR^MDC", "R"),
		obx("2", "ST", "PUMPSTATE^Pump state^L", "1.1.1.2", "infusing", "", "R"),
		hl7Seg("PRT", prt...),
	}
	return strings.Join(segs, "\r") + "\r"
}

func ack(ctrl, acked string, t time.Time) string {
	return "MSH|^~\\&|HL7_ENGINE|HOSP|ALARIS_GW|ICU|" + hl7Time(t) + "||ACK^R01^ACK|" + ctrl + "|P|2.6\r" +
		"MSA|AA|" + acked + "\r"
}

// eui64 derives a modified EUI-64 style identifier from a MAC (FFFE inserted).
func eui64(m net.HardwareAddr) string {
	return fmt.Sprintf("%02X%02X%02XFFFE%02X%02X%02X", m[0], m[1], m[2], m[3], m[4], m[5])
}

func (d *demo) hl7() {
	g := d.g
	g.now = d.at(95.5)
	t := g.newConn(d.pumpgw, d.hl7eng, 2575)
	t.open()
	n := 0
	for i, sec := range []float64{120, 210, 300, 390, 480, 570} {
		g.now = d.at(sec + g.rng.Float64())
		p := d.pumps[i]
		n++
		ctrl := fmt.Sprintf("ALR%07d", n)
		rate := fmt.Sprintf("%.1f", 5+float64(g.rng.IntN(200))/2)
		t.push(true, mllp(oru(ctrl, g.now, "PUMP-"+p.name[len(p.name)-4:], eui64(p.mac), rate, 1+i)))
		g.after(g.jitter(5*time.Millisecond, 30*time.Millisecond))
		t.push(false, mllp(ack(fmt.Sprintf("ENG%07d", n), ctrl, g.now)))
		g.after(g.jitter(time.Millisecond, 40*time.Millisecond))
		t.pkt(true, fACK, nil)
	}
	g.now = d.at(596)
	t.close(true)
	g.sum.note("HL7 %s ALARIS_GW/ICU -> %s HL7_ENGINE/HOSP tcp/2575 MLLP: %d ORU^R01 v2.6 (PID CANARY^PHI^TEST, OBX-18 PUMP-00xx^ALARIS^8015, PRT-10 EUI-64), each answered by ACK MSA|AA",
		d.pumpgw.ip, d.hl7eng.ip, n)
}

func (d *demo) violations() {
	g := d.g
	// A pump phones home to the internet.
	p := d.pumps[3]
	g.now = d.at(331.5)
	g.dnsExchange(p, d.dc01, "telemetry.pumpcloud.example", d.internet.ip)
	g.after(g.jitter(5*time.Millisecond, 20*time.Millisecond))
	d.internet.ttl = 49
	g.tlsSession(p, d.internet, 443, 2, func() int { return 300 + g.rng.IntN(900) })
	g.sum.note("violation 08:05:31 %s %s (VLAN 20 pump) -> 203.0.113.10 tcp/443 (after DNS telemetry.pumpcloud.example)", p.name, p.ip)

	// A nursing workstation tries the PACS; the PACS rejects the calling AE.
	g.now = d.at(384.25)
	t := g.newConn(d.nursws, d.pacs, 104)
	t.open()
	t.push(true, associateRQ("PACS_MAIN", "NURS_WS03", []presCtx{{1, uidStudyFind, []string{uidImplicitLE}}}, 16384, "DEMOVIEWER_2"))
	t.push(false, associateRJ(1, 1, 3))
	t.close(true)
	g.sum.note("violation 08:06:24 %s %s (AE NURS_WS03) -> PACS_MAIN tcp/104: A-ASSOCIATE-RQ rejected (A-ASSOCIATE-RJ calling AE not recognized)",
		d.nursws.name, d.nursws.ip)
	g.sum.note("DICOM AE titles: CT_SCANNER1, US_LOGIQ1, RAD_WS07, NURS_WS03 (callers), PACS_MAIN (called)")
}
