-- The statements of the funds ledger (funds/ledger.py, verify.py, balances.py).

-- name: digests
-- each entry's digest: its content and its postings, as the chain hashes them; over the
-- relations entries_ and postings_ (the store's tables, or entries about to be booked)
SELECT e.entry_id, e.book, e.seq, e.prev_hash, e.hash,
  sha256(concat_ws('|', e.book, e.seq, e.kind, e.programme,
    strftime(e.value_date, '%Y-%m-%d'), length(coalesce(e.memo, '')), coalesce(e.memo, ''),
    coalesce(CAST(e.reverses AS VARCHAR), ''), coalesce(CAST(e.batch_id AS VARCHAR), ''),
    e.booked_by, strftime(e.booked_at, '%Y-%m-%d %H:%M:%S.%f'), coalesce(p.lines, '')))
    AS digest
FROM entries_ e LEFT JOIN (
  SELECT entry_id, string_agg(line || ':' || account || ':' || amount_fen, ';' ORDER BY line)
    AS lines
  FROM postings_ GROUP BY entry_id
) p ON p.entry_id = e.entry_id

-- name: head
-- the last link of a book's chain
SELECT seq, hash FROM fund_entries WHERE book = ? ORDER BY seq DESC LIMIT 1

-- name: balances_of
-- the balance of each (account, programme) of the registered relation asked_(account,
-- programme) over the whole ledger
SELECT a.account, a.programme,
  coalesce(sum(p.amount_fen) FILTER (WHERE e.programme = a.programme), 0) AS balance
FROM asked_ a
LEFT JOIN fund_postings p ON p.account = a.account
LEFT JOIN fund_entries e ON e.entry_id = p.entry_id
GROUP BY a.account, a.programme

-- name: homes_of_households
SELECT household_id, village_code FROM households
WHERE household_id IN (SELECT household_id FROM asked_households_)

-- name: insert_entries
-- entries about to be booked (heads_) with their links of the chain (links_)
INSERT INTO fund_entries BY NAME
SELECT h.*, l.prev_hash, l.hash FROM heads_ h JOIN links_ l USING (entry_id) ORDER BY h.seq

-- name: insert_postings
INSERT INTO fund_postings BY NAME SELECT * FROM postings_

-- name: book_ranges
-- each book's links in runs of ? (by seq): the run's first and last link number and its
-- entries
SELECT book, min(seq) AS low, max(seq) AS high, count(*) AS entries FROM (
  SELECT book, seq, (row_number() OVER (PARTITION BY book ORDER BY seq) - 1) // ? AS run
  FROM fund_entries)
GROUP BY book, run ORDER BY book, low

-- name: entries_in_ranges
-- the entries of the books' ranges of seq in the registered relation ranges_(book, low,
-- high)
SELECT e.* FROM fund_entries e JOIN ranges_ r ON e.book = r.book
  AND e.seq BETWEEN r.low AND r.high

-- name: unbalanced
-- entries whose postings do not sum to zero, or that have fewer than two
SELECT e.entry_id, e.book, e.seq, coalesce(sum(p.amount_fen), 0) AS off, count(p.line) AS lines
FROM fund_entries e LEFT JOIN fund_postings p ON p.entry_id = e.entry_id
GROUP BY e.entry_id, e.book, e.seq
HAVING coalesce(sum(p.amount_fen), 0) <> 0 OR count(p.line) < 2
ORDER BY e.book, e.seq

-- name: orphan_postings
-- postings of no entry
SELECT DISTINCT p.entry_id FROM fund_postings p
WHERE NOT EXISTS (SELECT 1 FROM fund_entries e WHERE e.entry_id = p.entry_id)
ORDER BY p.entry_id


