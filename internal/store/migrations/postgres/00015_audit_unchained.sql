-- +goose Up
-- Every start looks for audit entries written before the hash chain
-- existed (store.chainOldAudit); this index makes finding none cost one
-- lookup instead of a scan of the whole log.
CREATE INDEX audit_log_unchained ON audit_log(id) WHERE hash = '';

-- +goose Down
DROP INDEX audit_log_unchained;
