-- Jobs the web server runs itself (an import, an intake, an identification, a
-- re-evaluation): what was asked, by whom, how far it got and how it ended. Kept so that
-- the list survives a restart; one runs at a time per store.
CREATE SEQUENCE job_ids START 1;
CREATE TABLE jobs (
    job_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- import, intake, identify, reevaluate
    parameters VARCHAR NOT NULL,      -- JSON: what the job was asked to do
    file_name VARCHAR,                -- the uploaded file's name, for an import or intake
    user_id BIGINT NOT NULL,
    username VARCHAR NOT NULL,        -- who started it
    state VARCHAR NOT NULL,           -- queued, running, done, failed
    step VARCHAR,                     -- the step under way
    done BIGINT NOT NULL,             -- steps done...
    total BIGINT NOT NULL,            -- ...of the steps in all
    submitted_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    runner VARCHAR,                   -- the process running it: host:pid
    result VARCHAR,                   -- JSON: the summary of a job done (or of its failure)
    error VARCHAR                     -- why it failed
);
