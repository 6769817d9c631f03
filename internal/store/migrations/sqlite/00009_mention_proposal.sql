-- +goose Up
-- A mention linked to the idea or petition it speaks to, so the staff
-- answering the proposal see what is said about it elsewhere.
ALTER TABLE listening_mentions ADD COLUMN proposal_id INTEGER REFERENCES proposals(id) ON DELETE SET NULL;
CREATE INDEX listening_mentions_proposal ON listening_mentions (proposal_id) WHERE proposal_id IS NOT NULL;

-- The inbox search looks in a folded copy of the text (lower case, no
-- accents), written by Parley when a mention is saved; mentions saved
-- before this get a lower-cased copy.
ALTER TABLE listening_mentions ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE listening_mentions SET search_text = LOWER(title || ' ' || excerpt || ' ' || author);

-- +goose Down
ALTER TABLE listening_mentions DROP COLUMN search_text;
DROP INDEX listening_mentions_proposal;
ALTER TABLE listening_mentions DROP COLUMN proposal_id;
