"""Field verification as data: a file of verified households taken whole or not at all
(each bad row named with its line and field), once per file, only within the verifier's
jurisdiction; the verified set of a day is each household's latest verification then,
named by a fingerprint that changes when the set does."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import KillTest, Refusal, store_content
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.errors import ValidationFailed
from povertycloud.identification.verified import verified_as_of
from povertycloud.intake.verifications import (
    COLUMNS,
    VerificationError,
    import_verifications,
)
from povertycloud.store import Store
from povertycloud.synth.verifications import write_verifications

CLI = str(Path(sys.executable).parent / "povertycloud")
HEADER = ",".join([*COLUMNS, "verifier"])


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)


@pytest.fixture
def db(funds_province: Province, tmp_path: Path) -> Path:
    target = tmp_path / "verified.duckdb"
    shutil.copy(funds_province.db, target)
    return target


def test_verifications_from_the_truth_are_kept_once(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "verified.csv"
    made = _cli("verification", "synth", "--db", db, "--year", "2020", "--out", file,
                "--share", "0.2")
    assert made.returncode == 0, made.stderr
    done = _cli("verification", "import", file, "--db", db, "--as", "province_officer")
    assert done.returncode == 0 and "Kept" in done.stdout, done.stderr
    again = _cli("verification", "import", file, "--db", db, "--as", "province_officer")
    assert "imported before" in again.stdout
    with Store(db) as store:
        truth = dict(store.rows(
            "SELECT household_id, coalesce(primary_cause, '-') FROM truth_household_years "
            "WHERE year = 2020"))
        kept = store.rows("SELECT household_id, coalesce(primary_cause, '-'), verifier FROM "
                          "field_verifications")
        assert kept and all(truth[h] == c and v == "field_officer" for h, c, v in kept)
        assert 0.1 < len(kept) / len(truth) < 0.3
        assert store.scalar("SELECT count(*) FROM verification_imports") == 1
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = "
                            "'import_verifications'") == 1
        before, first = verified_as_of(store, dt.date(2021, 3, 14))
        now, second = verified_as_of(store, dt.date(2021, 3, 15))
    assert before.num_rows == 0 and now.num_rows == len(kept) and first != second
    listed = _cli("verification", "list", "--db", db, "--as-of", "2021-06-01")
    assert f"{len(kept):,} households" in listed.stdout and second[:12] in listed.stdout


def test_the_latest_verification_of_a_day_counts(db: Path, funds_province: Province,
                                                 tmp_path: Path) -> None:
    household = funds_province.payable[0][0]
    with Store(db) as store:
        officer = user_named(store, "county_officer")
        for name, row in (("a.csv", f"{household},2021-03-01,yes,illness,illness disability,,"),
                          ("b.csv", f"{household},2021-09-01,no,,,12000,")):
            path = tmp_path / name
            path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
            import_verifications(store, path, officer)
        spring, _ = verified_as_of(store, dt.date(2021, 6, 1))
        autumn, _ = verified_as_of(store, dt.date(2021, 12, 1))
    assert spring.to_pylist()[0] | {"verified_on": None} == {
        "household_id": household, "verified_on": None, "verifier": "county_officer",
        "poor": True, "primary_cause": "illness", "causes": "disability;illness",
        "income_per_capita": None}
    assert autumn.to_pylist()[0]["poor"] is False
    assert autumn.to_pylist()[0]["income_per_capita"] == 12000


def test_a_bad_file_names_each_line_and_field_and_keeps_nothing(
        db: Path, funds_province: Province, tmp_path: Path) -> None:
    mine = funds_province.payable[0][0]
    with Store(db) as store:
        other = store.value("SELECT min(household_id) FROM households WHERE NOT "
                            "starts_with(village_code, ?)", [funds_province.county[:6]])
    rows = [
        f"{mine},2021-03-01,yes,illness,,,",  # 2: good
        "x12,2021-03-01,no,,,,",  # 3: not an id
        "1234567890123456,2021-03-01,no,,,,",  # 4: not in the registry
        f"{other},2021-03-01,no,,,,",  # 5: outside the county
        f"{mine},2099-01-01,no,,,,",  # 6: in the future
        f"{mine},2021-03-02,maybe,,,,",  # 7: neither yes nor no
        f"{mine},2021-03-03,yes,,,,",  # 8: poor without a cause
        f"{mine},2021-03-04,yes,luck,,,",  # 9: not a cause
        f"{mine},2021-03-05,no,illness,,,",  # 10: a cause of the not poor
        f"{mine},2021-03-06,yes,illness,illness;luck,,",  # 11: a cause among them not one
        f"{mine},2021-03-07,no,,,-5,",  # 12: income below zero
        f"{mine},2021-03-01,no,,,,",  # 13: the same day twice (with 2)
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with Store(db) as store, pytest.raises(ValidationFailed) as refused:
        import_verifications(store, path, user_named(store, "county_officer"),
                             today=dt.date(2026, 12, 1))
    with Store(db) as store:
        assert store.scalar("SELECT count(*) FROM field_verifications") == 0
    found = {(i.row, i.field) for i in refused.value.issues}
    assert found == {(3, "household_id"), (4, "household_id"), (5, "household_id"),
                     (6, "verified_on"), (7, "verified_poor"), (8, "verified_primary_cause"),
                     (9, "verified_primary_cause"), (10, "verified_primary_cause"),
                     (11, "verified_causes"), (12, "verified_income_per_capita"),
                     (2, "verified_on"), (13, "verified_on")}
    assert all(i.unit == "line" and i.source == str(path) for i in refused.value.issues)


def test_bad_requests_are_refused_in_a_line(db: Path, funds_province: Province,
                                            tmp_path: Path, refuse: Refusal) -> None:
    path = tmp_path / "one.csv"
    path.write_text(f"{HEADER}\n{funds_province.payable[0][0]},2021-03-01,no,,,,\n",
                    encoding="utf-8")
    refuse("verifications entered by an auditor", ["verification", "import", str(path),
           "--db", str(db), "--as", "auditor"], ("may not",), db=db)
    short = tmp_path / "short.csv"
    short.write_text("household_id,verified_on,verified_primary_cause,verified_causes,"
                     "verified_income_per_capita\n1,2021-03-01,,,\n", encoding="utf-8")
    refuse("a verification file without its columns", ["verification", "import", str(short),
           "--db", str(db), "--as", "county_officer"], ("verified_poor",), db=db)
    refuse("a share of households above one", ["verification", "synth", "--db", str(db),
           "--year", "2020", "--out", str(tmp_path / "v.csv"), "--share", "2"],
           ("at most 1",), db=db)
    with Store(db) as store, pytest.raises(VerificationError, match="may not"):
        import_verifications(store, path, user_named(store, "auditor"))


def test_an_import_killed_at_any_write_keeps_all_or_none(
        db: Path, tmp_path: Path, crash_test: KillTest) -> None:
    path = tmp_path / "verified.csv"
    with Store(db) as store:
        write_verifications(store, 2020, 0.05, path)
    before, after, tried = crash_test(db, tmp_path, lambda target: [
        "verification", "import", str(path), "--db", str(target), "--as",
        "province_officer"], store_content)
    assert tried >= 1 and after != before


def test_a_survey_export_brings_the_verified_households_only(
        db: Path, funds_province: Province, tmp_path: Path) -> None:
    """The household survey's export (its group paths as ODK Central writes them): the
    households verified on the visit are kept, the others left aside; an export without
    any is refused with the reason."""
    first, second = funds_province.payable[0][0], funds_province.payable[1][0]
    columns = ["household_id", *(f"verification-{c}" for c in COLUMNS[1:]), "SubmitterName"]
    export = tmp_path / "survey.csv"
    export.write_text("\n".join([",".join(columns),
                                 f"{first},2021-03-01,yes,illness,illness schooling,,wang",
                                 f"{second},,,,,,wang"]) + "\n", encoding="utf-8")
    with Store(db) as store:
        officer = user_named(store, "county_officer")
        assert import_verifications(store, export, officer).verifications == 1
        assert store.rows("SELECT household_id, verifier, causes FROM field_verifications") \
            == [(first, "wang", "illness;schooling")]
        none = tmp_path / "none.csv"
        none.write_text(f"{','.join(columns)}\n{second},,,,,,wang\n", encoding="utf-8")
        with pytest.raises(VerificationError, match="no household in it was verified"):
            import_verifications(store, none, officer)
