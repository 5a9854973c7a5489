package ssdp

import (
	"fmt"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

var captures = []string{"ndpi/1kxun.pcap", "ndpi/android.pcap", "ndpi/starcraft_battle.pcap"}

func payloads(tb testing.TB, path string) []pcaptest.Payload {
	return pcaptest.UDPPayloads(tb, path, Port)
}

// searchResponse is a synthetic unicast search response of a patient
// monitor's UPnP stack. Checked with tshark 4.0.17 (UDP from port 1900):
// http.response.code 200, http.server "Linux/4.14 UPnP/1.0 IntelliVue-MX800/M.00.04",
// http.location "http://10.50.0.40:49152/description.xml" (tshark 4.0 has no
// field for ST and USN).
var searchResponse = []byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n" +
	"LOCATION: http://10.50.0.40:49152/description.xml\r\nSERVER: Linux/4.14 UPnP/1.0 IntelliVue-MX800/M.00.04\r\n" +
	"ST: urn:schemas-upnp-org:device:Basic:1\r\nUSN: uuid:2f402f80-da50-11e1-9b23-00173f123456::urn:schemas-upnp-org:device:Basic:1\r\n\r\n")

func summary(m *Message) string {
	os, upnp, product := m.ServerTokens()
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|type=%s|uuid=%s|os=%s|upnp=%s|product=%s", m.Kind, m.Server, m.UserAgent, m.NT, m.ST, m.NTS,
		m.DeviceType(), m.UUID(), os, upnp, product)
}

// TestCaptures checks SSDP datagrams of the shared captures against tshark
// 4.0.17: http.request.method (NOTIFY/M-SEARCH), http.server and the NT,
// NTS, USN and ST lines (http.unknown_header; ST read from tshark -x).
func TestCaptures(t *testing.T) {
	const (
		win   = "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0"
		winID = "9319395a-4d03-4750-bb1b-4663933ab812"
		igd   = "EPICENTRO UPnP/1.0 MiniUPnPd/1.6"

		winTokens = "|os=Microsoft-Windows/10.0|upnp=UPnP/1.0|product=UPnP-Device-Host/1.0"
		igdTokens = "|os=EPICENTRO|upnp=UPnP/1.0|product=MiniUPnPd/1.6"
	)
	cases := []pcaptest.FrameCase{
		{"ndpi/1kxun.pcap", 3, "2||||urn:schemas-upnp-org:device:InternetGatewayDevice:1||type=InternetGatewayDevice|uuid=|os=|upnp=|product="},
		{"ndpi/1kxun.pcap", 704, "1|" + win + "||urn:schemas-upnp-org:device:MediaServer:1||ssdp:alive|type=MediaServer|uuid=" + winID + winTokens},
		{"ndpi/1kxun.pcap", 736, "1|" + win + "||upnp:rootdevice||ssdp:alive|type=|uuid=" + winID + winTokens},
		{"ndpi/starcraft_battle.pcap", 32, "1|" + igd + "||urn:schemas-upnp-org:device:InternetGatewayDevice:1||ssdp:alive|type=InternetGatewayDevice|uuid=11266736-fa59-11e4-9c9f-8426153e75c4" + igdTokens},
		{"ndpi/starcraft_battle.pcap", 39, "1|" + igd + "||urn:schemas-upnp-org:service:WANIPConnection:1||ssdp:alive|type=|uuid=11295964-fa59-11e4-9c9f-8426153e75c4" + igdTokens},
	}
	pcaptest.CheckFrames(t, cases, payloads, func(b []byte) (string, error) {
		var m Message
		err := ParseInto(b, &m)
		return summary(&m), err
	})
	for _, rel := range captures {
		for _, p := range payloads(t, pcaptest.SharedPcap(t, rel)) {
			var m Message
			if err := ParseInto(p.Data, &m); err != nil || !m.Complete {
				t.Errorf("%s #%d: %v complete %v", rel, p.Frame, err, m.Complete)
			}
		}
	}
}

func TestParse(t *testing.T) {
	var m Message
	if err := ParseInto(searchResponse, &m); err != nil {
		t.Fatal(err)
	}
	want := "3|Linux/4.14 UPnP/1.0 IntelliVue-MX800/M.00.04|||urn:schemas-upnp-org:device:Basic:1||type=Basic|uuid=2f402f80-da50-11e1-9b23-00173f123456" +
		"|os=Linux/4.14|upnp=UPnP/1.0|product=IntelliVue-MX800/M.00.04"
	if got := summary(&m); got != want || m.Status != 200 || string(m.Location) != "http://10.50.0.40:49152/description.xml" {
		t.Errorf("got %s %d %q", got, m.Status, m.Location)
	}
	search := []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n" +
		"USER-AGENT: Android/13 UPnP/1.1 Chrome/120\r\n\r\n")
	if err := ParseInto(search, &m); err != nil || string(m.UserAgent) != "Android/13 UPnP/1.1 Chrome/120" || m.Kind != KindSearch {
		t.Errorf("search: %v %+v", err, m)
	}
	for _, bad := range []string{"", "GET / HTTP/1.1\r\n\r\n", "NOTIFY * SIP/2.0\r\n\r\n", "\x00\x01"} {
		if err := ParseInto([]byte(bad), &m); err != ErrNotSSDP {
			t.Errorf("%q: %v", bad, err)
		}
	}
	m = Message{USN: []byte("uuid:")}
	if m.UUID() != nil {
		t.Error("empty uuid")
	}
	for server, want := range map[string]string{
		"Linux/2.6.32, UPnP/1.0, Portable SDK for UPnP devices/1.6.19": "Linux/2.6.32|UPnP/1.0|Portable SDK for UPnP devices/1.6.19",
		"Allegro-Software-RomUpnp/4.07 UPnP/1.0 IPI/1.0":               "Allegro-Software-RomUpnp/4.07|UPnP/1.0|IPI/1.0",
		"UPnP/1.0":                      "|UPnP/1.0|",
		"lighttpd/1.4":                  "lighttpd/1.4||",
		"Linux UPnPx/1.0 not-a-token/1": "Linux UPnPx/1.0 not-a-token/1||",
	} {
		m = Message{Server: []byte(server)}
		os, upnp, product := m.ServerTokens()
		if got := fmt.Sprintf("%s|%s|%s", os, upnp, product); got != want {
			t.Errorf("%q: %s, want %s", server, got, want)
		}
	}
}

func TestZeroAlloc(t *testing.T) {
	var m Message
	pcaptest.NoAllocs(t, func() {
		_ = ParseInto(searchResponse, &m)
		_, _ = m.DeviceType(), m.UUID()
		_, _, _ = m.ServerTokens()
	})
}

func BenchmarkParseInto(b *testing.B) {
	var m Message
	b.SetBytes(int64(len(searchResponse)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(searchResponse, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseInto(f *testing.F) {
	f.Add(searchResponse)
	pcaptest.Seed(f, captures, func(path string) []pcaptest.Payload { return payloads(f, path) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		_ = ParseInto(b, &m)
		os, upnp, product := m.ServerTokens()
		for i, v := range [][]byte{m.Server, m.UserAgent, m.Location, m.NT, m.NTS, m.ST, m.USN, m.DeviceType(), m.UUID(), os, upnp, product} {
			if !pcaptest.Within(b, v) {
				t.Fatalf("view %d outside the input", i)
			}
		}
	})
}
