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
        cause and all causes that apply (';'-joined, alphabetical), and ``has_<cause>``
        for every cause of the registry."""
        cols = ",\n  ".join(f"COALESCE({sql}, 0) AS c_{cause}" for cause, sql in self.strengths)
        strongest = "GREATEST(" + ", ".join(f"c_{c}" for c, _ in self.strengths) + ")" \
            if len(self.strengths) > 1 else f"c_{self.strengths[0][0]}"
        primary = " ".join(f"WHEN c_{c} = {strongest} THEN '{c}'" for c, _ in self.strengths)
        listed = join_present(";", [f"CASE WHEN c_{c} >= {self.min_strength} THEN '{c}' END"
                                    for c, _ in sorted(self.strengths)])
        has = ", ".join(f"c_{c} >= {self.min_strength} AS has_{c}" if c in self.causes
                        else f"FALSE AS has_{c}" for c in CAUSES if c != "other")
        return f"""
SELECT *, {has},
  CASE WHEN {strongest} < {self.min_strength} THEN 'other' ELSE CASE {primary} END END
    AS primary_cause,
  CASE WHEN {strongest} < {self.min_strength} THEN 'other' ELSE {listed} END
    AS causes
FROM (SELECT src.*,
  {cols}
FROM {source} src)"""


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
