package cdp

import (
	"encoding/binary"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// frames returns the CDP PDUs (SNAP payloads) of a shared capture.
func frames(tb testing.TB, rel string) []pcaptest.Payload {
	return pcaptest.SNAPPayloads(tb, pcaptest.SharedPcap(tb, rel), SNAPOrg, SNAPType)
}

var captures = []string{"arkime/gre-erspan.pcap", "arkime/mpls-basic.pcap", "ndpi/capwap.pcap", "zeek/cdp-v1.pcap"}

func tlv(typ uint16, v ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(v)))
	return append(b, v...)
}

// phoneFrame is a synthetic CDPv2 advertisement of an IP phone with an
// IPv4 and an IPv6 address. Checked with tshark 4.0.17 (after writing it to a
// pcap behind 802.3 + LLC/SNAP): cdp.version 2, cdp.ttl 180,
// cdp.deviceid "SEP001122334455", cdp.number_of_addresses 2,
// cdp.nrgyz.ip_address 10.50.0.30, cdp.nrgyz.ipv6_address 2001:db8::30,
// cdp.portid "Port 1", cdp.capabilities 0x00000490 (host, VoIP phone, two-port
// MAC relay), cdp.software_version "SIP88xx.14-2-1-0001-4",
// cdp.platform "Cisco IP Phone 8845", cdp.native_vlan 20, cdp.duplex 1 (full).
func phoneFrame() []byte {
	addrs := []byte{0, 0, 0, 2, 1, 1, 0xcc, 0, 4, 10, 50, 0, 30,
		2, 8, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, 0, 16,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x30}
	b := []byte{2, 180, 0, 0}
	b = append(b, tlv(tlvDeviceID, []byte("SEP001122334455")...)...)
	b = append(b, tlv(tlvAddresses, addrs...)...)
	b = append(b, tlv(tlvPortID, []byte("Port 1")...)...)
	b = append(b, tlv(tlvCaps, 0, 0, 0x04, 0x90)...)
	b = append(b, tlv(tlvSoftware, []byte("SIP88xx.14-2-1-0001-4")...)...)
	b = append(b, tlv(tlvPlatform, []byte("Cisco IP Phone 8845")...)...)
	b = append(b, tlv(tlvNativeVLAN, 0, 20)...)
	b = append(b, tlv(tlvDuplex, 1)...)
	return b
}

// TestCaptures checks CDP frames of the shared captures against tshark
// 4.0.17: cdp.version, cdp.ttl, cdp.deviceid, cdp.portid, cdp.platform,
// cdp.capabilities, cdp.nrgyz.ip_address (Addresses then Management
// Addresses), cdp.duplex and the start of cdp.software_version.
func TestCaptures(t *testing.T) {
	csrSW := "Cisco IOS Software, IOS-XE Software (X86_64_LINUX_IOSD-ADVENTERPRISEK9-M), Version 15.3(2)S0a, RELEASE SOFTWARE (fc1)\n"
	apSW := "Cisco IOS Software, C2600 Software (AP3G2-K9W8-M), Version 15.2(4)JA1, RELEASE SOFTWARE (fc2)\n"
	cases := []struct {
		file            string
		frame           int
		version         uint8
		device, port    string
		platform, swPfx string
		caps            uint32
		addrs           []string
		duplex          int // -1 absent
	}{
		{"arkime/gre-erspan.pcap", 1, 2, "CSR3", "GigabitEthernet1.23", "cisco CSR1000V", csrSW, 0x21, []string{"23.0.0.3", "23.0.0.3"}, -1},
		{"arkime/gre-erspan.pcap", 2, 2, "CSR2", "GigabitEthernet1.23", "cisco CSR1000V", csrSW, 0x21, []string{"23.0.0.2", "23.0.0.2"}, -1},
		{"arkime/mpls-basic.pcap", 22, 2, "tagsw7206-31", "Ethernet2/0", "cisco 7206VXR", "Cisco Internetwork Operating System Software \nIOS (tm) 7200 Software (C7200-P-M), Experimental Version 12.1(20000209:213648) [ashokn-dp82932 101]\n", 0x01, []string{"10.1.2.1"}, 0},
		{"ndpi/capwap.pcap", 4, 2, "APb838.61f3.05ac", "GigabitEthernet0", "cisco AIR-CAP2602I-Q-K9", apSW, 0x03, []string{"192.168.10.10"}, 1},
		{"ndpi/capwap.pcap", 378, 2, "APb838.61f3.05ac", "GigabitEthernet0.1", "cisco AIR-CAP2602I-Q-K9", apSW, 0x03, []string{"192.168.10.10"}, 1},
		{"zeek/cdp-v1.pcap", 1, 1, "R1", "Ethernet0", "cisco 1601", "Cisco Internetwork Operating System Software \nIOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1)\n", 0x01, []string{"192.168.10.1"}, -1},
	}
	for _, c := range cases {
		var data []byte
		for _, p := range frames(t, c.file) {
			if p.Frame == c.frame {
				data = p.Data
			}
		}
		if data == nil {
			t.Fatalf("%s: frame %d is not CDP", c.file, c.frame)
		}
		var in Info
		if err := ParseInto(data, &in); err != nil {
			t.Fatalf("%s #%d: %v", c.file, c.frame, err)
		}
		sw := string(in.SoftwareVersion)
		if in.Version != c.version || in.TTL != 180 || string(in.DeviceID) != c.device || string(in.PortID) != c.port ||
			string(in.Platform) != c.platform || len(sw) < len(c.swPfx) || sw[:len(c.swPfx)] != c.swPfx || in.Capabilities != c.caps {
			t.Errorf("%s #%d: got v%d ttl %d %q %q %q caps %#x sw %q", c.file, c.frame, in.Version, in.TTL, in.DeviceID, in.PortID,
				in.Platform, in.Capabilities, sw)
		}
		var addrs []string
		for _, a := range in.Addrs[:in.NumAddrs] {
			addrs = append(addrs, a.IP.String())
		}
		if len(addrs) != len(c.addrs) || (len(addrs) > 0 && addrs[0] != c.addrs[0]) {
			t.Errorf("%s #%d: addresses %v, want %v", c.file, c.frame, addrs, c.addrs)
		}
		if duplex := map[bool]int{false: -1, true: int(in.Duplex)}[in.HasDuplex]; duplex != c.duplex {
			t.Errorf("%s #%d: duplex %d, want %d", c.file, c.frame, duplex, c.duplex)
		}
	}
}

