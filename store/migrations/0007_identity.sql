-- 0007_identity.sql: what each device is beyond its class (issue 12).
--
-- The conventions of 0001_init.sql hold.
--   assets.version  the firmware or software version the classification
--                   found (fingerprint Result.Version: a DICOM implementation
--                   version name, an LLDP or CDP firmware revision, a SIP
--                   phone's firmware, ...), '' if none; kept like
--                   manufacturer, model and os;
--   evidence.sets   which fields of the classification the evidence's rule
--                   decided, comma-separated ("class,manufacturer,model",
--                   fingerprint Fields.String), or "contradicts" for a rule
--                   whose class speaks against the asset's; '' when it only
--                   agreed or was outranked.
--   flows_src_ip    routed flows by client address: which servers a client
--                   reached through a router (its servers are classified
--                   again when its class changes);
--   flows_dst_ip    flows to an address on the link whose owner was not
--                   known when they were written: what that owner served;
--   flows_routed    routed flows by the MAC's asset (a router's): how many
--                   addresses it carried, without reading its other flows;
--   evidence_push_upd  a classification that finds the same evidence only
--                   updates its rows' times (not delete and insert them):
--                   the update moves the asset into the open epoch like the
--                   insert and delete triggers of 0003_central_push.sql.
ALTER TABLE assets ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN sets TEXT NOT NULL DEFAULT '';
CREATE INDEX flows_src_ip ON flows (src_ip) WHERE src_local = 0;
CREATE INDEX flows_dst_ip ON flows (dst_ip) WHERE dst_asset_id IS NULL AND dst_local = 1;
CREATE INDEX flows_routed ON flows (src_asset_id, src_ip) WHERE src_local = 0;
CREATE TRIGGER evidence_push_upd AFTER UPDATE ON evidence BEGIN
    UPDATE assets SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE id = NEW.asset_id AND push_seq < (SELECT epoch FROM central_state WHERE id = 1);
END;
