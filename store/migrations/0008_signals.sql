-- 0008_signals.sql: what each asset said about itself to the passive
-- decoders (model.ObsSignal): LLDP and CDP advertisements, SNMP sysDescr,
-- DHCPv6 vendor classes and FQDNs, mDNS/LLMNR/NetBIOS names and DNS-SD
-- services, SSDP, HTTP and SIP headers, SSH banners, TLS JA4 and SNI, TCP
-- SYN signatures.
--
-- One row per (asset, source, value): source is a model.EvidenceSource
-- ("lldp.sysdesc", "tls.ja4", ...), value the text as the sensor reported
-- it (control and non-ASCII bytes as '?', at most 255 bytes). reports
-- counts the sensor's reports of it (once per value, then at most once per
-- refresh interval: not packets). The classifier reads them as
-- fingerprint.Facts.Signals. The conventions of 0001_init.sql hold.
CREATE TABLE asset_signals (
    asset_id   INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    source     TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    reports    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (asset_id, source, value)
) WITHOUT ROWID;
