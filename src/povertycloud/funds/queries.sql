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
