-- Migration 18: officers (assistance/officers.py, visits.py, kpis.py). Resident work teams
-- and their first secretaries in villages (因村派人); cadres paired with households
-- (结对帮扶); field visits logged from a phone, each with its flag when implausible (far
-- from the household's village, too fast after the officer's visit before); and the
-- record of officers called in, warned or recalled.
CREATE TABLE work_teams (
    team_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    sent_by VARCHAR NOT NULL,         -- the unit that sent the team
    starts DATE NOT NULL,
    ends DATE,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id)
);
CREATE TABLE team_members (
    team_id BIGINT NOT NULL,
    username VARCHAR NOT NULL,
    role VARCHAR NOT NULL,            -- first_secretary or member
    joined DATE NOT NULL,
    left_on DATE,
    PRIMARY KEY (team_id, username, joined)
);
CREATE TABLE help_pairs (
    username VARCHAR NOT NULL,
    household_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    paired_on DATE NOT NULL,
    ended_on DATE,
    paired_by VARCHAR NOT NULL,
    PRIMARY KEY (username, household_id, paired_on)
);
CREATE TABLE visits (
    visit_id BIGINT NOT NULL,
    username VARCHAR NOT NULL,
    household_id BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    visited_at TIMESTAMP NOT NULL,
    lat DOUBLE,
    lon DOUBLE,
    done VARCHAR NOT NULL,            -- what was done
    next_step VARCHAR,
    source VARCHAR NOT NULL,          -- phone, web or the file it came in
    recorded_at TIMESTAMP NOT NULL,
    km_outside DOUBLE,                -- from the household's village (0: inside)
    flag VARCHAR,                     -- far_away or too_fast; NULL: plausible
    flag_reason VARCHAR,
    PRIMARY KEY (visit_id)
);
CREATE TABLE officer_actions (
    action_id BIGINT NOT NULL,
    username VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,     -- the officer's jurisdiction
    kind VARCHAR NOT NULL,            -- call_in, warning, recall or commendation
    reason VARCHAR NOT NULL,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (action_id)
);
CREATE SEQUENCE work_team_ids START 1;
CREATE SEQUENCE visit_ids START 1;
CREATE SEQUENCE officer_action_ids START 1;
