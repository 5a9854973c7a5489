package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func violationsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.ViolationQuery, inventory.ViolationRecord]{
		name: "violations", params: inventory.ViolationQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.ViolationQuery, error) {
			return inventory.ParseViolationQuery(v, now, inventory.Paging{}, false, inventory.FleetParams...)
		},
		find: (*inventory.Service).Violations, each: (*inventory.Service).EachViolation,
		csvHeader: inventory.ViolationCSVHeader, rows: violationRows,
		one: "violation", many: "violations",
	}, args, stdout, stderr)
}

func violationRows(t *table, items []inventory.ViolationRecord, now time.Time) {
	t.column(slices.ContainsFunc(items, func(r inventory.ViolationRecord) bool { return r.Sensor != "" }), "SENSOR", 8)
	t.column(severalVantages(items, func(r *inventory.ViolationRecord) string { return r.Vantage }), "VANTAGE", 8)
	for _, c := range []struct {
		h string
		f int
	}{{"SEEN", -1}, {"SEVERITY", -1}, {"RULE", 10}, {"ZONES", 12}, {"SOURCE", 15}, {"DESTINATION", 15},
		{"SERVICE", -1}, {"COUNT", -1}} {
		t.column(true, c.h, c.f)
	}
	for _, r := range items {
		t.row(r.Sensor, r.Vantage, age(r.LastSeen, now), r.Severity, r.Rule, zones(r.SrcZone, r.DstZone),
			endCell(r.SrcIP, r.SrcMAC, r.SrcHostname, ""), endCell(r.DstIP, r.DstMAC, r.DstHostname, ""),
			service(r.Proto, r.Port, r.Service), fmt.Sprint(r.Count))
	}
}

// service renders "tcp/104 dicom" as "dicom/104" when named, else
// "tcp/104".
func service(proto string, port uint16, name string) string {
	if name != "" {
		return fmt.Sprintf("%s/%d", name, port)
	}
	return fmt.Sprintf("%s/%d", proto, port)
}
