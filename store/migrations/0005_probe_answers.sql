-- 0005_probe_answers.sql: answers to the opt-in ARP liveness probe.
--
-- A critical device that sends nothing by itself (an infusion pump on its
-- stand) is not heard from, though it is alive. When the operator enables
-- the probe (sensor/probe), the daemon asks silent critical devices "who
-- has <ip>?" from a separate interface; an answer is kept here as the
-- asset's probe evidence of liveness. It never touches assets.last_seen:
-- that stays what the sensor heard passively, so "alive by probe" and
-- "heard" remain apart.
--
-- One row per asset: ip is the address that answered last, first_seen and
-- last_seen the first and latest answers, answers how many. The
-- conventions of 0001_init.sql hold.
CREATE TABLE probe_answers (
    asset_id   INTEGER NOT NULL PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    ip         TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    answers    INTEGER NOT NULL
);
