-- +goose Up
-- A mention brought into a consultation as a response from the social
-- channel: the link is kept so the mention shows where it went and is not
-- attached twice. Deleting the response leaves the mention unattached.
ALTER TABLE listening_mentions ADD COLUMN consultation_response_id INTEGER REFERENCES consultation_responses(id) ON DELETE SET NULL;
-- One mention per response; the index also keeps deleting a consultation
-- with many responses from scanning the mentions once per response.
CREATE UNIQUE INDEX listening_mentions_response ON listening_mentions (consultation_response_id) WHERE consultation_response_id IS NOT NULL;

-- +goose Down
DROP INDEX listening_mentions_response;
ALTER TABLE listening_mentions DROP COLUMN consultation_response_id;
