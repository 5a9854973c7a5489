package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func violationsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.ViolationQuery, inventory.ViolationRecord]{
		name: "violations", params: inventory.ViolationQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.ViolationQuery, error) {
			return inventory.ParseViolationQuery(v, now, inventory.Paging{}, false)
		},
		find: (*inventory.Service).Violations, csvHeader: inventory.ViolationCSVHeader, rows: violationRows,
		one: "violation", many: "violations",
	}, args, stdout, stderr)
}

func violationRows(w io.Writer, items []inventory.ViolationRecord, now time.Time) *table {
	t := newTable(w, "SEEN", "SEVERITY", "RULE", "ZONES", "SOURCE", "DESTINATION", "SERVICE", "COUNT")
	t.caps(4, 8, 22, 26, 15, 15, 11, 5)
	for _, r := range items {
		src := r.SrcIP
		if src == "" {
			src = r.SrcMAC
		}
		t.row(age(r.LastSeen, now), r.Severity, r.Rule, r.SrcZone+" → "+r.DstZone, src, r.DstIP, service(r.Proto, r.Port, r.Service),
			fmt.Sprint(r.Count))
	}
	return t
}

// service renders "tcp/104 dicom" as "dicom/104" when named, else
// "tcp/104".
func service(proto string, port uint16, name string) string {
	if name != "" {
		return fmt.Sprintf("%s/%d", name, port)
	}
	return fmt.Sprintf("%s/%d", proto, port)
}
