-- The statements of the assessment (assessment/).

-- name: insert_design
INSERT INTO assessment_designs (assessment_id, county_code, as_of, survey_year, rules, seed,
  frame_version, frame_households, sizes, status, made_by, made_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'designed', ?, ?)

-- name: design
SELECT * FROM assessment_designs WHERE assessment_id = ?

-- name: designs
-- the assessments of counties under a prefix, the latest first, with their progress
SELECT d.assessment_id, d.county_code, g.name AS county_name, d.as_of, d.survey_year,
  d.status, d.made_by, d.made_at, d.frame_households,
  (SELECT count(*) FROM assessment_households h WHERE h.assessment_id = d.assessment_id)
    AS sampled,
  (SELECT count(*) FROM assessment_returns r WHERE r.assessment_id = d.assessment_id)
    AS returned
FROM assessment_designs d LEFT JOIN regions g ON g.code = d.county_code
WHERE starts_with(d.county_code, ?)
ORDER BY d.assessment_id DESC

-- name: insert_villages
-- the drawn villages of _drawn_villages into assessment ?
INSERT INTO assessment_villages (assessment_id, village_code, stratum, households,
  probability, assessor)
SELECT ?, village_code, stratum, households, probability, assessor FROM _drawn_villages

-- name: insert_households
-- the drawn households of _drawn_households into assessment ?
INSERT INTO assessment_households (assessment_id, household_id, village_code, grp, members,
  probability, weight)
SELECT ?, household_id, village_code, grp, members, probability, 1.0 / probability
FROM _drawn_households

-- name: mark_drawn
UPDATE assessment_designs SET status = 'drawn', drawn_at = ? WHERE assessment_id = ?

-- name: sample_villages
SELECT v.*, g.name AS village_name,
  (SELECT count(*) FROM assessment_households h WHERE h.assessment_id = v.assessment_id
     AND h.village_code = v.village_code) AS households_drawn
FROM assessment_villages v LEFT JOIN regions g ON g.code = v.village_code
WHERE v.assessment_id = ? ORDER BY v.village_code

-- name: sample_list
-- the households drawn, each with its village, address, head and assessor: the list
-- the assessors take to the field
SELECT h.household_id, h.village_code, g.name AS village_name, a.address, h.grp, h.members,
  v.assessor,
  (SELECT min_by(p.name, p.person_id) FROM people p WHERE p.household_id = h.household_id
     AND p.relation = 'head') AS head
FROM assessment_households h
JOIN assessment_villages v ON v.assessment_id = h.assessment_id
  AND v.village_code = h.village_code
LEFT JOIN regions g ON g.code = h.village_code
LEFT JOIN households a ON a.household_id = h.household_id
WHERE h.assessment_id = ? ORDER BY h.village_code, h.household_id

-- name: insert_returns
-- the checked returns of _returns into assessment ?1, from import ?2, each judged by the
-- standard ({standard_verdict}: the income line and the guarantees of the survey year)
INSERT INTO assessment_returns (assessment_id, household_id, assessor, visited_on, members,
  income_per_capita, food_secure, clothing_secure, education_ok, medical_ok, housing_safe,
  water_safe, excluded, satisfied_policy, satisfied_help, satisfied_exit, satisfied_cadres,
  verdict, standard_verdict, note, import_id)
SELECT ?1, household_id, assessor, visited_on, members, income_per_capita, food_secure,
  clothing_secure, education_ok, medical_ok, housing_safe, water_safe, excluded,
  CAST(satisfied_policy AS INTEGER), CAST(satisfied_help AS INTEGER),
  CASE WHEN grp = 'exited' THEN CAST(satisfied_exit AS INTEGER) END,
  CAST(satisfied_cadres AS INTEGER), verdict, {standard_verdict}, note, ?2
FROM _returns

-- name: estimation_rows
-- one row a return of assessment ?: its village, stratum, weight, members, group, and
-- who counts in each rate ({cases}: rate and rate_over; {approves}: the approval)
SELECT h.household_id, h.village_code, v.stratum, h.weight, r.members, h.grp, {cases},
  {approves} AS approves
FROM assessment_returns r
JOIN assessment_households h ON h.assessment_id = r.assessment_id
  AND h.household_id = r.household_id
JOIN assessment_villages v ON v.assessment_id = h.assessment_id
  AND v.village_code = h.village_code
WHERE r.assessment_id = ?
ORDER BY h.household_id

