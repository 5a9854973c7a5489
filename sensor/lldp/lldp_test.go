package lldp

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// frames returns the LLDPDUs of a shared capture (skipping when absent).
func frames(tb testing.TB, rel string) []pcaptest.Payload {
	return pcaptest.EtherPayloads(tb, pcaptest.SharedPcap(tb, rel), layers.EthernetType(EtherType))
}

func tlv(typ int, v ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(typ<<9|len(v)))
	return append(b, v...)
}

// medFrame is a synthetic LLDP-MED endpoint (an infusion pump's dock, say)
// with inventory TLVs. Checked with tshark 4.0.17 after writing it to a
// pcap: lldp.chassis.id.mac 00:11:22:33:44:55, lldp.port.id (port
// subtype 3) 00:11:22:33:44:55, lldp.time_to_live 120, lldp.tlv.system.name
// "pump-dock-7", lldp.tlv.system_cap 0x0080, lldp.tlv.enable_system_cap
// 0x0080, lldp.mgn.addr.ip4 10.50.0.20, lldp.mgn.addr.ip6 fe80::211:22ff:fe33:4455,
// lldp.media.subtype.caps 0x0031, lldp.media.subtype.class 3 (Endpoint Class III),
// lldp.media.hardware "HW-2", lldp.media.firmware "FW 5.4.1",
// lldp.media.software "SW 12.0", lldp.media.sn "SN-0042",
// lldp.media.manufacturer "ACME Medical", lldp.media.model "PumpDock 100".
func medFrame() []byte {
	mac := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	med := func(sub byte, s string) []byte { return tlv(127, append([]byte{0x00, 0x12, 0xbb, sub}, s...)...) }
	var b []byte
	b = append(b, tlv(1, append([]byte{4}, mac...)...)...)
	b = append(b, tlv(2, append([]byte{3}, mac...)...)...)
	b = append(b, tlv(3, 0, 120)...)
	b = append(b, tlv(5, []byte("pump-dock-7")...)...)
	b = append(b, tlv(7, 0x00, 0x80, 0x00, 0x80)...)
	b = append(b, tlv(8, 5, 1, 10, 50, 0, 20, 2, 0, 0, 0, 1, 0)...)
	ip6, _ := hex.DecodeString("fe80000000000000021122fffe334455")
	b = append(b, tlv(8, append(append([]byte{17, 2}, ip6...), 2, 0, 0, 0, 1, 0)...)...)
	b = append(b, tlv(127, 0x00, 0x12, 0xbb, 1, 0x00, 0x31, 3)...)
	b = append(b, med(5, "HW-2")...)
	b = append(b, med(6, "FW 5.4.1")...)
	b = append(b, med(7, "SW 12.0")...)
	b = append(b, med(8, "SN-0042")...)
	b = append(b, med(9, "ACME Medical")...)
	b = append(b, med(10, "PumpDock 100")...)
	b = append(b, tlv(127, 0x00, 0x80, 0xc2, 1, 0, 10)...) // IEEE 802.1 port VLAN: skipped
	return append(b, tlv(0)...)
}

type want struct {
	chassisSub uint8
	chassis    string // hex
	portSub    uint8
	port       string
	ttl        uint16
	portDesc   string
	sysName    string
	sysDesc    string
	caps, en   uint16
	mgmt       string // netip form or hex for AF 802
}

