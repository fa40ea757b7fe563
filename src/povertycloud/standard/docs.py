"""Render the data-exchange standard as Markdown (docs/data-standard.md)."""

from __future__ import annotations

from .fields import Field, Table
from .tables import TABLES, VERSION


def render_standard() -> str:
    lines = [
        "# The povertycloud data-exchange standard",
        "",
        f"Version **{VERSION}**. Generated from `src/povertycloud/standard/tables.py` by "
        "`povertycloud docs`; do not edit by hand (a test fails when the two differ).",
        "",
        "Every table is exchanged as Parquet, CSV (UTF-8, header row) or Excel (`povertycloud "
        "template TABLE file.xlsx` gives an empty workbook). Columns are named as below; "
        "optional columns may be left out or empty. Booleans accept true/false, 1/0, yes/no, "
        "是/否. Dates are YYYY-MM-DD. Money is whole yuan. Fields marked *sensitive* are "
        "protected at rest, masked on screen and never logged.",
        "",
        "Rules applied on import, each reported with the file, the row (in a CSV the line "
        "it starts on, as editors count lines) and the field: required "
        "fields present; values of the field's type and within its range or code list; "
        "resident ID numbers of 18 characters with a province prefix, a valid birth date and "
        "the GB 11643 check digit, agreeing with sex and birth date; region codes of 12 "
        "digits whose level and parent agree with the code; references to existing rows; no "
        "duplicate keys, in the file or against the store; no date after the day of the "
        "import; no death before the birth; no control character in text (a text value is "
        "one line: line breaks, tabs, NUL and the other C0 and C1 controls and DEL are "
        "refused). Spaces around a value are dropped, and an ID number's check letter x is "
        "written X.",
        "",
        "## Tables",
        "",
    ]
    lines += [f"- [`{t.name}`](#{t.name}) {t.label_zh}: {t.description}"
              for t in TABLES.values()]
    for table in TABLES.values():
        lines += ["", *_table(table)]
    return "\n".join(lines) + "\n"


def _table(table: Table) -> list[str]:
    out = [f"## {table.name}", "", f"**{table.label_zh}**. {table.description}", "",
           f"Key: {', '.join(f'`{k}`' for k in table.primary_key)}."]
    if table.ground_truth:
        out += ["", "Synthetic ground truth: written by `povertycloud synth` under `truth/`, "
                "never part of an exchange."]
    out += ["", "| field | label | type | required | allowed | description |",
            "|---|---|---|---|---|---|"]
    out += [_row(f) for f in table.fields]
    return out


def _row(f: Field) -> str:
    allowed = ", ".join(f"`{v}`" for v in f.values) if len(f.values) <= 12 else \
        f"`{f.values[0]}` … `{f.values[-1]}`" if f.values else ""
    if f.minimum is not None or f.maximum is not None:
        lo = "" if f.minimum is None else f"{f.minimum:g}"
        hi = "" if f.maximum is None else f"{f.maximum:g}"
        allowed = f"{lo} to {hi}".strip()
    if f.level:
        allowed = f"a {f.level} code"
    if f.references:
        allowed += (", " if allowed else "") + f"in `{f.references}`"
    notes = [f.description]
    if f.unit:
        notes.append(f"Unit: {f.unit}.")
    if f.sensitive:
        notes.append("*Sensitive.*")
    return (f"| `{f.name}` | {f.label_zh} | {f.kind.value} | {'yes' if f.required else 'no'} "
            f"| {allowed} | {' '.join(notes)} |")
