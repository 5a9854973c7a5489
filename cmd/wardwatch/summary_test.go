package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/sensor"
)

// TestPrintSummary: the replay summary says what was read and what was
// lost: dropped observations, the limits that bit, relayed DHCP messages
// whose client was never placed.
func TestPrintSummary(t *testing.T) {
	var s sensor.Summary
	s.Packets, s.Bytes, s.Duration = 1000, 64000, 2*time.Second
	var b strings.Builder
	printSummary(&b, "x.pcap", s)
	if got := b.String(); got != "replayed x.pcap: 1000 packets, 64000 bytes in 2.000s (500 packets/s); 0 malformed, 0 decode errors, 0 truncated; 0 observations\n" {
		t.Errorf("clean summary: %q", got)
	}
	s.ObsDropped, s.FlowCapHits, s.DHCPUnplaced = 3, 4, 5
	b.Reset()
	printSummary(&b, "x.pcap", s)
	got := b.String()
	for _, want := range []string{", 3 dropped", "; limits reached: flow table full (idle flow evicted) 4", "; 5 relayed DHCP messages dropped (their clients' VLANs not in the capture)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
}
