-- +goose Up
CREATE TABLE consultations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title_en    TEXT NOT NULL,
    title_cy    TEXT NOT NULL DEFAULT '',
    summary_en  TEXT NOT NULL DEFAULT '',
    summary_cy  TEXT NOT NULL DEFAULT '',
    body_en     TEXT NOT NULL DEFAULT '',
    body_cy     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'outcome')),
    layout      TEXT NOT NULL CHECK (layout IN ('one-per-page', 'all-on-one')),
    opens_at    TIMESTAMP,
    closes_at   TIMESTAMP,
    scheduled   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    opened_at   TIMESTAMP,
    closed_at   TIMESTAMP,
    outcome_at  TIMESTAMP,
    outcome_summary_en TEXT NOT NULL DEFAULT '',
    outcome_summary_cy TEXT NOT NULL DEFAULT '',
    decision_en TEXT NOT NULL DEFAULT '',
    decision_cy TEXT NOT NULL DEFAULT '',
    -- "You said / We did" items as a JSON array: read and written whole.
    you_said    TEXT NOT NULL DEFAULT '[]',
    -- Set when the outcome emails went into the outbox, so they go once.
    notified_at TIMESTAMP
);
CREATE INDEX consultations_org ON consultations(org_id, id);
-- The schedule job looks for drafts to open and open ones to close.
CREATE INDEX consultations_schedule ON consultations(status, opens_at, closes_at);

CREATE TABLE consultation_questions (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('text', 'single', 'multiple', 'scale')),
    text_en         TEXT NOT NULL,
    text_cy         TEXT NOT NULL DEFAULT '',
    help_en         TEXT NOT NULL DEFAULT '',
    help_cy         TEXT NOT NULL DEFAULT '',
    required        BOOLEAN NOT NULL DEFAULT FALSE,
    max_length      INTEGER NOT NULL DEFAULT 0,
    options         TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX consultation_questions_consultation ON consultation_questions(consultation_id, position);

CREATE TABLE consultation_documents (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    path            TEXT NOT NULL,
    scan            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX consultation_documents_consultation ON consultation_documents(consultation_id, scan, id);

CREATE TABLE consultation_responses (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    channel         TEXT NOT NULL,
    respondent      TEXT NOT NULL CHECK (respondent IN ('individual', 'organisation')),
    name            TEXT NOT NULL DEFAULT '',
    org_name        TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    consent         TEXT NOT NULL CHECK (consent IN ('no', 'anonymous', 'named')),
    hear_back       BOOLEAN NOT NULL DEFAULT FALSE,
    -- The language they responded in, for the emails they get.
    lang            TEXT NOT NULL DEFAULT '',
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reference       TEXT NOT NULL DEFAULT '',
    scan_id         INTEGER REFERENCES consultation_documents(id) ON DELETE SET NULL,
    received_at     TIMESTAMP,
    submitted_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    keyed_by        INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX consultation_responses_consultation ON consultation_responses(consultation_id, status, id);
CREATE INDEX consultation_responses_channel ON consultation_responses(consultation_id, channel, id);

-- Choice answers keep their 0-based option indexes as text, e.g. "0,2".
CREATE TABLE consultation_answers (
    id          INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL REFERENCES consultation_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES consultation_questions(id) ON DELETE CASCADE,
    text        TEXT NOT NULL DEFAULT '',
    choices     TEXT NOT NULL DEFAULT '',
    UNIQUE (response_id, question_id)
);
CREATE INDEX consultation_answers_question ON consultation_answers(question_id);

-- Full-text search over free-text answers: an external-content FTS5 index
-- kept in step by triggers. remove_diacritics folds accents, so "cafe"
-- finds "café" and Welsh words are found without their circumflexes.
CREATE VIRTUAL TABLE consultation_answers_fts USING fts5(
    text, content='consultation_answers', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
-- +goose StatementBegin
CREATE TRIGGER consultation_answers_ai AFTER INSERT ON consultation_answers WHEN new.text <> '' BEGIN
    INSERT INTO consultation_answers_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consultation_answers_ad AFTER DELETE ON consultation_answers WHEN old.text <> '' BEGIN
    INSERT INTO consultation_answers_fts (consultation_answers_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consultation_answers_au_old AFTER UPDATE OF text ON consultation_answers WHEN old.text <> '' BEGIN
    INSERT INTO consultation_answers_fts (consultation_answers_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consultation_answers_au_new AFTER UPDATE OF text ON consultation_answers WHEN new.text <> '' BEGIN
    INSERT INTO consultation_answers_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

-- The text staff publish in place of a free-text answer.
CREATE TABLE consultation_redactions (
    response_id INTEGER NOT NULL REFERENCES consultation_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES consultation_questions(id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;

CREATE TABLE consultation_themes (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX consultation_themes_consultation ON consultation_themes(consultation_id, id);

CREATE TABLE consultation_theme_responses (
    theme_id    INTEGER NOT NULL REFERENCES consultation_themes(id) ON DELETE CASCADE,
    response_id INTEGER NOT NULL REFERENCES consultation_responses(id) ON DELETE CASCADE,
    PRIMARY KEY (theme_id, response_id)
) WITHOUT ROWID;
CREATE INDEX consultation_theme_responses_response ON consultation_theme_responses(response_id);

-- Save-and-return links: only the token's hash is kept, as for sign-in links.
CREATE TABLE consultation_resume_links (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    response_id INTEGER NOT NULL REFERENCES consultation_responses(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX consultation_resume_links_expiry ON consultation_resume_links(expires_at);

-- +goose Down
DROP TABLE consultation_resume_links;
DROP TABLE consultation_theme_responses;
DROP TABLE consultation_themes;
DROP TABLE consultation_redactions;
DROP TRIGGER consultation_answers_au_new;
DROP TRIGGER consultation_answers_au_old;
DROP TRIGGER consultation_answers_ad;
DROP TRIGGER consultation_answers_ai;
DROP TABLE consultation_answers_fts;
DROP TABLE consultation_answers;
DROP TABLE consultation_responses;
DROP TABLE consultation_documents;
DROP TABLE consultation_questions;
DROP TABLE consultations;
