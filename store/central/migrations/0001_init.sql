-- 0001_init.sql: the central inventory (PostgreSQL), filled by the sensors'
-- pushers (package store/central).
--
-- Conventions:
--   * every row carries the sensor's name and site (central.sensor,
--     central.site in the sensor's config) in the columns sensor and site;
--   * the other columns mirror the sensor's SQLite tables of the same name
--     (store/migrations/*.sql documents each), with three differences:
--     times are timestamptz (NULL where SQLite holds 0, "unknown"),
--     0/1 flags are boolean, and rows reference each other by key, not by
--     the sensor's local row ids;
--   * key is a row's natural key hashed: the first 8 bytes of SHA-256 over
--     the key's parts, as a signed bigint (store/central key.go, Key*). An
--     asset's parts are (sensor, vantage, vlan, mac, key_ip); a DICOM AE
--     row's are its asset's plus (role, ae_title, peer_ae_title, peer_ip);
--     a flow's its client asset's, client IP, server asset's (or empty),
--     server IP, protocol and port; an event's (sensor, db_id, the
--     sensor's event id). A re-push of a row therefore lands on the same
--     row, and two sensors never share one;
--   * asset_key, ae_key and app_key reference assets.key, dicom_aes.key and
--     hl7_apps.key. There are no foreign key constraints: each table is
--     pushed on its own, so a referencing row may arrive up to one push
--     interval before the row it references. Join with inner joins;
--   * the same device seen by two sensors is two assets rows (one per
--     sensor and vantage) with the same mac.

-- schema_migrations records which embedded migrations have been applied;
-- version is the file name's numeric prefix.
CREATE TABLE schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- sensors: one row per sensor database that pushed here. db_id names the
-- SQLite file (made at its creation), so a sensor whose database was
-- replaced shows up twice. caught_up_at: every change the sensor made before
-- this time is here (NULL until its first complete push).
CREATE TABLE sensors (
    sensor       text        NOT NULL,
    db_id        text        NOT NULL,
    site         text        NOT NULL,
    first_push   timestamptz NOT NULL DEFAULT now(),
    last_push    timestamptz NOT NULL DEFAULT now(),
    caught_up_at timestamptz,
    PRIMARY KEY (sensor, db_id)
);

-- push_cursors: each pusher's position per table, written in the same
-- transaction as the rows it covers (the sensor keeps its own copy in its
-- SQLite file). When this database is restored from an older backup or
-- recreated, the pusher finds its cursors behind (or missing) and pushes
-- again from there.
CREATE TABLE push_cursors (
    sensor    text        NOT NULL,
    db_id     text        NOT NULL,
    tbl       text        NOT NULL,
    seq       bigint      NOT NULL,
    key       text        NOT NULL DEFAULT '',
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sensor, db_id, tbl)
);

CREATE TABLE assets (
    key               bigint  PRIMARY KEY,
    sensor            text    NOT NULL,
    site              text    NOT NULL,
    vantage           text    NOT NULL,
    vlan              integer NOT NULL,
    mac               text    NOT NULL,
    key_ip            text    NOT NULL,
    keyed_by          text    NOT NULL,
    outer_vlan        integer NOT NULL,
    vendor            text    NOT NULL,
    randomized        boolean NOT NULL,
    first_seen        timestamptz,
    last_seen         timestamptz,
    packets           bigint  NOT NULL,
    bytes             bigint  NOT NULL,
    hostname          text    NOT NULL,
    dhcp_param_list   text    NOT NULL,
    dhcp_max_msg_size integer NOT NULL,
    dhcp_vendor_class text    NOT NULL,
    dhcp_client_id    text    NOT NULL,
    relay_circuit_id  text    NOT NULL,
    relay_remote_id   text    NOT NULL,
    class             text    NOT NULL,
    class_confidence  integer NOT NULL,
    manufacturer      text    NOT NULL,
    model             text    NOT NULL,
    os                text    NOT NULL,
    modality          text    NOT NULL,
    class_strength    integer NOT NULL,
    class_changed_at  timestamptz,
    UNIQUE (sensor, vantage, vlan, mac, key_ip)
);
CREATE INDEX assets_mac ON assets (mac);
CREATE INDEX assets_site ON assets (site);
CREATE INDEX assets_class ON assets (class);
CREATE INDEX assets_last_seen ON assets (last_seen);

-- evidence: an asset's classification evidence; pushed with the asset as a
-- whole (the rows of an asset are replaced by the pushed list).
CREATE TABLE evidence (
    asset_key  bigint  NOT NULL,
    sensor     text    NOT NULL,
    site       text    NOT NULL,
    source     text    NOT NULL,
    value      text    NOT NULL,
    rule       text    NOT NULL,
    strength   integer NOT NULL,
    position   integer NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (asset_key, source, value, rule)
);

CREATE TABLE asset_addresses (
    asset_key  bigint NOT NULL,
    sensor     text   NOT NULL,
    site       text   NOT NULL,
    ip         text   NOT NULL,
    source     text   NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (asset_key, ip)
);
CREATE INDEX asset_addresses_ip ON asset_addresses (ip);

CREATE TABLE asset_hostnames (
    asset_key  bigint NOT NULL,
    sensor     text   NOT NULL,
    site       text   NOT NULL,
    name       text   NOT NULL,
    source     text   NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (asset_key, source, name)
);

CREATE TABLE dicom_aes (
    key                 bigint  PRIMARY KEY,
    asset_key           bigint  NOT NULL,
    sensor              text    NOT NULL,
    site                text    NOT NULL,
    role                text    NOT NULL,
    ae_title            text    NOT NULL,
    peer_ae_title       text    NOT NULL,
    peer_ip             text    NOT NULL,
    port                integer NOT NULL,
    application_context text    NOT NULL,
    impl_class_uid      text    NOT NULL,
    impl_version        text    NOT NULL,
    max_pdu             bigint  NOT NULL,
    first_seen          timestamptz,
    last_seen           timestamptz,
    associations        bigint  NOT NULL,
    last_result         text    NOT NULL
);
CREATE INDEX dicom_aes_asset ON dicom_aes (asset_key);

CREATE TABLE dicom_sop_classes (
    ae_key        bigint NOT NULL,
    asset_key     bigint NOT NULL,
    sensor        text   NOT NULL,
    site          text   NOT NULL,
    role          text   NOT NULL,
    sop_class_uid text   NOT NULL,
    first_seen    timestamptz,
    last_seen     timestamptz,
    PRIMARY KEY (ae_key, sop_class_uid)
);
CREATE INDEX dicom_sop_classes_asset ON dicom_sop_classes (asset_key);

CREATE TABLE dicom_commands (
    ae_key    bigint NOT NULL,
    asset_key bigint NOT NULL,
    sensor    text   NOT NULL,
    site      text   NOT NULL,
    command   text   NOT NULL,
    sop_class text   NOT NULL,
    count     bigint NOT NULL,
    last_seen timestamptz,
    PRIMARY KEY (ae_key, command, sop_class)
);
CREATE INDEX dicom_commands_asset ON dicom_commands (asset_key);

CREATE TABLE hl7_apps (
    key              bigint  PRIMARY KEY,
    asset_key        bigint  NOT NULL,
    sensor           text    NOT NULL,
    site             text    NOT NULL,
    role             text    NOT NULL,
    application      text    NOT NULL,
    facility         text    NOT NULL,
    peer_application text    NOT NULL,
    peer_facility    text    NOT NULL,
    peer_ip          text    NOT NULL,
    port             integer NOT NULL,
    version          text    NOT NULL,
    first_seen       timestamptz,
    last_seen        timestamptz,
    messages         bigint  NOT NULL,
    acks_sent        bigint  NOT NULL
);
CREATE INDEX hl7_apps_asset ON hl7_apps (asset_key);

CREATE TABLE hl7_message_types (
    app_key    bigint NOT NULL,
    asset_key  bigint NOT NULL,
    sensor     text   NOT NULL,
    site       text   NOT NULL,
    role       text   NOT NULL,
    type       text   NOT NULL,
    count      bigint NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (app_key, type)
);
CREATE INDEX hl7_message_types_asset ON hl7_message_types (asset_key);

CREATE TABLE hl7_equipment (
    app_key      bigint NOT NULL,
    asset_key    bigint NOT NULL,
    sensor       text   NOT NULL,
    site         text   NOT NULL,
    equipment_id text   NOT NULL,
    first_seen   timestamptz,
    last_seen    timestamptz,
    PRIMARY KEY (app_key, equipment_id)
);
CREATE INDEX hl7_equipment_asset ON hl7_equipment (asset_key);

-- flows: dst_asset_key is NULL where the sensor's dst_asset_id is NULL
-- (a routed server, or one not known as an asset).
CREATE TABLE flows (
    key           bigint   PRIMARY KEY,
    sensor        text     NOT NULL,
    site          text     NOT NULL,
    src_asset_key bigint   NOT NULL,
    dst_asset_key bigint,
    src_ip        text     NOT NULL,
    dst_ip        text     NOT NULL,
    proto         smallint NOT NULL,
    port          integer  NOT NULL,
    src_local     boolean  NOT NULL,
    dst_local     boolean  NOT NULL,
    vantage       text     NOT NULL,
    vlan          integer  NOT NULL,
    service       text     NOT NULL,
    first_seen    timestamptz,
    last_seen     timestamptz,
    packets       bigint   NOT NULL,
    bytes         bigint   NOT NULL,
    connections   bigint   NOT NULL
);
CREATE INDEX flows_src_asset ON flows (src_asset_key);
CREATE INDEX flows_dst_asset ON flows (dst_asset_key) WHERE dst_asset_key IS NOT NULL;
CREATE INDEX flows_last_seen ON flows (last_seen);

CREATE TABLE violations (
    key           bigint   PRIMARY KEY,
    sensor        text     NOT NULL,
    site          text     NOT NULL,
    rule          text     NOT NULL,
    src_zone      text     NOT NULL,
    dst_zone      text     NOT NULL,
    src_asset_key bigint   NOT NULL,
    dst_asset_key bigint,
    src_ip        text     NOT NULL,
    dst_ip        text     NOT NULL,
    proto         smallint NOT NULL,
    port          integer  NOT NULL,
    service       text     NOT NULL,
    severity      text     NOT NULL,
    vantage       text     NOT NULL,
    vlan          integer  NOT NULL,
    first_seen    timestamptz,
    last_seen     timestamptz,
    count         bigint   NOT NULL,
    packets       bigint   NOT NULL,
    bytes         bigint   NOT NULL,
    connections   bigint   NOT NULL
);
CREATE INDEX violations_src_asset ON violations (src_asset_key);
CREATE INDEX violations_dst_asset ON violations (dst_asset_key) WHERE dst_asset_key IS NOT NULL;
CREATE INDEX violations_last_seen ON violations (last_seen);

-- events: event_id is the sensor's events.id in the database db_id.
-- asset_key is the key of the asset the event is about (from its vantage,
-- vlan, mac and key_ip).
CREATE TABLE events (
    key       bigint      PRIMARY KEY,
    sensor    text        NOT NULL,
    site      text        NOT NULL,
    db_id     text        NOT NULL,
    event_id  bigint      NOT NULL,
    time      timestamptz,
    type      text        NOT NULL,
    vantage   text        NOT NULL,
    vlan      integer     NOT NULL,
    mac       text        NOT NULL,
    key_ip    text        NOT NULL,
    ip        text        NOT NULL,
    old_value text        NOT NULL,
    new_value text        NOT NULL,
    asset_key bigint      NOT NULL
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_mac ON events (mac, time);
CREATE INDEX events_asset ON events (asset_key, time);
