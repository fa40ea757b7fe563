-- Dynamic management: the valid-time history of households and people, the proposals of
-- re-evaluation and the steps of their procedure, objections from the portal, and the
-- life cycle of villages and counties.

-- Superseded versions of a household or a person: the row as it was, valid from
-- valid_from (NULL: since it was first recorded) until valid_to (exclusive). The current
-- row stays in households / people and is valid from the latest valid_to here.
CREATE TABLE household_history AS
SELECT *, CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to,
       CAST(NULL AS VARCHAR) AS change, CAST(NULL AS VARCHAR) AS changed_by,
       CAST(NULL AS TIMESTAMP) AS changed_at
FROM households LIMIT 0;
CREATE TABLE person_history AS
SELECT *, CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to,
       CAST(NULL AS VARCHAR) AS change, CAST(NULL AS VARCHAR) AS changed_by,
       CAST(NULL AS TIMESTAMP) AS changed_at
FROM people LIMIT 0;

-- Runs of re-evaluation: yearly (the dynamic adjustment) or after events.
CREATE SEQUENCE reevaluation_ids START 1;
CREATE TABLE reevaluations (
    reevaluation_id BIGINT PRIMARY KEY DEFAULT nextval('reevaluation_ids'),
    trigger VARCHAR NOT NULL,         -- yearly or events
    year BIGINT NOT NULL,             -- the survey year evaluated
    as_of DATE NOT NULL,
    rules VARCHAR NOT NULL,           -- JSON: the rule versions used
    households BIGINT NOT NULL,
    proposals BIGINT NOT NULL,
    run_by VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL
);

-- A proposed change of status, for a household or a region, and where its procedure is.
CREATE SEQUENCE proposal_ids START 1;
CREATE TABLE proposals (
    proposal_id BIGINT PRIMARY KEY DEFAULT nextval('proposal_ids'),
    subject VARCHAR NOT NULL,         -- household, village or county
    household_id BIGINT,              -- for a household
    region_code VARCHAR NOT NULL,     -- the household's village, or the region itself
    kind VARCHAR NOT NULL,            -- enrol, exit, monitor, relapse, remove, end_monitoring, region_exit
    monitor_kind VARCHAR,             -- unstable_exited, marginal or sudden_hardship
    reasons VARCHAR NOT NULL,         -- JSON list of reason codes (public words in the code)
    evidence VARCHAR,                 -- JSON: the figures the proposal rests on
    procedure VARCHAR NOT NULL,       -- the procedure's id in rules/procedures.yaml
    rules VARCHAR NOT NULL,           -- the procedure file's id and version
    step VARCHAR NOT NULL,            -- the next step, or approved / rejected
    state VARCHAR NOT NULL,           -- open, approved or rejected
    origin VARCHAR NOT NULL,          -- yearly, events or officer
    reevaluation_id BIGINT,
    proposed_by VARCHAR NOT NULL,
    proposed_on DATE NOT NULL,
    due_on DATE,                      -- the whole procedure's deadline
    notice_from DATE,
    notice_until DATE,                -- last day of the public notice
    decided_on DATE,
    decision_reason VARCHAR,
    version BIGINT NOT NULL           -- steps taken; every step checks and bumps it
);

-- One open proposal per household or region: its key here until it is decided.
CREATE TABLE open_proposals (
    subject_key VARCHAR PRIMARY KEY,  -- 'household <id>' or 'region <code>'
    proposal_id BIGINT NOT NULL
);

-- Who did what, when: one row per step taken, objection or reopening.
CREATE TABLE proposal_steps (
    proposal_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,              -- the proposal's version this step made
    step VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,         -- done, approved, rejected, objection, reopened
    actor VARCHAR NOT NULL,
    role VARCHAR,
    region_code VARCHAR,              -- the actor's jurisdiction
    acted_on DATE NOT NULL,
    acted_at TIMESTAMP NOT NULL,
    note VARCHAR,                     -- minutes of an appraisal, reasons of a decision
    PRIMARY KEY (proposal_id, seq)
);

-- Objections to a proposal on public notice, filed on the portal as complaints.
CREATE TABLE objections (
    proposal_id BIGINT NOT NULL,
    complaint_id BIGINT NOT NULL,
    received_on DATE NOT NULL,
    PRIMARY KEY (proposal_id, complaint_id)
);

-- The life cycle of villages and counties: poor, exit_proposed, exited, consolidating.
CREATE SEQUENCE region_status_ids START 1;
CREATE TABLE region_status_changes (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('region_status_ids'),
    region_code VARCHAR NOT NULL,
    effective_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    proposal_id BIGINT,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
