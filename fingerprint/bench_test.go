package fingerprint

import (
	"os"
	"testing"
)

// benchFacts are typical assets: the store classifies when facts change,
// not per packet, so this is about cost per asset update.
func benchFacts(tb testing.TB) map[string]Facts {
	return map[string]Facts{
		"empty":      {},
		"oui-only":   mac(tb, "00:12:21"),
		"windows":    merge(mac(tb, "f8:0d:ac"), dhcp(win10Params, "MSFT 5.0", "DESKTOP-4G7KQ2M")),
		"ct-scanner": merge(mac(tb, "00:50:56"), dhcp(win10Params, "MSFT 5.0", "ct01"), dicom(scu(sopCT, sopSR), scu(sopMWL, sopMPPS))),
		"hl7-engine": hl7(ackFrom("LAB"), ackFrom("ADT"), ackFrom("RIS"), recvFrom("PHARM")),
		"unmatched":  merge(mac(tb, "00:1b:21"), dhcp("1,2,3", "vendor-x", "host-123")),
	}
}

func BenchmarkClassify(b *testing.B) {
	e := defaultEngine(b)
	for name, f := range benchFacts(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = e.Classify(&f)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(packPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(data, "configs/fingerprints.yml", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestClassifyAllocs pins the allocation budget: one allocation for the
// evidence slice when something matched, one more for the conflicts when
// there are any, none when nothing matched. (Templated outputs add one per
// field they fill; these facts have none.)
func TestClassifyAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts (not with -short or -race)")
	}
	e := defaultEngine(t)
	for name, f := range benchFacts(t) {
		r := e.Classify(&f)
		want := 0.0
		if len(r.Evidence) > 0 {
			want++
		}
		if len(r.Conflicts) > 0 {
			want++
		}
		if name == "empty" || name == "unmatched" {
			want = 0
		}
		if got := testing.AllocsPerRun(100, func() { _ = e.Classify(&f) }); got != want {
			t.Errorf("%s: %v allocs per Classify, want %v", name, got, want)
		}
	}
}