func TestPhone(t *testing.T) {
	var in Info
	if err := ParseInto(phoneFrame(), &in); err != nil {
		t.Fatal(err)
	}
	if string(in.DeviceID) != "SEP001122334455" || string(in.Platform) != "Cisco IP Phone 8845" ||
		string(in.SoftwareVersion) != "SIP88xx.14-2-1-0001-4" || string(in.PortID) != "Port 1" {
		t.Errorf("strings: %q %q %q %q", in.DeviceID, in.Platform, in.SoftwareVersion, in.PortID)
	}
	if in.Capabilities != CapHost|CapVoIPPhone|CapMACRelay || !in.HasNativeVLAN || in.NativeVLAN != 20 || in.Duplex != 1 {
		t.Errorf("caps %#x vlan %d duplex %d", in.Capabilities, in.NativeVLAN, in.Duplex)
	}
	if in.NumAddrs != 2 || in.Addrs[0].IP.String() != "10.50.0.30" || in.Addrs[1].IP.String() != "2001:db8::30" || in.Addrs[0].Mgmt {
		t.Errorf("addrs %+v", in.Addrs[:in.NumAddrs])
	}
}

func TestHostile(t *testing.T) {
	good := phoneFrame()
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"empty", nil, ErrVersion},
		{"version 3", []byte{3, 180, 0, 0}, ErrVersion},
		{"header only", good[:4], nil},
		{"cut value", good[:len(good)-1], ErrTruncated},
		{"cut header", good[:len(good)-6], ErrTruncated},
		{"TLV shorter than its header", append([]byte{2, 180, 0, 0}, 0, 1, 0, 3, 'x'), ErrTruncated},
		{"address count lies", append([]byte{2, 180, 0, 0}, tlv(tlvAddresses, 0xff, 0xff, 0xff, 0xff, 1, 1, 0xcc, 0, 4, 1, 2, 3, 4, 1, 1)...), nil},
		{"address length lies", append([]byte{2, 180, 0, 0}, tlv(tlvAddresses, 0, 0, 0, 1, 1, 1, 0xcc, 0xff, 0xff, 1)...), nil},
	}
	for _, c := range cases {
		var in Info
		if err := ParseInto(c.b, &in); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	b := []byte{2, 180, 0, 0}
	for range MaxTLVs + 5 {
		b = append(b, tlv(tlvAddresses, 0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 1, 2, 3, 4)...)
	}
	var in Info
	if err := ParseInto(b, &in); err != nil || in.TLVs != MaxTLVs || in.NumAddrs != MaxAddrs {
		t.Errorf("bounds: %v %d TLVs %d addrs", err, in.TLVs, in.NumAddrs)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := phoneFrame()
	var in Info
	pcaptest.NoAllocs(t, func() { _ = ParseInto(b, &in) })
}

func BenchmarkParseInto(b *testing.B) {
	f := phoneFrame()
	var in Info
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(f, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(phoneFrame())
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload {
		return pcaptest.SNAPPayloads(f, path, SNAPOrg, SNAPType)
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Info
		_ = ParseInto(b, &in)
		if in.TLVs > MaxTLVs || in.NumAddrs > MaxAddrs {
			t.Fatalf("bounds: %d TLVs %d addrs", in.TLVs, in.NumAddrs)
		}
		for i, v := range [][]byte{in.DeviceID, in.PortID, in.Platform, in.SoftwareVersion, in.SystemName, in.VTPDomain} {
			if !pcaptest.Within(b, v) {
				t.Fatalf("view %d outside the input", i)
			}
		}
	})
}
