package sensor

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

func assetKeys(c *collector) []string {
	seen := map[string]bool{}
	for _, o := range c.obs {
		k := o.Key.String()
		if o.OuterVLAN != 0 {
			k += fmt.Sprintf(" outer=%d", o.OuterVLAN)
		}
		seen[k] = true
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestVLANsAndTunnels checks the VLAN ids, Q-in-Q tags and mirror tunnels of
// real captures. Expected values were read with tshark (-e vlan.id -e
// vxlan.vni -e erspan.spanid -e erspan.vlan -e eth.src).
func TestVLANsAndTunnels(t *testing.T) {
	root := sharedPcaps(t)
	cases := []struct {
		file string
		want []string
	}{
		// tshark: vlan.id 13,10 (outer 13, inner 10)
		{"zeek/q-in-q.pcap", []string{
			"test/vlan10/00:c0:e4:01:2c:ed outer=13", "test/vlan10/08:00:7f:0a:00:52 outer=13",
			"test/vlan10/08:00:7f:0b:03:77 outer=13", "test/vlan10/e0:cb:4e:5e:1a:0e outer=13"}},
		// 802.1ad S-tags 1525/1535 over C-tags 30/40 (tshark: ieee8021ad.id, vlan.id)
		{"arkime/dot1ad.pcap", []string{"test/vlan30/88:d9:8f:5f:c5:48 outer=1525", "test/vlan40/40:8f:9d:6e:c7:d8 outer=1535"}},
		{"arkime/twovlan.pcap", []string{"test/vlan200/00:09:0f:db:f4:3e outer=201", "test/vlan200/00:0c:29:c1:2d:24 outer=201"}},
		// VXLAN VNI 1111 under an outer VLAN 5: the inner frames are the assets.
		{"ndpi/vxlan.pcap", []string{"test/vxlan:1111/vlan0/1e:ea:69:2a:6f:cf", "test/vxlan:1111/vlan0/66:7a:50:aa:ff:9a"}},
		{"suricata-verify/detect-arp-04-vxlan__vxlan-arp.pcap", []string{"test/vxlan:100/vlan0/00:16:3e:37:f6:04", "test/vxlan:100/vlan0/00:30:88:01:00:02"}},
		// ERSPAN type I (no header), inner VLANs 1011 and 999.
		{"suricata-verify/decode-erspan-typeI-02__input.pcap", []string{"test/erspan1/vlan1011/80:a2:35:46:37:ae", "test/erspan1/vlan999/c4:54:44:89:12:e5"}},
		// ERSPAN II session 100; the header keeps the original VLAN 23.
		{"zeek/erspanII.pcap", []string{"test/erspan:100/vlan23/64:00:f1:e1:02:02", "test/erspan:100/vlan23/64:00:f1:e1:03:03"}},
		// ERSPAN III session 0, VLAN 20 in the header.
		{"zeek/erspanIII.pcap", []string{"test/erspan3:0/vlan20/00:50:56:be:d5:5d", "test/erspan3:0/vlan20/02:50:56:56:44:52"}},
		// ERSPAN III with the 802.1Q tag (10) kept in the inner frame.
		{"zeek/gre-erspan3-dot1q.pcap", []string{"test/erspan3:0/vlan10/00:50:56:8b:6d:c7", "test/erspan3:0/vlan10/00:ae:cd:00:0c:f1"}},
		// ERSPAN II (session 20) carrying VXLAN-GPE (port 4790) carrying Ethernet.
		{"arkime/gre-erspan-vxlan.pcap", []string{"test/erspan:20/vxlan:0/vlan0/aa:bb:cc:dd:cc:c1"}},
		// Linux cooked capture: source MACs from the SLL header.
		{"zeek/linuxsll-arp.pcap", []string{"test/vlan0/00:50:56:8b:3f:0d", "test/vlan0/00:50:56:8b:cf:fa", "test/vlan0/cc:2d:e0:26:19:99"}},
		// ARP in 802.2 LLC/SNAP.
		{"zeek/snap-arp.pcapng", []string{"test/vlan0/c2:3c:19:6c:00:01", "test/vlan0/c2:3d:19:6c:00:01"}},
		// BSD loopback has no MACs: the device is keyed by IP.
		{"tapirx/dicom_arq_1_find_testclient.pcap", []string{"test/vlan0/ip:127.0.0.1"}},
		// PPPoE from an all-zero MAC: never an asset.
		{"zeek/pppoe-over-qinq.pcap", nil},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			c, sum, err := replayFile(t, filepath.Join(root, tc.file), Config{Tunnels: true})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Malformed != 0 {
				t.Errorf("malformed = %d", sum.Malformed)
			}
			if got := assetKeys(c); !slices.Equal(got, tc.want) {
				t.Errorf("assets:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestTunnelsOff(t *testing.T) {
	root := sharedPcaps(t)
	c, _, err := replayFile(t, filepath.Join(root, "zeek/erspanII.pcap"), Config{Tunnels: false})
	if err != nil {
		t.Fatal(err)
	}
	// Only the mirror source itself is seen.
	if got := assetKeys(c); !slices.Equal(got, []string{"test/vlan0/64:00:f1:e2:01:01"}) {
		t.Errorf("got %q", got)
	}
}

func obsOf(c *collector, kind model.ObsKind) []model.Observation {
	var out []model.Observation
	for _, o := range c.obs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func TestARP(t *testing.T) {
	root := sharedPcaps(t)
	// One gratuitous ARP: tshark shows sender 00:0c:29:... announcing its own IP.
	c, _, err := replayFile(t, filepath.Join(root, "chrissanders-packets/arp_gratuitous.pcapng"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	arps := obsOf(c, model.ObsARP)
	if len(arps) != 1 || !arps[0].ARP.Gratuitous || arps[0].Source != "arp.gratuitous" {
		t.Fatalf("gratuitous: %+v", arps)
	}
	// Request + reply: two bindings.
	c, _, err = replayFile(t, filepath.Join(root, "zeek/arp-who-has.pcap"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	arps = obsOf(c, model.ObsARP)
	if len(arps) != 2 || arps[0].Source != "arp.request" || arps[1].Source != "arp.reply" {
		t.Fatalf("who-has: %+v", arps)
	}
}

func TestARPProbeIsNotABinding(t *testing.T) {
	// An RFC 5227 probe: sender IP 0.0.0.0.
	frame := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 7,
	}
	c := &collector{}
	s := New(Config{}, c)
	w, err := s.newWorker(Input{Source: &FileSource{path: "probe", r: fakeLinkType{}}, Vantage: "t"}, true)
	if err != nil {
		t.Fatal(err)
	}
	ci := testCI(len(frame))
	w.packet(frame, &ci)
	if n := len(obsOf(c, model.ObsARP)); n != 0 {
		t.Errorf("probe produced %d ARP bindings", n)
	}
	if n := len(obsOf(c, model.ObsActivity)); n != 1 {
		t.Errorf("probe sender should still be an asset, got %d activity observations", n)
	}
}

func TestDHCP(t *testing.T) {
	root := sharedPcaps(t)
	// tshark: DISCOVER/REQUEST from 00:0c:29:... "ubuntu2", option 55 as below.
	c, _, err := replayFile(t, filepath.Join(root, "chrissanders-packets/dhcp_nolease_initialization.pcapng"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	d := obsOf(c, model.ObsDHCP)
	if len(d) == 0 {
		t.Fatal("no DHCP observations")
	}
	want55 := []byte{1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42}
	if !slices.Equal(d[0].DHCP.ParamList, want55) || d[0].DHCP.Hostname != "ubuntu2" {
		t.Errorf("fingerprint: %+v", d[0].DHCP)
	}
	acks := obsOf(c, model.ObsDHCPAck)
	if len(acks) != 1 || acks[0].Key.MAC != d[0].Key.MAC {
		t.Fatalf("acks: %+v", acks)
	}

	// Option 60 "MSFT 5.0", host NicksMacBook.
	c, _, _ = replayFile(t, filepath.Join(root, "suricata-verify/dhcp-eve-extended-option-60__input.pcap"), Config{})
	d = obsOf(c, model.ObsDHCP)
	if len(d) != 1 || d[0].DHCP.VendorClass != "MSFT 5.0" || d[0].DHCP.Hostname != "NicksMacBook" {
		t.Errorf("opt60: %+v", d)
	}

	// udhcp 1.36.1 client; the server's OFFER/ACK use option 52 overload
	// (tshark: dhcp.option.option_overload == 2, options continued in sname).
	c, _, _ = replayFile(t, filepath.Join(root, "suricata-verify/dhcp-option-52-overload__input.pcap"), Config{})
	d = obsOf(c, model.ObsDHCP)
	if len(d) == 0 || d[0].DHCP.VendorClass != "udhcp 1.36.1" ||
		!slices.Equal(d[0].DHCP.ParamList, []byte{1, 3, 6, 12, 15, 28, 42, 54, 66, 67, 119}) {
		t.Errorf("udhcp: %+v", d[0].DHCP)
	}
	acks = obsOf(c, model.ObsDHCPAck)
	if len(acks) != 1 || !acks[0].DHCP.Overloaded {
		t.Errorf("overloaded ack: %+v", acks)
	}

	// Option 82 on an ACK: circuit id "this is only a test...", remote id 0x13.
	c, _, _ = replayFile(t, filepath.Join(root, "zeek/dhcp_ack_subscriber_id_and_agent_remote_id.pcap"), Config{})
	acks = obsOf(c, model.ObsDHCPAck)
	if len(acks) != 1 || string(acks[0].DHCP.RelayCircuitID) != "this is only a test..." ||
		!slices.Equal(acks[0].DHCP.RelayRemoteID, []byte{0x13}) || acks[0].IP.String() != "192.168.0.10" {
		t.Errorf("option 82: %+v", acks)
	}

	// A fuzzed DHCP packet is counted as a DHCP decode error, not a crash.
	_, sum, _ := replayFile(t, filepath.Join(root, "ndpi/dhcp-fuzz.pcapng"), Config{})
	if sum.DecodeErrors[LayerDHCP] != 1 {
		t.Errorf("dhcp-fuzz: decode errors %v", sum.DecodeErrors)
	}
}
