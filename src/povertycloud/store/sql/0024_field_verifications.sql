-- Migration 24: households verified in the field (identification/verified.py): whether
-- the household is poor, its causes and, where measured, its income per capita, as the
-- officer who visited found them on a day; each file imported once. The models of
-- identification train on the latest verification of each household up to a day.
CREATE TABLE verification_imports (
    import_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,        -- SHA-256 of the file: the same file is taken once
    verifications BIGINT NOT NULL,
    imported_by VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (import_id)
);
CREATE SEQUENCE verification_import_ids START 1;

CREATE TABLE field_verifications (
    household_id BIGINT NOT NULL,
    verified_on DATE NOT NULL,
    verifier VARCHAR NOT NULL,        -- who visited (the form's user, or the file's)
    poor BOOLEAN NOT NULL,
    primary_cause VARCHAR,            -- a cause of the standard, when poor
    causes VARCHAR,                   -- every cause found, ';'-joined, alphabetical
    income_per_capita DOUBLE,         -- yuan a year, where the visit measured it
    import_id BIGINT NOT NULL,
    PRIMARY KEY (household_id, verified_on)
);
