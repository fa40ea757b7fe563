"""The synthetic province: determinism, conformance to the standard, consistency between
tables, valid geography and identifiers, and calibration to the published targets.

One province of 20,000 people is generated per module and queried with DuckDB SQL over
its Parquet files.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from povertycloud.standard import ids
from povertycloud.standard import regions as region_codes
from povertycloud.standard.codes import EVENT_KINDS, LEVELS
from povertycloud.standard.fields import Kind
from povertycloud.standard.tables import TABLES, table_path
from povertycloud.synth import SynthConfig, generate, regions
from povertycloud.synth.config import MAX_PEOPLE, MIN_PEOPLE

# At 20,000 people the province has a single county, so province-wide figures follow that
# county's draw. Seed 11 draws a county in an ethnic-minority area whose villages are
# partly mountain and partly not, so both groups of the terrain comparison exist.
CONFIG = SynthConfig(people=20_000, seed=11)
FIRST = CONFIG.first_year
EXCHANGED = [name for name, t in TABLES.items() if not t.ground_truth]


@dataclasses.dataclass
class Province:
    root: Path
    counts: dict[str, int]
    con: duckdb.DuckDBPyConnection

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        assert row is not None
        return row[0]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    root = tmp_path_factory.mktemp("synth") / "province"
    counts = generate(CONFIG, root)
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"CREATE VIEW {name} AS "
                    f"SELECT * FROM read_parquet('{table_path(root, name)}')")
    yield Province(root, counts, con)
    con.close()


# -- determinism and layout -------------------------------------------------------------


def _bytes(root: Path, name: str) -> bytes:
    return table_path(root, name).read_bytes()


def test_same_seed_gives_identical_files(province: Province, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert generate(CONFIG, again) == province.counts
    for name in TABLES:
        assert _bytes(again, name) == _bytes(province.root, name), name


def test_different_seed_gives_different_files(province: Province, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(dataclasses.replace(CONFIG, seed=CONFIG.seed + 1), other)
    for name in ("households", "people"):
        assert _bytes(other, name) != _bytes(province.root, name), name


def test_progress_is_reported_per_county(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate(SynthConfig(people=1_000, seed=3), tmp_path / "small",
             progress=lambda done, total: calls.append((done, total)))
    assert calls
    total = calls[-1][1]
    assert calls == [(i, total) for i in range(1, total + 1)]


def test_refuses_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        generate(SynthConfig(people=1_000), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_ground_truth_lives_in_truth(province: Province) -> None:
    assert table_path(province.root, "truth_household_years") == (
        province.root / "truth" / "truth_household_years.parquet")
    assert sorted(p.name for p in province.root.glob("*.parquet")) == sorted(
        f"{name}.parquet" for name in EXCHANGED)
    assert [p.name for p in (province.root / "truth").iterdir()] == [
        "truth_household_years.parquet"]


def test_exchanged_tables_carry_no_truth(province: Province) -> None:
    truth_only = set(TABLES["truth_household_years"].names) - {"household_id", "year"}
    for name in EXCHANGED:
        columns = set(pq.read_schema(table_path(province.root, name)).names)
        assert not columns & truth_only, name


# -- rows and conformance to the standard -------------------------------------------------


def test_rows_per_table(province: Province) -> None:
    assert set(province.counts) == set(TABLES)
    for name, n in province.counts.items():
        assert pq.read_metadata(table_path(province.root, name)).num_rows == n, name
    c = province.counts
    assert 0.95 * CONFIG.people <= c["people"] <= 1.05 * CONFIG.people
    assert c["household_years"] == c["households"] * len(CONFIG.years)
    assert c["truth_household_years"] == c["household_years"]
    assert 2.5 <= c["people"] / c["households"] <= 4.5
    assert c["status_changes"] > 0
    assert c["events"] > 0
    villages = province.scalar("SELECT count(*) FROM regions WHERE level = 'village'")
    assert villages == round(CONFIG.people / CONFIG.people_per_village)
    assert province.rows("SELECT level, count(*) FROM regions WHERE level IN "
                         "('province', 'prefecture') GROUP BY level ORDER BY level") == [
        ("prefecture", 1), ("province", 1)]


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_is_the_standard(province: Province, name: str) -> None:
    assert pq.read_schema(table_path(province.root, name)).equals(TABLES[name].arrow_schema)


def _quote(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


@pytest.mark.parametrize("name", list(TABLES))
def test_values_conform_to_the_standard(province: Province, name: str) -> None:
    """Required fields filled, enums within their code lists, numbers within bounds."""
    checks: dict[str, str] = {}
    for f in TABLES[name].fields:
        col = f.name
        if f.required:
            checks[f"{col} is empty"] = f"{col} IS NULL"
        if f.kind is Kind.ENUM:
            checks[f"{col} outside its code list"] = f"{col} NOT IN ({_quote(f.values)})"
        if f.minimum is not None:
            checks[f"{col} below {f.minimum}"] = f"{col} < {f.minimum}"
        if f.maximum is not None:
            checks[f"{col} above {f.maximum}"] = f"{col} > {f.maximum}"
        if f.kind is Kind.REGION_CODE:
            checks[f"{col} not 12 digits"] = f"NOT regexp_full_match({col}, '[0-9]{{12}}')"
    sql = ", ".join(f"count(*) FILTER (WHERE {cond})" for cond in checks.values())
    counts = province.rows(f"SELECT {sql} FROM {name}")[0]
    failures = {what: n for what, n in zip(checks, counts, strict=True) if n}
    assert failures == {}


@pytest.mark.parametrize("name", list(TABLES))
def test_primary_keys_are_unique(province: Province, name: str) -> None:
    key = ", ".join(TABLES[name].primary_key)
    assert province.scalar(
        f"SELECT count(*) - count(DISTINCT ({key})) FROM {name}") == 0


REFERENCES = [(name, f.name, f.references) for name, t in TABLES.items() for f in t.fields
              if f.references and not (name == "households" and f.name == "household_id")]


@pytest.mark.parametrize(("name", "column", "target"), REFERENCES)
def test_references_resolve(province: Province, name: str, column: str, target: str) -> None:
    target_table, _, target_column = target.partition(".")
    assert province.scalar(
        f"SELECT count(*) FROM {name} s WHERE s.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {target_table} t WHERE t.{target_column} = s.{column})") == 0


# -- regions --------------------------------------------------------------------------


def test_region_codes_are_valid_and_consistent(province: Province) -> None:
    rows = province.rows("SELECT code, level, parent_code FROM regions")
    codes = {code for code, _, _ in rows}
    for code, level, parent in rows:
        assert region_codes.problem(code) is None, code
        assert region_codes.level_of(code) == level, code
        assert region_codes.parent(code) == parent, code
        assert parent is None or parent in codes, code
    assert [c for c, level, _ in rows if level == "province"] == [CONFIG.province_code]


def test_region_levels_agree_in_sql(province: Province) -> None:
    assert province.scalar(
        f"SELECT count(*) FROM regions WHERE {region_codes.sql_level('code')} <> level") == 0
    for above, level in itertools.pairwise(LEVELS):
        assert province.scalar(
            f"SELECT count(*) FROM regions WHERE level = '{level}' AND "
            f"{region_codes.sql_ancestor('code', above)} IS DISTINCT FROM parent_code") == 0


def test_every_village_has_households(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM regions r WHERE level = 'village' AND NOT EXISTS "
        "(SELECT 1 FROM households h WHERE h.village_code = r.code)") == 0


def test_village_attributes(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM regions WHERE level = 'village' AND "
        "(terrain IS NULL OR distance_to_county_km IS NULL)") == 0


Region = tuple[str, str, str | None, BaseGeometry]  # code, level, parent, boundary


@pytest.fixture(scope="module")
def boundaries(province: Province) -> dict[str, list[Region]]:
    """The generated province's regions, and a larger tree with several counties."""
    generated = province.rows("SELECT code, level, parent_code, boundary FROM regions")
    large = regions.build(SynthConfig(people=1_000_000, seed=CONFIG.seed),
                          np.random.default_rng(CONFIG.seed)).table
    large_rows = zip(*(large[c].to_pylist() for c in ("code", "level", "parent_code",
                                                      "boundary")), strict=True)
    return {name: [(c, lv, p, shapely.from_geojson(b)) for c, lv, p, b in rows]
            for name, rows in (("generated", generated), ("large", large_rows))}


