-- +goose Up
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title_en    TEXT NOT NULL,
    title_cy    TEXT NOT NULL DEFAULT '',
    question_en TEXT NOT NULL DEFAULT '',
    question_cy TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'reported')),
    moderation  TEXT NOT NULL CHECK (moderation IN ('pre', 'post')),
    anonymous   BOOLEAN NOT NULL DEFAULT FALSE,
    attribution TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    opened_at   TIMESTAMP,
    closed_at   TIMESTAMP,
    reported_at TIMESTAMP
);
CREATE INDEX conversations_org ON conversations(org_id, id);

CREATE TABLE conversation_participants (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    cookie_hash     TEXT,
    external_id     TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conversation_participants_user ON conversation_participants(conversation_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX conversation_participants_cookie ON conversation_participants(conversation_id, cookie_hash) WHERE cookie_hash IS NOT NULL;
CREATE UNIQUE INDEX conversation_participants_external ON conversation_participants(conversation_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE conversation_statements (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    seed            BOOLEAN NOT NULL DEFAULT FALSE,
    participant_id  INTEGER REFERENCES conversation_participants(id) ON DELETE SET NULL,
    external_id     TEXT,
    created_at      TIMESTAMP NOT NULL,
    moderated_at    TIMESTAMP
);
CREATE INDEX conversation_statements_conversation ON conversation_statements(conversation_id, status, id);
CREATE UNIQUE INDEX conversation_statements_external ON conversation_statements(conversation_id, external_id) WHERE external_id IS NOT NULL;

-- One row per participant and statement: a second vote replaces the first.
-- Keyed by conversation first so the math reads one conversation's votes in
-- one range scan.
CREATE TABLE conversation_votes (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    participant_id  INTEGER NOT NULL REFERENCES conversation_participants(id) ON DELETE CASCADE,
    statement_id    INTEGER NOT NULL REFERENCES conversation_statements(id) ON DELETE CASCADE,
    vote            INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    channel         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (conversation_id, participant_id, statement_id)
) WITHOUT ROWID;

-- The last result of the opinion math, served while the next is computed.
CREATE TABLE conversation_results (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    computed_at     TIMESTAMP NOT NULL,
    votes           INTEGER NOT NULL,
    body            TEXT NOT NULL
);

-- +goose Down
DROP TABLE conversation_results;
DROP TABLE conversation_votes;
DROP TABLE conversation_statements;
DROP TABLE conversation_participants;
DROP TABLE conversations;
