-- 0002_flows_facts.sql: flows, policy violations, DICOM and HL7 facts, and
-- the evidence behind each asset's device classification.
--
-- The conventions of 0001_init.sql hold (times INTEGER Unix nanoseconds,
-- MACs and IPs as TEXT in their canonical forms, '' for none). In addition:
--   * proto is the IP protocol number (6 TCP, 17 UDP); port is the server
--     (responder) port, 0 for protocols without ports;
--   * a NULL dst_asset_id means the server end is not an asset of this
--     vantage/VLAN: the frames' server MAC was a router's (see flows), or the
--     server was never seen. The unique indexes compare ifnull(dst_asset_id, 0)
--     so that such rows deduplicate (SQLite's UNIQUE treats NULLs as
--     distinct);
--   * nothing here holds DICOM data sets or HL7 patient data: the sensor
--     reports association/command and MSH/MSA/equipment fields only, and the
--     store keeps just the columns listed below (no transfer syntaxes, no
--     HL7 ack codes either).

-- Classification columns of assets (0001 has class, class_confidence,
-- manufacturer, model, os):
--   modality         DICOM modality code of an imaging-modality ("CT", "MR",
--                    ...), '' otherwise;
--   class_strength   evidence strength behind the class (fingerprint
--                    Strength* constants: 20 OUI .. 100 DICOM/HL7), 0 when
--                    unclassified;
--   class_changed_at when the class last changed value (the capture time of
--                    the observation that triggered it), 0 never.
ALTER TABLE assets ADD COLUMN modality TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN class_strength INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN class_changed_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX assets_class ON assets (class);

