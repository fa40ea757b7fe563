"""Twins and clan villages in the registry, and the feeds' faults that need them: names in
Western order, namesakes outside the registry, ID numbers missing from a share of the
records, all said by the truth."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from pypinyin import lazy_pinyin
from tests.conftest import CLI, Refusal

from povertycloud.engines import DuckDBEngine
from povertycloud.errors import ConfigError
from povertycloud.standard.addresses import HOUSE_NUMBER
from povertycloud.standard.ids import birth_date, is_valid
from povertycloud.store import Store
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.config import TWIN_BIRTHS
from povertycloud.synth.feeds import FEEDS, ExtraFaults, _unheld, write_feeds

EXTRA = ExtraFaults(missing_id=0.5, western_order=0.1, namesake_outside=0.1)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The conftest's small province (same people and seed), with its look-alikes."""
    root = tmp_path_factory.mktemp("lookalikes") / "province"
    generate(SynthConfig(people=5_000, seed=7).with_lookalikes(), root)
    return root


@pytest.fixture(scope="module")
def feeds(province: Path) -> Path:
    write_feeds(province, province / "feeds", seed=5, extra=EXTRA)
    return province / "feeds"


def people(province: Path) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(f"SELECT p.*, h.village_code, h.address FROM "
                      f"'{province / 'people.parquet'}' p JOIN "
                      f"'{province / 'households.parquet'}' h USING (household_id)")


def twin_pairs(province: Path) -> list[tuple[str, str, object, str, str, str, str, int, int]]:
    registry = people(province)  # noqa: F841 (read by the query below)
    return duckdb.sql("""
SELECT a.name, b.name, a.birth_date, a.id_number, b.id_number, a.relation, b.relation,
  a.person_id, b.person_id
FROM registry a JOIN registry b ON b.household_id = a.household_id
  AND b.birth_date = a.birth_date AND b.person_id > a.person_id
  AND length(b.name) = length(a.name) AND left(b.name, 1) = left(a.name, 1)""").fetchall()


def one_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def test_twins_are_born_at_a_realistic_rate_with_valid_id_numbers(province: Path) -> None:
    pairs = [p for p in twin_pairs(province) if one_apart(p[0], p[1])]
    children = people(province).filter("relation IN ('child', 'grandchild')").count("*")
    rate = len(pairs) / children.fetchone()[0]  # type: ignore[index]
    assert 0.5 * TWIN_BIRTHS < rate < 1.5 * TWIN_BIRTHS
    for _, _, born, id_a, id_b, rel_a, rel_b, _, _ in pairs:
        assert is_valid(id_a) and is_valid(id_b) and id_a != id_b
        assert birth_date(id_a) == birth_date(id_b) == born
        assert rel_a == rel_b
    ids = people(province).aggregate("count(*) = count(DISTINCT id_number)").fetchone()
    assert ids == (True,)


def test_in_a_clan_village_half_the_people_share_a_surname(province: Path,
                                                          small_province: Path) -> None:
    def shares(root: Path) -> list[float]:
        registry = people(root)  # noqa: F841 (read by the query below)
        return [s for (s,) in duckdb.sql("""
SELECT max(n) / sum(n) FROM (SELECT village_code, left(name, 1), count(*) AS n
  FROM registry GROUP BY ALL) GROUP BY village_code""").fetchall()]
    clan = [s for s in shares(province) if s > 0.25]
    assert 0.3 < len(clan) / len(shares(province)) < 0.7
    assert 0.35 < sum(clan) / len(clan) < 0.65
    assert max(shares(small_province)) < 0.25

    def namesakes(root: Path) -> int:
        registry = people(root)  # noqa: F841 (read by the query below)
        return int(duckdb.sql("SELECT count(*) FROM registry a JOIN registry b USING "
                              "(village_code, name) WHERE a.person_id < b.person_id"
                              ).fetchone()[0])  # type: ignore[index]
    assert namesakes(province) > 3 * namesakes(small_province)


