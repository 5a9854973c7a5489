-- 0004_identity.sql: the identity fields of the sensor's
-- store/migrations/0007_identity.sql: an asset's firmware or software
-- version as the device reports it (assets.version), and the
-- classification fields an evidence row's rule decided (evidence.sets).
ALTER TABLE assets ADD COLUMN version text NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN sets text NOT NULL DEFAULT '';
