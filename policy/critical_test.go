package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

const criticalPolicy = `zones:
  - name: pumps
    vlans: [20]
  - name: imaging
    vlans: [30]
critical:
  - name: pumps
    description: every infusion pump, heard from at least every 10 minutes
    classes: [infusion-pump]
    every: 10m
    grace: 5m
  - name: imaging
    zones: [imaging]
    every: 1h
    sleep: ["22:00-06:00", "sat,sun 00:00-24:00"]
    timezone: UTC
  - name: the-ct
    macs: ["00:1b:63:84:45:e6"]
    classes: [imaging-modality]
    every: 2h
`

func TestCriticalParse(t *testing.T) {
	p, err := Parse([]byte(criticalPolicy), "critical.yml")
	if err != nil {
		t.Fatal(err)
	}
	cs := p.Critical()
	if len(cs) != 3 {
		t.Fatalf("%d critical entries, want 3", len(cs))
	}
	if c := cs[0]; c.Name != "pumps" || c.Every != 10*time.Minute || c.Grace != 5*time.Minute || c.Line != 7 {
		t.Errorf("entry 0: %+v", c)
	}
	if c := cs[1]; c.Grace != 30*time.Minute || c.Location != time.UTC || len(c.Sleep) != 2 {
		t.Errorf("entry 1 (default grace every/2, UTC, two windows): %+v", c)
	}
	ct, _ := model.ParseMAC("00:1b:63:84:45:e6")
	other, _ := model.ParseMAC("00:1b:63:84:45:e7")
	for _, tc := range []struct {
		mac   model.MAC
		class model.Class
		zone  string
		want  string
	}{
		{other, model.ClassInfusionPump, "pumps", "pumps"},
		{other, model.ClassInfusionPump, "imaging", "pumps"},     // class before zone
		{ct, model.ClassInfusionPump, "pumps", "the-ct"},         // MAC first
		{other, model.ClassImagingModality, "imaging", "the-ct"}, // class (of the-ct) before zone (of imaging)
		{other, model.ClassWorkstation, "imaging", "imaging"},    // zone
		{other, model.ClassWorkstation, "pumps", ""},             // not critical
		{model.MAC{}, model.ClassWorkstation, "", ""},            // nothing
	} {
		got := ""
		if c := p.CriticalOf(tc.mac, tc.class, tc.zone); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("CriticalOf(%s, %s, %q) = %q, want %q", tc.mac, tc.class, tc.zone, got, tc.want)
		}
	}
	var nilPolicy *Policy
	if nilPolicy.CriticalOf(ct, model.ClassInfusionPump, "pumps") != nil || nilPolicy.Critical() != nil {
		t.Error("a nil policy has critical devices")
	}
}

func TestCriticalErrors(t *testing.T) {
	const bad = `zones:
  - name: pumps
    vlans: [20]
critical:
  - name: pumps
    classes: [infusion-pmp]
    zones: [pump]
    macs: ["01:00:5e:00:00:01", "zz"]
    every: 10 minutes
    grace: -1m
    sleep: ["22:00", "mon-xyz 01:00-02:00", "25:00-06:00", "06:00-06:00"]
    timezone: Mars/Olympus
  - name: pumps
    every: 0s
  - name: x
    classes: [infusion-pump]
    evry: 1m
`
	_, err := Parse([]byte(bad), "p.yml")
	if err == nil {
		t.Fatal("no error")
	}
	// Decoding stops at the unknown key; it names the entry and the keys.
	if want := `p.yml: line 17: critical "x": unknown key "evry" (known keys: ` + criticalKeys + `)`; err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}

	_, err = Parse([]byte(strings.Replace(bad, "    evry: 1m\n", "", 1)), "p.yml")
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`p.yml: line 6: critical "pumps": classes: unknown class "infusion-pmp"`,
		`p.yml: line 7: critical "pumps": zones: unknown zone "pump"`,
		`p.yml: line 8: critical "pumps": macs: 01:00:5e:00:00:01 is not a unicast device address`,
		`p.yml: line 8: critical "pumps": macs: "zz" is not a MAC address`,
		`p.yml: line 9: critical "pumps": every: "10 minutes" is not a duration (such as 90s, 15m, 2h)`,
		`p.yml: line 10: critical "pumps": grace: -1m is out of range 0s..7d`,
		`p.yml: line 12: critical "pumps": timezone: "Mars/Olympus" is not a time zone`,
		`p.yml: line 11: critical "pumps": sleep: "22:00": expected a time range "HH:MM-HH:MM"`,
		`p.yml: line 11: critical "pumps": sleep: "mon-xyz 01:00-02:00": "mon-xyz" is not a day or day range`,
		`p.yml: line 11: critical "pumps": sleep: "25:00-06:00": "25:00" is not a time of day HH:MM (00:00..24:00)`,
		`p.yml: line 11: critical "pumps": sleep: "06:00-06:00": the window is empty`,
		`p.yml: line 13: critical "pumps": duplicate critical entry name (first defined at line 5)`,
		`p.yml: line 13: critical "pumps": has no matcher; set at least one of classes, zones, macs`,
		`p.yml: line 14: critical "pumps": every: 0s is out of range 1s..7d`,
		`p.yml: line 15: critical "x": every must be set (how often the device must be heard from, e.g. 15m)`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != len(want) {
		t.Errorf("%d errors, want %d:\n%v", n, len(want), err)
	}
}