TREES = ["generated", "large"]


@pytest.mark.parametrize("tree", TREES)
def test_boundaries_are_valid_polygons(boundaries: dict[str, list[Region]],
                                       tree: str) -> None:
    for code, _, _, geom in boundaries[tree]:
        assert geom.geom_type in ("Polygon", "MultiPolygon"), code
        assert geom.is_valid, (code, shapely.is_valid_reason(geom))
        assert geom.area > 0, code


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("tree", TREES)
def test_siblings_do_not_overlap(boundaries: dict[str, list[Region]], tree: str,
                                 level: str) -> None:
    geoms = np.asarray([g for _, lv, _, g in boundaries[tree] if lv == level])
    if tree == "large":
        assert geoms.size > 1
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    left, right = geoms[left[pairs]], geoms[right[pairs]]
    overlap = shapely.area(shapely.intersection(left, right))
    smaller = np.minimum(shapely.area(left), shapely.area(right))
    # Boundaries are snapped to a 1e-5 degree grid one by one, which leaves slivers.
    assert np.all(overlap < 0.01 * smaller)
    assert overlap.sum() < 1e-4 * shapely.area(geoms).sum()


@pytest.mark.parametrize("tree", TREES)
def test_children_cover_their_parent(boundaries: dict[str, list[Region]], tree: str) -> None:
    by_code = {code: geom for code, _, _, geom in boundaries[tree]}
    children: dict[str, list[BaseGeometry]] = {}
    for _, _, parent, geom in boundaries[tree]:
        if parent is not None:
            children.setdefault(parent, []).append(geom)
    assert len(children) == sum(1 for _, lv, _, _ in boundaries[tree] if lv != "village")
    for parent, pieces in children.items():
        whole = by_code[parent]
        covered = shapely.union_all(pieces)
        assert covered.symmetric_difference(whole).area < 0.01 * whole.area, parent
        assert abs(sum(p.area for p in pieces) - whole.area) < 0.01 * whole.area, parent


