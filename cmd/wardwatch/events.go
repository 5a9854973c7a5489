package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/wardwatch/wardwatch/store"
)

type eventRecord struct {
	Time     string `json:"time"`
	Type     string `json:"type"`
	Vantage  string `json:"vantage"`
	VLAN     uint16 `json:"vlan"`
	MAC      string `json:"mac"`
	IP       string `json:"ip"`
	OldValue string `json:"old_value"`
	NewValue string `json:"new_value"`
}

func eventsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("events", "", stderr)
	var cf commonFlags
	cf.register(fs, false)
	output := fs.String("o", "table", "output format: table, json or csv")
	limit := fs.Int("limit", 0, "at most this many events (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	db, err := store.OpenReadOnly(cfg.Store.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	evs, err := db.Events(ctx, store.EventFilter{Limit: *limit})
	if err != nil {
		return err
	}
	recs := make([]eventRecord, 0, len(evs))
	for _, e := range evs {
		r := eventRecord{Time: rfc3339(e.Time), Type: e.Type, Vantage: e.Key.Vantage, VLAN: e.Key.VLAN,
			OldValue: e.OldValue, NewValue: e.NewValue}
		if !e.Key.MAC.IsZero() {
			r.MAC = e.Key.MAC.String()
		}
		if e.IP.IsValid() {
			r.IP = e.IP.String()
		}
		recs = append(recs, r)
	}
	switch *output {
	case "json":
		return writeJSON(stdout, recs)
	case "csv":
		w := csv.NewWriter(stdout)
		w.Write([]string{"time", "type", "vantage", "vlan", "mac", "ip", "old_value", "new_value"})
		for _, r := range recs {
			w.Write([]string{r.Time, r.Type, r.Vantage, strconv.Itoa(int(r.VLAN)), r.MAC, r.IP, r.OldValue, r.NewValue})
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTYPE\tVLAN\tMAC\tIP\tOLD\tNEW")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Time, r.Type, r.VLAN, r.MAC, r.IP, trunc(r.OldValue, 24), trunc(r.NewValue, 24))
	}
	return tw.Flush()
}
