package policy

// Maintenance windows: when changes to devices are planned. A change
// (a new device, a class, model, firmware, address or host name change, a
// behaviour change) inside a window that applies to the device is planned;
// outside, unplanned (wardwatch_change_events_total{planned}).

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

type rawWindow struct {
	Name        scalar      `yaml:"name"`
	Description scalar      `yaml:"description"`
	Timezone    scalar      `yaml:"timezone"`
	Weekly      []rawWeekly `yaml:"weekly"`
	Dates       []rawDates  `yaml:"dates"`
	Zones       scalars     `yaml:"zones"`
	Classes     scalars     `yaml:"classes"`
}

type rawWeekly struct {
	Days scalars `yaml:"days"`
	From scalar  `yaml:"from"`
	To   scalar  `yaml:"to"`
}

type rawDates struct {
	From scalar `yaml:"from"`
	To   scalar `yaml:"to"`
}

var windowKeys = "name, description, timezone, weekly, dates, zones, classes"

var windowNames = nameRules{kind: "maintenance window", max: maxRuleName, reserved: func(string) string { return "" }}

// MaintenanceWindow is one compiled maintenance_windows entry.
type MaintenanceWindow struct {
	Name        string
	Description string
	Location    *time.Location
	Weekly      []WeeklyRange
	Dates       []DateRange
	Zones       []string      // empty: every zone
	Classes     []model.Class // empty: every class
}

// WeeklyRange is a time of day on some weekdays, [From, To) in minutes
// after midnight; To <= From crosses midnight into the next day.
type WeeklyRange struct {
	Days     [7]bool // by time.Weekday
	From, To int
}

// DateRange is [From, To).
type DateRange struct{ From, To time.Time }

// MaintenanceWindows returns the policy's maintenance windows, in file
// order. Treat it as read-only.
func (p *Policy) MaintenanceWindows() []MaintenanceWindow {
	if p == nil {
		return nil
	}
	return p.windows
}

// NeedsZone reports whether some window is scoped to zones: only then
// does InMaintenance need the device's zone.
func (p *Policy) NeedsZone() bool {
	if p == nil {
		return false
	}
	for i := range p.windows {
		if len(p.windows[i].Zones) > 0 {
			return true
		}
	}
	return false
}

// InMaintenance returns the first window that is open at t and applies
// to a device of class in zone, and whether there is one.
func (p *Policy) InMaintenance(t time.Time, zone string, class model.Class) (string, bool) {
	if p == nil {
		return "", false
	}
	for i := range p.windows {
		w := &p.windows[i]
		if w.Applies(zone, class) && w.Open(t) {
			return w.Name, true
		}
	}
	return "", false
}

// Applies reports whether w covers a device of class in zone.
func (w *MaintenanceWindow) Applies(zone string, class model.Class) bool {
	return (len(w.Zones) == 0 || slices.Contains(w.Zones, zone)) &&
		(len(w.Classes) == 0 || slices.Contains(w.Classes, class.OrUnknown()))
}

// Open reports whether w is open at t.
func (w *MaintenanceWindow) Open(t time.Time) bool {
	for _, d := range w.Dates {
		if !t.Before(d.From) && t.Before(d.To) {
			return true
		}
	}
	if len(w.Weekly) == 0 {
		return false
	}
	lt := t.In(w.Location)
	m := lt.Hour()*60 + lt.Minute()
	day, prev := lt.Weekday(), (lt.Weekday()+6)%7
	for _, r := range w.Weekly {
		if r.To > r.From {
			if r.Days[day] && m >= r.From && m < r.To {
				return true
			}
			continue
		}
		if r.Days[day] && m >= r.From || r.Days[prev] && m < r.To {
			return true
		}
	}
	return false
}

