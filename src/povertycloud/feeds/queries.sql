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

-- name: keep_links
-- a source's new links (link(...).pairs registered as new_links)
INSERT INTO feed_links (source, record_id, person_id, match_probability, matched_on,
  decision, linked_at, reason, evidence)
SELECT ?, CAST(left_key AS BIGINT), CAST(right_key AS BIGINT), match_probability,
  matched_on, decision, now(), reason, evidence
FROM new_links;

-- name: review_queue
-- the pairs under review of one source, or of all when it is NULL: by record (rivals
-- together), the record with the likeliest pair first
SELECT l.source, l.record_id, l.person_id, round(l.match_probability, 3) AS p,
  p.name AS registry_name, p.birth_date AS registry_birth_date, l.reason,
  count(*) OVER record AS candidates
FROM feed_links l JOIN people p USING (person_id)
WHERE l.decision = 'review' AND ($source IS NULL OR l.source = $source)
WINDOW record AS (PARTITION BY l.source, l.record_id)
ORDER BY max(l.match_probability) OVER record DESC, l.source, l.record_id,
  l.match_probability DESC, l.person_id;

-- name: decide_pair
-- the count, not RETURNING: DuckDB 1.5 misses the conflict of an UPDATE ... RETURNING
-- with another transaction's update of the row
UPDATE feed_links SET decision = ?
WHERE source = ? AND record_id = ? AND person_id = ? AND decision = 'review';

-- name: rivals_under_review
-- the record's other candidates still under review
SELECT person_id FROM feed_links
WHERE source = ? AND record_id = ? AND person_id <> ? AND decision = 'review'
ORDER BY person_id;

-- name: matched_person
-- the person another pair of the record matched, if any
SELECT person_id FROM feed_links
WHERE source = ? AND record_id = ? AND person_id <> ? AND decision = 'match' LIMIT 1;

-- name: reject_rivals
UPDATE feed_links SET decision = 'rejected'
WHERE source = ? AND record_id = ? AND person_id <> ? AND decision = 'review';

-- name: pair_decision
SELECT decision FROM feed_links WHERE source = ? AND record_id = ? AND person_id = ?;

-- name: village_of_person
SELECT h.village_code FROM people p JOIN households h USING (household_id)
WHERE p.person_id = ?;

-- name: review_pairs
-- the pairs under review of registry people whose village lies under $prefix, by feed
-- record (the likeliest first, 200 records at most), each with its person, household
-- and village, and how many candidates the record has in all (in other villages too)
SELECT source, record_id, person_id, p, reason, evidence, registry_name,
  registry_birth_date, registry_id_number, household_id, village_code, village_name,
  candidates
FROM (SELECT l.source, l.record_id, l.person_id, round(l.match_probability, 3) AS p,
        l.reason, l.evidence, r.name AS registry_name, r.birth_date AS registry_birth_date,
        r.id_number AS registry_id_number, r.household_id, h.village_code,
        g.name AS village_name,
        max(l.match_probability) OVER (PARTITION BY l.source, l.record_id) AS best,
        (SELECT count(*) FROM feed_links x WHERE x.source = l.source
           AND x.record_id = l.record_id AND x.decision = 'review') AS candidates
      FROM feed_links l JOIN people r USING (person_id)
      JOIN households h USING (household_id)
      LEFT JOIN regions g ON g.code = h.village_code
      WHERE l.decision = 'review' AND starts_with(h.village_code, $prefix))
QUALIFY dense_rank() OVER (ORDER BY best DESC, source, record_id) <= 200
ORDER BY best DESC, source, record_id, p DESC, person_id;

-- name: household_members
SELECT household_id, person_id, name, relation FROM people
WHERE list_contains($households, household_id) ORDER BY household_id, person_id;
