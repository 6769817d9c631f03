-- +goose Up
CREATE TABLE listening_feeds (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    site_url      TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    next_check_at TIMESTAMP NOT NULL,
    error_count   INTEGER NOT NULL DEFAULT 0,
    parked        BOOLEAN NOT NULL DEFAULT FALSE,
    last_error    TEXT NOT NULL DEFAULT '',
    checked_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX listening_feeds_url ON listening_feeds(org_id, url);
-- The poller's scan: due feeds that are not parked.
CREATE INDEX listening_feeds_due ON listening_feeds(next_check_at) WHERE NOT parked;

CREATE TABLE listening_rules (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    alert      TEXT NOT NULL CHECK (alert IN ('none', 'immediate', 'digest')),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX listening_rules_org ON listening_rules(org_id, id);

-- One row per item, however many feeds carried it: the link is normalised
-- (tracking parameters removed) before it is stored.
CREATE TABLE listening_mentions (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    feed_id      INTEGER REFERENCES listening_feeds(id) ON DELETE SET NULL,
    link         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    excerpt      TEXT NOT NULL DEFAULT '',
    author       TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMP,
    status       TEXT NOT NULL CHECK (status IN ('new', 'relevant', 'not_relevant', 'answered')),
    assignee_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    note         TEXT NOT NULL DEFAULT '',
    answer_url   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX listening_mentions_link ON listening_mentions(org_id, link);
CREATE INDEX listening_mentions_inbox ON listening_mentions(org_id, status, id);
CREATE INDEX listening_mentions_feed ON listening_mentions(feed_id, id);

CREATE TABLE listening_mention_rules (
    mention_id INTEGER NOT NULL REFERENCES listening_mentions(id) ON DELETE CASCADE,
    rule_id    INTEGER NOT NULL REFERENCES listening_rules(id) ON DELETE CASCADE,
    PRIMARY KEY (mention_id, rule_id)
) WITHOUT ROWID;
CREATE INDEX listening_mention_rules_rule ON listening_mention_rules(rule_id, mention_id);

-- +goose Down
DROP TABLE listening_mention_rules;
DROP TABLE listening_mentions;
DROP TABLE listening_rules;
DROP TABLE listening_feeds;
