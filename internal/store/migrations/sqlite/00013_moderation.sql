-- +goose Up
-- One queue per organisation for everything citizens write. An item is
-- opened the first time something is flagged (pre-moderation, a report, an
-- automatic signal) and reopened by a later report or an appeal; body keeps
-- what was written, so hidden content stays for appeal. Flags are the
-- reasons, one row each.
CREATE TABLE moderation_items (
    id                INTEGER PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('proposal', 'comment', 'statement', 'response', 'display_name')),
    target_id         BIGINT NOT NULL,
    author_id         BIGINT REFERENCES users(id) ON DELETE SET NULL,
    author_name       TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL,
    where_title       TEXT NOT NULL DEFAULT '',
    where_kind        TEXT NOT NULL DEFAULT '',
    where_id          BIGINT NOT NULL DEFAULT 0,
    held              BOOLEAN NOT NULL DEFAULT FALSE,
    state             TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    opened_at         TIMESTAMP NOT NULL,
    decision          TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL DEFAULT '',
    decided_by        BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at        TIMESTAMP,
    appeal_text       TEXT NOT NULL DEFAULT '',
    appealed_at       TIMESTAMP,
    appeal_outcome    TEXT NOT NULL DEFAULT '',
    appeal_reason     TEXT NOT NULL DEFAULT '',
    appeal_decided_at TIMESTAMP,
    -- what the author was last told (a decision, or appeal:<outcome>), so
    -- the email job run twice tells them once
    notified          TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, kind, target_id)
);
CREATE INDEX moderation_items_queue ON moderation_items(org_id, state, id);
CREATE INDEX moderation_items_author ON moderation_items(author_id) WHERE author_id IS NOT NULL;

CREATE TABLE moderation_flags (
    id          INTEGER PRIMARY KEY,
    item_id     BIGINT NOT NULL REFERENCES moderation_items(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    reporter_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX moderation_flags_item ON moderation_flags(item_id, id);
-- One report per person per item: reporting twice changes nothing.
CREATE UNIQUE INDEX moderation_flags_reporter ON moderation_flags(item_id, reporter_id) WHERE reporter_id IS NOT NULL;
-- Erasing an account finds its reports.
CREATE INDEX moderation_flags_reporter_id ON moderation_flags(reporter_id) WHERE reporter_id IS NOT NULL;

-- Comments' open reports join the queue: one open item per reported
-- comment, one report flag (category "other", the reason as its words)
-- per reporter. The old rows stay, for the people who made them.
INSERT INTO moderation_items (org_id, kind, target_id, author_id, author_name, body, where_title, where_kind, where_id, held, state, opened_at)
SELECT p.org_id, 'comment', c.id, c.author_id, c.author_name, c.body, p.title, 'proposal', p.id, FALSE, 'open', MIN(r.created_at)
FROM proposal_comments c
JOIN proposals p ON p.id = c.proposal_id
JOIN proposal_comment_reports r ON r.comment_id = c.id AND r.resolved_at IS NULL
GROUP BY p.org_id, c.id, c.author_id, c.author_name, c.body, p.title, p.id;
INSERT INTO moderation_flags (item_id, reason, category, detail, reporter_id, at)
SELECT i.id, 'report', 'other', r.reason, r.reporter_id, r.created_at
FROM proposal_comment_reports r
JOIN moderation_items i ON i.kind = 'comment' AND i.target_id = r.comment_id
WHERE r.resolved_at IS NULL
ORDER BY r.id;

-- An author's standing in one organisation: trusted authors skip
-- pre-moderation and signals; blocked ones may not write there.
CREATE TABLE moderation_standings (
    org_id   BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    standing TEXT NOT NULL CHECK (standing IN ('trusted', 'blocked')),
    set_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    set_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE moderation_settings (
    org_id        BIGINT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    words         TEXT NOT NULL DEFAULT '',
    guidelines_en TEXT NOT NULL DEFAULT '',
    guidelines_cy TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL
);

-- A response published with consent can be withheld by a moderator (or
-- held by a signal) without touching what the person consented to.
ALTER TABLE consultation_responses ADD COLUMN withheld BOOLEAN NOT NULL DEFAULT FALSE;
-- Whether responses published with consent wait for a moderator.
ALTER TABLE consultations ADD COLUMN moderation TEXT NOT NULL DEFAULT 'post' CHECK (moderation IN ('pre', 'post'));

-- What one person wrote lately, for the new-account signal (and erasure).
CREATE INDEX proposal_comments_author ON proposal_comments(author_id, created_at) WHERE author_id IS NOT NULL;
CREATE INDEX conversation_participants_user_only ON conversation_participants(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX consultation_responses_user ON consultation_responses(user_id, submitted_at) WHERE user_id IS NOT NULL;

-- +goose Down
DROP INDEX consultation_responses_user;
DROP INDEX conversation_participants_user_only;
DROP INDEX proposal_comments_author;
ALTER TABLE consultations DROP COLUMN moderation;
ALTER TABLE consultation_responses DROP COLUMN withheld;
DROP TABLE moderation_settings;
DROP TABLE moderation_standings;
DROP TABLE moderation_flags;
DROP TABLE moderation_items;
