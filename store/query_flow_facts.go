package store

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// FlowFacts returns every flow seen at or after since (all flows for the
// zero time), by ID, with what the inventory knows about both ends: the
// input of `policy simulate` and `policy learn`, which policy/segment turns
// into endpoints exactly as the live checker does. The counters are the
// flow rows' totals (since the flow was first seen: the store does not keep
// per-window counts).
//
// The client end is the asset of the frames' client MAC, local (its own
// MAC) as the sensor last reported it. The server end is the asset the
// store tied it to when the flow was written or, for a server the sensor
// took to be on the link whose address the store learned later, the asset
// of the client's vantage and VLAN that has its address now; local as the
// sensor last reported it. A server tied to no asset is not local and has
// a zero key (but for vantage and VLAN, the flow's). Each end's IPAETitle
// is the AE title last seen for its address (ae_titles_by_ip).
func (db *DB) FlowFacts(ctx context.Context, since time.Time) ([]model.FlowFacts, error) {
	const op = "query flows in"
	v, err := schemaVersion(ctx, db.rdb)
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	aeByIP := "ae_titles_by_ip"
	if v < aeTitlesByIPVersion {
		// Not migrated yet (a read-only query on the daemon's database
		// before its upgrade): what the migration fills the table with.
		aeByIP = aeTitlesFromPeers
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT f.vantage, f.vlan, f.src_ip, f.dst_ip, f.proto, f.port, f.service,
		f.packets, f.bytes, f.connections, f.first_seen, f.last_seen,
		f.src_local, s.mac, s.key_ip, s.class, (SELECT `+latestAETitle+` FROM assets a WHERE a.id = s.id),
		ifnull(si.ae_title, ''),
		d.id IS NOT NULL, f.dst_local AND d.id IS NOT NULL, ifnull(d.mac, ''), ifnull(d.key_ip, ''), ifnull(d.class, ''),
		ifnull((SELECT `+latestAETitle+` FROM assets a WHERE a.id = d.id), ''), ifnull(di.ae_title, '')
		FROM flows f JOIN assets s ON s.id = f.src_asset_id
		LEFT JOIN assets d ON d.id = coalesce(f.dst_asset_id, CASE WHEN f.dst_local THEN
			(SELECT y.id FROM asset_addresses x JOIN assets y ON y.id = x.asset_id
				WHERE x.ip = f.dst_ip AND y.vantage = f.vantage AND y.vlan = f.vlan
				ORDER BY x.last_seen DESC, y.id DESC LIMIT 1) END)
		LEFT JOIN `+aeByIP+` si ON si.vantage = f.vantage
			AND si.ip = CASE WHEN f.src_ip <> '' THEN f.src_ip ELSE s.key_ip END
		LEFT JOIN `+aeByIP+` di ON di.vantage = f.vantage AND di.ip = f.dst_ip
		WHERE f.last_seen >= ? ORDER BY f.id`, ns(since))
	if err != nil {
		return nil, wrap(op, db.path, err)
	}
	defer rows.Close()
	var out []model.FlowFacts
	for rows.Next() {
		var (
			x                                    model.FlowFacts
			fl                                   = &x.Flow
			srcIP, dstIP, smac, skip, dmac, dkip string
			packets, nbytes, conns, first, last  int64
		)
		if err := rows.Scan(&fl.Client.Vantage, &fl.Client.VLAN, &srcIP, &dstIP, &fl.Proto, &fl.Port, &fl.Service,
			&packets, &nbytes, &conns, &first, &last,
			&fl.ClientLocal, &smac, &skip, &x.ClientFacts.Class, &x.ClientFacts.AETitle, &x.ClientFacts.IPAETitle,
			&x.ServerFacts.Known, &fl.ServerLocal, &dmac, &dkip, &x.ServerFacts.Class, &x.ServerFacts.AETitle,
			&x.ServerFacts.IPAETitle); err != nil {
			return nil, wrap(op, db.path, err)
		}
		fl.Server.Vantage, fl.Server.VLAN = fl.Client.Vantage, fl.Client.VLAN
		if err := parseEnds(&fl.Client, smac, skip, &fl.ClientIP, srcIP, &fl.Server, dmac, dkip, &fl.ServerIP, dstIP); err != nil {
			return nil, wrap(op, db.path, err)
		}
		if !fl.ClientIP.IsValid() {
			fl.ClientIP = fl.Client.IP
		}
		x.ClientFacts.Known = true
		fl.Packets, fl.Bytes, fl.Connections = uint64(packets), uint64(nbytes), uint64(conns)
		fl.First, x.LastSeen = fromNS(first), fromNS(last)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, db.path, err)
	}
	return out, nil
}

// aeTitlesByIPVersion is the schema version that has ae_titles_by_ip
// (migrations/0004_ae_titles_by_ip.sql).
const aeTitlesByIPVersion = 4

// aeTitlesFromPeers is ae_titles_by_ip (vantage, ip, ae_title) as an older
// database knows it: each association report named the peer's AE title
// and address in dicom_aes (see migration 0004).
const aeTitlesFromPeers = `(SELECT vantage, peer_ip AS ip, peer_ae_title AS ae_title FROM (
	SELECT a.vantage, d.peer_ip, d.peer_ae_title,
		row_number() OVER (PARTITION BY a.vantage, d.peer_ip ORDER BY d.last_seen DESC, d.id DESC) AS n
	FROM dicom_aes d JOIN assets a ON a.id = d.asset_id
	WHERE d.peer_ip <> '' AND d.peer_ae_title <> '') WHERE n = 1)`
