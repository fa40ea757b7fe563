"""Field surveys on phones: the annual household survey as an XLSForm generated from the
data standard (for ODK Collect or KoboToolbox), its members in a repeat group, and the
import of the submission exports into the store as a batch of ``household_years`` and
one of ``people`` that land together or not at all."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from ..errors import Issue, OutputExistsError, PovertyCloudError, ValidationFailed
from ..standard.codes import CAUSES
from ..standard.fields import Field, Kind, Table
from ..standard.tables import HOUSEHOLD_YEARS, PEOPLE, VERSION
from ..store import Store
from . import readers, survey_meta
from .batches import BatchReport, import_file

FORM_ID = "povertycloud_household_year"
REPEAT = "people"  # the members' repeat group ("members" is the household size already)
SERIAL = "member_serial"  # person_id is the household_id followed by this, in 2 digits
MEMBER_FIELDS = tuple(f for f in PEOPLE.fields if f.name not in ("person_id", "household_id"))
# A members export's column naming its submission -> the submissions export's column:
# ODK Central (Briefcase CSV format) and KoboToolbox (formpack XLSX export).
LINKS = {"PARENT_KEY": "KEY", "_parent_index": "_index"}
_TYPES = {Kind.INTEGER: "integer", Kind.NUMBER: "decimal", Kind.DATE: "date",
          Kind.STRING: "text", Kind.ID_NUMBER: "text", Kind.REGION_CODE: "text"}
YES_NO = "yes_no"
_ANSWERS = {"yes": "true", "no": "false"}
_SERIAL_ROW: list[object] = [
    "integer", SERIAL, "成员序号", "Member serial: the last two digits of the member number; "
    "a new member takes the next free one.", "yes", ". >= 1 and . <= 99", "1 – 99", "1 – 99"]

Rows = list[tuple[int, dict[str, str]]]  # (row number in the export, column -> answer)
CAUSE = "cause"
# The field verification of the household (intake/verifications.py reads it from the
# export): optional, filled when the officer verifies the household on the visit.
VERIFICATION_ROWS: list[list[object]] = [
    ["begin_group", "verification", "入户核实", "Field verification"],
    ["date", "verified_on", "核实日期", "Day of the verification (empty: not verified)"],
    [f"select_one {YES_NO}", "verified_poor", "核实是否贫困", "Poor, as verified"],
    [f"select_one {CAUSE}", "verified_primary_cause", "核实主要致贫原因",
     "Primary cause, as verified (if poor)"],
    [f"select_multiple {CAUSE}", "verified_causes", "核实致贫原因", "Every cause found"],
    ["decimal", "verified_income_per_capita", "核实人均纯收入",
     "Income per capita measured on the visit (yuan a year), if measured", "no",
     ". >= 0", "zero or more", "不小于 0"],
    ["end_group", ""],
]


def _kind(f: Field) -> str:
    if f.kind == Kind.BOOLEAN:
        return f"select_one {YES_NO}"
    if f.kind == Kind.ENUM:
        return f"select_one {f.name}"
    return _TYPES[f.kind]


def xpath_number(x: float) -> str:
    """A bound as XPath 1.0 reads it: no exponent (1e+15 is not a number there)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _constraint(f: Field) -> tuple[str, str, str]:
    """The field's XLSForm constraint and its message in English and Chinese."""
    if f.kind == Kind.ID_NUMBER:
        return ("regex(., '^[0-9]{17}[0-9X]$')", "18 characters: 17 digits, then a digit or X",
                "18位：17位数字，末位为数字或X")
    low = None if f.minimum is None else xpath_number(f.minimum)
    high = None if f.maximum is None else xpath_number(f.maximum)
    bounds = [f". {op} {b}" for op, b in ((">=", low), ("<=", high)) if b is not None]
    message = f"{low} – {high}" if low and high else ", ".join(b[2:] for b in bounds)
    return " and ".join(bounds), message, message


def _row(f: Field) -> list[object]:
    return [_kind(f), f.name, f.label_zh, f.description, "yes" if f.required else "",
            *_constraint(f)]


# what the household's products sold this year (消费扶贫), from the form's media file
# sales_incomes.csv (`povertycloud products incomes --export`), shown before its business
# income is asked, so that the survey counts it
SALES: list[object] = [
    "calculate", "recorded_sales", "", "", "", "", "", "",
    "pulldata('sales_incomes', 'income_yuan', 'household_id', ${household_id})"]
SALES_NOTE: list[object] = [
    "note", "recorded_sales_note",
    "本户本年消费扶贫销售收入 ${recorded_sales} 元，请计入经营性收入",
    "Recorded sales of the household's products this year: ${recorded_sales} yuan; count "
    "them in the business income"]


def _survey_rows() -> Iterator[list[object]]:
    yield from survey_meta.FORM_ROWS
    for f in HOUSEHOLD_YEARS.fields:
        if f.name == "business_income":
            yield SALES
            yield SALES_NOTE
        yield _row(f)
    yield from VERIFICATION_ROWS
    yield ["begin_repeat", REPEAT, PEOPLE.label_zh, "Household members"]
    yield _SERIAL_ROW
    yield from (_row(f) for f in MEMBER_FIELDS)
    yield ["end_repeat", ""]