-- name: insert_estimates
INSERT INTO assessment_estimates (assessment_id, region_code, level, rate, estimate, ci_low,
  ci_high, sampled, computed_at)
SELECT assessment_id, region_code, level, rate, estimate, ci_low, ci_high, sampled,
  computed_at FROM _estimates

-- name: approval_by_party
-- the approval ({approves}) of the latest assessment of a frame on or before ?1 in the
-- region ?2 (a code prefix), weighted: among helped households (registered, exited) and
-- among the others, with how many of each were sampled
WITH latest AS (
  SELECT assessment_id FROM assessment_designs
  WHERE as_of <= ?1 AND starts_with(?2, substr(county_code, 1, 6))
  ORDER BY as_of DESC, assessment_id DESC LIMIT 1)
SELECT
  sum(h.weight * CASE WHEN {approves} THEN 1 ELSE 0 END) FILTER (h.grp <> 'not_registered')
    / sum(h.weight) FILTER (h.grp <> 'not_registered') AS helped,
  count(*) FILTER (h.grp <> 'not_registered') AS helped_n,
  sum(h.weight * CASE WHEN {approves} THEN 1 ELSE 0 END) FILTER (h.grp = 'not_registered')
    / sum(h.weight) FILTER (h.grp = 'not_registered') AS others,
  count(*) FILTER (h.grp = 'not_registered') AS others_n
FROM assessment_returns r
JOIN assessment_households h ON h.assessment_id = r.assessment_id
  AND h.household_id = r.household_id
WHERE r.assessment_id = (SELECT assessment_id FROM latest)
  AND starts_with(h.village_code, ?2)

-- name: projects_accepted
-- of the projects of the region ?1 (a code prefix) due by ?2, not cancelled: accepted, all
SELECT count(*) FILTER (status = 'accepted' AND accepted_at <= CAST(?2 AS DATE) + 1),
  count(*)
FROM projects
WHERE starts_with(coalesce(village_code, county_code), ?1) AND ends <= ?2
  AND status <> 'cancelled' AND year IS NOT NULL

-- name: assessed_accuracy
-- by region of level ?2 under ?3: 100 - the misidentification rate (percent) of the
-- latest assessment whose frame is of ?1 or before
SELECT region_code, 100 * (1 - estimate) FROM (
  SELECT e.region_code, e.estimate FROM assessment_estimates e
  JOIN assessment_designs d ON d.assessment_id = e.assessment_id
  WHERE d.as_of <= ?1 AND e.level = ?2 AND e.rate = 'misidentified'
    AND starts_with(e.region_code, ?3)
  QUALIFY row_number() OVER (PARTITION BY e.region_code
                             ORDER BY d.as_of DESC, e.assessment_id DESC) = 1)

-- name: indicator_conflict_free
-- by region ({region} of village_code) under ?2: the percent of households registered,
-- exited or monitored on ?1 without a conflict flag raised by then that is confirmed or
-- not yet verified, and how many households that is of
WITH status AS (
  SELECT household_id, max_by(status, effective_date) AS status FROM status_changes
  WHERE effective_date <= ?1 GROUP BY household_id),
helped AS (
  SELECT s.household_id, h.village_code FROM status s JOIN households h USING (household_id)
  WHERE s.status IN ('registered_poor', 'exited', 'monitored')
    AND starts_with(h.village_code, ?2))
SELECT {region} AS region_code, 100.0 * count(*) FILTER (NOT EXISTS (
    SELECT 1 FROM conflict_flags f WHERE f.household_id = helped.household_id
      AND f.raised_at < CAST(?1 AS DATE) + 1
      AND coalesce(f.outcome, 'confirmed') = 'confirmed')) / count(*), count(*)
FROM helped GROUP BY 1

-- name: indicator_update_days
-- by region: the median days from a conflict flag confirmed in year ?2 (verified by ?1)
-- to the household's next status change, under ?3
WITH confirmed AS (
  SELECT f.household_id, CAST(f.verified_at AS DATE) AS verified_on, h.village_code
  FROM conflict_flags f JOIN households h ON h.household_id = f.household_id
  WHERE f.outcome = 'confirmed' AND year(f.verified_at) = ?2
    AND f.verified_at < CAST(?1 AS DATE) + 1 AND starts_with(h.village_code, ?3)),
followed AS (
  SELECT c.village_code, min(s.effective_date) - c.verified_on AS days
  FROM confirmed c JOIN status_changes s ON s.household_id = c.household_id
    AND s.effective_date >= c.verified_on
  GROUP BY c.household_id, c.village_code, c.verified_on)
