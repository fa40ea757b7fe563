-- Migration 17: allocations of a county's budget (assistance/allocation.py): the problem's
-- terms, each method's outcome (the solver's and the greedy rules', as JSON), and what
-- each method chose: household measures (with the household) and village projects.
CREATE TABLE allocations (
    allocation_id BIGINT NOT NULL,
    county_code VARCHAR NOT NULL,
    year BIGINT NOT NULL,
    objective VARCHAR NOT NULL,       -- lifted or gap
    budget_fen BIGINT NOT NULL,
    limits VARCHAR NOT NULL,          -- JSON: programme -> fen
    summary VARCHAR NOT NULL,         -- JSON: the solver's figures, each method's outcome
    made_by VARCHAR NOT NULL,
    made_at TIMESTAMP NOT NULL,
    PRIMARY KEY (allocation_id)
);
CREATE TABLE allocation_items (
    allocation_id BIGINT NOT NULL,
    method VARCHAR NOT NULL,          -- milp, cheapest_first or poorest_first
    household_id BIGINT,              -- NULL: a village project
    village_code VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    cost_fen BIGINT NOT NULL
);
CREATE SEQUENCE allocation_ids START 1;
