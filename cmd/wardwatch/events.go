package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func eventsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("events", "", stderr)
	var f inventoryFlags
	f.register(fs, "table, json or csv")
	values := queryFlags(fs, inventory.EventQueryParams)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("events: unexpected argument %q", fs.Arg(0))
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	q, err := inventory.ParseEventQuery(values(), nowFunc(), inventory.Paging{}, false)
	if err != nil {
		return queryError("events", err)
	}
	inv, closeDB, err := f.open()
	if err != nil {
		return err
	}
	defer closeDB()
	page, err := inv.Events(ctx, q)
	if err != nil {
		return queryError("events", err)
	}
	switch f.output {
	case "json":
		return writeJSON(stdout, page.Items)
	case "csv":
		return inventory.WriteCSV(stdout, inventory.EventCSVHeader, page.Items)
	}
	t := newTable(stdout, "TIME", "TYPE", "VLAN", "DEVICE", "IP", "CHANGE")
	t.caps(20, 24, 4, 17, 15, 28)
	for _, r := range page.Items {
		dev := r.MAC
		if dev == "" {
			dev = r.KeyIP
		}
		t.row(r.Time, string(r.Type), u16(r.VLAN), dev, r.IP, change(r.OldValue, r.NewValue))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, countLine(len(page.Items), page.Total, "event", "events"))
	return nil
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
