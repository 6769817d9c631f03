-- +goose Up
-- Before and after states, and the hash chain that makes the log
-- tamper-evident: each organisation's entries (org 0: the platform's) are
-- chained, and audit_heads holds the newest hash of each chain so that
-- concurrent writers take their turn on its row.
ALTER TABLE audit_log ADD COLUMN before_state TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_state TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_heads (
    chain   BIGINT PRIMARY KEY,
    hash    TEXT NOT NULL DEFAULT '',
    entries BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX audit_log_chain ON audit_log(org_id, id);

-- Append-only: an entry is never deleted, and only an entry written before
-- the chain existed (empty hash) may be given its hash, once.
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.hash <> '' OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.actor_id IS DISTINCT FROM OLD.actor_id OR NEW.org_id IS DISTINCT FROM OLD.org_id
       OR NEW.action IS DISTINCT FROM OLD.action OR NEW.target IS DISTINCT FROM OLD.target
       OR NEW.detail IS DISTINCT FROM OLD.detail OR NEW.before_state IS DISTINCT FROM OLD.before_state
       OR NEW.after_state IS DISTINCT FROM OLD.after_state THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP INDEX audit_log_chain;
DROP TABLE audit_heads;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN after_state;
ALTER TABLE audit_log DROP COLUMN before_state;
