"""Corrections and re-runs: a department corrects a feed by sending the records again
(a changed record replaces the stored one, its past kept in feed_history; an identical
one is counted unchanged), a quarantine fixed in two rounds leaves nothing stale, and
`import --update` says how many rows were unchanged."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povertycloud.feeds.sources import load_sources
from povertycloud.intake import import_file
from povertycloud.intake.quarantine import export_quarantine, reprocess
from povertycloud.store import Store

from ..conftest import CLI

SOURCE = "public_security_deaths"
DEATHS = load_sources()[SOURCE].table
Row = dict[str, str]


def _deaths(path: Path, rows: list[Row]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=DEATHS.names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _death(record_id: int, name: str = "王五", death_date: str = "2020-03-01") -> Row:
    return {"record_id": str(record_id), "name": name, "id_number": "", "sex": "",
            "birth_date": "", "death_date": death_date, "address": ""}


BATCH = [_death(i, f"王{i}") for i in range(1, 21)]
CORRECTED = [_death(3, "李三"), _death(7, "王7", "2020-04-02")]


def _resent(tmp_path: Path) -> Path:
    """The batch sent again, records 3 and 7 corrected."""
    fixed = {int(r["record_id"]): r for r in CORRECTED}
    return _deaths(tmp_path / "resent.csv", [fixed.get(int(r["record_id"]), r) for r in BATCH])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store.duckdb")
    import_file(store, DEATHS, _deaths(tmp_path / "deaths.csv", BATCH))
    return store


def _stored(store: Store) -> dict[int, tuple[Any, ...]]:
    return {int(r[0]): r[1:] for r in store.rows(
        f"SELECT record_id, name, CAST(death_date AS VARCHAR), batch_id FROM feed_{SOURCE}")}


@pytest.mark.parametrize("keep_good", [False, True])
def test_a_corrected_record_replaces_the_stored_one(store: Store, tmp_path: Path,
                                                    keep_good: bool) -> None:
    before = _stored(store)
    report = import_file(store, DEATHS, _resent(tmp_path), keep_good=keep_good)
    assert (report.rows_in, report.accepted, report.updated, report.unchanged,
            report.quarantined) == (20, 2, 2, 18, 0)
    after = _stored(store)
    assert after[3] == ("李三", "2020-03-01", report.batch_id)
    assert after[7] == ("王7", "2020-04-02", report.batch_id)
    assert {k: v for k, v in after.items() if k not in (3, 7)} == {
        k: v for k, v in before.items() if k not in (3, 7)}
    kept = store.rows("SELECT table_name, record_key, record, batch_id, superseded_by "
                      "FROM feed_history ORDER BY record_key")
    assert [(t, k, b, s) for t, k, _, b, s in kept] == [
        (DEATHS.name, "3", 1, report.batch_id), (DEATHS.name, "7", 1, report.batch_id)]
    assert json.loads(kept[0][2])["name"] == "王3"
    assert json.loads(kept[1][2])["death_date"] == "2020-03-01"
    assert store.count("quarantine") == 0


def test_the_same_records_again_are_unchanged(store: Store, tmp_path: Path) -> None:
    again = _deaths(tmp_path / "again.csv", BATCH[::-1])  # another file, the same records
    report = import_file(store, DEATHS, again)
    assert (report.rows_in, report.accepted, report.unchanged) == (20, 0, 20)
    assert store.count("feed_history") == 0 and store.count(f"feed_{SOURCE}") == 20


def test_the_report_line_says_corrected_and_unchanged(store: Store, tmp_path: Path) -> None:
    store.close()
    done = subprocess.run([str(CLI), "intake", "--source", SOURCE, str(_resent(tmp_path)),
                           "--db", str(store.path)], capture_output=True, text=True,
                          check=True)
    assert "Batch 2: 20 rows in, 2 accepted (2 corrected), 18 unchanged, 0 quarantined" \
        in done.stdout


def test_a_correction_killed_at_any_write_is_all_or_nothing(
        store: Store, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    store.close()
    resent = _resent(tmp_path)

    def state(db: Path) -> tuple[object, ...]:
        with Store(db, read_only=True) as s:
            return (sorted(_stored(s).items()), s.count("feed_history"), s.count("batches"))

    _, after, _ = crash_test(store.path, tmp_path,
                             lambda db: ["intake", "--source", SOURCE, str(resent),
                                         "--db", str(db)], state)
    assert after[1] == 2  # the two records before their correction kept


def test_a_fix_in_two_rounds_leaves_no_stale_rows(tmp_path: Path) -> None:
    """Round 1 fixes two of four quarantined rows (the next batch holds the two still
    bad), round 2 fixes those against that batch: nothing is left to fix in either."""
    with Store.create(tmp_path / "store.duckdb") as store:
        rows = [_death(1), _death(2)] + [_death(i, name="") for i in range(3, 7)]
        first = import_file(store, DEATHS, _deaths(tmp_path / "d.csv", rows), keep_good=True)
        assert (first.accepted, first.quarantined) == (2, 4)
        second = _fix(store, first.batch_id or 0, tmp_path / "round1.csv", fix=(3, 4))
        assert (second.accepted, second.quarantined) == (2, 2)
        third = _fix(store, second.batch_id or 0, tmp_path / "round2.csv", fix=(5, 6))
        assert (third.accepted, third.quarantined) == (2, 0)
        assert store.rows("SELECT batch_id, json_extract_string(record, 'record_id'), "
                          "resolved_by FROM quarantine ORDER BY 1, 2") == [
            (first.batch_id, "3", second.batch_id), (first.batch_id, "4", second.batch_id),
            (first.batch_id, "5", third.batch_id), (first.batch_id, "6", third.batch_id),
            (second.batch_id, "5", third.batch_id), (second.batch_id, "6", third.batch_id)]
        assert store.count(f"feed_{SOURCE}") == 6


def _fix(store: Store, batch_id: int, path: Path, fix: tuple[int, ...]) -> Any:
    """Export the batch's quarantine, give a name to the records ``fix``, reprocess."""
    export_quarantine(store, batch_id, path)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if int(r["record_id"]) in fix:
            r["name"] = "赵六"
    return reprocess(store, batch_id, _deaths(path, rows))
