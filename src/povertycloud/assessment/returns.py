"""The assessors' returns (评估入户调查结果): a file exported from ODK Central or
KoboToolbox (CSV, Excel, JSON or Parquet, one row a household, the questionnaire's
columns) checked whole and taken in whole or not at all. A household outside the sample,
returned twice, or an answer out of range refuses the file, naming its row and field.
The same file twice adds nothing. Each return is judged by the standard of its year
beside the assessor's own verdict, and the rates are estimated afresh."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..access.accounts import User
from ..access.audit import record
from ..intake import readers
from ..intake.answers import rename_group_paths, yes_no_sql
from ..intake.refusals import Check, refuse_missing_columns, refuse_rows
from ..lines import line_for
from ..sqltext import literal, literals
from ..store import Store
from .design import DesignError, design_of
from .queries import QUERIES, stamp
from .questionnaire import COLUMNS, GUARANTEES, QUESTIONS, SATISFACTION, VERDICTS
from .rates import estimate
from .rules import AssessmentRules

STAGED = "_return_file"
NOTHING = "no return was imported"


@dataclass(frozen=True)
class Imported:
    returns: int
    new: bool  # False: the same file was imported before; nothing changed


def import_returns(store: Store, rules: AssessmentRules, assessment: int, path: Path,
                   by: User) -> Imported:
    """Check the returns file ``path`` of ``assessment`` and take it in as ``by``."""
    design = design_of(store, assessment, by)
    if not by.may("assess_returns"):
        raise DesignError(f"{by.username} ({by.role}) may not enter assessment returns: "
                          "the third party's assessors do")
    if design["status"] != "drawn":
        raise DesignError(f"assessment {assessment} has no sample drawn yet")
    checksum = readers.checksum(path)
    earlier = store.one("SELECT returns FROM assessment_imports WHERE assessment_id = ? AND "
                        "checksum = ?", [assessment, checksum])
    if earlier is not None:
        return Imported(int(earlier[0]), new=False)
    columns = readers.stage(store, path, STAGED)
    rename_group_paths(store, STAGED, columns, COLUMNS)
    refuse_missing_columns(_columns(store), COLUMNS, str(path),
                           "a returns file (the questionnaire's export)", NOTHING)
    store.execute(f"CREATE OR REPLACE TEMP TABLE _returns AS {_typed(assessment)}")
    line = line_for(int(design["survey_year"]))
    refuse_rows(store, "_returns", _checks(rules, design, line), str(path), NOTHING)
    with store.transaction():
        batch = store.draw("assessment_import_ids", 1) + 1
        store.execute(QUERIES["insert_returns"].replace(
            "{standard_verdict}", standard_verdict_sql(line)), [assessment, batch])
        count = store.scalar("SELECT count(*) FROM _returns")
        store.execute("INSERT INTO assessment_imports VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [batch, assessment, str(path), checksum, count, by.username, stamp()])
        record(store, by, "import_assessment_returns", "assessment", str(assessment),
               design["county_code"], f"{count:,} returns from {path.name}")
        estimate(store, rules, assessment)
    return Imported(count, new=True)


def _columns(store: Store) -> list[str]:
    return [str(c) for c in store.columns(STAGED)]


def _typed(assessment: int) -> str:
    """The staged file typed, each row with its sample household (group, assessor) and
    how often the file and the store already hold its household."""
    typed = [f"TRY_CAST(trim(f.{q.name}) AS {kind}) AS {q.name}" for q, kind in
             ((q, {"integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE"}[q.kind])
              for q in QUESTIONS if q.kind in ("integer", "decimal", "date"))]
    typed += [f"{yes_no_sql('f.' + q.name)} AS {q.name}, f.{q.name} AS {q.name}_text"
              for q in QUESTIONS if q.kind == "yes_no"]
    typed += [f"nullif(trim(f.{q.name}), '') AS {q.name}" for q in QUESTIONS
              if q.kind in ("text", "satisfaction", "verdict")]
    return f"""