SELECT {region} AS region_code, median(days) FROM followed GROUP BY 1

-- name: indicator_income_growth
-- by region: the median growth (percent) of income per capita from year ?2 - 1 to ?2 of
-- households registered, exited or monitored on ?1, under ?3
WITH status AS (
  SELECT household_id, max_by(status, effective_date) AS status FROM status_changes
  WHERE effective_date <= ?1 GROUP BY household_id)
SELECT {region} AS region_code, median(growth) FROM (
  SELECT n.village_code, 100.0 * (n.income_per_capita / p.income_per_capita - 1) AS growth
  FROM household_indicators n
  JOIN household_indicators p ON p.household_id = n.household_id AND p.year = n.year - 1
  JOIN status s ON s.household_id = n.household_id
  WHERE n.year = ?2 AND s.status IN ('registered_poor', 'exited', 'monitored')
    AND p.income_per_capita > 0 AND starts_with(n.village_code, ?3))
GROUP BY 1

-- name: indicator_measures_delivered
-- by region: the percent of the help measures of year ?2 due by ?1 (not cancelled) that
-- are delivered or verified, under ?3
SELECT {region} AS region_code,
  100.0 * count(*) FILTER (state IN ('delivered', 'verified')) / count(*)
FROM plan_items
WHERE year = ?2 AND due_date <= ?1 AND state <> 'cancelled' AND starts_with(village_code, ?3)
GROUP BY 1

-- name: indicator_complaints_in_time
-- by region: the percent of complaints filed in year ?2 (due by ?1) answered by their
-- deadline, under ?3
SELECT {region} AS region_code,
  100.0 * count(*) FILTER (answered_at IS NOT NULL AND answered_at <= due_at) / count(*)
FROM (SELECT *, region_code AS village_code FROM complaints)
WHERE year(filed_at) = ?2 AND due_at < CAST(?1 AS DATE) + 1 AND starts_with(region_code, ?3)
GROUP BY 1

-- name: just_above_line
-- by village under ?2: households that exited in year ?1 with an income per capita that
-- year at or just above the line (under line x (1 + ?3)) after one below it the year
-- before, and all the year's exits
WITH exits AS (
  SELECT DISTINCT household_id FROM status_changes
  WHERE status = 'exited' AND year(effective_date) = ?1)
SELECT n.village_code, g.name AS village_name,
  count(*) FILTER (n.income_per_capita >= n.poverty_line
    AND n.income_per_capita < n.poverty_line * (1 + ?3)
    AND p.income_per_capita < p.poverty_line) AS just_above,
  count(*) AS exits
FROM exits x
JOIN household_indicators n ON n.household_id = x.household_id AND n.year = ?1
LEFT JOIN household_indicators p ON p.household_id = x.household_id AND p.year = ?1 - 1
LEFT JOIN regions g ON g.code = n.village_code
WHERE starts_with(n.village_code, ?2)
GROUP BY n.village_code, g.name

-- name: identical_answers
-- by village under ?2: groups of households whose survey answers of year ?1 are all the
-- same, of at least ?3 households: how many groups and households
SELECT village_code, any_value(village_name) AS village_name, count(*) AS groups,
  sum(households) AS households
FROM (
  SELECT h.village_code, g.name AS village_name, count(*) AS households
  FROM household_years y JOIN households h ON h.household_id = y.household_id
  LEFT JOIN regions g ON g.code = h.village_code
  WHERE y.year = ?1 AND starts_with(h.village_code, ?2)
  GROUP BY h.village_code, g.name, y.members, y.wage_income, y.business_income,
    y.property_income, y.transfer_income, y.medical_expense, y.education_expense,
    y.debt_yuan, y.asset_value_yuan, y.land_mu, y.livestock_units, y.housing_grade,
    y.housing_area_m2, y.water_source, y.drinking_water_safe, y.electricity,
    y.food_secure, y.clothing_secure
  HAVING count(*) >= ?3)
GROUP BY village_code

-- name: fast_surveys
-- by village under ?2: the surveys of year ?1 taken from phones, those filled in under ?3
-- minutes (at least ?4 of them), and the fastest's minutes
SELECT h.village_code, any_value(g.name) AS village_name, count(*) AS surveys,
  count(*) FILTER (WHERE date_diff('second', s.started_at, s.ended_at) < ?3 * 60) AS fast,
  min(date_diff('second', s.started_at, s.ended_at)) / 60.0 AS fastest
