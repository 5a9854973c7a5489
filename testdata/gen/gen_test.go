package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func run(t *testing.T, cfg config) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := generate(&b, cfg); err != nil {
		t.Fatalf("generate %+v: %v", cfg, err)
	}
	return b.Bytes()
}

func sum256(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

var (
	demoCfg  = config{Kind: "demo", Seed: 1}
	mixedCfg = config{Kind: "mixed", MACs: 400, VLANs: 4, Packets: 30000, Seed: 1}
)

// Two runs with the same flags give the same bytes.
func TestDeterministic(t *testing.T) {
	for _, cfg := range []config{demoCfg, mixedCfg} {
		a, b := run(t, cfg), run(t, cfg)
		if sa, sb := sum256(a), sum256(b); sa != sb {
			t.Errorf("%s: two runs differ: %s vs %s", cfg.Kind, sa, sb)
		} else {
			t.Logf("%s: %d bytes, sha256 %s", cfg.Kind, len(a), sa)
		}
	}
	other := mixedCfg
	other.Seed = 2
	if bytes.Equal(run(t, mixedCfg), run(t, other)) {
		t.Error("mixed: seeds 1 and 2 give the same capture")
	}
}

// check reads a capture back: classic pcap, Ethernet, snaplen 65535,
// strictly increasing timestamps, every frame decodes cleanly.
func check(t *testing.T, data []byte) (n int, counts map[gopacket.LayerType]int) {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeEthernet || r.Snaplen() != 65535 {
		t.Fatalf("link type %v snaplen %d", r.LinkType(), r.Snaplen())
	}
	counts = map[gopacket.LayerType]int{}
	var last time.Time
	for {
		pkt, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if !ci.Timestamp.After(last) {
			t.Fatalf("frame %d: timestamp %v not after %v", n, ci.Timestamp, last)
		}
		last = ci.Timestamp
		if len(pkt) < 60 || len(pkt) > 1522 {
			t.Errorf("frame %d: %d bytes", n, len(pkt))
		}
		p := gopacket.NewPacket(pkt, layers.LayerTypeEthernet, gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("frame %d: decode error: %v", n, el.Error())
		}
		for _, l := range p.Layers() {
			counts[l.LayerType()]++
		}
	}
	return n, counts
}

func TestDemo(t *testing.T) {
	data := run(t, demoCfg)
	if len(data) >= 2<<20 {
		t.Errorf("demo is %d bytes, want < 2 MiB", len(data))
	}
	n, counts := check(t, data)
	if n < 2000 {
		t.Errorf("demo has %d frames", n)
	}
	for _, lt := range []gopacket.LayerType{layers.LayerTypeDot1Q, layers.LayerTypeARP, layers.LayerTypeDHCPv4,
		layers.LayerTypeDNS, layers.LayerTypeLinkLayerDiscovery, layers.LayerTypeTCP} {
		if counts[lt] == 0 {
			t.Errorf("demo: no %v", lt)
		}
	}
	// The PHI canaries appear only where they belong: DEMO^PATIENT in the
	// C-STORE data set and the C-FIND pending response, CANARY^PHI^TEST in
	// the PID of each ORU^R01.
	for canary, want := range map[string]int{"DEMO^PATIENT": 2, "CANARY^PHI^TEST": 6, "ALARIS_GW|ICU|HL7_ENGINE|HOSP": 6} {
		if got := bytes.Count(data, []byte(canary)); got != want {
			t.Errorf("demo: %q appears %d times, want %d", canary, got, want)
		}
	}
	for _, s := range []string{"PACS_MAIN       CT_SCANNER1", "RAD_WS07", "NURS_WS03", "1.2.840.10008.5.1.4.1.1.2", "MSA|AA|"} {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("demo: no %q", s)
		}
	}
}

func TestMixed(t *testing.T) {
	data := run(t, mixedCfg)
	n, counts := check(t, data)
	if n != mixedCfg.Packets {
		t.Errorf("mixed: %d frames, want %d", n, mixedCfg.Packets)
	}
	for _, lt := range []gopacket.LayerType{layers.LayerTypeDot1Q, layers.LayerTypeARP, layers.LayerTypeDHCPv4,
		layers.LayerTypeDNS, layers.LayerTypeTCP, layers.LayerTypeUDP} {
		if counts[lt] == 0 {
			t.Errorf("mixed: no %v", lt)
		}
	}
	if counts[layers.LayerTypeTCP] < n/2 {
		t.Errorf("mixed: only %d of %d frames are TCP", counts[layers.LayerTypeTCP], n)
	}
}
