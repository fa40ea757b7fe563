"""Signals from department feeds for the other modules: matched death, birth,
serious-illness and disaster records become dated events on the household, for the
relapse warning; a death also sets the person's death date in the registry, and a birth
adds the child to the household of the parent who registered it. Each change to the
registry is kept in ``registry_changes`` with the row as it was before."""

from __future__ import annotations

from ..history import supersede
from ..sqltext import literal
from ..store import Store
from .sources import Signal, Source

# a newborn's relation to the head, from that of the parent who registered the birth
CHILD_RELATION = {"head": "child", "spouse": "child", "child": "grandchild",
                  "child_in_law": "grandchild", "parent": "sibling"}


def send_signals(store: Store, sources: dict[str, Source]) -> dict[str, int]:
    """Apply the matched records of every source with a signal; returns the events added
    per source (an event of the same kind, household and date is not added twice, a
    birth already in the registry adds nothing)."""
    counts = {}
    tables = store.tables()
    with store.transaction():
        for source in sources.values():
            if source.signal is None or source.table.name not in tables:
                continue
            if source.signal.event == "birth":
                counts[source.id] = _add_births(store, source)
                continue
            if source.signal.event == "death":
                _record_deaths(store, source)
            counts[source.id] = _add_events(store, source, source.signal)
    return counts


def _matched(source: Source, date: str) -> str:
    """The source's records matched to a person, with that person's row (``p.``); not
    a record dated before the person's registered birth (its link or its date is
    wrong: a death cannot precede the birth)."""
    return (f"FROM feed_links l JOIN {source.table.name} f ON f.record_id = l.record_id "
            f"JOIN people p ON p.person_id = l.person_id WHERE l.source = "
            f"{literal(source.id)} AND l.decision = 'match' AND f.{date} >= p.birth_date")


def _add_events(store: Store, source: Source, signal: Signal) -> int:
    amount = f"f.{signal.amount}" if signal.amount else "0"
    return _insert_events(store, f"""
SELECT household_id, person_id, event_date, {literal(signal.event)} AS kind, amount,
  batch_id
FROM (SELECT DISTINCT ON (p.household_id, f.{signal.date}) p.household_id, p.person_id,
        f.{signal.date} AS event_date, {amount} AS amount, f.batch_id
      {_matched(source, signal.date)}
      ORDER BY p.household_id, f.{signal.date}, f.record_id) x
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.household_id = x.household_id
                  AND e.kind = {literal(signal.event)} AND e.event_date = x.event_date)""")


def _insert_events(store: Store, select: str) -> int:
    """Add the events ``select`` gives (household_id, person_id, event_date, kind,
    amount, batch_id), numbered after the last; returns how many."""
    return store.scalar(f"""
INSERT INTO events (event_id, household_id, person_id, event_date, kind, amount_yuan,
  batch_id, recorded_at)
SELECT (SELECT coalesce(max(event_id), 0) FROM events)
         + row_number() OVER (ORDER BY household_id, event_date, person_id),
  household_id, person_id, event_date, kind, amount, batch_id, now()
FROM ({select})""")


def _record_deaths(store: Store, source: Source) -> None:
    """People the registry has alive get the death date of their earliest record."""
    assert source.signal is not None
    date = source.signal.date
    store.execute(f"""
CREATE TEMP TABLE deaths AS
SELECT p.person_id, p.household_id, CAST(to_json(p) AS VARCHAR) AS before,
  min(f.{date}) AS death_date, arg_min(f.record_id, f.{date}) AS record_id
{_matched(source, date)} AND p.death_date IS NULL
GROUP BY p.person_id, p.household_id, before""")
    _keep_changes(store, "death", source, "deaths", "before")
    supersede(store, "people", "SELECT person_id, death_date AS valid_to FROM deaths", "death",
              f"feed {source.id}", late=True)
    store.execute("UPDATE people SET death_date = d.death_date FROM deaths d "
                "WHERE people.person_id = d.person_id")
    store.execute("DROP TABLE deaths")


def _add_births(store: Store, source: Source) -> int:
    """Each child not yet in the registry joins the parent's household (the next member
    serial, never one a merged or removed member had), with a birth event; a child
    sent twice is added once. Returns the events added."""
    assert source.signal is not None
    date = source.signal.date
    relation = " ".join(f"WHEN {literal(k)} THEN {literal(v)}"
                        for k, v in CHILD_RELATION.items())
    store.execute(f"""
CREATE TEMP TABLE births AS
SELECT household_id * 100 + serial AS person_id, * EXCLUDE (serial) FROM (
SELECT (SELECT max(q.person_id) % 100 FROM (
          SELECT person_id FROM people WHERE household_id = b.household_id UNION ALL
          SELECT person_id FROM registry_changes WHERE household_id = b.household_id) q)
       + row_number() OVER (PARTITION BY b.household_id ORDER BY b.birth_date,
                            b.id_number) AS serial, b.*
FROM (SELECT DISTINCT ON (f.child_id_number) p.household_id, f.child_id_number AS id_number,
        f.child_name AS name, f.child_sex AS sex, f.{date} AS birth_date, p.ethnicity,
        CASE p.relation {relation} ELSE 'other' END AS relation, f.record_id, f.batch_id
      {_matched(source, date)}
        AND NOT EXISTS (SELECT 1 FROM people q WHERE q.id_number = f.child_id_number)
      ORDER BY f.child_id_number, f.record_id) b)
WHERE serial <= 99  -- a household of a hundred members is an error to look at""")
    store.execute("""
INSERT INTO people BY NAME
SELECT person_id, household_id, id_number, name, sex, birth_date, ethnicity, relation,
  'none' AS education, FALSE AS in_school, FALSE AS chronic_illness,
  FALSE AS serious_illness, 'none' AS disability_kind, 0 AS disability_grade,
  'none' AS labour_capacity, 0 AS migrant_months, FALSE AS medical_insurance,
  FALSE AS critical_illness_insurance, FALSE AS pension_insurance,
  FALSE AS min_living_guarantee, batch_id, now() AS recorded_at FROM births""")
    _keep_changes(store, "birth", source, "births", "NULL")
    added = _insert_events(store, "SELECT household_id, person_id, birth_date AS event_date, "
                                "'birth' AS kind, 0 AS amount, batch_id FROM births")
    store.execute("DROP TABLE births")
    return added


def _keep_changes(store: Store, change: str, source: Source, rows: str,
                  before: str) -> None:
    """A ``registry_changes`` row for each row of ``rows`` (person_id, household_id,
    record_id), caused by that record of ``source``; ``before`` is the row as it was."""
    store.execute(f"""
INSERT INTO registry_changes (change, person_id, household_id, before, source, record_id,
  changed_by, changed_at)
SELECT {literal(change)}, person_id, household_id, {before}, {literal(source.id)},
  record_id, {literal('feed ' + source.id)}, now() FROM {rows}
ORDER BY person_id, record_id""")  # change ids in a fixed order