# -- identifiers ----------------------------------------------------------------------


def test_id_numbers_are_valid_and_consistent(province: Province) -> None:
    rows = province.rows(
        "SELECT p.id_number, p.birth_date, p.sex, h.village_code FROM people p "
        "JOIN households h USING (household_id)")
    assert len(rows) == province.counts["people"]
    for id_number, born, sex, village in rows:
        assert ids.problem(id_number, village) is None, id_number
        assert ids.birth_date(id_number) == born, id_number
        assert ids.sex(id_number) == sex, id_number
        assert id_number[:6] == village[:6], id_number


def test_id_numbers_are_unique_and_pass_the_sql_check(province: Province) -> None:
    assert province.scalar("SELECT count(*) - count(DISTINCT id_number) FROM people") == 0
    assert province.scalar(
        f"SELECT count(*) FROM people WHERE {ids.sql_check_digit('id_number')} "
        "<> SUBSTRING(id_number, 18, 1)") == 0


def test_household_ids_are_village_code_and_serial(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM households WHERE household_id // 10000 <> "
        "CAST(village_code AS BIGINT) OR household_id % 10000 < 1") == 0
    # Serials run 1..n within each village.
    assert province.scalar(
        "SELECT count(*) FROM (SELECT village_code, min(household_id % 10000) AS lo, "
        "max(household_id % 10000) AS hi, count(*) AS n FROM households GROUP BY ALL) "
        "WHERE lo <> 1 OR hi <> n") == 0


def test_person_ids_are_household_id_and_serial(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM people WHERE person_id // 100 <> household_id "
        "OR person_id % 100 < 1") == 0
    assert province.scalar(
        "SELECT count(*) FROM (SELECT household_id, min(person_id % 100) AS lo, "
        "max(person_id % 100) AS hi, count(*) AS n, "
        "count(*) FILTER (WHERE relation = 'head') AS heads, "
        "count(*) FILTER (WHERE relation = 'head' AND person_id % 100 = 1) AS head_first "
        "FROM people GROUP BY ALL) WHERE lo <> 1 OR hi <> n OR heads <> 1 "
        "OR head_first <> 1") == 0
    assert province.scalar(
        "SELECT count(*) FROM households h WHERE NOT EXISTS "
        "(SELECT 1 FROM people p WHERE p.household_id = h.household_id)") == 0


# -- the panel ------------------------------------------------------------------------


