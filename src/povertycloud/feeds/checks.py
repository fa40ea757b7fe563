"""Conflict checks on department feeds: link each feed to the registry's people, then
raise a flag where a rule holds (a vehicle above a value, a registered business, a death
of someone the registry has alive), unless an exemption does; each flag carries the
record as its evidence and waits for a field officer's verification, whose outcomes
give each rule's precision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import PovertyCloudError
from ..linkage.config import Column, LinkConfig, default_blocking
from ..profile.expressions import (
    BOOLEAN,
    NUMBER,
    STRING,
    ExpressionError,
    FieldType,
    compile_expression,
)
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import literal
from ..standard import codes
from ..standard.fields import Kind, Table
from ..standard.ids import sql_valid
from ..store import Queries, Store
from .outcomes import OUTCOMES
from .sources import Source, load_sources

DEFAULT = "conflicts.yaml"
_TYPES = {Kind.INTEGER: NUMBER, Kind.NUMBER: NUMBER, Kind.BOOLEAN: BOOLEAN}
PERSON_FIELDS = {"registration_status": FieldType(STRING, codes.REGISTRATION),
                 "person_alive": FieldType(BOOLEAN),
                 "relation": FieldType(STRING, codes.RELATIONS)}
QUERIES = Queries(__package__)  # feeds/queries.sql


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    source: str
    when: str  # SQL
    exempt: str  # SQL


@dataclass(frozen=True)
class ConflictRules(RuleSet):
    rules: tuple[Rule, ...]


def field_types(table: Table) -> dict[str, FieldType]:
    types = {f.name: FieldType(_TYPES.get(f.kind, STRING), f.values)
             for f in table.fields if f.kind != Kind.DATE}
    return types | PERSON_FIELDS


def load_conflicts(path: Path | None = None,
                   sources: dict[str, Source] | None = None) -> ConflictRules:
    """Load and check a conflict-rule file (the shipped one when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    sources = sources if sources is not None else load_sources()
    top = Reader(path, load(path), "conflict rules")
    rules: list[Rule] = []
    for item in top.items("rules"):
        r = Reader(path, item, "rule")
        ident = r.name("rule", {x.id for x in rules})
        source = r.get("source", str)
        if source not in sources:
            raise r.fail(f"unknown source {source!r}; the sources are {', '.join(sources)}")
        types = field_types(sources[source].table)
        try:
            when = compile_expression(r.get("when", str), types, BOOLEAN).sql
            exempt = compile_expression(r.get("exempt", str, "false"), types, BOOLEAN).sql
        except ExpressionError as exc:
            raise r.fail(str(exc)) from None
        rules.append(Rule(ident, r.get("label", str, ident), source, when, exempt))
    if not rules:
        raise top.fail("no rules")
    return ConflictRules(**header(top), rules=tuple(rules))


def link_config(source: Source) -> LinkConfig:
    """How a feed links to the registry: ID number, name, birth date where the feed has
    it, address. Not sex: on the synthetic feeds it lowered the recall of records
    without an ID number from 0.94 to 0.83 (and their precision from 1.00 to 0.88). A
    record is about one person (one to one), told apart from twins and namesakes by the
    registry's households and villages. Not candidates by the household's address: on
    20,000 people it found a few more mistyped names (recall 0.80 to 0.83) but fewer
    records in all (0.9875 to 0.9855) and sent more to review (0.04% to 0.33%). The
    household stage finds them instead (``linkage.household``: 0.80 to 0.99 on 200,000
    people)."""
    names = {f.name for f in source.table.fields}
    columns = tuple(Column(n, n, kind) for n, kind in (
        ("id_number", "id_number"), ("name", "name"), ("birth_date", "date"),
        ("address", "address")) if n in names)
    return LinkConfig(Path(source.id), source.table.primary_key[0], "person_id", columns,
                      0.9, 0.5, default_blocking(columns), one_to_one=True,
                      household="household_id", village="village_code")


def run_checks(store: Store, sources: dict[str, Source], rules: ConflictRules
               ) -> tuple[dict[str, int], dict[str, int]]:
    """Link every feed (:func:`link_feeds`) and raise the flags (:func:`raise_flags`),
    in one transaction: killed half-way, the store keeps its links and flags as they
    were. Returns the matches per source and the new flags per rule."""
    with store.transaction():
        return link_feeds(store, sources), raise_flags(store, rules)


def link_feeds(store: Store, sources: dict[str, Source], u_pairs: int | None = None
               ) -> dict[str, int]:
    """Link every feed the store holds to its people (replacing earlier links of that
    feed); returns the matches per source. ``u_pairs`` trades the model's precision for
    time (the demo takes fewer)."""
    from ..linkage.link import link  # Splink loads when a feed is linked

    tables = store.tables()
    people = store.arrow(_PEOPLE)
    out = {}
    for source in sources.values():
        if source.table.name not in tables:
            continue
        records = store.arrow(f"SELECT * FROM {source.table.name}")
        config = link_config(source)
        if u_pairs is not None:
            config = replace(config, u_pairs=u_pairs)
        pairs = link(records, people, config).pairs
        _keep_links(store, source.id, pairs)
        out[source.id] = pairs.filter(pa.compute.equal(pairs["decision"], "match")).num_rows
    return out


# The registry's people, each valid ID number once (a later registration of it is a
# duplicate for `registry duplicates` to merge): a record links to one person.
_PEOPLE = f"""
SELECT p.person_id, p.id_number, p.name, p.birth_date, h.address, p.household_id,
  h.village_code
FROM people p JOIN households h USING (household_id)
QUALIFY row_number() OVER (
  PARTITION BY CASE WHEN {sql_valid("upper(p.id_number)")} THEN upper(p.id_number)
    ELSE CAST(p.person_id AS VARCHAR) END ORDER BY p.batch_id, p.person_id) = 1"""


def _keep_links(store: Store, source: str, pairs: pa.Table) -> None:
    """The links of ``source`` replaced by ``pairs``, each with why it is under review
    and its evidence."""
    with store.transaction(), store.registered("new_links", pairs):
        store.execute("DELETE FROM feed_links WHERE source = ?", [source])
        store.execute(QUERIES["keep_links"], [source])


def raise_flags(store: Store, rules: ConflictRules) -> dict[str, int]:
    """New flags per rule (a record already flagged by a rule is not flagged again)."""
    counts = {}
    tables = store.tables()
    with store.transaction():
        for rule in rules.rules:
            feed = f"feed_{rule.source}"
            if feed not in tables:
                counts[rule.id] = 0
                continue
            new = _new_flags_sql(rule, feed)
            first = store.draw("flag_ids", store.scalar(f"SELECT count(*) FROM ({new})"))
            counts[rule.id] = store.scalar(f"""
INSERT INTO conflict_flags (flag_id, rule, rules_version, source, record_id, person_id,
  household_id, evidence, raised_at)
SELECT {first} + row_number() OVER (ORDER BY record_id, person_id), {literal(rule.id)},
  {literal(rules.label)}, {literal(rule.source)}, record_id, person_id, household_id,
  evidence, now()
FROM ({new})""")  # numbered by record: a re-run numbers them alike
    return counts


def _new_flags_sql(rule: Rule, feed: str) -> str:
    """The records of ``feed`` that ``rule`` flags and it has not flagged yet, with
    their person, household and evidence."""
    return f"""
SELECT record_id, person_id, household_id, evidence
FROM (SELECT f.*, l.person_id, p.household_id, h.registration_status,
        p.death_date IS NULL AS person_alive, p.relation,
        CAST(to_json(f) AS VARCHAR) AS evidence
      FROM feed_links l JOIN {feed} f ON f.record_id = l.record_id
      JOIN people p ON p.person_id = l.person_id
      JOIN households h ON h.household_id = p.household_id
      WHERE l.source = {literal(rule.source)} AND l.decision = 'match') x
WHERE ({rule.when}) AND NOT COALESCE(({rule.exempt}), FALSE)
  AND NOT EXISTS (SELECT 1 FROM conflict_flags c WHERE c.rule = {literal(rule.id)}
                  AND c.record_id = x.record_id)"""


def verify(store: Store, flag_id: int, outcome: str, by: str) -> None:
    """Record a field officer's verification of a flag (one statement: two officers at
    once cannot both record one)."""
    if outcome not in OUTCOMES:
        raise PovertyCloudError(f"outcome must be one of {', '.join(OUTCOMES)}")
    found = store.one(QUERIES["flag_outcome"], [flag_id])
    if found is None:
        raise PovertyCloudError(f"no flag {flag_id}")
    if found[0] is not None:
        raise PovertyCloudError(f"flag {flag_id} was already verified: {found[0]}")
    store.execute(QUERIES["record_outcome"], [outcome, dt.datetime.now(), by, flag_id])


def open_flags(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Flags of households whose village lies under ``prefix``, unverified first."""
    return store.records(QUERIES["open_flags"], [prefix])


def review_queue(store: Store, source: str | None = None) -> list[dict[str, Any]]:
    """Pairs waiting for an officer, by feed record (rivals together, the likeliest
    first): the registry's person, why the pair is under review and how many
    candidates the record has."""
    return store.records(QUERIES["review_queue"], {"source": source})


def decide(store: Store, source: str, record_id: int, person_id: int,
           accept: bool, by: str, role: str | None = None) -> str:
    """An officer's decision on a pair under review: a match, or rejected. A record
    keeps one match at most: accepting a pair rejects the record's other pairs under
    review (its rivals). Each decision is written with who decided, and the person's
    village, to the audit log in the same transaction. Of two decisions at once, one
    wins and the other finds the pair decided."""
    decision = "match" if accept else "rejected"
    with store.transaction():
        matched = store.value(QUERIES["matched_person"], [source, record_id, person_id]
                              ) if accept else None
        if matched is not None:
            raise PovertyCloudError(f"{source} record {record_id} is already matched to "
                                    f"person {matched}: a record keeps one match")
        changed = store.scalar(QUERIES["decide_pair"],
                               [decision, source, record_id, person_id])
        if not changed:
            raise PovertyCloudError(_not_under_review(store, source, record_id, person_id))
        store.audit("review_match" if accept else "review_rejected", username=by, role=role,
                    object_kind="feed_link", object_id=f"{source}/{record_id}",
                    region_code=village_of_person(store, person_id),
                    detail=f"person {person_id}")
        rivals = store.column(QUERIES["rivals_under_review"],
                              [source, record_id, person_id]) if accept else []
        if rivals:
            store.execute(QUERIES["reject_rivals"], [source, record_id, person_id])
        for rival in rivals:
            store.audit("review_rejected", username=by, role=role, object_kind="feed_link",
                        object_id=f"{source}/{record_id}",
                        region_code=village_of_person(store, int(rival)),
                        detail=f"person {rival}, a rival of person {person_id}")
    return decision


def village_of_person(store: Store, person_id: int) -> str | None:
    found = store.value(QUERIES["village_of_person"], [person_id])
    return str(found) if found is not None else None


def _not_under_review(store: Store, source: str, record_id: int, person_id: int) -> str:
    found = store.one(QUERIES["pair_decision"], [source, record_id, person_id])
    if found is None:
        return f"no pair of {source} record {record_id} and person {person_id}"
    return f"that pair is not under review (it is a {found[0]})"


def report(store: Store, prefix: str = ""
           ) -> list[tuple[str, int, int, int, float | None]]:
    """Per rule, over the flags of households under ``prefix``: flags, verified,
    confirmed, and precision (confirmed among verified flags that were not exempt)."""
    rows = store.rows(QUERIES["precision_by_rule"], [prefix])
    return [(str(r), int(n), int(v), int(c), float(p) if p is not None else None)
            for r, n, v, c, p in rows]
