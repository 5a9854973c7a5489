package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func violationsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("violations", "", stderr)
	var f inventoryFlags
	f.register(fs, "table, json or csv")
	values := queryFlags(fs, inventory.ViolationQueryParams)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("violations: unexpected argument %q", fs.Arg(0))
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	q, err := inventory.ParseViolationQuery(values(), nowFunc(), inventory.Paging{}, false)
	if err != nil {
		return queryError("violations", err)
	}
	inv, closeDB, err := f.open()
	if err != nil {
		return err
	}
	defer closeDB()
	page, err := inv.Violations(ctx, q)
	if err != nil {
		return queryError("violations", err)
	}
	switch f.output {
	case "json":
		return writeJSON(stdout, page.Items)
	case "csv":
		return inventory.WriteCSV(stdout, inventory.ViolationCSVHeader, page.Items)
	}
	t := newTable(stdout, "SEEN", "SEVERITY", "RULE", "ZONES", "SOURCE", "DESTINATION", "SERVICE", "COUNT")
	t.caps(4, 8, 22, 26, 15, 15, 11, 5)
	now := nowFunc()
	for _, r := range page.Items {
		src := r.SrcIP
		if src == "" {
			src = r.SrcMAC
		}
		t.row(age(r.LastSeen, now), r.Severity, r.Rule, r.SrcZone+" → "+r.DstZone, src, r.DstIP, service(r.Proto, r.Port, r.Service),
			fmt.Sprint(r.Count))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, countLine(len(page.Items), page.Total, "violation", "violations"))
	return nil
}

// service renders "tcp/104 dicom" as "dicom/104" when named, else
// "tcp/104".
func service(proto string, port uint16, name string) string {
	if name != "" {
		return fmt.Sprintf("%s/%d", name, port)
	}
	return fmt.Sprintf("%s/%d", proto, port)
}
