-- 0003_central_push.sql: change tracking for the push to a central
-- PostgreSQL inventory (package store/central).
--
-- The pusher copies every row that changed since its last push. To know
-- which, each pushed table gets a push_seq column holding the push epoch in
-- which the row was last inserted or changed, kept by the triggers below; the
-- writer's own statements are unchanged.
--
--   * central_state.epoch is the open epoch: every row inserted or changed
--     now gets push_seq = epoch. The pusher closes it (epoch + 1, one small
--     write transaction) before each push and then copies the rows with
--     push_seq <= the closed epoch. A row changed again later moves to the
--     new open epoch and is copied again by a later push: nothing is missed,
--     and a row changed many times within one epoch is copied once (the
--     update triggers only write when the row's push_seq is not the open
--     epoch already, so a hot flow costs one extra row write per epoch, not
--     per update).
--   * push_seq is 0 for rows that existed before this migration: the first
--     push copies them (a new cursor starts below 0).
--   * events are only ever inserted, so their cursor is events.id and they
--     need no trigger. evidence rows are deleted and re-inserted with every
--     classification: instead of a push_seq of their own they move their
--     asset to the open epoch, and the pusher copies an asset's evidence as
--     a set with the asset.
--   * central_cursors holds the pusher's durable position per table: the
--     last pushed row's push_seq (events: id) and, for rows sharing an epoch,
--     its key ordering columns as a JSON array ('' before the first row of
--     an epoch). It is written after the central database committed the
--     batch, so a crash in between re-pushes one batch (the central upserts
--     are idempotent) and a central outage of any length loses nothing.
--   * central_state.db_id names this database file (random, made here): the
--     central database keys events by (sensor, db_id, id) and knows which
--     database its cursors belong to. caught_up_at is when the last epoch
--     the pusher pushed completely was closed (0 never): every change made
--     before it is in the central database.
--
-- recursive_triggers stays off (SQLite's default): a trigger's own UPDATE
-- does not fire it again; the WHEN clauses would stop it anyway.

CREATE TABLE central_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    epoch        INTEGER NOT NULL,
    db_id        TEXT    NOT NULL,
    caught_up_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO central_state (id, epoch, db_id) VALUES (1, 1, lower(hex(randomblob(16))));

CREATE TABLE central_cursors (
    tbl       TEXT    PRIMARY KEY,
    seq       INTEGER NOT NULL,
    key       TEXT    NOT NULL DEFAULT '',
    pushed_at INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE assets            ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asset_addresses   ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asset_hostnames   ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dicom_aes         ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dicom_sop_classes ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dicom_commands    ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hl7_apps          ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hl7_message_types ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hl7_equipment     ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows             ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE violations        ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;

-- The pusher reads each table in (push_seq, key) order; an index on
-- push_seq carries the rowid or the WITHOUT ROWID primary key after it.
CREATE INDEX assets_push            ON assets (push_seq);
CREATE INDEX asset_addresses_push   ON asset_addresses (push_seq);
CREATE INDEX asset_hostnames_push   ON asset_hostnames (push_seq);
CREATE INDEX dicom_aes_push         ON dicom_aes (push_seq);
CREATE INDEX dicom_sop_classes_push ON dicom_sop_classes (push_seq);
CREATE INDEX dicom_commands_push    ON dicom_commands (push_seq);
CREATE INDEX hl7_apps_push          ON hl7_apps (push_seq);
CREATE INDEX hl7_message_types_push ON hl7_message_types (push_seq);
CREATE INDEX hl7_equipment_push     ON hl7_equipment (push_seq);
CREATE INDEX flows_push             ON flows (push_seq);
CREATE INDEX violations_push        ON violations (push_seq);

-- One pair of triggers per table: after an INSERT, and after an UPDATE that
-- left the row outside the open epoch.

CREATE TRIGGER assets_push_ins AFTER INSERT ON assets BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER assets_push_upd AFTER UPDATE ON assets
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER asset_addresses_push_ins AFTER INSERT ON asset_addresses BEGIN
    UPDATE asset_addresses SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND ip = NEW.ip;
END;
CREATE TRIGGER asset_addresses_push_upd AFTER UPDATE ON asset_addresses
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE asset_addresses SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND ip = NEW.ip;
END;

CREATE TRIGGER asset_hostnames_push_ins AFTER INSERT ON asset_hostnames BEGIN
    UPDATE asset_hostnames SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND source = NEW.source AND name = NEW.name;
END;
CREATE TRIGGER asset_hostnames_push_upd AFTER UPDATE ON asset_hostnames
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE asset_hostnames SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND source = NEW.source AND name = NEW.name;
END;

CREATE TRIGGER dicom_aes_push_ins AFTER INSERT ON dicom_aes BEGIN
    UPDATE dicom_aes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER dicom_aes_push_upd AFTER UPDATE ON dicom_aes
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_aes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER dicom_sop_classes_push_ins AFTER INSERT ON dicom_sop_classes BEGIN
    UPDATE dicom_sop_classes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND sop_class_uid = NEW.sop_class_uid;
END;
CREATE TRIGGER dicom_sop_classes_push_upd AFTER UPDATE ON dicom_sop_classes
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_sop_classes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND sop_class_uid = NEW.sop_class_uid;
END;

CREATE TRIGGER dicom_commands_push_ins AFTER INSERT ON dicom_commands BEGIN
    UPDATE dicom_commands SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND command = NEW.command AND sop_class = NEW.sop_class;
END;
CREATE TRIGGER dicom_commands_push_upd AFTER UPDATE ON dicom_commands
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_commands SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND command = NEW.command AND sop_class = NEW.sop_class;
END;

CREATE TRIGGER hl7_apps_push_ins AFTER INSERT ON hl7_apps BEGIN
    UPDATE hl7_apps SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER hl7_apps_push_upd AFTER UPDATE ON hl7_apps
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_apps SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER hl7_message_types_push_ins AFTER INSERT ON hl7_message_types BEGIN
    UPDATE hl7_message_types SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND type = NEW.type;
END;
CREATE TRIGGER hl7_message_types_push_upd AFTER UPDATE ON hl7_message_types
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_message_types SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND type = NEW.type;
END;

CREATE TRIGGER hl7_equipment_push_ins AFTER INSERT ON hl7_equipment BEGIN
    UPDATE hl7_equipment SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND equipment_id = NEW.equipment_id;
END;
CREATE TRIGGER hl7_equipment_push_upd AFTER UPDATE ON hl7_equipment
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_equipment SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND equipment_id = NEW.equipment_id;
END;

CREATE TRIGGER flows_push_ins AFTER INSERT ON flows BEGIN
    UPDATE flows SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER flows_push_upd AFTER UPDATE ON flows
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE flows SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER violations_push_ins AFTER INSERT ON violations BEGIN
    UPDATE violations SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER violations_push_upd AFTER UPDATE ON violations
WHEN NEW.push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE violations SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

-- evidence: moves its asset into the open epoch (the asset is pushed with
-- its whole evidence list). The assets update trigger sees the asset already
-- in the open epoch and does nothing more.
CREATE TRIGGER evidence_push_ins AFTER INSERT ON evidence BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE id = NEW.asset_id AND push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1);
END;
CREATE TRIGGER evidence_push_del AFTER DELETE ON evidence BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE id = OLD.asset_id AND push_seq IS NOT (SELECT epoch FROM central_state WHERE id = 1);
END;
