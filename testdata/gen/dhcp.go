package main

import (
	"encoding/binary"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// dhcpClient is what a host puts in its DHCP client messages.
type dhcpClient struct {
	profile  string
	hostname string // option 12 ("" absent)
	vendor   string // option 60 ("" absent)
	params   []byte // option 55
	maxSize  uint16 // option 57 (0 absent)
	clientID []byte // option 61 (nil absent)
	fqdn     string // option 81 in REQUEST ("" absent)
	bcast    bool   // sets the BOOTP broadcast flag
	probe    bool   // ARP-probes the address it got before announcing it
}

// dhcpService is a DHCP server and the relay agents in front of it.
type dhcpService struct {
	server *host
	// relays maps a client segment to the router interface relaying for it.
	relay func(seg segment) *host
	// routerOn returns the router interface on the server's segment.
	routerOn *host
	// opt82 says whether the relay for seg inserts option 82.
	opt82  func(seg segment) bool
	domain string
	dns    net.IP
	lease  uint32
}

func u32(v uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, v); return b }
func u16(v uint16) []byte { b := make([]byte, 2); binary.BigEndian.PutUint16(b, v); return b }

func opt(t layers.DHCPOpt, data []byte) layers.DHCPOption { return layers.NewDHCPOption(t, data) }

// clientOptions builds a client message's options in a typical order.
func clientOptions(cl *dhcpClient, msg layers.DHCPMsgType, reqIP, serverID net.IP) layers.DHCPOptions {
	o := layers.DHCPOptions{opt(layers.DHCPOptMessageType, []byte{byte(msg)})}
	if cl.clientID != nil {
		o = append(o, opt(layers.DHCPOptClientID, cl.clientID))
	}
	if reqIP != nil {
		o = append(o, opt(layers.DHCPOptRequestIP, reqIP.To4()))
	}
	if serverID != nil {
		o = append(o, opt(layers.DHCPOptServerID, serverID.To4()))
	}
	if cl.maxSize != 0 {
		o = append(o, opt(layers.DHCPOptMaxMessageSize, u16(cl.maxSize)))
	}
	if cl.hostname != "" {
		o = append(o, opt(layers.DHCPOptHostname, []byte(cl.hostname)))
	}
	if cl.fqdn != "" && msg == layers.DHCPMsgTypeRequest {
		o = append(o, opt(layers.DHCPOpt(81), append([]byte{0, 0, 0}, cl.fqdn...)))
	}
	if cl.vendor != "" {
		o = append(o, opt(layers.DHCPOptClassID, []byte(cl.vendor)))
	}
	o = append(o, opt(layers.DHCPOptParamsRequest, cl.params))
	return o
}

// option82 builds relay agent information: circuit id and remote id.
func option82(circuit, remote string) layers.DHCPOption {
	var b []byte
	b = append(b, 1, byte(len(circuit)))
	b = append(b, circuit...)
	b = append(b, 2, byte(len(remote)))
	b = append(b, remote...)
	return opt(layers.DHCPOpt(82), b)
}

// bootpPad pads a BOOTP message to the classic 300-byte minimum.
func bootpPad(d *layers.DHCPv4) []gopacket.SerializableLayer {
	ls := []gopacket.SerializableLayer{d}
	if n := int(d.Len()); n < 300 {
		ls = append(ls, gopacket.Payload(make([]byte, 300-n)))
	}
	return ls
}

