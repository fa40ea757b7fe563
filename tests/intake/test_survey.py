"""The household survey as an XLSForm, and the import of ODK/Kobo submission exports."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert
from tests.conftest import store_content

from povertycloud.assessment.ranking import load_ranking_rules, suspicions
from povertycloud.errors import PovertyCloudError, ValidationFailed
from povertycloud.intake import load_directory
from povertycloud.intake.survey import (
    FORM_ID,
    MEMBER_FIELDS,
    REPEAT,
    SERIAL,
    VERIFICATION_ROWS,
    import_submissions,
    write_xlsform,
)
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.standard.tables import HOUSEHOLD_YEARS
from povertycloud.store import Store


def test_the_xlsform_is_a_valid_form_of_every_survey_field(tmp_path: Path) -> None:
    path = write_xlsform(tmp_path / "survey.xlsx")
    result = convert(xlsform=str(path), warnings=[])
    xml = result.xform
    assert FORM_ID in xml
    for f in HOUSEHOLD_YEARS.fields:
        assert f"/{f.name}" in xml, f.name
    assert f'<repeat nodeset="/data/{REPEAT}">' in xml
    for name in (SERIAL, *(f.name for f in MEMBER_FIELDS)):
        assert f'nodeset="/data/{REPEAT}/{name}"' in xml, name
    assert "1e+" not in xml  # XPath 1.0 numbers have no exponent
    # the household's recorded sales (the media file sales_incomes.csv) before its
    # business income is asked
    assert "pulldata('sales_incomes', 'income_yuan', 'household_id'" in xml
    book = load_workbook(path)
    rows = [(r[0].value, r[1].value) for r in book["survey"].iter_rows(min_row=2)]
    names = list(HOUSEHOLD_YEARS.names)
    at = names.index("business_income")
    names[at:at] = ["recorded_sales", "recorded_sales_note"]
    assert [n for _, n in rows] == ["start", "end", "username", *names,
                                    *(r[1] or None for r in VERIFICATION_ROWS), REPEAT, SERIAL,
                                    *(f.name for f in MEMBER_FIELDS), None]
    at = len(names) + 3 + len(VERIFICATION_ROWS)
    assert (rows[at][0], rows[-1][0]) == ("begin_repeat", "end_repeat")
    assert "/verification/verified_primary_cause" in xml  # the field verification's group
    assert [t for t, _ in rows[:3]] == ["start", "end", "username"]  # who filled it, when
    with pytest.raises(PovertyCloudError, match="exists"):
        write_xlsform(path)


def odk_export(rows: list[dict[str, object]], path: Path,
               meta: list[tuple[str, str, str]] | None = None) -> Path:
    """Rows as ODK Central exports them: metadata columns, group prefixes, yes/no; with
    ``meta``, each row's form start, end and submitter."""
    columns = ["SubmissionDate", *(f"household-{f.name}" for f in HOUSEHOLD_YEARS.fields),
               "meta-instanceID", "KEY", *(("start", "end", "SubmitterName") if meta else ())]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, row in enumerate(rows):
            values = [{True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
                      for v in (row[f.name] for f in HOUSEHOLD_YEARS.fields)]
            writer.writerow(["2021-01-05T10:00:00Z", *values, f"uuid:{i}", f"uuid:{i}",
                             *(meta[i] if meta else ())])
    return path


@pytest.fixture
def store(small_province: Path, tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store.duckdb")
    load_directory(store, small_province)
    store.execute("DELETE FROM household_years WHERE year = 2020")
    return store


def test_submissions_become_a_batch_of_household_years(small_province: Path, store: Store,
                                                       tmp_path: Path) -> None:
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020]
    export = odk_export(survey, tmp_path / "household_survey.csv")
    [report] = import_submissions(store, export)
    assert report.accepted == len(survey) and report.source == str(export)
    kept = store.execute("SELECT household_id, members, food_secure FROM household_years "
                         "WHERE year = 2020 ORDER BY household_id").fetchall()
    assert kept == sorted((r["household_id"], r["members"], r["food_secure"]) for r in survey)
    assert import_submissions(store, export)[0].duplicate_of == report.batch_id


def test_bad_submissions_name_the_export_row_and_field(small_province: Path, store: Store,
                                                       tmp_path: Path) -> None:
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020][:3]
    survey[1] = survey[1] | {"members": 0}
    export = odk_export(survey, tmp_path / "household_survey.csv")
    with pytest.raises(ValidationFailed) as caught:
        import_submissions(store, export)
    assert f"{export}, line 3, field 'members'" in str(caught.value)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(PovertyCloudError, match="not a submissions export"):
        import_submissions(store, other)


