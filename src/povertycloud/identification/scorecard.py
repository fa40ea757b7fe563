"""Scorecards: indicator sets, indicators worth points, and bands, from a versioned file.

Each indicator lists levels, each a condition over the household profile and the points
it earns; the first level that holds gives the indicator's points, none gives 0. A
household's total is the sum; its band is the band the total falls in. Everything is
checked when the file loads, and the whole card compiles to one SQL query.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..profile.expressions import BOOLEAN, ExpressionError, FieldType, compile_expression
from ..profile.household import profile_types
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import literal

DEFAULT = "scorecard.yaml"


@dataclass(frozen=True)
class Level:
    when: str
    points: float
    sql: str


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    set: str
    max: float
    levels: tuple[Level, ...]

    @property
    def column(self) -> str:
        return f"i_{self.id}"

    def sql(self) -> str:
        whens = " ".join(f"WHEN {lv.sql} THEN {number(lv.points)}" for lv in self.levels)
        return f"CASE {whens} ELSE 0 END"


@dataclass(frozen=True)
class Band:
    name: str
    low: float  # inclusive
    high: float  # exclusive, except for the last band


@dataclass(frozen=True)
class Scorecard(RuleSet):
    total: float
    sets: tuple[tuple[str, str], ...]  # (id, label)
    indicators: tuple[Indicator, ...]
    bands: tuple[Band, ...]

    def indicators_of(self, set_id: str) -> list[Indicator]:
        return [i for i in self.indicators if i.set == set_id]

    def band_sql(self, total: str) -> str:
        whens = [f"WHEN {total} >= {number(b.low)} AND {total} < {number(b.high)} "
                 f"THEN {literal(b.name)}" for b in self.bands[:-1]]
        last = self.bands[-1]
        whens.append(f"WHEN {total} >= {number(last.low)} THEN {literal(last.name)}")
        return f"CASE {' '.join(whens)} END"

    def score_columns(self) -> list[str]:
        """The columns :meth:`scores_sql` adds, in the order a breakdown shows them."""
        return ["score", "band", *(f"s_{s}" for s, _ in self.sets),
                *(i.column for i in self.indicators)]

    def scores_sql(self, source: str = "household_profile") -> str:
        """Every row of ``source`` with its points per indicator (``i_*``), per set
        (``s_*``), its total ``score`` and its ``band``."""
        points = ",\n  ".join(f"{i.sql()} AS {i.column}" for i in self.indicators)
        sets = ",\n  ".join(
            "(" + " + ".join(i.column for i in self.indicators_of(s)) + f") AS s_{s}"
            for s, _ in self.sets)
        total = "(" + " + ".join(i.column for i in self.indicators) + ")"
        return f"""
SELECT *, {total} AS score, {self.band_sql(total)} AS band,
  {sets}
FROM (SELECT src.*,
  {points}
FROM {source} src)"""


def load_scorecard(path: Path | None = None,
                   fields: dict[str, FieldType] | None = None) -> Scorecard:
    """Load and check a scorecard file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    fields = fields if fields is not None else profile_types()
    top = Reader(path, load(path), "scorecard")
    total = float(top.get("total", (int, float)))
    sets: list[tuple[str, str]] = []
    indicators: list[Indicator] = []
    for item in top.items("sets"):
        s = Reader(path, item, "set")
        set_id = s.name("set", taken={i for i, _ in sets})
        sets.append((set_id, s.get("label", str, "")))
        entries = s.items("indicators")
        if not entries:
            raise s.fail("has no indicators")
        for entry in entries:
            indicators.append(_indicator(Reader(path, entry, "indicator"), set_id, fields,
                                         {i.id for i in indicators}))
    maxima = sum(i.max for i in indicators)
    if abs(maxima - total) > 1e-9:
        raise top.fail(f"the indicators' maximum points add up to {maxima:g}, "
                       f"not the total {total:g}")
    return Scorecard(**header(top), total=total, sets=tuple(sets),
                     indicators=tuple(indicators), bands=_bands(top, total))


def _indicator(r: Reader, set_id: str, fields: dict[str, FieldType],
               taken: set[str]) -> Indicator:
    ident = r.name("indicator", taken)
    top = float(r.get("max", (int, float)))
    if top < 0:
        raise r.fail(f"'max' must not be negative, not {top:g}")
    levels = []
    for item in r.items("levels"):
        lv = Reader(r.path, item, r.what)
        when = lv.get("when", str)
        points = float(lv.get("points", (int, float)))
        if not 0 <= points <= top:
            raise lv.fail(f"points {points:g} are out of range 0 to {top:g}")
        try:
            sql = compile_expression(when, fields, BOOLEAN).sql
        except ExpressionError as exc:
            raise lv.fail(str(exc)) from None
        levels.append(Level(when, points, sql))
    if not levels:
        raise r.fail("has no levels")
    return Indicator(ident, r.get("label", str, ident), set_id, top, tuple(levels))


def _bands(top: Reader, total: float) -> tuple[Band, ...]:
    bands: list[Band] = []
    for item in top.items("bands"):
        b = Reader(top.path, item, "band")
        name = b.name("band", {x.name for x in bands})
        low, high = float(b.get("from", (int, float))), float(b.get("to", (int, float)))
        if high <= low:
            raise b.fail(f"'to' ({high:g}) must be above 'from' ({low:g})")
        if bands and low != bands[-1].high:
            kind = "overlaps" if low < bands[-1].high else "leaves a gap after"
            raise b.fail(f"{kind} band {bands[-1].name} (which ends at {bands[-1].high:g})")
        if not bands and low != 0:
            raise b.fail(f"the first band must start at 0, not {low:g}")
        bands.append(Band(name, low, high))
        last = b
    if not bands:
        raise top.fail("no bands")
    if bands[-1].high != total:
        raise last.fail(f"the last band must end at the total {total:g}, "
                        f"not {bands[-1].high:g}")
    return tuple(bands)


def number(value: float) -> str:
    """A number as SQL, exactly: whole numbers as integers, others in full."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
