package accuracy

import (
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
	"github.com/wardwatch/wardwatch/sensor/cdp"
	"github.com/wardwatch/wardwatch/sensor/dhcpv6"
	"github.com/wardwatch/wardwatch/sensor/httphdr"
	"github.com/wardwatch/wardwatch/sensor/lldp"
	"github.com/wardwatch/wardwatch/sensor/mdns"
	"github.com/wardwatch/wardwatch/sensor/nbns"
	"github.com/wardwatch/wardwatch/sensor/sip"
	"github.com/wardwatch/wardwatch/sensor/snmp"
	"github.com/wardwatch/wardwatch/sensor/ssdp"
	"github.com/wardwatch/wardwatch/sensor/ssh"
	"github.com/wardwatch/wardwatch/sensor/tcpsig"
	"github.com/wardwatch/wardwatch/sensor/tlshello"
)

// decodedSignals runs the passive decoders that the sensor does not wire
// yet (issue 12: LLDP, CDP, DHCPv6, mDNS/LLMNR, NBNS, SSDP, HTTP, SIP, SSH,
// TLS, TCP SYN, SNMP) over a capture and returns what each source MAC said
// about itself, in the form fingerprint.Facts.Signals will carry them. It
// stands in for the wiring, to measure what the signals would add; it is
// test code (allocations, gopacket's full decoding) and handles the tunnels
// gopacket decodes (GRE, ERSPAN II, VXLAN on 4789). A frame's signals go to
// its innermost source MAC; the IP-borne signals of a MAC that sent more
// than three source addresses (a router's, carrying other hosts' traffic)
// are dropped, since the wiring attributes those by IP.
func decodedSignals(path string) (map[model.MAC][]fingerprint.Signal, error) {
	routers, err := routerMACs(path)
	if err != nil {
		return nil, err
	}
	src, err := sensor.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	out := map[model.MAC][]fingerprint.Signal{}
	add := func(m model.MAC, s model.EvidenceSource, v []byte) {
		val := strings.TrimSpace(string(v))
		if val == "" || m.IsGroup() || m.IsZero() {
			return
		}
		for _, x := range out[m] {
			if x.Source == s && x.Value == val {
				return
			}
		}
		out[m] = append(out[m], fingerprint.Signal{Source: s, Value: val})
	}
	first := layers.LayerTypeEthernet
	if src.LinkType() == layers.LinkTypeLinuxSLL {
		first = layers.LayerTypeLinuxSLL
	}
	for {
		data, _, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, nil // a truncated file: what was read counts
		}
		p := gopacket.NewPacket(data, first, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var mac model.MAC
		for _, l := range p.Layers() {
			if e, ok := l.(*layers.Ethernet); ok && len(e.SrcMAC) == 6 {
				mac = model.MAC(e.SrcMAC) // innermost wins
			}
		}
		if routers[mac] && p.NetworkLayer() != nil {
			continue
		}
		frameSignals(p, mac, add)
	}
}

// routerMACs returns the MACs that sent frames from more than three source
// IP addresses.
func routerMACs(path string) (map[model.MAC]bool, error) {
	src, err := sensor.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	first := layers.LayerTypeEthernet
	if src.LinkType() == layers.LinkTypeLinuxSLL {
		first = layers.LayerTypeLinuxSLL
	}
	ips := map[model.MAC]map[string]bool{}
	for {
		data, _, err := src.ReadPacket()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, first, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var mac model.MAC
		for _, l := range p.Layers() {
			if e, ok := l.(*layers.Ethernet); ok && len(e.SrcMAC) == 6 {
				mac = model.MAC(e.SrcMAC)
			}
		}
		if n := p.NetworkLayer(); n != nil {
			if ips[mac] == nil {
				ips[mac] = map[string]bool{}
			}
			ips[mac][n.NetworkFlow().Src().String()] = true
		}
	}
	out := map[model.MAC]bool{}
	for m, s := range ips {
		out[m] = len(s) > 3
	}
	return out, nil
}

