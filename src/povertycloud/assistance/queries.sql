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
-- an open item of the household's plan whose measure is one of those in the
-- '|'-separated list
SELECT min(measure) FROM plan_items
WHERE household_id = ? AND year = ? AND state <> 'cancelled'
  AND list_contains(string_split(?, '|'), measure)

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
