-- +goose Up
-- Webhooks receive every new mention of their organisation, signed with
-- the secret (HMAC needs the secret itself, so it is kept as given).
CREATE TABLE listening_webhooks (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX listening_webhooks_url ON listening_webhooks(org_id, url);

-- +goose Down
DROP TABLE listening_webhooks;
