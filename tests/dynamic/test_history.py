"""The registry's history: versions with their valid time, the registry and the roll-ups
as of a date, a household's timeline, and the commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from povertycloud.cli.main import app
from povertycloud.dynamic.timeline import timeline
from povertycloud.errors import PovertyCloudError
from povertycloud.history import (
    households_as_of_sql,
    people_as_of_sql,
    supersede,
)
from povertycloud.intake import import_file
from povertycloud.registry.merge import merge
from povertycloud.reports.rollups import rollup
from povertycloud.store import Store

from .conftest import officers

MOVED = dt.date(2019, 6, 30)


def _move(store: Store, household: int, village: str, on: dt.date) -> None:
    supersede(store, "households", f"SELECT {household} AS household_id, "
              f"DATE '{on}' AS valid_to", "moved", "test")
    store.execute("UPDATE households SET village_code = ? WHERE household_id = ?",
                  [village, household])


def _two_villages(store: Store) -> tuple[int, str, str]:
    first, second = (str(r[0]) for r in store.execute(
        "SELECT code FROM regions WHERE level = 'village' ORDER BY code LIMIT 2").fetchall())
    row = store.execute("SELECT min(household_id) FROM households WHERE village_code = ?",
                        [first]).fetchone()
    assert row is not None
    return int(row[0]), first, second


def test_a_household_is_where_it_was_on_each_day(dyn_store: Store) -> None:
    s = dyn_store
    household, first, second = _two_villages(s)
    _move(s, household, second, MOVED)
    _move(s, household, first, dt.date(2020, 3, 1))  # and back
    village = {day: s.execute(f"SELECT village_code FROM ({households_as_of_sql(day)}) "
                              "WHERE household_id = ?", [household]).fetchone()
               for day in (dt.date(2019, 6, 29), MOVED, dt.date(2020, 2, 29),
                           dt.date(2020, 3, 1))}
    assert list(village.values()) == [(first,), (second,), (second,), (first,)]
    kept = s.execute("SELECT valid_from, valid_to, change FROM household_history "
                     "WHERE household_id = ? ORDER BY valid_to", [household]).fetchall()
    assert kept == [(None, MOVED, "moved"), (MOVED, dt.date(2020, 3, 1), "moved")]


def test_the_registry_as_of_a_date_has_the_status_held_then(dyn_store: Store) -> None:
    s = dyn_store
    household, status, since = s.execute(
        "SELECT household_id, status, effective_date FROM status_changes "
        "WHERE status = 'exited' ORDER BY household_id LIMIT 1").fetchone()  # type: ignore[misc]
    before = since - dt.timedelta(days=1)
    then = s.execute(f"SELECT registration_status FROM ({households_as_of_sql(before)}) "
                     "WHERE household_id = ?", [household]).fetchone()
    now = s.execute(f"SELECT registration_status FROM ({households_as_of_sql(since)}) "
                    "WHERE household_id = ?", [household]).fetchone()
    assert then == ("registered_poor",) and now == (status,)


def test_a_merged_person_stays_in_the_registry_of_the_days_before(dyn_store: Store) -> None:
    s = dyn_store
    keep, duplicate = (int(r[0]) for r in s.execute(
        "SELECT person_id FROM people WHERE death_date IS NULL ORDER BY person_id LIMIT 2"
    ).fetchall())
    merge(s, keep, duplicate, "tester")
    yesterday, today = dt.date.today() - dt.timedelta(days=1), dt.date.today()
    count = "SELECT count(*) FROM ({}) WHERE person_id = ?"
    assert s.execute(count.format(people_as_of_sql(yesterday)), [duplicate]
                     ).fetchone() == (1,)
    assert s.execute(count.format(people_as_of_sql(today)), [duplicate]).fetchone() == (0,)


def test_people_born_later_are_not_in_the_registry_of_earlier_days(dyn_store: Store) -> None:
    s = dyn_store
    born = s.execute("SELECT max(birth_date) FROM people").fetchone()[0]  # type: ignore[index]
    assert s.execute(f"SELECT count(*) FROM ({people_as_of_sql(born)}) WHERE birth_date "
                     f"= ?", [born]).fetchone() != (0,)
    assert s.execute(f"SELECT count(*) FROM ({people_as_of_sql(born - dt.timedelta(1))}) "
                     "WHERE birth_date = ?", [born]).fetchone() == (0,)


def test_roll_ups_place_households_where_they_were(dyn_store: Store) -> None:
    s = dyn_store
    household, first, second = _two_villages(s)
    counts = {v: r["households"] for r in rollup(s, dt.date(2020, 12, 31), "village")
              .to_pylist() for v in (first, second) if r["region_code"] == v}
    _move(s, household, second, dt.date(2020, 6, 1))
    earlier = {r["region_code"]: r["households"] for r in rollup(s, dt.date(2020, 5, 31),
                                                                 "village").to_pylist()}
    later = {r["region_code"]: r["households"] for r in rollup(s, dt.date(2020, 12, 31),
                                                               "village").to_pylist()}
    current = {r["region_code"]: r["households"] for r in rollup(s, None, "village")
               .to_pylist()}
    assert (earlier[first], earlier[second]) == (counts[first], counts[second])
    assert (later[first], later[second]) == (counts[first] - 1, counts[second] + 1)
    assert (current[first], current[second]) == (counts[first] - 1, counts[second] + 1)


def test_a_timeline_tells_the_households_story_newest_first(dyn_store: Store) -> None:
    s = dyn_store
    household, _, second = _two_villages(s)
    _move(s, household, second, MOVED)
    s.execute("INSERT INTO events SELECT max(event_id) + 1, ?, NULL, DATE '2020-05-01', "
              "'serious_illness', 5000, 1, now() FROM events", [household])
    entries = timeline(s, household)
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates, reverse=True)
    kinds = {e["kind"] for e in entries}
    assert {"survey", "household", "event"} <= kinds
    texts = " ".join(e["text"] for e in entries)
    assert "changed village_code (moved)" in texts
    assert "serious illness" not in texts and "hidden" not in texts  # left out, unmarked
    assert "serious illness" in " ".join(e["text"] for e in timeline(s, household, True))


def test_a_field_update_replaces_rows_and_keeps_their_past(dyn_store: Store,
                                                           tmp_path: Path) -> None:
    s = dyn_store
    people = s.execute("SELECT * EXCLUDE (batch_id, recorded_at) FROM people "
                       "ORDER BY person_id LIMIT 3").to_arrow_table().to_pylist()
    people[0]["in_school"] = not people[0]["in_school"]  # changed
    people[1]["education"] = "tertiary"  # changed
    path = tmp_path / "update.csv"
    s.execute("CREATE TEMP TABLE upd AS SELECT * FROM people LIMIT 0")
    columns = list(people[0])
    for row in people:
        s.execute(f"INSERT INTO upd ({', '.join(columns)}, batch_id, recorded_at) VALUES "
                  f"({', '.join('?' * len(columns))}, 0, now())", list(row.values()))
    s.execute(f"COPY (SELECT {', '.join(columns)} FROM upd) TO '{path}' (HEADER)")
    with pytest.raises(PovertyCloudError, match="already in the store"):
        import_file(s, "people", path)
    report = import_file(s, "people", path, update_from=dt.date(2021, 1, 1))
    assert (report.updated, report.accepted) == (2, 2)  # the unchanged row: nothing to do
    ids = [p["person_id"] for p in people]
    then = dict(s.execute(f"SELECT person_id, education FROM "
                          f"({people_as_of_sql(dt.date(2020, 12, 31))}) "
                          f"WHERE person_id IN ({ids[0]}, {ids[1]})").fetchall())
    now = dict(s.execute(f"SELECT person_id, education FROM people "
                         f"WHERE person_id IN ({ids[0]}, {ids[1]})").fetchall())
    assert now[ids[1]] == "tertiary" and then[ids[1]] != "tertiary"
    assert s.execute("SELECT count(*) FROM person_history WHERE valid_to = "
                     "DATE '2021-01-01'").fetchone() == (2,)
    with pytest.raises(PovertyCloudError, match="only households and people"):
        import_file(s, "events", path, update_from=dt.date(2021, 1, 1))
    people[0]["in_school"] = not people[0]["in_school"]  # back, but dated before 2021
    s.execute("DELETE FROM upd")
    s.execute(f"INSERT INTO upd ({', '.join(columns)}, batch_id, recorded_at) VALUES "
              f"({', '.join('?' * len(columns))}, 0, now())", list(people[0].values()))
    again = tmp_path / "again.csv"
    s.execute(f"COPY (SELECT {', '.join(columns)} FROM upd) TO '{again}' (HEADER)")
    with pytest.raises(PovertyCloudError, match="older than its current version"):
        import_file(s, "people", again, update_from=dt.date(2020, 6, 1))


def test_an_update_may_not_change_a_households_status(dyn_store: Store,
                                                      tmp_path: Path) -> None:
    s = dyn_store
    path = tmp_path / "households.csv"
    s.execute(f"COPY (SELECT * EXCLUDE (batch_id, recorded_at) REPLACE "
              f"('exited' AS registration_status, 'new address' AS address) FROM households "
              f"WHERE registration_status = 'not_registered' LIMIT 1) TO '{path}' (HEADER)")
    with pytest.raises(PovertyCloudError) as refused:
        import_file(s, "households", path, update_from=dt.date(2021, 1, 1))
    assert "registration_status" in str(refused.value) and "through a proposal" in str(
        refused.value)
    assert s.execute("SELECT count(*) FROM household_history").fetchone() == (0,)


def test_the_commands(dyn_store: Store, tmp_path: Path) -> None:
    path = dyn_store.target
    village = str(dyn_store.execute("SELECT min(code) FROM regions WHERE level = "
                                    "'village'").fetchone()[0])  # type: ignore[index]
    officers(dyn_store, village)
    dyn_store.close()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "--db", str(path)])
        assert result.exit_code == 0, result.output
        return result.output

    assert "dry run: nothing proposed" in run("reevaluate", "--dry-run")
    assert "proposals" in run("reevaluate", "--as-of", "2021-12-31")
    with Store(path) as store:
        pid, household = store.execute(
            "SELECT proposal_id, household_id FROM proposals WHERE region_code = ? "
            "ORDER BY 1 LIMIT 1", [village]).fetchone()  # type: ignore[misc]
    assert f"{pid}" in run("workflow", "inbox", "--as", "field")
    assert "next appraisal" in run("workflow", "step", str(pid), "consent", "--as", "field")
    refused = runner.invoke(app, ["workflow", "step", "--db", str(path), str(pid), "notice",
                                  "--as", "village"])
    assert refused.exit_code != 0 and "step out of order" in str(refused.exception)
    assert "consent done by field" in run("workflow", "show", str(pid))
    assert "proposed:" in run("history", "household", str(household))
    out = tmp_path / "then.csv"
    assert "as of 2018-01-01" in run("history", "as-of", "2018-01-01", "--out", str(out))
    assert out.read_text(encoding="utf-8").startswith("household_id,")
    assert "Roll-up" in run("rollup", "--level", "county")
