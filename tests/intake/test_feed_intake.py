"""Intake of other departments' batches: the source registry, encodings and formats,
quarantine, duplicates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from povertycloud.errors import PovertyCloudError, ValidationFailed
from povertycloud.feeds.sources import load_sources
from povertycloud.intake import import_file
from povertycloud.rulefiles import RuleFileError
from povertycloud.store import Store
from povertycloud.synth.feeds import FEEDS, write_feeds

SOURCE = "public_security_deaths"


@pytest.fixture(scope="module")
def deaths(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds")
    write_feeds(small_province, out, seed=4)
    return out / f"{SOURCE}.parquet"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "store.duckdb")


def rows_of(store: Store) -> list[tuple[object, ...]]:
    return store.execute(f"SELECT * EXCLUDE (batch_id, recorded_at) FROM feed_{SOURCE} "
                         "ORDER BY record_id").fetchall()


def test_the_shipped_registry_describes_each_feed() -> None:
    sources = load_sources()
    assert set(sources) == {f.name for f in FEEDS}  # the synthetic province sends each
    assert {s.id: s.signal.event for s in sources.values() if s.signal} == {
        "public_security_deaths": "death", "public_security_births": "birth",
        "medical_insurance_claims": "serious_illness", "disaster_reports": "disaster"}
    deaths = sources[SOURCE]
    assert (deaths.schema_version, deaths.frequency) == (1, "monthly")
    assert deaths.table.name == "feed_public_security_deaths"
    assert deaths.table.primary_key == ("record_id",)


@pytest.mark.parametrize("kind", ["parquet", "csv-utf8", "csv-gbk", "json"])
def test_the_same_rows_in_every_format_and_encoding(deaths: Path, store: Store,
                                                    tmp_path: Path, kind: str) -> None:
    table = pq.read_table(deaths)
    path = deaths
    if kind.startswith("csv"):
        path = tmp_path / "deaths.csv"
        pacsv.write_csv(table, path)
        if kind == "csv-gbk":
            path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    elif kind == "json":
        path = tmp_path / "deaths.json"
        path.write_text(json.dumps([{k: (str(v) if v is not None else None)
                                     for k, v in r.items()} for r in table.to_pylist()],
                                   ensure_ascii=False), encoding="utf-8")
    report = import_file(store, load_sources()[SOURCE].table, path)
    assert report.accepted == table.num_rows and report.quarantined == 0
    stored = rows_of(store)
    assert [r[1] for r in stored] == table.column("name").to_pylist()
    again = import_file(store, load_sources()[SOURCE].table, path)
    assert again.duplicate_of == report.batch_id and rows_of(store) == stored


def test_mixed_encodings_are_refused_and_nothing_is_kept(store: Store, tmp_path: Path
                                                         ) -> None:
    path = tmp_path / "mixed.csv"
    header = "record_id,name,death_date\n"
    path.write_bytes(header.encode() + "1,张三,2020-01-02\n".encode()
                     + "2,李四,2020-01-03\n".encode("gbk"))
    with pytest.raises(PovertyCloudError, match="mixed encodings: line 2 is UTF-8, line 3 is GBK"):
        import_file(store, load_sources()[SOURCE].table, path)
    assert store.execute("SELECT count(*) FROM batches").fetchone() == (0,)


def test_bad_rows_are_quarantined_with_their_reasons(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("record_id,name,death_date\n1,张三,2020-01-02\n2,,2020-13-01\n",
                    encoding="utf-8")
    table = load_sources()[SOURCE].table
    with pytest.raises(ValidationFailed):
        import_file(store, table, path)
    assert not store.has_table(table.name)  # nothing kept, not even an empty table
    report = import_file(store, table, path, keep_good=True)
    assert (report.accepted, report.quarantined) == (1, 1)
    [(row, problems)] = store.execute("SELECT row_number, problems FROM quarantine"
                                      ).fetchall()
    assert row == 3 and "name" in problems and "death_date" in problems


def test_a_file_of_another_source_names_its_columns(deaths: Path, store: Store) -> None:
    with pytest.raises(PovertyCloudError, match="unknown column"):
        import_file(store, load_sources()["transport_vehicles"].table, deaths)


def test_a_bad_registry_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("id: s\nversion: 1\neffective: 2026-01-01\nsources:\n"
                    "  - source: x\n    department: d\n    table: t\n    schema_version: 1\n"
                    "    frequency: hourly\n    owner: o\n    key: k\n    fields: []\n",
                    encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"line 5, .*frequency must be one of"):
        load_sources(path)


@pytest.mark.parametrize(("tail", "message"), [
    (b'99,"abc"', "cut.csv, line 3: 2 values, but the header (line 1) has 3 columns"),
    ("99,张".encode()[:-1], "the file ends inside a character: truncated?"),
])
def test_a_truncated_file_is_refused(store: Store, tmp_path: Path, tail: bytes,
                                     message: str) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("record_id,name,death_date\n1,张三,2020-01-02\n".encode() + tail)
    with pytest.raises(PovertyCloudError, match=re.escape(message)):
        import_file(store, load_sources()[SOURCE].table, path)
    assert store.execute("SELECT count(*) FROM batches").fetchone() == (0,)


def test_quarantined_rows_are_fixed_and_taken_in_again(store: Store, tmp_path: Path
                                                       ) -> None:
    from povertycloud.intake.quarantine import export_quarantine, reprocess

    path = tmp_path / "deaths.csv"
    path.write_text("record_id,name,death_date\n1,张三,2020-01-02\n2,,2020-13-01\n"
                    "3,李四,2020-02-30\n", encoding="utf-8")
    first = import_file(store, load_sources()[SOURCE].table, path, keep_good=True)
    assert (first.accepted, first.quarantined) == (1, 2)
    fix = tmp_path / "fix.csv"
    listed = export_quarantine(store, first.batch_id or 0, fix)
    assert [(here, original) for here, original, _ in listed] == [(2, 3), (3, 4)]
    text = fix.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith('"record_id","name"')
    fixed = text.replace('"2",,,,,"2020-13-01"', '"2","王五",,,,"2020-12-01"')
    fix.write_text(fixed, encoding="utf-8")  # row 3 stays wrong
    second = reprocess(store, first.batch_id or 0, fix)
    assert (second.accepted, second.quarantined) == (1, 1)
    assert [r[0] for r in rows_of(store)] == [1, 2]
    left = store.execute("SELECT batch_id, row_number, resolved_by FROM quarantine "
                         "ORDER BY batch_id, row_number").fetchall()
    assert left == [(first.batch_id, 3, second.batch_id), (first.batch_id, 4, None),
                    (second.batch_id, 3, None)]


def test_reprocess_killed_at_any_write_leaves_the_quarantine_as_it_was(
        store: Store, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """Killed before each of its writes in turn, `quarantine reprocess` leaves the store
    as it was (the quarantine still to fix), and a re-run takes the rows in and resolves
    them (before, a kill between its two transactions lost the quarantine for good)."""
    from povertycloud.intake.quarantine import export_quarantine

    path = tmp_path / "deaths.csv"
    path.write_text("record_id,name,death_date\n1,张三,2020-01-02\n2,,2020-13-01\n",
                    encoding="utf-8")
    first = import_file(store, load_sources()[SOURCE].table, path, keep_good=True)
    fix = tmp_path / "fix.csv"
    export_quarantine(store, first.batch_id or 0, fix)
    fix.write_text(fix.read_text("utf-8").replace('"2",,,,,"2020-13-01"',
                                                  '"2","王五",,,,"2020-12-01"'), "utf-8")
    store.close()

    def state(db: Path) -> tuple[object, ...]:
        with Store(db, read_only=True) as s:
            return (s.rows(f"SELECT record_id FROM feed_{SOURCE} ORDER BY 1"),
                    s.rows("SELECT batch_id, row_number, resolved_by FROM quarantine "
                           "ORDER BY 1, 2"), s.count("batches"))

    _, after, writes = crash_test(
        store.path, tmp_path, lambda db: ["quarantine", "reprocess", "--db", str(db),
                                          "--batch", str(first.batch_id), str(fix)], state)
    assert after[0] == [(1,), (2,)] and after[1][0][2] is not None  # taken in, resolved
    assert writes > 3


@pytest.mark.parametrize("case", ["a missing file", "a file of another source"])
def test_a_refused_intake_leaves_the_store_as_it_was(
        deaths: Path, store: Store, tmp_path: Path, refuse: Callable[..., str],
        case: str) -> None:
    """No new feed table either (before, `intake` created feed_<source> first)."""
    source, path = {"a missing file": (SOURCE, tmp_path / "none.csv"),
                    "a file of another source": ("transport_vehicles", deaths)}[case]
    store.close()
    refuse(case, ["intake", "--db", str(store.path), "--source", source, str(path)],
           names=(str(path),), db=store.path)


def test_intake_killed_at_any_write_leaves_the_store_as_it_was(
        deaths: Path, store: Store, tmp_path: Path,
        crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """Killed at its first write (the feed's new table) and at its commit (one
    transaction), `intake` leaves the store as it was; run again, it takes the batch
    in."""
    from tests.conftest import store_content

    store.close()
    _, after, writes = crash_test(
        store.path, tmp_path, lambda db: ["intake", "--db", str(db), "--source", SOURCE,
                                          str(deaths)], store_content, sample=2)
    assert f"feed_{SOURCE}" in after and writes > 3