// dhcpExchange runs one client transaction: DISCOVER/OFFER/REQUEST/ACK, or
// with initReboot a REQUEST/ACK for the address the client had. The relay
// legs are written when the server sits on a captured segment; a remote
// server shows up only as the relay's answers on the client's segment.
func (g *gen) dhcpExchange(c *host, cl *dhcpClient, svc *dhcpService, initReboot bool) {
	xid := g.rng.Uint32()
	secs := uint16(0)
	var flags uint16
	if cl.bcast {
		flags = 0x8000
	}
	srv := svc.server
	relayed := srv.remote || c.seg != srv.seg
	var relay *host
	if relayed {
		relay = svc.relay(c.seg)
	}
	var o82 layers.DHCPOption
	with82 := relayed && svc.opt82 != nil && svc.opt82(c.seg)
	if with82 {
		port := 1 + int(c.mac[5])%47
		o82 = option82("Gi1/0/"+strconv.Itoa(port)+":vlan"+strconv.Itoa(int(c.seg.VLAN)), "ACC-SW-"+strconv.Itoa(int(c.seg.VLAN)))
	}

	clientMsg := func(msg layers.DHCPMsgType, reqIP, serverID net.IP) {
		d := &layers.DHCPv4{
			Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
			Xid: xid, Secs: secs, Flags: flags, ClientHWAddr: c.mac,
			Options: clientOptions(cl, msg, reqIP, serverID),
		}
		g.udpRaw(c.seg, c.mac, bcastMAC, c, zeroIP, bcastIP, 68, 67, bootpPad(d)...)
		g.hookLast(func(s *summary) { s.dhcpMsg(c, cl, msg) })
		if relayed && !srv.remote {
			// The relay forwards it to the server on the server's segment.
			g.after(g.jitter(300*time.Microsecond, 1500*time.Microsecond))
			d.RelayHops = 1
			d.RelayAgentIP = relay.ip
			if with82 {
				d.Options = append(d.Options, o82)
			}
			r := svc.routerOn
			g.udpRaw(r.seg, r.mac, srv.mac, r, relay.ip, srv.ip, 67, 67, d)
		}
	}
	serverMsg := func(msg layers.DHCPMsgType) {
		d := &layers.DHCPv4{
			Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
			Xid: xid, Flags: flags, ClientHWAddr: c.mac, YourClientIP: c.ip,
		}
		o := layers.DHCPOptions{
			opt(layers.DHCPOptMessageType, []byte{byte(msg)}),
			opt(layers.DHCPOptServerID, srv.ip),
			opt(layers.DHCPOptLeaseTime, u32(svc.lease)),
			opt(layers.DHCPOptT1, u32(svc.lease/2)),
			opt(layers.DHCPOptT2, u32(svc.lease/8*7)),
			opt(layers.DHCPOptSubnetMask, net.IP(maskOf(c)).To4()),
			opt(layers.DHCPOptRouter, c.gw.ip),
			opt(layers.DHCPOptDNS, svc.dns.To4()),
			opt(layers.DHCPOptDomainName, []byte(svc.domain)),
		}
		dstMAC, dstIP := c.mac, c.ip
		if cl.bcast {
			dstMAC, dstIP = bcastMAC, bcastIP
		}
		g.after(g.jitter(500*time.Microsecond, 4*time.Millisecond))
		if !relayed {
			d.Options = o
			g.udpRaw(c.seg, srv.mac, dstMAC, srv, srv.ip, dstIP, 67, 68, bootpPad(d)...)
			return
		}
		d.RelayAgentIP = relay.ip
		if !srv.remote {
			// Server to relay, echoing option 82.
			d.Options = o
			if with82 {
				d.Options = append(append(layers.DHCPOptions{}, o...), o82)
			}
			r := svc.routerOn
			g.udpRaw(srv.seg, srv.mac, r.mac, srv, srv.ip, relay.ip, 67, 67, bootpPad(d)...)
			g.after(g.jitter(300*time.Microsecond, 1500*time.Microsecond))
		}
		// Relay to client, option 82 stripped.
		d.Options = o
		g.udpRaw(c.seg, relay.mac, dstMAC, relay, relay.ip, dstIP, 67, 68, bootpPad(d)...)
	}

	if !initReboot {
		var prev net.IP
		if g.rng.IntN(3) == 0 {
			prev = c.ip
		}
		clientMsg(layers.DHCPMsgTypeDiscover, prev, nil)
		serverMsg(layers.DHCPMsgTypeOffer)
		g.after(g.jitter(2*time.Millisecond, 40*time.Millisecond))
		secs = 1
		clientMsg(layers.DHCPMsgTypeRequest, c.ip, srv.ip)
	} else {
		clientMsg(layers.DHCPMsgTypeRequest, c.ip, nil)
	}
	serverMsg(layers.DHCPMsgTypeAck)
	g.hookLast(func(s *summary) { s.dhcpAck(c) })
	g.after(g.jitter(5*time.Millisecond, 60*time.Millisecond))
	if cl.probe {
		g.arpProbe(c)
		g.after(g.jitter(200*time.Millisecond, 1*time.Second))
		g.arpProbe(c)
		g.after(g.jitter(200*time.Millisecond, 1*time.Second))
	}
	g.arpAnnounce(c)
}

// dhcpRenew: a bound client renews by unicast REQUEST (ciaddr set).
func (g *gen) dhcpRenew(c *host, cl *dhcpClient, svc *dhcpService) {
	xid := g.rng.Uint32()
	d := &layers.DHCPv4{
		Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		Xid: xid, ClientIP: c.ip, ClientHWAddr: c.mac,
		Options: clientOptions(cl, layers.DHCPMsgTypeRequest, nil, nil),
	}
	srv := svc.server
	g.udp(c, srv, 68, 67, bootpPad(d)...)
	g.hookLast(func(s *summary) { s.dhcpMsg(c, cl, layers.DHCPMsgTypeRequest) })
	g.after(g.jitter(time.Millisecond, 5*time.Millisecond))
	a := &layers.DHCPv4{
		Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		Xid: xid, ClientIP: c.ip, YourClientIP: c.ip, ClientHWAddr: c.mac,
		Options: layers.DHCPOptions{
			opt(layers.DHCPOptMessageType, []byte{byte(layers.DHCPMsgTypeAck)}),
			opt(layers.DHCPOptServerID, srv.ip),
			opt(layers.DHCPOptLeaseTime, u32(svc.lease)),
			opt(layers.DHCPOptSubnetMask, net.IP(maskOf(c)).To4()),
			opt(layers.DHCPOptRouter, c.gw.ip),
			opt(layers.DHCPOptDNS, svc.dns.To4()),
			opt(layers.DHCPOptDomainName, []byte(svc.domain)),
		},
	}
	g.udp(srv, c, 67, 68, bootpPad(a)...)
	g.hookLast(func(s *summary) { s.dhcpAck(c) })
}

// maskOf returns the netmask of c's subnet (kept on its router interface).
func maskOf(c *host) net.IPMask {
	if c.gw != nil && c.gw.mask != nil {
		return c.gw.mask
	}
	return net.CIDRMask(24, 32)
}

// paramList formats option 55 as "1,3,6".
func paramList(p []byte) string {
	s := make([]string, len(p))
	for i, v := range p {
		s[i] = strconv.Itoa(int(v))
	}
	return strings.Join(s, ",")
}

// clientID01 is option 61 type 1 (Ethernet) + MAC.
func clientID01(mac net.HardwareAddr) []byte { return append([]byte{1}, mac...) }
