package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wardwatch/wardwatch/model"
)

// driftPolicy zones the drift capture: the pump, its server, a
// maintenance host it must not talk to.
const driftPolicy = `default: allow
zones:
  - name: pumps
    cidrs: [10.20.0.0/27]
  - name: servers
    cidrs: [10.20.0.48/28]
  - name: maint
    cidrs: [10.20.0.64/28]
rules: []
`

// frameWriter builds Ethernet frames for a generated capture, each with
// its own capture time.
type frameWriter struct {
	tb  testing.TB
	w   *pcapgo.Writer
	f   *os.File
	buf gopacket.SerializeBuffer
}

func newFrameWriter(tb testing.TB, path string) *frameWriter {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		tb.Fatal(err)
	}
	return &frameWriter{tb: tb, w: w, f: f, buf: gopacket.NewSerializeBuffer()}
}

func (fw *frameWriter) write(t time.Time, ls ...gopacket.SerializableLayer) {
	fw.tb.Helper()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(fw.buf, opts, ls...); err != nil {
		fw.tb.Fatal(err)
	}
	b := fw.buf.Bytes()
	if err := fw.w.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b)}, b); err != nil {
		fw.tb.Fatal(err)
	}
}

// host is a device of the generated capture.
type host struct {
	mac net.HardwareAddr
	ip  net.IP
}

func newHost(mac, ip string) host {
	m, _ := net.ParseMAC(mac)
	return host{mac: m, ip: net.ParseIP(ip).To4()}
}

// announce writes a gratuitous ARP of h.
func (fw *frameWriter) announce(t time.Time, h host) {
	fw.write(t, &layers.Ethernet{SrcMAC: h.mac, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: h.mac, SourceProtAddress: h.ip,
			DstHwAddress: make(net.HardwareAddr, 6), DstProtAddress: h.ip})
}

// connect writes a TCP handshake's first two frames from c to s at ip:port
// (s's MAC carries the frames: a router's for an address off the link).
func (fw *frameWriter) connect(t time.Time, c, s host, ip string, sport, port uint16) {
	dst := net.ParseIP(ip).To4()
	for i, dir := range []struct {
		src, dst host
		sip, dip net.IP
		spt, dpt uint16
		syn, ack bool
	}{{c, s, c.ip, dst, sport, port, true, false}, {s, c, dst, c.ip, port, sport, true, true}} {
		tcp := &layers.TCP{SrcPort: layers.TCPPort(dir.spt), DstPort: layers.TCPPort(dir.dpt), SYN: dir.syn, ACK: dir.ack,
			Seq: 1000, Window: 64240}
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: dir.sip, DstIP: dir.dip}
		tcp.SetNetworkLayerForChecksum(ip4)
		fw.write(t.Add(time.Duration(i)*time.Millisecond),
			&layers.Ethernet{SrcMAC: dir.src.mac, DstMAC: dir.dst.mac, EthernetType: layers.EthernetTypeIPv4}, ip4, tcp)
	}
}

func (fw *frameWriter) close() {
	if err := fw.f.Close(); err != nil {
		fw.tb.Fatal(err)
	}
}

const (
	driftPump = "00:09:fb:20:00:11"
	driftT0   = "2026-03-02T08:00:00Z"
)

// writeDriftCapture writes a pump that talks HTTPS to its server for ten
// minutes, then SSH to a maintenance host and HTTPS to an internet
// address: after a learning window of 5 minutes, three changes.
func writeDriftCapture(tb testing.TB, path string) {
	t0, _ := time.Parse(time.RFC3339, driftT0)
	pump, srv := newHost(driftPump, "10.20.0.11"), newHost("00:1b:63:00:00:50", "10.20.0.50")
	maint, router := newHost("00:1b:63:00:00:66", "10.20.0.66"), newHost("00:00:5e:00:01:01", "10.20.0.1")
	fw := newFrameWriter(tb, path)
	for _, h := range []host{router, pump, srv, maint} {
		fw.announce(t0, h)
	}
	for i := range 10 {
		fw.connect(t0.Add(time.Duration(i)*time.Minute+time.Second), pump, srv, "10.20.0.50", uint16(40000+i), 443)
	}
	late := t0.Add(12 * time.Minute)
	fw.connect(late, pump, maint, "10.20.0.66", 41000, 22)
	fw.connect(late.Add(time.Second), pump, router, "203.0.113.10", 41001, 443)
	fw.connect(late.Add(2*time.Second), pump, srv, "10.20.0.50", 41002, 443) // known
	fw.close()
}

