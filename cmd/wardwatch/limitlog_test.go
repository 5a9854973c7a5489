package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
)

type countSink struct{}

func (countSink) Submit(context.Context, model.Observation) error { return nil }
func (countSink) TrySubmit(model.Observation) bool                { return true }

// TestLogLimits: a flow table that evicts during a replay shows in the
// replay summary's words and in one rate-limited warning.
func TestLogLimits(t *testing.T) {
	s := sensor.New(sensor.Config{MaxFlows: 10, Workers: 1}, countSink{})
	if _, err := s.Replay(context.Background(), sensor.Input{Source: floodSource(t, 100), Vantage: "t"}); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.WarnLevel)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { logLimits(ctx, zap.New(core), s, 20*time.Millisecond); close(done) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	var n int
	for _, e := range logs.All() {
		if strings.Contains(e.ContextMap()["limits"].(string), "flow table full") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d warnings about the flow table, want 1 (rate-limited: nothing new after the first look)", n)
	}
	if got := capsBitten(s.Stats()[0]); !strings.Contains(got, "flow table full (idle flow evicted) 90") {
		t.Errorf("summary words: %q", got)
	}
}

// floodSource is a capture of n UDP flows from one host, written to a
// temporary pcap file.
func floodSource(t *testing.T, n int) *sensor.FileSource {
	t.Helper()
	var frames [][]byte
	buf := gopacket.NewSerializeBuffer()
	for i := range n {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 0x1b, 0x63, 0, 0, 1}, DstMAC: net.HardwareAddr{0, 0x1b, 0x63, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP{10, 1, 0, 1}, DstIP: net.IP{10, 2, byte(i >> 8), byte(i)}}
		udp := &layers.UDP{SrcPort: 40000, DstPort: 53}
		_ = udp.SetNetworkLayerForChecksum(ip)
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, gopacket.Payload("q")); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, append([]byte(nil), buf.Bytes()...))
	}
	path := filepath.Join(t.TempDir(), "flows.pcap")
	writePcap(t, path, layers.LinkTypeEthernet, frames)
	src, err := sensor.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}
