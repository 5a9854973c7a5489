package dhcpv6

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{
	"arkime/wireshark-dhcpv6.pcap", "arkime/arkime_synthetic.pcap", "chrissanders-packets/dhcp6_outlease_acquisition.pcapng",
	"ndpi/1kxun.pcap", "ndpi/android.pcap", "packetfence/dhcpv6-sample-1.pcap", "zeek/dhcpv6-freebsd-vendorclass.pcap",
	"zeek/dhcpv6-hp24fee0.pcap", "zeek/dhcpv6-wifi-rapidcommit.pcap", "zeek/erspan.pcap", "zeek/dhcpv6-freebsd-ntpservers.pcap",
}

// messages returns the DHCPv6 payloads (UDP port 547, either direction) of a
// shared capture.
func messages(tb testing.TB, path string) []pcaptest.Payload {
	return pcaptest.UDPPayloads(tb, path, ServerPort)
}

// summary renders the fields tshark shows, in tshark's formats, joined by
// '|': dhcpv6.msgtype (innermost), the client DUID's dhcpv6.duid.type,
// link-layer address (dhcpv6.duidllt.link_layer_addr /
// dhcpv6.duidll.link_layer_addr, colon hex; for other hardware types plain
// hex) or DUID-EN enterprise, dhcpv6.vendorclass.enterprise,
// dhcpv6.vendorclass.data, dhcpv6.client_domain (with a trailing dot when
// fully qualified), dhcpv6.client_fqdn_flags, dhcpv6.requested_option_code
// and dhcpv6.peeraddr.
func summary(m *Message) string {
	var f []string
	f = append(f, fmt.Sprint(m.Type), fmt.Sprint(m.ClientID.Type))
	switch d := m.ClientID; {
	case d.HWType == 1:
		f = append(f, macString(d.LinkAddr))
	case d.Type == DUIDEN:
		f = append(f, fmt.Sprint("en:", d.Enterprise))
	default:
		f = append(f, hex.EncodeToString(d.LinkAddr))
	}
	vc, vd := "", ""
	if m.HasVendorClass {
		vc = fmt.Sprint(m.VendorClassEnterprise)
		if m.NumVendorClassData > 0 {
			vd = string(m.VendorClassData[0])
		}
	}
	name, flags := "", ""
	if m.HasFQDN {
		name, flags = string(m.FQDN), fmt.Sprintf("0x%02x", m.FQDNFlags)
		if m.FQDNRooted {
			name += "."
		}
	}
	var oro []string
	for i := range m.NumORO() {
		oro = append(oro, fmt.Sprint(m.ORACode(i)))
	}
	peer := ""
	if m.RelayDepth > 0 {
		peer = m.PeerAddr.String()
	}
	return strings.Join(append(f, vc, vd, name, flags, strings.Join(oro, ","), peer), "|")
}

