package sensor

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// signalsOf returns the signals of c as "key source=value" lines, sorted,
// with " remote ip" appended to those seen through a router.
func signalsOf(c *collector) []string {
	var out []string
	for _, o := range obsOf(c, model.ObsSignal) {
		s := fmt.Sprintf("%s %s=%s", o.Key, o.Signal.Source, o.Signal.Value)
		if o.Remote {
			s += " remote " + o.IP.String()
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestSignalsInCaptures replays shared captures through the sensor and
// checks that the values the decoders read reach the sensor's output as
// signals of the asset that sent them. Expected values were read with
// tshark 4.0 (fields named in each case).
func TestSignalsInCaptures(t *testing.T) {
	root := sharedPcaps(t)
	cases := []struct {
		file string
		want []string
	}{
		// lldp.tlv.system.name, lldp.tlv.system.desc, lldp.tlv.enable_system_cap (0x0014 bridge+router, 0x0004 bridge)
		{"arkime/wireshark-lldp.pcap", []string{
			"test/vlan0/00:01:30:f9:ad:a0 lldp.sysname=Summit300-48",
			"test/vlan0/00:01:30:f9:ad:a0 lldp.sysdesc=Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11",
			"test/vlan0/00:01:30:f9:ad:a0 lldp.capabilities=bridge,router",
			"test/vlan0/00:13:21:57:ca:7f lldp.sysname=ProCurve Switch 2600-8-PWR",
			"test/vlan0/00:13:21:57:ca:7f lldp.sysdesc=ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))",
			"test/vlan0/00:13:21:57:ca:7f lldp.capabilities=bridge",
		}},
		{"zeek/lldp.pcap", []string{
			"test/vlan0/00:22:2d:81:db:10 lldp.sysname=SMCGS8P-Smart",
			"test/vlan0/00:22:2d:81:db:10 lldp.sysdesc=SMCGS8P-Smart - SMCGS8P-Smart v3.20",
			"test/vlan0/00:22:2d:81:db:10 lldp.capabilities=bridge",
		}},
		// cdp.deviceid, cdp.platform of the access point in front of the controller
		{"ndpi/capwap.pcap", []string{
			"test/vlan0/b8:38:61:f3:05:ac cdp.device_id=APb838.61f3.05ac",
			"test/vlan0/b8:38:61:f3:05:ac cdp.platform=cisco AIR-CAP2602I-Q-K9",
		}},
		// tls.handshake.extensions_server_name; JA4 as sensor/tlshello/testdata/ja4_expected.txt (tshark-derived)
		{"ndpi/android.pcap", []string{
			"test/vlan0/4c:6a:f6:9f:f6:27 tls.sni=clients1.google.com",
			"test/vlan0/4c:6a:f6:9f:f6:27 tls.ja4=t12d140700_c866b44c5a26_036209cd1ead",
		}},
		// http.user_agent of the client 141.142.220.118
		{"zeek/wikipedia.pcap", []string{
			"test/vlan0/00:24:7e:e0:1d:b5 http.user_agent=Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.15) Gecko/20110303 Ubuntu/10.04 (lucid) Firefox/3.6.15",
		}},
		// dhcpv6.vendorclass.enterprise:data, dhcpv6.client_domain
		{"zeek/dhcpv6-freebsd-vendorclass.pcap", []string{
			"test/vlan0/52:54:00:8a:3e:1c dhcpv6.vendor_class=40712:dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64:amd64",
			"test/vlan0/52:54:00:8a:3e:1c dhcpv6.fqdn=freebsd-01",
		}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			c, _, err := replayFile(t, filepath.Join(root, tc.file), Config{Tunnels: true})
			if err != nil {
				t.Fatal(err)
			}
			got := signalsOf(c)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q; got:\n%s", w, lines(got))
				}
			}
		})
	}
}

func lines(l []string) string {
	s := ""
	for _, x := range l {
		s += "  " + x + "\n"
	}
	return s
}

// TestSignalsOnce checks that no (asset, source, value) is reported twice
// within the refresh interval, over every capture the cases above use and
// a few busy ones.
func TestSignalsOnce(t *testing.T) {
	root := sharedPcaps(t)
	for _, file := range []string{"arkime/arkime_synthetic.pcap", "ndpi/1kxun.pcap", "ndpi/android.pcap",
		"zeek/wikipedia.pcap", "arkime/wireshark-lldp.pcap", "ndpi/capwap.pcap"} {
		c, _, err := replayFile(t, filepath.Join(root, file), Config{Tunnels: true})
		if err != nil {
			t.Fatal(err)
		}
		type k struct {
			key model.AssetKey
			ip  netip.Addr
			s   model.SignalInfo
		}
		last := map[k]time.Time{}
		n := 0
		for _, o := range obsOf(c, model.ObsSignal) {
			n++
			kk := k{o.Key, o.IP, *o.Signal}
			if at, ok := last[kk]; ok && o.Time.Sub(at) < DefaultRefreshInterval {
				t.Errorf("%s: %s %s=%s reported again after %s", file, o.Key, o.Signal.Source, o.Signal.Value, o.Time.Sub(at))
			}
			last[kk] = o.Time
		}
		if n == 0 {
			t.Errorf("%s: no signals", file)
		}
	}
}

