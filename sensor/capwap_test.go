package sensor

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// TestCAPWAP replays the CAPWAP capture (an access point in front of a
// Cisco controller): the wireless client inside the data channel is an
// asset, with its DHCP fingerprint. tshark: capwap.data frames carry
// 802.11 data frames (frame control byte-swapped, "Swapped" in tshark)
// from wlan.sa 1c:ab:a7:f2:13:9d (DHCP DISCOVER, dhcp.option.hostname
// "kawai-iPad3", request list 1,3,6,15,119,252) and 58:0a:20:69:0e:20
// (the AP radio's WLCCP); eth.src outside: 24:e9:b3:47:ae:20 and
// 24:e9:b3:47:ae:25 (controller), b8:38:61:f3:05:ac (access point).
func TestCAPWAP(t *testing.T) {
	root := sharedPcaps(t)
	c, sum, err := replayFile(t, filepath.Join(root, "ndpi/capwap.pcap"), Config{Tunnels: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Malformed != 0 || sum.DecodeErrors[LayerTunnel] != 0 {
		t.Errorf("malformed %d, tunnel errors %d", sum.Malformed, sum.DecodeErrors[LayerTunnel])
	}
	want := []string{
		"test/capwap/vlan0/1c:ab:a7:f2:13:9d", "test/capwap/vlan0/58:0a:20:69:0e:20",
		"test/vlan0/24:e9:b3:47:ae:20", "test/vlan0/24:e9:b3:47:ae:25", "test/vlan0/b8:38:61:f3:05:ac",
	}
	if got := assetKeys(c); !slices.Equal(got, want) {
		t.Errorf("assets:\n got %q\nwant %q", got, want)
	}
	d := obsOf(c, model.ObsDHCP)
	if len(d) == 0 || d[0].Key.String() != "test/capwap/vlan0/1c:ab:a7:f2:13:9d" || d[0].DHCP.Hostname != "kawai-iPad3" ||
		!slices.Equal(d[0].DHCP.ParamList, []byte{1, 3, 6, 15, 119, 252}) {
		t.Errorf("DHCP inside CAPWAP: %+v", d)
	}
	c, _, err = replayFile(t, filepath.Join(root, "ndpi/capwap.pcap"), Config{Tunnels: false})
	if err != nil {
		t.Fatal(err)
	}
	if got := assetKeys(c); len(got) != 3 {
		t.Errorf("tunnels off: %q", got)
	}
}

// TestWLANFrames checks the 802.11 rebuild on hand-made frames: normal
// and byte-swapped frame control, from and to the distribution system,
// QoS data, and the frames left alone.
func TestWLANFrames(t *testing.T) {
	a1 := []byte{0x02, 1, 1, 1, 1, 1}
	a2 := []byte{0x02, 2, 2, 2, 2, 2}
	a3 := []byte{0x02, 3, 3, 3, 3, 3}
	snap := []byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06, 'x'}
	frame := func(fc0, fc1 byte, extra int, body []byte) []byte {
		b := append([]byte{fc0, fc1, 0, 0}, a1...)
		b = append(b, a2...)
		b = append(b, a3...)
		b = append(b, 0, 0)
		b = append(b, make([]byte, extra)...)
		return append(b, body...)
	}
	buf := make([]byte, maxWLANFrame)
	cases := []struct {
		name     string
		w        []byte
		dst, src []byte
		ok       bool
	}{
		{"to DS", frame(0x08, 0x01, 0, snap), a3, a2, true},
		{"to DS swapped", frame(0x01, 0x08, 0, snap), a3, a2, true},
		{"from DS", frame(0x08, 0x02, 0, snap), a1, a3, true},
		{"from DS swapped", frame(0x02, 0x08, 0, snap), a1, a3, true},
		{"QoS data", frame(0x88, 0x01, 2, snap), a3, a2, true},
		{"QoS data +HTC", frame(0x88, 0x81, 6, snap), a3, a2, true},
		{"A-MSDU", frame(0x88, 0x01, 0, append([]byte{0x80, 0}, snap...)), nil, nil, false},
		{"protected", frame(0x08, 0x41, 0, snap), nil, nil, false},
		{"null data", frame(0x48, 0x01, 0, nil), nil, nil, false},
		{"WDS", frame(0x08, 0x03, 6, snap), nil, nil, false},
		{"probe request", frame(0x40, 0x00, 0, nil), nil, nil, false},
	}
	for _, tc := range cases {
		out, ok, err := wlanToEthernet(tc.w, buf)
		if err != nil || ok != tc.ok {
			t.Errorf("%s: ok %v err %v", tc.name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		want := append(append(append([]byte{}, tc.dst...), tc.src...), 0x08, 0x06, 'x')
		if !slices.Equal(out, want) {
			t.Errorf("%s: % x, want % x", tc.name, out, want)
		}
	}
	if _, _, err := wlanToEthernet(make([]byte, 23), buf); err == nil {
		t.Error("short frame: no error")
	}
}

// TestSNAPARPBindings: ARP in 802.2 LLC/SNAP framing (hardware type 6,
// IEEE 802; tshark: arp.hw.type 6) binds its sender like Ethernet ARP
// (tshark: arp.src.proto_ipv4 10.0.0.1 from c2:3d:19:6c:00:01, 10.0.0.2
// from c2:3c:19:6c:00:01).
func TestSNAPARPBindings(t *testing.T) {
	root := sharedPcaps(t)
	c, _, err := replayFile(t, filepath.Join(root, "zeek/snap-arp.pcapng"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range obsOf(c, model.ObsARP) {
		got = append(got, o.Key.MAC.String()+" "+o.IP.String())
	}
	slices.Sort(got)
	want := []string{"c2:3c:19:6c:00:01 10.0.0.2", "c2:3d:19:6c:00:01 10.0.0.1"}
	if !slices.Equal(got, want) {
		t.Errorf("bindings %q, want %q", got, want)
	}
}

// FuzzCAPWAP feeds arbitrary CAPWAP data channel payloads to the header
// and 802.11 parser. Seeds: the UDP 5247 payloads of the shared capture.
func FuzzCAPWAP(f *testing.F) {
	if root, err := sharedRoot(); err == nil {
		for _, p := range pcaptest.UDPPayloads(f, filepath.Join(root, "ndpi/capwap.pcap"), CAPWAPDataPort) {
			f.Add(p.Data)
		}
	}
	f.Add([]byte{0, 0x20, 0x43, 0x20, 0, 0, 0, 0})
	buf := make([]byte, maxWLANFrame)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, ok, err := capwapFrame(b, buf)
		if err != nil && ok {
			t.Fatal("ok with an error")
		}
		if ok && len(out) > len(b)+14 {
			t.Fatalf("frame of %d bytes from %d", len(out), len(b))
		}
		if ok && len(out) >= 14 && !pcaptest.Within(b, out) && !pcaptest.Within(buf, out) {
			t.Fatal("frame outside input and buffer")
		}
	})
}
