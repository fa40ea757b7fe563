"""The assessment's rules (rules/assessment.yaml): the interval's confidence and method,
the anticipated design effect, how many villages a county's sample draws, and each
rate's group, anticipated value and wanted margin; checked on load, every error naming
the file and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..rulefiles import Reader, RuleSet, header, load, shipped

DEFAULT = "assessment.yaml"
GROUPS = ("registered", "exited", "not_registered")  # of households in the frame
RATES = ("wrong_exit", "missed", "misidentified", "approval")
INTERVALS = ("korn-graubard", "logit", "wilson")


@dataclass(frozen=True)
class Rate:
    name: str
    group: str  # one of GROUPS, or "all"
    anticipated: float
    margin: float


@dataclass(frozen=True)
class AssessmentRules(RuleSet):
    confidence: float
    interval: str
    design_effect: float
    villages: int
    min_per_stratum: int
    rates: tuple[Rate, ...]
    max_members: int
    max_income_yuan: float

    def rate(self, name: str) -> Rate:
        return next(r for r in self.rates if r.name == name)


def load_assessment_rules(path: Path | None = None) -> AssessmentRules:
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "assessment")
    top.only("id", "version", "effective", "confidence", "interval", "design_effect",
             "villages", "rates", "answers")
    confidence = float(top.get("confidence", float))
    if not 0.5 <= confidence < 1:
        raise top.fail(f"'confidence' is a share from 0.5 to below 1, not {confidence}")
    deff = float(top.get("design_effect", (int, float)))
    if deff < 1:
        raise top.fail(f"'design_effect' is 1 or more, not {deff}")
    villages = Reader(path, top.get("villages", dict), "villages")
    villages.only("sampled", "min_per_stratum")
    sampled, least = villages.get("sampled", int), villages.get("min_per_stratum", int)
    if least < 2 or sampled < least:
        raise villages.fail(f"'min_per_stratum' is at least 2 (a variance needs two villages)"
                            f" and 'sampled' at least that, not {least} and {sampled}")
    table = Reader(path, top.get("rates", dict), "rates")
    table.only(*RATES)
    answers = Reader(path, top.get("answers", dict), "answers")
    answers.only("max_members", "max_income_yuan")
    return AssessmentRules(
        **header(top), confidence=confidence, interval=top.one_of("interval", INTERVALS),
        design_effect=deff, villages=sampled, min_per_stratum=least,
        rates=tuple(_rate(Reader(path, table.get(name, dict), f"rate {name}"), name)
                    for name in RATES),
        max_members=answers.get("max_members", int),
        max_income_yuan=float(answers.get("max_income_yuan", (int, float))))


def _rate(r: Reader, name: str) -> Rate:
    r.only("group", "anticipated", "margin")
    group = r.one_of("group", (*GROUPS, "all"))
    anticipated, margin = (float(r.get(k, (int, float))) for k in ("anticipated", "margin"))
    if not 0 < anticipated < 1 or not 0 < margin < 0.5:
        raise r.fail(f"'anticipated' is a proportion between 0 and 1 and 'margin' one "
                     f"between 0 and 0.5, not {anticipated} and {margin}")
    return Rate(name, group, anticipated, margin)
