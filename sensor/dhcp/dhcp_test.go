package dhcp

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// captures are the shared captures with DHCPv4 traffic.
var captures = []string{
	"arkime/wireshark-dhcp.pcap", "arkime/arkime_synthetic.pcap", "chrissanders-packets/dhcp_nolease_initialization.pcapng",
	"chrissanders-packets/dhcp_inlease_renewal.pcapng", "ndpi/1kxun.pcap", "ndpi/alexa-app.pcapng", "ndpi/android.pcap",
	"ndpi/capwap.pcap", "ndpi/dhcp-fuzz.pcapng", "suricata-verify/dhcp-eve-extended-option-60__input.pcap",
	"suricata-verify/dhcp-eve-extended__input.pcap", "suricata-verify/dhcp-option-52-overload__input.pcap",
	"zeek/dhcp-unique-xid-join-data-growth.pcapng", "zeek/dhcp.pcap",
}

// messages returns the DHCPv4 payloads (UDP port 67, either direction) of
// a shared capture.
func messages(tb testing.TB, path string) []pcaptest.Payload {
	return pcaptest.UDPPayloads(tb, path, ServerPort)
}

// decode decodes one DHCPv4 payload as the sensor's DecodingLayerParser
// does, turning a decoder panic into an error like it.
func decode(data []byte) (d *layers.DHCPv4, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gopacket panicked: %v", r)
		}
	}()
	d = &layers.DHCPv4{}
	return d, d.DecodeFromBytes(data, gopacket.NilDecodeFeedback)
}

// summary renders what the package reads from a message in the order and
// formats tshark shows them (dhcp.option.dhcp, request_list_item,
// dhcp_max_message_size, vendor_class_id, dhcp.hw.mac_addr (chaddr, then
// the client identifier's), hostname, dhcp.fqdn.name,
// requested_ip_address, dhcp_server_id, agent_circuit_id,
// agent_remote_id, dhcp.ip.relay, dhcp.ip.your, dhcp.ip.client), joined by
// '|', and "52" when options are overloaded into sname/file.
func summary(data []byte) (string, error) {
	d, err := decode(data)
	if err != nil {
		return "", err
	}
	t := MsgType(d)
	info := ClientInfo(d, t)
	var prl []string
	for _, c := range info.ParamList {
		prl = append(prl, fmt.Sprint(c))
	}
	chaddr := "-"
	if mac, ok := ClientMAC(d); ok {
		chaddr = mac.String()
	}
	cid := hex.EncodeToString(info.ClientID)
	if len(info.ClientID) == 7 && info.ClientID[0] == 1 {
		cid = model.MAC(info.ClientID[1:]).String()
	}
	addr := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	ip4 := func(ip net.IP) string { return addr(ipOf(ip)) }
	f := []string{fmt.Sprint(uint8(t)), strings.Join(prl, ","), "", info.VendorClass, chaddr, cid,
		info.Hostname, info.FQDN, addr(info.RequestedIP), addr(info.ServerID),
		hex.EncodeToString(info.RelayCircuitID), hex.EncodeToString(info.RelayRemoteID),
		ip4(d.RelayAgentIP), ip4(d.YourClientIP), ip4(d.ClientIP), ""}
	if info.MaxMsgSize != 0 {
		f[2] = fmt.Sprint(info.MaxMsgSize)
	}
	if info.Overloaded {
		f[15] = "52"
	}
	return strings.Join(f, "|"), nil
}

func ipOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip.To4())
	return a
}

