package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

const windowsPolicy = `zones:
  - name: pumps
    vlans: [20]
maintenance_windows:
  - name: biomed-nights
    description: Biomed updates pumps on Tuesday and Thursday nights
    timezone: Europe/Berlin
    weekly:
      - days: [tue, thu]
        from: "22:00"
        to: "02:00"
    zones: [pumps]
    classes: [infusion-pump]
  - name: pacs-upgrade
    timezone: UTC
    dates:
      - from: 2026-12-05 22:00
        to: 2026-12-06T04:00:00Z
      - from: 2026-12-24
        to: 2026-12-24
  - name: every-morning
    timezone: UTC
    weekly:
      - days: daily
        from: "06:00"
        to: "06:30"
`

func TestMaintenanceWindows(t *testing.T) {
	p, err := Parse([]byte(windowsPolicy), "w.yml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.MaintenanceWindows()); n != 3 || !p.NeedsZone() {
		t.Fatalf("%d windows, NeedsZone %v", n, p.NeedsZone())
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		t     time.Time
		zone  string
		class model.Class
		want  string
	}{
		// Tuesday 2026-12-01 23:00 Berlin: in the biomed window for pumps only.
		{time.Date(2026, 12, 1, 23, 0, 0, 0, berlin), "pumps", model.ClassInfusionPump, "biomed-nights"},
		{time.Date(2026, 12, 1, 23, 0, 0, 0, berlin), "pumps", model.ClassPatientMonitor, ""},
		{time.Date(2026, 12, 1, 23, 0, 0, 0, berlin), "servers", model.ClassInfusionPump, ""},
		// Wednesday 01:59 Berlin: after midnight, still Tuesday's window.
		{time.Date(2026, 12, 2, 1, 59, 0, 0, berlin), "pumps", model.ClassInfusionPump, "biomed-nights"},
		{time.Date(2026, 12, 2, 2, 0, 0, 0, berlin), "pumps", model.ClassInfusionPump, ""},
		// Wednesday 23:00: not a window day.
		{time.Date(2026, 12, 2, 23, 0, 0, 0, berlin), "pumps", model.ClassInfusionPump, ""},
		// The same instant in UTC.
		{time.Date(2026, 12, 3, 22, 30, 0, 0, time.UTC), "pumps", model.ClassInfusionPump, "biomed-nights"},
		// Dated ranges: any zone and class; a date alone is the whole day.
		{time.Date(2026, 12, 6, 3, 59, 0, 0, time.UTC), "servers", model.ClassPACS, "pacs-upgrade"},
		{time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC), "servers", model.ClassPACS, ""},
		{time.Date(2026, 12, 24, 23, 59, 0, 0, time.UTC), "", "", "pacs-upgrade"},
		{time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), "", "", ""},
		{time.Date(2026, 12, 25, 6, 10, 0, 0, time.UTC), "", "", "every-morning"},
	} {
		got, ok := p.InMaintenance(c.t, c.zone, c.class)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s %s %s: %q %v, want %q", c.t, c.zone, c.class, got, ok, c.want)
		}
	}
	var none *Policy
	if _, ok := none.InMaintenance(time.Now(), "", ""); ok || none.NeedsZone() {
		t.Error("nil policy has maintenance windows")
	}
}

func TestMaintenanceWindowErrors(t *testing.T) {
	const bad = `zones:
  - name: pumps
    vlans: [20]
maintenance_windows:
  - name: Bad Name
    weekly:
      - days: [tue, someday]
        from: "25:00"
        to: "02:61"
    zones: [pump]
    classes: [toaster]
  - name: nothing
  - name: dates
    timezone: Mars/Olympus
    dates:
      - from: 2026-12-06
        to: 2026-12-05
      - from: yesterday
        to: 2026-12-05
  - name: dates
    weekly:
      - days: [mon]
        from: "10:00"
        to: "10:00"
`
	_, err := Parse([]byte(bad), "w.yml")
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	for _, want := range []string{
		`w.yml: line 5: maintenance window "Bad Name": name "Bad Name" is not valid`,
		`line 7: maintenance window "Bad Name": weekly[0]: days: unknown day "someday"`,
		`line 8: maintenance window "Bad Name": weekly[0]: from: "25:00" is not a time of day`,
		`line 9: maintenance window "Bad Name": weekly[0]: to: "02:61" is not a time of day`,
		`line 10: maintenance window "Bad Name": zones: unknown zone "pump"`,
		`line 11: maintenance window "Bad Name": classes: unknown class "toaster"`,
		`line 12: maintenance window "nothing": has no time; set weekly, dates or both`,
		`line 14: maintenance window "dates": timezone: unknown time zone "Mars/Olympus"`,
		`line 17: maintenance window "dates": dates[0]: to (2026-12-05) is not after from (2026-12-06)`,
		`line 18: maintenance window "dates": dates[1]: from: "yesterday" is not a date and time`,
		`line 20: maintenance window "dates": duplicate maintenance window name (first defined at line 13)`,
		`line 24: maintenance window "dates": weekly[0]: from and to are the same time`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if _, err := Parse([]byte("maintenance_windows:\n  - name: x\n    weekly:\n      - dayz: [mon]\n"), "u.yml"); err == nil ||
		!strings.Contains(err.Error(), `unknown key "dayz"`) || !strings.Contains(err.Error(), "known keys: days, from, to") {
		t.Errorf("unknown key: %v", err)
	}
}
