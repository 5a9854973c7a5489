package policy

// Critical devices: the policy file's critical section says which devices
// must be heard from regularly, and when silence is expected (a schedule).
//
//	critical:
//	  - name: infusion-pumps      # required, unique, [a-z0-9_-], at most 64 bytes
//	    description: free text
//	    classes: [infusion-pump]  # device classes (model.Classes)
//	    zones: [pumps]            # zones of this file
//	    macs: ["00:1b:63:84:45:e6"]
//	    every: 15m                # required: heard from at least this often (1s..7d)
//	    grace: 5m                 # more silence tolerated before "silent" (default every/2; 0s..7d)
//	    sleep: ["22:00-06:00", "sat,sun 00:00-24:00"]  # silent by schedule: "sleeping", not "silent"
//	    timezone: Europe/Berlin   # of the sleep windows; default the sensor's local time
//
// An entry needs at least one of classes, zones, macs. A device matched by
// several entries takes the most specific: macs, then classes, then
// zones; between entries at the same level the one listed first.
//
// A critical device's liveness at a time (CriticalInfo.Liveness) is
// computed from when it was last heard, when it last answered the ARP
// liveness probe, and the schedule, so every view computing it from the
// same facts (the CLI, the API, the metrics, the daemon's events) agrees.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// Liveness states of a critical device ("" when it was heard within its
// interval and grace).
const (
	// LivenessSilent: not heard from for longer than every + grace,
	// outside its sleep schedule, and no recent probe answer.
	LivenessSilent = "silent"
	// LivenessSleeping: not heard from, but silent by schedule (in a
	// sleep window, or less than every + grace after one ended).
	LivenessSleeping = "sleeping"
	// LivenessAliveByProbe: not heard from, but it answered the ARP
	// liveness probe within every + grace: alive, only quiet.
	LivenessAliveByProbe = "alive-by-probe"
)

// Limits of a critical entry.
const (
	minCriticalEvery = time.Second
	maxCriticalEvery = 7 * 24 * time.Hour
)

// CriticalInfo is one entry of the critical section.
type CriticalInfo struct {
	Name        string
	Description string
	Classes     []model.Class
	Zones       []string
	MACs        []model.MAC
	Every       time.Duration // heard from at least this often
	Grace       time.Duration // more silence tolerated before silent
	Sleep       []string      // the sleep windows as written
	Location    *time.Location
	Line        int

	windows []sleepWindow
}

// sleepWindow is a daily window [start, end) in minutes after midnight on
// the days of days (bit 0 Sunday); end <= start crosses midnight.
type sleepWindow struct {
	days       uint8
	start, end int
}

// Critical returns the critical entries in file order.
func (p *Policy) Critical() []CriticalInfo {
	if p == nil {
		return nil
	}
	return p.critical
}

// CriticalOf returns the critical entry of a device with this MAC, class
// and zone (the zone of the device, as segment places it), nil when the
// device is not critical. It does not allocate.
func (p *Policy) CriticalOf(mac model.MAC, class model.Class, zone string) *CriticalInfo {
	if p == nil || len(p.critical) == 0 {
		return nil
	}
	for i := range p.critical {
		c := &p.critical[i]
		for _, m := range c.MACs {
			if m == mac && !mac.IsZero() {
				return c
			}
		}
	}
	for i := range p.critical {
		c := &p.critical[i]
		for _, cl := range c.Classes {
			if cl == class {
				return c
			}
		}
	}
	for i := range p.critical {
		c := &p.critical[i]
		for _, z := range c.Zones {
			if z == zone && zone != "" {
				return c
			}
		}
	}
	return nil
}

// Liveness returns the liveness state of a device of this entry at now
// (LivenessSilent, LivenessSleeping, LivenessAliveByProbe, or "" when it
// was heard within every + grace) and, for silent, since when it is
// silent. lastHeard is when it last sent anything, probed when it last
// answered the ARP liveness probe (zero: never).
//
// The deadline restarts when a sleep window ends: a device silent through
// the night is expected within every + grace of its wake-up, not at once.
func (c *CriticalInfo) Liveness(lastHeard, probed, now time.Time) (state string, since time.Time) {
	limit := c.Every + c.Grace
	if now.Sub(lastHeard) <= limit {
		return "", time.Time{}
	}
	if !probed.IsZero() && probed.After(lastHeard) && now.Sub(probed) <= limit {
		return LivenessAliveByProbe, time.Time{}
	}
	if c.asleep(now) {
		return LivenessSleeping, time.Time{}
	}
	ref := lastHeard
	if w := c.lastWake(lastHeard, now); w.After(ref) {
		ref = w
	}
	due := ref.Add(limit)
	if !now.After(due) {
		return LivenessSleeping, time.Time{}
	}
	return LivenessSilent, due
}

