"""The household survey's metadata: who filled each form and when it was begun and
ended, as ODK Collect and KoboToolbox record them (the form's ``start``, ``end`` and
``username``; ODK Central's ``SubmitterName``, KoboToolbox's ``_submitted_by``), kept
beside the survey's batch for the signs of surveys filled too fast or by one officer for
a whole village. An export without them imports as before."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ..errors import Issue
from ..store import Store
from .readers import unit

FORM_ROWS: list[list[object]] = [["start", "start"], ["end", "end"], ["username", "username"]]
SURVEYOR = ("username", "SubmitterName", "_submitted_by", "deviceid")  # the first found
Rows = list[tuple[int, dict[str, str]]]


def _time(text: str) -> dt.datetime | None:
    """An export's time (ISO 8601, with or without its zone) as the phone's local time."""
    return dt.datetime.fromisoformat(text.strip()).replace(tzinfo=None)


def read(label: str, rows: Rows) -> tuple[pa.Table, list[Issue]]:
    """Each submission's household, year, surveyor, start and end; an issue for a time
    that is not one, or an end before its start."""
    out: dict[str, list[object]] = {k: [] for k in ("household_id", "year", "surveyor",
                                                    "started_at", "ended_at")}
    issues = []
    for number, row in rows:
        times: dict[str, dt.datetime | None] = {}
        for column in ("start", "end"):
            text = row.get(column, "").strip()
            try:
                times[column] = _time(text) if text else None
            except ValueError:
                issues.append(Issue(label, number, column, f"not a time: {text!r}",
                                      unit(label)))
                times[column] = None
        began, ended = times["start"], times["end"]
        if began and ended and ended < began:
            issues.append(Issue(label, number, "end", f"the form ended ({ended}) before it "
                                                      f"began ({began})", unit(label)))
        surveyor = next((row[c].strip() for c in SURVEYOR if row.get(c, "").strip()), None)
        for key, value in (("household_id", row.get("household_id", "")),
                           ("year", row.get("year", "")), ("surveyor", surveyor),
                           ("started_at", began), ("ended_at", ended)):
            out[key].append(value)
    return pa.table(out, schema=pa.schema([
        ("household_id", pa.string()), ("year", pa.string()), ("surveyor", pa.string()),
        ("started_at", pa.timestamp("us")), ("ended_at", pa.timestamp("us"))])), issues


def keep(store: Store, submissions: pa.Table, batch_id: int | None) -> int:
    """Keep the metadata of the submissions whose survey rows landed in ``batch_id``."""
    if batch_id is None or submissions.num_rows == 0:
        return 0
    with store.registered("_survey_meta", submissions):
        store.execute(
            "INSERT INTO survey_submissions SELECT y.household_id, y.year, m.surveyor, "
            "m.started_at, m.ended_at, y.batch_id, now() FROM _survey_meta m JOIN "
            "household_years y ON y.household_id = TRY_CAST(m.household_id AS BIGINT) AND "
            "y.year = TRY_CAST(m.year AS BIGINT) AND y.batch_id = ? WHERE m.surveyor IS NOT "
            "NULL OR m.started_at IS NOT NULL", [batch_id])
    return store.scalar("SELECT count(*) FROM survey_submissions WHERE batch_id = ?",
                        [batch_id])
