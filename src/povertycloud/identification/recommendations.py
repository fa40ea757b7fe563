"""Recommended measures and a priority per household, from causes, failed guarantees and
conditions in a versioned file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..profile.expressions import BOOLEAN, STRING, ExpressionError, FieldType, compile_expression
from ..profile.household import profile_types
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import join_present, literal
from ..standard.codes import CAUSES

DEFAULT = "measures.yaml"


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    batch: str
    sql: str  # condition over the results row for recommending it


@dataclass(frozen=True)
class Recommendations(RuleSet):
    measures: tuple[Measure, ...]
    priorities: tuple[tuple[int, str], ...]  # (priority, SQL condition), first that holds

    def columns_sql(self) -> str:
        """The ``measures`` and ``priority`` columns, over a row holding the profile and
        the results (causes, guarantees, score, band)."""
        listed = join_present(";", [f"CASE WHEN {m.sql} THEN {literal(m.id)} END"
                                    for m in self.measures])
        priority = " ".join(f"WHEN {cond} THEN {p}" for p, cond in self.priorities)
        return f"{listed} AS measures, CASE {priority} END AS priority"


def result_types(bands: tuple[str, ...], checks: tuple[str, ...]) -> dict[str, FieldType]:
    """Fields of the results row: the profile plus what identification adds."""
    types = profile_types()
    types.update({"score": FieldType("number"), "band": FieldType(STRING, bands),
                  "guarantees_failed": FieldType("number"),
                  "income_below_line": FieldType(BOOLEAN)})
    types.update({f"g_{c}": FieldType(BOOLEAN) for c in checks})
    return types


def load_recommendations(path: Path | None, bands: tuple[str, ...],
                         checks: tuple[str, ...]) -> Recommendations:
    """Load and check a measures file against the scorecard's bands and the checks."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "measures")
    fields = result_types(bands, checks)
    measures: list[Measure] = []
    for item in top.items("measures"):
        measures.append(_measure(Reader(path, item, "measure"), fields, checks,
                                 {m.id for m in measures}))
    priorities = []
    for item in top.items("priority"):
        r = Reader(path, item, "priority")
        level = int(r.get("priority", int))
        r.what = f"priority {level}"
        priorities.append((level, _compile(r, r.get("when", str), fields)))
    if not priorities:
        raise top.fail("no priority rules")
    return Recommendations(**header(top), measures=tuple(measures),
                           priorities=tuple(priorities))


def _measure(r: Reader, fields: dict[str, FieldType], checks: tuple[str, ...],
             taken: set[str]) -> Measure:
    ident = r.name("measure", taken)
    conditions = []
    for cause in r.get("causes", list, []):
        if cause not in CAUSES:
            raise r.fail(f"unknown cause {cause!r}")
        conditions.append(f"has_{cause}")
    for check in r.get("guarantees", list, []):
        if check not in checks:
            raise r.fail(f"unknown guarantee check {check!r}; the checks are "
                         f"{', '.join(checks)}")
        conditions.append(f"NOT g_{check}")
    when = r.get("when", str, None)
    if when:
        conditions.append(_compile(r, when, fields))
    if not conditions:
        raise r.fail("needs causes, guarantees or a condition")
    return Measure(ident, r.get("label", str, ident), r.get("batch", str, "other"),
                   "(" + " OR ".join(conditions) + ")")


def _compile(r: Reader, text: str, fields: dict[str, FieldType]) -> str:
    try:
        return compile_expression(text, fields, BOOLEAN).sql
    except ExpressionError as exc:
        raise r.fail(str(exc)) from None
