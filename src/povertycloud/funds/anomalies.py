"""Anomalies in the funds: rules (rules/fund_anomalies.yaml, checked, thresholds as data)
each a query over the payment lines, the ledger and the registry (queries.sql, under
"Anomalies") that raises flags into ``fund_flags`` with their evidence, for officers to
verify in the field (flags.py). A flag is raised once: running the rules again raises
only what is new."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..store import Store
from .eligibility import eligibility_sql
from .ledger import QUERIES
from .money import MoneyError, fen
from .programmes import Programmes

DEFAULT = "fund_anomalies.yaml"
# rule: its thresholds, with their kinds
RULES: dict[str, dict[str, type]] = {
    "ineligible_or_unregistered": {},
    "paid_after_death": {},
    "duplicate_benefit": {},
    "shared_account": {"min_households": int},
    "officer_payee": {"exempt_posts": list},
    "split_payments": {"window_days": int},
    "off_standard": {},
    "idle_funds": {"min_idle_yuan": int},
    "late_disbursement": {"grace_days": int},
}
_QUERIES = {  # each rule's query, and its parameters from its thresholds and the day
    "ineligible_or_unregistered": (QUERIES["anomaly_ineligible_or_unregistered"], ()),
    "paid_after_death": (QUERIES["anomaly_paid_after_death"], ()),
    "duplicate_benefit": (QUERIES["anomaly_duplicate_benefit"], ()),
    "shared_account": (QUERIES["anomaly_shared_account"], ("min_households",)),
    "officer_payee": (QUERIES["anomaly_officer_payee"], ()),
    "split_payments": (QUERIES["anomaly_split_payments"], ("window_days",)),
    "off_standard": (QUERIES["anomaly_off_standard"], ()),
    "idle_funds": (QUERIES["anomaly_idle_funds"],
                   ("as_of", "as_of", "as_of", "min_idle_fen")),
    "late_disbursement": (QUERIES["anomaly_late_disbursement"], ("grace_days",)),
}


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    thresholds: dict[str, Any]


@dataclass(frozen=True)
class AnomalyRules(RuleSet):
    rules: tuple[Rule, ...]

    def threshold(self, rule: str, name: str, default: Any) -> Any:
        for r in self.rules:
            if r.id == rule:
                return r.thresholds.get(name, default)
        return default


def load_anomaly_rules(path: Path | None = None) -> AnomalyRules:
    """The anomaly rules of ``path`` (the shipped file when None), checked: every error
    names the file, the line and the rule."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "fund anomaly rules")
    top.only("id", "version", "effective", "rules")
    found: list[Rule] = []
    for item in top.items("rules"):
        found.append(_rule(Reader(path, item, "rule"), {r.id for r in found}))
    if not found:
        raise top.fail("no rules")
    return AnomalyRules(**header(top), rules=tuple(found))


def _rule(r: Reader, taken: set[str]) -> Rule:
    ident = r.name("rule", taken)
    if ident not in RULES:
        raise r.fail(f"unknown rule; the rules are {', '.join(RULES)}")
    kinds = RULES[ident]
    r.only("rule", "label", *kinds)
    thresholds = {k: r.get(k, kind) for k, kind in kinds.items() if k in r.item}
    for key, value in thresholds.items():
        if kinds[key] is int and value < 0:
            raise r.fail(f"'{key}' must not be negative")
    if thresholds.get("min_households", 2) < 2:
        raise r.fail("'min_households' must be 2 or more: an account is shared by two")
    if any(not isinstance(p, str) for p in thresholds.get("exempt_posts", [])):
        raise r.fail("'exempt_posts' must be a list of posts")
    if "min_idle_yuan" in thresholds:
        try:
            thresholds["min_idle_fen"] = fen(thresholds.pop("min_idle_yuan"))
        except MoneyError as exc:
            raise r.fail(f"'min_idle_yuan': {exc}") from None
    return Rule(ident, str(r.get("label", str, ident)), thresholds)