-- name: homed_postings
-- every posting of the entries booked up to a day (?), with its account's kind and
-- home region (a household's village; none for a source); the household joined on its
-- id alone, which DuckDB hashes
SELECT p.entry_id, p.programme, p.kind, p.value_date, p.amount_fen, p.account_kind,
  CASE p.account_kind
    WHEN 'household' THEN h.village_code
    WHEN 'project' THEN split_part(p.ref, '/', 1)
    WHEN 'source' THEN NULL
    ELSE p.ref END AS home
FROM (
  SELECT e.entry_id, e.programme, e.kind, e.value_date, p.amount_fen,
    split_part(p.account, ':', 1) AS account_kind, split_part(p.account, ':', 2) AS ref,
    CASE WHEN starts_with(p.account, 'household:')
      THEN TRY_CAST(split_part(p.account, ':', 2) AS BIGINT) END AS household_id
  FROM fund_entries e JOIN fund_postings p ON p.entry_id = e.entry_id
  WHERE e.value_date <= ?
) p
LEFT JOIN households h ON h.household_id = p.household_id

-- name: flags_in
-- the flags of regions under a prefix, unverified first, then the newest
SELECT flag_id, rule, programme, region_code, household_id, batch_id, line, entry_id,
  amount_fen, evidence, raised_at, outcome, verified_at, verified_by, note
FROM fund_flags WHERE starts_with(region_code, ?)
ORDER BY outcome IS NOT NULL, flag_id DESC
LIMIT ?

-- name: flag
SELECT flag_id, rule, region_code, outcome FROM fund_flags WHERE flag_id = ?

-- name: record_flag_outcome
-- one statement: of two officers at once, only one records an outcome
UPDATE fund_flags SET outcome = ?, verified_at = ?, verified_by = ?, note = ?
WHERE flag_id = ? AND outcome IS NULL

-- name: flag_precision
-- per rule under a prefix: flags, verified, confirmed, and the precision of the
-- verified flags that were not exempt
SELECT rule, count(*) AS flags, count(outcome) AS verified,
  count(*) FILTER (WHERE outcome = 'confirmed') AS confirmed,
  count(*) FILTER (WHERE outcome = 'confirmed')
    / nullif(count(*) FILTER (WHERE outcome IN ('confirmed', 'false_alarm')), 0)
    AS precision
FROM fund_flags WHERE starts_with(region_code, ?) GROUP BY rule ORDER BY rule

-- Anomalies (funds/anomalies.py, rules/fund_anomalies.yaml). Each rule reads the
-- relations prepared first: _fund_lines (every payment line with its batch, household and
-- payee), _fund_standards (each paid household's eligibility by the latest registry and
-- identification, and the programme's lowest and highest amount for it), _fund_officers
-- (people of the public-employee roster, by ID number or by the feed's links) and
-- _fund_terms (each programme's idle_days and pay_within_days). Each yields candidate
-- flags: rule, programme, region_code, household_id, batch_id, line, entry_id,
-- amount_fen, evidence (JSON, no ID or account number in it).

-- name: anomaly_lines
SELECT p.batch_id, p.line, p.household_id, p.person_id, p.amount_fen, p.entry_id,
  p.bank_account, p.payee_name, b.programme, b.period, b.value_date, b.county_code,
  h.village_code, h.registration_status, m.id_number AS payee_id_number, m.death_date
FROM fund_payments p
JOIN fund_payment_batches b ON b.batch_id = p.batch_id
LEFT JOIN households h ON h.household_id = p.household_id
LEFT JOIN people m ON m.person_id = p.person_id

-- name: anomaly_officers
-- living people of the roster's records (a post not exempt, ?: ';post;post;'), found by
-- the record's ID number or by the feed's link to the registry
WITH roster AS (
  SELECT record_id, trim(id_number) AS id_number, post, employer
  FROM feed_public_employees WHERE NOT contains(?, ';' || post || ';'))
SELECT DISTINCT m.person_id, m.household_id, r.post, r.employer
FROM roster r
JOIN people m ON m.id_number = r.id_number
UNION
SELECT DISTINCT m.person_id, m.household_id, r.post, r.employer
FROM roster r
JOIN feed_links k ON k.source = 'public_employees' AND k.record_id = r.record_id
  AND k.decision = 'match'
JOIN people m ON m.person_id = k.person_id

-- name: anomaly_no_officers
-- no roster in the store: nobody is known to be a public employee
SELECT CAST(NULL AS BIGINT) AS person_id, CAST(NULL AS BIGINT) AS household_id,
  CAST(NULL AS VARCHAR) AS post, CAST(NULL AS VARCHAR) AS employer WHERE false

-- name: anomaly_ineligible_or_unregistered
SELECT 'ineligible_or_unregistered' AS rule, l.programme,
  coalesce(l.village_code, l.county_code) AS region_code, l.household_id, l.batch_id,
  l.line, l.entry_id, l.amount_fen,
  CAST(json_object('period', l.period, 'paid_on', l.value_date,
    'registration_status', coalesce(l.registration_status, 'not in the registry'),
    'why', CASE WHEN l.village_code IS NULL THEN 'the household is not in the registry'
      ELSE 'the household is not eligible for the programme by the registry and the '
        || 'identification of ' || s.year END) AS VARCHAR) AS evidence
FROM _fund_lines l
LEFT JOIN _fund_standards s ON s.programme = l.programme AND s.household_id = l.household_id
WHERE l.village_code IS NULL OR NOT coalesce(s.eligible, false)

-- name: anomaly_paid_after_death
SELECT 'paid_after_death' AS rule, l.programme, coalesce(l.village_code, l.county_code),
  l.household_id, l.batch_id, l.line, l.entry_id, l.amount_fen,
  CAST(json_object('period', l.period, 'paid_on', l.value_date, 'payee', l.payee_name,
    'person_id', l.person_id, 'died_on', l.death_date,
    'days_after_death', l.value_date - l.death_date) AS VARCHAR)
FROM _fund_lines l
WHERE l.death_date IS NOT NULL AND l.death_date <= l.value_date

-- name: anomaly_duplicate_benefit
-- a household paid more than its standard for one programme and period in several
-- lines, or one person (ID number) paid in several households: each line after the first
WITH by_household AS (
  SELECT l.*, s.high_fen,
    row_number() OVER w AS nth, count(*) OVER w AS times,
    sum(l.amount_fen) OVER w AS total_fen,
    first_value(l.batch_id) OVER w AS first_batch, first_value(l.line) OVER w AS first_line
  FROM _fund_lines l
  JOIN _fund_standards s ON s.programme = l.programme AND s.household_id = l.household_id
  WINDOW w AS (PARTITION BY l.programme, l.period, l.household_id
               ORDER BY l.value_date, l.batch_id, l.line
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
by_person AS (
  SELECT l.*, row_number() OVER w AS nth, count(*) OVER w AS times,
    min(l.household_id) OVER w AS low_household, max(l.household_id) OVER w AS high_household,
    first_value(l.batch_id) OVER w AS first_batch, first_value(l.line) OVER w AS first_line,
    first_value(l.household_id) OVER w AS first_household
  FROM _fund_lines l WHERE l.payee_id_number IS NOT NULL
  WINDOW w AS (PARTITION BY l.programme, l.period, l.payee_id_number
               ORDER BY l.value_date, l.batch_id, l.line
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
found AS (
  SELECT batch_id, line, 'the household was paid ' || times || ' times for the period, '
      || 'more than its standard' AS why, first_batch, first_line, total_fen, high_fen
  FROM by_household WHERE times > 1 AND nth > 1 AND total_fen > high_fen
  UNION ALL
  SELECT batch_id, line, 'the same person was paid in household ' || first_household
      || ' for the period' AS why, first_batch, first_line, NULL, NULL
  FROM by_person WHERE nth > 1 AND low_household <> high_household
    AND household_id <> first_household)
SELECT DISTINCT ON (l.batch_id, l.line) 'duplicate_benefit' AS rule, l.programme,
  coalesce(l.village_code, l.county_code), l.household_id, l.batch_id, l.line,
  l.entry_id, l.amount_fen,
  CAST(json_object('period', l.period, 'paid_on', l.value_date, 'why', f.why,
    'first_paid', json_object('batch', f.first_batch, 'line', f.first_line),
    'total_fen', f.total_fen, 'standard_high_fen', f.high_fen) AS VARCHAR)
FROM found f JOIN _fund_lines l ON l.batch_id = f.batch_id AND l.line = f.line
ORDER BY l.batch_id, l.line, f.why

-- name: anomaly_shared_account
-- one account paid for several households (at least ?): each of them, at its first line
WITH accounts AS (
  SELECT bank_account, count(DISTINCT household_id) AS households,
    list(DISTINCT household_id ORDER BY household_id) AS household_ids
  FROM _fund_lines WHERE bank_account <> ''
  GROUP BY bank_account HAVING count(DISTINCT household_id) >= ?),
firsts AS (
  SELECT l.*, a.households, a.household_ids, row_number() OVER (
    PARTITION BY l.bank_account, l.household_id ORDER BY l.value_date, l.batch_id, l.line)
    AS nth
  FROM _fund_lines l JOIN accounts a ON a.bank_account = l.bank_account)
SELECT 'shared_account' AS rule, programme, coalesce(village_code, county_code),
  household_id, batch_id, line, entry_id, amount_fen,
  CAST(json_object('account', '****' || right(bank_account, 4),
    'households', households, 'household_ids', household_ids, 'payee', payee_name)
    AS VARCHAR)
FROM firsts WHERE nth = 1

-- name: anomaly_officer_payee
WITH households AS (
  SELECT household_id, list(DISTINCT person_id) AS people,
    list(DISTINCT post ORDER BY post) AS posts,
    list(DISTINCT employer ORDER BY employer) AS employers
  FROM _fund_officers GROUP BY household_id)
SELECT 'officer_payee' AS rule, l.programme, coalesce(l.village_code, l.county_code),
  l.household_id, l.batch_id, l.line, l.entry_id, l.amount_fen,
  CAST(json_object('period', l.period, 'paid_on', l.value_date, 'payee', l.payee_name,
    'who', CASE WHEN list_contains(o.people, l.person_id) THEN 'the payee'
      ELSE 'a member of the payee''s household' END,
    'posts', o.posts, 'employers', o.employers) AS VARCHAR)
FROM _fund_lines l JOIN households o ON o.household_id = l.household_id

-- name: anomaly_split_payments
-- a household's lines of one programme and period, each below the approval threshold
-- (?: programme, approval_fen in _fund_terms), together above it and within its
-- standard, paid within ? days: flagged at its first line
WITH groups AS (
  SELECT l.programme, l.period, l.household_id, count(*) AS times,
    sum(l.amount_fen) AS total_fen, max(l.amount_fen) AS largest_fen,
    max(l.value_date) - min(l.value_date) AS days,
    min(s.high_fen) AS high_fen, min(t.approval_fen) AS approval_fen,
    arg_min(l.batch_id * 1000000000 + l.line, l.value_date) AS first_key,
    list(json_object('batch', l.batch_id, 'line', l.line, 'amount_fen', l.amount_fen,
      'paid_on', l.value_date) ORDER BY l.value_date, l.batch_id, l.line) AS lines
  FROM _fund_lines l
  JOIN _fund_terms t ON t.programme = l.programme AND t.approval_fen IS NOT NULL
  JOIN _fund_standards s ON s.programme = l.programme AND s.household_id = l.household_id
  GROUP BY l.programme, l.period, l.household_id)
SELECT 'split_payments' AS rule, l.programme, coalesce(l.village_code, l.county_code),
  l.household_id, l.batch_id, l.line, l.entry_id, g.total_fen,
  CAST(json_object('period', g.period, 'lines', g.lines, 'total_fen', g.total_fen,
    'approval_fen', g.approval_fen, 'days', g.days) AS VARCHAR)
FROM groups g
JOIN _fund_lines l ON l.batch_id * 1000000000 + l.line = g.first_key
WHERE g.times > 1 AND g.largest_fen < g.approval_fen AND g.total_fen > g.approval_fen
  AND g.total_fen <= g.high_fen AND g.days <= ?

-- name: anomaly_off_standard
-- a household's only line of a programme and period, outside the programme's standard
WITH single AS (
  SELECT l.*, count(*) OVER (PARTITION BY l.programme, l.period, l.household_id) AS times
  FROM _fund_lines l)
SELECT 'off_standard' AS rule, l.programme, coalesce(l.village_code, l.county_code),
  l.household_id, l.batch_id, l.line, l.entry_id, l.amount_fen,
  CAST(json_object('period', l.period, 'paid_on', l.value_date,
    'amount_fen', l.amount_fen, 'standard_low_fen', s.low_fen,
    'standard_high_fen', s.high_fen) AS VARCHAR)
FROM single l
JOIN _fund_standards s ON s.programme = l.programme AND s.household_id = l.household_id
WHERE l.times = 1 AND (l.amount_fen < s.low_fen OR l.amount_fen > s.high_fen)

-- name: anomaly_idle_funds
-- a region's money of a programme held at the end of a day (?) more than what reached
-- it in the programme's last idle_days: the rest has lain idle longer (at least ? fen)
WITH held AS (
  SELECT split_part(p.account, ':', 2) AS region_code, e.programme, t.idle_days,
    sum(p.amount_fen) AS held_fen,
    coalesce(sum(p.amount_fen) FILTER (WHERE p.amount_fen > 0
      AND e.value_date > CAST(? AS DATE) - t.idle_days), 0) AS recent_fen,
    max(e.value_date) FILTER (WHERE p.amount_fen < 0) AS last_spent
  FROM fund_postings p
  JOIN fund_entries e ON e.entry_id = p.entry_id
  JOIN _fund_terms t ON t.programme = e.programme AND t.idle_days IS NOT NULL
  WHERE starts_with(p.account, 'region:') AND e.value_date <= CAST(? AS DATE)
  GROUP BY ALL)
SELECT 'idle_funds' AS rule, programme, region_code, CAST(NULL AS BIGINT),
  CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
  held_fen - recent_fen,
  CAST(json_object('as_of', CAST(? AS DATE), 'held_fen', held_fen,
    'idle_fen', held_fen - recent_fen, 'idle_days', idle_days,
    'last_spent', last_spent) AS VARCHAR)
FROM held WHERE held_fen - recent_fen >= ?

-- name: anomaly_late_disbursement
-- a batch paid later than its period's start (funds/periods.py, kept with the batch) and
-- the programme's pay_within_days (and ? days of grace)
WITH batches AS (
  SELECT b.*, t.pay_within_days
  FROM fund_payment_batches b
  JOIN _fund_terms t ON t.programme = b.programme AND t.pay_within_days IS NOT NULL)
SELECT 'late_disbursement' AS rule, programme, county_code, CAST(NULL AS BIGINT), batch_id,
  CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), total_fen,
  CAST(json_object('period', period, 'period_start', period_start,
    'deadline', period_start + pay_within_days, 'paid_on', value_date,
    'days_late', value_date - (period_start + pay_within_days), 'lines', lines) AS VARCHAR)
FROM batches
WHERE value_date > period_start + pay_within_days + ?

-- name: new_fund_flags
-- the candidates (_fund_candidates) not raised before: a rule's flag is the same when it
-- names the same batch and line, or the same household, or the same region and programme
SELECT c.* FROM _fund_candidates c
WHERE NOT EXISTS (
  SELECT 1 FROM fund_flags f WHERE f.rule = c.rule
    AND f.region_code = c.region_code AND coalesce(f.programme, '') = coalesce(c.programme, '')
    AND coalesce(f.household_id, -1) = coalesce(c.household_id, -1)
    AND coalesce(f.batch_id, -1) = coalesce(c.batch_id, -1)
    AND coalesce(f.line, -1) = coalesce(c.line, -1))

-- name: insert_fund_flags
-- the new flags, numbered after ? (drawn from fund_flag_ids), of the rules' version ?,
-- raised at ?
INSERT INTO fund_flags (flag_id, rule, rules_version, programme, region_code,
  household_id, batch_id, line, entry_id, amount_fen, evidence, raised_at)
SELECT ? + row_number() OVER (ORDER BY rule, region_code, programme, household_id,
    batch_id, line), rule, ?, programme, region_code, household_id, batch_id, line,
  entry_id, amount_fen, evidence, ?
FROM _fund_new_flags

-- name: payment_timeliness
-- (funds/timeliness.py) per county, the household payment lines booked up to a day (?)
-- for households under a prefix (?), of one programme or all (?, ?): how many, how many
-- were booked within their programme's pay_within_days (the registered relation
-- windows_(programme, pay_within_days)) of their period's start, and how many later
WITH started AS (
  SELECT b.county_code, b.value_date, w.pay_within_days, b.period_start
  FROM fund_payments p
  JOIN fund_payment_batches b ON b.batch_id = p.batch_id
  JOIN households h ON h.household_id = p.household_id
  JOIN windows_ w ON w.programme = b.programme
  WHERE b.value_date <= ? AND starts_with(h.village_code, ?) AND (? IS NULL OR b.programme = ?)
),
judged AS (
  SELECT county_code, value_date <= period_start + pay_within_days AS on_time FROM started
)
SELECT j.county_code, r.name, count(*) AS payments,
  count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE NOT on_time) AS late,
  round(count(*) FILTER (WHERE on_time) / count(*), 4) AS share
FROM judged j LEFT JOIN regions r ON r.code = j.county_code
GROUP BY j.county_code, r.name ORDER BY j.county_code

-- name: household_payments
-- (funds/received.py) a household's payment lines, newest first, each with its
-- programme, period, day, the kind of its entry (disbursement or in_kind) and the bank's
-- outcome (none yet: not returned)
SELECT p.batch_id, p.line, b.programme, b.period, b.value_date, e.kind, p.payee_name,
  p.bank_account, p.amount_fen, r.outcome, r.paid_fen, r.reason, r.reconciled_at
FROM fund_payments p
JOIN fund_payment_batches b ON b.batch_id = p.batch_id
JOIN fund_entries e ON e.entry_id = p.entry_id
LEFT JOIN fund_reconciliations r ON r.batch_id = p.batch_id AND r.line = p.line
  AND r.outcome <> 'repeat'
WHERE p.household_id = ?
ORDER BY b.value_date DESC, p.batch_id DESC, p.line

-- name: batches_in
-- (funds/reconciliation.py) the payment batches of counties under a prefix, newest
-- first, at most ?, with how many lines the bank paid, did not pay as sent, and has not
-- returned yet
SELECT b.batch_id, b.county_code, r.name, b.programme, b.period, b.value_date, b.lines,
  b.total_fen, b.booked_by,
  count(c.record_id) FILTER (WHERE c.outcome = 'paid') AS paid,
  count(c.record_id) FILTER (WHERE c.outcome IN ('failed', 'amount_differs',
    'other_holder', 'unknown')) AS problems,
  b.lines - count(DISTINCT c.line) FILTER (WHERE c.outcome NOT IN ('unknown', 'repeat'))
    AS unreturned
FROM fund_payment_batches b
LEFT JOIN regions r ON r.code = b.county_code
LEFT JOIN fund_reconciliations c ON c.batch_id = b.batch_id
WHERE starts_with(b.county_code, ?)
GROUP BY b.batch_id, b.county_code, r.name, b.programme, b.period, b.value_date, b.lines,
  b.total_fen, b.booked_by
ORDER BY b.value_date DESC, b.batch_id DESC
LIMIT ?

-- name: batch
SELECT b.batch_id, b.county_code, r.name, b.programme, b.period, b.value_date, b.source,
  b.lines, b.total_fen, b.booked_by, b.booked_at
FROM fund_payment_batches b LEFT JOIN regions r ON r.code = b.county_code
WHERE b.batch_id = ?

-- name: batch_outcomes
-- a batch's lines by the bank's outcome (unreturned: no outcome yet): lines, the fen
-- sent and the fen the bank paid
WITH outcomes AS (
  SELECT p.line, p.amount_fen, coalesce(c.outcome, 'unreturned') AS outcome,
    coalesce(c.paid_fen, 0) AS paid_fen
  FROM fund_payments p LEFT JOIN fund_reconciliations c ON c.batch_id = p.batch_id
    AND c.line = p.line AND c.outcome <> 'repeat'
  WHERE p.batch_id = ?
  UNION ALL
  SELECT c.line, 0, c.outcome, c.paid_fen FROM fund_reconciliations c
  WHERE c.batch_id = ? AND c.outcome IN ('unknown', 'repeat')
)
SELECT outcome, count(*) AS lines, sum(amount_fen) AS sent_fen, sum(paid_fen) AS paid_fen
FROM outcomes GROUP BY outcome
ORDER BY list_position(['paid', 'amount_differs', 'other_holder', 'failed', 'unknown',
  'repeat', 'unreturned'], outcome)

-- name: batch_problems
-- a batch's lines the bank did not pay as sent (failed, amount differs, other holder,
-- unknown), with the payee and account sent
SELECT c.record_id, c.line, c.outcome, p.household_id, p.payee_name, p.bank_account,
  coalesce(p.amount_fen, 0) AS amount_fen, c.paid_fen, c.reason
FROM fund_reconciliations c
LEFT JOIN fund_payments p ON p.batch_id = c.batch_id AND p.line = c.line
WHERE c.batch_id = ? AND c.outcome IN ('failed', 'amount_differs', 'other_holder', 'unknown')
ORDER BY c.line, c.record_id

-- name: public_village_funds
-- (funds/publicity.py) what reached the households and projects of each village under a
-- prefix, per programme, up to a day: households paid (a positive net), their fen, and
-- the fen of the village's projects; the household joined on its id alone (hashed)
WITH spent AS (
  SELECT e.programme, split_part(p.account, ':', 1) AS kind,
    split_part(p.account, ':', 2) AS ref, p.amount_fen,
    CASE WHEN starts_with(p.account, 'household:')
      THEN TRY_CAST(split_part(p.account, ':', 2) AS BIGINT) END AS household_id
  FROM fund_entries e JOIN fund_postings p ON p.entry_id = e.entry_id
  WHERE e.value_date <= ? AND (starts_with(p.account, 'household:')
    OR starts_with(p.account, 'project:'))
),
per_account AS (
  SELECT CASE s.kind WHEN 'household' THEN h.village_code ELSE split_part(s.ref, '/', 1) END
      AS village_code, s.programme, s.kind, s.ref, sum(s.amount_fen) AS net
  FROM spent s LEFT JOIN households h ON h.household_id = s.household_id
  GROUP BY ALL
)
SELECT a.village_code, r.name, a.programme,
  count(*) FILTER (WHERE kind = 'household' AND net > 0) AS households,
  coalesce(sum(net) FILTER (WHERE kind = 'household' AND net > 0), 0) AS households_fen,
  count(*) FILTER (WHERE kind = 'project' AND net > 0) AS projects,
  coalesce(sum(net) FILTER (WHERE kind = 'project' AND net > 0), 0) AS projects_fen
FROM per_account a LEFT JOIN regions r ON r.code = a.village_code
WHERE starts_with(a.village_code, ?)
GROUP BY a.village_code, r.name, a.programme
ORDER BY a.village_code, a.programme

-- name: public_projects
-- the projects of the regions under a prefix, per programme, up to a day: the fen spent
SELECT split_part(split_part(p.account, ':', 2), '/', 1) AS region_code, r.name,
  split_part(split_part(p.account, ':', 2), '/', 2) AS project, e.programme,
  sum(p.amount_fen) AS amount_fen
FROM fund_entries e JOIN fund_postings p ON p.entry_id = e.entry_id
LEFT JOIN regions r ON r.code = split_part(split_part(p.account, ':', 2), '/', 1)
WHERE e.value_date <= ? AND starts_with(p.account, 'project:' || ?)
GROUP BY ALL HAVING sum(p.amount_fen) <> 0 ORDER BY region_code, project, e.programme

-- name: public_household_amounts
-- what each household of the villages under a prefix received per programme up to a
-- day (a positive net), with the name of its head: for the programmes whose rules publish
-- per-household amounts (the registered relation published_(programme))
WITH received AS (
  SELECT h.village_code, e.programme, h.household_id, sum(p.amount_fen) AS amount_fen
  FROM fund_entries e JOIN fund_postings p ON p.entry_id = e.entry_id
  JOIN households h ON h.household_id = TRY_CAST(split_part(p.account, ':', 2) AS BIGINT)
  WHERE e.value_date <= ? AND starts_with(p.account, 'household:')
    AND e.programme IN (SELECT programme FROM published_)
  GROUP BY ALL HAVING sum(p.amount_fen) > 0
)
SELECT r.village_code, r.programme, r.household_id,
  (SELECT min(m.name) FROM people m WHERE m.household_id = r.household_id
     AND m.relation = 'head') AS head, r.amount_fen
FROM received r WHERE starts_with(r.village_code, ?)
ORDER BY r.village_code, r.programme, r.household_id