def test_panel_years(province: Province) -> None:
    years = [y for (y,) in province.rows(
        "SELECT DISTINCT year FROM household_years ORDER BY year")]
    assert len(years) >= 5
    assert years == CONFIG.years
    assert province.scalar(
        "SELECT count(*) FROM (SELECT household_id FROM household_years GROUP BY ALL "
        f"HAVING count(DISTINCT year) <> {len(years)})") == 0
    assert province.scalar(
        "SELECT count(*) FROM household_years hy FULL JOIN truth_household_years t "
        "USING (household_id, year) WHERE hy.year IS NULL OR t.year IS NULL") == 0


def test_members_count_the_living(province: Province) -> None:
    assert province.scalar("SELECT min(members) FROM household_years") >= 1
    # Members in a year: born by then, and not dead before it.
    assert province.scalar(
        "SELECT count(*) FROM household_years hy JOIN ("
        "  SELECT y.year, p.household_id, count(*) AS n FROM people p"
        "  JOIN (SELECT DISTINCT year FROM household_years) y"
        "    ON year(p.birth_date) <= y.year"
        "   AND (p.death_date IS NULL OR year(p.death_date) >= y.year)"
        "  GROUP BY ALL) alive USING (household_id, year) "
        "WHERE hy.members <> alive.n") == 0


def test_income_components_are_non_negative(province: Province) -> None:
    columns = ("wage_income", "business_income", "property_income", "transfer_income",
               "medical_expense", "education_expense")
    minima = province.rows(
        f"SELECT {', '.join(f'min({c})' for c in columns)} FROM household_years")[0]
    assert {c: m for c, m in zip(columns, minima, strict=True) if m < 0} == {}


def test_reported_income_is_the_truth_measured_with_error(province: Province) -> None:
    # Surveys under-report a little and with noise: the registry never sees true income.
    reported = ("(wage_income + business_income + property_income + transfer_income)"
                " / (t.true_income_per_capita * hy.members)")
    joined = "FROM household_years hy JOIN truth_household_years t USING (household_id, year)"
    median = province.scalar(f"SELECT median({reported}) {joined}")
    spread = province.scalar(f"SELECT stddev(ln({reported})) {joined}")
    exact = province.scalar(f"SELECT avg((abs({reported} - 1) < 0.001)::INT) {joined}")
    assert 0.9 < median < 1.0
    assert 0.2 < spread < 0.3
    assert exact < 0.01

def test_truth_is_consistent(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM truth_household_years WHERE "
        "(primary_cause IS NULL) <> (NOT true_poor) OR (causes IS NULL) <> (NOT true_poor) "
        "OR (true_poor AND primary_cause <> 'other' "
        "    AND NOT list_contains(string_split(causes, ';'), primary_cause))") == 0


def test_status_changes_agree_with_households(province: Province) -> None:
    latest = """
        SELECT household_id, arg_max(status, effective_date) AS status,
               min(year(effective_date)) FILTER (WHERE status = 'registered_poor') AS first,
               max(year(effective_date)) FILTER (WHERE status = 'exited') AS last_exit
        FROM status_changes GROUP BY household_id"""
    mismatches = province.rows(f"""
        SELECT
          count(*) FILTER (WHERE h.registration_status IS DISTINCT FROM
            coalesce(CASE l.status WHEN 'removed' THEN 'not_registered' ELSE l.status END,
                     'not_registered')),
          count(*) FILTER (WHERE h.registration_year IS DISTINCT FROM l.first),
          count(*) FILTER (WHERE h.exit_year IS DISTINCT FROM l.last_exit)
        FROM households h LEFT JOIN ({latest}) l USING (household_id)""")[0]
    assert mismatches == (0, 0, 0)
    statuses = {s for (s,) in province.rows("SELECT DISTINCT registration_status "
                                            "FROM households")}
    assert {"not_registered", "registered_poor", "exited"} <= statuses


def test_status_changes_fall_in_the_panel(province: Province) -> None:
    assert province.rows("SELECT min(year(effective_date)), max(year(effective_date)) "
                         "FROM status_changes")[0] == (FIRST, CONFIG.last_year)
    # The first registrations are all made in the first year.
    assert province.scalar(
        "SELECT count(*) FROM status_changes WHERE reason = 'initial registration' "
        f"AND (status <> 'registered_poor' OR year(effective_date) <> {FIRST})") == 0


def test_events_of_each_kind(province: Province) -> None:
    kinds = {k for (k,) in province.rows("SELECT DISTINCT kind FROM events")}
    assert {"serious_illness", "disaster", "death", "job_loss", "recovery"} <= kinds
    assert kinds <= set(EVENT_KINDS)