def raise_fund_flags(store: Store, rules: AnomalyRules, programmes: Programmes,
                     as_of: dt.date | None = None) -> dict[str, int]:
    """Run every rule of ``rules`` over the whole ledger as of the end of ``as_of``
    (today by default) and raise the flags not raised before, in one transaction; the
    new flags by rule."""
    day = as_of or dt.date.today()
    with store.transaction():
        _prepare(store, rules, programmes)
        parts: list[str] = []
        values: list[Any] = []
        for rule in rules.rules:
            sql, names = _QUERIES[rule.id]
            parts.append(f"SELECT * FROM ({sql}) q{len(parts)}")
            values += [day if n == "as_of" else _threshold(rule, n) for n in names]
        store.execute("CREATE OR REPLACE TEMP TABLE _fund_candidates AS "
                      + " UNION ALL ".join(parts), values)
        store.execute("CREATE OR REPLACE TEMP TABLE _fund_new_flags AS "
                      + QUERIES["new_fund_flags"])
        new = store.scalar("SELECT count(*) FROM _fund_new_flags")
        if new:
            start = store.draw("fund_flag_ids", new)
            store.execute(QUERIES["insert_fund_flags"], [
                start, rules.version, dt.datetime.now().replace(microsecond=0)])
        counts = {r.id: 0 for r in rules.rules}
        counts.update({str(r): int(n) for r, n in store.rows(
            "SELECT rule, count(*) FROM _fund_new_flags GROUP BY rule")})
        for table in ("_fund_new_flags", "_fund_candidates", "_fund_lines",
                      "_fund_standards", "_fund_officers", "_fund_terms"):
            store.execute(f"DROP TABLE IF EXISTS {table}")
    return counts


_DEFAULTS = {"min_households": 2, "window_days": 30, "min_idle_fen": 0, "grace_days": 0}


def _threshold(rule: Rule, name: str) -> Any:
    return rule.thresholds.get(name, _DEFAULTS[name])


def _prepare(store: Store, rules: AnomalyRules, programmes: Programmes) -> None:
    """The relations the rules read: _fund_lines, _fund_standards, _fund_officers and
    _fund_terms (see queries.sql)."""
    store.execute("CREATE OR REPLACE TEMP TABLE _fund_lines AS " + QUERIES["anomaly_lines"])
    roster = store.has_table("feed_public_employees")
    store.execute("CREATE OR REPLACE TEMP TABLE _fund_officers AS " + officers_sql(store),
                  [exempt(rules)] if roster else [])
    terms = pa.table({
        "programme": [p.id for p in programmes.programmes],
        "idle_days": pa.array([p.idle_days for p in programmes.programmes], pa.int32()),
        "pay_within_days": pa.array([p.pay_within_days for p in programmes.programmes],
                                    pa.int32()),
        "approval_fen": pa.array([p.approval_fen for p in programmes.programmes],
                                 pa.int64())})
    with store.registered("_fund_terms_", terms):
        store.execute("CREATE OR REPLACE TEMP TABLE _fund_terms AS SELECT * FROM _fund_terms_")
    year = store.value("SELECT max(year) FROM identification") \
        if store.has_table("identification") else None
    parts = [
        f"SELECT '{p.id}' AS programme, e.household_id, CAST({year or 0} AS INTEGER) AS year, "
        f"coalesce({p.when_sql}, false) AS eligible, "
        f"CAST({low} AS BIGINT) AS low_fen, CAST({high} AS BIGINT) AS high_fen "
        f"FROM ({eligibility_sql(int(year or 0), paid)}) e"
        for p in programmes.programmes if p.to_households and p.standard is not None
        for low, high in [p.standard.bounds_sql(p.units_sql())]
        for paid in [f"SELECT household_id FROM _fund_lines WHERE programme = '{p.id}'"]]
    none = ("SELECT '' AS programme, CAST(NULL AS BIGINT) AS household_id, 0 AS year, "
            "false AS eligible, CAST(0 AS BIGINT) AS low_fen, CAST(0 AS BIGINT) AS high_fen "
            "WHERE false")
    store.execute("CREATE OR REPLACE TEMP TABLE _fund_standards AS "
                  + " UNION ALL ".join(parts or [none]))


def exempt(rules: AnomalyRules) -> str:
    """The roster's exempt posts, as officers_sql's parameter: ';post;post;'."""
    return ";" + ";".join(rules.threshold("officer_payee", "exempt_posts", [])) + ";"


def officers_sql(store: Store) -> str:
    """The query of the people known to be public employees (person_id, household_id,
    post, employer); with the roster, its one parameter is ``exempt(rules)``."""
    if store.has_table("feed_public_employees"):
        return QUERIES["anomaly_officers"]
    return QUERIES["anomaly_no_officers"]