// TestCaptures checks every LLDP frame of the shared captures against what
// tshark 4.0.17 dissects: lldp.chassis.subtype, lldp.chassis.id.mac,
// lldp.port.subtype, lldp.port.id, lldp.time_to_live, lldp.port.desc,
// lldp.tlv.system.name, lldp.tlv.system.desc, lldp.tlv.system_cap,
// lldp.tlv.enable_system_cap, lldp.mgn.addr.ip4 / lldp.mgn.addr.hex.
func TestCaptures(t *testing.T) {
	golden := map[string]want{
		"rtr01.golden": {4, "080027 76e369", 5, "Ethernet1", 120, `"to et1.rtr01.evergreen.co.sandbox"`, "rtr01.golden.co.sandbox", "", 0x14, 0x14, "172.16.0.2"},
		"rtr01.everg":  {4, "080027 1f0822", 5, "Ethernet1", 120, "link to rtr02", "rtr01.evergreen.co.sandbox", "", 0x14, 0x14, "172.16.0.1"},
	}
	cases := []struct {
		file  string
		frame int
		want  want
	}{
		// wireshark-lldp.pcap frame 1 has two TTL TLVs (tshark: lldp.time_to_live "120,1"); the first counts.
		{"arkime/wireshark-lldp.pcap", 1, want{4, "0004961fa726", 5, "1/3", 120, "", "", "", 0, 0, ""}},
		{"arkime/wireshark-lldp.pcap", 2, want{4, "000130f9ada0", 5, "1/1", 120, "Summit300-48-Port 1001", "Summit300-48",
			"Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11", 0x14, 0x14, "000130f9ada0"}},
		{"arkime/wireshark-lldp.pcap", 3, want{4, "00132157ca40", 7, "1", 120, "1", "ProCurve Switch 2600-8-PWR",
			"ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))", 0x14, 0x04, "15.255.122.148"}},
		{"arkime/ospf.pcap", 14, golden["rtr01.golden"]},
		{"arkime/ospf.pcap", 56, golden["rtr01.everg"]},
		{"arkime/ospf.pcap", 357, golden["rtr01.golden"]},
		{"zeek/lldp.pcap", 1, want{4, "00222d81db10", 7, "1", 120, "Port #1", "SMCGS8P-Smart", "SMCGS8P-Smart - SMCGS8P-Smart v3.20", 0x04, 0x04, "192.168.2.10"}},
		// port subtype 3 (MAC): tshark shows it as lldp.port.id.mac 20:89:84:6b:c5:ba, TTL 3601.
		{"ndpi/starcraft_battle.pcap", 28, want{4, "2089846bc5ba", 3, "\x20\x89\x84\x6b\xc5\xba", 3601, "", "", "", 0, 0, ""}},
		{"arkime/arkime_synthetic.pcap", 291, want{4, "001122334455", 5, "1/1", 120, "", "", "", 0, 0, ""}},
	}
	for _, c := range cases {
		var got *pcaptest.Payload
		ps := frames(t, c.file)
		for i := range ps {
			if ps[i].Frame == c.frame {
				got = &ps[i]
			}
		}
		if got == nil {
			t.Fatalf("%s: frame %d is not LLDP", c.file, c.frame)
		}
		var in Info
		if err := ParseInto(got.Data, &in); err != nil {
			t.Fatalf("%s #%d: %v", c.file, c.frame, err)
		}
		w := c.want
		chassis, _ := hex.DecodeString(stripSpaces(w.chassis))
		checkEq(t, c.file, "chassis", in.ChassisIDSubtype, w.chassisSub, string(in.ChassisID), string(chassis))
		checkEq(t, c.file, "port", in.PortIDSubtype, w.portSub, string(in.PortID), w.port)
		checkEq(t, c.file, "ttl", in.TTL, w.ttl, string(in.PortDescription), w.portDesc)
		checkEq(t, c.file, "names", 0, 0, string(in.SystemName)+"|"+string(in.SystemDescription), w.sysName+"|"+w.sysDesc)
		checkEq(t, c.file, "caps", in.Capabilities, w.caps, "", "")
		checkEq(t, c.file, "enabled caps", in.EnabledCapabilities, w.en, "", "")
		mgmt := ""
		if in.NumMgmtAddrs > 0 {
			if ip, ok := in.MgmtAddrs[0].IP(); ok {
				mgmt = ip.String()
			} else {
				mgmt = hex.EncodeToString(in.MgmtAddrs[0].Addr)
			}
		}
		checkEq(t, c.file, "mgmt", 0, 0, mgmt, w.mgmt)
	}
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

func checkEq[N comparable](t *testing.T, file, what string, gotN, wantN N, got, want string) {
	t.Helper()
	if gotN != wantN || got != want {
		t.Errorf("%s %s: got %v %q, want %v %q", file, what, gotN, got, wantN, want)
	}
}

func TestMED(t *testing.T) {
	var in Info
	if err := ParseInto(medFrame(), &in); err != nil {
		t.Fatal(err)
	}
	m := in.MED
	got := []string{string(in.SystemName), string(m.HardwareRev), string(m.FirmwareRev), string(m.SoftwareRev),
		string(m.SerialNumber), string(m.Manufacturer), string(m.Model)}
	want := []string{"pump-dock-7", "HW-2", "FW 5.4.1", "SW 12.0", "SN-0042", "ACME Medical", "PumpDock 100"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d: %q, want %q", i, got[i], want[i])
		}
	}
	if m.Capabilities != 0x31 || m.DeviceClass != 3 || in.EnabledCapabilities != CapStationOnly {
		t.Errorf("caps %#x class %d enabled %#x", m.Capabilities, m.DeviceClass, in.EnabledCapabilities)
	}
	if in.NumMgmtAddrs != 2 {
		t.Fatalf("%d management addresses", in.NumMgmtAddrs)
	}
	for i, w := range []string{"10.50.0.20", "fe80::211:22ff:fe33:4455"} {
		if ip, ok := in.MgmtAddrs[i].IP(); !ok || ip.String() != w {
			t.Errorf("mgmt %d: %v %v, want %s", i, ip, ok, w)
		}
	}
	if mac, ok := in.ChassisMAC(); !ok || mac != [6]byte{0, 0x11, 0x22, 0x33, 0x44, 0x55} {
		t.Errorf("chassis MAC %x %v", mac, ok)
	}
}

