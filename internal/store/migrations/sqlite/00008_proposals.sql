-- +goose Up
CREATE TABLE proposal_boards (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('ideas', 'petitions')),
    title_en           TEXT NOT NULL,
    title_cy           TEXT NOT NULL DEFAULT '',
    description_en     TEXT NOT NULL DEFAULT '',
    description_cy     TEXT NOT NULL DEFAULT '',
    moderation         TEXT NOT NULL CHECK (moderation IN ('pre', 'post')),
    accepting          BOOLEAN NOT NULL DEFAULT TRUE,
    response_threshold INTEGER NOT NULL DEFAULT 0,
    debate_threshold   INTEGER NOT NULL DEFAULT 0,
    response_days      INTEGER NOT NULL DEFAULT 28,
    sponsors_needed    INTEGER NOT NULL DEFAULT 0,
    open_days          INTEGER NOT NULL DEFAULT 0,
    alert_per_hour     INTEGER NOT NULL DEFAULT 0,
    -- The categories as a JSON array of {slug, name_en, name_cy}: read and written whole.
    categories         TEXT NOT NULL DEFAULT '[]',
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX proposal_boards_org ON proposal_boards(org_id, id);

CREATE TABLE proposals (
    id            INTEGER PRIMARY KEY,
    board_id      INTEGER NOT NULL REFERENCES proposal_boards(id) ON DELETE CASCADE,
    org_id        INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name   TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    lang          TEXT NOT NULL DEFAULT 'en',
    category      TEXT NOT NULL DEFAULT '',
    stage         TEXT NOT NULL CHECK (stage IN ('sponsoring', 'pending', 'published', 'rejected', 'hidden')),
    status        TEXT NOT NULL CHECK (status IN ('open', 'under_consideration', 'planned', 'started', 'completed', 'declined', 'duplicate')),
    response_en   TEXT NOT NULL DEFAULT '',
    response_cy   TEXT NOT NULL DEFAULT '',
    status_at     TIMESTAMP,
    reason        TEXT NOT NULL DEFAULT '',
    sponsor_token TEXT UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    published_at  TIMESTAMP,
    closes_at     TIMESTAMP,
    threshold_at  TIMESTAMP,
    response_due  TIMESTAMP,
    responded_at  TIMESTAMP,
    debate_at     TIMESTAMP,
    -- Set when the staff were emailed about each threshold, so they are told once.
    threshold_notified_at TIMESTAMP,
    debate_notified_at    TIMESTAMP,
    merged_into   INTEGER REFERENCES proposals(id)
);
CREATE INDEX proposals_board ON proposals(board_id, stage, id);
CREATE INDEX proposals_org ON proposals(org_id, stage, id);
CREATE INDEX proposals_author ON proposals(author_id);
-- Staff look for proposals owing a response.
CREATE INDEX proposals_awaiting ON proposals(org_id, response_due) WHERE threshold_at IS NOT NULL AND responded_at IS NULL;

