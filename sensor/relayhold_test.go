package sensor

import (
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// relayedAck returns a DHCP ACK from server to relay for client mac,
// leasing ip (Ethernet/IPv4/UDP 67 -> 67, giaddr set).
func relayedAck(t *testing.T, client net.HardwareAddr, ip [4]byte, at time.Time) ([]byte, gopacket.CaptureInfo) {
	t.Helper()
	server, relay := net.HardwareAddr{0, 0x1b, 0x63, 7, 8, 9}, net.HardwareAddr{0, 0x1b, 0x63, 4, 5, 6}
	eth := &layers.Ethernet{SrcMAC: server, DstMAC: relay, EthernetType: layers.EthernetTypeIPv4}
	ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP{10, 0, 0, 53}, DstIP: net.IP{10, 20, 0, 1}}
	udp := &layers.UDP{SrcPort: 67, DstPort: 67}
	_ = udp.SetNetworkLayerForChecksum(ip4)
	d := &layers.DHCPv4{Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6, Xid: 7,
		ClientHWAddr: client, YourClientIP: net.IP(ip[:]), RelayAgentIP: net.IP{10, 20, 0, 1},
		Options: layers.DHCPOptions{
			layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(layers.DHCPMsgTypeAck)}),
			layers.NewDHCPOption(layers.DHCPOptSubnetMask, []byte{255, 255, 255, 0}),
			layers.NewDHCPOption(layers.DHCPOptServerID, []byte{10, 0, 0, 53}),
		}}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip4, udp, d); err != nil {
		t.Fatal(err)
	}
	data := append([]byte(nil), buf.Bytes()...)
	return data, gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(data), Length: len(data)}
}

// TestRelayedDHCPHeld: a relayed ACK read before any worker saw its client
// is held, and reported (as of its own time, on the client's VLAN) once the
// client is placed, here by "another worker" (the shared home table); one
// whose client never shows up is counted in DHCPUnplaced when the worker
// stops.
func TestRelayedDHCPHeld(t *testing.T) {
	c, w := collectWorker(t, Config{ActivityInterval: 10 * time.Second})
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	early := net.HardwareAddr{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x01}
	never := net.HardwareAddr{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x02}
	f, ci := relayedAck(t, early, [4]byte{10, 20, 0, 77}, t0)
	w.packet(f, &ci)
	f, ci = relayedAck(t, never, [4]byte{10, 20, 0, 78}, t0.Add(time.Second))
	w.packet(f, &ci)
	if n := len(obsOf(c, model.ObsDHCPAck)); n != 0 || w.tr.dhcpUnplaced != 0 {
		t.Fatalf("before the clients are placed: %d ACKs reported, %d unplaced; want them held", n, w.tr.dhcpUnplaced)
	}
	// Another worker reads the first client's broadcast on VLAN 20.
	w.s.shared.home.putIfAbsent(homeKey{"flood", model.MAC(early)}, 20)
	// The next sweep (an activity interval of capture time later).
	f, ci = relayedAck(t, never, [4]byte{10, 20, 0, 78}, t0.Add(15*time.Second))
	w.packet(f, &ci)
	acks := obsOf(c, model.ObsDHCPAck)
	if len(acks) != 1 || acks[0].Key.MAC != model.MAC(early) || acks[0].Key.VLAN != 20 || !acks[0].Time.Equal(t0) ||
		acks[0].IP.String() != "10.20.0.77" {
		t.Fatalf("after the client is placed: ACKs %+v, want 10.20.0.77 for %s on VLAN 20 at %v", acks, early, t0)
	}
	w.finish()
	if w.tr.dhcpUnplaced != 2 || w.tr.relays.n != 0 {
		t.Errorf("at the end: %d unplaced, %d held; want the two ACKs of the client never seen counted", w.tr.dhcpUnplaced,
			w.tr.relays.n)
	}
}

// TestRelayedDHCPHoldBounded: held messages are capped; the oldest go,
// counted, and the buffers are reused (no allocation per message once
// the queue is full).
func TestRelayedDHCPHoldBounded(t *testing.T) {
	_, w := collectWorker(t, Config{})
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	var frames [][]byte
	var cis []gopacket.CaptureInfo
	for i := range maxHeldDHCP + 50 {
		f, ci := relayedAck(t, net.HardwareAddr{0x00, 0x1b, 0x21, 0, byte(i >> 8), byte(i)}, [4]byte{10, 20, byte(i >> 8), byte(i)},
			t0.Add(time.Duration(i)*time.Millisecond))
		frames, cis = append(frames, f), append(cis, ci)
	}
	for i := range frames {
		w.packet(frames[i], &cis[i])
	}
	if w.tr.relays.n != maxHeldDHCP || w.tr.dhcpUnplaced != 50 {
		t.Fatalf("%d held, %d unplaced; want %d held and 50 counted", w.tr.relays.n, w.tr.dhcpUnplaced, maxHeldDHCP)
	}
	if st := w.snapshot(); st.DHCPHoldCapHits != 50 {
		t.Errorf("DHCPHoldCapHits = %d, want 50 (the hold was full 50 times)", st.DHCPHoldCapHits)
	}
	ds := make([]*layers.DHCPv4, 10)
	for j := range ds {
		ds[j] = relayedLayer(t, frames[j])
	}
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		w.tr.hold("flood", 0, ds[i%len(ds)], t0)
		i++
	})
	if allocs != 0 {
		t.Errorf("holding a message with the queue full allocates %.1f times", allocs)
	}
}

// relayedLayer decodes a frame's DHCP layer.
func relayedLayer(t *testing.T, frame []byte) *layers.DHCPv4 {
	p := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
	d, ok := p.Layer(layers.LayerTypeDHCPv4).(*layers.DHCPv4)
	if !ok {
		t.Fatal("no DHCP layer")
	}
	return d
}
