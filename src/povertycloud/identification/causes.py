"""Causes of poverty from rules: each cause's strength over the household profile; the
causes that reach the minimum apply, the strongest is primary, "other" when none does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..profile.expressions import NUMBER, ExpressionError, compile_expression
from ..profile.household import profile_types
from ..rulefiles import Reader, RuleSet, header, load, shipped
from ..sqltext import join_present
from ..standard.codes import CAUSES

DEFAULT = "causes.yaml"


@dataclass(frozen=True)
class CauseRules(RuleSet):
    min_strength: float
    strengths: tuple[tuple[str, str], ...]  # (cause, SQL of its strength), in file order

    @property
    def causes(self) -> set[str]:
        return {c for c, _ in self.strengths}

    def causes_sql(self, source: str = "household_profile") -> str:
        """Every row of ``source`` with each cause's strength (``c_*``), the primary
        cause and all causes that apply (';'-joined, alphabetical), ``has_<cause>`` for
        every cause of the registry, and where each came from (``cause_source``)."""
        return self.results_sql(f"({self.strengths_sql(source)})")

    def strengths_sql(self, source: str) -> str:
        """Every row of ``source`` with each cause's strength ``c_<cause>``."""
        cols = ",\n  ".join(f"COALESCE({sql}, 0) AS c_{cause}" for cause, sql in self.strengths)
        return f"SELECT src.*,\n  {cols}\nFROM {source} src"

    def results_sql(self, strengths: str, learned: LearnedCauses | None = None) -> str:
        """The causes of each row of ``strengths`` (:meth:`strengths_sql`): the rules'
        (``r_has_<cause>``, ``r_primary``) and, with ``learned``, the model's where it
        decides; ``cause_source`` says which gave the primary cause, with the model's
        calibrated confidence and main reasons."""
        strongest = "GREATEST(" + ", ".join(f"c_{c}" for c, _ in self.strengths) + ")" \
            if len(self.strengths) > 1 else f"c_{self.strengths[0][0]}"
        primary = " ".join(f"WHEN c_{c} = {strongest} THEN '{c}'" for c, _ in self.strengths)
        rule_has = ", ".join(f"c_{c} >= {self.min_strength} AS r_has_{c}" if c in self.causes
                             else f"FALSE AS r_has_{c}" for c in CAUSES if c != "other")
        named = [c for c in CAUSES if c != "other"]
        listed = join_present(";", [f"CASE WHEN has_{c} OR primary_cause = '{c}' THEN '{c}' END"
                                    for c in sorted(named)])
        return f"""
SELECT *, CASE WHEN {listed} = '' THEN 'other' ELSE {listed} END AS causes
FROM (SELECT *, {_final(learned, named)}
FROM (SELECT *, {rule_has},
  CASE WHEN {strongest} < {self.min_strength} THEN 'other' ELSE CASE {primary} END END
    AS r_primary
FROM {_joined(strengths, learned)}))"""


@dataclass(frozen=True)
class LearnedCauses:
    """A learned model's scores (cause_model.py) and the causes it decides."""

    relation: str  # per household and year: m_primary, m_confidence, m_has_*, m_reasons
    primary: bool  # it decides the primary cause (it beat the rules out of sample)
    flags: tuple[str, ...]  # the causes whose presence it decides
    kept: tuple[str, ...]  # causes it never learnt: a primary cause of the rules stays


def _joined(strengths: str, learned: LearnedCauses | None) -> str:
    if learned is None:
        return strengths
    scores = ", ".join(f"m.{c}" for c in ("m_primary", "m_confidence", "m_reasons",
                                            *(f"m_has_{f}" for f in learned.flags)))
    return (f"(SELECT s.*, {scores} FROM {strengths} s LEFT JOIN {learned.relation} m "
            "ON m.household_id = s.household_id AND m.year = s.year)")


def _final(learned: LearnedCauses | None, named: list[str]) -> str:
    """The causes kept: the model's where it decides and scored the row, else the rules'."""
    if learned is None:
        has = [f"r_has_{c} AS has_{c}" for c in named]
        return ", ".join([*has, "r_primary AS primary_cause", "'rules' AS cause_source",
                          "CAST(NULL AS DOUBLE) AS cause_confidence",
                          "CAST(NULL AS VARCHAR) AS cause_reasons"])
    has = [f"COALESCE(m_has_{c}, r_has_{c}) AS has_{c}" if c in learned.flags
           else f"r_has_{c} AS has_{c}" for c in named]
    kept = "".join(f" AND r_primary <> '{c}'" for c in learned.kept)
    used = f"(m_primary IS NOT NULL{kept})" if learned.primary else "FALSE"
    return ", ".join([
        *has, f"CASE WHEN {used} THEN m_primary ELSE r_primary END AS primary_cause",
        f"CASE WHEN {used} THEN 'model' ELSE 'rules' END AS cause_source",
        f"CASE WHEN {used} THEN m_confidence END AS cause_confidence",
        f"CASE WHEN {used} THEN m_reasons END AS cause_reasons"])


def load_causes(path: Path | None = None) -> CauseRules:
    """Load and check a cause-rule file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "causes")
    fields = profile_types()
    strengths, seen = [], set()
    for item in top.items("rules"):
        r = Reader(path, item, "rule")
        cause = r.get("cause", str)
        r.what = f"cause {cause}"
        if cause not in CAUSES or cause == "other":
            raise r.fail(f"unknown cause; the registry's causes are {', '.join(CAUSES[:-1])}")
        if cause in seen:
            raise r.fail("has two rules")
        seen.add(cause)
        try:
            sql = compile_expression(r.get("strength", str), fields, NUMBER).sql
        except ExpressionError as exc:
            raise r.fail(str(exc)) from None
        strengths.append((cause, sql))
    if not strengths:
        raise top.fail("no rules")
    return CauseRules(**header(top), min_strength=float(top.get("min_strength", (int, float))),
                      strengths=tuple(strengths))
