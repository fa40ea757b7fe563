"""`povertycloud officers` and `visits` as a county office runs them: a team stationed, a
cadre paired, a phone's visits taken in (bad rows named with file, row and field, nothing
kept; killed at any write, all or nothing), the indicators with those behind schedule,
a recall on record."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from shapely.geometry import shape
from tests.conftest import CLI, KillTest, Refusal, store_content
from tests.funded import PASSWORD, Province

from povertycloud.access.accounts import create_user
from povertycloud.store import Store


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "220"})


@pytest.fixture
def paired(funds_province: Province, tmp_path: Path) -> tuple[Path, list[int], str]:
    """A store with cadre_a paired with two helped households; the visits file's text."""
    db = tmp_path / "officers.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    with Store(db) as store:
        village, = store.one(
            "SELECT village_code FROM households WHERE starts_with(village_code, ?) AND "
            "registration_status IN ('registered_poor', 'monitored') GROUP BY 1 ORDER BY "
            "count(*) DESC, 1 LIMIT 1", [funds_province.county[:6]]) or ("",)
        create_user(store, "cadre_a", PASSWORD, "field_officer", village)
        households = [int(h) for h in store.column(
            "SELECT household_id FROM households WHERE village_code = ? AND "
            "registration_status IN ('registered_poor', 'monitored') ORDER BY 1 LIMIT 3",
            [village])]
        point = shape(json.loads(str(store.value(
            "SELECT boundary FROM regions WHERE code = ?", [village])))).representative_point()
    assert _cli("officers", "team", village, "--db", db, "--as", "county_officer", "--name",
                "驻村工作队", "--sent-by", "县财政局", "--secretary", "cadre_a",
                "--on", "2026-05-01").returncode == 0
    done = _cli("officers", "pair", "cadre_a", *map(str, households[:2]), "--db", db, "--as",
                "county_officer", "--on", "2026-05-01")
    assert done.returncode == 0, done.stderr
    rows = [f"{households[0]},2026-06-01 09:00,{point.y},{point.x},checked the pigs,vet",
            f"{households[1]},2026-06-01 11:00,{point.y},{point.x},talked about work,",
            f"{households[1]},2026-06-02 09:00,{point.y + 1},{point.x},talked again,"]
    (tmp_path / "visits.csv").write_text(
        "household_id,visited_at,lat,lon,done,next_step\n" + "\n".join(rows) + "\n",
        encoding="utf-8")
    return db, households, village


def test_a_phones_visits_are_taken_in_and_the_indicators_follow(
        paired: tuple[Path, list[int], str], tmp_path: Path) -> None:
    db, households, village = paired
    done = _cli("visits", "import", tmp_path / "visits.csv", "--db", db, "--as", "cadre_a")
    assert done.returncode == 0, done.stderr
    assert "Logged 3 visits" in done.stdout and "1 far from the village" in done.stdout
    again = _cli("visits", "import", tmp_path / "visits.csv", "--db", db, "--as", "cadre_a")
    assert "Logged 0 visits; 3 kept before, not again" in again.stdout, again.stderr
    listed = _cli("visits", "list", "--db", db, "--flagged")
    assert "far_away" in listed.stdout and "km outside village" in listed.stdout
    kpis = _cli("officers", "kpis", "--db", db, "--region", village, "--on", "2026-06-10",
                "--export", tmp_path / "kpis.csv")
    assert kpis.returncode == 0, kpis.stderr
    assert "cadre_a" in kpis.stdout and "100%" in kpis.stdout
    teams = _cli("officers", "kpis", "--db", db, "--region", village, "--on", "2026-09-10",
                 "--teams", "--behind")
    assert "驻村工作队" in teams.stdout and "households visited in 30 days 0.0% < 90%" in \
        teams.stdout
    work = _cli("officers", "households", "cadre_a", "--db", db, "--on", "2026-06-10")
    assert str(households[0]) in work.stdout and "2026-06-01 09:00" in work.stdout
    recalled = _cli("officers", "act", "cadre_a", "--db", db, "--as", "county_officer",
                    "--kind", "recall", "--reason", "visits faked", "--on", "2026-09-11")
    assert recalled.returncode == 0, recalled.stderr
    assert "recall" in _cli("officers", "actions", "--db", db).stdout
    after = _cli("officers", "households", "cadre_a", "--db", db, "--on", "2026-09-12")
    assert str(households[0]) not in after.stdout


BAD_VISITS = {  # case: (the bad row, what the refusal names)
    "a household the cadre does not help": (
        "{other},2026-06-01 10:00,26.9,106.9,not mine,", ("line 3", "household_id",
                                                          "cadre_a does not help household")),
    "a visit in the future": ("{mine},2999-01-01 10:00,26.9,106.9,future,",
                              ("line 3", "visited_at", "the visit is in the future")),
    "a time that is not one": ("{mine},yesterday,26.9,106.9,no time,",
                               ("line 3", "visited_at", "not a time")),
    "no position": ("{mine},2026-06-01 10:00,,,nowhere,", ("line 3", "lat", "no position")),
}


@pytest.mark.parametrize("case", list(BAD_VISITS))
def test_a_bad_visit_is_refused_naming_the_row(paired: tuple[Path, list[int], str],
                                               tmp_path: Path, refuse: Refusal,
                                               case: str) -> None:
    db, households, _ = paired
    row, names = BAD_VISITS[case]
    bad = tmp_path / "bad.csv"
    bad.write_text("household_id,visited_at,lat,lon,done,next_step\n"
                   f"{households[0]},2026-06-01 09:00,26.9,106.9,ok,\n"
                   + row.format(mine=households[0], other=households[2]) + "\n",
                   encoding="utf-8")
    message = refuse(case, ["visits", "import", str(bad), "--db", str(db), "--as", "cadre_a"],
                     (str(bad), *names), db)
    assert "no visit recorded" in message


def test_a_visit_or_a_pair_by_the_wrong_person_is_refused(
        paired: tuple[Path, list[int], str], refuse: Refusal) -> None:
    db, households, _ = paired
    refuse("a visit as an auditor", ["visits", "log", str(households[0]), "--db", str(db),
                                     "--as", "auditor", "--at", "2026-06-01T09:00", "--lat",
                                     "26.9", "--lon", "106.9", "--done", "x"],
           ("auditor (auditor) may not log visits",), db)
    refuse("a pair by an officer of another county",
           ["officers", "pair", "cadre_a", str(households[2]), "--db", str(db), "--as",
            "other_county_officer"], ("may not pair cadres",), db)


def test_an_import_killed_at_any_write_keeps_all_visits_or_none(
        paired: tuple[Path, list[int], str], tmp_path: Path, crash_test: KillTest) -> None:
    db, _, _ = paired
    visits = tmp_path / "visits.csv"
    before, after, tried = crash_test(db, tmp_path, lambda target: [
        "visits", "import", str(visits), "--db", str(target), "--as", "cadre_a"],
        store_content)
    assert tried >= 1 and after != before
