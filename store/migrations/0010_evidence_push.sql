-- 0010_evidence_push.sql: the evidence push triggers go; the writer moves
-- the asset into the open epoch itself.
--
-- The conventions of 0001_init.sql hold. 0003_central_push.sql (insert,
-- delete) and 0007_identity.sql (update) made every evidence row written
-- move its asset into the open push epoch, by a trigger per row: a
-- classification that rewrote an asset's five evidence rows ran the
-- trigger's UPDATE of the asset ten times, and touching them five times.
-- Evidence is written only by the store's flusher (replaceEvidence), which
-- now runs that UPDATE once per asset whose evidence it wrote
-- (sEvidencePush), in the same transaction: the pusher sees the same
-- push_seq as before. Rows deleted with their asset (ON DELETE CASCADE)
-- needed no move: the asset is gone.
DROP TRIGGER IF EXISTS evidence_push_ins;
DROP TRIGGER IF EXISTS evidence_push_del;
DROP TRIGGER IF EXISTS evidence_push_upd;
