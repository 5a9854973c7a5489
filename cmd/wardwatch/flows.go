package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store/inventory"
)

func flowsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.FlowQuery, inventory.FlowRecord]{
		name: "flows", params: inventory.FlowQueryParams,
		parse: func(v url.Values, now time.Time) (inventory.FlowQuery, error) {
			return inventory.ParseFlowQuery(v, now, inventory.Paging{}, false, inventory.FleetParams...)
		},
		find: (*inventory.Service).Flows, each: (*inventory.Service).EachFlow, csvHeader: inventory.FlowCSVHeader,
		rows: flowRows, one: "flow", many: "flows",
	}, args, stdout, stderr)
}

// flowRows fills t with the flows (a routed flow once, between the client
// and the server devices): each end's address, name and class, their
// zones, and a VANTAGE column when the flows come from several vantage
// points.
func flowRows(t *table, items []inventory.FlowRecord, now time.Time) {
	t.column(slices.ContainsFunc(items, func(r inventory.FlowRecord) bool { return r.Sensor != "" }), "SENSOR", 8)
	t.column(severalVantages(items, func(r *inventory.FlowRecord) string { return r.Vantage }), "VANTAGE", 8)
	for _, c := range []struct {
		h string
		f int
	}{{"SEEN", -1}, {"VLAN", -1}, {"CLIENT", 15}, {"SERVER", 15}, {"ZONES", 12}, {"SERVICE", -1}, {"CONNS", -1},
		{"BYTES", -1}} {
		t.column(true, c.h, c.f)
	}
	for _, r := range items {
		vlan := u16(r.VLAN)
		if r.DstVLAN != r.VLAN {
			vlan += "→" + u16(r.DstVLAN)
		}
		t.row(r.Sensor, r.Vantage, age(r.LastSeen, now), vlan, endCell(r.SrcIP, r.SrcMAC, r.SrcHostname, r.SrcClass),
			endCell(r.DstIP, r.DstMAC, r.DstHostname, r.DstClass), zones(r.SrcZone, r.DstZone),
			service(r.Proto, r.Port, r.Service), fmt.Sprint(r.Connections), fmt.Sprint(r.Bytes))
	}
}

// endCell is a flow end in a table: its address (else its MAC), then its
// device's name and class when known (cut first when the table is too
// wide).
func endCell(ip, mac, hostname string, class model.Class) string {
	s := ip
	if s == "" {
		s = mac
	}
	if hostname != "" {
		s += " " + hostname
	}
	if class != "" {
		s += " (" + string(class) + ")"
	}
	return s
}

// zones renders a pair of zones, "" without a policy.
func zones(src, dst string) string {
	if src == "" && dst == "" {
		return ""
	}
	return src + " → " + dst
}
