"""The two no-worries, three guarantees and safe water, checked per household.

Each check is a household condition that must hold, or a member condition that names
the members who make the household fail. The result says, per household, which checks
pass and what fails (the members, or the values of the items shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..profile.expressions import BOOLEAN, ExpressionError, FieldType, compile_expression
from ..profile.household import MEMBER_TYPES, profile_types
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import join_present, literal

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

    def member_lists(self) -> dict[str, str]:
        """Profile column and member condition of each member check: the profile lists
        the members who fail it (see ``profile.member_counts_sql``)."""
        return {f"f_{c.id}": c.member_sql for c in self.checks if c.member_sql}

    def results_sql(self, source: str = "household_profile") -> str:
        """Every row of ``source`` (a profile with the :meth:`member_lists`) with pass
        (TRUE) or fail per check, the number failed and a text of what fails."""
        passes, details = [], []
        for c in self.checks:
            if c.member_sql:
                ok = f"p.f_{c.id} IS NULL"
                what = f"p.f_{c.id}"
            else:
                ok = f"COALESCE({c.household_sql}, FALSE)"
                what = " || ', ' || ".join(
                    f"'{s}=' || COALESCE(CAST(p.{s} AS VARCHAR), '')" for s in c.show) or "''"
            passes.append(f"{ok} AS {c.column}")
            details.append(f"CASE WHEN NOT ({ok}) THEN {literal(c.id + ': ')} || {what} END")
        failed = " + ".join(f"CASE WHEN {c.column} THEN 0 ELSE 1 END" for c in self.checks)
        return f"""
SELECT *, {failed} AS guarantees_failed FROM (
SELECT p.*,
  {", ".join(passes)},
  {join_present("; ", details)} AS guarantees_detail
FROM {source} p)"""


def detail_parts(detail: str | None) -> list[dict[str, Any]]:
    """A ``guarantees_detail`` read back as its parts, for the pages to word: per failing
    check, the values of the items shown ({"check", "values": [(field, value)]}, booleans
    as such) or the members named ({"check", "members"})."""
    parts: list[dict[str, Any]] = []
    for failed in filter(None, (detail or "").split("; ")):
        check, _, what = failed.partition(": ")
        if "=" not in what:
            parts.append({"check": check, "members": what})
            continue
        pairs = [item.partition("=")[::2] for item in what.split(", ")]
        parts.append({"check": check, "values": [
            (name, {"true": True, "false": False}.get(value, value)) for name, value in pairs]})
    return parts


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
