-- +goose Up
-- A mention brought into an engagement: linked to the conversation it
-- speaks to, so staff running the conversation see what is said elsewhere.
ALTER TABLE listening_mentions ADD COLUMN conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE listening_mentions DROP COLUMN conversation_id;
