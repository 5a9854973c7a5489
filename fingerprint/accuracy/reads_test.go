package accuracy

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// TestUnreadSignalsChangeNothing backs Engine.ReadsSignal and
// Engine.ReadsSignalValue, on which the store decides whether a new signal
// value classifies an asset again: for every device of the labelled and
// held-back sets and every MAC of the shared captures (with the signals the
// decoders find in them), dropping the signals of every source the shipped
// engine says it does not read, and then every value it says it does not
// read, leaves Classify's result exactly as it was.
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
	for _, c := range []struct {
		what  string
		reads func(fingerprint.Signal) bool
	}{
		{"source", func(s fingerprint.Signal) bool { return e.ReadsSignal(s.Source) }},
		{"value", func(s fingerprint.Signal) bool { return e.ReadsSignalValue(s.Source, s.Value) }},
	} {
		checked, dropped := 0, 0
		for _, f := range all {
			kept := f
			kept.Signals = nil
			for _, s := range f.Signals {
				if c.reads(s) {
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
				t.Errorf("%v: without its signals of an unread %s %+v, with them %+v", f.MAC, c.what, got, want)
			}
		}
		t.Logf("unread %s: %d of %d classifications compared without %d signal values", c.what, checked, len(all), dropped)
		if checked == 0 {
			t.Errorf("no device carries a signal of an unread %s: the test compares nothing", c.what)
		}
	}
}

// TestUnreadServedChangeNothing backs Engine.ReadsServed, on which the store
// decides whether a server's first client on a port classifies it again:
// for every device of the labelled and held-back sets, a first client (and
// a second, below every built-in's count) on ports the shipped engine says
// it does not read leaves Classify's result exactly as it was.
func TestUnreadServedChangeNothing(t *testing.T) {
	e := engine(t)
	devs := loadLabelled(t)
	for _, set := range heldbackSets {
		devs = append(devs, loadDevices(t, set.path)...)
	}
	ports := []fingerprint.Served{{Proto: 6, Port: 443, Service: "https"}, {Proto: 6, Port: 8080, Service: "http"},
		{Proto: 6, Port: 104, Service: "dicom"}, {Proto: 6, Port: 2575, Service: "hl7"}, {Proto: 6, Port: 22},
		{Proto: 17, Port: 5060}, {Proto: 17, Port: 40000}}
	checked := 0
	for _, d := range devs {
		for _, random := range []bool{false, true} {
			f := d.facts(t, random)
			want := e.Classify(&f)
			for _, p := range ports {
				if e.ReadsServed(p.Proto, p.Port) {
					t.Fatalf("the shipped engine reads %d/%d: pick another port", p.Proto, p.Port)
				}
				for _, n := range []int{1, 2} {
					g := f
					p.Clients = n
					g.Served = append(append([]fingerprint.Served(nil), f.Served...), p)
					checked++
					if got := e.Classify(&g); !reflect.DeepEqual(want, got) {
						t.Errorf("%s: with %d client(s) on %d/%d %+v, without %+v", d.Name, n, p.Proto, p.Port, got, want)
					}
				}
			}
		}
	}
	t.Logf("%d classifications compared", checked)
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
	for _, c := range []struct {
		proto uint8
		port  uint16
		want  bool
	}{{17, 53, true}, {6, 53, true}, {17, 67, true}, {6, 9100, true}, {6, 631, true}, {6, 443, false}, {17, 123, false}} {
		if got := e.ReadsServed(c.proto, c.port); got != c.want {
			t.Errorf("ReadsServed(%d, %d) = %v, want %v", c.proto, c.port, got, c.want)
		}
	}
	for _, c := range []struct {
		src, value string
		want       bool
	}{
		{"tcp.syn_sig", "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0", true}, // Linux
		// TTL 64 with Windows' option order: testdata/gen's hosts, no system's.
		{"tcp.syn_sig", "4:64+0:0:1460:mss*44,8:mss,nop,ws,nop,nop,sok:df,id+:0", false},
		{"nbns.name", "ANY-NAME", true}, // names are read whatever they are
		{"lldp.med_model", "anything", true},
		{"tls.sni", "example.org", false},
	} {
		if got := e.ReadsSignalValue(model.EvidenceSource(c.src), c.value); got != c.want {
			t.Errorf("ReadsSignalValue(%s, %q) = %v, want %v", c.src, c.value, got, c.want)
		}
	}
	var none fingerprint.Engine
	if !none.ReadsSignal(model.EvidenceSource("tcp.syn_sig")) || !none.ReadsServed(6, 443) ||
		!none.ReadsSignalValue(model.EvidenceSource("tcp.syn_sig"), "x") {
		t.Error("an Engine not made by Load must be taken to read everything")
	}
}
