-- +goose Up
-- An organisation's own channels, beside the built-in ones.
CREATE TABLE measure_channels (
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    name_cy    TEXT NOT NULL DEFAULT '',
    digital    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, key)
);

-- Unit costs per contact, in pence, in force from a month (yyyymm; 0 from
-- the start) until a later row of the same channel.
CREATE TABLE measure_unit_costs (
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    from_month INTEGER NOT NULL,
    pence      INTEGER NOT NULL CHECK (pence >= 0),
    source     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, channel, from_month)
);

-- Streams of records: API datasets with an ingest token (only its hash),
-- an organisation's CSV imports, and Parley's own activity.
CREATE TABLE measure_datasets (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('api', 'csv', 'activity')),
    token_hash TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    -- How many records it holds, kept in step by every write: counting
    -- millions of records for a list would be too slow.
    records    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX measure_datasets_org ON measure_datasets(org_id, id);
-- One CSV dataset and one activity dataset per organisation.
CREATE UNIQUE INDEX measure_datasets_own ON measure_datasets(org_id, kind) WHERE kind <> 'api';

-- Records as they came in; day is yyyymmdd. ext_id is the ingest API's
-- _id: writing it again replaces the record. dataset_id has no foreign
-- key: checking one row by row doubles the cost of PostgreSQL's inserts,
-- and only the store writes records, always into a dataset it has read.
-- A trigger removes a deleted dataset's records instead.
CREATE TABLE measure_records (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL,
    ext_id       TEXT,
    org_id       INTEGER NOT NULL,
    service      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    day          INTEGER NOT NULL,
    contacts     INTEGER NOT NULL DEFAULT 0,
    transactions INTEGER NOT NULL DEFAULT 0,
    started      INTEGER NOT NULL DEFAULT 0,
    completed    INTEGER NOT NULL DEFAULT 0,
    satisfied    INTEGER NOT NULL DEFAULT 0,
    rated        INTEGER NOT NULL DEFAULT 0,
    received_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX measure_records_ext ON measure_records(dataset_id, ext_id);
-- Downloads page through a dataset's records in id order.
CREATE INDEX measure_records_dataset ON measure_records(dataset_id, id);
-- +goose StatementBegin
CREATE TRIGGER measure_datasets_delete AFTER DELETE ON measure_datasets BEGIN
    DELETE FROM measure_records WHERE dataset_id = old.id;
END;
-- +goose StatementEnd

-- Monthly totals (month is yyyymm), kept in step with the records in the
-- same transaction: the dashboards read these, never the records.
CREATE TABLE measure_monthly (
    month        INTEGER NOT NULL,
    org_id       INTEGER NOT NULL,
    service      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    contacts     INTEGER NOT NULL DEFAULT 0,
    transactions INTEGER NOT NULL DEFAULT 0,
    started      INTEGER NOT NULL DEFAULT 0,
    completed    INTEGER NOT NULL DEFAULT 0,
    satisfied    INTEGER NOT NULL DEFAULT 0,
    rated        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, org_id, service, channel)
);
CREATE INDEX measure_monthly_org ON measure_monthly(org_id, month);

-- Publishing, population and the census-style baseline of age bands (a
-- JSON object of band → share).
CREATE TABLE measure_settings (
    org_id          INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    public          BOOLEAN NOT NULL DEFAULT FALSE,
    population      INTEGER NOT NULL DEFAULT 0,
    baseline        TEXT NOT NULL DEFAULT '{}',
    baseline_source TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);

-- The optional age band a respondent gave (see measure.AgeBands), for
-- representativeness; empty: not given.
ALTER TABLE consultation_responses ADD COLUMN age_band TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE consultation_responses DROP COLUMN age_band;
DROP TABLE measure_settings;
DROP TABLE measure_monthly;
DROP TRIGGER measure_datasets_delete;
DROP TABLE measure_records;
DROP TABLE measure_datasets;
DROP TABLE measure_unit_costs;
DROP TABLE measure_channels;