func TestHostile(t *testing.T) {
	good := medFrame()
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"empty", nil, ErrEmpty},
		{"one byte", []byte{2}, ErrEmpty},
		{"not chassis first", tlv(5, 'x'), ErrEmpty},
		{"value past end", good[:len(good)-5], ErrTruncated},
		{"length past end", append(tlv(1, 4, 1, 2, 3, 4, 5, 6), 0x0a, 0xff), ErrTruncated},
		{"no end TLV", good[:len(good)-2], nil},
		{"short TLVs", append(append(tlv(1), tlv(2)...), append(tlv(3, 1), append(tlv(7, 1, 2), tlv(8, 9, 1)...)...)...), nil},
	}
	for _, c := range cases {
		var in Info
		if err := ParseInto(c.b, &in); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	// The walk is bounded: a frame of MaxTLVs+10 empty port-description TLVs after the chassis ID.
	b := tlv(1, 7, 'x')
	for range MaxTLVs + 10 {
		b = append(b, tlv(4)...)
	}
	var in Info
	if err := ParseInto(b, &in); err != nil || in.TLVs != MaxTLVs {
		t.Errorf("bounded walk: %v, %d TLVs", err, in.TLVs)
	}
	// More management addresses than kept.
	b = tlv(1, 7, 'x')
	for range MaxMgmtAddrs + 3 {
		b = append(b, tlv(8, 5, 1, 10, 0, 0, 1, 1, 0, 0, 0, 0, 0)...)
	}
	if err := ParseInto(b, &in); err != nil || in.NumMgmtAddrs != MaxMgmtAddrs {
		t.Errorf("mgmt bound: %v, %d", err, in.NumMgmtAddrs)
	}
}

func TestZeroAlloc(t *testing.T) {
	b := medFrame()
	var in Info
	pcaptest.NoAllocs(t, func() { _ = ParseInto(b, &in) })
}

func BenchmarkParseInto(b *testing.B) {
	f := medFrame()
	var in Info
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(f, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseInto checks that no input panics, the walk stays bounded and
// every result slice lies inside the input.
func FuzzParseInto(f *testing.F) {
	f.Add(medFrame())
	pcaptest.Seed(f, []string{"arkime/wireshark-lldp.pcap", "arkime/ospf.pcap", "zeek/lldp.pcap", "ndpi/starcraft_battle.pcap", "arkime/arkime_synthetic.pcap"}, func(path string) []pcaptest.Payload {
		return pcaptest.EtherPayloads(f, path, layers.EthernetType(EtherType))
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Info
		_ = ParseInto(b, &in)
		if in.TLVs > MaxTLVs || in.NumMgmtAddrs > MaxMgmtAddrs {
			t.Fatalf("bounds: %d TLVs, %d addrs", in.TLVs, in.NumMgmtAddrs)
		}
		m := in.MED
		views := [][]byte{in.ChassisID, in.PortID, in.PortDescription, in.SystemName, in.SystemDescription,
			m.HardwareRev, m.FirmwareRev, m.SoftwareRev, m.SerialNumber, m.Manufacturer, m.Model, m.AssetID}
		for i := range in.NumMgmtAddrs {
			views = append(views, in.MgmtAddrs[i].Addr)
		}
		for i, v := range views {
			if !pcaptest.Within(b, v) {
				t.Fatalf("view %d outside the input", i)
			}
		}
	})
}

func TestDeviceClassName(t *testing.T) {
	for c, w := range map[uint8]string{0: "", 1: "endpoint-1", 2: "endpoint-2", 3: "endpoint-3", 4: "network-connectivity", 5: "", 255: ""} {
		if got := DeviceClassName(c); got != w {
			t.Errorf("DeviceClassName(%d) = %q, want %q", c, got, w)
		}
	}
	var in Info
	if err := ParseInto(medFrame(), &in); err != nil || DeviceClassName(in.MED.DeviceClass) != "endpoint-3" {
		t.Errorf("medFrame: class %d (%v)", in.MED.DeviceClass, err)
	}
}