def test_who_filled_each_form_and_how_fast_shows_in_the_signs(
        small_province: Path, store: Store, tmp_path: Path) -> None:
    """The form's start, end and submitter are kept beside the survey; a village whose
    forms took two minutes each, all by one officer, shows both signs."""
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020]
    village = str(survey[0]["household_id"])[:12]
    theirs = [r for r in survey if str(r["household_id"]).startswith(village)]
    others = [r for r in survey if not str(r["household_id"]).startswith(village)][:12]
    first = dt.datetime(2021, 1, 5, 9)
    meta = [((first + dt.timedelta(minutes=3 * i)).isoformat() + "+08:00",
             (first + dt.timedelta(minutes=3 * i + 2)).isoformat() + "+08:00", "officer_wang")
            for i in range(len(theirs))]
    meta += [((first + dt.timedelta(hours=i)).isoformat() + "Z",
              (first + dt.timedelta(hours=i, minutes=25)).isoformat() + "Z", f"officer_{i % 3}")
             for i in range(len(others))]
    rules = replace(load_ranking_rules(), one_surveyor_least=len(theirs))
    export = odk_export(theirs + others, tmp_path / "household_survey.csv", meta)
    import_submissions(store, export)
    kept = store.rows("SELECT surveyor, date_diff('minute', started_at, ended_at) FROM "
                      "survey_submissions s JOIN households h USING (household_id) WHERE "
                      "h.village_code = ? ORDER BY started_at", [village])
    assert kept == [("officer_wang", 2)] * len(theirs)
    assert store.scalar("SELECT count(*) FROM survey_submissions") == len(theirs) + len(others)
    run_on_store(store)  # the exits' incomes, for the other signs
    signs = {(s["village_code"], s["sign"]): s for s in suspicions(store, 2020, rules)
             if s["sign"] in ("surveys_too_fast", "one_surveyor")}
    assert set(signs) == {(village, "surveys_too_fast"), (village, "one_surveyor")}
    assert signs[(village, "one_surveyor")]["detail"].endswith("officer_wang")
    assert signs[(village, "surveys_too_fast")]["households"] == len(theirs)


def test_a_form_time_that_is_not_one_is_named(small_province: Path, store: Store,
                                              tmp_path: Path) -> None:
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020][:2]
    meta = [("2021-01-05T09:00:00Z", "2021-01-05T09:20:00Z", "a"),
            ("yesterday", "2021-01-05T08:00:00Z", "a")]
    export = odk_export(survey, tmp_path / "household_survey.csv", meta)
    with pytest.raises(ValidationFailed) as caught:
        import_submissions(store, export)
    assert f"{export}, line 3, field 'start': not a time: 'yesterday'" in str(caught.value)
    assert store.scalar("SELECT count(*) FROM household_years WHERE year = 2020") == 0
    assert store.scalar("SELECT count(*) FROM survey_submissions") == 0


def answer(value: object) -> object:
    """A value as a phone form sends it: yes/no, ISO dates, empty for none."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def odk_members(people: list[dict[str, object]], keys: dict[int, str], path: Path) -> Path:
    """Members as ODK Central exports the repeat group: its fields, PARENT_KEY (the
    submission's KEY) and KEY."""
    names = [SERIAL, *(f.name for f in MEMBER_FIELDS)]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*names, "PARENT_KEY", "KEY"])
        for i, person in enumerate(people, start=1):
            parent = keys[int(str(person["household_id"]))]
            row = person | {SERIAL: int(str(person["person_id"])) % 100}
            writer.writerow([*(answer(row[n]) for n in names), parent,
                             f"{parent}/{REPEAT}[{i}]"])
    return path


