package sensor

import (
	"encoding/binary"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/nbns"
)

// nbName is one NetBIOS name of a synthetic NBNS message: 15 bytes of
// text, the suffix, NB or name flags (0x8000 group).
type nbName struct {
	text   string
	suffix byte
	flags  uint16
}

// nbLabel returns the first-level encoding of n (RFC 1001 14.1) as a
// length-prefixed label with its root.
func nbLabel(n nbName) []byte {
	raw := append([]byte(n.text+strings.Repeat(" ", 15-len(n.text))), n.suffix)
	out := []byte{32}
	for _, c := range raw {
		out = append(out, 'A'+c>>4, 'A'+c&0x0f)
	}
	return append(out, 0)
}

// nbRegistration is a broadcast registration (opcode 5) of n at addr: the
// name as question and as additional NB record.
func nbRegistration(n nbName, addr string) []byte {
	b := []byte{0x12, 0x34, 0x29, 0x10, 0, 1, 0, 0, 0, 0, 0, 1}
	b = append(append(b, nbLabel(n)...), 0, 0x20, 0, 1)
	b = append(b, 0xc0, 12, 0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6)
	b = binary.BigEndian.AppendUint16(b, n.flags)
	return append(b, net.ParseIP(addr).To4()...)
}

// nbAnswer is a positive name query response for n with address addr.
func nbAnswer(n nbName, addr string) []byte {
	b := []byte{0x12, 0x34, 0x85, 0x00, 0, 0, 0, 1, 0, 0, 0, 0}
	b = append(append(b, nbLabel(n)...), 0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6)
	b = binary.BigEndian.AppendUint16(b, n.flags)
	return append(b, net.ParseIP(addr).To4()...)
}

// nbQuery is a broadcast name query for n.
func nbQuery(n nbName) []byte {
	b := []byte{0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0}
	return append(append(b, nbLabel(n)...), 0, 0x20, 0, 1)
}

// nbStatus is a node status response listing names, with a unit ID.
func nbStatus(names ...nbName) []byte {
	b := []byte{0x12, 0x34, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0}
	b = append(b, nbLabel(nbName{text: "*\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"})...)
	d := []byte{byte(len(names))}
	for _, n := range names {
		d = append(d, n.text+strings.Repeat(" ", 15-len(n.text))...)
		d = binary.BigEndian.AppendUint16(append(d, n.suffix), n.flags)
	}
	d = append(d, make([]byte, 46)...) // unit ID and statistics
	b = append(b, 0, 0x21, 0, 1, 0, 0, 0, 0)
	return append(binary.BigEndian.AppendUint16(b, uint16(len(d))), d...)
}

