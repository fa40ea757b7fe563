"""Blocking that would compare too many pairs is refused before anything is compared,
and the default blocking leaves out exact columns of few values (sex, a county code)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import Refusal

from povertycloud.linkage.blocking import TooManyPairs
from povertycloud.linkage.config import load_link_config
from povertycloud.linkage.link import link

CONFIG = """\
left_key: rec_id
right_key: person_id
columns:
  - {column: name, kind: name}
  - {column: birth_date, kind: date}
  - {column: sex, kind: exact}
  - {column: county, kind: exact}
max_candidate_pairs: 20000
"""


def _people(n: int, seed: int) -> pa.Table:
    """``n`` people with distinct three-character names and spread birth dates, of two
    sexes in five counties."""
    rng = random.Random(seed)
    names = ["".join(p) for p in itertools.product("王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋",
                                                   "勇艳杰娟涛明超秀霞平")]
    chosen = rng.sample(names, n)
    return pa.table({
        "name": chosen,
        "birth_date": [dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
                       for _ in chosen],
        "sex": [rng.choice("12") for _ in chosen],
        "county": [f"52012{rng.randrange(5)}" for _ in chosen]})


@pytest.fixture
def tables(tmp_path: Path) -> tuple[pa.Table, pa.Table]:
    """300 registry people and a feed of 200 of them (60,000 pairs in all; about
    30,000 of one sex)."""
    registry = _people(300, 1)
    registry = registry.append_column("person_id", pa.array(range(300)))
    feed = registry.slice(0, 200).drop_columns(["person_id"])
    feed = feed.append_column("rec_id", pa.array(range(1000, 1200)))
    (tmp_path / "link.yaml").write_text(CONFIG, encoding="utf-8")
    return feed, registry


def test_the_default_blocking_leaves_out_columns_of_few_values(
        tables: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    linked = link(*tables, load_link_config(tmp_path / "link.yaml"))
    assert linked.candidates < 20_000  # not every pair of one sex (about 30,000)
    matched = {(p["left_key"], p["right_key"]) for p in linked.pairs.to_pylist()
               if p["decision"] == "match"}
    assert len(matched) >= 190


def test_blocking_over_the_limit_is_refused_naming_the_group(
        tables: tuple[pa.Table, pa.Table], tmp_path: Path, refuse: Refusal) -> None:
    (tmp_path / "link.yaml").write_text(CONFIG + "blocking:\n  - [birth_date]\n  - [sex]\n",
                                        encoding="utf-8")
    pq.write_table(tables[0], tmp_path / "feed.parquet")
    pq.write_table(tables[1], tmp_path / "registry.parquet")
    message = refuse("blocking making more candidate pairs than max_candidate_pairs",
                     ["link", str(tmp_path / "feed.parquet"),
                      str(tmp_path / "registry.parquet"), "--config",
                      str(tmp_path / "link.yaml"), "--out", str(tmp_path / "pairs.csv")],
                     names=("link.yaml", "blocking on sex", "max_candidate_pairs 20,000"))
    assert not (tmp_path / "pairs.csv").exists()
    assert "blocking on birth_date " not in message


def test_no_blocking_groups_over_the_limit_is_refused(
        tables: tuple[pa.Table, pa.Table], tmp_path: Path) -> None:
    (tmp_path / "link.yaml").write_text(
        "left_key: rec_id\nright_key: person_id\ncolumns:\n"
        "  - {column: county, kind: address}\n  - {column: sex, kind: address}\n"
        "max_candidate_pairs: 20000\n",
        encoding="utf-8")
    with pytest.raises(TooManyPairs, match="without blocking groups all 60,000 pairs"):
        link(*tables, load_link_config(tmp_path / "link.yaml"))
