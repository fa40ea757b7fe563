"""The officers' indicators (data, not claims), per cadre and per resident work team, as
of a day: households visited on schedule, plan items delivered on time, complaints of
their villages answered in time, visits flagged, measures delivered. An officer short of
any target (rules/officers.yaml) is behind schedule, with the reason; the list goes up the
hierarchy by jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from .officer_rules import OfficerRules
from .plans import QUERIES

_COUNTS = ("households", "visited", "visits", "flagged", "items_due", "items_on_time",
           "items_delivered", "complaints_due", "complaints_answered")


@dataclass
class Kpi:
    """One officer's (or one team's) figures; a share is None when nothing counts."""

    name: str
    village_code: str
    households: int = 0
    visited: int = 0
    visits: int = 0
    flagged: int = 0
    items_due: int = 0
    items_on_time: int = 0
    items_delivered: int = 0
    complaints_due: int = 0
    complaints_answered: int = 0  # in time
    behind: list[str] = field(default_factory=list)  # why, one reason per KPI short
    short: list[dict[str, Any]] = field(default_factory=list)  # the same: kpi, share, target

    @property
    def shares(self) -> dict[str, float | None]:
        return {"visits_on_schedule": _share(self.visited, self.households),
                "plans_on_time": _share(self.items_on_time, self.items_due),
                "complaints_in_time": _share(self.complaints_answered, self.complaints_due),
                "visits_flagged": _share(self.flagged, self.visits)}

    @classmethod
    def of(cls, row: dict[str, Any]) -> Kpi:
        """From a row of ``officer_kpis``."""
        kpi = cls(str(row["username"]), str(row["village_code"]))
        for name in _COUNTS:
            setattr(kpi, name, int(row[name]))
        return kpi

    def add(self, other: Kpi) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def officer_kpis(store: Store, rules: OfficerRules, prefix: str, as_of: dt.date
                 ) -> list[dict[str, Any]]:
    """Per cadre helping households under ``prefix`` on ``as_of``: the counts, the shares
    and, when behind schedule, the reasons."""
    rows = store.records(QUERIES["officer_kpis"], [as_of, prefix, rules.every_days])
    for row in rows:
        kpi = Kpi.of(row)
        judge(kpi, rules)
        row.update(kpi.shares, behind=kpi.behind, short=kpi.short)
    return rows


def team_kpis(store: Store, rules: OfficerRules, prefix: str, as_of: dt.date,
              officers: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per resident work team under ``prefix`` on ``as_of``: its members' counts summed
    (members who help no household count nothing)."""
    mine = officers if officers is not None else officer_kpis(store, rules, prefix, as_of)
    by_officer = {r["username"]: r for r in mine}
    teams: dict[int, tuple[dict[str, Any], Kpi]] = {}
    for m in store.records(QUERIES["team_of_members"], [as_of, prefix]):
        team, kpi = teams.setdefault(m["team_id"], (
            {"team_id": m["team_id"], "name": m["name"], "village_code": m["village_code"],
             "village_name": m["village_name"], "first_secretary": None, "members": 0},
            Kpi(m["name"], m["village_code"])))
        team["members"] += 1
        if m["role"] == "first_secretary":
            team["first_secretary"] = m["username"]
        found = by_officer.get(m["username"])
        if found is not None:
            kpi.add(Kpi.of(found))
    out = []
    for team, kpi in teams.values():
        judge(kpi, rules)
        out.append({**team, **{k: getattr(kpi, k) for k in _COUNTS}, **kpi.shares,
                    "behind": kpi.behind, "short": kpi.short})
    return sorted(out, key=lambda t: (t["village_code"], t["team_id"]))


def judge(kpi: Kpi, rules: OfficerRules) -> None:
    """Put the reasons ``kpi`` is behind schedule into ``kpi.behind`` (words) and
    ``kpi.short`` (each indicator short, its share and target)."""
    shares, targets = kpi.shares, rules.targets
    kpi.behind, kpi.short = [], []
    for name, label in (("visits_on_schedule", f"households visited in {rules.every_days} "
                                               "days"),
                        ("plans_on_time", "plan items delivered on time"),
                        ("complaints_in_time", "complaints answered in time"),
                        ("visits_flagged", "visits flagged")):
        share, target = shares[name], targets[name]
        most = name == "visits_flagged"  # a ceiling, the others floors
        if share is not None and (share > target if most else share < target):
            kpi.behind.append(f"{label} {share:.1%} {'>' if most else '<'} {target:.0%}")
            kpi.short.append({"kpi": name, "share": share, "target": target})


def behind_schedule(store: Store, rules: OfficerRules, prefix: str, as_of: dt.date
                    ) -> list[dict[str, Any]]:
    """The officers under ``prefix`` behind schedule on ``as_of``, with their reasons."""
    return [r for r in officer_kpis(store, rules, prefix, as_of) if r["behind"]]
