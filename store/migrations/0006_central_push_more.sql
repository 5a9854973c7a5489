-- 0006_central_push_more.sql: change tracking, for the push to a central
-- PostgreSQL inventory, of the tables made after 0003_central_push.sql:
-- ae_titles_by_ip (0004) and probe_answers (0005). As 0003 does for the
-- other pushed tables: a push_seq column ("new" for new rows and for every
-- row existing now, so the first push copies them) and a trigger moving an
-- updated row to the open epoch.
ALTER TABLE ae_titles_by_ip ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
CREATE INDEX ae_titles_by_ip_push ON ae_titles_by_ip (push_seq);

CREATE TRIGGER ae_titles_by_ip_push_upd AFTER UPDATE ON ae_titles_by_ip
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE ae_titles_by_ip SET push_seq = (SELECT epoch FROM central_state WHERE id = 1)
    WHERE vantage = NEW.vantage AND ip = NEW.ip;
END;

ALTER TABLE probe_answers ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 9223372036854775807;
CREATE INDEX probe_answers_push ON probe_answers (push_seq);

CREATE TRIGGER probe_answers_push_upd AFTER UPDATE ON probe_answers
WHEN NEW.push_seq = OLD.push_seq AND NEW.push_seq < (SELECT epoch FROM central_state WHERE id = 1) BEGIN
    UPDATE probe_answers SET push_seq = (SELECT epoch FROM central_state WHERE id = 1) WHERE asset_id = NEW.asset_id;
END;