// TestSharedCaptures compares what the package reads with tshark 4's
// decoding of the same frames (the expected strings were produced with
// tshark -T fields and the fields summary names).
func TestSharedCaptures(t *testing.T) {
	pcaptest.CheckFrames(t, []pcaptest.FrameCase{
		{"arkime/wireshark-dhcp.pcap", 1, "1|1,3,6,42|||00:0b:82:01:fc:42|00:0b:82:01:fc:42|||0.0.0.0||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"arkime/wireshark-dhcp.pcap", 2, "2||||00:0b:82:01:fc:42|||||192.168.0.1|||0.0.0.0|192.168.0.10|0.0.0.0|"},
		{"arkime/wireshark-dhcp.pcap", 3, "3|1,3,6,42|||00:0b:82:01:fc:42|00:0b:82:01:fc:42|||192.168.0.10|192.168.0.1|||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"arkime/wireshark-dhcp.pcap", 4, "5||||00:0b:82:01:fc:42|||||192.168.0.1|||0.0.0.0|192.168.0.10|0.0.0.0|"},
		{"chrissanders-packets/dhcp_nolease_initialization.pcapng", 1, "1|1,28,2,3,15,6,119,12,44,47,26,121,42|||00:0c:29:59:fd:21||ubuntu2||192.168.100.129||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"chrissanders-packets/dhcp_nolease_initialization.pcapng", 3, "3|1,28,2,3,15,6,119,12,44,47,26,121,42|||00:0c:29:59:fd:21||ubuntu2||192.168.1.10|192.168.1.5|||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"suricata-verify/dhcp-eve-extended-option-60__input.pcap", 1, "3|1,15,3,6,44,46,47,31,33,121,249,43||MSFT 5.0|28:cf:da:dc:8d:76|28:cf:da:dc:8d:76|NicksMacBook|NicksMacBook|192.168.1.111||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"suricata-verify/dhcp-eve-extended__input.pcap", 1, "3|1,28,2,3,15,6,12|||00:11:32:17:49:f0|00:11:32:17:49:f0|nas1||||||0.0.0.0|0.0.0.0|10.16.1.4|"},
		{"suricata-verify/dhcp-eve-extended__input.pcap", 2, "5||||00:11:32:17:49:f0||nas1|||10.16.1.1|||0.0.0.0|10.16.1.4|10.16.1.4|"},
		{"suricata-verify/dhcp-option-52-overload__input.pcap", 1, "1|1,3,6,12,15,28,42,54,66,67,119|576|udhcp 1.36.1|92:dd:a4:8d:5f:de|92:dd:a4:8d:5f:de|||||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"suricata-verify/dhcp-option-52-overload__input.pcap", 4, "2||||92:dd:a4:8d:5f:de|||||10.100.0.2|||0.0.0.0|10.100.0.50|0.0.0.0|52"},
		{"zeek/dhcp.pcap", 1, "1||||90:b1:1c:99:49:29||btest.is.cool||192.168.211.194||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"zeek/dhcp.pcap", 2, "2|||ArubaAP|90:b1:1c:99:49:29|||||128.2.6.152|||0.0.0.0|128.2.6.97|0.0.0.0|"},
		{"zeek/dhcp.pcap", 4, "6||||90:b1:1c:99:49:29|||||128.2.6.152|||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"zeek/dhcp.pcap", 7, "4||||90:b1:1c:99:49:29||||||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"ndpi/android.pcap", 13, "1|1,121,3,6,15,119,252,95,44,46|1500||d8:30:62:56:00:1c|d8:30:62:56:00:1c|Lucas-iMac||||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"arkime/arkime_synthetic.pcap", 223, "1||||00:00:00:00:aa:bb||testhost||||||0.0.0.0|0.0.0.0|0.0.0.0|"},
		{"arkime/arkime_synthetic.pcap", 401, "1|1,3,6,15,31,33,43,44,46,47,119,121,249,252||MSFT 5.0|00:11:22:33:44:55|00:11:22:33:44:55|testclient||||||0.0.0.0|0.0.0.0|0.0.0.0|"},
	}, messages, summary)
}

// TestFuzzedCapture: nDPI's fuzzed DHCP packet (message type 106, an
// option running past the end) is refused by gopacket as a whole, so the
// sensor counts a DHCP decode error and reads nothing from it (tshark
// shows the options before the bad one).
func TestFuzzedCapture(t *testing.T) {
	ps := messages(t, pcaptest.SharedPcap(t, "ndpi/dhcp-fuzz.pcapng"))
	if len(ps) != 1 {
		t.Fatalf("%d DHCP payloads, want 1", len(ps))
	}
	if _, err := decode(ps[0].Data); err == nil {
		t.Error("gopacket decoded the fuzzed message")
	}
}

// message builds a DHCPv4 message with the given options.
func message(op layers.DHCPOp, chaddr string, opts ...layers.DHCPOption) *layers.DHCPv4 {
	mac, _ := net.ParseMAC(chaddr)
	return &layers.DHCPv4{Operation: op, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		ClientHWAddr: mac, ClientIP: net.IPv4zero.To4(), YourClientIP: net.IPv4zero.To4(),
		RelayAgentIP: net.IPv4zero.To4(), Options: opts}
}

func opt(t layers.DHCPOpt, data ...byte) layers.DHCPOption {
	return layers.DHCPOption{Type: t, Length: uint8(len(data)), Data: data}
}

func TestClientInfo(t *testing.T) {
	fqdnWire := []byte{0x05, 0, 0, 3, 'p', 'm', 'p', 4, 'w', 'a', 'r', 'd', 0}
	relay := []byte{subCircuitID, 2, 0xab, 0xcd, 9, 1, 0xff, subRemoteID, 3, 'r', 'i', 'd', subCircuitID, 9, 1}
	d := message(layers.DHCPOpRequest, "00:1b:63:00:00:01",
		opt(layers.DHCPOptMessageType, 1), // overridden by the second
		opt(layers.DHCPOptMessageType, byte(layers.DHCPMsgTypeRequest)),
		opt(layers.DHCPOptParamsRequest, 1, 3, 6),
		opt(layers.DHCPOptMaxMessageSize, 0x05, 0xdc),
		opt(layers.DHCPOptClassID, []byte("Pump\x01OS\xff\x00tail")...),
		opt(layers.DHCPOptClientID, 1, 0, 0x1b, 0x63, 0, 0, 1),
		opt(layers.DHCPOptHostname, []byte("PUMP-07")...),
		opt(OptClientFQDN, fqdnWire...),
		opt(layers.DHCPOptRequestIP, 10, 20, 0, 7),
		opt(layers.DHCPOptServerID, 10, 20, 0, 1, 9), // wrong length: ignored
		opt(OptRelayAgentInfo, relay...),
	)
	d.RelayAgentIP = net.IPv4(10, 20, 0, 254).To4()
	if !Relayed(d) {
		t.Error("Relayed = false with giaddr set")
	}
	mt := MsgType(d)
	if mt != layers.DHCPMsgTypeRequest || Source(mt) != model.SourceDHCPRequest {
		t.Errorf("MsgType = %v, Source %v", mt, Source(mt))
	}
	info := ClientInfo(d, mt)
	want := model.DHCPInfo{MsgType: 3, ParamList: []byte{1, 3, 6}, MaxMsgSize: 1500, VendorClass: "Pump?OS?",
		ClientID: []byte{1, 0, 0x1b, 0x63, 0, 0, 1}, Hostname: "PUMP-07", FQDN: "pmp.ward",
		RequestedIP:    netip.MustParseAddr("10.20.0.7"),
		RelayCircuitID: []byte{0xab, 0xcd}, RelayRemoteID: []byte("rid"),
		RelayAgentIP: netip.MustParseAddr("10.20.0.254")}
	if got := fmt.Sprintf("%+v", *info); got != fmt.Sprintf("%+v", want) {
		t.Errorf("ClientInfo:\n got %s\nwant %+v", got, want)
	}
	// The copies do not alias the packet.
	d.Options[2].Data[0] = 99
	if info.ParamList[0] != 1 {
		t.Error("ParamList aliases the packet")
	}
}

func TestAckAndLease(t *testing.T) {
	d := message(layers.DHCPOpReply, "00:1b:63:00:00:01", opt(layers.DHCPOptMessageType, byte(layers.DHCPMsgTypeAck)),
		opt(layers.DHCPOptExtOptions, 3))
	d.YourClientIP = net.IPv4(10, 20, 0, 7).To4()
	mt := MsgType(d)
	if ip, ok := LeasedIP(d, mt); !ok || ip != netip.MustParseAddr("10.20.0.7") {
		t.Errorf("LeasedIP = %v %v", ip, ok)
	}
	if info := AckInfo(d, mt); !info.Overloaded || info.MsgType != 5 {
		t.Errorf("AckInfo = %+v", info)
	}
	d.YourClientIP = net.IPv4zero.To4() // ACK to an INFORM: no lease
	if _, ok := LeasedIP(d, mt); ok {
		t.Error("LeasedIP accepted yiaddr 0.0.0.0")
	}
	if _, ok := LeasedIP(d, layers.DHCPMsgTypeOffer); ok {
		t.Error("LeasedIP accepted an OFFER")
	}
	if _, ok := LeasedIP(message(layers.DHCPOpRequest, "00:1b:63:00:00:01"), layers.DHCPMsgTypeAck); ok {
		t.Error("LeasedIP accepted a client message")
	}
}

func TestClientMAC(t *testing.T) {
	for _, tt := range []struct {
		mac string
		ok  bool
	}{{"00:1b:63:00:00:01", true}, {"01:00:5e:00:00:01", false}, {"00:00:00:00:00:00", false}} {
		if _, ok := ClientMAC(message(layers.DHCPOpRequest, tt.mac)); ok != tt.ok {
			t.Errorf("ClientMAC(%s) ok = %v", tt.mac, ok)
		}
	}
	d := message(layers.DHCPOpRequest, "00:1b:63:00:00:01")
	d.HardwareType = layers.LinkTypeIEEE802_11
	if _, ok := ClientMAC(d); ok {
		t.Error("ClientMAC accepted a non-Ethernet hardware type")
	}
}

func TestFingerprint(t *testing.T) {
	a := message(layers.DHCPOpRequest, "00:1b:63:00:00:01", opt(layers.DHCPOptMessageType, 1),
		opt(layers.DHCPOptParamsRequest, 1, 3, 6), opt(layers.DHCPOptRequestIP, 10, 0, 0, 1))
	b := message(layers.DHCPOpRequest, "00:1b:63:00:00:01", opt(layers.DHCPOptMessageType, 1),
		opt(layers.DHCPOptParamsRequest, 1, 3, 6), opt(layers.DHCPOptRequestIP, 10, 0, 0, 2))
	c := message(layers.DHCPOpRequest, "00:1b:63:00:00:01", opt(layers.DHCPOptMessageType, 1),
		opt(layers.DHCPOptParamsRequest, 1, 6, 3))
	if Fingerprint(a) != Fingerprint(b) {
		t.Error("the requested IP (not a fingerprint option) changed the fingerprint")
	}
	if Fingerprint(a) == Fingerprint(c) {
		t.Error("a reordered option 55 did not change the fingerprint")
	}
	pcaptest.NoAllocs(t, func() { Fingerprint(a); MsgType(a) })
}

func TestPrintableAndFQDN(t *testing.T) {
	long := strings.Repeat("a", 300)
	for _, tt := range []struct{ in, want string }{
		{"host\x00junk", "host"}, {"t\tab\x7f\xc3\xa9", "t?ab???"}, {long, long[:MaxString]},
	} {
		if got := Printable([]byte(tt.in)); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		flags byte
		in    []byte
		want  string
	}{
		{0, []byte("plain.example"), "plain.example"},
		{4, []byte{1, 'a', 2, 'b', 'c', 0}, "a.bc"},
		{4, []byte{1, 'a', 9, 'b'}, "a"},      // a label past the end stops
		{4, []byte{64, 'x'}, ""},              // labels are at most 63 bytes
		{4, []byte{3, 'a', 0x01, 'b'}, "a?b"}, // sanitised
	} {
		if got := FQDN(tt.flags, tt.in); got != tt.want {
			t.Errorf("FQDN(%#x, %q) = %q, want %q", tt.flags, tt.in, got, tt.want)
		}
	}
}

// FuzzMessage runs every reader of the package over arbitrary DHCPv4
// payloads that gopacket decodes, seeded from the shared captures: nothing
// may panic and every string stays printable and bounded. (TestFingerprint
// checks that the steady-state readers do not allocate.)
func FuzzMessage(f *testing.F) {
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return messages(f, path) })
	f.Add(make([]byte, 240))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decode(data)
		if err != nil {
			return
		}
		ClientMAC(d)
		Relayed(d)
		ClientIP(d)
		mt := MsgType(d)
		LeasedIP(d, mt)
		Source(mt)
		Fingerprint(d)
		for _, info := range []*model.DHCPInfo{ClientInfo(d, mt), AckInfo(d, mt)} {
			for _, s := range []string{info.VendorClass, info.Hostname, info.FQDN} {
				if len(s) > MaxString {
					t.Fatalf("%d-byte string", len(s))
				}
				for i := 0; i < len(s); i++ {
					if s[i] < 0x20 || s[i] > 0x7e {
						t.Fatalf("unprintable byte %#x in %q", s[i], s)
					}
				}
			}
		}
	})
}