// TestSignalTableCap: a capture with more distinct signal values than the
// signal table holds keeps reporting new ones (one is forgotten for each)
// and counts every eviction.
func TestSignalTableCap(t *testing.T) {
	root := sharedPcaps(t)
	file := filepath.Join(root, "ndpi", "1kxun.pcap")
	_, full, err := replayFile(t, file, Config{Tunnels: true})
	if err != nil {
		t.Fatal(err)
	}
	c, capped, err := replayFile(t, file, Config{Tunnels: true, MaxSignals: 4})
	if err != nil {
		t.Fatal(err)
	}
	if full.SignalCapHits != 0 {
		t.Errorf("default table: %d evictions, want 0", full.SignalCapHits)
	}
	n := uint64(len(obsOf(c, model.ObsSignal)))
	if capped.SignalCapHits == 0 || n <= 4 {
		t.Fatalf("table of 4: %d signals reported, %d evictions; want more than 4 reported and evictions counted", n, capped.SignalCapHits)
	}
	if n < 4+capped.SignalCapHits {
		t.Errorf("table of 4: %d signals reported, %d evictions: a new value found the table full without being reported", n, capped.SignalCapHits)
	}
	t.Logf("1kxun.pcap with a table of 4: %d signals reported, %d evictions counted", n, capped.SignalCapHits)
}

// synth builds frames for the attribution tests.
type synth struct {
	t  *testing.T
	w  *worker
	c  *collector
	ts time.Time
}

func newSynth(t *testing.T) *synth {
	c := &collector{}
	s := New(Config{}, c)
	w, err := s.newWorker(Input{Source: &FileSource{path: "synth", r: fakeLinkType{}}, Vantage: "t"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return &synth{t: t, w: w, c: c, ts: time.Unix(1700000000, 0)}
}

func (s *synth) send(ls ...gopacket.SerializableLayer) {
	s.t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		s.t.Fatal(err)
	}
	s.ts = s.ts.Add(time.Second)
	ci := gopacket.CaptureInfo{Timestamp: s.ts, CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}
	s.w.packet(buf.Bytes(), &ci)
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// eth returns an Ethernet header, tagged with vlan when it is not 0.
func eth(src, dst string, vlan uint16, typ layers.EthernetType) []gopacket.SerializableLayer {
	e := &layers.Ethernet{SrcMAC: mac(src), DstMAC: mac(dst), EthernetType: typ}
	if vlan == 0 {
		return []gopacket.SerializableLayer{e}
	}
	e.EthernetType = layers.EthernetTypeDot1Q
	return []gopacket.SerializableLayer{e, &layers.Dot1Q{VLANIdentifier: vlan, Type: typ}}
}

func (s *synth) arp(src string, vlan uint16, ip, target string) {
	a := netip.MustParseAddr(ip).As4()
	tg := netip.MustParseAddr(target).As4()
	ls := eth(src, "ff:ff:ff:ff:ff:ff", vlan, layers.EthernetTypeARP)
	ls = append(ls, &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6,
		ProtAddressSize: 4, Operation: layers.ARPRequest, SourceHwAddress: mac(src), SourceProtAddress: a[:],
		DstHwAddress: make([]byte, 6), DstProtAddress: tg[:]})
	s.send(ls...)
}

// http sends one TCP segment carrying an HTTP request with User-Agent ua.
func (s *synth) http(src, dst string, vlan uint16, from, to, ua string) {
	ls := eth(src, dst, vlan, layers.EthernetTypeIPv4)
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
		SrcIP: net.ParseIP(from).To4(), DstIP: net.ParseIP(to).To4()}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1, ACK: true, PSH: true, Window: 512}
	tcp.SetNetworkLayerForChecksum(ip)
	ls = append(ls, ip, tcp, gopacket.Payload("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: "+ua+"\r\n\r\n"))
	s.send(ls...)
}

