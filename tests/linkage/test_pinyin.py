"""Names compared by their pinyin: homophone characters and names written in Latin
letters, in either order, read the same, and link without an ID number; different names
do not. Compound surnames and minority names with a middle dot read as they sound."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from povertycloud.linkage.blocking import TooManyPairs
from povertycloud.linkage.config import Column, LinkConfig, default_blocking, load_link_config
from povertycloud.linkage.link import link
from povertycloud.linkage.pinyin import (
    COMPOUND_SURNAMES,
    MIDDLE_DOTS,
    SURNAME_SOUNDS,
    SURNAMES,
    pinyin_columns,
    readings,
    romanise,
)
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


def same_pinyin(a: str, b: str) -> bool:
    """As the comparison's "same pinyin" level: one reading of each side alike."""
    (one, other), (one_b, other_b) = readings(a), readings(b)
    return one is not None and one_b is not None and (
        one in (one_b, other_b) or other == one_b)


@pytest.mark.parametrize("western", ["Jinghua Lin", "JINGHUA LIN", "jinghua lin",
                                     "Jing-Hua Lin", "Jing Hua Lin", "Jinghua LIN",
                                     "LIN Jinghua", "Lin, Jinghua", "Lin Jinghua"])
def test_names_in_either_order_read_alike(western: str) -> None:
    assert same_pinyin(western, "林静华")
    assert same_pinyin(western, "Lin Jinghua")


@pytest.mark.parametrize(("name", "alike", "unlike"), [
    ("Wei Zhang", ["张伟", "魏章", "Zhang Wei"], ["魏章明", "Zhang Weiming"]),
    ("Wei ZHANG", ["张伟", "Zhang Wei"], ["魏章"]),  # capitals mark the surname
    ("Li Na", ["李娜"], ["那丽"]),  # Na is none of the 300 commonest surnames
    ("张伟", ["Zhang Wei", "Wei Zhang", "ZHANGWEI"], ["魏章", "WEIZHANG"]),  # characters
    ("Ayiguli Maimaiti", ["阿依古丽·买买提"], ["Maimaiti Ayiguli"]),  # not a surname
])
def test_only_latin_names_of_unknown_order_read_both_ways(
        name: str, alike: list[str], unlike: list[str]) -> None:
    assert all(same_pinyin(name, a) for a in alike), alike
    assert not any(same_pinyin(name, u) for u in unlike), unlike


@pytest.mark.parametrize(("name", "sound", "latin"), [
    ("欧阳修", "ouyangxiu", ["Xiu Ouyang", "Xiu Ou Yang", "OUYANG Xiu"]),
    ("司马光", "simaguang", ["Guang Sima"]), ("诸葛亮", "zhugeliang", ["Liang Zhuge"]),
    ("尉迟恭", "yuchigong", ["Gong Yuchi"]), ("万俟卨", "moqixie", ["Xie Moqi"]),
    ("单于丽", "chanyuli", ["Li Chanyu"]), ("长孙无忌", "zhangsunwuji", ["Wuji Zhangsun"]),
    ("澹台灭明", "tantaimieming", ["Mieming Tantai"]),
    ("上官婉儿", "shangguanwaner", ["Waner Shangguan"]),
])
def test_compound_surnames_read_as_surnames_in_either_order(name: str, sound: str,
                                                           latin: list[str]) -> None:
    assert romanise(name) == sound
    assert all(same_pinyin(n, name) for n in latin), latin


@pytest.mark.parametrize("dot", ["·", "•", "‧", "・", "･", ".", " ", "∙", "．", ""])
def test_minority_names_read_alike_with_any_middle_dot(dot: str) -> None:
    for name in (f"阿依古丽{dot}买买提", f"Ayiguli{dot}Maimaiti", f"AYIGULI{dot}MAIMAITI"):
        assert readings(name) == ("ayigulimaimaiti", None), name


def test_a_transliterated_name_has_no_chinese_surname() -> None:
    """查 of Charles is Cha, not the surname Zha."""
    assert {romanise(f"查尔斯{dot}狄更斯") for dot in MIDDLE_DOTS} == {"chaersidigengsi"}
    assert romanise("查尔") == "zhaer"


def test_the_surnames_read_as_in_the_list_of_surnames() -> None:
    """Each of the 300 commonest surnames reads as its pinyin without tones, and those
    are the Latin words taken for surnames."""
    text = resources.files("povertycloud.synth").joinpath("data", "surnames.tsv")
    rows = list(csv.DictReader(text.read_text("utf-8").splitlines(), delimiter="\t"))
    plain = {r["surname"]: "".join(c for c in unicodedata.normalize(
        "NFD", r["pinyin"]).replace("u\u0308", "v") if c.isascii()) for r in rows}
    assert {s: romanise(s) for s in plain} == plain
    assert set(plain.values()) | set(COMPOUND_SURNAMES.values()) == SURNAME_SOUNDS


