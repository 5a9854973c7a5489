package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
)

// TestCaptureStats: the exporter gets every decode layer and every
// observation kind by name, zeros included, and each limit's count.
func TestCaptureStats(t *testing.T) {
	st := sensor.Stats{Interface: "span0", Packets: 7, Bytes: 700, KernelDrops: 1, Truncated: 2, Malformed: 3,
		ObsDropped: 4, AssetCapHits: 5, BindCapHits: 6, FlowCapHits: 8, StreamCapHits: 9, InspectCaps: 10, DHCPUnplaced: 13}
	st.DecodeErrors[sensor.LayerDHCP] = 11
	st.Observations[model.ObsDHCPAck] = 12
	got := captureStats([]sensor.Stats{st})
	if len(got) != 1 {
		t.Fatalf("%d entries", len(got))
	}
	c := got[0]
	want := exporter.CaptureStats{Interface: "span0", Packets: 7, Bytes: 700, KernelDrops: 1, Truncated: 2, Malformed: 3,
		ObsDropped: 4, AssetCapHits: 5, BindCapHits: 6, FlowCapHits: 8, StreamCapHits: 9, InspectCaps: 10, DHCPUnplaced: 13}
	c2 := c
	c2.DecodeErrors, c2.Observations = nil, nil
	if !reflect.DeepEqual(c2, want) {
		t.Errorf("counters %+v, want %+v", c2, want)
	}
	if len(c.DecodeErrors) != len(sensor.LayerNames) {
		t.Errorf("%d layers, want %d", len(c.DecodeErrors), len(sensor.LayerNames))
	}
	for i, e := range c.DecodeErrors {
		if e.Name != sensor.LayerNames[i] || (e.Name == "dhcp") != (e.N == 11) {
			t.Errorf("layer %d: %+v", i, e)
		}
	}
	if len(c.Observations) != model.NumObsKinds-1 {
		t.Errorf("%d kinds, want %d", len(c.Observations), model.NumObsKinds-1)
	}
	for _, o := range c.Observations {
		if o.Name == "" || strings.HasPrefix(o.Name, "ObsKind(") {
			t.Errorf("observation kind without a name: %+v", o)
		}
		if (o.Name == model.ObsDHCPAck.String()) != (o.N == 12) {
			t.Errorf("kind %+v", o)
		}
	}
}
