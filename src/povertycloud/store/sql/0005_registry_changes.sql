-- Changes to the registry that did not come from a batch of the standard's tables:
-- deaths and births from department signals, and merges of one person registered twice.
-- The person's row before the change is kept, as JSON, so nothing is lost.
CREATE SEQUENCE change_ids START 1;
CREATE TABLE registry_changes (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('change_ids'),
    change VARCHAR NOT NULL,      -- death, birth or merge
    person_id BIGINT NOT NULL,    -- the person changed, added, or merged away
    household_id BIGINT NOT NULL,
    before VARCHAR,               -- the person's row before the change; NULL when added
    source VARCHAR NOT NULL,      -- the feed that sent it, or 'registry' for a merge
    record_id BIGINT,             -- the feed's record; for a merge, the person kept
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
-- Pairs of people that may be one person registered twice, and what was decided.
CREATE TABLE registry_duplicates (
    person_id BIGINT NOT NULL,      -- the one to keep (the earlier registered)
    duplicate_id BIGINT NOT NULL,   -- the one to merge into it
    match_probability DOUBLE NOT NULL,
    matched_on VARCHAR NOT NULL,
    found_at TIMESTAMP NOT NULL,
    decision VARCHAR,               -- merged or distinct, once an officer decided
    decided_by VARCHAR,
    decided_at TIMESTAMP,
    PRIMARY KEY (person_id, duplicate_id)
);
