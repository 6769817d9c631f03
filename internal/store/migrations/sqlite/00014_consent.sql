-- +goose Up
-- Records of consent: what each person agreed to, about what, under which
-- version of the privacy notice's wording, when, and when they withdrew.
-- A consent given by email address alone (a petition signature) has no
-- user and carries a hash of the normalised address instead. Rows go with
-- the account, and erasing a person deletes theirs.
CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER REFERENCES users(id) ON DELETE CASCADE,
    email_hash     TEXT,
    purpose        TEXT NOT NULL CHECK (purpose IN ('email_updates', 'publish_response', 'petition_signature', 'privacy_notice')),
    ref            TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    notice_version TEXT NOT NULL,
    given_at       TIMESTAMP NOT NULL,
    withdrawn_at   TIMESTAMP,
    CHECK (user_id IS NOT NULL OR email_hash IS NOT NULL)
);
CREATE INDEX consents_user ON consents(user_id, purpose, ref) WHERE user_id IS NOT NULL;
CREATE INDEX consents_email ON consents(email_hash) WHERE email_hash IS NOT NULL;

-- +goose Down
DROP TABLE consents;