// nbnsFrame returns an Ethernet frame carrying payload from UDP port 137.
func nbnsFrame(t *testing.T, src, dst, from, to string, payload []byte) []byte {
	ls := eth(src, dst, 0, layers.EthernetTypeIPv4)
	ip := &layers.IPv4{Version: 4, TTL: 128, Protocol: layers.IPProtocolUDP,
		SrcIP: net.ParseIP(from).To4(), DstIP: net.ParseIP(to).To4()}
	udp := &layers.UDP{SrcPort: nbns.Port, DstPort: nbns.Port}
	udp.SetNetworkLayerForChecksum(ip)
	ls = append(ls, ip, udp, gopacket.Payload(payload))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNBNSServices checks the nbns.service signal: a service is reported
// for the names a host registers with its own address or lists in its own
// node status, group names included (a domain controller's <1C>); a WINS
// server answering for a domain controller, and a client looking one up,
// get nothing. Once known, the messages allocate nothing.
func TestNBNSServices(t *testing.T) {
	const (
		dc     = "00:15:5d:00:00:05" // 10.1.0.5 registers HOSPITAL<1c>
		pdc    = "00:15:5d:00:00:06" // 10.1.0.6 answers a node status as DC, PDC, master browser
		wins   = "00:15:5d:00:00:07" // 10.1.0.7 answers for HOSPITAL<1c> with 10.1.0.5
		client = "00:15:5d:00:00:08" // 10.1.0.8 looks for a domain controller
		bcast  = "ff:ff:ff:ff:ff:ff"
	)
	dom := nbName{"HOSPITAL", 0x1c, 0x8000}
	frames := [][]byte{
		nbnsFrame(t, dc, bcast, "10.1.0.5", "10.1.0.255", nbRegistration(dom, "10.1.0.5")),
		nbnsFrame(t, dc, bcast, "10.1.0.5", "10.1.0.255", nbRegistration(nbName{"DC01", 0x00, 0}, "10.1.0.5")),
		nbnsFrame(t, pdc, client, "10.1.0.6", "10.1.0.8", nbStatus(nbName{"DC02", 0x00, 0x0400},
			nbName{"HOSPITAL", 0x00, 0x8400}, nbName{"HOSPITAL", 0x1c, 0x8400}, nbName{"DC02", 0x20, 0x0400},
			nbName{"HOSPITAL", 0x1b, 0x0400}, nbName{"HOSPITAL", 0x1e, 0x8400}, nbName{"HOSPITAL", 0x1d, 0x0400},
			nbName{"\x01\x02__MSBROWSE__\x02", 0x01, 0x8400})),
		nbnsFrame(t, wins, client, "10.1.0.7", "10.1.0.8", nbAnswer(dom, "10.1.0.5")),
		nbnsFrame(t, client, bcast, "10.1.0.8", "10.1.0.255", nbQuery(dom)),
	}
	s := newSynth(t)
	ci := gopacket.CaptureInfo{Timestamp: s.ts}
	for _, f := range frames {
		ci.CaptureLength, ci.Length = len(f), len(f)
		s.w.packet(f, &ci)
	}
	got := signalsOf(s.c)
	want := []string{
		"t/vlan0/00:15:5d:00:00:05 nbns.name=DC01",
		"t/vlan0/00:15:5d:00:00:05 nbns.service=domain-controller",
		"t/vlan0/00:15:5d:00:00:06 nbns.name=DC02",
		"t/vlan0/00:15:5d:00:00:06 nbns.service=domain-controller",
		"t/vlan0/00:15:5d:00:00:06 nbns.service=file-server",
		"t/vlan0/00:15:5d:00:00:06 nbns.service=master-browser",
		"t/vlan0/00:15:5d:00:00:06 nbns.service=pdc",
	}
	if !slices.Equal(got, want) {
		t.Errorf("signals:\n%s want:\n%s", lines(got), lines(want))
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, f := range frames {
			ci.CaptureLength, ci.Length = len(f), len(f)
			s.w.packet(f, &ci)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per round of known NBNS messages, want 0", allocs)
	}
}

// TestNBNSServicesInCaptures: the shared captures' NBNS messages are
// queries and two positive answers (tshark -Y nbns: arkime_synthetic.pcap
// frames 537 and 806, 10.20.7.50 answering FILESERVER<00> with 10.20.7.200
// and 10.20.8.1 answering TESTHOST<00> with 10.20.8.77, both for another
// address); no registration, no node status. So no asset gets a NetBIOS
// service (and no name) from them: a query names what is looked for
// (SONUSNETWORKS<1c> in 1kxun.pcap is a client looking for a domain
// controller, not one), an answer for another address is not the
// answerer's.
func TestNBNSServicesInCaptures(t *testing.T) {
	root := sharedPcaps(t)
	for _, file := range []string{"ndpi/1kxun.pcap", "arkime/arkime_synthetic.pcap", "zeek/wikipedia.pcap", "zeek/erspan.pcap"} {
		c, _, err := replayFile(t, filepath.Join(root, file), Config{Tunnels: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obsOf(c, model.ObsSignal) {
			if src := o.Signal.Source; src == model.EvidenceNBNSService || src == model.EvidenceNBNSName {
				t.Errorf("%s: %s %s=%s", file, o.Key, src, o.Signal.Value)
			}
		}
	}
}