def test_look_alikes_disturb_nothing_else(province: Path, small_province: Path) -> None:
    """The same seed draws the same province but for names, birth dates and ID numbers
    (and the twins' birth events)."""
    for table in ("households", "household_years", "status_changes", "regions",
                  "truth/truth_household_years"):
        path = f"{table}.parquet"
        assert pq.read_table(province / path).equals(pq.read_table(small_province / path))
    a, b = (pq.read_table(root / "people.parquet") for root in (province, small_province))
    kept = [c for c in a.column_names if c not in ("name", "birth_date", "id_number")]
    assert a.select(kept).equals(b.select(kept))
    events = "SELECT * FROM '{}' WHERE kind <> 'birth' ORDER BY event_id"
    assert duckdb.sql(events.format(province / "events.parquet")).fetchall() == \
        duckdb.sql(events.format(small_province / "events.parquet")).fetchall()


def records(province: Path, feeds: Path, name: str) -> list[dict[str, object]]:
    registry = people(province)  # noqa: F841 (read by the query below)
    return duckdb.sql(f"""
SELECT r.*, t.person_id, t.fault, t.id_missing, t.lookalike, p.name AS true_name,
  p.id_number AS true_id, p.address AS true_address
FROM '{feeds / f"{name}.parquet"}' r JOIN '{feeds / "truth" / f"{name}_links.parquet"}' t
  USING (record_id) LEFT JOIN registry p USING (person_id)""").to_arrow_table().to_pylist()


def test_the_truth_says_each_extra_fault(province: Path, feeds: Path) -> None:
    rows = [r for f in FEEDS for r in records(province, feeds, f.name)]
    registry = people(province).fetchall()
    columns = people(province).columns
    by_village: dict[tuple[str, str], list[dict[str, object]]] = {}
    for values in registry:
        p = dict(zip(columns, values, strict=True))
        by_village.setdefault((str(p["village_code"]), str(p["name"])), []).append(p)
    village_of = {str(p["address"]): str(p["village_code"]) for ps in by_village.values()
                  for p in ps}
    twins = {p for pair in twin_pairs(province) if one_apart(pair[0], pair[1])
             for p in pair[-2:]}
    seen: set[str] = set()
    for r in rows:
        seen.add(str(r["fault"]))
        assert r["id_missing"] == (r["id_number"] is None)
        if r["fault"] == "western_order":
            syllables = lazy_pinyin(str(r["true_name"]))
            given, surname = str(r["name"]).split(" ")
            assert (surname.lower(), given.lower()) == (syllables[0], "".join(syllables[1:]))
        elif r["fault"] == "namesake_outside":
            assert r["person_id"] is None and r["lookalike"] is None
            house = re.compile(HOUSE_NUMBER)
            street = house.sub("", str(r["address"]))
            others = [p for (v, n), ps in by_village.items() for p in ps
                      if n == r["name"] and house.sub("", str(p["address"])) == street]
            assert others and all(p["address"] != r["address"] for p in others), r
            if r["id_number"] is not None:
                assert is_valid(str(r["id_number"]))
                assert all(p["id_number"] != r["id_number"] for p in others)
            if r.get("birth_date") is not None:  # born up to ten years before
                assert any(0 < (p["birth_date"] - r["birth_date"]).days <= 3650  # type: ignore[operator]
                           for p in others), r
        if r["person_id"] is not None:
            village = village_of[str(r["true_address"])]
            namesake = len(by_village[(village, str(r["true_name"]))]) > 1
            assert r["lookalike"] == ("twin" if r["person_id"] in twins else
                                      "namesake" if namesake else None), r
    assert {"western_order", "namesake_outside"} <= seen
    missing = sum(bool(r["id_missing"]) for r in rows) / len(rows)
    assert 0.5 < missing < 0.6  # half of all, and the records with the fault missing_id
    assert {r["lookalike"] for r in rows} == {None, "twin", "namesake"}


def test_extra_faults_are_shares() -> None:
    with pytest.raises(ConfigError, match="between 0 and 1"):
        ExtraFaults(missing_id=1.5)
    with pytest.raises(ConfigError, match="at most 1"):
        ExtraFaults(western_order=0.6, namesake_outside=0.6)
    with pytest.raises(ConfigError, match="clan_villages must be a share"):
        SynthConfig(clan_villages=2)