// TestLLDPMEDClassSignal: the LLDP-MED device type of the capabilities TLV
// is reported as lldp.med_class with the enabled capabilities, and a frame
// without the TLV reports none.
func TestLLDPMEDClassSignal(t *testing.T) {
	tlv := func(typ byte, v ...byte) []byte { return append([]byte{typ << 1, byte(len(v))}, v...) }
	frame := func(caps byte, med ...byte) []byte {
		b := tlv(1, 4, 0x00, 0x04, 0x0d, 0x11, 0x22, 0x33)
		b = append(b, tlv(2, 3, 0x00, 0x04, 0x0d, 0x11, 0x22, 0x33)...)
		b = append(b, tlv(3, 0, 120)...)
		b = append(b, tlv(7, 0, caps, 0, caps)...)
		if len(med) > 0 {
			b = append(b, tlv(127, append([]byte{0x00, 0x12, 0xbb, 1}, med...)...)...)
		}
		return append(b, tlv(0)...)
	}
	const (
		phone  = "00:04:0d:11:22:33"
		sw     = "00:04:0d:44:55:66"
		plain  = "00:04:0d:77:88:99"
		lldpMC = "01:80:c2:00:00:0e"
	)
	s := newSynth(t)
	send := func(src string, b []byte) {
		s.send(append(eth(src, lldpMC, 0, layers.EthernetType(0x88cc)), gopacket.Payload(b))...)
	}
	send(phone, frame(0x24, 0x00, 0x33, 3)) // bridge,telephone; MED class III
	send(sw, frame(0x04, 0x00, 0x03, 4))    // bridge; MED network connectivity
	send(plain, frame(0x04))                // bridge, no LLDP-MED
	var got []string
	for _, l := range signalsOf(s.c) {
		if strings.Contains(l, "lldp.med_class") || strings.Contains(l, "lldp.capabilities") {
			got = append(got, l)
		}
	}
	want := []string{
		"t/vlan0/00:04:0d:11:22:33 lldp.capabilities=bridge,telephone",
		"t/vlan0/00:04:0d:11:22:33 lldp.med_class=endpoint-3",
		"t/vlan0/00:04:0d:44:55:66 lldp.capabilities=bridge",
		"t/vlan0/00:04:0d:44:55:66 lldp.med_class=network-connectivity",
		"t/vlan0/00:04:0d:77:88:99 lldp.capabilities=bridge",
	}
	if !slices.Equal(got, want) {
		t.Errorf("signals:\n%s want:\n%s", lines(got), lines(want))
	}
}

// TestSignalAttribution checks who a signal belongs to: the sender's MAC,
// or behind a router the owner of the source address (bound on another
// VLAN), or, when no one owns it, the router's key marked Remote with the
// address for the store to resolve.
func TestSignalAttribution(t *testing.T) {
	const (
		router = "02:00:00:00:00:01"
		host   = "00:11:22:33:44:55" // on VLAN 20, seen through the router on VLAN 10
		local  = "00:aa:bb:cc:dd:01" // on VLAN 10, never ARPs
		server = "00:aa:bb:cc:dd:02"
	)
	s := newSynth(t)
	s.arp(router, 10, "10.0.0.1", "10.0.0.9")
	s.arp(host, 20, "10.0.1.5", "10.0.1.1")
	s.http(router, server, 10, "10.0.1.5", "10.0.0.9", "HostAgent/1.0")
	s.http(router, server, 10, "10.0.1.5", "10.0.0.9", "HostAgent/1.0") // again: nothing new
	s.http(router, server, 10, "10.0.7.7", "10.0.0.9", "Elsewhere/2.0")
	s.http(local, server, 10, "10.0.0.7", "10.0.0.9", "LocalAgent/3.0")
	got := signalsOf(s.c)
	want := []string{
		"t/vlan10/00:aa:bb:cc:dd:01 http.user_agent=LocalAgent/3.0",
		"t/vlan10/02:00:00:00:00:01 http.user_agent=Elsewhere/2.0 remote 10.0.7.7",
		"t/vlan20/00:11:22:33:44:55 http.user_agent=HostAgent/1.0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("signals:\n%s want:\n%s", lines(got), lines(want))
	}
}