FROM survey_submissions s JOIN households h ON h.household_id = s.household_id
LEFT JOIN regions g ON g.code = h.village_code
WHERE s.year = ?1 AND starts_with(h.village_code, ?2) AND s.ended_at IS NOT NULL
GROUP BY h.village_code
HAVING fast >= ?4

-- name: one_surveyor
-- villages under ?2 whose surveys of year ?1 taken from phones, at least ?3, were all
-- filled by one surveyor
SELECT h.village_code, any_value(g.name) AS village_name, count(*) AS surveys,
  min(s.surveyor) AS surveyor
FROM survey_submissions s JOIN households h ON h.household_id = s.household_id
LEFT JOIN regions g ON g.code = h.village_code
WHERE s.year = ?1 AND starts_with(h.village_code, ?2) AND s.surveyor IS NOT NULL
GROUP BY h.village_code
HAVING count(*) >= ?3 AND count(DISTINCT s.surveyor) = 1

-- name: effects_frame
-- one row per household and year t it ended registered poor, in the regions under ?1 (a
-- code prefix), with incomes surveyed in t - 1, t and t + 1: the change of its log income
-- per capita over the year after t and over the year before, its level in t - 1 and t,
-- its village, whether it was registered a year before and for how many years (up to 5),
-- the kinds of help it received in
-- t, in t - 1 and before ({kinds}: a 0/1 column each, now_<kind>, then_<kind> and
-- before_<kind>), and what the registry saw of it in t (land, workers, students, elders,
-- remoteness, unsafe housing)
WITH y AS (
  SELECT household_id, year,
         ln(greatest(wage_income + business_income + property_income + transfer_income, 1)
            / members) AS log_income,
         land_mu / members >= 1 AS much_land, housing_grade IN ('C', 'D') AS unsafe_housing
  FROM household_years),
helped AS (
  SELECT y.household_id, y.year,
         coalesce(arg_max(c.status, c.effective_date) FILTER (
           WHERE c.effective_date <= make_date(CAST(y.year AS INTEGER) - 1, 12, 31))
           = 'registered_poor', false) AS registered_before,
         y.year - year(min(c.effective_date) FILTER (WHERE c.status = 'registered_poor'))
           AS years_registered
  FROM y JOIN households h ON h.household_id = y.household_id
  JOIN status_changes c ON c.household_id = y.household_id
   AND c.effective_date <= make_date(CAST(y.year AS INTEGER), 12, 31)
  WHERE starts_with(h.village_code, ?1)
  GROUP BY y.household_id, y.year
  HAVING arg_max(c.status, c.effective_date) = 'registered_poor'),
members AS (
  SELECT h.household_id, h.year,
         bool_or(h.year - year(p.birth_date) BETWEEN 16 AND 50 AND NOT p.in_school) AS workers,
         bool_or(h.year - year(p.birth_date) BETWEEN 15 AND 22 AND p.in_school) AS students,
         bool_or(h.year - year(p.birth_date) >= 60) AS elders
  FROM helped h JOIN people p ON p.household_id = h.household_id
   AND year(p.birth_date) <= h.year
   AND (p.death_date IS NULL OR year(p.death_date) >= h.year)
  GROUP BY h.household_id, h.year),
received AS (
  SELECT h.household_id, h.year, {received}
  FROM helped h JOIN household_measures m ON m.household_id = h.household_id
   AND m.year <= h.year
  GROUP BY h.household_id, h.year)
SELECT h.household_id, h.year, hh.village_code,
       y1.log_income - y0.log_income AS change_after,
       y0.log_income - yb.log_income AS change_before,
       y0.log_income AS level, yb.log_income AS level_before, h.registered_before,
       least(h.years_registered, 5) AS years_registered,
       y0.much_land, coalesce(m.workers, false) AS workers,
       coalesce(m.students, false) AS students, coalesce(m.elders, false) AS elders,
       NOT r.road_access OR coalesce(r.distance_to_county_km, 0) > 50 AS remote,
       y0.unsafe_housing, {kinds}
FROM helped h
JOIN households hh ON hh.household_id = h.household_id
JOIN regions r ON r.code = hh.village_code
JOIN y y0 ON y0.household_id = h.household_id AND y0.year = h.year
JOIN y y1 ON y1.household_id = h.household_id AND y1.year = h.year + 1
JOIN y yb ON yb.household_id = h.household_id AND yb.year = h.year - 1
LEFT JOIN members m ON m.household_id = h.household_id AND m.year = h.year
LEFT JOIN received k ON k.household_id = h.household_id AND k.year = h.year
ORDER BY h.household_id, h.year

