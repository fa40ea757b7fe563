"""Composite scores and rankings of counties and townships on the performance indicators
(weights as data: rules/ranking.yaml), with each county's distance to its exit criteria
and the change from the year before; and the signs of faked figures, by village."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dynamic.region_criteria import criteria_for
from ..errors import PovertyCloudError
from ..identification.runs import identified
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..store import Store
from .indicators import INDICATORS, LEVELS, indicators
from .queries import QUERIES

DEFAULT = "ranking.yaml"
TOLERANCE = 1e-9


@dataclass(frozen=True)
class RankingRules(RuleSet):
    weights: dict[str, float]  # indicator: its share
    just_above_share: float
    just_above_margin: float
    just_above_least: int
    identical_least: int
    fast_minutes: int  # a survey filled faster is too fast
    fast_least: int
    one_surveyor_least: int


def load_ranking_rules(path: Path | None = None) -> RankingRules:
    """Load and check a ranking file: a share for every indicator, summing to 1, and the
    thresholds of the suspicions."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "ranking")
    top.only("id", "version", "effective", "weights", "suspicions")
    table = Reader(path, top.get("weights", dict), "weights")
    names = tuple(i.name for i in INDICATORS)
    table.only(*names)
    weights = {n: float(table.get(n, (int, float))) for n in names}
    if any(not 0 <= w <= 1 for w in weights.values()):
        raise table.fail(f"each weight is a share from 0 to 1, not {weights}")
    if abs(sum(weights.values()) - 1) > TOLERANCE:
        raise table.fail(f"the weights sum to {sum(weights.values()):g}, not 1")
    s = Reader(path, top.get("suspicions", dict), "suspicions")
    s.only("just_above_share", "just_above_margin", "just_above_least", "identical_least",
           "fast_minutes", "fast_least", "one_surveyor_least")
    shares = {k: float(s.get(k, (int, float))) for k in ("just_above_share",
                                                          "just_above_margin")}
    if any(not 0 < v <= 1 for v in shares.values()):
        raise s.fail(f"'just_above_share' and 'just_above_margin' are shares above 0, not "
                     f"{shares}")
    counts = {k: int(s.get(k, int)) for k in ("just_above_least", "identical_least",
                                              "fast_least", "one_surveyor_least")}
    if any(v < 2 for v in counts.values()):
        raise s.fail(f"the least households are 2 or more, not {counts}")
    fast_minutes = int(s.get("fast_minutes", int))
    if fast_minutes < 1:
        raise s.fail(f"'fast_minutes' is a whole number of minutes, 1 or more, not "
                     f"{fast_minutes}")
    return RankingRules(**header(top), weights=weights,
                        just_above_share=shares["just_above_share"],
                        just_above_margin=shares["just_above_margin"],
                        just_above_least=counts["just_above_least"],
                        identical_least=counts["identical_least"], fast_minutes=fast_minutes,
                        fast_least=counts["fast_least"],
                        one_surveyor_least=counts["one_surveyor_least"])


def composite(rows: list[dict[str, Any]], rules: RankingRules) -> list[dict[str, Any]]:
    """Each region's composite score from 0 to 100: its indicators scaled from the worst
    region (0) to the best (100), weighed, a missing indicator's weight left out of the
    region's; ranked, the best first (equal scores share a rank)."""
    scaled: dict[str, dict[str, float]] = {r["region_code"]: {} for r in rows}
    for ind in INDICATORS:
        values = [r[ind.name] for r in rows if r[ind.name] is not None]
        if not values or not rules.weights[ind.name]:
            continue
        low, high = min(values), max(values)
        for r in rows:
            v = r[ind.name]
            if v is not None:
                share = (v - low) / (high - low) if high > low else 1.0
                scaled[r["region_code"]][ind.name] = 100 * (share if ind.higher_is_better
                                                            else 1 - share)
    for r in rows:
        mine = scaled[r["region_code"]]
        weight = sum(rules.weights[n] for n in mine)
        r["scaled"] = mine
        r["score"] = (sum(rules.weights[n] * v for n, v in mine.items()) / weight
                      if weight else None)
    scored = sorted((r for r in rows if r["score"] is not None),
                    key=lambda r: -r["score"])
    for r in rows:
        r["rank"] = None
    for k, r in enumerate(scored):
        same = k and abs(scored[k - 1]["score"] - r["score"]) < TOLERANCE
        r["rank"] = scored[k - 1]["rank"] if same else k + 1
    return scored + [r for r in rows if r["score"] is None]


