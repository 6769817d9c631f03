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
    chain   INTEGER PRIMARY KEY,
    hash    TEXT NOT NULL DEFAULT '',
    entries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_log_chain ON audit_log(org_id, id);

-- Append-only: an entry is never deleted, and only an entry written before
-- the chain existed (empty hash) may be given its hash, once.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash <> '' OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id OR NEW.org_id IS NOT OLD.org_id
  OR NEW.action IS NOT OLD.action OR NEW.target IS NOT OLD.target OR NEW.detail IS NOT OLD.detail
  OR NEW.before_state IS NOT OLD.before_state OR NEW.after_state IS NOT OLD.after_state
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
DROP INDEX audit_log_chain;
DROP TABLE audit_heads;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN after_state;
ALTER TABLE audit_log DROP COLUMN before_state;
