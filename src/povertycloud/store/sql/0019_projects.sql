-- Migration 19: projects of counties and villages (项目安排, assistance/projects.py): the
-- project library and each year's plan, beneficiary households, milestones, progress
-- reports with photo evidence (the photo's EXIF time and place checked against the
-- project's, flagged when off), acceptance. Photos are kept once by their SHA-256.
CREATE TABLE projects (
    project_id BIGINT NOT NULL,
    county_code VARCHAR NOT NULL,
    village_code VARCHAR,             -- NULL: a project of the county
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- road, water, housing, industry_base, cooperative,
                                      -- training, relocation_site, other
    year BIGINT,                      -- the year of the annual plan; NULL: in the library
    budget_fen BIGINT NOT NULL,
    programmes VARCHAR NOT NULL,      -- the fund programmes that pay, ';'-separated
    contractor VARCHAR,
    lat DOUBLE NOT NULL,              -- the site
    lon DOUBLE NOT NULL,
    radius_km DOUBLE NOT NULL,        -- a photo this near the site is on site
    starts DATE NOT NULL,
    ends DATE NOT NULL,
    status VARCHAR NOT NULL,          -- library, planned, under_way, completed, accepted,
                                      -- cancelled
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    accepted_by VARCHAR,
    accepted_at TIMESTAMP,
    acceptance_note VARCHAR,
    PRIMARY KEY (project_id)
);
CREATE TABLE project_households (
    project_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    PRIMARY KEY (project_id, household_id)
);
CREATE TABLE project_milestones (
    project_id BIGINT NOT NULL,
    milestone INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    due_date DATE NOT NULL,
    done_on DATE,
    PRIMARY KEY (project_id, milestone)
);
CREATE TABLE project_reports (
    report_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    milestone INTEGER,
    progress INTEGER NOT NULL,        -- per cent of the milestone (or the project) done
    note VARCHAR,
    reported_by VARCHAR NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    photo VARCHAR,                    -- the photo's SHA-256 (photos)
    taken_at TIMESTAMP,               -- from its EXIF
    photo_lat DOUBLE,
    photo_lon DOUBLE,
    km_from_site DOUBLE,
    flag VARCHAR,                     -- no_exif, no_gps, far_from_site, out_of_time
    flag_reason VARCHAR,
    PRIMARY KEY (report_id)
);
CREATE TABLE photos (
    sha256 VARCHAR NOT NULL,
    content BLOB NOT NULL,
    mime VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    stored_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sha256)
);
CREATE SEQUENCE project_ids START 1;
CREATE SEQUENCE project_report_ids START 1;