def rank(store: Store, level: str, year: int, rules: RankingRules, prefix: str = ""
         ) -> list[dict[str, Any]]:
    """Counties or townships under ``prefix`` ranked for ``year``: indicators, scaled
    values, composite score and rank; the year before's score and rank (the trend); a
    county's distance to each exit criterion (value minus limit, in points; below zero
    is met for a limit to stay under)."""
    if level not in LEVELS:
        raise PovertyCloudError(f"rankings are of a county or township, not {level!r}")
    rows = composite(indicators(store, level, year, prefix), rules)
    before = {r["region_code"]: r for r in composite(indicators(store, level, year - 1,
                                                                prefix), rules)}
    distance = _distances(store, year, prefix) if level == "county" else {}
    for r in rows:
        last = before.get(r["region_code"], {})
        r["score_before"], r["rank_before"] = last.get("score"), last.get("rank")
        r["distance"] = distance.get(r["region_code"], {})
    return rows


def _distances(store: Store, year: int, prefix: str) -> dict[str, dict[str, float]]:
    """By county: each exit criterion's value minus its limit (points), as of the year's
    end, where the criteria can be judged."""
    if not identified(store, year):
        return {}
    out: dict[str, dict[str, float]] = {}
    for r in criteria_for(store, dt.date(year, 12, 31), year, "county", prefix):
        out[r["region_code"]] = {c["criterion"]: round(c["value"] - c["limit"], 2)
                                 for c in r["criteria"] if c["value"] is not None}
    return out


def suspicions(store: Store, year: int, rules: RankingRules, prefix: str = ""
               ) -> list[dict[str, Any]]:
    """Villages under ``prefix`` whose figures of ``year`` look made: exits whose incomes
    land just above the line after a year below it, at least ``just_above_least`` and
    ``just_above_share`` of the year's exits; groups of at least ``identical_least``
    households with the very same survey answers; at least ``fast_least`` surveys filled in
    under ``fast_minutes``; at least ``one_surveyor_least`` surveys all by one surveyor.
    Each with what was seen."""
    found = []
    for r in store.records(QUERIES["just_above_line"],
                           [year, prefix, rules.just_above_margin]):
        if r["just_above"] >= rules.just_above_least and \
                r["just_above"] >= rules.just_above_share * r["exits"]:
            found.append({"village_code": r["village_code"], "village_name": r["village_name"],
                          "sign": "incomes_just_above_line", "households": r["just_above"],
                          "detail": f"{r['just_above']} of {r['exits']} households exited in "
                                    f"{year} with an income just above the line after a year "
                                    "below it"})
    for r in store.records(QUERIES["identical_answers"], [year, prefix,
                                                          rules.identical_least]):
        found.append({"village_code": r["village_code"], "village_name": r["village_name"],
                      "sign": "identical_answers", "households": r["households"],
                      "detail": f"{r['households']} households in {r['groups']} group(s) with "
                                f"the very same survey answers in {year}"})
    for r in store.records(QUERIES["fast_surveys"], [year, prefix, rules.fast_minutes,
                                                     rules.fast_least]):
        found.append({"village_code": r["village_code"], "village_name": r["village_name"],
                      "sign": "surveys_too_fast", "households": r["fast"],
                      "detail": f"{r['fast']} of {r['surveys']} surveys of {year} filled in "
                                f"under {rules.fast_minutes} minutes (the fastest in "
                                f"{r['fastest']:.1f})"})
    for r in store.records(QUERIES["one_surveyor"], [year, prefix, rules.one_surveyor_least]):
        found.append({"village_code": r["village_code"], "village_name": r["village_name"],
                      "sign": "one_surveyor", "households": r["surveys"],
                      "detail": f"all {r['surveys']} surveys of {year} by one surveyor, "
                                f"{r['surveyor']}"})
    return sorted(found, key=lambda f: (f["village_code"], f["sign"]))
