-- Migration 16: help plans (措施到户, assistance/plans.py). A plan per household and year,
-- proposed by the system from the household's recommended measures and the help measures
-- (rules/help_measures.yaml), then kept by officers. Each measure of a plan is an item:
-- its current state in plan_items, every version of it (the first included) in
-- plan_item_history, which only grows.
CREATE TABLE help_plans (
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    starts DATE NOT NULL,
    catalogue VARCHAR NOT NULL,       -- the help measures' id and version
    proposed_by VARCHAR NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, year)
);
CREATE TABLE plan_items (
    item_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,         -- a help measure
    kind VARCHAR NOT NULL,
    deliverer VARCHAR NOT NULL,       -- the office, or the project, that delivers it
    programme VARCHAR NOT NULL,       -- the fund programme that pays
    cost_fen BIGINT NOT NULL,
    due_date DATE NOT NULL,
    officer VARCHAR,                  -- the username of the officer responsible
    state VARCHAR NOT NULL,           -- planned, under_way, delivered, verified, cancelled
    version INTEGER NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    note VARCHAR,
    PRIMARY KEY (item_id)
);
CREATE TABLE plan_item_history (
    item_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    village_code VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    deliverer VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    cost_fen BIGINT NOT NULL,
    due_date DATE NOT NULL,
    officer VARCHAR,
    state VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    note VARCHAR,
    PRIMARY KEY (item_id, version)
);
CREATE SEQUENCE plan_item_ids START 1;
INSERT INTO pc_append_only VALUES ('plan_item_history');