def _choice_rows() -> Iterator[list[object]]:
    yield [YES_NO, "yes", "是", "yes"]
    yield [YES_NO, "no", "否", "no"]
    for cause in CAUSES:
        yield [CAUSE, cause, cause, cause]
    for f in (*HOUSEHOLD_YEARS.fields, *MEMBER_FIELDS):
        for value in f.values if f.kind == Kind.ENUM else ():
            yield [f.name, value, value, value]


def write_xlsform(out: Path, overwrite: bool = False) -> Path:
    """The household survey of one year as an XLSForm workbook (survey, choices,
    settings sheets), labels in Chinese and English, constraints from the standard; the
    household's members in the repeat group ``people``."""
    if out.suffix.lower() != ".xlsx":
        raise PovertyCloudError(f"{out}: an XLSForm is an .xlsx workbook")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists; choose another path or add --overwrite")
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "required",
                   "constraint", "constraint_message::English (en)",
                   "constraint_message::Chinese (zh)", "calculation"])
    for row in _survey_rows():
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for row in _choice_rows():
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["农户年度调查 Household annual survey", FORM_ID,
                     VERSION.replace(".", ""), "Chinese (zh)"])
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def import_submissions(store: Store, export: Path, *, members: Path | None = None,
                       keep_good: bool = False, update_from: dt.date | None = None
                       ) -> list[BatchReport]:
    """Import a submissions export of the form (ODK Central or KoboToolbox, CSV or XLSX)
    as a batch of ``household_years`` and, when members come with it, a batch of
    ``people``: group prefixes and metadata columns dropped, yes/no made true/false,
    validated like any import. Members are read from ``members``, else from the sheet
    ``people`` of an XLSX export, else from ODK Central's ``<export>-people.csv`` beside
    the export. The batches land together or, when either has invalid rows (and not
    ``keep_good``), neither does. With ``update_from``, members already in the registry
    are updated from that day (their rows before kept in the history), not refused."""
    header, rows = _read(export)
    _require(str(export), header, HOUSEHOLD_YEARS.names, "submissions export of the "
             "household survey")
    batches = [(HOUSEHOLD_YEARS, [(n, _answers(r, HOUSEHOLD_YEARS.fields)) for n, r in rows],
                str(export))]
    source = _members_source(export, members)
    if source is not None:
        batches.append((PEOPLE, _members(source, export, header, rows), _label(source)))
    meta, issues = survey_meta.read(str(export), rows)
    with tempfile.TemporaryDirectory() as folder:
        files = [(t, _write(Path(folder) / f"{t.name}.csv", t.names, r), label)
                 for t, r, label in batches]
        with store.transaction():
            reports = _import_together(store, files, keep_good, update_from, issues)
            survey_meta.keep(store, meta, reports[0].batch_id)
        return reports


def _read(path: Path, sheet: str | None = None) -> tuple[list[str], Rows]:
    """Header and numbered rows of a CSV export (comma or semicolon separated, UTF-8 or
    GBK) or of a sheet of an XLSX export (the first by default), with the columns named
    without their group prefixes (``group-field``, ``group/field``)."""
    excel = path.suffix.lower() == ".xlsx"
    readers.check_file(path, "excel" if excel else "csv")
    header, rows = _xlsx(path, sheet) if excel else _csv(path)
    if not rows:
        raise PovertyCloudError(f"{_label((path, sheet))}: no rows")
    return [field_name(c) for c in header], [(n, {field_name(c): v for c, v in r.items()})
                                             for n, r in rows]


def field_name(column: str) -> str:
    """A form export's column without its group path: ODK Central writes ``group-field``,
    KoboToolbox ``group/field``."""
    return column.rsplit("/", 1)[-1].rsplit("-", 1)[-1]


def _csv(path: Path) -> tuple[list[str], Rows]:
    text = readers.as_utf8(path)
    try:
        content = text.read_text(encoding="utf-8-sig")
    finally:
        if text != path:
            text.unlink(missing_ok=True)
    first = content.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content),
                        delimiter=";" if first.count(";") > first.count(",") else ",")
    header: list[str] = []
    rows: Rows = []
    try:
        header, end = next(reader, []), 1
        for values in reader:  # each row at the line it starts on (a value may span lines)
            start, end = end + 1, reader.line_num
            if values:
                rows.append((start, dict(zip(header, values, strict=False))))
    except csv.Error as exc:  # a value over the size limit
        raise PovertyCloudError(f"{path}, line {reader.line_num}: {exc}") from None
    return header, rows


