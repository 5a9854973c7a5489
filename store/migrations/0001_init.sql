-- 0001_init.sql: the asset inventory.
--
-- Conventions for every table (later migrations keep them):
--   * times are INTEGER nanoseconds since the Unix epoch, UTC; 0 means unknown;
--   * MAC addresses are TEXT in model.MAC.String() form (lowercase,
--     colon-separated: 00:1b:63:84:45:e6), '' when there is none;
--   * IP addresses are TEXT in netip.Addr.String() form without zone,
--     IPv4-mapped IPv6 unmapped ('10.1.2.3', 'fe80::1'), '' when there is none;
--   * vlan is the innermost 802.1Q tag, 0 for untagged frames;
--   * vantage is the capture point label ("span0", "span0/erspan:100").
--
-- Later issues add their own migrations (0002_flows.sql, ...) for flows,
-- policy violations, evidence and DICOM/HL7 facts; they may reference
-- assets(id).

-- schema_migrations records which embedded migrations have been applied.
-- version is the numeric prefix of the file name (0001_init.sql -> 1).
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

-- assets: one row per device per vantage point: model.Asset.
-- A device is keyed by (vantage, vlan, mac); on link types without hardware
-- addresses it is keyed by IP instead: mac = '' and key_ip holds the address.
-- keyed_by says which ('mac' or 'ip'). outer_vlan is the latest 802.1ad
-- service tag seen (0 if none); it is not part of the key.
-- vendor is the IEEE registry organisation of the MAC's OUI, looked up once
-- when the row is created. randomized is 1 for locally administered MACs.
-- packets and bytes accumulate the activity deltas the sensor reports.
-- The dhcp_* columns hold the latest DHCPv4 client fingerprint:
--   dhcp_param_list   option 55 as decimal codes in order, "1,3,6,15";
--   dhcp_max_msg_size option 57, 0 if never seen;
--   dhcp_vendor_class option 60;
--   dhcp_client_id    option 61, lowercase hex;
--   relay_circuit_id, relay_remote_id: option 82 sub-options 1 and 2, as text
--                     when every byte is printable ASCII, else "0x" + hex.
-- hostname is the latest DHCP option 12 (or the option 81 FQDN when no
-- option 12 was ever seen); the full history is in asset_hostnames.
-- class .. os are filled by fingerprinting; class is 'unknown' until then.
CREATE TABLE assets (
    id                INTEGER PRIMARY KEY,
    vantage           TEXT    NOT NULL,
    vlan              INTEGER NOT NULL CHECK (vlan BETWEEN 0 AND 4095),
    mac               TEXT    NOT NULL,
    key_ip            TEXT    NOT NULL DEFAULT '',
    keyed_by          TEXT    NOT NULL CHECK (keyed_by IN ('mac', 'ip')),
    outer_vlan        INTEGER NOT NULL DEFAULT 0,
    vendor            TEXT    NOT NULL DEFAULT '',
    randomized        INTEGER NOT NULL DEFAULT 0 CHECK (randomized IN (0, 1)),
    first_seen        INTEGER NOT NULL,
    last_seen         INTEGER NOT NULL,
    packets           INTEGER NOT NULL DEFAULT 0,
    bytes             INTEGER NOT NULL DEFAULT 0,
    hostname          TEXT    NOT NULL DEFAULT '',
    dhcp_param_list   TEXT    NOT NULL DEFAULT '',
    dhcp_max_msg_size INTEGER NOT NULL DEFAULT 0,
    dhcp_vendor_class TEXT    NOT NULL DEFAULT '',
    dhcp_client_id    TEXT    NOT NULL DEFAULT '',
    relay_circuit_id  TEXT    NOT NULL DEFAULT '',
    relay_remote_id   TEXT    NOT NULL DEFAULT '',
    class             TEXT    NOT NULL DEFAULT 'unknown',
    class_confidence  INTEGER NOT NULL DEFAULT 0,
    manufacturer      TEXT    NOT NULL DEFAULT '',
    model             TEXT    NOT NULL DEFAULT '',
    os                TEXT    NOT NULL DEFAULT '',
    UNIQUE (vantage, vlan, mac, key_ip),
    CHECK ((keyed_by = 'mac' AND mac <> '' AND key_ip = '') OR
           (keyed_by = 'ip' AND mac = '' AND key_ip <> ''))
);
CREATE INDEX assets_mac ON assets (mac);

-- asset_addresses: every IP address an asset used, with the latest evidence
-- source ("arp.reply", "arp.gratuitous", "dhcp.ack", "ipv6.ndp", ...).
CREATE TABLE asset_addresses (
    asset_id   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    ip         TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (asset_id, ip)
) WITHOUT ROWID;
CREATE INDEX asset_addresses_ip ON asset_addresses (ip);

-- asset_hostnames: every name an asset announced, by source:
-- 'dhcp.opt12' (Host Name) or 'dhcp.opt81' (Client FQDN).
CREATE TABLE asset_hostnames (
    asset_id   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (asset_id, source, name)
) WITHOUT ROWID;

-- ip_bindings: arpwatch's state, the current MAC bound to each IP per
-- (vantage, vlan), from ARP and DHCP ACKs. prev_mac is the MAC bound before
-- the last change ('' if never changed) and changed_at when that change was
-- seen (0 if never): together they tell a flip-flop from a move.
CREATE TABLE ip_bindings (
    vantage    TEXT    NOT NULL,
    vlan       INTEGER NOT NULL,
    ip         TEXT    NOT NULL,
    mac        TEXT    NOT NULL,
    prev_mac   TEXT    NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    changed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vantage, vlan, ip)
) WITHOUT ROWID;

-- events: changes worth a human's attention (model.Event). type is one of
-- the model.Event* constants. (vantage, vlan, mac, key_ip) is the key of the
-- asset the event is about and asset_id its row; ip is the address involved
-- ('' if none); old_value/new_value describe the change (MACs for ip-moved
-- and flip-flop, names for hostname-changed, ...).
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    vantage   TEXT    NOT NULL,
    vlan      INTEGER NOT NULL,
    mac       TEXT    NOT NULL,
    key_ip    TEXT    NOT NULL DEFAULT '',
    ip        TEXT    NOT NULL DEFAULT '',
    old_value TEXT    NOT NULL DEFAULT '',
    new_value TEXT    NOT NULL DEFAULT '',
    asset_id  INTEGER REFERENCES assets (id) ON DELETE SET NULL
);
CREATE INDEX events_time ON events (time, id);
CREATE INDEX events_mac ON events (mac, time);
