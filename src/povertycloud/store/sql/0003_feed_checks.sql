-- Department feeds linked to the registry, and the conflict flags raised on them.
CREATE TABLE feed_links (
    source VARCHAR NOT NULL,
    record_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    match_probability DOUBLE NOT NULL,
    matched_on VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,  -- match or review
    linked_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE flag_ids START 1;
CREATE TABLE conflict_flags (
    flag_id BIGINT PRIMARY KEY DEFAULT nextval('flag_ids'),
    rule VARCHAR NOT NULL,
    rules_version VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    record_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    evidence VARCHAR NOT NULL,  -- the feed's record, as JSON
    raised_at TIMESTAMP NOT NULL,
    outcome VARCHAR,            -- confirmed, false_alarm or exempt, once verified
    verified_at TIMESTAMP,
    verified_by VARCHAR
);