// TestBehaviourDrift replays a generated capture of a pump that changes
// behaviour after a 5-minute learning window: the changes are events with
// their flows (CLI, SIEM file), the baseline shows learned and changed
// items, a second replay reports nothing twice, and a reset makes the
// device learn again.
func TestBehaviourDrift(t *testing.T) {
	dir := t.TempDir()
	pcap, db, pol := filepath.Join(dir, "drift.pcap"), filepath.Join(dir, "drift.db"), filepath.Join(dir, "policy.yml")
	events, cfg := filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "wardwatch.yml")
	writeDriftCapture(t, pcap)
	writeFile(t, pol, []byte(driftPolicy), 0o644)
	writeFile(t, cfg, []byte("store:\n  path: "+db+"\npolicy:\n  file: "+pol+"\nevents:\n  file: "+events+
		"\nbaseline:\n  learn_for: 5m\ncapture:\n  workers: 1\n"), 0o644)
	replay := func() {
		t.Helper()
		if r := runMain("replay", "-q", "--config.file", cfg, "--vantage", "span0", pcap); r.code != 0 {
			t.Fatalf("replay exit %d: %s", r.code, r.stderr)
		}
	}
	replay()

	r := runMain("events", "--config.file", cfg, "-o", "json")
	if r.code != 0 {
		t.Fatalf("events: %s", r.stderr)
	}
	var evs []struct {
		Type     string `json:"type"`
		MAC      string `json:"mac"`
		OldValue string `json:"old_value"`
		NewValue string `json:"new_value"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil {
		t.Fatalf("events -o json: %v\n%s", err, r.stdout)
	}
	var got []string
	for _, e := range evs {
		if strings.HasPrefix(e.Type, "new-") && e.Type != "new-device" && e.Type != "new-ip" && e.Type != "new-station" {
			if e.MAC != driftPump {
				t.Errorf("%s of %s, want only the pump's", e.Type, e.MAC)
			}
			got = append(got, e.Type+" "+e.NewValue)
		}
	}
	slices.Sort(got)
	want := []string{
		"new-external-peer 203.0.113.10: 10.20.0.11 -> 203.0.113.10 tcp/443 (https), zones pumps -> internet, span0 vlan 0",
		"new-peer-zone maint: 10.20.0.11 -> 10.20.0.66 tcp/22 (ssh), zones pumps -> maint, span0 vlan 0",
		"new-protocol ssh: 10.20.0.11 -> 10.20.0.66 tcp/22 (ssh), zones pumps -> maint, span0 vlan 0",
		"new-service tcp/22: 10.20.0.11 -> 10.20.0.66 tcp/22 (ssh), zones pumps -> maint, span0 vlan 0",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("behaviour events:\n got %q\nwant %q", got, want)
	}

	// The SIEM file has the same four, as ECS asset events with the
	// device and the flow.
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ln := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var doc struct {
			Event struct {
				Dataset, Action string
			}
			Wardwatch struct {
				NewValue string `json:"new_value"`
			}
		}
		if err := json.Unmarshal([]byte(ln), &doc); err != nil {
			t.Fatalf("events file: %v: %s", err, ln)
		}
		if doc.Event.Dataset == "wardwatch.asset" && model.EventType(doc.Event.Action).IsBehaviour() {
			n++
			if !strings.Contains(doc.Wardwatch.NewValue, ": 10.20.0.11 -> ") {
				t.Errorf("SIEM event without its flow: %s", ln)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d behaviour events in the SIEM file, want 4", n)
	}

	// The baseline: learned items and the changes.
	r = runMain("baseline", "show", "--config.file", cfg, "--now", "2026-03-02T09:00:00Z", driftPump)
	if r.code != 0 {
		t.Fatalf("baseline show: %d %s", r.code, r.stderr)
	}
	flat := strings.Join(strings.Fields(r.stdout), " ")
	for _, s := range []string{"00:09:fb:20:00:11 (VLAN 0 at span0): ", ", learned since 2026-03-02T08:0",
		"(window 5m0s)", "peer-zone servers yes", "service tcp/443 yes", "protocol https yes",
		"external-peer 203.0.113.10 no (change)", "service tcp/22 no (change)", "peer-zone maint no (change)"} {
		if !strings.Contains(flat, s) {
			t.Errorf("baseline show lacks %q:\n%s", s, r.stdout)
		}
	}

	// Replaying again into the same database: nothing new.
	replay()
	r2 := runMain("events", "--config.file", cfg, "-o", "json")
	if strings.Count(r2.stdout, `"new-service"`) != 1 || strings.Count(r2.stdout, `"new-external-peer"`) != 1 {
		t.Errorf("second replay reported changes again:\n%s", r2.stdout)
	}

	// Reset: gone, and learning again from the next traffic.
	if r := runMain("baseline", "reset", "--config.file", cfg, driftPump); r.code != 0 || !strings.Contains(r.stdout, "reset 1 baseline") {
		t.Fatalf("baseline reset: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := runMain("baseline", "show", "--config.file", cfg, driftPump); r.code != 1 || !strings.Contains(r.stderr, "no baseline for") {
		t.Errorf("baseline show after reset: %d %q", r.code, r.stderr)
	}
	checkOneLineError(t, runMain("baseline", "reset", "--config.file", cfg, "--class", "toaster"), 2, `"toaster" is not a device class`)
	checkOneLineError(t, runMain("baseline", "show", "--config.file", cfg), 2, "want exactly one MAC address")
}

// TestBehaviourSharedCaptures replays real captures (the demo, the shared
// DICOM, HL7 and multi-protocol ones) with a one-minute learning window:
// every behaviour event names a device of the inventory and its flow, its
// item is recorded as a change, and a second replay of the same captures
// reports nothing twice.
func TestBehaviourSharedCaptures(t *testing.T) {
	root := sharedPcaps(t)
	dir := t.TempDir()
	db, cfg := filepath.Join(dir, "b.db"), filepath.Join(dir, "wardwatch.yml")
	// One worker: with several, which end of a flow the sensor takes to
	// own its MAC depends on which worker saw what first, and so may differ
	// between two replays of the same capture.
	writeFile(t, cfg, []byte("store:\n  path: "+db+"\nbaseline:\n  learn_for: 1m\ncapture:\n  workers: 1\n"), 0o644)
	files := []string{filepath.Join("..", "..", "testdata", "demo.pcap")}
	for _, c := range []string{"tapirx/dicom_arq_1_find_testclient.pcap", "tapirx/HL7-ORU.pcap", "arkime/arkime_synthetic.pcap"} {
		files = append(files, filepath.Join(root, c))
	}
	count := func() int {
		r := runMain("events", "--config.file", cfg, "-o", "json")
		if r.code != 0 {
			t.Fatalf("events: %s", r.stderr)
		}
		var raw []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range raw {
			switch e["type"] {
			case "new-external-peer", "new-service", "new-peer-zone", "new-protocol", "unusual-for-class":
				n++
				if v, _ := e["new_value"].(string); !strings.Contains(v, " -> ") {
					t.Errorf("behaviour event without its flow: %v", e)
				}
			}
		}
		return n
	}
	args := append([]string{"replay", "-q", "--config.file", cfg, "--vantage", "real"}, files...)
	if r := runMain(args...); r.code != 0 {
		t.Fatalf("replay: %s", r.stderr)
	}
	first := count()
	if r := runMain(args...); r.code != 0 {
		t.Fatalf("replay again: %s", r.stderr)
	}
	if again := count(); again != first {
		t.Errorf("a second replay of the same captures added %d behaviour events", again-first)
	}
	t.Logf("behaviour events over the demo and shared captures with learn_for 1m: %d", first)
}