def members_survey(small_province: Path, store: Store, households: int | None = None
                   ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The 2020 survey of some households and their members, the members taken out of
    the store so that the survey brings them in as new."""
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020][:households]
    ids = {r["household_id"] for r in survey}
    people = [p for p in pq.read_table(small_province / "people.parquet").to_pylist()
              if p["household_id"] in ids]
    store.execute("DELETE FROM people WHERE list_contains(?, person_id)",
                  [[p["person_id"] for p in people]])
    return survey, people


def counts(store: Store) -> tuple[int, int]:
    return (store.count("people"),
            store.count("(SELECT * FROM household_years WHERE year = 2020)"))


def test_members_in_odk_central_format_land_with_their_households(
        small_province: Path, store: Store, tmp_path: Path) -> None:
    survey, people = members_survey(small_province, store)
    export = odk_export(survey, tmp_path / f"{FORM_ID}.csv")
    keys = {int(r["household_id"]): f"uuid:{i}" for i, r in enumerate(survey)}
    members = odk_members(people, keys, tmp_path / f"{FORM_ID}-{REPEAT}.csv")
    before = store.count("people")
    households, found = import_submissions(store, export)  # the members file found beside
    assert (households.accepted, found.accepted) == (len(survey), len(people))
    assert (found.table, found.source) == ("people", str(members))
    assert store.count("people") == before + len(people)
    kept = store.execute("SELECT person_id, household_id, sex, in_school, death_date "
                         f"FROM people WHERE batch_id = {found.batch_id}").fetchall()
    assert sorted(kept) == sorted((p["person_id"], p["household_id"], p["sex"],
                                   p["in_school"], p["death_date"]) for p in people)
    again = import_submissions(store, export, members=members)
    assert [r.duplicate_of for r in again] == [households.batch_id, found.batch_id]


def test_a_bad_member_is_named_and_nothing_lands(small_province: Path, store: Store,
                                                 tmp_path: Path) -> None:
    survey, people = members_survey(small_province, store, households=3)
    export = odk_export(survey, tmp_path / "survey.csv")
    keys = {int(r["household_id"]): f"uuid:{i}" for i, r in enumerate(survey)}
    wrong = str(people[2]["id_number"])
    people[1] = people[1] | {"sex": "M"}
    people[2] = people[2] | {"id_number": wrong[:17] + ("0" if wrong[17] != "0" else "1")}
    members = odk_members(people, keys, tmp_path / "members.csv")
    before = counts(store)
    with pytest.raises(ValidationFailed) as caught:
        import_submissions(store, export, members=members)
    message = str(caught.value)
    assert f"{members}, line 3, field 'sex': must be one of: male, female" in message
    assert f"{members}, line 4, field 'id_number': check digit does not match" in message
    assert counts(store) == before  # neither the households nor the good members
    households, found = import_submissions(store, export, members=members, keep_good=True)
    assert (households.accepted, found.accepted, found.quarantined) == \
        (len(survey), len(people) - 2, 2)
    quarantined = store.execute("SELECT source, row_number, problems FROM quarantine "
                                f"WHERE batch_id = {found.batch_id} ORDER BY 2").fetchall()
    assert [(s, n, p.split(":")[0]) for s, n, p in quarantined] == \
        [(str(members), 3, "sex"), (str(members), 4, "id_number")]


def test_a_member_of_no_submission_in_the_export_is_refused(
        small_province: Path, store: Store, tmp_path: Path) -> None:
    survey, people = members_survey(small_province, store, households=2)
    export = odk_export(survey, tmp_path / "survey.csv")
    keys = {int(r["household_id"]): f"uuid:{i + 5}" for i, r in enumerate(survey)}
    keys[int(survey[0]["household_id"])] = "uuid:0"
    members = odk_members(people, keys, tmp_path / "members.csv")
    orphan = next(i for i, p in enumerate(people, start=2)
                  if p["household_id"] != survey[0]["household_id"])
    before = counts(store)
    with pytest.raises(PovertyCloudError, match=rf"members.csv, line {orphan}: PARENT_KEY "
                                                "'uuid:6' is not a submission in"):
        import_submissions(store, export, members=members)
    assert counts(store) == before


def test_a_kobo_workbook_brings_its_members_in_a_sheet(small_province: Path, store: Store,
                                                      tmp_path: Path) -> None:
    survey, people = members_survey(small_province, store, households=2)
    book = Workbook()
    main = book.active
    assert main is not None
    main.append([*(f"household/{f.name}" for f in HOUSEHOLD_YEARS.fields), "_id", "_index"])
    for i, r in enumerate(survey, start=1):
        main.append([*(answer(r[f.name]) for f in HOUSEHOLD_YEARS.fields), 900 + i, i])
    sheet = book.create_sheet(REPEAT)
    names = [SERIAL, *(f.name for f in MEMBER_FIELDS)]
    sheet.append([*(f"{REPEAT}/{n}" for n in names), "_parent_table_name", "_parent_index"])
    index = {r["household_id"]: i for i, r in enumerate(survey, start=1)}
    for p in people:
        row = p | {SERIAL: int(str(p["person_id"])) % 100}
        sheet.append([*(answer(row[n]) for n in names), "household", index[p["household_id"]]])
    book.save(tmp_path / "kobo.xlsx")
    households, found = import_submissions(store, tmp_path / "kobo.xlsx")
    assert (households.accepted, found.accepted) == (len(survey), len(people))
    assert found.source == f"{tmp_path / 'kobo.xlsx'} (sheet {REPEAT})"


def test_survey_import_killed_at_any_write_lands_both_or_neither(
        small_province: Path, store: Store, tmp_path: Path,
        crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """Killed at its writes (the first, one between and the commit: it writes much),
    `survey import` of submissions with their members leaves neither; run again, both
    land."""
    survey, people = members_survey(small_province, store, households=50)
    export = odk_export(survey, tmp_path / f"{FORM_ID}.csv")
    keys = {int(r["household_id"]): f"uuid:{i}" for i, r in enumerate(survey)}
    odk_members(people, keys, tmp_path / f"{FORM_ID}-{REPEAT}.csv")
    store.close()
    before, after, _ = crash_test(
        store.path, tmp_path, lambda db: ["survey", "import", str(export), "--db", str(db)],
        store_content, sample=3)
    assert after["people"][0] == before["people"][0] + len(people)
