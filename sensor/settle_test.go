package sensor

import (
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"

	"github.com/wardwatch/wardwatch/model"
)

// TestSettleBindings: a binding seen again within the refresh interval is
// not reported at once, but when the worker stops its latest sighting is:
// the last ARP message (with its source), then the device's last frame
// from that address (as traffic). The store's last-seen times and sources
// are then those of the capture's end, with one worker or several.
func TestSettleBindings(t *testing.T) {
	c, w := collectWorker(t, Config{RefreshInterval: 5 * time.Minute})
	g := newFloodGen()
	mac := net.HardwareAddr{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c}
	peer := net.HardwareAddr{0x00, 0x1b, 0x21, 0x0d, 0x0e, 0x0f}
	ip, peerIP := netipFrom(10, 0, 0, 5), netipFrom(10, 0, 0, 9)
	start := g.t
	at := func(d time.Duration) time.Time { return start.Add(d) }
	feed := func(d time.Duration, frame []byte, ci gopacket.CaptureInfo) {
		ci.Timestamp = at(d)
		w.packet(frame, &ci)
	}
	f, ci := g.arpReply(mac, ip, peer, peerIP)
	feed(0, f, ci)
	f, ci = g.arpReply(mac, ip, peer, peerIP)
	feed(time.Minute, f, ci) // within the refresh interval: not reported now
	f, ci = g.udp(mac, peer, ip, peerIP, 40000, 514, []byte("x"))
	feed(2*time.Minute, f, ci)

	arps := obsOf(c, model.ObsARP)
	if len(arps) != 1 || !arps[0].Time.Equal(at(0)) {
		t.Fatalf("before the end: %d ARP observations, want the first only: %+v", len(arps), arps)
	}
	w.finish()
	arps = obsOf(c, model.ObsARP)
	if len(arps) != 2 || !arps[1].Time.Equal(at(time.Minute)) || arps[1].Source != model.SourceARPReply ||
		arps[1].IP != ip || arps[1].Key.MAC != model.MAC(mac) {
		t.Fatalf("at the end: want the last ARP reply (at +1m) reported: %+v", arps)
	}
	var traffic []model.Observation
	for _, o := range obsOf(c, model.ObsAddress) {
		if o.IP == ip {
			traffic = append(traffic, o)
		}
	}
	if len(traffic) != 1 || !traffic[0].Time.Equal(at(2*time.Minute)) || traffic[0].Source != model.SourceTraffic {
		t.Fatalf("at the end: want the device's last frame from %v (at +2m) as traffic: %+v", ip, traffic)
	}
	// Settled once: stopping again reports nothing new.
	n := len(c.obs)
	w.tr.settleBindings()
	if len(c.obs) != n {
		t.Errorf("a second settle reported %d more observations", len(c.obs)-n)
	}
}
