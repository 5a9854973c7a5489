package sensor

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
)

// digest is what a replay taught, independent of how frames were split
// over workers: packets per asset, bindings, flows with their packets, and
// the clinical facts.
func digest(obs []model.Observation) map[string]uint64 {
	d := map[string]uint64{}
	for _, o := range obs {
		switch o.Kind {
		case model.ObsActivity:
			d["asset "+o.Key.String()] += o.Packets
		case model.ObsARP, model.ObsDHCPAck, model.ObsAddress:
			if o.Source == model.SourceTraffic {
				// An address learned from traffic needs the VLAN's subnet
				// known when the host's frame is looked at; another worker
				// may learn it later than one worker would (see
				// trafficConsistent).
				continue
			}
			d[fmt.Sprintf("bind %s %s", o.Key, o.IP)] = 1
		case model.ObsFlow:
			f := o.Flow
			// Whether an end is a router's is decided when the flow is
			// reported, from the bindings known by then; with several
			// workers a binding may be learned a few frames earlier or
			// later, so only the flow and its packets are compared.
			d[fmt.Sprintf("flow %s %s>%s %d/%d", f.Client, f.ClientIP, f.ServerIP, f.Proto, f.Port)] += f.Packets
			// Every connection of a flow is counted on one worker (the
			// dispatch hash leaves ports out).
			d[fmt.Sprintf("conns %s %s>%s %d/%d", f.Client, f.ClientIP, f.ServerIP, f.Proto, f.Port)] += f.Connections
		case model.ObsDICOM:
			d[fmt.Sprintf("dicom %s %s %s remote=%v", o.Key, o.DICOM.Role, o.DICOM.AETitle, o.Remote)] = 1
		case model.ObsHL7:
			d[fmt.Sprintf("hl7 %s %s %s remote=%v", o.Key, o.HL7.Role, o.HL7.Application, o.Remote)] = 1
		case model.ObsDHCP:
			d[fmt.Sprintf("dhcp %s %s", o.Key, o.DHCP.VendorClass)] = 1
		}
	}
	return d
}

// trafficConsistent checks the addresses learned from traffic with n
// workers against one worker's: none is an address one worker bound (by
// ARP, DHCP, NDP or traffic) to another MAC.
func trafficConsistent(t *testing.T, n int, one, got []model.Observation) {
	t.Helper()
	owner := map[string]string{}
	for _, o := range one {
		if o.Kind == model.ObsARP || o.Kind == model.ObsDHCPAck || o.Kind == model.ObsAddress {
			owner[o.Key.Vantage+" "+o.IP.String()] = o.Key.String()
		}
	}
	for _, o := range got {
		if o.Kind != model.ObsAddress || o.Source != model.SourceTraffic {
			continue
		}
		if k, ok := owner[o.Key.Vantage+" "+o.IP.String()]; ok && k != o.Key.String() {
			t.Errorf("%d workers: traffic address %s of %s, bound to %s by one worker", n, o.IP, o.Key, k)
		}
	}
}

