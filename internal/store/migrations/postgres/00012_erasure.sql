-- +goose Up
-- An erased account stays as an empty row, so that what the person
-- contributed (supports, votes, responses) still counts, but nothing in it
-- says who they were; a session of an erased account signs nobody in.
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN erased_at;
