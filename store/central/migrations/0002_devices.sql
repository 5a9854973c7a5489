-- 0002_devices.sql: devices across sensors, for the query side
-- (store/central inventory.go, `wardwatch assets --central`, `wardwatch
-- central`).
--
-- A device is one however many sensors see it: every assets row with the
-- same MAC is the same device, whatever its sensor, vantage and VLAN (the
-- VLAN is not part of it: the same port is tagged on one sensor's trunk
-- mirror and untagged on another's access-port mirror, and a portable
-- device keeps its MAC from site to site). An asset keyed by IP (no MAC on
-- its link) is a device of its own, since the address plans of sites
-- overlap.
--
-- wardwatch_device(mac, key) is a device's id: the first 8 bytes of
-- md5(mac) as a signed bigint, or the asset's key when it has no MAC.
-- assets.device holds it for each row; flows, violations and events reach
-- it through their asset keys.
CREATE FUNCTION wardwatch_device(mac text, key bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE WHEN mac <> '' THEN ('x' || substr(md5(mac), 1, 16))::bit(64)::bigint ELSE key END $$;

ALTER TABLE assets ADD COLUMN device bigint GENERATED ALWAYS AS (wardwatch_device(mac, key)) STORED;
CREATE INDEX assets_device ON assets (device);
CREATE INDEX assets_key_ip ON assets (key_ip) WHERE key_ip <> '';
