"""Fund programmes as checked configuration (rules/programmes.yaml): the source of the
money, what it pays (regions, households or goods in kind), when it is open, who is
eligible, the standard amount and the deadlines. Every error names the file, the line and
the programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..rulefiles import Reader, RuleSet, by_id, header_and_items, shipped
from .eligibility import condition, field_types, numeric_field
from .money import MoneyError, fen

DEFAULT = "programmes.yaml"
SOURCES = ("central", "provincial", "prefecture", "county")
PAYS = ("region", "household", "in_kind")
PERIODS = ("once", "year", "semester", "month")
_KEYS = ("programme", "name", "source", "pays", "from", "until", "idle_days",
         "pay_within_days", "period", "when", "per", "amount_yuan", "range_yuan", "by",
         "amounts_yuan", "unit", "unit_value_yuan", "range_units", "approval_yuan")


@dataclass(frozen=True)
class Standard:
    """How much a household may receive, in fen per unit: ``low``..``high`` (equal for a
    fixed amount), or by the value of the field ``by`` (``amounts``)."""

    low: int = 0
    high: int = 0
    by: str | None = None
    amounts: tuple[tuple[str, int], ...] = ()

    def bounds_sql(self, units: str) -> tuple[str, str]:
        """SQL of the lowest and highest amount in fen for ``units`` units (over the
        eligibility row ``e``)."""
        if self.by is None:
            return f"{self.low} * {units}", f"{self.high} * {units}"
        cases = " ".join(f"WHEN '{v}' THEN {a}" for v, a in self.amounts)
        each = f"(CASE e.{self.by} {cases} END)"
        return f"{each} * {units}", f"{each} * {units}"


@dataclass(frozen=True)
class Programme:
    id: str
    name: str
    source: str
    pays: str
    opens: dt.date
    closes: dt.date
    idle_days: int | None
    pay_within_days: int | None
    period: str | None
    when_sql: str | None  # eligibility over the eligibility fields (``e``)
    per: str | None  # the field that counts the units; None: one per household
    standard: Standard | None
    unit: str | None = None  # goods in kind: the unit, its value in fen
    unit_value_fen: int | None = None
    approval_fen: int | None = None

    @property
    def to_households(self) -> bool:
        return self.pays != "region"

    def open_on(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes

    def units_sql(self) -> str:
        return f"e.{self.per}" if self.per else "1"


@dataclass(frozen=True)
class Programmes(RuleSet):
    programmes: tuple[Programme, ...]

    def __getitem__(self, ident: str) -> Programme:
        return by_id(self.programmes, ident, "programme", self.label)


def load_programmes(path: Path | None = None) -> Programmes:
    """The programmes of ``path`` (the shipped file when None), checked."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top, found = header_and_items(path, "programmes", "programmes", _programme)
    return Programmes(**top, programmes=found)


def _programme(r: Reader, taken: set[str]) -> Programme:
    r.only(*_KEYS)
    ident = r.name("programme", taken)
    source, pays = r.one_of("source", SOURCES), r.one_of("pays", PAYS)
    opens, closes = r.date("from"), r.date("until")
    if closes < opens:
        raise r.fail("'until' is before 'from'")
    common: dict[str, Any] = {
        "id": ident, "name": r.get("name", str), "source": source, "pays": pays,
        "opens": opens, "closes": closes, "idle_days": _days(r, "idle_days"),
        "pay_within_days": _days(r, "pay_within_days")}
    if pays == "region":
        _none_of(r, "period", "when", "per", "amount_yuan", "range_yuan", "by",
                 "amounts_yuan", "unit", "unit_value_yuan", "range_units", "approval_yuan")
        return Programme(**common, period=None, when_sql=None, per=None, standard=None)
    per = numeric_field(r, "per")
    unit, unit_value = _in_kind(r, pays)
    return Programme(**common, period=r.one_of("period", PERIODS),
                     when_sql=condition(r), per=per,
                     standard=_standard(r, pays, unit_value), unit=unit,
                     unit_value_fen=unit_value, approval_fen=_yuan(r, "approval_yuan"))


def _none_of(r: Reader, *keys: str) -> None:
    given = [k for k in keys if k in r.item]
    if given:
        raise r.fail(f"a programme that pays regions has no {', '.join(given)} "
                     "(those are for household and in-kind programmes)")


def _days(r: Reader, key: str) -> int | None:
    days = r.get(key, int, None)
    if days is None:
        return None
    if days <= 0:
        raise r.fail(f"'{key}' must be a positive number of days")
    return int(days)


def _yuan(r: Reader, key: str, value: Any = ...) -> int | None:
    value = r.get(key, (int, float, str), None) if value is ... else value
    if value is None:
        return None
    try:
        return fen(str(value) if isinstance(value, float) else value)
    except MoneyError as exc:
        raise r.fail(f"'{key}': {exc}") from None


def _in_kind(r: Reader, pays: str) -> tuple[str | None, int | None]:
    if pays != "in_kind":
        _none_of_kind = [k for k in ("unit", "unit_value_yuan", "range_units") if k in r.item]
        if _none_of_kind:
            raise r.fail(f"{', '.join(_none_of_kind)}: only for goods in kind")
        return None, None
    value = _yuan(r, "unit_value_yuan", r.get("unit_value_yuan", (int, float, str)))
    if not value:
        raise r.fail("'unit_value_yuan' must be above zero")
    return str(r.get("unit", str)), value


def _standard(r: Reader, pays: str, unit_value: int | None) -> Standard:
    """The standard in fen per unit, from exactly one of its ways of being written."""
    ways = ("range_units",) if pays == "in_kind" else ("amount_yuan", "range_yuan", "by")
    given = [k for k in ways if k in r.item]
    if len(given) != 1:
        raise r.fail(f"give the standard as exactly one of {', '.join(ways)}")
    if given[0] == "range_units":
        low, high = _pair(r, "range_units", lambda v: int(v))
        assert unit_value is not None
        return Standard(low * unit_value, high * unit_value)
    if given[0] == "amount_yuan":
        amount = _yuan(r, "amount_yuan")
        assert amount is not None
        return Standard(amount, amount)
    if given[0] == "range_yuan":
        low, high = _pair(r, "range_yuan", lambda v: _yuan(r, "range_yuan", v) or 0)
        return Standard(low, high)
    return _by_field(r)


def _pair(r: Reader, key: str, convert: Any) -> tuple[int, int]:
    pair = r.get(key, list)
    if len(pair) != 2 or not all(isinstance(v, int | float) for v in pair):
        raise r.fail(f"'{key}' must be [lowest, highest]")
    low, high = convert(pair[0]), convert(pair[1])
    if not 0 < low <= high:
        raise r.fail(f"'{key}' must be [lowest, highest], lowest above zero")
    return low, high


def _by_field(r: Reader) -> Standard:
    by = r.get("by", str)
    kind = field_types().get(by)
    if kind is None or not kind.values:
        raise r.fail(f"'by' must be an eligibility field with a code list, not {by!r}")
    amounts = r.get("amounts_yuan", dict)
    pairs = []
    for value, amount in amounts.items():
        if value == "__line__":
            continue
        if value not in kind.values:
            raise r.fail(f"'amounts_yuan': {value!r} is not a value of {by} "
                         f"({', '.join(kind.values)})")
        pairs.append((str(value), _yuan(r, "amounts_yuan", amount) or 0))
    return Standard(by=by, amounts=tuple(pairs))