SELECT f._row, TRY_CAST(trim(f.household_id) AS BIGINT) AS household_id,
  f.household_id AS household_id_text, {', '.join(typed)},
  s.grp, s.household_id IS NOT NULL AS sampled,
  count(*) OVER (PARTITION BY TRY_CAST(trim(f.household_id) AS BIGINT)) AS in_file,
  r.import_id AS returned_in
FROM {STAGED} f
LEFT JOIN assessment_households s ON s.assessment_id = {int(assessment)}
  AND s.household_id = TRY_CAST(trim(f.household_id) AS BIGINT)
LEFT JOIN assessment_returns r ON r.assessment_id = {int(assessment)}
  AND r.household_id = TRY_CAST(trim(f.household_id) AS BIGINT)"""


def standard_verdict_sql(line: float) -> str:
    """'poor' where the income is below ``line`` (the enrolment standard) or, for an
    exited household, a guarantee fails (the exit standard); else 'not_poor'."""
    failed = " OR ".join(f"NOT {g}" for g in GUARANTEES)
    return (f"CASE WHEN income_per_capita < {line} OR (grp = 'exited' AND ({failed})) "
            "THEN 'poor' ELSE 'not_poor' END")


def _checks(rules: AssessmentRules, design: dict[str, object], line: float) -> list[Check]:
    day = literal(str(design["as_of"]))
    checks: list[Check] = [
        ("household_id", "household_id IS NULL",
         "'missing or not a household id: ' || coalesce(household_id_text, '(empty)')"),
        ("household_id", "household_id IS NOT NULL AND NOT sampled",
         f"'household ' || household_id || ' is not in the sample of assessment "
         f"{design['assessment_id']}'"),
        ("household_id", "sampled AND in_file > 1",
         "'household ' || household_id || ' is returned ' || in_file || ' times in the file'"),
        ("household_id", "sampled AND returned_in IS NOT NULL",
         "'household ' || household_id || ' was returned already (import ' || returned_in "
         "|| ')'"),
        ("assessor", "assessor IS NULL", "'the assessor is missing'"),
        ("visited_on", "visited_on IS NULL", "'missing or not a date (YYYY-MM-DD)'"),
        ("visited_on", f"visited_on < CAST({day} AS DATE) OR visited_on > current_date",
         f"'the visit (' || visited_on || ') is before the frame ({design['as_of']}) or in "
         "the future'"),
        ("members", f"members IS NULL OR members NOT BETWEEN 1 AND {rules.max_members}",
         f"'members must be a whole number from 1 to {rules.max_members}'"),
        ("income_per_capita", f"income_per_capita IS NULL OR income_per_capita < 0 OR "
                              f"income_per_capita > {rules.max_income_yuan}",
         f"'income_per_capita must be yuan from 0 to {rules.max_income_yuan:,.0f}'"),
    ]
    for q in QUESTIONS:
        if q.kind == "yes_no":
            checks.append((q.name, f"{q.name} IS NULL",
                           f"'must be yes or no, not ' || coalesce({q.name}_text, '(empty)')"))
        elif q.kind == "satisfaction":
            asked = "grp = 'exited'" if q.exited_only else "true"
            checks.append((q.name, f"{asked} AND coalesce({q.name} NOT IN "
                                   f"{literals(SATISFACTION)}, true)",
                           f"'must be 1 (satisfied), 2 (basically) or 3 (not), not ' || "
                           f"coalesce({q.name}, '(empty)')"))
    checks += [
        ("verdict", f"coalesce(verdict NOT IN {literals(VERDICTS)}, true)",
         "'must be poor or not_poor, not ' || coalesce(verdict, '(empty)')"),
        ("note", f"verdict IN {literals(VERDICTS)} AND note IS NULL AND "
                 f"income_per_capita IS NOT NULL AND verdict <> {standard_verdict_sql(line)}",
         "'the verdict differs from the standard''s: say why in the note'"),
    ]
    return checks
