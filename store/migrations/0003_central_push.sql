-- 0003_central_push.sql: change tracking for the push to a central
-- PostgreSQL inventory (package store/central).
--
-- The pusher copies every row that changed since its last push. To know
-- which, each pushed table gets a push_seq column: the push epoch in which
-- the row last changed. The writer's own statements are unchanged.
--
--   * central_state.epoch is the open epoch. A new row gets push_seq = the
--     largest INTEGER (9223372036854775807, "new": the column default, no
--     trigger on the writer's inserts); a changed row whose push_seq is
--     below the open epoch is moved to it by the update triggers below (so
--     a row changed many times within one epoch, a hot flow, costs one
--     extra row write per epoch, not per update).
--   * Before each push the pusher closes the open epoch E (epoch = E + 1),
--     gives every "new" row push_seq = E (in chunks of short
--     transactions), and copies the rows with push_seq <= E after its
--     cursor. A row changed after that has push_seq E < the open epoch and
--     moves to E + 1: it is copied again by a later push. Nothing is
--     missed; every copy is the row's latest state.
--   * Rows that existed before this migration are "new" too: the first
--     push copies them.
--   * events are only ever inserted, so their cursor is events.id and they
--     need no push_seq. evidence rows are deleted and re-inserted with every
--     classification: instead of a push_seq of their own they move their
--     asset to the open epoch, and the pusher copies an asset's evidence as
--     a set with the asset.
--   * central_cursors holds the pusher's durable position per table: the
--     last pushed row's push_seq (events: id) and, for rows sharing an epoch,
--     its key ordering columns as a JSON array ('' after a whole epoch). It
--     is written after the central database committed the batch, so a crash
--     in between re-pushes one batch (the central upserts are idempotent)
--     and a central outage of any length loses nothing.
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

ALTER TABLE assets            ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE asset_addresses   ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE asset_hostnames   ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE dicom_aes         ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE dicom_sop_classes ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE dicom_commands    ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE hl7_apps          ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE hl7_message_types ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE hl7_equipment     ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE flows             ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE violations        ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;

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

-- One trigger per table: after an UPDATE by the writer (one that left
-- push_seq alone, unlike the pusher's and the evidence triggers' own) of a
-- row in a closed epoch.

CREATE TRIGGER assets_push_upd AFTER UPDATE ON assets
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER asset_addresses_push_upd AFTER UPDATE ON asset_addresses
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE asset_addresses SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND ip = NEW.ip;
END;

CREATE TRIGGER asset_hostnames_push_upd AFTER UPDATE ON asset_hostnames
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE asset_hostnames SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE asset_id = NEW.asset_id AND source = NEW.source AND name = NEW.name;
END;

CREATE TRIGGER dicom_aes_push_upd AFTER UPDATE ON dicom_aes
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_aes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER dicom_sop_classes_push_upd AFTER UPDATE ON dicom_sop_classes
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_sop_classes SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND sop_class_uid = NEW.sop_class_uid;
END;

CREATE TRIGGER dicom_commands_push_upd AFTER UPDATE ON dicom_commands
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE dicom_commands SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE ae_id = NEW.ae_id AND command = NEW.command AND sop_class = NEW.sop_class;
END;

CREATE TRIGGER hl7_apps_push_upd AFTER UPDATE ON hl7_apps
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_apps SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER hl7_message_types_push_upd AFTER UPDATE ON hl7_message_types
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_message_types SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND type = NEW.type;
END;

CREATE TRIGGER hl7_equipment_push_upd AFTER UPDATE ON hl7_equipment
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE hl7_equipment SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE app_id = NEW.app_id AND equipment_id = NEW.equipment_id;
END;

CREATE TRIGGER flows_push_upd AFTER UPDATE ON flows
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE flows SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER violations_push_upd AFTER UPDATE ON violations
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE violations SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE id = NEW.id;
END;

-- evidence: moves its asset into the open epoch (the asset is pushed with
-- its whole evidence list), unless the asset is new or there already. The
-- assets update trigger then sees the asset in the open epoch and does
-- nothing more.
CREATE TRIGGER evidence_push_ins AFTER INSERT ON evidence BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE id = NEW.asset_id AND push_seq < (SELECT epoch FROM central_state WHERE id = 1);
END;
CREATE TRIGGER evidence_push_del AFTER DELETE ON evidence BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE id = OLD.asset_id AND push_seq < (SELECT epoch FROM central_state WHERE id = 1);
END;
