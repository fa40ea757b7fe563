"""`identify`: the income test, the guarantees, the scorecard, the causes and the
recommended measures for every household in one survey year, as one engine-neutral plan.

The proposal: *poor* when income is below the line, or when a registered poor household
still fails a guarantee (exit needs both, domain reference section 2); *at risk* when a
guarantee fails, income is below the monitoring threshold or the scorecard does not place
the household out of poverty; *not poor* otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..engines import BatchMap
from ..lines import PovertyLines, load_lines
from ..pipeline import profile_steps
from ..pipeline.indicators import poverty_lines
from ..pipeline.plan import Plan, Step
from ..sqltext import literal
from .cause_model import CauseModel
from .causes import CauseRules, LearnedCauses, load_causes
from .guarantees import Guarantees, load_guarantees
from .recommendations import Recommendations, load_recommendations
from .scorecard import Scorecard, load_scorecard

INPUTS = ("regions", "households", "people", "household_years", "events")
OUTPUTS = ("identification",)
PROPOSALS = ("poor", "at_risk", "not_poor")


@dataclass(frozen=True)
class Rules:
    """The rule files an identification run uses, each loaded and checked."""

    scorecard: Scorecard
    guarantees: Guarantees
    causes: CauseRules
    measures: Recommendations
    lines: PovertyLines

    def versions(self) -> dict[str, str]:
        """Each rule set's id, version and the SHA-256 of its file, for the record."""
        out = {}
        for kind in ("scorecard", "guarantees", "causes", "measures", "lines"):
            rule = getattr(self, kind)
            digest = hashlib.sha256(Path(rule.path).read_bytes()).hexdigest()[:12]
            out[kind] = f"{rule.label} ({digest})"
        return out


def load_rules(scorecard: Path | None = None, guarantees: Path | None = None,
               causes: Path | None = None, measures: Path | None = None,
               lines: Path | None = None) -> Rules:
    """Load the rule files (the shipped defaults where None); any error names its file."""
    card = load_scorecard(scorecard)
    checks = load_guarantees(guarantees)
    return Rules(card, checks, load_causes(causes),
                 load_recommendations(measures, tuple(b.name for b in card.bands),
                                      tuple(c.id for c in checks.checks)),
                 load_lines(lines))


def identify_plan(rules: Rules, year: int, run_id: int | None = None,
                  model: CauseModel | None = None) -> Plan:
    """The plan that identifies every household surveyed in ``year``; each row carries
    ``run_id``, whose rule versions ``identification_runs`` records, and the breakdown of
    its score. Each rule set adds its columns to the profile's row in turn, so the
    members are grouped once and the whole run is one pass over the profile. With a
    cause ``model``, it scores the households helped (poor or at risk) in batches and
    decides the causes where it beat the rules."""
    helped = "proposal <> 'not_poor'"
    breakdown = ", ".join(rules.scorecard.score_columns()[2:])
    identification = f"""
SELECT household_id, year, village_code, members, income_per_capita, poverty_line,
  income_below_line, {", ".join(c.column for c in rules.guarantees.checks)},
  guarantees_failed, guarantees_detail, score, band, proposal,
  CASE WHEN {helped} THEN primary_cause END AS primary_cause,
  CASE WHEN {helped} THEN causes END AS causes,
  CASE WHEN {helped} THEN measures END AS measures,
  CASE WHEN {helped} THEN cause_source END AS cause_source,
  CASE WHEN {helped} THEN cause_confidence END AS cause_confidence,
  CASE WHEN {helped} THEN cause_reasons END AS cause_reasons,
  priority, CAST({run_id if run_id is not None else "NULL"} AS BIGINT) AS run_id,
  {breakdown}
FROM (SELECT *, {rules.measures.columns_sql()} FROM cause_results)"""
    steps = (
        *profile_steps(year, rules.guarantees.member_lists()),
        Step("guarantee_results", rules.guarantees.results_sql("household_profile")),
        Step("scores", rules.scorecard.scores_sql("guarantee_results")),
        Step("proposals", _proposals_sql(rules), materialize=model is not None),
        Step("cause_strengths", rules.causes.strengths_sql("proposals")),
        *_cause_steps(rules, model, helped),
        Step("identification", identification),
    )
    return Plan(INPUTS, steps, OUTPUTS, {"poverty_lines": poverty_lines(rules.lines)},
                replace_where=f"year = {year}")


def _proposals_sql(rules: Rules) -> str:
    out_band = rules.scorecard.bands[-1].name
    factor = rules.lines.monitoring_factor
    proposal = (f"CASE WHEN income_below_line OR (guarantees_failed > 0 AND "
                f"registration_status = 'registered_poor') THEN 'poor' "
                f"WHEN guarantees_failed > 0 OR income_per_capita < {factor} * poverty_line "
                f"OR band <> {literal(out_band)} THEN 'at_risk' ELSE 'not_poor' END")
    return (f"SELECT *, {proposal} AS proposal FROM (SELECT *, net_income < poverty_line * "
            "members AS income_below_line FROM scores)")


def _cause_steps(rules: Rules, model: CauseModel | None, helped: str) -> tuple[Step, ...]:
    """The causes from the rules alone, or with the model's scores of those helped."""
    if model is None:
        return (Step("cause_results", rules.causes.results_sql("cause_strengths")),)
    model.check_rules(rules.versions()["causes"])
    fields = ", ".join(["household_id", "year", *(name for name, _ in model.content["features"])])
    learned = LearnedCauses("cause_model", model.decides_primary, tuple(model.flags),
                            tuple(model.unlearned))
    return (Step("cause_model", f"SELECT {fields} FROM cause_strengths WHERE {helped}",
                 batches=BatchMap(model.scorer(), model.schema(), rows=8192)),
            Step("cause_results", rules.causes.results_sql("cause_strengths", learned)))
