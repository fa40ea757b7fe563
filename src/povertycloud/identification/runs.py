"""Identification runs over a store: run and record, replay rules as "what if", explain."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ..errors import PovertyCloudError
from ..pipeline.on_store import execute, preview
from ..progress import Progress
from ..sqltext import literal
from ..standard.regions import check_level, sql_ancestor
from ..store import Store
from .cause_model import CauseModel
from .plan import Rules, identify_plan

# The breakdown of each score (points per set and indicator), apart from the results.
SCORES = "identification_scores"  # a view of the scorecard's columns of identification


def _scores_view(store: Store) -> str:
    """The view, its columns named (plain SQL that a PostgreSQL store can hold too)."""
    scored = [c for c in store.columns("identification") if c[:2] in ("s_", "i_")]
    return (f"CREATE VIEW {SCORES} AS SELECT household_id, year, score, band, "
            f"{', '.join(scored)} FROM identification")


def latest_year(store: Store) -> int:
    year = store.latest_year("household_years")
    if year is None:
        raise PovertyCloudError(f"{store.label} has no household_years to identify")
    return year


def check_year(store: Store, year: int) -> None:
    if not store.scalar("SELECT count(*) FROM household_years WHERE year = ?", [year]):
        raise PovertyCloudError(f"{store.label} has no survey of {year}")


def identify(store: Store, rules: Rules, year: int, engine: str = "duckdb",
             progress: Progress | None = None, model: CauseModel | None = None
             ) -> dict[str, int]:
    """Identify every household surveyed in ``year`` and keep the results (replacing an
    earlier run for that year), recording the rule versions used (and the cause
    ``model`` with the verified set it learnt from), all in one transaction; returns
    the number of households identified (and so scored)."""
    check_year(store, year)
    versions = rules.versions()
    if model is not None:
        model.check_rules(versions["causes"])  # before any work
        versions["cause_model"] = (f"{model.label}, verified set "
                                   f"{model.content['trained']['fingerprint'][:12]}")
    with store.transaction():  # all of it, or nothing: a crash leaves the run before
        run_id = store.scalar("SELECT coalesce(max(run_id), 0) + 1 FROM identification_runs")
        if store.has_table(SCORES):  # earlier versions kept it as a table
            store.execute(f"DROP TABLE {SCORES}")
        store.execute(f"DROP VIEW IF EXISTS {SCORES}")  # it holds on to the table it reads
        execute(store, engine, identify_plan(rules, year, run_id, model), progress)
        households = store.scalar("SELECT count(*) FROM identification WHERE year = ?",
                                  [year])
        store.execute(_scores_view(store))
        store.execute("INSERT INTO identification_runs VALUES (?, ?, ?, ?, now(), ?)",
                      [run_id, year, engine, households,
                       json.dumps(versions, ensure_ascii=False)])
    return {"identification": households, "identification_scores": households}


def summary(store: Store, year: int) -> dict[str, list[tuple[Any, ...]]]:
    """Counts by proposal, band, primary cause, measure and priority, for printing."""
    _require(store, year)
    q = store.rows
    where = f"WHERE year = {year}"
    return {
        "proposal": q(f"SELECT proposal, count(*), sum(members) FROM identification {where} "
                      "GROUP BY 1 ORDER BY 1"),
        "band": q(f"SELECT band, count(*), round(avg(score), 1) FROM identification {where} "
                  "GROUP BY 1 ORDER BY 3"),
        "primary_cause": q(f"SELECT primary_cause, count(*) FROM identification {where} "
                           "AND primary_cause IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"),
        "measures": q(f"SELECT m, count(*) FROM (SELECT unnest(string_split(measures, ';')) "
                      f"AS m FROM identification {where} AND measures <> '') "
                      "GROUP BY 1 ORDER BY 2 DESC"),
        "priority": q(f"SELECT priority, count(*) FROM identification {where} "
                      "GROUP BY 1 ORDER BY 1"),
        "guarantees": q(f"SELECT guarantees_failed, count(*) FROM identification {where} "
                        "GROUP BY 1 ORDER BY 1"),
        "cause_source": q(f"SELECT cause_source, count(*) FROM identification {where} "
                          "AND cause_source IS NOT NULL GROUP BY 1 ORDER BY 1")
        if keeps_cause_sources(store) else [],
    }


def whatif(store: Store, rules: Rules, year: int, level: str = "county") -> pa.Table:
    """Replay ``rules`` over the registry for ``year`` and compare with the stored
    (official) run, per region at ``level``: who would enter and who would leave, as
    proposed poor and as scored into the first band. Changes nothing in the store."""
    _require(store, year)
    check_level(level)
    first_band = literal(rules.scorecard.bands[0].name)
    official = store.qualified("identification")  # the what-if shadows the name
    with preview(store, identify_plan(rules, year)) as result:
        region = sql_ancestor("o.village_code", level)
        sql = f"""
