-- Migration 22: third-party assessments of a county (assessment/): the design with its
-- frame's version, the villages and households drawn (with their inclusion
-- probabilities), the assessors' returns, and the rates estimated from them by region,
-- which the exit criteria of villages and counties read.
CREATE TABLE assessment_designs (
    assessment_id BIGINT NOT NULL,
    county_code VARCHAR NOT NULL,
    as_of DATE NOT NULL,              -- the day of the frame: registry, statuses, villages
    survey_year BIGINT NOT NULL,      -- the year whose incomes and guarantees are judged
    rules VARCHAR NOT NULL,           -- the rule file's id and version
    seed BIGINT NOT NULL,
    frame_version VARCHAR NOT NULL,   -- SHA-256 of the frame (villages, households, groups)
    frame_households BIGINT NOT NULL,
    sizes VARCHAR NOT NULL,           -- JSON: the design's sizes per stratum and group
    status VARCHAR NOT NULL,          -- designed, drawn
    made_by VARCHAR NOT NULL,
    made_at TIMESTAMP NOT NULL,
    drawn_at TIMESTAMP,
    PRIMARY KEY (assessment_id)
);
CREATE SEQUENCE assessment_ids START 1;
CREATE TABLE assessment_villages (
    assessment_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,         -- poor or other village, by terrain
    households BIGINT NOT NULL,       -- its size in the frame
    probability DOUBLE NOT NULL,      -- of drawing the village
    assessor VARCHAR,
    PRIMARY KEY (assessment_id, village_code)
);
CREATE TABLE assessment_households (
    assessment_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    grp VARCHAR NOT NULL,             -- registered, exited, not_registered (in the frame)
    members BIGINT NOT NULL,          -- in the registry on the frame's day
    probability DOUBLE NOT NULL,      -- of drawing the household (village x within)
    weight DOUBLE NOT NULL,           -- 1 / probability
    PRIMARY KEY (assessment_id, household_id)
);
CREATE TABLE assessment_returns (
    assessment_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    assessor VARCHAR NOT NULL,
    visited_on DATE NOT NULL,
    members BIGINT NOT NULL,
    income_per_capita DOUBLE NOT NULL, -- yuan a year, as the assessor measured it
    food_secure BOOLEAN NOT NULL,
    clothing_secure BOOLEAN NOT NULL,
    education_ok BOOLEAN NOT NULL,
    medical_ok BOOLEAN NOT NULL,
    housing_safe BOOLEAN NOT NULL,
    water_safe BOOLEAN NOT NULL,
    excluded BOOLEAN NOT NULL,        -- an exclusion rule holds (car, business, employee...)
    satisfied_policy INTEGER NOT NULL, -- 1 satisfied, 2 basically satisfied, 3 not
    satisfied_help INTEGER NOT NULL,
    satisfied_exit INTEGER,           -- exited households only
    satisfied_cadres INTEGER NOT NULL,
    verdict VARCHAR NOT NULL,         -- the assessor's: poor or not_poor
    standard_verdict VARCHAR NOT NULL, -- the answers judged by the standard of the year
    note VARCHAR,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, household_id)
);
CREATE TABLE assessment_imports (
    import_id BIGINT NOT NULL,
    assessment_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,        -- SHA-256 of the file: the same file twice adds nothing
    returns BIGINT NOT NULL,
    imported_by VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (import_id)
);
CREATE SEQUENCE assessment_import_ids START 1;
CREATE TABLE assessment_estimates (
    assessment_id BIGINT NOT NULL,
    region_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,           -- county, township or village
    rate VARCHAR NOT NULL,            -- wrong_exit, missed, misidentified, approval,
                                      -- integrated_incidence
    estimate DOUBLE,                  -- a proportion; NULL: nobody of the domain sampled
    ci_low DOUBLE,                    -- the interval at the design's confidence
    ci_high DOUBLE,
    sampled BIGINT NOT NULL,          -- units of the domain in the returns
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (assessment_id, region_code, rate)
);
