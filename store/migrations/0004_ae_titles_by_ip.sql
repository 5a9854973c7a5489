-- 0004_ae_titles_by_ip.sql: the DICOM AE title last seen for each address.
--
-- The policy checker places an end of a flow it knows only by address (seen
-- behind a router, so its MAC is the router's) in an ae_titles zone by the
-- AE title the latest DICOM association named for that address, whoever's
-- frames carried it. `policy simulate` and `policy learn` must judge stored
-- flows the same way, so the store keeps that knowledge too.
--
-- One row per (vantage, ip): ae_title is the title of the latest
-- association report (ObsDICOM) that named it for ip on that vantage
-- (stored without leading/trailing spaces and NULs); first_seen is when an
-- AE title was first seen for the address, last_seen the latest report.
-- The conventions of 0001_init.sql hold.
CREATE TABLE ae_titles_by_ip (
    vantage    TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    ae_title   TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (vantage, ip)
) WITHOUT ROWID;

-- A database written before this migration knows the same from dicom_aes:
-- every association report named the peer's AE title and address there.
INSERT INTO ae_titles_by_ip (vantage, ip, ae_title, first_seen, last_seen)
SELECT vantage, peer_ip, peer_ae_title, first_seen, last_seen FROM (
    SELECT a.vantage, d.peer_ip, d.peer_ae_title, d.first_seen, d.last_seen,
           row_number() OVER (PARTITION BY a.vantage, d.peer_ip ORDER BY d.last_seen DESC, d.id DESC) AS n
    FROM dicom_aes d JOIN assets a ON a.id = d.asset_id
    WHERE d.peer_ip <> '' AND d.peer_ae_title <> '')
WHERE n = 1;
