-- The statements of the jobs' table (jobs/records.py).

-- name: add_job
INSERT INTO jobs (job_id, kind, parameters, file_name, user_id, username, state, done, total,
                  submitted_at)
VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, 0, now());

-- name: job
SELECT job_id, kind, parameters, file_name, username, state, step, done, total,
       submitted_at, started_at, finished_at, result, error
FROM jobs WHERE job_id = ?;

-- name: recent_jobs
SELECT job_id, kind, parameters, file_name, username, state, step, done, total,
       submitted_at, started_at, finished_at, result, error
FROM jobs ORDER BY job_id DESC LIMIT ?;

-- name: next_queued_job
SELECT min(job_id) FROM jobs WHERE state = 'queued';

-- name: claim_job
-- one job at a time per store, whichever process runs it
UPDATE jobs SET state = 'running', runner = ?, started_at = now()
WHERE job_id = ? AND state = 'queued'
  AND NOT EXISTS (SELECT 1 FROM jobs WHERE state = 'running');

-- name: job_progress
UPDATE jobs SET step = ?, done = ?, total = ? WHERE job_id = ?;

-- name: end_job
UPDATE jobs SET state = ?, done = CASE WHEN ? = 'done' THEN total ELSE done END,
                finished_at = now(), result = ?, error = ?
WHERE job_id = ?;

-- name: running_jobs
SELECT job_id, runner FROM jobs WHERE state = 'running';