// frameSignals decodes one frame's signals.
func frameSignals(p gopacket.Packet, mac model.MAC, add func(model.MAC, model.EvidenceSource, []byte)) {
	var eth *layers.Ethernet
	for _, l := range p.Layers() {
		if e, ok := l.(*layers.Ethernet); ok {
			eth = e
		}
	}
	if eth != nil && eth.EthernetType == lldp.EtherType {
		var info lldp.Info
		if lldp.ParseInto(eth.Payload, &info) == nil {
			add(mac, model.EvidenceLLDPSysName, info.SystemName)
			add(mac, model.EvidenceLLDPSysDesc, info.SystemDescription)
			if info.HasCapabilities {
				add(mac, model.EvidenceLLDPCapabilities, []byte(lldpCaps(info.EnabledCapabilities)))
			}
			add(mac, model.EvidenceLLDPMEDManufacturer, info.MED.Manufacturer)
			add(mac, model.EvidenceLLDPMEDModel, info.MED.Model)
			add(mac, model.EvidenceLLDPMEDFirmware, info.MED.FirmwareRev)
			add(mac, model.EvidenceLLDPMEDSoftware, info.MED.SoftwareRev)
			add(mac, model.EvidenceLLDPMEDClass, []byte(lldp.DeviceClassName(info.MED.DeviceClass)))
		}
		return
	}
	if snap, ok := p.Layer(layers.LayerTypeSNAP).(*layers.SNAP); ok && snap.Type == 0x2000 {
		var info cdp.Info
		if cdp.ParseInto(snap.Payload, &info) == nil {
			add(mac, model.EvidenceCDPDeviceID, info.DeviceID)
			add(mac, model.EvidenceCDPPlatform, info.Platform)
			add(mac, model.EvidenceCDPSoftware, info.SoftwareVersion)
			if info.HasCapabilities {
				add(mac, model.EvidenceCDPCapabilities, []byte(cdpCaps(info.Capabilities)))
			}
		}
		return
	}
	if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
		var from netip.Addr // the innermost IP source, as the innermost MAC
		for _, l := range p.Layers() {
			switch ip := l.(type) {
			case *layers.IPv4:
				from, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			case *layers.IPv6:
				from, _ = netip.AddrFromSlice(ip.SrcIP)
			}
		}
		udpSignals(u, from, mac, add)
		return
	}
	if t, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
		tcpSignals(p, t, mac, add)
	}
}

func udpSignals(u *layers.UDP, from netip.Addr, mac model.MAC, add func(model.MAC, model.EvidenceSource, []byte)) {
	sport, dport := uint16(u.SrcPort), uint16(u.DstPort)
	b := u.Payload
	switch {
	case sport == dhcpv6.ClientPort && dport == dhcpv6.ServerPort:
		var m dhcpv6.Message
		if dhcpv6.ParseInto(b, &m) == nil && dhcpv6.FromClient(m.Type) {
			if m.HasVendorClass && m.NumVendorClassData > 0 {
				add(mac, model.EvidenceDHCPv6VendorClass, []byte(strconv.Itoa(int(m.VendorClassEnterprise))+":"+string(m.VendorClassData[0])))
			}
			add(mac, model.EvidenceDHCPv6FQDN, m.FQDN)
		}
	case sport == mdns.MDNSPort || sport == mdns.LLMNRPort:
		var m mdns.Message
		if mdns.ParseInto(b, &m) != nil || !m.Response {
			return
		}
		for i := range m.NumHosts {
			src := model.EvidenceMDNSHostname
			if sport == mdns.LLMNRPort {
				src = model.EvidenceLLMNRName
			}
			add(mac, src, m.Hosts[i].Name)
		}
		for i := range m.NumPTRs {
			if strings.HasPrefix(string(m.PTRs[i].Name), "_") {
				add(mac, model.EvidenceMDNSService, m.PTRs[i].Name)
			}
		}
		for i := range m.NumTXT {
			d := string(m.TXT[i].Data)
			for _, k := range []string{"model=", "md=", "ty=", "product=", "usb_MFG=", "usb_MDL="} {
				if strings.HasPrefix(d, k) {
					add(mac, model.EvidenceMDNSTXTModel, m.TXT[i].Data)
				}
			}
		}
	case sport == nbns.Port:
		var m nbns.Message
		if nbns.ParseInto(b, &m) == nil && m.Speaks() {
			for i := range m.NumNames {
				n := &m.Names[i]
				if !n.Own(from) {
					continue
				}
				if n.HostName() {
					add(mac, model.EvidenceNBNSName, n.Text())
				}
				if s := n.Service(); s != nbns.ServiceNone {
					add(mac, model.EvidenceNBNSService, []byte(s.String()))
				}
			}
		}
	case sport == ssdp.Port || dport == ssdp.Port:
		var m ssdp.Message
		if ssdp.ParseInto(b, &m) == nil {
			add(mac, model.EvidenceSSDPServer, m.Server)
			add(mac, model.EvidenceSSDPUserAgent, m.UserAgent)
			if t := m.NT; strings.HasPrefix(string(t), "urn:") {
				add(mac, model.EvidenceSSDPDeviceType, t)
			}
		}
	case sport == snmp.AgentPort || dport == snmp.TrapPort:
		var m snmp.Message
		if snmp.ParseInto(b, &m) == nil {
			add(mac, model.EvidenceSNMPSysDescr, m.SysDescr)
			add(mac, model.EvidenceSNMPSysName, m.SysName)
		}
	case sport == sip.Port || dport == sip.Port:
		var m sip.Message
		if sip.ParseInto(b, &m) == nil {
			add(mac, model.EvidenceSIPUserAgent, m.UserAgent)
			add(mac, model.EvidenceSIPServer, m.Server)
		}
	}
}

