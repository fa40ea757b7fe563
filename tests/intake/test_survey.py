"""The household survey as an XLSForm, and the import of ODK/Kobo submission exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from povertycloud.errors import PovertyCloudError, ValidationFailed
from povertycloud.intake import load_directory
from povertycloud.intake.survey import FORM_ID, import_submissions, write_xlsform
from povertycloud.standard.tables import HOUSEHOLD_YEARS
from povertycloud.store import Store


def test_the_xlsform_is_a_valid_form_of_every_survey_field(tmp_path: Path) -> None:
    path = write_xlsform(tmp_path / "survey.xlsx")
    result = convert(xlsform=str(path), warnings=[])
    xml = result.xform
    assert FORM_ID in xml
    for f in HOUSEHOLD_YEARS.fields:
        assert f"/{f.name}" in xml, f.name
    book = load_workbook(path)
    names = [row[1].value for row in book["survey"].iter_rows(min_row=2)]
    assert names == [f.name for f in HOUSEHOLD_YEARS.fields]
    with pytest.raises(PovertyCloudError, match="exists"):
        write_xlsform(path)


def odk_export(rows: list[dict[str, object]], path: Path) -> Path:
    """Rows as ODK Central exports them: metadata columns, group prefixes, yes/no."""
    columns = ["SubmissionDate", *(f"household-{f.name}" for f in HOUSEHOLD_YEARS.fields),
               "meta-instanceID", "KEY"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, row in enumerate(rows):
            values = [{True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
                      for v in (row[f.name] for f in HOUSEHOLD_YEARS.fields)]
            writer.writerow(["2021-01-05T10:00:00Z", *values, f"uuid:{i}", f"uuid:{i}"])
    return path


@pytest.fixture
def store(small_province: Path, tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store.duckdb")
    load_directory(store, small_province)
    store.con.execute("DELETE FROM household_years WHERE year = 2020")
    return store


def test_submissions_become_a_batch_of_household_years(small_province: Path, store: Store,
                                                       tmp_path: Path) -> None:
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020]
    export = odk_export(survey, tmp_path / "household_survey.csv")
    report = import_submissions(store, export)
    assert report.accepted == len(survey) and report.source == str(export)
    kept = store.con.execute("SELECT household_id, members, food_secure FROM household_years "
                             "WHERE year = 2020 ORDER BY household_id").fetchall()
    assert kept == sorted((r["household_id"], r["members"], r["food_secure"]) for r in survey)
    assert import_submissions(store, export).duplicate_of == report.batch_id


def test_bad_submissions_name_the_export_row_and_field(small_province: Path, store: Store,
                                                       tmp_path: Path) -> None:
    survey = [r for r in pq.read_table(small_province / "household_years.parquet").to_pylist()
              if r["year"] == 2020][:3]
    survey[1] = survey[1] | {"members": 0}
    export = odk_export(survey, tmp_path / "household_survey.csv")
    with pytest.raises(ValidationFailed) as caught:
        import_submissions(store, export)
    assert f"{export}, row 3, field 'members'" in str(caught.value)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(PovertyCloudError, match="not a submissions export"):
        import_submissions(store, other)