func replayWorkers(t *testing.T, path string, workers int) ([]model.Observation, Summary) {
	t.Helper()
	src, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	c := &collector{}
	sum, err := New(Config{Tunnels: true, Workers: workers}, c).Replay(context.Background(), Input{Source: src, Vantage: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return c.obs, sum
}

// TestParallelReplaySame: replaying with 2 or 3 workers teaches exactly
// what one worker does (same assets with the same packet counts, bindings,
// flows, router detection, DICOM and HL7 facts), on the demo capture and
// shared captures with routers, tunnels, VLANs, DICOM and HL7.
func TestParallelReplaySame(t *testing.T) {
	files := []string{filepath.Join("..", "testdata", "demo.pcap")}
	if root, err := sharedRoot(); err == nil {
		for _, f := range []string{"ndpi/hl7.pcap", "zeek/q-in-q.pcap", "arkime/gre-erspan-vxlan.pcap", "ndpi/1kxun.pcap"} {
			files = append(files, filepath.Join(root, f))
		}
	} else {
		t.Logf("shared captures not found beside the repo (../shared/pcaps): only the demo is compared")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			one, s1 := replayWorkers(t, f, 1)
			want := digest(one)
			for _, n := range []int{2, 3} {
				got, sn := replayWorkers(t, f, n)
				if sn.Packets != s1.Packets || sn.FirstPacket != s1.FirstPacket || sn.LastPacket != s1.LastPacket {
					t.Errorf("%d workers: %d packets %v..%v, want %d %v..%v", n, sn.Packets, sn.FirstPacket, sn.LastPacket, s1.Packets, s1.FirstPacket, s1.LastPacket)
				}
				g := digest(got)
				for _, k := range slices.Sorted(maps.Keys(want)) {
					if g[k] != want[k] {
						t.Errorf("%d workers: %s = %d, want %d", n, k, g[k], want[k])
					}
				}
				for _, k := range slices.Sorted(maps.Keys(g)) {
					if _, ok := want[k]; !ok {
						t.Errorf("%d workers: extra %s = %d", n, k, g[k])
					}
				}
				trafficConsistent(t, n, one, got)
			}
		})
	}
}

func TestFrameHashSymmetric(t *testing.T) {
	g := newFloodGen()
	a, b := []byte{0, 0x1b, 0x63, 1, 2, 3}, []byte{0, 0x1b, 0x63, 4, 5, 6}
	for i := range 200 {
		ipA := netipFrom(10, 1, byte(i), 1)
		ipB := netipFrom(10, 2, 0, byte(i))
		d1, _ := g.tcp(a, b, ipA, ipB, uint16(40000+i), 104, 1, false, []byte("x"))
		d2, _ := g.tcp(b, a, ipB, ipA, 104, uint16(40000+i), 1, false, []byte("y"))
		if frameHash(layers.LinkTypeEthernet, d1) != frameHash(layers.LinkTypeEthernet, d2) {
			t.Fatalf("connection %d: the two directions hash apart", i)
		}
	}
}

// TestFrameHashDHCP: every DHCPv4 frame goes to worker 0, whatever its
// addresses (a client's broadcast, the relay's copy to the server, the
// server's answer, tagged or not), so a relayed message is read after the
// client's own frames; other UDP keeps the addresses' hash.
func TestFrameHashDHCP(t *testing.T) {
	g := newFloodGen()
	client, relay, server := []byte{0, 0x1b, 0x63, 1, 2, 3}, []byte{0, 0x1b, 0x63, 4, 5, 6}, []byte{0, 0x1b, 0x63, 7, 8, 9}
	bcast := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	frames := map[string][]byte{}
	frames["discover"], _ = g.udp(client, bcast, netipFrom(0, 0, 0, 0), netipFrom(255, 255, 255, 255), 68, 67, []byte("d"))
	frames["relayed"], _ = g.udp(relay, server, netipFrom(10, 20, 0, 1), netipFrom(10, 0, 0, 53), 67, 67, []byte("r"))
	frames["ack to relay"], _ = g.udp(server, relay, netipFrom(10, 0, 0, 53), netipFrom(10, 20, 0, 1), 67, 67, []byte("a"))
	frames["ack to client"], _ = g.udp(relay, client, netipFrom(10, 20, 0, 1), netipFrom(10, 20, 0, 77), 67, 68, []byte("c"))
	tagged := append(append(append([]byte{}, frames["relayed"][:12]...), 0x81, 0x00, 0x00, 0x14), frames["relayed"][12:]...)
	frames["relayed, VLAN 20"] = tagged
	for name, f := range frames {
		if h := frameHash(layers.LinkTypeEthernet, f); h != 0 {
			t.Errorf("%s: hash %d, want 0 (worker 0)", name, h)
		}
	}
	other, _ := g.udp(relay, server, netipFrom(10, 20, 0, 1), netipFrom(10, 0, 0, 53), 5000, 53, []byte("q"))
	if frameHash(layers.LinkTypeEthernet, other) == 0 {
		t.Errorf("a DNS query hashed to 0: the addresses' hash is expected")
	}
}