// TestTrafficAddresses checks addresses learned from traffic: an address
// inside the VLAN's subnet (learned from ARP) from a MAC with no binding
// is the MAC's; a router's routed sources are not; a MAC sending from
// MinRouterIPs addresses becomes a router's, whose signals go by address.
func TestTrafficAddresses(t *testing.T) {
	const (
		router = "02:00:00:00:00:01"
		local  = "00:aa:bb:cc:dd:01"
		server = "00:aa:bb:cc:dd:02"
		nat    = "00:aa:bb:cc:dd:03" // no binding, sends from three addresses
	)
	s := newSynth(t)
	s.arp(router, 10, "10.0.0.1", "10.0.0.9") // subnet 10.0.0.0/24 on VLAN 10
	s.http(local, server, 10, "10.0.0.7", "10.0.0.9", "a")
	s.http(router, server, 10, "10.0.5.5", "10.0.0.9", "b")  // routed: off the subnet
	s.http(router, server, 10, "10.0.0.66", "10.0.0.9", "c") // in the subnet, but the router is bound to 10.0.0.1
	for _, ip := range []string{"10.0.0.20", "10.0.0.21", "10.0.0.22"} {
		s.http(nat, server, 10, ip, "10.0.0.9", "d")
	}
	var got []string
	for _, o := range obsOf(s.c, model.ObsAddress) {
		got = append(got, fmt.Sprintf("%s %s %s", o.Key, o.IP, o.Source))
	}
	// nat's first two addresses are its own (a host may have two); from
	// the third on it is a router's.
	want := []string{"t/vlan10/00:aa:bb:cc:dd:01 10.0.0.7 traffic", "t/vlan10/00:aa:bb:cc:dd:03 10.0.0.20 traffic",
		"t/vlan10/00:aa:bb:cc:dd:03 10.0.0.21 traffic"}
	if !slices.Equal(got, want) {
		t.Errorf("addresses:\n%s want:\n%s", lines(got), lines(want))
	}
	natKey := model.AssetKey{Vantage: "t", VLAN: 10, MAC: model.MAC(mac(nat))}
	if !s.w.s.shared.router(natKey) {
		t.Errorf("%s sent from 3 addresses but is not a router", nat)
	}
	s.http(nat, server, 10, "10.0.0.23", "10.0.0.9", "e")
	if got := signalsOf(s.c); !slices.Contains(got, "t/vlan10/00:aa:bb:cc:dd:03 http.user_agent=e remote 10.0.0.23") {
		t.Errorf("a signal from a router's MAC should go to its address's owner (remote); got\n%s", lines(got))
	}
}

// TestTrafficAddressInCapture: in the HL7 capture 10.0.0.155 and
// 10.0.0.126 talk MAC to MAC without ARP or DHCP (tshark: eth.src
// 00:0c:29:b5:b6:48 ip.src 10.0.0.155, 08:00:27:1d:a6:c2 10.0.0.126); both
// addresses come from the traffic.
func TestTrafficAddressInCapture(t *testing.T) {
	root := sharedPcaps(t)
	c, _, err := replayFile(t, filepath.Join(root, "tapirx/HL7-ORU.pcap"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range obsOf(c, model.ObsAddress) {
		got = append(got, fmt.Sprintf("%s %s %s", o.Key, o.IP, o.Source))
	}
	// Each reported twice: at its first frame, and as of its last when the
	// replay ends (tracker.settleBindings).
	if len(got) != 4 {
		t.Errorf("%d address reports, want 2 for each address: %q", len(got), got)
	}
	sort.Strings(got)
	got = slices.Compact(got)
	want := []string{"test/vlan0/00:0c:29:b5:b6:48 10.0.0.155 traffic", "test/vlan0/08:00:27:1d:a6:c2 10.0.0.126 traffic"}
	if !slices.Equal(got, want) {
		t.Errorf("addresses:\n%s want:\n%s", lines(got), lines(want))
	}
}

// TestSignalOncePerSensor: with several workers, a signal value is
// reported once per refresh interval by the sensor, not once by each
// worker whose frames carry it (the table of reported values is shared).
func TestSignalOncePerSensor(t *testing.T) {
	root := sharedPcaps(t)
	for _, name := range []string{"ndpi/1kxun.pcap", "ndpi/capwap.pcap", "arkime/arkime_synthetic.pcap"} {
		file := filepath.Join(root, name)
		if _, err := os.Stat(file); err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		c, _, err := replayFile(t, file, Config{Tunnels: true, Workers: 4})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		type sig struct {
			key   model.AssetKey
			ip    netip.Addr
			src   model.EvidenceSource
			value string
		}
		last := map[sig]time.Time{}
		n := 0
		for _, o := range c.obs {
			if o.Kind != model.ObsSignal {
				continue
			}
			n++
			k := sig{o.Key, o.IP, o.Signal.Source, o.Signal.Value}
			if at, ok := last[k]; ok && o.Time.Sub(at).Abs() < DefaultRefreshInterval {
				t.Errorf("%s: %s %q of %v reported again after %v", name, k.src, k.value, k.key, o.Time.Sub(at))
			}
			last[k] = o.Time
		}
		t.Logf("%s with 4 workers: %d signals reported, %d distinct", name, n, len(last))
	}
}