def _xlsx(path: Path, sheet: str | None) -> tuple[list[str], Rows]:
    with readers.workbook(path) as book:
        if sheet is not None and sheet not in book.sheetnames:
            raise PovertyCloudError(f"{path}: no sheet {sheet!r} (the repeat group of the "
                                    "members); the workbook has: " + ", ".join(book.sheetnames))
        header, cells = readers.sheet_rows(book[sheet] if sheet else book.worksheets[0])
    rows = [(n, {h: c or "" for h, c in zip(header, row, strict=False) if h})
            for n, row in cells]
    return header, rows


def _require(label: str, header: list[str], wanted: list[str], what: str) -> None:
    missing = [w for w in wanted if w not in header]
    if missing:
        raise PovertyCloudError(f"{label}, {readers.unit(label)} 1 (header): not a "
                                f"{what}: no {', '.join(missing)}")


def _answers(row: dict[str, str], fields: tuple[Field, ...]) -> dict[str, str]:
    """The row's answers to ``fields``, yes/no made true/false."""
    return {f.name: _ANSWERS.get(row.get(f.name, ""), row.get(f.name, ""))
            if f.kind == Kind.BOOLEAN else row.get(f.name, "") for f in fields}


def _members_source(export: Path, members: Path | None) -> tuple[Path, str | None] | None:
    """The file (and sheet, in a workbook) holding the members, or None without one."""
    if members is not None:
        return members, REPEAT if members.suffix.lower() == ".xlsx" else None
    if export.suffix.lower() == ".xlsx":
        with readers.workbook(export) as book:
            found = REPEAT in book.sheetnames
        return (export, REPEAT) if found else None
    beside = export.with_name(f"{export.stem}-{REPEAT}.csv")  # ODK Central's file name
    return (beside, None) if beside.exists() else None


def _label(source: tuple[Path, str | None]) -> str:
    path, sheet = source
    return f"{path} (sheet {sheet})" if sheet else str(path)


def _members(source: tuple[Path, str | None], export: Path, header: list[str],
             submissions: Rows) -> Rows:
    """The members as rows of ``people``: the household_id of their submission, and
    the person_id made of it and the member serial."""
    label = _label(source)
    columns, rows = _read(*source)
    _require(label, columns, [SERIAL, *(f.name for f in MEMBER_FIELDS)],
             "members export of the household survey")
    link = next((c for c in LINKS if c in columns), None)
    if link is None or LINKS[link] not in header:
        raise PovertyCloudError(
            f"{label}, {readers.unit(label)} 1 (header): cannot link the members to the "
            f"submissions of {export}: use ODK Central's PARENT_KEY and KEY, or KoboToolbox's "
            "_parent_index and _index columns")
    households = {r.get(LINKS[link], ""): r.get("household_id", "").strip()
                  for _, r in submissions}
    parents = [(n, r.get(link, "")) for n, r in rows]
    _refuse_orphans(label, link, parents, households, export)
    return [(n, _person(r, households[key])) for (n, r), (_, key) in zip(rows, parents,
                                                                        strict=True)]


def _refuse_orphans(label: str, link: str, parents: list[tuple[int, str]],
                    households: dict[str, str], export: Path) -> None:
    """A member whose submission is not in the export means the two files do not belong
    together: refuse them, naming the first such row."""
    orphans = [(n, key) for n, key in parents if key not in households]
    if orphans:
        number, key = orphans[0]
        more = f" (and {len(orphans) - 1} more row(s))" if len(orphans) > 1 else ""
        raise PovertyCloudError(f"{label}, {readers.unit(label)} {number}: {link} {key!r} "
                                f"is not a submission in {export}{more}")


def _person(row: dict[str, str], household_id: str) -> dict[str, str]:
    serial = row.get(SERIAL, "").strip()
    person_id = f"{household_id}{serial.zfill(2)}" if household_id and serial else ""
    return {"person_id": person_id, "household_id": household_id,
            **_answers(row, MEMBER_FIELDS)}


def _write(path: Path, columns: list[str], rows: Rows) -> Path:
    """``rows`` as a CSV to import, with blank lines for the rows the export skipped, so
    that problems are reported at the export's own row numbers."""
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(columns)
        last = 1
        for number, row in rows:
            target.write("\r\n" * (number - last - 1))
            writer.writerow([row[c] for c in columns])
            last = number + sum(row[c].count("\n") for c in columns)  # its last line
    return path


def _import_together(store: Store, files: list[tuple[Table, Path, str]],
                     keep_good: bool, update_from: dt.date | None = None,
                     issues: list[Issue] | None = None) -> list[BatchReport]:
    """Each file as a batch, all in one transaction: invalid rows in any (unless
    ``keep_good``), or any of ``issues`` found before, roll every batch back, and the
    error lists the problems of each."""
    reports: list[BatchReport] = []
    failures = [ValidationFailed(issues, len(issues))] if issues else []
    with store.transaction():
        for table, path, label in files:
            try:
                reports.append(import_file(
                    store, table.name, path, keep_good=keep_good, label=label,
                    update_from=update_from if table.name == "people" else None))
            except ValidationFailed as failed:
                failures.append(failed)
        if failures:
            raise ValidationFailed([i for f in failures for i in f.issues],
                                   sum(f.total for f in failures))
    return reports
