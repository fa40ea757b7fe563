"""The procedures proposals walk, from a versioned rule file (rules/procedures.yaml):
their steps in order, who takes each, the notice periods and the deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..access.accounts import ROLES
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..standard.codes import LEVELS

DEFAULT = "procedures.yaml"
HOUSEHOLD_KINDS = ("enrol", "exit", "monitor", "relapse", "remove", "end_monitoring")
REGION_KINDS = ("village_exit", "county_exit")
KINDS = HOUSEHOLD_KINDS + REGION_KINDS


@dataclass(frozen=True)
class Step:
    step: str
    label: str
    level: str
    roles: tuple[str, ...]
    minutes: bool = False  # the step's note (the appraisal's minutes) is required
    notice_days: int = 0  # a public notice of at least this many days
    approval: bool = False  # not by the proposal's author


@dataclass(frozen=True)
class Procedure:
    procedure: str
    label: str
    kinds: tuple[str, ...]
    deadline_days: int
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.step == name)

    def after(self, name: str) -> str | None:
        """The step that follows ``name``; None after the last."""
        names = [s.step for s in self.steps]
        i = names.index(name) + 1
        return names[i] if i < len(names) else None

    def before(self, name: str) -> str:
        """The step before ``name`` (where an objection to a notice sends the proposal)."""
        names = [s.step for s in self.steps]
        return names[max(names.index(name) - 1, 0)]


@dataclass(frozen=True)
class Procedures(RuleSet):
    procedures: tuple[Procedure, ...]

    def for_kind(self, kind: str) -> Procedure:
        return next(p for p in self.procedures if kind in p.kinds)

    def get(self, procedure: str) -> Procedure:
        return next(p for p in self.procedures if p.procedure == procedure)


def load_procedures(path: Path | None = None) -> Procedures:
    """Load and check a procedure file (the shipped one when ``path`` is None): every
    kind of proposal has exactly one procedure, every step a known level and roles."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "procedures")
    procedures: list[Procedure] = []
    for item in top.items("procedures"):
        r = Reader(path, item, "procedure")
        ident = r.name("procedure", {p.procedure for p in procedures})
        kinds = tuple(r.get("kinds", list))
        for kind in kinds:
            if kind not in KINDS:
                raise r.fail(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
            if any(kind in p.kinds for p in procedures):
                raise r.fail(f"kind {kind!r} already has a procedure")
        deadline = r.get("deadline_days", int)
        steps = tuple(_step(Reader(path, s, "step"), set()) for s in r.items("steps"))
        _check_steps(r, steps, deadline)
        procedures.append(Procedure(ident, r.get("label", str, ident), kinds, deadline, steps))
    missing = [k for k in KINDS if not any(k in p.kinds for p in procedures)]
    if missing:
        raise top.fail(f"no procedure for {', '.join(missing)}")
    return Procedures(**header(top), procedures=tuple(procedures))


def _step(r: Reader, taken: set[str]) -> Step:
    name = r.name("step", taken)
    level = r.get("level", str)
    if level not in LEVELS:
        raise r.fail(f"unknown level {level!r}; the levels are {', '.join(LEVELS)}")
    roles = tuple(r.get("roles", list))
    if not roles or any(role not in ROLES for role in roles):
        raise r.fail(f"roles must be some of {', '.join(ROLES)}, not {roles!r}")
    days = r.get("notice_days", int, 0)
    if days < 0:
        raise r.fail(f"notice_days cannot be negative ({days})")
    return Step(name, r.get("label", str, name), level, roles, r.get("minutes", bool, False),
                days, r.get("approval", bool, False))


def _check_steps(r: Reader, steps: tuple[Step, ...], deadline: int) -> None:
    names = [s.step for s in steps]
    if not steps:
        raise r.fail("no steps")
    if len(set(names)) != len(names):
        raise r.fail("a step appears twice")
    if steps[0].notice_days:
        raise r.fail("a notice cannot be the first step: an objection goes back a step")
    if deadline <= sum(s.notice_days for s in steps):
        raise r.fail(f"deadline_days ({deadline}) leaves no time after the notices")
