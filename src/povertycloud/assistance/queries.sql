-- The statements of assistance: help plans (assistance/plans.py).

-- name: insert_proposed_plans
-- a plan for each household of _plan_households: year, starts, catalogue, by, at
INSERT INTO help_plans (household_id, year, village_code, starts, catalogue, proposed_by,
  proposed_at)
SELECT household_id, ?, village_code, ?, ?, ?, ? FROM _plan_households

-- name: insert_proposed_items
-- the offers of _plan_offers as planned items, numbered after the id drawn before them
INSERT INTO plan_items (item_id, household_id, year, village_code, measure, kind,
  deliverer, programme, cost_fen, due_date, officer, state, version, changed_by,
  changed_at, note)
SELECT ? + row_number() OVER (ORDER BY household_id, rank), household_id, ?,
  village_code, measure, kind, deliverer, programme, cost_fen, due_date,
  CAST(NULL AS VARCHAR), 'planned', 1, ?, ?, CAST(NULL AS VARCHAR)
FROM _plan_offers

-- name: officers_of_new_items
-- the items numbered from ?1 to ?2, each given the cadre who helps its household on the
-- day ?3, if any
UPDATE plan_items SET officer = (
  SELECT min(p.username) FROM help_pairs p WHERE p.household_id = plan_items.household_id
    AND p.paired_on <= CAST(?3 AS DATE)
    AND (p.ended_on IS NULL OR p.ended_on > CAST(?3 AS DATE)))
WHERE item_id BETWEEN ?1 AND ?2

-- name: history_of_new_items
-- the first version of the items numbered from ? to ?
INSERT INTO plan_item_history BY NAME SELECT * FROM plan_items WHERE item_id BETWEEN ? AND ?

-- name: history_of_item
INSERT INTO plan_item_history BY NAME SELECT * FROM plan_items WHERE item_id = ?

-- name: insert_item
INSERT INTO plan_items (item_id, household_id, year, village_code, measure, kind,
  deliverer, programme, cost_fen, due_date, officer, state, version, changed_by,
  changed_at, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 1, ?, ?, ?)

-- name: plan
SELECT household_id, year, village_code, starts, catalogue, proposed_by, proposed_at
FROM help_plans WHERE household_id = ? AND year = ?

-- name: plan_items
SELECT * FROM plan_items WHERE household_id = ? AND year = ?
ORDER BY state = 'cancelled', due_date, item_id

-- name: item
SELECT * FROM plan_items WHERE item_id = ?

-- name: item_history
SELECT * FROM plan_item_history WHERE item_id = ? ORDER BY version

-- name: update_item
-- a new version of an item, only if it is still the version read (else nothing changes)
UPDATE plan_items SET state = ?, due_date = ?, officer = ?, cost_fen = ?, deliverer = ?,
  note = ?, changed_by = ?, changed_at = ?, version = version + 1
WHERE item_id = ? AND version = ?

-- name: open_item_of_group
-- an open item of the household's plan whose measure is one of the list
SELECT min(measure) FROM plan_items
WHERE household_id = ? AND year = ? AND state <> 'cancelled' AND list_contains(?, measure)

-- name: plan_flags
-- helped households under a region without a plan of the year, or whose plan has no
-- measure that is not cancelled; and open items due before a day
SELECT 'no_plan' AS flag, h.village_code, h.household_id, CAST(NULL AS BIGINT) AS item_id,
  CAST(NULL AS VARCHAR) AS measure, CAST(NULL AS DATE) AS due_date,
  CAST(NULL AS VARCHAR) AS officer,
  CASE WHEN p.household_id IS NULL THEN 'no plan' ELSE 'no measure in its plan' END
    AS reason
FROM households h
LEFT JOIN help_plans p ON p.household_id = h.household_id AND p.year = ?
WHERE starts_with(h.village_code, ?) AND list_contains(?, h.registration_status)
  AND (p.household_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM plan_items i WHERE i.household_id = h.household_id AND i.year = ?
      AND i.state <> 'cancelled'))
