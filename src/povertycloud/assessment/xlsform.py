"""The assessors' kit of an assessment: the questionnaire as an XLSForm (for ODK Collect
or KoboToolbox; labels in Chinese and English, constraints from the rules, the standard's
verdict computed on the phone beside the assessor's own), the form's media file of the
drawn households (``households.csv``: chosen from a list, each with its group), and the
assignment list of villages and households per assessor (``assignments.csv``)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from ..errors import OutputExistsError
from ..intake.survey import xpath_number
from ..lines import line_for
from ..store import Store
from .design import DesignError, design_of
from .queries import QUERIES
from .questionnaire import CHOICES, GUARANTEES, QUESTIONS, Question
from .rules import AssessmentRules

FORM_ID = "povertycloud_assessment"
MEDIA = "households"  # the form's media file, households.csv
HEADER = ["type", "name", "label::Chinese (zh)", "label::English (en)", "required",
          "constraint", "constraint_message::Chinese (zh)",
          "constraint_message::English (en)", "relevant", "calculation"]


def write_kit(store: Store, rules: AssessmentRules, assessment: int, folder: Path,
              overwrite: bool = False) -> list[Path]:
    """Write the kit of ``assessment`` into ``folder``: the form, its media file and the
    assignments; returns their paths."""
    design = design_of(store, assessment)
    if design["status"] != "drawn":
        raise DesignError(f"assessment {assessment} has no sample drawn yet: draw it first")
    paths = [folder / f"{FORM_ID}_{assessment}.xlsx", folder / f"{MEDIA}.csv",
             folder / "assignments.csv"]
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        raise OutputExistsError(f"{existing[0]} exists; choose another folder or add "
                                "--overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    line = line_for(int(design["survey_year"]))
    _form(paths[0], rules, assessment, line)
    listed = store.records(QUERIES["sample_list"], [assessment])
    with paths[1].open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["name", "label", "grp"])
        for h in listed:
            out.writerow([h["household_id"], f"{h['village_name'] or h['village_code']} "
                          f"{h['address'] or ''} {h['head'] or ''}".strip(), h["grp"]])
    with paths[2].open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        columns = ["assessor", "village_code", "village_name", "household_id", "address",
                   "head", "grp", "members"]
        out.writerow(columns)
        for h in sorted(listed, key=lambda h: (h["assessor"], h["village_code"])):
            out.writerow([h[c] for c in columns])
    return paths


def _form(path: Path, rules: AssessmentRules, assessment: int, line: int) -> None:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(HEADER)
    for row in _survey(rules, line):
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for list_name, options in CHOICES.items():
        for name, zh, en in options:
            choices.append([list_name, name, zh, en])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([f"第三方评估入户调查 Assessment {assessment}", f"{FORM_ID}_{assessment}",
                     rules.version.replace(".", ""), "Chinese (zh)"])
    book.save(path)


def _survey(rules: AssessmentRules, line: int) -> Iterator[list[object]]:
    yield ["start", "started"]
    yield ["end", "ended"]
    yield [f"select_one_from_file {MEDIA}.csv", "household_id", "受访户", "Household", "yes"]
    yield ["calculate", "grp", "", "", "", "", "", "", "",
           f"pulldata('{MEDIA}', 'grp', 'name', ${{household_id}})"]
    for q in QUESTIONS:
        if q.name == "verdict":
            failed = " or ".join(f"${{{g}}} = 'no'" for g in GUARANTEES)
            yield ["calculate", "standard_verdict", "", "", "", "", "", "", "",
                   f"if(${{income_per_capita}} < {line} or (${{grp}} = 'exited' and "
                   f"({failed})), 'poor', 'not_poor')"]
            yield ["note", "standard_note",
                   f"按标准（收入线 {line} 元；已脱贫户另看两不愁三保障）：${{standard_verdict}}",
                   f"By the standard (the line of {line} yuan; for an exited household "
                   "the guarantees too): ${standard_verdict}"]
        yield _question(q, rules)


def _question(q: Question, rules: AssessmentRules) -> list[object]:
    kind = {"integer": "integer", "decimal": "decimal", "date": "date",
            "text": "text"}.get(q.kind, f"select_one {q.kind}")
    constraint, message = "", ""
    if q.name == "members":
        constraint, message = f". >= 1 and . <= {rules.max_members}", f"1 – {rules.max_members}"
    elif q.name == "income_per_capita":
        top = xpath_number(rules.max_income_yuan)
        constraint, message = f". >= 0 and . <= {top}", f"0 – {top}"
    elif q.name == "visited_on":
        constraint, message = ". <= today()", "不能晚于今天 / not after today"
    required = "yes" if q.required else ""
    relevant = "${grp} = 'exited'" if q.exited_only else ""
    if q.name == "note":
        required = "${verdict} != ${standard_verdict}"
    return [kind, q.name, q.zh, q.en, required, constraint, message, message, relevant]
