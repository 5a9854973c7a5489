package main

import (
	"context"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func eventsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.EventQuery, inventory.EventRecord]{
		name: "events", params: inventory.EventQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.EventQuery, error) {
			return inventory.ParseEventQuery(v, now, inventory.Paging{}, false, inventory.FleetParams...)
		},
		find: (*inventory.Service).Events, each: (*inventory.Service).EachEvent, csvHeader: inventory.EventCSVHeader,
		rows: eventRows, one: "event", many: "events",
	}, args, stdout, stderr)
}

func eventRows(t *table, items []inventory.EventRecord, _ time.Time) {
	t.column(slices.ContainsFunc(items, func(r inventory.EventRecord) bool { return r.Sensor != "" }), "SENSOR", 8)
	t.column(severalVantages(items, func(r *inventory.EventRecord) string { return r.Vantage }), "VANTAGE", 8)
	for _, c := range []struct {
		h string
		f int
	}{{"TIME", -1}, {"TYPE", -1}, {"VLAN", -1}, {"DEVICE", -1}, {"HOSTNAME", 10}, {"IP", 15}, {"CHANGE", 16}} {
		t.column(true, c.h, c.f)
	}
	for _, r := range items {
		dev := r.MAC
		if dev == "" {
			dev = r.KeyIP
		}
		t.row(r.Sensor, r.Vantage, r.Time, string(r.Type), u16(r.VLAN), dev, r.Hostname, r.IP, change(r.OldValue, r.NewValue))
	}
}

// change renders an old → new pair; either side may be empty.
func change(old, new string) string {
	switch {
	case old == "" && new == "":
		return ""
	case old == "":
		return new
	case new == "":
		return old + " →"
	}
	return old + " → " + new
}