func (c *CriticalInfo) loc() *time.Location {
	if c.Location == nil {
		return time.Local
	}
	return c.Location
}

// day returns midnight of t's day in the entry's time zone, shifted by
// add days.
func (c *CriticalInfo) day(t time.Time, add int) time.Time {
	t = t.In(c.loc())
	return time.Date(t.Year(), t.Month(), t.Day()+add, 0, 0, 0, 0, c.loc())
}

// span returns the window w of the day starting at midnight d, or false
// if w does not apply on that weekday.
func (c *CriticalInfo) span(w sleepWindow, d time.Time) (start, end time.Time, ok bool) {
	if w.days&(1<<uint(d.Weekday())) == 0 {
		return time.Time{}, time.Time{}, false
	}
	y, m, dd := d.Date()
	start = time.Date(y, m, dd, 0, w.start, 0, 0, c.loc())
	endDay := dd
	if w.end <= w.start {
		endDay++
	}
	end = time.Date(y, m, endDay, 0, w.end, 0, 0, c.loc())
	return start, end, true
}

// asleep reports whether t falls in a sleep window.
func (c *CriticalInfo) asleep(t time.Time) bool {
	for _, w := range c.windows {
		for add := -1; add <= 0; add++ {
			if s, e, ok := c.span(w, c.day(t, add)); ok && !t.Before(s) && t.Before(e) {
				return true
			}
		}
	}
	return false
}

// lastWake returns the latest end of a sleep window in (from, now], zero
// if none. The schedule repeats weekly, so eight days back suffice.
func (c *CriticalInfo) lastWake(from, now time.Time) time.Time {
	var latest time.Time
	for _, w := range c.windows {
		for add := -8; add <= 0; add++ {
			if _, e, ok := c.span(w, c.day(now, add)); ok && e.After(from) && !e.After(now) && e.After(latest) {
				latest = e
			}
		}
	}
	return latest
}

// rawCritical is one entry of the critical section as written.
type rawCritical struct {
	Name        scalar  `yaml:"name"`
	Description scalar  `yaml:"description"`
	Classes     scalars `yaml:"classes"`
	Zones       scalars `yaml:"zones"`
	MACs        scalars `yaml:"macs"`
	Every       scalar  `yaml:"every"`
	Grace       scalar  `yaml:"grace"`
	Sleep       scalars `yaml:"sleep"`
	Timezone    scalar  `yaml:"timezone"`
}

var criticalKeys = "name, description, classes, zones, macs, every, grace, sleep, timezone"

var criticalNames = nameRules{kind: "critical entry", max: maxRuleName, reserved: func(string) string { return "" }}

// criticals compiles the critical section (after the zones: it names
// them).
func (c *compiler) criticals(list []rawCritical) {
	lines := map[string]int{}
	for i := range list {
		c.criticalEntry(i, &list[i], lines)
	}
}