UNION ALL
SELECT 'overdue', i.village_code, i.household_id, i.item_id, i.measure, i.due_date,
  i.officer, i.state || ', due ' || strftime(i.due_date, '%Y-%m-%d')
FROM plan_items i
WHERE starts_with(i.village_code, ?) AND i.year = ? AND i.due_date < ?
  AND list_contains(?, i.state)
ORDER BY flag, village_code, household_id, item_id

-- The statements of the allocation (assistance/allocation.py).

-- name: counties
SELECT code FROM regions WHERE level = 'county' AND starts_with(code, ?) ORDER BY code

-- name: allocation_households
SELECT k, household_id, village_code, members, need_fen, line_fen, score, fails_food,
  fails_clothing, fails_compulsory_education, fails_basic_medical, fails_safe_housing,
  fails_safe_water
FROM _allocation_candidates ORDER BY k

-- name: insert_allocation
INSERT INTO allocations (allocation_id, county_code, year, objective, budget_fen, limits,
  summary, made_by, made_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_allocation_items
INSERT INTO allocation_items BY NAME SELECT * FROM _allocation_choices

-- name: allocation
SELECT * FROM allocations WHERE allocation_id = ?

-- The statements of officers and visits (assistance/officers.py, visits.py).

-- name: insert_team
INSERT INTO work_teams (team_id, village_code, name, sent_by, starts, ends, created_by,
  created_at)
VALUES (?, ?, ?, ?, ?, NULL, ?, ?)

-- name: insert_team_member
INSERT INTO team_members (team_id, username, role, joined, left_on) VALUES (?, ?, ?, ?, NULL)

-- name: households_to_pair
-- the households of the list ?, each with its village, status and the cadre it is
-- paired with on the day ? (NULL: none)
SELECT h.household_id, h.village_code, h.registration_status,
  (SELECT min(p.username) FROM help_pairs p WHERE p.household_id = h.household_id
     AND p.paired_on <= CAST(?2 AS DATE) AND (p.ended_on IS NULL OR p.ended_on > CAST(?2 AS DATE)))
    AS paired_with
FROM households h WHERE list_contains(?1, h.household_id) ORDER BY h.household_id

-- name: households_of_cadre
SELECT count(*) FROM help_pairs WHERE username = ? AND paired_on <= CAST(?2 AS DATE)
  AND (ended_on IS NULL OR ended_on > CAST(?2 AS DATE))

-- name: insert_pair
INSERT INTO help_pairs (username, household_id, village_code, paired_on, ended_on, paired_by)
VALUES (?, ?, ?, ?, NULL, ?)

-- name: active_pair
-- the village of the cadre's pair with the household on the day, if any
SELECT village_code FROM help_pairs WHERE username = ? AND household_id = ?
  AND paired_on <= CAST(?3 AS DATE) AND (ended_on IS NULL OR ended_on > CAST(?3 AS DATE))

-- name: end_pair
UPDATE help_pairs SET ended_on = ? WHERE username = ? AND household_id = ? AND ended_on IS NULL

-- name: end_pairs_of
UPDATE help_pairs SET ended_on = ? WHERE username = ? AND ended_on IS NULL

-- name: end_memberships_of
UPDATE team_members SET left_on = ? WHERE username = ? AND left_on IS NULL

-- name: households_of
-- a cadre's households on a day: the household, its village, its last visit by anyone
-- and its open plan items
SELECT p.household_id, p.village_code, r.name AS village_name, p.paired_on,
  (SELECT min(m.name) FROM people m WHERE m.household_id = p.household_id
     AND m.relation = 'head' AND m.death_date IS NULL) AS head,
  (SELECT max(v.visited_at) FROM visits v WHERE v.household_id = p.household_id
     AND v.visited_at < CAST(?1 AS DATE) + INTERVAL 1 DAY) AS last_visit,
  (SELECT count(*) FROM plan_items i WHERE i.household_id = p.household_id
     AND i.state IN ('planned', 'under_way')) AS open_items,
  (SELECT count(*) FROM plan_items i WHERE i.household_id = p.household_id
     AND i.state IN ('planned', 'under_way') AND i.due_date < CAST(?1 AS DATE)) AS overdue_items
FROM help_pairs p LEFT JOIN regions r ON r.code = p.village_code
WHERE p.username = ?2 AND p.paired_on <= CAST(?1 AS DATE)
  AND (p.ended_on IS NULL OR p.ended_on > CAST(?1 AS DATE))
ORDER BY last_visit NULLS FIRST, p.household_id

-- name: insert_action
INSERT INTO officer_actions (action_id, username, region_code, kind, reason, decided_by,
  decided_at)
VALUES (?, ?, ?, ?, ?, ?, ?)

-- name: actions_in
SELECT * FROM officer_actions WHERE starts_with(region_code, ?)
ORDER BY decided_at DESC, action_id DESC

-- name: stage_visits
-- the visits of _visits_in with the household's village and boundary, whether the
-- officer ? helped the household that day, and whether the visit is kept already (a
-- phone's file sent again)
CREATE OR REPLACE TEMP TABLE _visits AS
SELECT v.*, h.village_code, r.boundary,
  EXISTS (SELECT 1 FROM help_pairs p WHERE p.username = ?1 AND p.household_id = v.household_id
    AND p.paired_on <= CAST(v.visited_at AS DATE)
    AND (p.ended_on IS NULL OR p.ended_on > CAST(v.visited_at AS DATE))) AS paired,
  EXISTS (SELECT 1 FROM visits s WHERE s.username = ?1 AND s.household_id = v.household_id
    AND s.visited_at = v.visited_at) AS kept,
  CAST(NULL AS DOUBLE) AS km_outside, CAST(NULL AS VARCHAR) AS flag,
  CAST(NULL AS VARCHAR) AS flag_reason
FROM _visits_in v
LEFT JOIN households h ON h.household_id = v.household_id
LEFT JOIN regions r ON r.code = h.village_code

-- name: visits_far
-- each staged visit's distance outside its village (_visits_km), flagged from ? km
UPDATE _visits SET km_outside = k.km,
  flag = CASE WHEN k.km >= ? THEN 'far_away' END,
  flag_reason = CASE WHEN k.km >= ?2 THEN printf('%.1f km outside village %s', k.km,
                                                 _visits.village_code) END
FROM _visits_km k WHERE k._row = _visits._row

-- name: visits_too_fast
-- a staged visit that follows the officer's visit before it (stored or staged) of another
-- household by less than ? minutes, or faster than ? km/h; {distance} is the distance in
-- km from (p_lat, p_lon) to (lat, lon)
UPDATE _visits SET flag = 'too_fast', flag_reason = f.reason FROM (
  WITH mine AS (
    SELECT _row, household_id, visited_at, lat, lon FROM _visits
    UNION ALL
    SELECT NULL, household_id, visited_at, lat, lon FROM visits WHERE username = ?1
  ), ordered AS (
    SELECT *, lag(household_id) OVER w AS p_household, lag(visited_at) OVER w AS p_at,
      lag(lat) OVER w AS p_lat, lag(lon) OVER w AS p_lon
    FROM mine WINDOW w AS (ORDER BY visited_at, _row NULLS FIRST)
  ), timed AS (
    SELECT _row, date_diff('second', p_at, visited_at) / 60.0 AS minutes,
      {distance} AS km
    FROM ordered WHERE _row IS NOT NULL AND p_household <> household_id
  )
  SELECT _row, CASE WHEN minutes < ?2
      THEN printf('%.0f min after a visit of another household %.1f km away', minutes, km)
      ELSE printf('%.1f km from the visit before in %.0f min (%.0f km/h)', km, minutes,
                  km / (minutes / 60)) END AS reason
  FROM timed WHERE minutes < ?3 OR km / (minutes / 60) > ?4
) f WHERE f._row = _visits._row AND _visits.flag IS NULL

-- name: staged_visit_flags
SELECT count(*) FILTER (WHERE NOT kept), count(*) FILTER (WHERE flag = 'far_away' AND NOT kept),
  count(*) FILTER (WHERE flag = 'too_fast' AND NOT kept), count(*) FILTER (WHERE kept)
FROM _visits

-- name: insert_visits
INSERT INTO visits (visit_id, username, household_id, village_code, visited_at, lat, lon,
  done, next_step, source, recorded_at, km_outside, flag, flag_reason)
SELECT ?1 + row_number() OVER (ORDER BY _row), ?2, household_id, village_code, visited_at,
  lat, lon, trim(done), nullif(trim(coalesce(next_step, '')), ''), ?3, ?4, km_outside,
  flag, flag_reason
FROM _visits WHERE NOT kept

-- The statements of the officers' indicators (assistance/kpis.py).

-- name: officer_kpis
-- per cadre helping households under the prefix ?2 on the day ?1: households, those
-- visited by them in the ?3 days to the day (the visit not flagged), their visits of the
-- year and how many were flagged, their plan items due by the day and those delivered by
-- the due date, items delivered, and the complaints of their villages due by the day and
-- those answered in time
WITH pairs AS (
  SELECT username, household_id, village_code FROM help_pairs
  WHERE paired_on <= CAST(?1 AS DATE) AND (ended_on IS NULL OR ended_on > CAST(?1 AS DATE))
    AND starts_with(village_code, ?2)
), seen AS (
  SELECT p.username, count(DISTINCT p.household_id) AS visited
  FROM pairs p JOIN visits v ON v.username = p.username AND v.household_id = p.household_id
  WHERE v.flag IS NULL AND v.visited_at >= CAST(?1 AS DATE) - to_days(CAST(?3 AS INTEGER) - 1)
    AND v.visited_at < CAST(?1 AS DATE) + INTERVAL 1 DAY
  GROUP BY p.username
), year_visits AS (
  SELECT username, count(*) AS visits, count(*) FILTER (WHERE flag IS NOT NULL) AS flagged
  FROM visits
  WHERE visited_at >= CAST(?1 AS DATE) - INTERVAL 364 DAY
    AND visited_at < CAST(?1 AS DATE) + INTERVAL 1 DAY AND starts_with(village_code, ?2)
  GROUP BY username
), delivered AS (
  SELECT item_id, min(changed_at) AS delivered_at FROM plan_item_history
  WHERE state IN ('delivered', 'verified') GROUP BY item_id
), items AS (
  SELECT i.officer AS username,
    count(*) FILTER (WHERE i.due_date <= CAST(?1 AS DATE)) AS due,
    count(*) FILTER (WHERE i.due_date <= CAST(?1 AS DATE)
      AND CAST(d.delivered_at AS DATE) <= i.due_date) AS on_time,
    count(d.delivered_at) AS delivered
  FROM plan_items i LEFT JOIN delivered d ON d.item_id = i.item_id
  WHERE i.officer IS NOT NULL AND i.state <> 'cancelled' AND starts_with(i.village_code, ?2)
  GROUP BY i.officer
), their_villages AS (
  SELECT DISTINCT username, village_code FROM pairs
), complained AS (
  SELECT t.username, count(*) AS due,
    count(*) FILTER (WHERE c.answered_at IS NOT NULL AND c.answered_at <= c.due_at) AS in_time
  FROM their_villages t JOIN complaints c ON c.region_code = t.village_code
  WHERE c.due_at < CAST(?1 AS DATE) + INTERVAL 1 DAY
  GROUP BY t.username
), helped AS (
  SELECT username, count(*) AS households, min(village_code) AS village_code
  FROM pairs GROUP BY username
)
SELECT h.username, u.display_name, u.role, u.region_code, h.village_code,
  r.name AS village_name, h.households,
  coalesce(s.visited, 0) AS visited, coalesce(y.visits, 0) AS visits,
  coalesce(y.flagged, 0) AS flagged, coalesce(i.due, 0) AS items_due,
  coalesce(i.on_time, 0) AS items_on_time, coalesce(i.delivered, 0) AS items_delivered,
  coalesce(c.due, 0) AS complaints_due, coalesce(c.in_time, 0) AS complaints_answered
FROM helped h
LEFT JOIN users u ON u.username = h.username
LEFT JOIN regions r ON r.code = h.village_code
LEFT JOIN seen s ON s.username = h.username
LEFT JOIN year_visits y ON y.username = h.username
LEFT JOIN items i ON i.username = h.username
LEFT JOIN complained c ON c.username = h.username
ORDER BY h.village_code, h.username

-- name: team_of_members
-- each member's team, on the day ?1, under the prefix ?2
SELECT m.username, t.team_id, t.name, t.village_code, r.name AS village_name, m.role
FROM team_members m JOIN work_teams t ON t.team_id = m.team_id
LEFT JOIN regions r ON r.code = t.village_code
WHERE m.joined <= CAST(?1 AS DATE) AND (m.left_on IS NULL OR m.left_on > CAST(?1 AS DATE))
  AND starts_with(t.village_code, ?2)

-- name: visit_file
-- the staged visits file, typed (what does not read as its type: NULL)
SELECT _row, TRY_CAST(household_id AS BIGINT) AS household_id,
  TRY_CAST(visited_at AS TIMESTAMP) AS visited_at, TRY_CAST(lat AS DOUBLE) AS lat,
  TRY_CAST(lon AS DOUBLE) AS lon, CAST(done AS VARCHAR) AS done,
  CAST(next_step AS VARCHAR) AS next_step
FROM _visit_file ORDER BY _row

-- name: visits_in
SELECT * FROM visits
WHERE starts_with(village_code, ?1) AND (?2 IS NULL OR username = ?2)
  AND (NOT ?3 OR flag IS NOT NULL)
ORDER BY visited_at DESC, visit_id DESC LIMIT ?4

-- The statements of projects and photos (assistance/projects.py, photos.py).

-- name: insert_project
INSERT INTO projects (project_id, county_code, village_code, name, kind, year, budget_fen,
  programmes, contractor, lat, lon, radius_km, starts, ends, status, created_by,
  created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_milestone
INSERT INTO project_milestones (project_id, milestone, name, due_date, done_on)
VALUES (?, ?, ?, ?, NULL)

-- name: project
SELECT * FROM projects WHERE project_id = ?

-- name: schedule_project
UPDATE projects SET year = ?, status = 'planned' WHERE project_id = ?

-- name: villages_of
SELECT household_id, village_code FROM households WHERE list_contains(?, household_id)

-- name: beneficiaries_count
SELECT count(*) FROM project_households WHERE project_id = ?

-- name: insert_beneficiaries
INSERT INTO project_households (project_id, household_id)
SELECT DISTINCT ?1, h FROM (SELECT unnest(?2) AS h)
WHERE h NOT IN (SELECT household_id FROM project_households WHERE project_id = ?1)

-- name: beneficiaries
SELECT household_id FROM project_households WHERE project_id = ? ORDER BY household_id

-- name: milestones
SELECT * FROM project_milestones WHERE project_id = ? ORDER BY milestone

-- name: milestone_done
UPDATE project_milestones SET done_on = ? WHERE project_id = ? AND milestone = ?
  AND done_on IS NULL

-- name: project_progressed
-- a project reported on is under way; with every milestone done, completed
UPDATE projects SET status = CASE
    WHEN NOT EXISTS (SELECT 1 FROM project_milestones m WHERE m.project_id = ?1
                     AND m.done_on IS NULL)
     AND EXISTS (SELECT 1 FROM project_milestones m WHERE m.project_id = ?1)
    THEN 'completed' ELSE 'under_way' END
WHERE project_id = ?2 AND status IN ('planned', 'under_way')

-- name: insert_report
INSERT INTO project_reports (report_id, project_id, milestone, progress, note, reported_by,
  reported_at, photo, taken_at, photo_lat, photo_lon, km_from_site, flag, flag_reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: reports
SELECT * FROM project_reports WHERE project_id = ? ORDER BY reported_at, report_id

-- name: accept_project
UPDATE projects SET status = 'accepted', accepted_by = ?, accepted_at = ?,
  acceptance_note = ?
WHERE project_id = ? AND status = 'completed'

-- name: project_spent
-- what the ledger booked to a project's account, net
SELECT coalesce(sum(amount_fen), 0) FROM fund_postings WHERE account = ?

-- name: projects_in
-- projects under the prefix ?1 (of the plan of year ?2, in status ?3; NULL: any), each
-- with its latest progress, flagged photos, milestones done and due, beneficiaries and
-- the money booked to it
WITH mine AS (
  SELECT * FROM projects
  WHERE starts_with(coalesce(village_code, county_code), ?1)
    AND (?2 IS NULL OR year = ?2) AND (?3 IS NULL OR status = ?3)
), spent AS (
  SELECT account, sum(amount_fen) AS spent_fen FROM fund_postings
  WHERE account IN (SELECT 'project:' || coalesce(village_code, county_code) || '/' ||
                    project_id FROM mine)
  GROUP BY account
)
SELECT p.project_id, p.county_code, p.village_code, p.name, p.kind, p.year, p.status,
  p.budget_fen, p.programmes, p.contractor, p.lat, p.lon, p.starts, p.ends,
  coalesce(s.spent_fen, 0) AS spent_fen,
  (SELECT max(progress) FROM project_reports r WHERE r.project_id = p.project_id
     AND r.reported_at = (SELECT max(reported_at) FROM project_reports q
                          WHERE q.project_id = p.project_id)) AS progress,
  (SELECT count(*) FROM project_reports r WHERE r.project_id = p.project_id
     AND r.flag IS NOT NULL) AS flagged_photos,
  (SELECT count(*) FROM project_milestones m WHERE m.project_id = p.project_id
     AND m.done_on IS NOT NULL) AS milestones_done,
  (SELECT count(*) FROM project_milestones m WHERE m.project_id = p.project_id)
    AS milestones,
  (SELECT count(*) FROM project_households b WHERE b.project_id = p.project_id)
    AS households
FROM mine p
LEFT JOIN spent s ON s.account = 'project:' || coalesce(p.village_code, p.county_code) ||
  '/' || p.project_id
ORDER BY p.county_code, p.village_code NULLS FIRST, p.project_id

-- name: project_flags
-- under the prefix ?1 on the day ?2: flagged photos, milestones overdue, money booked
-- beyond the budget
WITH mine AS (
  SELECT * FROM projects WHERE starts_with(coalesce(village_code, county_code), ?1)
    AND status <> 'cancelled'
)
SELECT 'photo_' || r.flag AS flag, p.project_id, p.name, r.report_id AS about,
  r.flag_reason AS reason
FROM mine p JOIN project_reports r ON r.project_id = p.project_id WHERE r.flag IS NOT NULL
UNION ALL
SELECT 'milestone_overdue', p.project_id, p.name, m.milestone,
  m.name || ' was due ' || strftime(m.due_date, '%Y-%m-%d')
FROM mine p JOIN project_milestones m ON m.project_id = p.project_id
WHERE m.done_on IS NULL AND m.due_date < CAST(?2 AS DATE)
UNION ALL
SELECT 'over_budget', p.project_id, p.name, NULL,
  'booked ' || (sum(f.amount_fen) / 100.0) || ' yuan of a budget of ' ||
  (p.budget_fen / 100.0)
FROM mine p JOIN fund_postings f
  ON f.account = 'project:' || coalesce(p.village_code, p.county_code) || '/' || p.project_id
GROUP BY p.project_id, p.name, p.budget_fen HAVING sum(f.amount_fen) > p.budget_fen
ORDER BY 2, 1, 4

-- name: report_photo
-- the photo of a project's report, if any
SELECT photo FROM project_reports WHERE project_id = ? AND report_id = ?

-- name: product_photo
-- the photo of a product on sale, if any
SELECT photo FROM products WHERE product_id = ? AND active

-- name: photo_kept
SELECT 1 FROM photos WHERE sha256 = ?

-- name: insert_photo
INSERT INTO photos (sha256, content, mime, bytes, stored_at) VALUES (?, ?, ?, ?, ?)

-- name: photo
SELECT content, mime FROM photos WHERE sha256 = ?

-- The statements of products and orders (assistance/products.py).

-- name: insert_product
INSERT INTO products (product_id, county_code, village_code, seller, seller_kind, name,
  category, unit, price_fen, available, season, certificates, description, photo,
  listed_by, listed_at, active)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)

-- name: insert_product_household
INSERT INTO product_households (product_id, household_id, share) VALUES (?, ?, ?)

-- name: product
SELECT * FROM products WHERE product_id = ?

-- name: take_available
-- take ? units of the product ? if at least ? are left (else nothing changes)
UPDATE products SET available = available - ?1 WHERE product_id = ?2 AND available >= ?3

-- name: available
SELECT available FROM products WHERE product_id = ?

-- name: return_available
UPDATE products SET available = available + ? WHERE product_id = ?

-- name: insert_order
INSERT INTO orders (order_id, product_id, buyer, buyer_kind, contact, quantity, price_fen,
  amount_fen, ordered_at, channel, status, delivered_on, recorded_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ordered', NULL, ?)

-- name: order
SELECT o.*, p.village_code, p.name FROM orders o JOIN products p USING (product_id)
WHERE o.order_id = ?

-- name: deliver_order
UPDATE orders SET status = 'delivered', delivered_on = ? WHERE order_id = ?
  AND status = 'ordered'

-- name: cancel_order
UPDATE orders SET status = 'cancelled' WHERE order_id = ? AND status = 'ordered'

-- name: catalogue
-- active products with units left under the prefix ?1 (of the category ?2; NULL: any),
-- with the names of their county and village
SELECT p.product_id, p.county_code, c.name AS county_name, p.village_code,
  v.name AS village_name, p.seller, p.seller_kind, p.name, p.category, p.unit, p.price_fen,
  p.available, p.season, p.certificates, p.description, p.photo
FROM products p
LEFT JOIN regions c ON c.code = p.county_code
LEFT JOIN regions v ON v.code = p.village_code
WHERE p.active AND p.available > 0 AND starts_with(p.village_code, ?1)
  AND (?2 IS NULL OR p.category = ?2)
ORDER BY p.county_code, p.category, p.product_id

-- name: sales_incomes
-- per household under the prefix ?1: what the orders of its products delivered in the
-- year ?2 brought it, by its share
SELECT h.household_id, h.village_code,
  CAST(round(sum(o.amount_fen * s.share)) AS BIGINT) AS income_fen,
  round(sum(o.amount_fen * s.share)) / 100 AS income_yuan, count(*) AS orders
FROM orders o
JOIN product_households s ON s.product_id = o.product_id
JOIN households h ON h.household_id = s.household_id
WHERE o.status = 'delivered' AND year(o.delivered_on) = ?2
  AND starts_with(h.village_code, ?1)
GROUP BY h.household_id, h.village_code
ORDER BY h.village_code, h.household_id

-- The statements of help from society (assistance/needs.py).

-- name: insert_need
INSERT INTO needs (need_id, village_code, household_id, kind, title, description, value_fen,
  published_by, published_at, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')

-- name: need
SELECT * FROM needs WHERE need_id = ?

-- name: insert_helper
INSERT INTO helpers (helper_id, kind, name, contact, registered_at) VALUES (?, ?, ?, ?, ?)

-- name: helper
SELECT name FROM helpers WHERE helper_id = ?

-- name: insert_pledge
INSERT INTO pledges (pledge_id, need_id, helper_id, value_fen, what, pledged_at, status,
  delivered_on, confirmed_by, confirmed_at, evidence)
VALUES (?, ?, ?, ?, ?, ?, 'pledged', NULL, NULL, NULL, NULL)

-- name: need_pledged
UPDATE needs SET status = 'pledged' WHERE need_id = ? AND status = 'open'

-- name: pledge
SELECT p.*, n.village_code FROM pledges p JOIN needs n USING (need_id) WHERE p.pledge_id = ?

-- name: pledge_delivered
UPDATE pledges SET status = 'delivered', delivered_on = ?, confirmed_by = ?,
  confirmed_at = ?, evidence = ?
WHERE pledge_id = ? AND status = 'pledged'

-- name: need_met
-- a need whose delivered pledges cover its value is met
UPDATE needs SET status = 'met' WHERE need_id = ?1 AND status <> 'withdrawn'
  AND value_fen <= (SELECT coalesce(sum(value_fen), 0) FROM pledges
                    WHERE need_id = ?2 AND status = 'delivered')

-- name: needs_board
SELECT n.need_id, n.village_code, v.name AS village_name, n.kind, n.title, n.description,
  n.value_fen, n.status, n.published_at,
  coalesce((SELECT sum(p.value_fen) FROM pledges p WHERE p.need_id = n.need_id
            AND p.status IN ('pledged', 'delivered')), 0) AS pledged_fen
FROM needs n LEFT JOIN regions v ON v.code = n.village_code
WHERE starts_with(n.village_code, ?1) AND (?2 IS NULL OR n.status = ?2)
ORDER BY n.published_at DESC, n.need_id DESC

-- name: household_help
SELECT n.need_id, n.kind, n.title, p.what, p.value_fen, p.delivered_on, h.name AS helper,
  h.kind AS helper_kind
FROM needs n JOIN pledges p ON p.need_id = n.need_id JOIN helpers h USING (helper_id)
WHERE n.household_id = ? AND p.status = 'delivered'
ORDER BY p.delivered_on

-- name: need_flags
-- under the prefix ?1 on the day ?2: needs met twice, and pledges ?3 days old not delivered
SELECT 'met_twice' AS flag, n.need_id, n.village_code, n.title, NULL AS pledge_id,
  count(*) || ' deliveries from ' || count(DISTINCT p.helper_id) || ' helpers worth ' ||
  (sum(p.value_fen) / 100.0) || ' yuan for a need of ' || (n.value_fen / 100.0) AS reason
FROM needs n JOIN pledges p ON p.need_id = n.need_id AND p.status = 'delivered'
WHERE starts_with(n.village_code, ?1)
GROUP BY n.need_id, n.village_code, n.title, n.value_fen
HAVING count(DISTINCT p.helper_id) > 1 AND sum(p.value_fen) > n.value_fen
UNION ALL
SELECT 'not_delivered', n.need_id, n.village_code, n.title, p.pledge_id,
  'pledged on ' || strftime(p.pledged_at, '%Y-%m-%d') || ' by ' || h.name || ', not delivered'
FROM needs n JOIN pledges p ON p.need_id = n.need_id JOIN helpers h USING (helper_id)
WHERE starts_with(n.village_code, ?1) AND p.status = 'pledged'
  AND p.pledged_at < CAST(?2 AS DATE) - to_days(CAST(?3 AS INTEGER))
ORDER BY 1, 2

-- The household file's help (assistance/help_file.py).

-- name: latest_plan_year
SELECT max(year) FROM help_plans WHERE household_id = ?

-- name: household_sales
-- the income each year's delivered orders of its products brought the household
SELECT year(o.delivered_on) AS year, count(*) AS orders,
  CAST(round(sum(o.amount_fen * s.share)) AS BIGINT) AS income_fen
FROM orders o JOIN product_households s ON s.product_id = o.product_id
WHERE s.household_id = ? AND o.status = 'delivered'
GROUP BY 1 ORDER BY 1