-- name: insert_effects
-- the effects of _effects as run ?1, estimated by ?2 at ?3
INSERT INTO measure_effects
SELECT ?1, kind, effect, std_error, low, high, treated, observations, placebo,
       placebo_low, placebo_high, first_year, last_year, ?2, ?3
FROM _effects

-- name: latest_effects
-- the effects of the latest run
SELECT * FROM measure_effects
WHERE run_id = (SELECT max(run_id) FROM measure_effects)
ORDER BY kind

-- name: delete_region_plans
-- the plans the checked file _plans replaces, and their lines
DELETE FROM region_plans p USING _plans f
WHERE f.kind IS NULL AND p.region_code = f.region_code AND p.year = f.year

-- name: delete_region_plan_lines
DELETE FROM region_plan_measures p USING _plans f
WHERE f.kind IS NULL AND p.region_code = f.region_code AND p.year = f.year

-- name: insert_region_plans
-- the plans of _plans, from the file ?1, set by ?2 at ?3
INSERT INTO region_plans
SELECT region_code, year, households, villages, budget_yuan * 100, ?1, ?2, ?3
FROM _plans WHERE kind IS NULL

-- name: insert_region_plan_lines
INSERT INTO region_plan_measures
SELECT region_code, year, kind, households, coalesce(budget_yuan, 0) * 100
FROM _plans WHERE kind IS NOT NULL

-- name: delete_region_plan
-- the plan of the region ? for the year ?
DELETE FROM region_plans WHERE region_code = ? AND year = ?

-- name: delete_region_plan_measures
DELETE FROM region_plan_measures WHERE region_code = ? AND year = ?

-- name: insert_plan_of_allocation
-- the plan of the region ?1 for ?2: ?3 households and ?4 villages to lift, the budget
-- what the solver of allocation ?8 spent, from ?5, set by ?6 at ?7
INSERT INTO region_plans
SELECT ?1, ?2, ?3, ?4, coalesce(sum(cost_fen), 0), ?5, ?6, ?7
FROM allocation_items WHERE allocation_id = ?8 AND method = 'milp'

-- name: insert_plan_lines_of_allocation
-- a line of the plan of ?1 for ?2 per kind of measure the solver of allocation ?3 chose
-- ({kinds}: WHEN measure THEN its kind): households given it and its cost
INSERT INTO region_plan_measures
SELECT ?1, ?2, CASE measure {kinds} ELSE measure END AS kind,
       count(DISTINCT household_id), sum(cost_fen)
FROM allocation_items WHERE allocation_id = ?3 AND method = 'milp'
GROUP BY 3

-- name: plan_progress
-- under the prefix ?1 from ?2 to ?3: households that exited, and villages
SELECT
  (SELECT count(DISTINCT c.household_id) FROM status_changes c
   JOIN households h ON h.household_id = c.household_id
   WHERE starts_with(h.village_code, ?1) AND c.status = 'exited'
     AND c.effective_date BETWEEN ?2 AND ?3) AS households_lifted,
  (SELECT count(DISTINCT s.region_code) FROM region_status_changes s
   JOIN regions r ON r.code = s.region_code
   WHERE r.level = 'village' AND starts_with(s.region_code, ?1) AND s.status = 'exited'
     AND s.effective_date BETWEEN ?2 AND ?3) AS villages_exited

-- name: plan_line_progress
-- each line of the plan of ?1 for ?2, with the households under ?3 that received its
-- kind that year by ?4 (imported, or an item of their help plan delivered) and the cost
-- of those items
WITH got AS (
  SELECT m.household_id, m.kind, 0 AS cost_fen FROM household_measures m
  JOIN households h ON h.household_id = m.household_id
  WHERE starts_with(h.village_code, ?3) AND m.year = ?2
  UNION ALL
  SELECT household_id, kind, cost_fen FROM plan_items
  WHERE starts_with(village_code, ?3) AND year = ?2
    AND state IN ('delivered', 'verified') AND CAST(changed_at AS DATE) <= ?4)
SELECT l.kind, l.households, l.budget_fen,
       count(DISTINCT g.household_id) AS households_reached,
       coalesce(sum(g.cost_fen), 0) AS spent_fen
FROM region_plan_measures l LEFT JOIN got g ON g.kind = l.kind
WHERE l.region_code = ?1 AND l.year = ?2
GROUP BY l.kind, l.households, l.budget_fen
ORDER BY l.kind