var weekdayOf = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// windows compiles maintenance_windows (after the zones).
func (c *compiler) windows(raw []rawWindow) {
	lines := map[string]int{}
	for i := range raw {
		rw := &raw[i]
		ctx := fmt.Sprintf("maintenance_windows[%d]", i)
		if rw.Name.set && rw.Name.v != "" {
			ctx = "maintenance window " + strconv.Quote(rw.Name.v)
		}
		line := rw.Name.line
		if line == 0 {
			line = c.tree.entryLine("maintenance_windows", i)
		}
		c.checkName(rw.Name, line, ctx, windowNames, lines)
		w := MaintenanceWindow{Name: rw.Name.v, Description: rw.Description.v, Location: time.Local}
		if rw.Timezone.set && rw.Timezone.v != "" {
			loc, err := time.LoadLocation(rw.Timezone.v)
			if err != nil {
				c.errorf(rw.Timezone.line, ctx+": timezone", "unknown time zone %q (an IANA name such as Europe/Berlin, or UTC)", rw.Timezone.v)
			} else {
				w.Location = loc
			}
		}
		if len(rw.Weekly)+len(rw.Dates) == 0 {
			c.errorf(line, ctx, "has no time; set weekly, dates or both")
		}
		for j := range rw.Weekly {
			if r, ok := c.weekly(&rw.Weekly[j], fmt.Sprintf("%s: weekly[%d]", ctx, j), line); ok {
				w.Weekly = append(w.Weekly, r)
			}
		}
		for j := range rw.Dates {
			if r, ok := c.dates(&rw.Dates[j], fmt.Sprintf("%s: dates[%d]", ctx, j), line, w.Location); ok {
				w.Dates = append(w.Dates, r)
			}
		}
		for _, z := range rw.Zones {
			if _, ok := c.zoneIdx[z.v]; !ok {
				c.errorf(z.line, ctx+": zones", "unknown zone %q", z.v)
				continue
			}
			w.Zones = append(w.Zones, z.v)
		}
		for _, s := range rw.Classes {
			cl := model.Class(s.v)
			if !cl.Valid() {
				c.errorf(s.line, ctx+": classes", "unknown class %q (known: %s)", s.v, strings.Join(model.ClassNames(), ", "))
				continue
			}
			w.Classes = append(w.Classes, cl)
		}
		c.p.windows = append(c.p.windows, w)
	}
}

func (c *compiler) weekly(r *rawWeekly, ctx string, line int) (WeeklyRange, bool) {
	var out WeeklyRange
	ok := true
	if len(r.Days) == 0 {
		c.errorf(line, ctx, "days must be set (mon, tue, wed, thu, fri, sat, sun or daily)")
		ok = false
	}
	for _, d := range r.Days {
		v := strings.ToLower(d.v)
		if v == "daily" {
			out.Days = [7]bool{true, true, true, true, true, true, true}
			continue
		}
		wd, found := weekdayOf[v]
		if !found {
			c.errorf(d.line, ctx+": days", "unknown day %q (mon, tue, wed, thu, fri, sat, sun or daily)", d.v)
			ok = false
			continue
		}
		out.Days[wd] = true
	}
	var fok, tok bool
	out.From, fok = c.clock(r.From, ctx+": from", line, false)
	out.To, tok = c.clock(r.To, ctx+": to", line, true)
	if fok && tok && out.From == out.To {
		c.errorf(r.To.line, ctx, "from and to are the same time")
		ok = false
	}
	return out, ok && fok && tok
}

// clock parses "HH:MM" (24:00 allowed for to) into minutes after midnight.
func (c *compiler) clock(s scalar, ctx string, line int, end bool) (int, bool) {
	if !s.set || s.v == "" {
		c.errorf(line, ctx, "must be set (HH:MM)")
		return 0, false
	}
	h, m, found := strings.Cut(s.v, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	max := 23
	if end {
		max = 24
	}
	if !found || err1 != nil || err2 != nil || hh < 0 || hh > max || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		c.errorf(s.line, ctx, "%q is not a time of day (HH:MM, 00:00..23:59%s)", s.v, map[bool]string{true: " or 24:00"}[end])
		return 0, false
	}
	return hh*60 + mm, true
}

// dateLayouts are the forms a dates entry takes; those without an offset
// are in the window's time zone. A date alone is the start of that day for
// from and the end of it for to.
var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

func (c *compiler) dates(r *rawDates, ctx string, line int, loc *time.Location) (DateRange, bool) {
	from, fok := c.date(r.From, ctx+": from", line, loc, false)
	to, tok := c.date(r.To, ctx+": to", line, loc, true)
	if fok && tok && !to.After(from) {
		c.errorf(r.To.line, ctx, "to (%s) is not after from (%s)", r.To.v, r.From.v)
		return DateRange{}, false
	}
	return DateRange{From: from, To: to}, fok && tok
}

func (c *compiler) date(s scalar, ctx string, line int, loc *time.Location, end bool) (time.Time, bool) {
	if !s.set || s.v == "" {
		c.errorf(line, ctx, "must be set (2026-12-05 22:00, 2026-12-05T22:00:00+01:00 or 2026-12-05)")
		return time.Time{}, false
	}
	for i, layout := range dateLayouts {
		t, err := time.ParseInLocation(layout, s.v, loc)
		if err != nil {
			continue
		}
		if i == len(dateLayouts)-1 && end {
			t = t.AddDate(0, 0, 1)
		}
		return t, true
	}
	c.errorf(s.line, ctx, "%q is not a date and time (2026-12-05 22:00, 2026-12-05T22:00:00+01:00 or 2026-12-05)", s.v)
	return time.Time{}, false
}
