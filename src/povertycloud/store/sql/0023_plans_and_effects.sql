-- Migration 23: the kinds of help each household received by year (data standard
-- 1.2.0), the effects of each kind on income measured from them (assessment/effects.py),
-- and each region's plan for a year with its lines by kind of measure
-- (assessment/targets.py).
CREATE TABLE household_measures (
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, year, kind)
);

CREATE TABLE measure_effects (
    run_id BIGINT NOT NULL,           -- one estimation: every kind at once
    kind VARCHAR NOT NULL,
    effect DOUBLE NOT NULL,           -- gain in log per-capita income the year after
    std_error DOUBLE NOT NULL,        -- clustered by village
    low DOUBLE NOT NULL,              -- 95% interval
    high DOUBLE NOT NULL,
    treated BIGINT NOT NULL,          -- household-years that received the kind
    observations BIGINT NOT NULL,     -- household-years compared
    placebo DOUBLE,                   -- the same model on the year before (should be 0)
    placebo_low DOUBLE,
    placebo_high DOUBLE,
    first_year BIGINT NOT NULL,
    last_year BIGINT NOT NULL,
    estimated_by VARCHAR NOT NULL,
    estimated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, kind)
);

CREATE TABLE region_plans (
    region_code VARCHAR NOT NULL,
    year BIGINT NOT NULL,
    households BIGINT NOT NULL,       -- households to lift out of poverty that year
    villages BIGINT NOT NULL,         -- poor villages to exit
    budget_fen BIGINT NOT NULL,
    source VARCHAR NOT NULL,          -- the file it came from, or "proposed"
    set_by VARCHAR NOT NULL,
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, year)
);

CREATE TABLE region_plan_measures (
    region_code VARCHAR NOT NULL,
    year BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    households BIGINT NOT NULL,       -- households to receive the kind
    budget_fen BIGINT NOT NULL,
    PRIMARY KEY (region_code, year, kind)
);

-- Who filled each household survey taken from a phone's form (intake/survey.py), and
-- when it was begun and ended, from the form's metadata: for the signs of surveys filled
-- too fast or by one officer for a whole village (assessment/ranking.py).
CREATE TABLE survey_submissions (
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    surveyor VARCHAR,
    started_at TIMESTAMP,
    ended_at TIMESTAMP,
    batch_id BIGINT NOT NULL,         -- the household_years batch it came in
    recorded_at TIMESTAMP NOT NULL
);