def test_a_column_is_read_once_per_distinct_name() -> None:
    names = pa.chunked_array([["张伟", None, "Jinghua Lin"], ["李娜", "张伟"]])
    sound, swapped = pinyin_columns(names)
    assert sound.to_pylist() == ["zhangwei", None, "linjinghua", "lina", "zhangwei"]
    assert swapped.to_pylist() == [None, None, "jinghualin", None, None]
    assert [c.to_pylist() for c in pinyin_columns(pa.array([], pa.string()))] == [[], []]


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


def test_pairs_of_names_in_the_other_order_count_toward_the_limit() -> None:
    """100 "Wei Zhang" and 100 张伟 meet only in the other order: 10,000 pairs."""
    left = pa.table({"record_id": range(100), "name": ["Wei Zhang"] * 100,
                     "birth_date": [dt.date(1980, 1, 1)] * 100})
    right = pa.table({"person_id": range(100), "name": ["张伟"] * 100,
                      "birth_date": [dt.date(1990, 1, 1)] * 100})
    config = LinkConfig(Path("link.yaml"), "record_id", "person_id", COLUMNS[1:3], 0.9, 0.5,
                        (("name_pinyin",),), max_candidate_pairs=5_000)
    with pytest.raises(TooManyPairs, match="blocking on name_pinyin makes about 10,000 "):
        link(left, right, config)


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


def in_western_order(name: str) -> str:
    """A name in characters written in pinyin, given name first: 林静华 "Jinghua Lin"."""
    surname, sound = romanise(name[0]) or "", romanise(name) or ""
    return f"{sound[len(surname):]} {surname}".title()


def test_names_in_western_order_link_to_the_right_person(registry: pa.Table) -> None:
    """A feed without ID numbers: 300 people of the registry as registered, and in
    Western order: a person of a three-character name ("Jinghua Lin"), one of two
    characters both read as surnames ("Wei Zhang" of 张伟), someone added to the
    registry under that name turned round (魏章) also in Western order ("Zhang Wei"),
    and someone outside the registry called "Wei Zhang": each goes to the right person
    or to nobody. They give only their name and birth date (which alone is not enough)."""
    people = registry.to_pylist()
    three = next(p for p in people if len(p["name"]) == 3)
    two = next(p for p in people if len(p["name"]) == 2 and p["name"][0] not in SURNAMES
               and romanise(p["name"][1]) in SURNAME_SOUNDS
               and any(romanise(q["name"][0]) == romanise(p["name"][1]) for q in people))
    other_surname = next(q["name"][0] for q in people
                         if romanise(q["name"][0]) == romanise(two["name"][1]))
    turned = {"person_id": max(p["person_id"] for p in people) + 1, "id_number": None,
              "name": other_surname + two["name"][0],  # 魏章 for 张伟
              "birth_date": dt.date(1955, 3, 3), "address": "另一个镇红星村1组8号"}
    records = [{**p, "id_number": None} for p in people[::16][:300]
               if p not in (three, two)]
    outsider = {"person_id": None, "birth_date": dt.date(1961, 5, 4)}
    records += [{**p, "id_number": None, "address": None, "name": in_western_order(n)}
                for p, n in ((three, three["name"]), (two, two["name"]),
                             (turned, turned["name"]), (outsider, two["name"]))]
    feed = pa.Table.from_pylist([{"record_id": i, **r} for i, r in enumerate(records)])
    config = LinkConfig(Path("feed"), "record_id", "person_id", COLUMNS, 0.9, 0.5,
                        default_blocking(COLUMNS))
    linked = link(feed.drop_columns(["person_id"]),
                  pa.concat_tables([registry, pa.Table.from_pylist([turned],
                                                                   registry.schema)]), config)
    matches: dict[int, set[int]] = {}
    for p in linked.pairs.to_pylist():
        if p["decision"] == "match":
            matches.setdefault(int(p["left_key"]), set()).add(int(p["right_key"]))
    first = len(records) - 4
    names = [r["name"] for r in records[first:]]
    assert matches.get(first) == {three["person_id"]}, names
    assert matches.get(first + 1) == {two["person_id"]}, names
    assert matches.get(first + 2) == {turned["person_id"]}, names
    assert first + 3 not in matches, names
    assert all(matches.get(i) == {records[i]["person_id"]} for i in range(first))
