-- A department's corrections: each feed record a later delivery replaced, as it was.
CREATE TABLE feed_history (
    table_name VARCHAR NOT NULL,       -- the feed's table, feed_<source>
    record_key VARCHAR NOT NULL,       -- the record's key, as text
    record VARCHAR NOT NULL,           -- the record's fields as they were, as JSON
    batch_id BIGINT NOT NULL,          -- the batch that had brought it
    recorded_at TIMESTAMP NOT NULL,
    superseded_by BIGINT NOT NULL,     -- the batch whose record replaced it
    superseded_at TIMESTAMP NOT NULL
);