-- flows: traffic aggregated per (client asset, client IP, server asset or
-- NULL, server IP, protocol, server port), from ObsFlow observations. "src"
-- is the client (initiator), "dst" the server (responder).
--   src_asset_id  the asset of the flow's Client key (created if new). For a
--                 client off the link (src_local = 0) that is the router
--                 whose MAC the frames carried, which is why src_ip is part
--                 of the key: routed clients stay apart;
--   src_ip        the client's IP ('' if the sensor had none);
--   dst_asset_id  the server asset: the asset of the flow's Server key when
--                 that key is on the client's vantage and VLAN and the asset
--                 has dst_ip among its addresses (asset_addresses, or key_ip
--                 for IP-keyed assets) when the report is written. Otherwise
--                 the MAC was a router's (a routed flow), or a device whose
--                 address was not known yet: dst_asset_id is NULL, dst_ip
--                 still says where the traffic went. A server never becomes
--                 an asset through a flow;
--   src_local, dst_local the sensor's ClientLocal/ServerLocal of the latest
--                 report: 1 when the sensor took the frames' MAC to be the
--                 end's own, 0 when it knew it for a router's. The policy
--                 checker builds endpoints from them, so FlowsForLearn does
--                 too;
--   vantage, vlan the client key's: where the flow was seen;
--   service       the latest non-empty service name the sensor recognised
--                 ("dicom", "hl7", "dhcp", ...), '' if none;
--   packets, bytes, connections accumulate the reports' deltas (both
--                 directions; connections counts new TCP SYNs / UDP flows);
--   first_seen, last_seen bound the reports' intervals.
CREATE TABLE flows (
    id           INTEGER PRIMARY KEY,
    src_asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    dst_asset_id INTEGER REFERENCES assets (id) ON DELETE CASCADE,
    src_ip       TEXT    NOT NULL DEFAULT '',
    dst_ip       TEXT    NOT NULL,
    proto        INTEGER NOT NULL CHECK (proto BETWEEN 0 AND 255),
    port         INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    src_local    INTEGER NOT NULL DEFAULT 0 CHECK (src_local IN (0, 1)),
    dst_local    INTEGER NOT NULL DEFAULT 0 CHECK (dst_local IN (0, 1)),
    vantage      TEXT    NOT NULL,
    vlan         INTEGER NOT NULL,
    service      TEXT    NOT NULL DEFAULT '',
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    packets      INTEGER NOT NULL DEFAULT 0,
    bytes        INTEGER NOT NULL DEFAULT 0,
    connections  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX flows_key ON flows (src_asset_id, src_ip, ifnull(dst_asset_id, 0), dst_ip, proto, port);
CREATE INDEX flows_dst_asset ON flows (dst_asset_id) WHERE dst_asset_id IS NOT NULL;
CREATE INDEX flows_last_seen ON flows (last_seen);

-- violations: flows the segmentation policy flagged (ObsViolation), one row
-- per (rule, src_zone, dst_zone, client asset, client IP, server asset or
-- NULL, server IP, protocol, port, service, severity); both ends are
-- resolved as in flows. count is the number of observations that reported
-- it; packets, bytes and connections sum the flow deltas those observations
-- carried. vantage and vlan are the latest report's. The row's creation is
-- a policy-violation event.
CREATE TABLE violations (
    id           INTEGER PRIMARY KEY,
    rule         TEXT    NOT NULL,
    src_zone     TEXT    NOT NULL,
    dst_zone     TEXT    NOT NULL,
    src_asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    dst_asset_id INTEGER REFERENCES assets (id) ON DELETE CASCADE,
    src_ip       TEXT    NOT NULL DEFAULT '',
    dst_ip       TEXT    NOT NULL,
    proto        INTEGER NOT NULL CHECK (proto BETWEEN 0 AND 255),
    port         INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    service      TEXT    NOT NULL DEFAULT '',
    severity     TEXT    NOT NULL DEFAULT '',
    vantage      TEXT    NOT NULL,
    vlan         INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    count        INTEGER NOT NULL DEFAULT 0,
    packets      INTEGER NOT NULL DEFAULT 0,
    bytes        INTEGER NOT NULL DEFAULT 0,
    connections  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX violations_key ON violations
    (rule, src_zone, dst_zone, src_asset_id, src_ip, ifnull(dst_asset_id, 0), dst_ip, proto, port, service, severity);
CREATE INDEX violations_last_seen ON violations (last_seen);
CREATE INDEX violations_src_asset ON violations (src_asset_id);
CREATE INDEX violations_dst_asset ON violations (dst_asset_id) WHERE dst_asset_id IS NOT NULL;

-- dicom_aes: what an asset did in DICOM associations (ObsDICOM), one row per
-- (asset, role, own AE title, peer AE title, peer IP). role is 'scu'
-- (association requestor) or 'scp' (acceptor). AE titles are stored without
-- leading/trailing spaces and NULs. port is the SCP's TCP port;
-- application_context, impl_class_uid (the asset's own implementation class
-- UID), impl_version and max_pdu (the asset's maximum PDU length) are the
-- latest non-empty/non-zero values; associations counts the observations;
-- last_result is the latest association result (requested, accepted,
-- rejected, released, aborted).
CREATE TABLE dicom_aes (
    id                  INTEGER PRIMARY KEY,
    asset_id            INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    role                TEXT    NOT NULL CHECK (role IN ('scu', 'scp')),
    ae_title            TEXT    NOT NULL,
    peer_ae_title       TEXT    NOT NULL,
    peer_ip             TEXT    NOT NULL,
    port                INTEGER NOT NULL DEFAULT 0,
    application_context TEXT    NOT NULL DEFAULT '',
    impl_class_uid      TEXT    NOT NULL DEFAULT '',
    impl_version        TEXT    NOT NULL DEFAULT '',
    max_pdu             INTEGER NOT NULL DEFAULT 0,
    first_seen          INTEGER NOT NULL,
    last_seen           INTEGER NOT NULL,
    associations        INTEGER NOT NULL DEFAULT 0,
    last_result         TEXT    NOT NULL DEFAULT '',
    UNIQUE (asset_id, role, ae_title, peer_ae_title, peer_ip)
);
CREATE INDEX dicom_aes_peer ON dicom_aes (peer_ip, port);

-- dicom_sop_classes: the SOP classes (abstract syntax UIDs) an asset
-- proposed as SCU or accepted as SCP, per dicom_aes row (ae_id); asset_id and
-- role repeat the row's. An association the asset rejected as SCP adds
-- none.
CREATE TABLE dicom_sop_classes (
    ae_id         INTEGER NOT NULL REFERENCES dicom_aes (id) ON DELETE CASCADE,
    asset_id      INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL,
    sop_class_uid TEXT    NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    PRIMARY KEY (ae_id, sop_class_uid)
) WITHOUT ROWID;
CREATE INDEX dicom_sop_classes_asset ON dicom_sop_classes (asset_id, role);

-- dicom_commands: the DIMSE commands an asset sent ("C-STORE-RQ"), with the
-- affected SOP class UID when the sensor reported one ('' otherwise), per
-- dicom_aes row; count is the number of observations listing it.
CREATE TABLE dicom_commands (
    ae_id     INTEGER NOT NULL REFERENCES dicom_aes (id) ON DELETE CASCADE,
    asset_id  INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    command   TEXT    NOT NULL,
    sop_class TEXT    NOT NULL DEFAULT '',
    count     INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (ae_id, command, sop_class)
) WITHOUT ROWID;
CREATE INDEX dicom_commands_asset ON dicom_commands (asset_id);

-- hl7_apps: what an asset did in HL7 v2 messages (ObsHL7), one row per
-- (asset, role, own application, own facility, peer application, peer
-- facility, peer IP). role is 'sender' or 'receiver' of the messages;
-- application/facility are the asset's own MSH-3/4 (sender) or MSH-5/6
-- (receiver). port is the receiver's TCP port and version the MSH-12 of the
-- latest message. messages counts the messages; acks_sent counts the
-- acknowledgements (messages with MSA) the asset sent to that peer: they are
-- counted on the asset's 'receiver' row for the peer (the role in which it
-- received what it acknowledged) and are not counted as messages or message
-- types. The asset's total of acks sent is sum(acks_sent).
CREATE TABLE hl7_apps (
    id               INTEGER PRIMARY KEY,
    asset_id         INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    role             TEXT    NOT NULL CHECK (role IN ('sender', 'receiver')),
    application      TEXT    NOT NULL,
    facility         TEXT    NOT NULL,
    peer_application TEXT    NOT NULL,
    peer_facility    TEXT    NOT NULL,
    peer_ip          TEXT    NOT NULL,
    port             INTEGER NOT NULL DEFAULT 0,
    version          TEXT    NOT NULL DEFAULT '',
    first_seen       INTEGER NOT NULL,
    last_seen        INTEGER NOT NULL,
    messages         INTEGER NOT NULL DEFAULT 0,
    acks_sent        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (asset_id, role, application, facility, peer_application, peer_facility, peer_ip)
);
CREATE INDEX hl7_apps_peer ON hl7_apps (peer_ip, port);

-- hl7_message_types: message types (MSH-9, "ORU^R01") per hl7_apps row
-- (app_id), with how many messages had it; asset_id and role repeat the
-- row's.
CREATE TABLE hl7_message_types (
    app_id     INTEGER NOT NULL REFERENCES hl7_apps (id) ON DELETE CASCADE,
    asset_id   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (app_id, type)
) WITHOUT ROWID;
CREATE INDEX hl7_message_types_asset ON hl7_message_types (asset_id, role);

-- hl7_equipment: equipment identifiers (OBX-18, PRT-10/16) seen in an
-- asset's messages, per hl7_apps row (app_id), without the segment they came
-- from; asset_id repeats the row's.
CREATE TABLE hl7_equipment (
    app_id       INTEGER NOT NULL REFERENCES hl7_apps (id) ON DELETE CASCADE,
    asset_id     INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    equipment_id TEXT    NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (app_id, equipment_id)
) WITHOUT ROWID;
CREATE INDEX hl7_equipment_asset ON hl7_equipment (asset_id);

-- evidence: the evidence list of each asset's current classification (the
-- fingerprint Result's Evidence): source (fingerprint Source* constant,
-- "dhcp.opt60", "dicom.sop_class", ...), the value that matched, the rule
-- that used it and its strength; position is its index in the Result's list
-- (the deciding rule's evidence first). The rows are replaced whenever the
-- classification is; first_seen is kept for a (source, value, rule) that
-- stays, last_seen is the latest classification that included it.
CREATE TABLE evidence (
    asset_id   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    source     TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    rule       TEXT    NOT NULL,
    strength   INTEGER NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (asset_id, source, value, rule)
) WITHOUT ROWID;
