"""Department feeds of the synthetic province: deterministic, faulty in the ways named,
and with a truth that says which person each record is."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from pypinyin import lazy_pinyin

from povertycloud.standard.ids import is_valid
from povertycloud.synth.feeds import FAULTS, FEEDS, write_feeds


@pytest.fixture(scope="module")
def feeds(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds") / "feeds"
    write_feeds(small_province, out, seed=5, fault_rate=0.5)
    return out


def linked(feeds: Path, small_province: Path, name: str) -> list[dict[str, object]]:
    """Each record with its truth and, when it has one, its person in the registry."""
    rows = duckdb.sql(f"""
SELECT r.*, t.person_id, t.fault, p.name AS true_name, p.id_number AS true_id,
  h.address AS true_address
FROM '{feeds / f"{name}.parquet"}' r JOIN '{feeds / "truth" / f"{name}_links.parquet"}' t
  USING (record_id)
LEFT JOIN '{small_province / "people.parquet"}' p USING (person_id)
LEFT JOIN '{small_province / "households.parquet"}' h USING (household_id)
ORDER BY record_id""").to_arrow_table().to_pylist()
    return rows


def test_feeds_are_deterministic(small_province: Path, feeds: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_feeds(small_province, again, seed=5, fault_rate=0.5)
    for feed in FEEDS:
        assert pq.read_table(again / f"{feed.name}.parquet").equals(
            pq.read_table(feeds / f"{feed.name}.parquet"))


@pytest.mark.parametrize("feed", [f.name for f in FEEDS])
def test_every_record_is_what_its_truth_says(feeds: Path, small_province: Path,
                                             feed: str) -> None:
    rows = linked(feeds, small_province, feed)
    assert rows
    seen = {r["fault"] for r in rows}
    if len(rows) > 100:
        assert seen == set(FAULTS)
    for r in rows:
        fault = r["fault"]
        if fault == "not_in_registry":
            assert r["person_id"] is None
            assert is_valid(str(r["id_number"]))
            continue
        assert r["person_id"] is not None
        same_id = r["id_number"] == r["true_id"]
        same_name = r["name"] == r["true_name"]
        if fault in ("none", "duplicate", "stale_address"):
            assert same_id and same_name, r
        elif fault == "missing_id":
            assert r["id_number"] is None and same_name
        elif fault == "transposed_id":
            assert sorted(str(r["id_number"])) == sorted(str(r["true_id"])) and same_name
        elif fault == "pinyin":
            assert same_id
            assert str(r["name"]).replace(" ", "").lower() == "".join(
                lazy_pinyin(str(r["true_name"])))
        elif fault in ("typo", "homophone"):
            assert same_id and len(str(r["name"])) == len(str(r["true_name"]))
            if fault == "homophone":  # character by character (names read out of context)
                assert [lazy_pinyin(c) for c in str(r["name"])] == [
                    lazy_pinyin(c) for c in str(r["true_name"])]


def test_duplicates_come_twice_and_deaths_are_of_the_dead(feeds: Path,
                                                          small_province: Path) -> None:
    rows = linked(feeds, small_province, "public_security_deaths")
    twice = [r for r in rows if r["fault"] == "duplicate"]
    assert twice and len(twice) % 2 == 0
    people = {r["person_id"] for r in twice}
    assert len(people) * 2 == len(twice)
    dead = duckdb.sql(f"SELECT person_id FROM '{small_province / 'people.parquet'}' "
                      "WHERE death_date IS NOT NULL").fetchall()
    assert {r["person_id"] for r in rows if r["person_id"] is not None} <= {d[0] for d in dead}


def test_the_fault_rate_is_respected(small_province: Path, tmp_path: Path) -> None:
    write_feeds(small_province, tmp_path / "clean", seed=5, fault_rate=0.0)
    faults = duckdb.sql(f"SELECT DISTINCT fault FROM '{tmp_path / 'clean' / 'truth'}/*.parquet'"
                        ).fetchall()
    assert faults == [("none",)]
