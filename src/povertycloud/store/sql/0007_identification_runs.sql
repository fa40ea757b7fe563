-- The record of each identification run: which year, on which engine, how many
-- households, and the rule versions used. Until this migration `identify` created it on
-- the fly, outside its transaction; stores that have it keep their rows.
CREATE TABLE IF NOT EXISTS identification_runs (
    run_id BIGINT,
    year BIGINT,
    engine VARCHAR,
    households BIGINT,
    finished_at TIMESTAMP,
    rules VARCHAR  -- JSON: the rule files' ids and versions
);
