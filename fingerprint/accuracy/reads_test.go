package accuracy

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// TestUnreadSignalsChangeNothing backs Engine.ReadsSignal, on which the
// store decides whether a new signal value classifies an asset again: for
// every device of the labelled and held-back sets and every MAC of the
// shared captures (with the signals the decoders find in them), dropping
// the signals of every source the shipped engine says it does not read
// leaves Classify's result exactly as it was.
func TestUnreadSignalsChangeNothing(t *testing.T) {
	e := engine(t)
	var all []fingerprint.Facts
	devs := loadLabelled(t)
	for _, set := range heldbackSets {
		devs = append(devs, loadDevices(t, set.path)...)
	}
	for _, d := range devs {
		all = append(all, d.facts(t, false), d.facts(t, true))
	}
	dir := sharedPcaps(t)
	for _, c := range captureFiles(t, dir) {
		sigs, err := decodedSignals(filepath.Join(dir, c))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		for mac, ss := range sigs {
			all = append(all, fingerprint.Facts{MAC: mac, Signals: ss})
		}
	}
	checked, dropped := 0, 0
	for _, f := range all {
		kept := f
		kept.Signals = nil
		for _, s := range f.Signals {
			if e.ReadsSignal(s.Source) {
				kept.Signals = append(kept.Signals, s)
			} else {
				dropped++
			}
		}
		if len(kept.Signals) == len(f.Signals) {
			continue
		}
		checked++
		if want, got := e.Classify(&f), e.Classify(&kept); !reflect.DeepEqual(want, got) {
			t.Errorf("%v: without its unread signals %+v, with them %+v", f.MAC, got, want)
		}
	}
	t.Logf("%d of %d classifications compared without %d unread signal values", checked, len(all), dropped)
	if checked == 0 {
		t.Error("no device carries a signal the engine does not read: the test compares nothing")
	}
}

// The shipped engine reads what its rules match on, the names a device
// gives itself, and the LLDP-MED inventory.
func TestShippedEngineReads(t *testing.T) {
	e := engine(t)
	for src, want := range map[string]bool{
		"http.user_agent": true, "snmp.sys_descr": true, "lldp.capabilities": true, "lldp.med_class": true,
		"lldp.sysname": true, "nbns.name": true, "snmp.sys_name": true, "lldp.med_model": true,
	} {
		if got := e.ReadsSignal(model.EvidenceSource(src)); got != want {
			t.Errorf("ReadsSignal(%s) = %v, want %v", src, got, want)
		}
	}
	var none fingerprint.Engine
	if !none.ReadsSignal(model.EvidenceSource("tcp.syn_sig")) {
		t.Error("an Engine not made by Load must be taken to read everything")
	}
}