-- Similar proposals are found by full-text search on title and body.
CREATE VIRTUAL TABLE proposals_fts USING fts5(title, body, content='proposals', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
-- +goose StatementBegin
CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
    INSERT INTO proposals_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
    INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER proposals_fts_update AFTER UPDATE OF title, body ON proposals BEGIN
    INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO proposals_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd

-- Support counts, kept as the signatures and supports change. A proposal's
-- count is spread over rows by area and shard, so that no one row takes
-- every write in a spike; the total is their sum.
CREATE TABLE proposal_counts (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    area        TEXT NOT NULL DEFAULT '',
    shard       INTEGER NOT NULL DEFAULT 0,
    n           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (proposal_id, area, shard)
);

CREATE TABLE proposal_signatures (
    id             INTEGER PRIMARY KEY,
    proposal_id    INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    email_norm     TEXT NOT NULL,
    email_domain   TEXT NOT NULL,
    postcode       TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT 'GB',
    uk_resident    BOOLEAN NOT NULL DEFAULT FALSE,
    area           TEXT NOT NULL DEFAULT '',
    ip             TEXT NOT NULL DEFAULT '',
    sponsor        BOOLEAN NOT NULL DEFAULT FALSE,
    lang           TEXT NOT NULL DEFAULT 'en',
    token_hash     TEXT NOT NULL UNIQUE,
    created_at     TIMESTAMP NOT NULL,
    confirmed_at   TIMESTAMP,
    invalidated_at TIMESTAMP,
    invalidation_id INTEGER,
    -- The duplicate this signature came from when a merge moved it.
    merged_from    INTEGER,
    UNIQUE (proposal_id, email_norm)
);
CREATE INDEX proposal_signatures_created ON proposal_signatures(proposal_id, created_at);
-- No index on ip or email_domain: every index is paid for by every
-- signature of a spike, and only moderators' rare invalidations look up
-- by them (within one organisation's petitions).

CREATE TABLE proposal_supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    merged_from INTEGER,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX proposal_supports_user ON proposal_supports(user_id);

CREATE TABLE proposal_status_changes (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    response_en TEXT NOT NULL DEFAULT '',
    response_cy TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER,
    at          TIMESTAMP NOT NULL,
    -- Set when the supporters' emails went into the outbox, so they go once.
    notified_at TIMESTAMP
);
CREATE INDEX proposal_status_changes_proposal ON proposal_status_changes(proposal_id, id);

CREATE TABLE proposal_merges (
    id          INTEGER PRIMARY KEY,
    from_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    into_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    moved       INTEGER NOT NULL,
    already     INTEGER NOT NULL,
    actor_id    INTEGER,
    at          TIMESTAMP NOT NULL,
    notified_at TIMESTAMP
);

CREATE TABLE proposal_comments (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES proposal_comments(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('visible', 'hidden')),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments(proposal_id, id);

CREATE TABLE proposal_comment_reports (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL REFERENCES proposal_comments(id) ON DELETE CASCADE,
    reporter_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    UNIQUE (comment_id, reporter_id)
);
CREATE INDEX proposal_comment_reports_open ON proposal_comment_reports(comment_id) WHERE resolved_at IS NULL;

CREATE TABLE proposal_blocks (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('ip', 'domain', 'email')),
    value      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, kind, value)
);

CREATE TABLE proposal_invalidations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    proposal_id INTEGER,
    criteria    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    actor_id    INTEGER,
    at          TIMESTAMP NOT NULL
);

-- Postcode → area lookup, loaded by each organisation.
CREATE TABLE proposal_areas (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    prefix TEXT NOT NULL,
    code   TEXT NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (org_id, prefix)
);
-- Names of areas for the counts by area (CountsByArea).
CREATE INDEX proposal_areas_code ON proposal_areas(org_id, code);

-- Emails queued in bulk (a petition's confirmation links in a spike, a
-- status change to every supporter) have no job each: a recurring sweep
-- sends them in batches.
ALTER TABLE outbox ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE outbox ADD COLUMN next_try_at TIMESTAMP;
CREATE INDEX outbox_bulk_unsent ON outbox(id) WHERE bulk AND sent_at IS NULL;

-- +goose Down
DROP INDEX outbox_bulk_unsent;
ALTER TABLE outbox DROP COLUMN next_try_at;
ALTER TABLE outbox DROP COLUMN bulk;
DROP TABLE proposal_areas;
DROP TABLE proposal_invalidations;
DROP TABLE proposal_blocks;
DROP TABLE proposal_comment_reports;
DROP TABLE proposal_comments;
DROP TABLE proposal_merges;
DROP TABLE proposal_status_changes;
DROP TABLE proposal_supports;
DROP TABLE proposal_signatures;
DROP TABLE proposal_counts;
DROP TRIGGER proposals_fts_update;
DROP TRIGGER proposals_fts_delete;
DROP TRIGGER proposals_fts_insert;
DROP TABLE proposals_fts;
DROP TABLE proposals;
DROP TABLE proposal_boards;