def test_events_fall_in_the_panel(province: Province) -> None:
    assert province.rows("SELECT min(year(event_date)), max(year(event_date)) "
                         "FROM events")[0] == (FIRST, CONFIG.last_year)
    assert province.scalar(
        "SELECT count(*) FROM events e JOIN people p USING (person_id) "
        "WHERE e.household_id <> p.household_id") == 0


def test_every_death_has_an_event(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM people p WHERE (death_date IS NOT NULL) <> EXISTS "
        "(SELECT 1 FROM events e WHERE e.person_id = p.person_id AND e.kind = 'death')") == 0


def test_death_after_birth(province: Province) -> None:
    assert province.scalar("SELECT count(*) FROM people WHERE death_date < birth_date") == 0


def test_birth_events_fall_on_the_birth_date(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM events e JOIN people p USING (person_id) "
        "WHERE e.kind = 'birth' AND e.event_date <> p.birth_date") == 0


def test_death_events_fall_on_the_death_date(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM events e JOIN people p USING (person_id) "
        "WHERE e.kind = 'death' AND e.event_date <> p.death_date") == 0


def test_personal_events_fall_within_the_persons_life(province: Province) -> None:
    assert province.scalar(
        "SELECT count(*) FROM events e JOIN people p USING (person_id) "
        "WHERE e.kind NOT IN ('birth', 'death') "
        "AND (e.event_date < p.birth_date OR e.event_date > p.death_date)") == 0


# -- calibration (targets and sources in docs/calibration-sources.md) ---------------------


def test_size_of_households_registered_in_the_first_year(province: Province) -> None:
    size = province.scalar(
        "SELECT avg(members) FROM household_years JOIN households USING (household_id) "
        f"WHERE registration_year = {FIRST} AND year = {FIRST}")
    assert 2.7 <= size <= 3.4  # target 3.04


FIRST_YEAR_PEOPLE = f"""
    SELECT hy.members, t.true_poor, t.primary_cause,
           r.terrain = 'mountain' AND r.ethnic_minority_area AS mountain_minority
    FROM household_years hy
    JOIN truth_household_years t USING (household_id, year)
    JOIN households h USING (household_id)
    JOIN regions r ON r.code = h.village_code
    WHERE hy.year = {FIRST}"""


def test_first_year_poverty_incidence(province: Province) -> None:
    incidence = province.scalar(
        "SELECT sum(members) FILTER (WHERE true_poor) / sum(members) "
        f"FROM ({FIRST_YEAR_PEOPLE})")
    assert 0.12 <= incidence <= 0.26  # target 0.18


def test_illness_is_the_leading_cause(province: Province) -> None:
    share = province.scalar(
        "SELECT avg(CAST(primary_cause = 'illness' AS DOUBLE)) "
        f"FROM ({FIRST_YEAR_PEOPLE}) WHERE true_poor")
    assert 0.30 <= share <= 0.50  # target 0.424


def test_poverty_is_deeper_in_mountain_minority_villages(province: Province) -> None:
    rows = dict(province.rows(
        "SELECT mountain_minority, sum(members) FILTER (WHERE true_poor) / sum(members) "
        f"FROM ({FIRST_YEAR_PEOPLE}) GROUP BY ALL"))
    assert set(rows) == {True, False}, "the seed must give both kinds of village"
    assert rows[True] > rows[False]


# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize("people", [0, MIN_PEOPLE - 1, MAX_PEOPLE + 1, -5])
def test_config_rejects_people_out_of_range(people: int) -> None:
    with pytest.raises(ValueError, match="people must be between 1,000 and 10,000,000"):
        SynthConfig(people=people)


@pytest.mark.parametrize("people", [MIN_PEOPLE, MAX_PEOPLE])
def test_config_accepts_the_bounds(people: int) -> None:
    assert SynthConfig(people=people).people == people


def test_config_needs_five_years() -> None:
    with pytest.raises(ValueError, match="at least five years"):
        SynthConfig(first_year=2014, last_year=2017)
    with pytest.raises(ValueError, match="at least five years"):
        SynthConfig(first_year=2020, last_year=2014)
    assert SynthConfig(first_year=2014, last_year=2018).years == [
        2014, 2015, 2016, 2017, 2018]


def test_config_needs_a_poverty_line() -> None:
    with pytest.raises(ValueError, match="before 2010"):
        SynthConfig(first_year=2009, last_year=2015)
