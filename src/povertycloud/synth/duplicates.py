"""People registered twice, for measuring how the registry's duplicates are found: a
share of living adults is registered a second time in the next household of their
village, six in ten under the same ID number and the rest under another valid one (the
last digits of the sequence mistyped, the check character recomputed), with the same
name, sex and birth date. The truth is returned: (person_id, duplicate_id, kind)."""

from __future__ import annotations

from ..standard.ids import sql_check_digit
from ..store import Store


def register_twice(store: Store, share: float = 0.002,
                   seed: int = 1) -> list[tuple[int, int, str]]:
    """Add the second registrations to the store's ``people``."""
    per_million = int(share * 1_000_000)
    store.execute(f"""
CREATE TEMP TABLE twice AS
WITH next_door AS (
  SELECT household_id, lead(household_id) OVER (PARTITION BY village_code
                                                ORDER BY household_id) AS other
  FROM households),
chosen AS (SELECT p.*, n.other FROM people p JOIN next_door n USING (household_id)),
picked AS (
  SELECT * EXCLUDE (household_id, other), other AS household_id,
    CASE WHEN hash(person_id, {seed}, 'kind') % 10 < 6 THEN 'same_id' ELSE 'other_id' END
      AS kind
  FROM chosen WHERE other IS NOT NULL AND other <> household_id AND death_date IS NULL
    AND birth_date < DATE '1998-01-01' AND hash(person_id, {seed}) % 1000000 < {per_million}
  QUALIFY row_number() OVER (PARTITION BY person_id) = 1),
mistyped AS (
  SELECT *, left(id_number, 14) || CAST((CAST(substr(id_number, 15, 3) AS INTEGER) + 2
      + 2 * CAST(hash(person_id, {seed}, 'seq') % 40 AS INTEGER)) % 1000 AS VARCHAR)
    AS raw FROM picked)
SELECT * EXCLUDE (raw, id_number, person_id), person_id AS original,
  household_id * 100 + (SELECT max(q.person_id) % 100 FROM people q
                        WHERE q.household_id = m.household_id)
    + row_number() OVER (PARTITION BY household_id ORDER BY person_id) AS person_id,
  CASE WHEN kind = 'same_id' THEN id_number ELSE
    left(raw, 14) || lpad(substr(raw, 15), 3, '0')
    || {sql_check_digit("(left(raw, 14) || lpad(substr(raw, 15), 3, '0'))")} END
    AS id_number
FROM mistyped m""")
    store.execute("INSERT INTO people BY NAME SELECT * EXCLUDE (original, kind) FROM twice")
    truth = store.rows("SELECT original, person_id, kind FROM twice ORDER BY original")
    store.execute("DROP TABLE twice")
    return [(int(a), int(b), str(k)) for a, b, k in truth]
