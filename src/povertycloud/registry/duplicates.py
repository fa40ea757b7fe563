"""Finding one person registered twice (in two households, say, after a marriage): the
same valid ID number on two living people, then probabilistic deduplication with Splink
on ID number, name (characters and pinyin), birth date, sex and address. The pairs that
chain into one cluster are checked together: a cluster holding twins or two birth dates
no clerk's fault explains is a contradiction, named on each of its pairs. Pairs go to
``registry_duplicates`` for an officer to merge or mark distinct; pairs already decided
are not proposed again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..linkage.config import Column, LinkConfig
from ..linkage.dates import one_birth_date
from ..linkage.derived import with_derived
from ..linkage.resolve import twins
from ..standard.ids import sql_valid
from ..store import Store

# The ID number compared as an identifier, edits learnt: one person registered twice
# may hold two valid ID numbers of one birthday, which linkage counts against a match
# (``probabilistic.id_number_comparison``); the same one is found by SQL first.
COLUMNS = (Column("id_number", "id_number", "identifier"), Column("name", "name", "name"),
           Column("birth_date", "birth_date", "date"), Column("sex", "sex", "exact"),
           Column("address", "address", "address"))
CONFIG = LinkConfig(Path("registry"), "person_id", "person_id", COLUMNS, 0.9, 0.5,
                    (("birth_date", "name_pinyin"),))
# what contradicts a cluster of pairs (``_checked``)
CONTRADICTIONS = ("twins", "birth_dates")
# the one kept is the one registered first (then the lower member number)
_KEEP = "(a.batch_id, a.unique_id) < (b.batch_id, b.unique_id)"


@dataclass(frozen=True)
class Found:
    by_id: int
    probable: int  # from the review threshold up
    new: int  # pairs not proposed before
    contradicted: int  # pairs in a cluster with a contradiction
    seconds: float


def living_people(store: Store) -> pa.Table:
    people = store.arrow(
        "SELECT p.person_id AS unique_id, p.id_number, p.name, p.birth_date, p.sex, "
        "h.address, p.batch_id, p.household_id FROM people p JOIN households h "
        "USING (household_id) "
        "WHERE p.death_date IS NULL")
    return with_derived(people, CONFIG)


def find_duplicates(store: Store) -> Found:
    """Propose the pairs of the registry that may be one person."""
    from ..linkage.dedupe import dedupe  # Splink loads when duplicates are looked for

    started = time.perf_counter()
    people = living_people(store)
    scored = dedupe(people.drop_columns(["batch_id", "household_id"]), CONFIG)
    with store.registered("living", people), store.registered("scored", scored):
        pairs = store.arrow(f"""
WITH half AS MATERIALIZED (  -- pairs first: the optimizer must not join people to people
  SELECT s.*, a.id_number AS id_a FROM scored s JOIN living a ON a.unique_id = s.left_key)
SELECT CASE WHEN {_KEEP} THEN a.unique_id ELSE b.unique_id END AS person_id,
  CASE WHEN {_KEEP} THEN b.unique_id ELSE a.unique_id END AS duplicate_id,
  1.0 AS match_probability, 'id_number' AS matched_on
FROM living a JOIN living b ON a.id_number = b.id_number AND a.unique_id < b.unique_id
WHERE {sql_valid("a.id_number")}
UNION ALL
SELECT CASE WHEN {_KEEP} THEN a.unique_id ELSE b.unique_id END,
  CASE WHEN {_KEEP} THEN b.unique_id ELSE a.unique_id END, h.match_probability,
  'probabilistic'
FROM half h JOIN living a ON a.unique_id = h.left_key
JOIN living b ON b.unique_id = h.right_key
WHERE h.id_a <> b.id_number""")
        pairs = _checked(store, pairs)
    by_id = pc.sum(pc.equal(pairs.column("matched_on"), "id_number")).as_py() or 0
    new = _keep_pairs(store, pairs)
    contradicted = pairs.num_rows - pairs.column("contradiction").null_count
    return Found(by_id, pairs.num_rows - by_id, new, contradicted,
                 time.perf_counter() - started)


def clusters(pairs: pa.Table) -> pa.Table:
    """The people of ``pairs`` (person_id, duplicate_id), each with the least person of
    the pairs chaining to it (``cluster``): connected components, by union-find."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = x = parent[parent[x]]
        return x

    for a, b in zip(pairs.column("person_id").to_pylist(),
                    pairs.column("duplicate_id").to_pylist(), strict=True):
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    people = list(parent)
    return pa.table({"person_id": pa.array(people, pa.int64()),
                     "cluster": pa.array([root(p) for p in people], pa.int64())})


def _checked(store: Store, pairs: pa.Table) -> pa.Table:
    """``pairs`` with the contradiction of their cluster (NULL where there is none);
    runs where ``living`` is registered."""
    both = "a.unique_id < b.unique_id"
    twin = twins("household_id", "birth_date", "a.name", "b.name")
    with store.registered("found", pairs), store.registered("clusters", clusters(pairs)):
        return store.arrow(f"""
WITH members AS (SELECT c.cluster, l.* FROM clusters c
                 JOIN living l ON l.unique_id = c.person_id),
against AS (
  SELECT a.cluster, max(CASE WHEN {twin} THEN '{CONTRADICTIONS[0]}'
      ELSE '{CONTRADICTIONS[1]}' END) AS contradiction  -- twins first
  FROM members a JOIN members b ON a.cluster = b.cluster AND {both}
  WHERE ({twin}) OR NOT {one_birth_date("a.birth_date", "b.birth_date")}
  GROUP BY a.cluster)
SELECT f.*, g.contradiction FROM found f JOIN clusters c ON c.person_id = f.person_id
LEFT JOIN against g ON g.cluster = c.cluster""")


def _keep_pairs(store: Store, pairs: pa.Table) -> int:
    with store.transaction(), store.registered("found_pairs", pairs):
        return store.scalar("INSERT INTO registry_duplicates (person_id, duplicate_id, "
                            "match_probability, matched_on, found_at, contradiction) "
                            "SELECT person_id, duplicate_id, match_probability, "
                            "matched_on, now(), contradiction FROM found_pairs "
                            "ON CONFLICT DO NOTHING")


def open_pairs(store: Store, prefix: str = "") -> list[tuple[object, ...]]:
    """Undecided pairs of people both living under ``prefix``, most probable first,
    with the contradiction of their cluster."""
    return store.rows("""
SELECT d.person_id, d.duplicate_id, round(d.match_probability, 3), d.matched_on,
  a.name, b.name, a.birth_date, b.birth_date, a.household_id, b.household_id,
  d.contradiction
FROM registry_duplicates d JOIN people a ON a.person_id = d.person_id
JOIN people b ON b.person_id = d.duplicate_id
JOIN households ha ON ha.household_id = a.household_id
JOIN households hb ON hb.household_id = b.household_id
WHERE d.decision IS NULL AND starts_with(ha.village_code, ?)
  AND starts_with(hb.village_code, ?)
ORDER BY d.match_probability DESC, d.person_id""", [prefix, prefix])
