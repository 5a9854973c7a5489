-- 0009_baselines.sql: behaviour baselines (package behaviour).
--
-- A device's baseline is what it did in its learning window
-- (baseline.learn_for of capture time from started): the zones it talked
-- to, its peers outside the site, the services it used and served, the
-- protocols it spoke. What it does later that the baseline lacks is a
-- change: an item with learned = 0 and an event (new-service, ...).
--
-- baselines: one row per device with a baseline; started is when its
-- learning window began (ns, capture time). `wardwatch baseline reset`
-- deletes the row and its items: the device learns again.
-- baseline_items: one row per item. kind is a model.BehaviourKind
-- (peer-zone, external-peer, service, served-service, protocol), value its
-- canonical text ("servers", "203.0.113.10", "tcp/443", "dicom");
-- first_seen when it was first seen; learned 1 for an item of the
-- baseline, 0 for one first seen after the window (reported); peer_ip and
-- evidence the flow that showed it first.
-- The conventions of 0001_init.sql hold.
CREATE TABLE baselines (
    asset_id INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    started  INTEGER NOT NULL
);

CREATE TABLE baseline_items (
    asset_id   INTEGER NOT NULL REFERENCES baselines (asset_id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    learned    INTEGER NOT NULL CHECK (learned IN (0, 1)),
    peer_ip    TEXT    NOT NULL DEFAULT '',
    evidence   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (asset_id, kind, value)
) WITHOUT ROWID;
