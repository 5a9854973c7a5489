package main

import (
	"context"
	"io"
	"net/url"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func eventsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.EventQuery, inventory.EventRecord]{
		name: "events", params: inventory.EventQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.EventQuery, error) {
			return inventory.ParseEventQuery(v, now, inventory.Paging{}, false)
		},
		find: (*inventory.Service).Events, csvHeader: inventory.EventCSVHeader, rows: eventRows, one: "event", many: "events",
	}, args, stdout, stderr)
}

func eventRows(w io.Writer, items []inventory.EventRecord, _ time.Time) *table {
	t := newTable(w, "TIME", "TYPE", "VLAN", "DEVICE", "IP", "CHANGE")
	t.caps(20, 24, 4, 17, 15, 28)
	for _, r := range items {
		dev := r.MAC
		if dev == "" {
			dev = r.KeyIP
		}
		t.row(r.Time, string(r.Type), u16(r.VLAN), dev, r.IP, change(r.OldValue, r.NewValue))
	}
	return t
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