func (c *compiler) criticalEntry(i int, rc *rawCritical, lines map[string]int) {
	ctx := c.tree.entryName("critical", i)
	line := c.entryLine("critical", i, rc.Name)
	c.checkName(rc.Name, line, ctx, criticalNames, lines)
	ci := CriticalInfo{Name: rc.Name.v, Description: rc.Description.v, Line: line}
	if len(rc.Classes)+len(rc.Zones)+len(rc.MACs) == 0 {
		c.errorf(line, ctx, "has no matcher; set at least one of classes, zones, macs")
	}
	seen := map[string]int{}
	dup := func(key string, s scalar, canon string) bool {
		k := key + "\x00" + canon
		if l, ok := seen[k]; ok {
			c.errorf(s.line, ctx+": "+key, "%s is listed twice (first at line %d)", canon, l)
			return true
		}
		seen[k] = s.line
		return false
	}
	for _, s := range rc.Classes {
		cl := model.Class(s.v)
		switch {
		case !cl.Valid():
			c.errorf(s.line, ctx+": classes", "unknown class %q (known: %s)", s.v, strings.Join(model.ClassNames(), ", "))
		case !dup("classes", s, s.v):
			ci.Classes = append(ci.Classes, cl)
		}
	}
	for _, s := range rc.Zones {
		z, ok := c.zoneIdx[s.v]
		switch {
		case !ok:
			c.errorf(s.line, ctx+": zones", "unknown zone %q", s.v)
		case !dup("zones", s, s.v):
			ci.Zones = append(ci.Zones, c.p.zones[z].Name)
		}
	}
	for _, s := range rc.MACs {
		m, err := model.ParseMAC(s.v)
		switch {
		case err != nil:
			c.errorf(s.line, ctx+": macs", "%q is not a MAC address (00:1b:63:84:45:e6, 00-1B-63-84-45-E6 or 001b.6384.45e6)", s.v)
		case m.IsZero() || m.IsGroup():
			c.errorf(s.line, ctx+": macs", "%s is not a unicast device address", m)
		case !dup("macs", s, m.String()):
			ci.MACs = append(ci.MACs, m)
		}
	}
	if !rc.Every.set {
		c.errorf(line, ctx, "every must be set (how often the device must be heard from, e.g. 15m)")
	} else if d, ok := c.duration(rc.Every, ctx+": every", minCriticalEvery, maxCriticalEvery, "1s..7d"); ok {
		ci.Every = d
	}
	ci.Grace = ci.Every / 2
	if rc.Grace.set {
		if d, ok := c.duration(rc.Grace, ctx+": grace", 0, maxCriticalEvery, "0s..7d"); ok {
			ci.Grace = d
		}
	}
	ci.Location = time.Local
	if tz := rc.Timezone; tz.set {
		loc, err := time.LoadLocation(tz.v)
		if err != nil || tz.v == "" {
			c.errorf(tz.line, ctx+": timezone", "%s is not a time zone (an IANA name such as Europe/Berlin, or UTC, or Local)", quoteScalar(tz))
		} else {
			ci.Location = loc
		}
	}
	for _, s := range rc.Sleep {
		w, err := parseSleep(s.v)
		if err != nil {
			c.errorf(s.line, ctx+": sleep", "%q: %v", s.v, err)
			continue
		}
		ci.Sleep = append(ci.Sleep, s.v)
		ci.windows = append(ci.windows, w)
	}
	c.p.critical = append(c.p.critical, ci)
}

// duration parses a Go duration scalar within [lo, hi].
func (c *compiler) duration(s scalar, ctx string, lo, hi time.Duration, rng string) (time.Duration, bool) {
	d, err := time.ParseDuration(s.v)
	switch {
	case err != nil:
		c.errorf(s.line, ctx, "%s is not a duration (such as 90s, 15m, 2h)", quoteScalar(s))
	case d < lo || d > hi:
		c.errorf(s.line, ctx, "%s is out of range %s", s.v, rng)
	default:
		return d, true
	}
	return 0, false
}

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseSleep parses "[DAYS ]HH:MM-HH:MM": DAYS a comma-separated list of
// days (mon) and ranges (mon-fri, fri-mon), default every day; 24:00 is
// the end of the day; an end at or before the start crosses midnight.
func parseSleep(s string) (sleepWindow, error) {
	w := sleepWindow{days: 0x7f}
	fields := strings.Fields(s)
	switch len(fields) {
	case 1:
	case 2:
		days, err := parseDays(fields[0])
		if err != nil {
			return w, err
		}
		w.days = days
		fields = fields[1:]
	default:
		return w, fmt.Errorf(`expected "HH:MM-HH:MM" or "DAYS HH:MM-HH:MM" (days such as mon-fri or sat,sun)`)
	}
	from, to, ok := strings.Cut(fields[0], "-")
	if !ok {
		return w, fmt.Errorf(`expected a time range "HH:MM-HH:MM"`)
	}
	var err error
	if w.start, err = parseClock(from); err != nil {
		return w, err
	}
	if w.end, err = parseClock(to); err != nil {
		return w, err
	}
	if w.start == 24*60 {
		return w, fmt.Errorf("a window cannot start at 24:00")
	}
	if w.start == w.end {
		return w, fmt.Errorf("the window is empty (start = end); 00:00-24:00 is the whole day")
	}
	return w, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM (00:00..24:00)", s)
	}
	return hh*60 + mm, nil
}

func parseDays(s string) (uint8, error) {
	var days uint8
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, b := dayIndex(from), dayIndex(to)
		if !isRange {
			b = a
		}
		if a < 0 || b < 0 {
			return 0, fmt.Errorf("%q is not a day or day range (%s, e.g. mon-fri or sat,sun)", part, strings.Join(weekdays, ", "))
		}
		for d := a; ; d = (d + 1) % 7 {
			days |= 1 << uint(d)
			if d == b {
				break
			}
		}
	}
	return days, nil
}

func dayIndex(s string) int {
	for i, d := range weekdays {
		if strings.EqualFold(s, d) {
			return i
		}
	}
	return -1
}
