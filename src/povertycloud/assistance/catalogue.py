"""The help measures (rules/help_measures.yaml): the concrete forms of the recommended
measures, each with its kind, the office that delivers it, the fund programme that pays,
its cost, its expected effect on income, the guarantees it meets, its due date, its
exclusive group and who may get it. Help plans and the allocation read them; every error
names the file, the line and the measure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..funds.eligibility import GUARANTEES, MEASURES, condition, numeric_field
from ..funds.money import MoneyError, fen
from ..funds.programmes import Programmes, load_programmes
from ..rulefiles import Reader, RuleSet, by_id, header_and_items, shipped
from ..standard.codes import MEASURE_KINDS

DEFAULT = "help_measures.yaml"
KINDS = MEASURE_KINDS
SCOPES = ("household", "village")
STATES = ("planned", "under_way", "delivered", "verified", "cancelled")
_KEYS = ("measure", "label", "recommends", "kind", "office", "programme", "cost_yuan",
         "per", "effect_yuan", "effect_per", "fixes", "due_days", "exclusive",
         "entitlement", "when", "scope")


@dataclass(frozen=True)
class HelpMeasure:
    id: str
    label: str
    recommends: str | None  # the recommended measure it delivers (village: optional)
    kind: str
    office: str
    programme: str
    cost_fen: int  # each unit of ``per``
    per: str | None  # the numeric eligibility field that counts the units
    effect_fen: int  # expected income gain in the first year, each unit of effect_per
    effect_per: str | None
    fixes: tuple[str, ...]  # guarantees it meets
    due_days: int
    exclusive: str | None
    entitlement: bool
    when_sql: str  # over the eligibility row ``e``; "true" when unconditional
    scope: str

    def units_sql(self, per: str | None) -> str:
        return f"e.{per}" if per else "1"

    def cost_sql(self) -> str:
        """SQL of the cost in fen for the eligibility row ``e``."""
        return f"{self.cost_fen} * {self.units_sql(self.per)}"

    def effect_sql(self, gains: Mapping[str, float] | None = None) -> str:
        """SQL of the expected income gain in fen for ``e``: the household's income times
        the gain measured for the measure's kind (``gains``; none below zero), else the
        catalogue's assumption."""
        if gains and self.kind in gains:
            return (f"greatest(0, e.income_per_capita * e.members * 100 * "
                    f"{gains[self.kind]!r})")
        return f"{self.effect_fen} * {self.units_sql(self.effect_per)}"

    def offered_sql(self) -> str:
        """SQL over ``e``: the household may get it (recommended to it, and ``when``)."""
        recommended = f"e.measure_{self.recommends}" if self.recommends else "true"
        return f"({recommended} AND ({self.when_sql}))"


@dataclass(frozen=True)
class Catalogue(RuleSet):
    measures: tuple[HelpMeasure, ...]

    def __getitem__(self, ident: str) -> HelpMeasure:
        return by_id(self.measures, ident, "help measure", self.label)

    @property
    def for_households(self) -> tuple[HelpMeasure, ...]:
        return tuple(m for m in self.measures if m.scope == "household")

    @property
    def for_villages(self) -> tuple[HelpMeasure, ...]:
        return tuple(m for m in self.measures if m.scope == "village")


def load_catalogue(path: Path | None = None, programmes: Programmes | None = None
                   ) -> Catalogue:
    """The help measures of ``path`` (the shipped file when None), checked against the
    fund programmes (the shipped ones when None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    known = programmes or load_programmes()
    ids = {p.id for p in known.programmes}
    top, found = header_and_items(path, "measures", "help measures",
                                  lambda r, taken: _measure(r, taken, ids))
    return Catalogue(**top, measures=found)


def _measure(r: Reader, taken: set[str], programmes: set[str]) -> HelpMeasure:
    r.only(*_KEYS)
    ident = r.name("measure", taken)
    scope = r.one_of("scope", SCOPES, "household")
    recommends = r.get("recommends", str, None)
    if recommends is None and scope == "household":
        raise r.fail("'recommends' is missing: the recommended measure it delivers")
    if recommends is not None and recommends not in MEASURES:
        raise r.fail(f"'recommends': {recommends!r} is not a recommended measure; they "
                     f"are {', '.join(MEASURES)}")
    programme = r.get("programme", str)
    if programme not in programmes:
        raise r.fail(f"'programme': {programme!r} is not a fund programme; they are "
                     f"{', '.join(sorted(programmes))}")
    fixes = tuple(r.get("fixes", list, []))
    for g in fixes:
        if g not in GUARANTEES:
            raise r.fail(f"'fixes': {g!r} is not a guarantee; they are "
                         f"{', '.join(GUARANTEES)}")
    due = r.get("due_days", int)
    if due <= 0:
        raise r.fail("'due_days' must be a positive number of days")
    return HelpMeasure(
        id=ident, label=r.get("label", str, ident), recommends=recommends,
        kind=r.one_of("kind", KINDS), office=r.get("office", str), programme=programme,
        cost_fen=_yuan(r, "cost_yuan", positive=True), per=numeric_field(r, "per"),
        effect_fen=_yuan(r, "effect_yuan"), effect_per=numeric_field(r, "effect_per"),
        fixes=fixes, due_days=int(due), exclusive=r.get("exclusive", str, None),
        entitlement=bool(r.get("entitlement", bool, False)), when_sql=condition(r, "true"),
        scope=scope)


def _yuan(r: Reader, key: str, positive: bool = False) -> int:
    value = r.get(key, (int, str))
    try:
        amount = fen(value)
    except MoneyError as exc:
        raise r.fail(f"'{key}': {exc}") from None
    if positive and amount <= 0:
        raise r.fail(f"'{key}' must be above zero")
    return amount
