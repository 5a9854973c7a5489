package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

func flowsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.FlowQuery, inventory.FlowRecord]{
		name: "flows", params: inventory.FlowQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.FlowQuery, error) {
			return inventory.ParseFlowQuery(v, now, inventory.Paging{}, false)
		},
		find: (*inventory.Service).Flows, csvHeader: inventory.FlowCSVHeader, rows: flowRows, one: "flow", many: "flows",
	}, args, stdout, stderr)
}

func flowRows(w io.Writer, items []inventory.FlowRecord, _ time.Time) *table {
	t := newTable(w, "LAST SEEN", "VLAN", "CLIENT", "SERVER", "SERVICE", "CONNS", "PACKETS", "BYTES")
	t.caps(20, 4, 17, 17, 16, 7, 9, 10)
	for _, r := range items {
		client := r.SrcIP
		if client == "" {
			client = r.SrcMAC
		}
		t.row(r.LastSeen, u16(r.VLAN), client, r.DstIP, service(r.Proto, r.Port, r.Service), fmt.Sprint(r.Connections),
			fmt.Sprint(r.Packets), fmt.Sprint(r.Bytes))
	}
	return t
}
