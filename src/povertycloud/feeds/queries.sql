-- The statements of conflict flags and the review queue (feeds/checks.py, feeds/flags.py).

-- name: flag_outcome
SELECT outcome FROM conflict_flags WHERE flag_id = ?;

-- name: record_outcome
-- one statement: of two officers at once, only one records an outcome
UPDATE conflict_flags SET outcome = ?, verified_at = ?, verified_by = ?
WHERE flag_id = ? AND outcome IS NULL;

-- name: open_flags
SELECT c.flag_id, c.rule, c.source, c.record_id, c.household_id, h.village_code,
  c.evidence, c.raised_at, c.outcome, c.verified_by
FROM conflict_flags c JOIN households h USING (household_id)
WHERE starts_with(h.village_code, ?)
ORDER BY c.outcome IS NOT NULL, c.flag_id;

-- name: village_of_flag
SELECT h.village_code FROM conflict_flags c JOIN households h USING (household_id)
WHERE c.flag_id = ?;

-- name: precision_by_rule
-- precision: confirmed among the verified flags that were not exempt
SELECT c.rule, count(*), count(c.outcome), count(*) FILTER (WHERE c.outcome = 'confirmed'),
  count(*) FILTER (WHERE c.outcome = 'confirmed')
    / nullif(count(*) FILTER (WHERE c.outcome IN ('confirmed', 'false_alarm')), 0)
FROM conflict_flags c JOIN households h USING (household_id)
WHERE starts_with(h.village_code, ?) GROUP BY c.rule ORDER BY c.rule;

-- name: review_queue
-- the pairs under review of one source, or of all when it is NULL
SELECT l.source, l.record_id, l.person_id, round(l.match_probability, 3) AS p,
  p.name AS registry_name, p.birth_date AS registry_birth_date
FROM feed_links l JOIN people p USING (person_id)
WHERE l.decision = 'review' AND ($source IS NULL OR l.source = $source)
ORDER BY l.match_probability DESC;

-- name: decide_pair
-- the count, not RETURNING: DuckDB 1.5 misses the conflict of an UPDATE ... RETURNING
-- with another transaction's update of the row
UPDATE feed_links SET decision = ?
WHERE source = ? AND record_id = ? AND person_id = ? AND decision = 'review';

-- name: pair_decision
SELECT decision FROM feed_links WHERE source = ? AND record_id = ? AND person_id = ?;

-- name: village_of_person
SELECT h.village_code FROM people p JOIN households h USING (household_id)
WHERE p.person_id = ?;