SELECT {region} AS region_code, any_value(g.name) AS region_name,
  count(*) AS households,
  sum((o.proposal = 'poor')::INT) AS poor_official,
  sum((w.proposal = 'poor')::INT) AS poor_whatif,
  sum((w.proposal = 'poor' AND o.proposal <> 'poor')::INT) AS poor_entering,
  sum((o.proposal = 'poor' AND w.proposal <> 'poor')::INT) AS poor_leaving,
  sum((o.band = {first_band})::INT) AS band1_official,
  sum((w.band = {first_band})::INT) AS band1_whatif,
  sum((w.band = {first_band} AND o.band <> {first_band})::INT) AS band1_entering,
  sum((o.band = {first_band} AND w.band <> {first_band})::INT) AS band1_leaving
FROM {official} o
JOIN {result("identification")} w ON w.household_id = o.household_id AND w.year = o.year
LEFT JOIN regions g ON g.code = {region}
WHERE o.year = {year}
GROUP BY {region} ORDER BY {region}"""
        return store.arrow(sql)


def whatif_households(store: Store, rules: Rules, year: int) -> pa.Table:
    """The households whose proposal or band would change under ``rules``."""
    _require(store, year)
    official = store.qualified("identification")
    with preview(store, identify_plan(rules, year)) as result:
        return store.arrow(f"""
SELECT o.household_id, o.village_code, o.proposal AS proposal_official,
  w.proposal AS proposal_whatif, o.band AS band_official, w.band AS band_whatif,
  o.score AS score_official, w.score AS score_whatif
FROM {official} o
JOIN {result("identification")} w ON w.household_id = o.household_id AND w.year = o.year
WHERE o.year = {year} AND (o.proposal <> w.proposal OR o.band <> w.band)
ORDER BY o.household_id""")


def explain(store: Store, rules: Rules, household_id: int, year: int) -> dict[str, Any]:
    """Why a household scored what it did: points per set and per indicator, with the
    levels it could earn, its guarantees, causes and measures."""
    _require(store, year)
    scores = store.record("SELECT * FROM identification_scores WHERE household_id = ? "
                          "AND year = ?", [household_id, year])
    if scores is None:
        raise PovertyCloudError(f"household {household_id} has no identification in {year}")
    result = store.record("SELECT * FROM identification WHERE household_id = ? AND "
                          "year = ?", [household_id, year])
    card = rules.scorecard
    sets = []
    for set_id, label in card.sets:
        indicators = [{"indicator": i.id, "label": i.label, "points": scores[i.column],
                       "max": i.max, "levels": [(lv.when, lv.points) for lv in i.levels]}
                      for i in card.indicators_of(set_id)]
        sets.append({"set": set_id, "label": label, "points": scores[f"s_{set_id}"],
                     "max": sum(i.max for i in card.indicators_of(set_id)),
                     "indicators": indicators})
    return {"household_id": household_id, "year": year, "score": scores["score"],
            "band": scores["band"], "sets": sets, "identification": result}


def keeps_cause_sources(store: Store) -> bool:
    """Whether the store's identification says where each cause came from (runs before
    causes were learned did not)."""
    return store.has_table("identification") and "cause_source" in store.columns(
        "identification")


def identified(store: Store, year: int) -> bool:
    """Whether the store holds an identification of ``year``."""
    return store.has_table("identification") and bool(
        store.scalar("SELECT count(*) FROM identification WHERE year = ?", [year]))


def latest_identified(store: Store) -> int | None:
    """The latest year the store holds an identification of, or None."""
    return store.latest_year("identification") if store.has_table("identification") else None


def require_identification(store: Store, year: int) -> None:
    """Refuse work that reads the identification of ``year`` when there is none."""
    if not identified(store, year):
        raise PovertyCloudError(f"the households of {year} have not been identified: run "
                                f"`povertycloud identify --year {year}` first")


def _require(store: Store, year: int) -> None:
    if "identification" not in store.tables():
        raise PovertyCloudError(f"{store.label} has no identification yet: run "
                                f"`povertycloud identify --db {store.label}` first")
    if not identified(store, year):
        raise PovertyCloudError(f"{store.label} has no identification for {year}: run "
                                f"`povertycloud identify --db {store.label} --year {year}`")


__all__ = ["explain", "identified", "identify", "latest_year", "summary", "whatif",
           "whatif_households"]
