"""The two no-worries, three guarantees and safe water, checked per household.

Each check is a household condition that must hold, or a member condition that names
the members who make the household fail. The result says, per household, which checks
pass and what fails (the members, or the values of the items shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..sqltext import join_present, literal
from .config import Reader, RuleSet, header, load, shipped
from .expressions import BOOLEAN, ExpressionError, FieldType, compile_expression
from .profile import MEMBER_TYPES, profile_types

DEFAULT = "guarantees.yaml"


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    household_sql: str | None  # holds when the household passes
    member_sql: str | None  # holds for a member who makes the household fail
    show: tuple[str, ...]

    @property
    def column(self) -> str:
        return f"g_{self.id}"


@dataclass(frozen=True)
class Guarantees(RuleSet):
    checks: tuple[Check, ...]

    def failing_members_sql(self) -> str:
        """Per household and year, the members failing each member check (over the view
        ``member_rows``), as text ``person_id name``."""
        member_checks = [c for c in self.checks if c.member_sql]
        if not member_checks:
            return "SELECT household_id, year FROM member_rows WHERE FALSE"
        cols = ",\n  ".join(
            f"STRING_AGG(CASE WHEN {c.member_sql} THEN CAST(person_id AS VARCHAR) || ' ' "
            f"|| name END, ', ') AS f_{c.id}" for c in member_checks)
        failing = " OR ".join(f"({c.member_sql})" for c in member_checks)
        return (f"SELECT household_id, year,\n  {cols}\nFROM member_rows WHERE {failing}\n"
                "GROUP BY household_id, year")

    def results_sql(self, source: str = "household_profile") -> str:
        """Per household and year: pass (TRUE) or fail per check, the number failed and a
        text of what fails (over ``source`` and the view ``failing_members``)."""
        passes, details = [], []
        for c in self.checks:
            if c.member_sql:
                ok = f"f.f_{c.id} IS NULL"
                what = f"f.f_{c.id}"
            else:
                ok = f"COALESCE({c.household_sql}, FALSE)"
                what = " || ', ' || ".join(
                    f"'{s}=' || COALESCE(CAST(p.{s} AS VARCHAR), '')" for s in c.show) or "''"
            passes.append(f"{ok} AS {c.column}")
            details.append(f"CASE WHEN NOT ({ok}) THEN {literal(c.id + ': ')} || {what} END")
        failed = " + ".join(f"CASE WHEN {c.column} THEN 0 ELSE 1 END" for c in self.checks)
        return f"""
SELECT *, {failed} AS guarantees_failed FROM (
SELECT p.household_id, p.year,
  {", ".join(passes)},
  {join_present("; ", details)} AS guarantees_detail
FROM {source} p
LEFT JOIN failing_members f ON f.household_id = p.household_id AND f.year = p.year)"""


def load_guarantees(path: Path | None = None) -> Guarantees:
    """Load and check a guarantees file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "guarantees")
    fields = profile_types()
    checks: list[Check] = []
    for item in top.items("checks"):
        checks.append(_check(Reader(path, item, "check"), fields, {c.id for c in checks}))
    return Guarantees(**header(top), checks=tuple(checks))


def _check(r: Reader, fields: dict[str, FieldType], taken: set[str]) -> Check:
    ident = r.name("check", taken)
    household, member = r.get("household", str, None), r.get("member_fails", str, None)
    if (household is None) == (member is None):
        raise r.fail("give exactly one of 'household' and 'member_fails'")
    show = tuple(r.get("show", list, []))
    for name in show:
        if name not in fields:
            raise r.fail(f"'show' names unknown field {name!r}")
    try:
        household_sql = compile_expression(household, fields, BOOLEAN).sql \
            if household else None
        member_sql = compile_expression(member, MEMBER_TYPES, BOOLEAN).sql if member else None
    except ExpressionError as exc:
        raise r.fail(str(exc)) from None
    return Check(ident, r.get("label", str, ident), household_sql, member_sql, show)