func TestCriticalLiveness(t *testing.T) {
	p, err := Parse([]byte(criticalPolicy), "critical.yml")
	if err != nil {
		t.Fatal(err)
	}
	pumps, imaging := &p.Critical()[0], &p.Critical()[1]
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// 2026-12-02 is a Wednesday.
	for _, tc := range []struct {
		name               string
		c                  *CriticalInfo
		heard, probed, now string
		want, since        string
	}{
		{"heard in time", pumps, "2026-12-02T10:00:00Z", "", "2026-12-02T10:09:00Z", "", ""},
		{"within the grace", pumps, "2026-12-02T10:00:00Z", "", "2026-12-02T10:14:59Z", "", ""},
		{"silent after every+grace", pumps, "2026-12-02T10:00:00Z", "", "2026-12-02T10:16:00Z", LivenessSilent, "2026-12-02T10:15:00Z"},
		{"pumps sleep never", pumps, "2026-12-02T21:00:00Z", "", "2026-12-02T23:00:00Z", LivenessSilent, "2026-12-02T21:15:00Z"},
		{"alive by probe", pumps, "2026-12-02T10:00:00Z", "2026-12-02T10:20:00Z", "2026-12-02T10:30:00Z", LivenessAliveByProbe, ""},
		{"old probe answer", pumps, "2026-12-02T10:00:00Z", "2026-12-02T10:20:00Z", "2026-12-02T10:40:00Z", LivenessSilent, "2026-12-02T10:15:00Z"},
		{"probe before last heard", pumps, "2026-12-02T10:00:00Z", "2026-12-02T09:59:00Z", "2026-12-02T10:16:00Z", LivenessSilent, "2026-12-02T10:15:00Z"},
		{"asleep at night", imaging, "2026-12-02T21:30:00Z", "", "2026-12-03T03:00:00Z", LivenessSleeping, ""},
		{"just woke: its interval starts again", imaging, "2026-12-02T21:30:00Z", "", "2026-12-03T07:00:00Z", LivenessSleeping, ""},
		{"silent after waking", imaging, "2026-12-02T21:30:00Z", "", "2026-12-03T07:31:00Z", LivenessSilent, "2026-12-03T07:30:00Z"},
		{"silent before the night", imaging, "2026-12-02T19:00:00Z", "", "2026-12-02T21:00:00Z", LivenessSilent, "2026-12-02T20:30:00Z"},
		{"weekend", imaging, "2026-12-04T21:00:00Z", "", "2026-12-06T12:00:00Z", LivenessSleeping, ""}, // Sat and Sun
		{"monday morning", imaging, "2026-12-04T21:00:00Z", "", "2026-12-07T08:00:00Z", LivenessSilent, "2026-12-07T07:30:00Z"},
	} {
		var probed time.Time
		if tc.probed != "" {
			probed = at(tc.probed)
		}
		got, since := tc.c.Liveness(at(tc.heard), probed, at(tc.now))
		wantSince := time.Time{}
		if tc.since != "" {
			wantSince = at(tc.since)
		}
		if got != tc.want || !since.Equal(wantSince) {
			t.Errorf("%s: Liveness = %q since %v, want %q since %v", tc.name, got, since, tc.want, wantSince)
		}
	}
}
