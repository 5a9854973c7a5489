package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func flowsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("flows", "", stderr)
	var f inventoryFlags
	f.register(fs, "table, json or csv")
	values := queryFlags(fs, inventory.FlowQueryParams)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("flows: unexpected argument %q", fs.Arg(0))
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	q, err := inventory.ParseFlowQuery(values(), nowFunc(), inventory.Paging{}, false)
	if err != nil {
		return queryError("flows", err)
	}
	inv, closeDB, err := f.open()
	if err != nil {
		return err
	}
	defer closeDB()
	page, err := inv.Flows(ctx, q)
	if err != nil {
		return queryError("flows", err)
	}
	switch f.output {
	case "json":
		return writeJSON(stdout, page.Items)
	case "csv":
		return inventory.WriteCSV(stdout, inventory.FlowCSVHeader, page.Items)
	}
	t := newTable(stdout, "LAST SEEN", "VLAN", "CLIENT", "SERVER", "SERVICE", "CONNS", "PACKETS", "BYTES")
	t.caps(20, 4, 17, 17, 16, 7, 9, 10)
	for _, r := range page.Items {
		client := r.SrcIP
		if client == "" {
			client = r.SrcMAC
		}
		t.row(r.LastSeen, u16(r.VLAN), client, r.DstIP, service(r.Proto, r.Port, r.Service), fmt.Sprint(r.Connections),
			fmt.Sprint(r.Packets), fmt.Sprint(r.Bytes))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, countLine(len(page.Items), page.Total, "flow", "flows"))
	return nil
}
