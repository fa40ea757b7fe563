"""Names compared by their pinyin: homophone characters and names written in Latin
letters read the same, and link without an ID number; different names do not."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from povertycloud.linkage.config import Column, LinkConfig, default_blocking, load_link_config
from povertycloud.linkage.link import link
from povertycloud.linkage.pinyin import pinyin_column, romanise
from povertycloud.rulefiles import RuleFileError

COLUMNS = (Column("id_number", "id_number", "id_number"), Column("name", "name", "name"),
           Column("birth_date", "birth_date", "date"), Column("address", "address", "address"))


@pytest.mark.parametrize("name", ["张伟", "张玮", "Zhang Wei", "zhang wei", "ZHANGWEI",
                                  "Zhang-Wei", "ＺＨＡＮＧ　ＷＥＩ", " 张 伟 "])
def test_spellings_of_one_name_read_alike(name: str) -> None:
    assert romanise(name) == "zhangwei"


@pytest.mark.parametrize(("name", "sound"), [
    ("单丽", "shanli"), ("Shan Li", "shanli"),  # a surname's own reading
    ("吕布", "lvbu"), ("Lü Bu", "lvbu"),
    ("阿卜杜·热合曼", "abodureheman"),  # the middle dot is not pronounced
    ("José", "jose"), ("Иван", "иван"),  # other scripts stay themselves
    ("李娜", "lina"), ("？？", None), ("", None), (None, None),
])
def test_readings(name: str | None, sound: str | None) -> None:
    assert romanise(name) == sound


def test_a_column_is_read_once_per_distinct_name() -> None:
    names = pa.chunked_array([["张伟", None, "Zhang Wei"], ["李娜", "张伟"]])
    assert pinyin_column(names).to_pylist() == ["zhangwei", None, "zhangwei", "lina",
                                                "zhangwei"]
    assert pinyin_column(pa.array([], pa.string())).to_pylist() == []


def test_default_blocking_is_on_the_pinyin() -> None:
    assert default_blocking(COLUMNS) == (("id_number",), ("birth_date",), ("name_pinyin",))


def test_configurations_may_block_on_the_pinyin(tmp_path: Path) -> None:
    text = ("left_key: a\nright_key: b\ncolumns:\n  - {column: name, kind: name}\n"
            "  - {column: birth_date, kind: date}\nblocking:\n  - [name_pinyin]\n")
    (tmp_path / "link.yaml").write_text(text, encoding="utf-8")
    assert load_link_config(tmp_path / "link.yaml").blocking == (("name_pinyin",),)
    clash = text.replace("kind: date}", "kind: date}\n  - {column: name_pinyin, kind: exact}")
    (tmp_path / "link.yaml").write_text(clash, encoding="utf-8")
    with pytest.raises(RuleFileError, match="under the same name"):
        load_link_config(tmp_path / "link.yaml")


@pytest.fixture(scope="module")
def registry(small_province: Path) -> pa.Table:
    return duckdb.sql(f"""SELECT p.person_id, p.id_number, p.name, p.birth_date, h.address
        FROM '{small_province / 'people.parquet'}' p
        JOIN '{small_province / 'households.parquet'}' h USING (household_id)
        ORDER BY p.person_id""").to_arrow_table()


HOMOPHONES = {"伟": "玮", "丽": "莉", "明": "鸣", "华": "桦", "军": "君", "英": "瑛",
              "芳": "方", "静": "婧", "平": "萍", "林": "琳", "兰": "岚", "文": "雯"}


def test_pinyin_and_homophones_link_without_an_id_number(registry: pa.Table) -> None:
    """A feed without ID numbers: 300 people of the registry as registered, one of
    them again in pinyin, again with a homophone character, and someone of another
    name with that person's birth date and address."""
    people = registry.to_pylist()
    person = next(p for p in people if len(p["name"]) == 3 and p["name"][2] in HOMOPHONES)
    name = person["name"]
    homophone = name[:2] + HOMOPHONES[name[2]]
    surname, sound = romanise(name[0]) or "", romanise(name) or ""
    in_pinyin = f"{surname} {sound[len(surname):]}".title()  # "Zhang Weiming"
    other = next(p["name"] for p in people if romanise(p["name"]) != romanise(name)
                 and p["name"][0] != name[0] and len(p["name"]) == 3)
    assert romanise(homophone) == romanise(in_pinyin) == romanise(name)
    records = [{**p, "id_number": None} for p in people[::16][:300] if p != person]
    records += [{**person, "id_number": None, "name": n} for n in (in_pinyin, homophone,
                                                                    other)]
    feed = pa.Table.from_pylist([{"record_id": i, **r} for i, r in enumerate(records)])
    config = LinkConfig(Path("feed"), "record_id", "person_id", COLUMNS, 0.9, 0.5,
                        default_blocking(COLUMNS))
    linked = link(feed.drop_columns(["person_id"]), registry, config)
    matches = {int(p["left_key"]): int(p["right_key"]) for p in linked.pairs.to_pylist()
               if p["decision"] == "match"}
    first = len(records) - 3
    assert matches.get(first) == person["person_id"], in_pinyin
    assert matches.get(first + 1) == person["person_id"], homophone
    assert first + 2 not in matches, other
    unchanged = range(first)
    assert sum(matches.get(i) == records[i]["person_id"] for i in unchanged) == first
