"""Field surveys on phones: the annual household survey as an XLSForm generated from the
data standard (for ODK Collect or KoboToolbox), and the import of their submission
exports into the store as a batch of ``household_years``."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from openpyxl import Workbook

from ..errors import OutputExistsError, PovertyCloudError
from ..standard.fields import Field, Kind
from ..standard.tables import HOUSEHOLD_YEARS, VERSION
from ..store import Store
from .batches import BatchReport, import_file

FORM_ID = "povertycloud_household_year"
_TYPES = {Kind.INTEGER: "integer", Kind.NUMBER: "decimal", Kind.DATE: "date",
          Kind.STRING: "text", Kind.ID_NUMBER: "text", Kind.REGION_CODE: "text"}
YES_NO = "yes_no"


def _row(f: Field) -> list[object]:
    if f.kind == Kind.BOOLEAN:
        kind = f"select_one {YES_NO}"
    elif f.kind == Kind.ENUM:
        kind = f"select_one {f.name}"
    else:
        kind = _TYPES[f.kind]
    bounds = []
    if f.minimum is not None:
        bounds.append(f". >= {f.minimum:g}")
    if f.maximum is not None:
        bounds.append(f". <= {f.maximum:g}")
    constraint = " and ".join(bounds)
    message = f"{f.minimum:g} – {f.maximum:g}" if f.minimum is not None and \
        f.maximum is not None else (f">= {f.minimum:g}" if f.minimum is not None else "")
    return [kind, f.name, f.label_zh, f.description, "yes" if f.required else "",
            constraint, message if constraint else ""]


def write_xlsform(out: Path, overwrite: bool = False) -> Path:
    """The household survey of one year as an XLSForm workbook (survey, choices,
    settings sheets), labels in Chinese and English, constraints from the standard."""
    if out.suffix.lower() != ".xlsx":
        raise PovertyCloudError(f"{out}: an XLSForm is an .xlsx workbook")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists; choose another path or add --overwrite")
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "required",
                   "constraint", "constraint_message::English (en)"])
    for f in HOUSEHOLD_YEARS.fields:
        survey.append(_row(f))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    choices.append([YES_NO, "yes", "是", "yes"])
    choices.append([YES_NO, "no", "否", "no"])
    for f in HOUSEHOLD_YEARS.fields:
        for value in f.values if f.kind == Kind.ENUM else ():
            choices.append([f.name, value, value, value])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["农户年度调查 Household annual survey", FORM_ID,
                     VERSION.replace(".", ""), "Chinese (zh)"])
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def import_submissions(store: Store, export: Path, *, keep_good: bool = False
                       ) -> BatchReport:
    """Import a submissions export (CSV from ODK Central or KoboToolbox) of the form as a
    batch of ``household_years``: group prefixes and metadata columns dropped, yes/no
    answers made true/false; validated like any import."""
    if not export.exists():
        raise PovertyCloudError(f"{export}: no such file")
    with export.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.DictReader(source)
        names = {c: c.rsplit("/", 1)[-1].rsplit("-", 1)[-1] for c in reader.fieldnames or []}
        wanted = [f.name for f in HOUSEHOLD_YEARS.fields]
        missing = [w for w in wanted if w not in names.values()]
        if missing:
            raise PovertyCloudError(f"{export}, row 1 (header): not a submissions export of "
                                    f"the household survey: no {', '.join(missing)}")
        booleans = {f.name for f in HOUSEHOLD_YEARS.fields if f.kind == Kind.BOOLEAN}
        with tempfile.TemporaryDirectory() as folder:
            converted = Path(folder) / f"{export.stem}.csv"
            with converted.open("w", encoding="utf-8", newline="") as target:
                writer = csv.DictWriter(target, wanted)
                writer.writeheader()
                for row in reader:
                    values = {names[c]: v for c, v in row.items() if names[c] in wanted}
                    for b in booleans:
                        values[b] = {"yes": "true", "no": "false"}.get(values[b], values[b])
                    writer.writerow(values)
            return import_file(store, "household_years", converted, keep_good=keep_good,
                               label=str(export))
