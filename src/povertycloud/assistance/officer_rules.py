"""The officers' rules (rules/officers.yaml): how many households a cadre helps, how often
each is visited, when a visit is implausible, and the targets of the officers'
indicators; checked on load, every error naming the file and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..rulefiles import Reader, RuleSet, header, load, shipped

DEFAULT = "officers.yaml"
KPIS = ("visits_on_schedule", "plans_on_time", "complaints_in_time", "visits_flagged")


@dataclass(frozen=True)
class OfficerRules(RuleSet):
    max_households: int
    every_days: int
    far_km: float
    max_speed_kmh: float
    min_minutes: float
    targets: dict[str, float]  # KPI: its target (visits_flagged: the most allowed)


def load_officer_rules(path: Path | None = None) -> OfficerRules:
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "officers")
    top.only("id", "version", "effective", "pairing", "visits", "kpis")
    pairing = _part(top, "pairing", ("max_households",))
    visits = _part(top, "visits", ("every_days", "far_km", "max_speed_kmh", "min_minutes"))
    kpis = _part(top, "kpis", KPIS)
    targets = {}
    for kpi in KPIS:
        share = float(kpis.get(kpi, (int, float)))
        if not 0 <= share <= 1:
            raise kpis.fail(f"'{kpi}' is a share, between 0 and 1, not {share}")
        targets[kpi] = share
    return OfficerRules(
        **header(top), max_households=int(_positive(pairing, "max_households", int)),
        every_days=int(_positive(visits, "every_days", int)),
        far_km=_positive(visits, "far_km", float),
        max_speed_kmh=_positive(visits, "max_speed_kmh", float),
        min_minutes=_positive(visits, "min_minutes", float), targets=targets)


def _part(top: Reader, key: str, keys: tuple[str, ...]) -> Reader:
    part = Reader(top.path, top.get(key, dict), key)
    part.only(*keys)
    return part


def _positive(r: Reader, key: str, kind: type) -> int | float:
    value = r.get(key, (int, float) if kind is float else int)
    if value <= 0:
        raise r.fail(f"'{key}' must be above zero, not {value}")
    return kind(value)  # type: ignore[no-any-return]