@pytest.mark.parametrize(("case", "args", "names"), [
    ("--missing-id without --feeds", ["--missing-id", "0.5"], ("--missing-id", "--feeds")),
    ("--missing-id above 1", ["--feeds", "--missing-id", "1.5"], ("--missing-id", "1.5")),
])
def test_synth_refuses_a_bad_missing_id(refuse: Refusal, tmp_path: Path, case: str,
                                        args: list[str], names: tuple[str, ...]) -> None:
    refuse(case, ["synth", "--people", "1000", "--out", str(tmp_path / "p"), *args], names)
    assert not (tmp_path / "p").exists()


def test_the_store_of_the_feeds_people_has_their_lookalikes(tmp_path: Path) -> None:
    """`synth --out --feeds` and `synth --db --lookalikes` of one seed: the same people,
    so the feeds describe the store's people (docs/getting-started.md)."""
    common = [str(CLI), "synth", "--people", "1000", "--seed", "3"]
    for args in (["--out", str(tmp_path / "p"), "--feeds"],
                 ["--db", str(tmp_path / "s.duckdb"), "--lookalikes"]):
        subprocess.run([*common, *args], check=True, capture_output=True, timeout=300)
    columns = "person_id, name, id_number, birth_date"
    with Store(tmp_path / "s.duckdb", read_only=True) as store:
        stored = store.rows(f"SELECT {columns} FROM people ORDER BY person_id")
    written = duckdb.sql(f"SELECT {columns} FROM '{tmp_path / 'p' / 'people.parquet'}' "
                         "ORDER BY person_id").fetchall()
    assert [tuple(r) for r in stored] == written
    plain = generate(SynthConfig(people=1_000, seed=3), tmp_path / "plain")
    assert plain["people"] == len(written)
    assert duckdb.sql(f"SELECT {columns} FROM '{tmp_path / 'plain' / 'people.parquet'}' "
                      "ORDER BY person_id").fetchall() != written


def test_one_seed_writes_the_same_feeds(province: Path, feeds: Path,
                                        tmp_path: Path) -> None:
    """Whatever order the province's rows come in (a parallel scan of a large province
    hands them over in another order each time)."""
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for table in ("people", "households", "events"):
        rows = pq.read_table(province / f"{table}.parquet")
        order = np.random.default_rng(3).permutation(rows.num_rows)
        pq.write_table(rows.take(order), shuffled / f"{table}.parquet", row_group_size=500)
    write_feeds(shuffled, tmp_path / "feeds", seed=5, extra=EXTRA)
    for f in FEEDS:
        for path in (f"{f.name}.parquet", f"truth/{f.name}_links.parquet"):
            again = pq.read_table(tmp_path / "feeds" / path)
            assert again.equals(pq.read_table(feeds / path)), path


def test_no_one_outside_the_registry_holds_a_registry_id_number(province: Path) -> None:
    """An ID number drawn for someone outside the registry that a registry person holds
    (the county's sequence numbers are all in use) is drawn again."""
    registry = pq.read_table(province / "people.parquet").to_pylist()
    held, own = registry[0]["id_number"], registry[1]["id_number"]
    records: list[dict[str, object]] = [
        {"record_id": 1, "id_number": held, "birth_date": birth_date(held)},
        {"record_id": 2, "id_number": None, "birth_date": None}]
    with DuckDBEngine() as engine:
        engine.register_parquet("people", province / "people.parquet")
        _unheld(records, [(0, own, False), (1, own, False)], np.random.default_rng(1),
                engine)
        ids = set(engine.query("SELECT id_number FROM people").column(0).to_pylist())
    drawn = str(records[0]["id_number"])
    assert is_valid(drawn) and drawn not in ids and drawn[:6] == own[:6]
    assert records[0]["birth_date"] == birth_date(drawn)
    assert records[1] == {"record_id": 2, "id_number": None, "birth_date": None}
