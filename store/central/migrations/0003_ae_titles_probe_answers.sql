-- 0003_ae_titles_probe_answers.sql: two more tables of each sensor; the
-- conventions of 0001_init.sql hold.
--
-- ae_titles_by_ip (the sensor's store/migrations/0004_ae_titles_by_ip.sql):
-- the DICOM AE title last seen for an address on a vantage point, by which
-- the policy places a flow end known only by its address. One row per
-- (sensor, vantage, ip).
CREATE TABLE ae_titles_by_ip (
    sensor     text NOT NULL,
    site       text NOT NULL,
    vantage    text NOT NULL,
    ip         text NOT NULL,
    ae_title   text NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (sensor, vantage, ip)
);
CREATE INDEX ae_titles_by_ip_ip ON ae_titles_by_ip (ip);

-- probe_answers (the sensor's 0005_probe_answers.sql): an asset's answers to
-- the opt-in ARP liveness probe, its evidence of being alive while silent.
-- One row per asset.
CREATE TABLE probe_answers (
    asset_key  bigint PRIMARY KEY,
    sensor     text   NOT NULL,
    site       text   NOT NULL,
    ip         text   NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    answers    bigint NOT NULL
);