func macString(b []byte) string {
	s := make([]string, len(b))
	for i, x := range b {
		s[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(s, ":")
}

// TestCaptures checks client messages of the shared captures against the
// tshark 4.0.17 fields listed at summary.
func TestCaptures(t *testing.T) {
	const fbsd = "52:54:00:8a:3e:1c|40712|dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64:amd64"
	cases := []pcaptest.FrameCase{
		{"arkime/wireshark-dhcpv6.pcap", 2, "1|1|08:00:27:fe:8f:95|||||23,24|"},
		{"arkime/wireshark-dhcpv6.pcap", 11, "8|1|08:00:27:fe:8f:95|||||23,24|"},
		{"arkime/arkime_synthetic.pcap", 620, "1|3|02:de:ad:be:ef:01||||||2001:db8:dc::2"},
		{"arkime/arkime_synthetic.pcap", 910, "14|1|d0:01:12:23:34:45|||||23,24|"},
		{"chrissanders-packets/dhcp6_outlease_acquisition.pcapng", 1, "1|1|00:0c:29:5e:77:44|||||23,24,39,31|"},
		{"ndpi/1kxun.pcap", 752, "11|1|26:97:71:91:69:a3|||||23,24|"},
		{"ndpi/android.pcap", 69, "1|1|4c:6a:f6:9f:f6:27|||||23,24|"},
		{"zeek/dhcpv6-freebsd-vendorclass.pcap", 6, "1|1|" + fbsd + "|freebsd-01|0x01|23,24,39,82,83|"},
		{"zeek/dhcpv6-freebsd-vendorclass.pcap", 9, "7|1|52:54:00:8a:3e:1c|||freebsd-01.dhcpv6-net.|0x01||"},
		{"zeek/dhcpv6-freebsd-ntpservers.pcap", 8, "3|1|" + fbsd + "|freebsd-01|0x01|23,24,31,39,56,82,83|"},
		// A Reply: the server ID comes first (dhcpv6.duid.type "1,4": DUID-LLT with hardware type 769), the client ID is a DUID-UUID.
		{"zeek/dhcpv6-hp24fee0.pcap", 2, "7|4|||||||"},
		// The HP printer: DUID-LL 10:62:e5:24:fe:e1, partial FQDN "HP24FEE0".
		{"zeek/dhcpv6-hp24fee0.pcap", 3, "5|3|10:62:e5:24:fe:e1|||HP24FEE0|0x01|13,12,23,24,56,39|"},
		{"zeek/dhcpv6-hp24fee0.pcap", 1, "11|4||||||23,24,31,32,56,83|"},
		{"zeek/dhcpv6-wifi-rapidcommit.pcap", 1, "1|4||||tinkyx1|0x01|23,24,31,56,82|"},
		{"zeek/erspan.pcap", 9, "1|1|00:50:56:82:08:d1|311|MSFT 5.0|TFDSP.sp.local.|0x00|24,23,17,39|"},
		{"packetfence/dhcpv6cap.pcapng", 3, "1|1|a4:ba:db:e9:27:9d|311|MSFT 5.0|CM-1309G-O-01.mccad.mcc.edu.|0x00|24,23,17,39|fe80::c852:6a9b:4565:bb8"},
	}
	pcaptest.CheckFrames(t, cases, messages, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
}

// TestAllCaptureMessages decodes every DHCPv6 message of the shared
// captures without an error (the large relay capture included).
func TestAllCaptureMessages(t *testing.T) {
	n := 0
	for _, rel := range append(captures, "packetfence/dhcpv6cap.pcapng") {
		for _, p := range messages(t, pcaptest.SharedPcap(t, rel)) {
			var m Message
			if err := ParseInto(p.Data, &m); err != nil {
				t.Errorf("%s #%d: %v", rel, p.Frame, err)
			}
			n++
		}
	}
	t.Logf("%d messages", n)
}

// relayed wraps msg in a relay-forward with the given peer address.
func relayForw(msg []byte, peer byte) []byte {
	b := []byte{RelayForw, 0}
	b = append(b, make([]byte, 16)...)
	b = append(b, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, peer)
	return append(b, append([]byte{0, optRelayMsg, byte(len(msg) >> 8), byte(len(msg))}, msg...)...)
}

var solicit = []byte{Solicit, 1, 2, 3,
	0, 1, 0, 10, 0, 3, 0, 1, 0x00, 0x1b, 0x63, 0x84, 0x45, 0xe6, // client ID, DUID-LL Ethernet
	0, 16, 0, 14, 0, 0, 0x01, 0x37, 0, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0', // vendor class 311
	0, 39, 0, 6, 0, 4, 'p', 'u', 'm', 'p', // partial FQDN
	0, 6, 0, 4, 0, 23, 0, 24}

func TestRelayAndHostile(t *testing.T) {
	var m Message
	if err := ParseInto(relayForw(relayForw(solicit, 9), 7), &m); err != nil {
		t.Fatal(err)
	}
	if got := summary(&m); got != "1|3|00:1b:63:84:45:e6|311|MSFT 5.0|pump|0x00|23,24|fe80::9" || m.RelayDepth != 2 || m.TransactionID != 0x010203 {
		t.Errorf("relayed: %s depth %d xid %x", got, m.RelayDepth, m.TransactionID)
	}
	deep := solicit
	for range MaxRelayDepth + 1 {
		deep = relayForw(deep, 1)
	}
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"empty", nil, ErrShort},
		{"short relay", relayForw(solicit, 1)[:30], ErrShort},
		{"relay without message", relayForw(nil, 1)[:34], ErrRelay},
		{"too deep", deep, ErrRelay},
		{"cut option", solicit[:len(solicit)-1], ErrTruncated},
		{"cut option header", solicit[:len(solicit)-6], ErrTruncated},
		{"cut relayed option", relayForw(solicit, 1)[:40], ErrTruncated},
	}
	for _, c := range cases {
		if err := ParseInto(c.b, &m); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	// A vendor class whose item length lies, an FQDN with a bad label, odd ORO.
	bad := []byte{Solicit, 0, 0, 0, 0, 16, 0, 8, 0, 0, 0, 9, 0, 9, 'a', 'b', 0, 39, 0, 3, 0, 70, 'x', 0, 6, 0, 3, 0, 1, 2}
	if err := ParseInto(bad, &m); err != nil || !m.HasVendorClass || m.NumVendorClassData != 0 || m.HasFQDN || m.NumORO() != 1 {
		t.Errorf("bad options: %v %+v", err, m)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := relayForw(solicit, 9)
	var m Message
	pcaptest.NoAllocs(t, func() { _ = ParseInto(b, &m) })
}

func BenchmarkParseInto(b *testing.B) {
	msg := relayForw(solicit, 9)
	var m Message
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(msg, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(solicit)
	f.Add(relayForw(solicit, 9))
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return messages(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		if m.Options > MaxOptions || m.RelayDepth > MaxRelayDepth || m.NumVendorClassData > MaxVendorData || len(m.FQDN) > maxFQDN {
			t.Fatalf("bounds: %d options, depth %d, %d items, fqdn %d", m.Options, m.RelayDepth, m.NumVendorClassData, len(m.FQDN))
		}
		views := [][]byte{m.ClientID.Raw, m.ClientID.LinkAddr, m.ClientID.Identifier, m.ServerID.Raw, m.ORO}
		views = append(views, m.VendorClassData[:m.NumVendorClassData]...)
		for i, v := range views {
			if !pcaptest.Within(b, v) {
				t.Fatalf("view %d outside the input", i)
			}
		}
	})
}
