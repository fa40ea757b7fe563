"""The multi-party evaluation of a village's or county's exit: each party's score from
0 to 100, from data the platform holds, combined with weights from a checked rule file
(rules/exit_evaluation.yaml) into one result with its parts shown; the same parts
replayed with other weights show what those would decide.

- households: the latest assessment's approval among the registered and exited
  households it sampled in the region;
- villagers: its approval among the other households it sampled there;
- project supervisors: the region's projects due by the day (not cancelled) that were
  accepted;
- third party: the assessed exit criteria of the region that are met;
- departments: the helped households (registered or exited) of the region without a
  confirmed or open conflict flag from the departments' data.

A party without data for the region is shown as such; its weight is shared among the
others in proportion for a provisional score, but the evaluation is incomplete (neither
passed nor failed) until every party with a weight has scored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dynamic.region_criteria import JUDGED, criteria
from ..errors import PovertyCloudError
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..standard.regions import level_of
from ..standard.regions import prefix as region_prefix
from ..store import Store
from .indicators import conflict_free
from .queries import QUERIES
from .rates import APPROVES

DEFAULT = "exit_evaluation.yaml"
PARTIES = ("households", "villagers", "project_supervisors", "third_party", "departments")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Weights(RuleSet):
    passing: float  # the combined score that passes
    weights: dict[str, float]  # party: its share


def load_weights(path: Path | None = None) -> Weights:
    """Load and check a weights file: every party once, shares from 0 to 1 that sum to
    1, a pass mark from 0 to 100."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "exit evaluation")
    top.only("id", "version", "effective", "pass", "parties")
    passing = float(top.get("pass", (int, float)))
    if not 0 <= passing <= 100:
        raise top.fail(f"'pass' is a score from 0 to 100, not {passing}")
    parties = Reader(path, top.get("parties", dict), "parties")
    parties.only(*PARTIES)
    weights = {p: float(parties.get(p, (int, float))) for p in PARTIES}
    if any(not 0 <= w <= 1 for w in weights.values()):
        raise parties.fail(f"each weight is a share from 0 to 1, not {weights}")
    if abs(sum(weights.values()) - 1) > TOLERANCE:
        raise parties.fail(f"the weights sum to {sum(weights.values()):g}, not 1: "
                           + ", ".join(f"{p} {w:g}" for p, w in weights.items()))
    return Weights(**header(top), passing=passing, weights=weights)


def party_scores(store: Store, code: str, day: dt.date, year: int
                 ) -> dict[str, dict[str, Any]]:
    """Each party's score of the exit of village or county ``code`` on ``day`` (criteria
    from the identification of ``year``): {party: {score, source, note}}, score None
    where the party has no data."""
    if level_of(code) not in JUDGED:
        raise PovertyCloudError(f"{code!r} is not a village or county code")
    judged = criteria(store, code, day, year)
    prefix = region_prefix(code)
    approval = store.record(QUERIES["approval_by_party"].replace("{approves}", APPROVES),
                            [day, prefix]) or {}
    scores = {
        "households": _share(approval.get("helped"), approval.get("helped_n"), "assessment",
                             "approving / registered and exited households sampled "
                             "(weighted)"),
        "villagers": _share(approval.get("others"), approval.get("others_n"), "assessment",
                            "approving / other households sampled (weighted)"),
    }
    projects = store.one(QUERIES["projects_accepted"], [prefix, day])
    scores["project_supervisors"] = _share(
        projects[0] / projects[1] if projects and projects[1] else None,
        projects[1] if projects else 0, "projects", "accepted / projects due by the day")
    assessed = [c for c in judged["criteria"] if c["source"].startswith("assessment")
                and c["passed"] is not None]
    scores["third_party"] = _share(
        sum(c["passed"] for c in assessed) / len(assessed) if assessed else None,
        len(assessed), "assessment", "assessed exit criteria met / assessed")
    helped = conflict_free(store, level_of(code), day, prefix)
    scores["departments"] = _share(
        helped[0][1] / 100 if helped else None, helped[0][2] if helped else 0,
        "department data",
        "helped households without a confirmed or open conflict flag / helped households")
    return scores


def _share(value: float | None, basis: int | None, source: str, note: str
           ) -> dict[str, Any]:
    score = None if value is None or not basis else 100.0 * float(value)
    return {"score": score, "basis": int(basis or 0), "source": source,
            "note": note if score is not None else "no data for the region"}


def combine(scores: dict[str, dict[str, Any]], weights: Weights) -> dict[str, Any]:
    """The combined score of the parties' ``scores`` under ``weights``: each part with
    its weight as given, the weight used (shared out from parties without data) and its
    contribution; passed when the combined score reaches the pass mark, None (incomplete)
    while a party with a weight has no data."""
    present = {p: w for p, w in weights.weights.items() if scores[p]["score"] is not None}
    total = sum(present.values())
    parts = []
    for party in PARTIES:
        used = present.get(party, 0.0) / total if total else 0.0
        s = scores[party]["score"]
        parts.append({"party": party, **scores[party], "weight": weights.weights[party],
                      "weight_used": used, "contribution": used * s if s is not None else None})
    combined = sum(p["contribution"] or 0.0 for p in parts) if total else None
    missing = [p for p, w in weights.weights.items() if w and p not in present]
    return {"weights": weights.label, "pass": weights.passing, "parts": parts,
            "score": combined,
            "passed": None if missing or combined is None else combined >= weights.passing,
            "note": (f"incomplete: no data from {', '.join(missing)} (the score shares their "
                     "weight among the others)" if missing else "")}


def evaluate(store: Store, code: str, day: dt.date, year: int,
             weights: list[Weights]) -> dict[str, Any]:
    """The evaluation of ``code``'s exit under each of ``weights`` (the first is the one
    in force; the others replay the same parts)."""
    scores = party_scores(store, code, day, year)
    return {"region_code": code, "as_of": day, "year": year,
            "results": [combine(scores, w) for w in weights]}
