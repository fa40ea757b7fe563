"""A county's sample design (抽样方案): how many villages each stratum draws, with
probability proportional to its households, and how many households of each group a
drawn village gives, from the margin wanted on each rate. Kept with its frame's version
and seed, so that the draw is reproducible and refused on a frame that changed."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..standard.regions import level_of
from ..store import Store
from .frame import Frame, frame_of
from .queries import QUERIES, stamp
from .rules import GROUPS, AssessmentRules


class DesignError(PovertyCloudError):
    """A design or a draw refused, with the reason."""


@dataclass(frozen=True)
class Sizes:
    needed: dict[str, int]  # households of each group the margins need, county-wide
    per_village: dict[str, int]  # of each group, from each drawn village
    villages: dict[str, int]  # villages drawn in each stratum
    least: int  # villages a stratum needs, or it is merged (see strata_villages)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Sizes:
        return cls(**json.loads(text))


def needed(rules: AssessmentRules, counts: dict[str, int]) -> dict[str, int]:
    """Households of each group for every rate's margin at the rules' confidence: the
    normal approximation with the anticipated design effect and the finite-population
    correction. Approval (over all groups) tops the groups up in proportion."""
    from scipy.stats import norm  # loads with the first design

    z = float(norm.ppf(0.5 + rules.confidence / 2))

    def size(p: float, margin: float, population: int) -> int:
        n0 = rules.design_effect * z * z * p * (1 - p) / (margin * margin)
        return min(population, math.ceil(n0 / (1 + (n0 - 1) / population))) if population else 0

    out = dict.fromkeys(GROUPS, 0)
    for r in rules.rates:
        if r.group != "all":
            out[r.group] = max(out[r.group], size(r.anticipated, r.margin, counts[r.group]))
    total = sum(counts.values())
    for r in rules.rates:
        if r.group == "all" and total:
            short = size(r.anticipated, r.margin, total) - sum(out.values())
            for g in GROUPS:
                if short > 0:
                    out[g] = min(counts[g], out[g] + math.ceil(short * counts[g] / total))
    return out


def strata_villages(rules: AssessmentRules, frame: Frame) -> dict[str, int]:
    """Villages drawn in each stratum: the rules' number shared in proportion to the
    strata's households (largest remainders), at least ``min_per_stratum`` each and at
    most all of a stratum's villages, strata too small merged first (:func:`merged`)."""
    sizes = merged(frame.villages.to_pylist(), rules.min_per_stratum)
    total = sum(s["households"] for s in sizes.values())
    want = min(rules.villages, sum(s["villages"] for s in sizes.values()))
    shares = {k: want * s["households"] / total for k, s in sizes.items()}
    out = {k: min(s["villages"], max(rules.min_per_stratum, math.floor(shares[k])))
           for k, s in sizes.items()}
    for k in sorted(shares, key=lambda k: shares[k] - math.floor(shares[k]), reverse=True):
        if sum(out.values()) >= want:
            break
        if out[k] < sizes[k]["villages"]:
            out[k] += 1
    return out


def merged(villages: list[dict[str, Any]], least: int) -> dict[str, dict[str, int]]:
    """{stratum: {villages, households}} after merging, in place, each stratum of fewer
    than ``least`` villages into the smallest other stratum of its kind (poor or other),
    or of any kind when it is the last of its kind."""
    while True:
        tally: dict[str, dict[str, int]] = {}
        for v in villages:
            t = tally.setdefault(v["stratum"], {"villages": 0, "households": 0})
            t["villages"] += 1
            t["households"] += int(v["households"])
        small = sorted((t["villages"], k) for k, t in tally.items() if t["villages"] < least)
        if not small or len(tally) == 1:
            return tally
        _, name = small[0]
        others = sorted((t["villages"], k) for k, t in tally.items() if k != name)
        alike = [o for o in others if o[1].split("/")[0] == name.split("/")[0]]
        into = (alike or others)[0][1]
        together = f"{into}+{name}"
        for v in villages:
            if v["stratum"] in (name, into):
                v["stratum"] = together


def plan_sizes(rules: AssessmentRules, frame: Frame) -> Sizes:
    villages = strata_villages(rules, frame)
    drawn = max(1, sum(villages.values()))
    need = needed(rules, frame.counts())
    return Sizes(need, {g: math.ceil(n / drawn) for g, n in need.items()}, villages,
                 rules.min_per_stratum)


def make_design(store: Store, rules: AssessmentRules, county: str, as_of: dt.date,
                seed: int, by: User) -> int:
    """Make the design of ``county``'s assessment on the frame of ``as_of``; returns its
    id."""
    if level_of(county) != "county":
        raise DesignError(f"{county!r} is not a county's code")
    if not by.may("assess") or not by.covers(county):
        raise DesignError(f"{by.username} ({by.role}, {by.region_code}) may not design the "
                          f"assessment of {county}")
    frame = frame_of(store, county, as_of)
    if not frame.households.num_rows:
        raise DesignError(f"no identified households in {county} on {as_of}")
    sizes = plan_sizes(rules, frame)
    with store.transaction():
        assessment = store.draw("assessment_ids", 1) + 1
        store.execute(QUERIES["insert_design"], [
            assessment, county, as_of, frame.survey_year, rules.label, seed, frame.version,
            frame.households.num_rows, sizes.to_json(), by.username, stamp()])
        record(store, by, "design_assessment", "assessment", str(assessment), county,
               f"frame of {as_of}, {frame.households.num_rows:,} households, seed {seed}")
    return assessment


def design_of(store: Store, assessment: int, by: User | None = None) -> dict[str, Any]:
    """The design ``assessment`` (within ``by``'s jurisdiction, if given)."""
    found = store.record(QUERIES["design"], [assessment])
    if found is None or (by is not None and not by.covers(found["county_code"])):
        raise NotFound(f"no assessment {assessment}"
                       + (f" in the jurisdiction of {by.username}" if by else ""))
    found["sizes"] = Sizes.from_json(found["sizes"])
    return found


def latest_returned(store: Store, county: str) -> int:
    """The latest assessment of ``county`` with returns; refused when there is none."""
    found = [d for d in designs(store, county[:6]) if d["county_code"] == county
             and d["returned"]]
    if not found:
        raise NotFound(f"no assessment of {county} with returns: design one (assess design),"
                       " draw it and import its returns first")
    return int(found[0]["assessment_id"])


def designs(store: Store, prefix: str = "") -> list[dict[str, Any]]:
    """The assessments of counties under ``prefix``, the latest first, with how many
    households were drawn and returned."""
    return store.records(QUERIES["designs"], [prefix])
