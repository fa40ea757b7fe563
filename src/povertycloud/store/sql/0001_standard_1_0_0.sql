-- Migration 1: the tables of data standard 1.0.0, with batches and quarantine.
-- Frozen: a change to the standard adds a migration; it never edits this file.

CREATE TABLE regions (
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    parent_code VARCHAR,
    terrain VARCHAR,
    ethnic_minority_area BOOLEAN NOT NULL,
    revolutionary_base BOOLEAN NOT NULL,
    distance_to_county_km DOUBLE,
    road_access BOOLEAN NOT NULL,
    water_access BOOLEAN NOT NULL,
    electricity_access BOOLEAN NOT NULL,
    internet_access BOOLEAN NOT NULL,
    boundary VARCHAR,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code)
);

CREATE TABLE households (
    household_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    phone VARCHAR,
    registration_status VARCHAR NOT NULL,
    registration_year BIGINT,
    exit_year BIGINT,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id)
);

CREATE TABLE people (
    person_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    id_number VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,
    birth_date DATE NOT NULL,
    ethnicity VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    education VARCHAR NOT NULL,
    in_school BOOLEAN NOT NULL,
    chronic_illness BOOLEAN NOT NULL,
    serious_illness BOOLEAN NOT NULL,
    disability_kind VARCHAR NOT NULL,
    disability_grade BIGINT NOT NULL,
    labour_capacity VARCHAR NOT NULL,
    migrant_months BIGINT NOT NULL,
    medical_insurance BOOLEAN NOT NULL,
    critical_illness_insurance BOOLEAN NOT NULL,
    pension_insurance BOOLEAN NOT NULL,
    min_living_guarantee BOOLEAN NOT NULL,
    death_date DATE,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id)
);

CREATE TABLE household_years (
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    members BIGINT NOT NULL,
    wage_income BIGINT NOT NULL,
    business_income BIGINT NOT NULL,
    property_income BIGINT NOT NULL,
    transfer_income BIGINT NOT NULL,
    medical_expense BIGINT NOT NULL,
    education_expense BIGINT NOT NULL,
    debt_yuan BIGINT NOT NULL,
    asset_value_yuan BIGINT NOT NULL,
    land_mu DOUBLE NOT NULL,
    livestock_units DOUBLE NOT NULL,
    housing_grade VARCHAR NOT NULL,
    housing_area_m2 DOUBLE NOT NULL,
    water_source VARCHAR NOT NULL,
    drinking_water_safe BOOLEAN NOT NULL,
    electricity BOOLEAN NOT NULL,
    food_secure BOOLEAN NOT NULL,
    clothing_secure BOOLEAN NOT NULL,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE status_changes (
    household_id BIGINT NOT NULL,
    effective_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, effective_date)
);

CREATE TABLE events (
    event_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    person_id BIGINT,
    event_date DATE NOT NULL,
    kind VARCHAR NOT NULL,
    amount_yuan BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_id)
);

CREATE TABLE truth_household_years (
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    true_income_per_capita DOUBLE NOT NULL,
    true_welfare DOUBLE NOT NULL,
    true_poor BOOLEAN NOT NULL,
    primary_cause VARCHAR,
    causes VARCHAR,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, year)
);

CREATE TABLE batches (
    batch_id BIGINT PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    checksum VARCHAR,
    rows_in BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL
);

CREATE TABLE quarantine (
    batch_id BIGINT NOT NULL,
    table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    problems VARCHAR NOT NULL,
    record VARCHAR NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
);
