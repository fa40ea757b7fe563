"""Bad link configurations and tables are refused before anything runs, on one line
naming the file, the key or column and what to do."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from tests.conftest import Refusal

GOOD = """\
left_key: rec_id
right_key: rec_id
columns:
  - {column: name, kind: name}
  - {column: born, kind: date}
"""


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    """Two CSV files of 40 people each, birth dates written as 19900102."""
    names = [a + b for a in "赵钱孙李周吴郑王" for b in "一二三四五"]
    rows = pa.table({"rec_id": list(range(40)), "name": names,
                     "born": [f"19{50 + i}0{1 + i % 9}1{i % 9}" for i in range(40)],
                     "id_number": [None] * 40})
    pacsv.write_csv(rows, tmp_path / "a.csv")
    pacsv.write_csv(rows, tmp_path / "b.csv")
    return tmp_path


def link_args(folder: Path, config: str) -> list[str]:
    (folder / "link.yaml").write_text(config, encoding="utf-8")
    return ["link", str(folder / "a.csv"), str(folder / "b.csv"), "--config",
            str(folder / "link.yaml"), "--out", str(folder / "pairs.csv")]


@pytest.mark.parametrize(("case", "config", "names"), [
    ("a misspelt key in a link configuration",
     GOOD + "bogus_key: 1\n", ("link.yaml", "line 1", "unknown key 'bogus_key'")),
    ("a misspelt key of a compared column",
     GOOD.replace("kind: date}", "kind: date, fromat: '%Y'}"),
     ("link.yaml", "line 5", "column born", "unknown key 'fromat'", "did you mean 'format'")),
    ("a link configuration with one compared column",
     "left_key: rec_id\nright_key: rec_id\ncolumns:\n  - {column: name, kind: name}\n",
     ("link.yaml", "at least 2 compared columns", "probabilistic: false")),
    ("a link configuration with no compared columns",
     "left_key: rec_id\nright_key: rec_id\ncolumns: []\nprobabilistic: false\n",
     ("link.yaml", "no columns to compare")),
    ("a margin outside 0 and 1", GOOD + "margin: 1.5\n", ("link.yaml", "'margin'", "1.5")),
    ("a registry without household or village columns", GOOD + "registry: {}\n",
     ("link.yaml", "registry", "household")),
])
def test_bad_configurations(refuse: Refusal, tables: Path, case: str, config: str,
                            names: tuple[str, ...]) -> None:
    refuse(case, link_args(tables, config), names=names)
    assert not (tables / "pairs.csv").exists()


def test_a_text_date_without_its_format(refuse: Refusal, tables: Path) -> None:
    """Was: Splink's 'Binder Error: ... epoch(VARCHAR)' traceback."""
    refuse("a CSV date column without format", link_args(tables, GOOD),
           names=("a.csv", "column born", "row 1", "'19500110'", "format"))


def test_too_few_records_to_train(refuse: Refusal, tables: Path) -> None:
    for side in ("a.csv", "b.csv"):
        pacsv.write_csv(pacsv.read_csv(tables / side).slice(0, 20), tables / side)
    config = GOOD.replace("kind: date}", 'kind: date, format: "%Y%m%d"}')
    refuse("too few records to train a model", link_args(tables, config),
           names=("link.yaml", "at least 1,000 pairs", "20 x 20 = 400",
                  "probabilistic: false"))


def test_one_to_one_where_the_right_repeats_a_person(refuse: Refusal, tables: Path) -> None:
    people = pa.table({"rec_id": [1, 2], "name": ["张三", "张叁"], "born": ["1990-01-02"] * 2,
                       "id_number": ["11010519491231002X"] * 2})
    pacsv.write_csv(people, tables / "a.csv")
    pacsv.write_csv(people, tables / "b.csv")
    config = GOOD + "  - {column: id_number, kind: id_number}\none_to_one: true\n"
    refuse("one_to_one where the right table repeats a person", link_args(tables, config),
           names=("b.csv", "right records 1 and 2", "one_to_one"))


def test_without_a_model_records_link_on_exact_agreement(tables: Path) -> None:
    from povertycloud.linkage.config import load_link_config
    from povertycloud.linkage.link import link, read_table

    (tables / "link.yaml").write_text(GOOD.replace("kind: date}", "kind: date, format: "
                                                   '"%Y%m%d"}') + "probabilistic: false\n",
                                      encoding="utf-8")
    linked = link(read_table(tables / "a.csv"), read_table(tables / "b.csv"),
                  load_link_config(tables / "link.yaml"))
    pairs = linked.pairs.to_pylist()
    assert len(pairs) == 40 and all(p["left_key"] == p["right_key"] for p in pairs)
    assert {p["matched_on"] for p in pairs} == {"exact"}