func tcpSignals(p gopacket.Packet, t *layers.TCP, mac model.MAC, add func(model.MAC, model.EvidenceSource, []byte)) {
	if t.SYN {
		var ipb []byte
		if n := p.NetworkLayer(); n != nil {
			ipb = append(append([]byte{}, n.LayerContents()...), n.LayerPayload()...)
		}
		var s tcpsig.Sig
		if tcpsig.ParseInto(ipb, &s) == nil {
			src := model.EvidenceTCPSYNSig
			if s.SYNACK {
				src = model.EvidenceTCPSYNACKSig
			}
			add(mac, src, s.AppendP0F(nil, 0))
		}
		return
	}
	b := t.Payload
	if len(b) == 0 {
		return
	}
	var h httphdr.Info
	if httphdr.ParseInto(b, &h) == nil {
		add(mac, model.EvidenceHTTPUserAgent, h.UserAgent)
		add(mac, model.EvidenceHTTPServer, h.Server)
		return
	}
	var sb ssh.Banner
	if ssh.ParseInto(b, &sb) == nil {
		src := model.EvidenceSSHClientBanner
		if t.SrcPort == 22 {
			src = model.EvidenceSSHServerBanner
		}
		add(mac, src, sb.Line)
		return
	}
	var th tlshello.Hello
	if tlshello.ParseInto(b, &th) == nil {
		if fp, ok := th.JA4(); ok {
			add(mac, model.EvidenceTLSJA4, fp[:])
		}
		add(mac, model.EvidenceTLSSNI, th.SNI)
	}
	var sm sip.Message
	if (t.SrcPort == sip.Port || t.DstPort == sip.Port) && sip.ParseInto(b, &sm) == nil {
		add(mac, model.EvidenceSIPUserAgent, sm.UserAgent)
	}
}

// lldpCaps names enabled LLDP capabilities as model.EvidenceLLDPCapabilities
// documents.
func lldpCaps(c uint16) string {
	names := []struct {
		bit  uint16
		name string
	}{{lldp.CapOther, "other"}, {lldp.CapRepeater, "repeater"}, {lldp.CapBridge, "bridge"}, {lldp.CapWLANAP, "wlan-ap"},
		{lldp.CapRouter, "router"}, {lldp.CapTelephone, "telephone"}, {lldp.CapDOCSIS, "docsis"}, {lldp.CapStationOnly, "station"}}
	var out []string
	for _, n := range names {
		if c&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ",")
}

// cdpCaps names CDP capabilities as model.EvidenceCDPCapabilities documents.
func cdpCaps(c uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{{cdp.CapRouter, "router"}, {cdp.CapTransBridge, "trans-bridge"}, {cdp.CapSRBridge, "source-route-bridge"},
		{cdp.CapSwitch, "switch"}, {cdp.CapHost, "host"}, {cdp.CapIGMP, "igmp"}, {cdp.CapRepeater, "repeater"},
		{cdp.CapVoIPPhone, "phone"}, {cdp.CapRemote, "remote"}, {cdp.CapCVTA, "cvta"}, {cdp.CapMACRelay, "mac-relay"}}
	var out []string
	for _, n := range names {
		if c&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ",")
}
