package store

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// LearnEndpoint is one end of a LearnFlow, with the fields of
// policy.Endpoint.
type LearnEndpoint struct {
	Vantage string
	// VLAN is the flow's (the client's) VLAN for both ends, as
	// policy.Endpoint wants it for the server end of a routed flow.
	VLAN uint16
	// MAC is the end's own MAC: zero for an IP-keyed asset and for an end
	// whose frames carried a router's MAC (not local).
	MAC model.MAC
	IP  netip.Addr
	// Class is the end's device class: model.ClassUnknown until
	// classified, and for an end that is not local.
	Class model.Class
	// AETitle is the end's latest DICOM AE title (any association), ""
	// if none or not local.
	AETitle string
}

// LearnFlow is a flow with its totals, as policy.Learn takes it
// (policy.ObservedFlow).
type LearnFlow struct {
	Src, Dst                    LearnEndpoint // client, server
	Proto                       uint8
	Port                        uint16
	Packets, Bytes, Connections uint64
}

// FlowsForLearn returns every flow seen at or after since (all flows for
// the zero time), by ID, for proposing a policy. The counters are the flow
// rows' totals (since the flow was first seen: the store does not keep
// per-window counts).
//
// Endpoints are built the way the daemon's policy checker builds them from
// a live flow report, so that a policy learned from them allows the same
// flows live: an end is "local" as the sensor last reported it
// (ClientLocal/ServerLocal); a local end carries its asset's MAC, class and
// latest AE title (what Classes returns), an end that is not local zero,
// model.ClassUnknown and "".
func (db *DB) FlowsForLearn(ctx context.Context, since time.Time) ([]LearnFlow, error) {
	const op = "query flows in"
	const latestAE = `ifnull((SELECT ae_title FROM dicom_aes x WHERE x.asset_id = %s.id AND x.ae_title <> ''
		ORDER BY x.last_seen DESC, x.id DESC LIMIT 1), '')`
	rows, err := db.rdb.QueryContext(ctx, `SELECT f.vantage, f.vlan, f.src_ip, f.dst_ip, f.proto, f.port,
		f.packets, f.bytes, f.connections, f.src_local, s.mac, s.key_ip, s.class, `+fmt.Sprintf(latestAE, "s")+`,
		f.dst_local AND d.id IS NOT NULL, ifnull(d.mac, ''), ifnull(d.class, ''), `+fmt.Sprintf(latestAE, "d")+`
		FROM flows f JOIN assets s ON s.id = f.src_asset_id LEFT JOIN assets d ON d.id = f.dst_asset_id
		WHERE f.last_seen >= ? ORDER BY f.id`, ns(since))
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	var out []LearnFlow
	for rows.Next() {
		var (
			x                              LearnFlow
			srcIP, dstIP, smac, skip, dmac string
			srcLocal, dstLocal             bool
			packets, nbytes, connections   int64
		)
		if err := rows.Scan(&x.Src.Vantage, &x.Src.VLAN, &srcIP, &dstIP, &x.Proto, &x.Port,
			&packets, &nbytes, &connections, &srcLocal, &smac, &skip, &x.Src.Class, &x.Src.AETitle,
			&dstLocal, &dmac, &x.Dst.Class, &x.Dst.AETitle); err != nil {
			return nil, wrap(op, db.path, err)
		}
		var keyIP netip.Addr
		if x.Src.MAC, keyIP, err = parseKey(smac, skip); err == nil {
			x.Src.IP, err = parseIP(srcIP)
		}
		if err == nil {
			x.Dst.MAC, _, err = parseKey(dmac, "")
		}
		if err == nil {
			x.Dst.IP, err = parseIP(dstIP)
		}
		if err != nil {
			return nil, wrap(op, db.path, err)
		}
		if !x.Src.IP.IsValid() {
			x.Src.IP = keyIP
		}
		x.Dst.Vantage, x.Dst.VLAN = x.Src.Vantage, x.Src.VLAN
		if !srcLocal {
			x.Src.MAC, x.Src.Class, x.Src.AETitle = model.MAC{}, model.ClassUnknown, ""
		}
		if !dstLocal {
			x.Dst.MAC, x.Dst.Class, x.Dst.AETitle = model.MAC{}, model.ClassUnknown, ""
		}
		x.Packets, x.Bytes, x.Connections = uint64(packets), uint64(nbytes), uint64(connections)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	return out, nil
}
