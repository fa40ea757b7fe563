"""Scorecards: the shipped card's shape, refusals that name file, line and item, and
scoring on DuckDB (points per indicator, set sums, total and band, band edges included)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from povertycloud.identification.scorecard import Scorecard, load_scorecard
from povertycloud.profile.household import profile_types
from povertycloud.rulefiles import RuleFileError

ProfileTable = Callable[[list[dict[str, Any]]], pa.Table]
PythonEval = Callable[[str, dict[str, Any]], Any]

# A small card; the line numbers matter to the tests below.
CARD = """\
id: test-card
version: 1.0.0
effective: 2020-01-01
total: 100
bands:
  - {band: impoverished, from: 0, to: 60}
  - {band: likely_impoverished, from: 60, to: 80}
  - {band: out_of_poverty, from: 80, to: 100}
sets:
  - set: living
    label: 生活
    indicators:
      - indicator: food
        max: 60
        levels:
          - {when: "food_secure", points: 60}
      - indicator: clothing
        max: 20
        levels:
          - {when: "clothing_secure", points: 20}
  - set: housing
    indicators:
      - indicator: house
        max: 20
        levels:
          - {when: "housing_grade in ('A', 'B')", points: 20}
          - {when: "housing_grade != 'D'", points: 5}
"""


def edit(line: int, old: str, new: str, text: str = CARD) -> str:
    """``text`` with ``old`` replaced by ``new`` on ``line`` (1-based)."""
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1], (line, old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "".join(lines)


def write(tmp_path: Path, text: str, name: str = "card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


def score(con: duckdb.DuckDBPyConnection, card: Scorecard, profile: pa.Table
          ) -> list[dict[str, Any]]:
    con.register("household_profile", profile)
    rows: list[dict[str, Any]] = con.sql(
        card.scores_sql() + " ORDER BY household_id").to_arrow_table().to_pylist()
    con.unregister("household_profile")
    return rows


# -- the shipped card -------------------------------------------------------------------------


def test_shipped_card_has_48_indicators_in_18_sets() -> None:
    card = load_scorecard()
    assert len(card.indicators) == 48
    assert len(card.sets) == 18
    assert len({s for s, _ in card.sets}) == 18
    assert {i.set for i in card.indicators} == {s for s, _ in card.sets}
    assert len({i.id for i in card.indicators}) == 48
    assert all(card.indicators_of(s) for s, _ in card.sets)


def test_shipped_card_maxima_sum_to_the_total_of_100() -> None:
    card = load_scorecard()
    assert card.total == 100
    assert sum(i.max for i in card.indicators) == pytest.approx(100)
    for indicator in card.indicators:
        assert indicator.levels
        assert all(0 <= lv.points <= indicator.max for lv in indicator.levels), indicator.id
        assert max(lv.points for lv in indicator.levels) == indicator.max, indicator.id


def test_shipped_card_bands() -> None:
    card = load_scorecard()
    assert [(b.name, b.low, b.high) for b in card.bands] == [
        ("impoverished", 0, 60), ("likely_impoverished", 60, 80), ("out_of_poverty", 80, 100)]
    assert card.label == f"{card.id} {card.version}"
    assert card.path.name == "scorecard.yaml"


@pytest.mark.parametrize(("total", "band"), [
    (0, "impoverished"), (59, "impoverished"), (59.99, "impoverished"),
    (60, "likely_impoverished"), (60.01, "likely_impoverished"), (79.99, "likely_impoverished"),
    (80, "out_of_poverty"), (99.5, "out_of_poverty"), (100, "out_of_poverty"),
])
def test_shipped_band_edges(con: duckdb.DuckDBPyConnection, total: float, band: str) -> None:
    card = load_scorecard()
    row = con.execute(f"SELECT {card.band_sql('t')} FROM (SELECT ?::DOUBLE AS t)",
                      [total]).fetchone()
    assert row == (band,)


def random_profiles(n: int, seed: int = 11) -> list[dict[str, Any]]:
    """Households with every profile field drawn at random (codes from their values)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"household_id": i + 1}
        for name, t in profile_types().items():
            if t.values:
                row[name] = str(rng.choice(t.values))
            elif t.kind == "boolean":
                row[name] = bool(rng.random() < 0.7)
            else:
                row[name] = float(rng.integers(0, 4))
        members = int(rng.integers(1, 8))
        incomes = rng.integers(0, 15_000, size=4).astype(float)
        row.update(members=members, wage_income=incomes[0], business_income=incomes[1],
                   property_income=incomes[2], transfer_income=incomes[3],
                   net_income=float(incomes.sum()),
                   income_per_capita=round(float(incomes.sum()) / members, 2),
                   poverty_line=4000.0, land_per_capita=float(rng.choice([0, 0.3, 0.5, 1, 2])),
                   housing_area_per_capita=float(rng.integers(4, 30)),
                   asset_value_yuan=float(rng.integers(0, 30_000)),
                   debt_yuan=float(rng.choice([0, 5_000, 50_000])),
                   distance_to_county_km=float(rng.integers(0, 80)),
                   livestock_units=float(rng.choice([0, 0.5, 1, 3])),
                   medical_expense=float(rng.integers(0, 8_000)),
                   education_expense=float(rng.integers(0, 8_000)))
        rows.append(row)
    return rows


def test_shipped_card_scores_as_python_reads_it(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable, py_eval: PythonEval) -> None:
    """Every indicator gives the points of its first level that holds (0 if none), sets
    sum their indicators, the total sums all, and the band is the band of the total."""
    card = load_scorecard()
    rows = random_profiles(300)
    got = score(con, card, make_profile(rows))
    assert len(got) == len(rows)
    seen_bands = set()
    for row, result in zip(rows, got, strict=True):
        points = {}
        for indicator in card.indicators:
            points[indicator.id] = next(
                (lv.points for lv in indicator.levels if py_eval(lv.when, row)), 0)
            assert result[indicator.column] == pytest.approx(points[indicator.id]), \
                (indicator.id, row)
        for set_id, _ in card.sets:
            expected = sum(points[i.id] for i in card.indicators_of(set_id))
            assert result[f"s_{set_id}"] == pytest.approx(expected)
        total = sum(points.values())
        assert result["score"] == pytest.approx(total)
        band = next(b.name for b in card.bands if b.low <= total < b.high or b is card.bands[-1])
        assert result["band"] == band
        seen_bands.add(band)
    assert len(seen_bands) >= 2  # the random households are not all alike


# -- scoring a small card ---------------------------------------------------------------------

CASES = [  # (profile values, food, clothing, house, living, housing, score, band)
    ({"food_secure": True, "clothing_secure": True, "housing_grade": "A"},
     60, 20, 20, 80, 20, 100, "out_of_poverty"),
    ({"food_secure": True, "clothing_secure": False, "housing_grade": "D"},
     60, 0, 0, 60, 0, 60, "likely_impoverished"),
    ({"food_secure": True, "clothing_secure": True, "housing_grade": "D"},
     60, 20, 0, 80, 0, 80, "out_of_poverty"),
    ({"food_secure": False, "clothing_secure": True, "housing_grade": "C"},
     0, 20, 5, 20, 5, 25, "impoverished"),
    ({"food_secure": False, "clothing_secure": False, "housing_grade": "D"},
     0, 0, 0, 0, 0, 0, "impoverished"),
    ({"food_secure": True, "clothing_secure": False, "housing_grade": "B"},
     60, 0, 20, 60, 20, 80, "out_of_poverty"),
    ({"food_secure": True, "clothing_secure": False, "housing_grade": "C"},
     60, 0, 5, 60, 5, 65, "likely_impoverished"),
    ({"food_secure": False, "clothing_secure": True, "housing_grade": "A"},
     0, 20, 20, 20, 20, 40, "impoverished"),
]


def test_small_card_points_sets_score_and_band(
        tmp_path: Path, con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    card = load_scorecard(write(tmp_path, CARD))
    assert [i.id for i in card.indicators] == ["food", "clothing", "house"]
    got = score(con, card, make_profile([values for values, *_ in CASES]))
    for result, (values, *expected) in zip(got, CASES, strict=True):
        assert [result["i_food"], result["i_clothing"], result["i_house"],
                result["s_living"], result["s_housing"], result["score"],
                result["band"]] == expected, values


def test_the_first_level_that_holds_counts(
        tmp_path: Path, con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    # grade A satisfies both levels of 'house' (20, then 5): the first one counts
    card = load_scorecard(write(tmp_path, CARD))
    [result] = score(con, card, make_profile([{"housing_grade": "A"}]))
    assert result["i_house"] == 20


def test_a_level_over_a_missing_value_earns_nothing(
        tmp_path: Path, con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    card = load_scorecard(write(tmp_path, CARD))
    [result] = score(con, card, make_profile([{"housing_grade": None}]))
    assert result["i_house"] == 0
    assert (result["score"], result["band"]) == (80, "out_of_poverty")


def test_bands_follow_the_file(tmp_path: Path, con: duckdb.DuckDBPyConnection,
                               make_profile: ProfileTable) -> None:
    moved = edit(6, "to: 60", "to: 70", edit(7, "from: 60", "from: 70"))
    card = load_scorecard(write(tmp_path, moved))
    got = score(con, card, make_profile([values for values, *_ in CASES]))
    assert [r["band"] for r in got] == [
        "out_of_poverty", "impoverished", "out_of_poverty", "impoverished", "impoverished",
        "out_of_poverty", "impoverished", "impoverished"]


# -- refusals ---------------------------------------------------------------------------------

BAD = [  # id, line, old, new, where (after "line N, "), what
    ("unknown field", 16, "food_secure", "food_safe", 16, "indicator food",
     "unknown field 'food_safe'"),
    ("syntax error", 20, '"clothing_secure"', '"clothing_secure and"', 20,
     "indicator clothing", "syntax error"),
    ("number where a condition is needed", 27, "housing_grade != 'D'", "housing_area_m2 + 1",
     27, "indicator house", "gives a number, a boolean is needed"),
    ("condition is a number", 20, '"clothing_secure"', "3", 20, "indicator clothing",
     "'when' must be text, not 3"),
    ("unknown code value", 26, "'B'", "'E'", 26, "indicator house",
     "'E' is not a value of housing_grade"),
    ("comparing a code with a number", 27, "'D'", "4", 27, "indicator house",
     "cannot compare string"),
    ("points above the max", 27, "points: 5", "points: 25", 27, "indicator house",
     "points 25 are out of range 0 to 20"),
    ("negative points", 16, "points: 60", "points: -1", 16, "indicator food",
     "points -1 are out of range 0 to 60"),
    ("points as text", 20, "points: 20", "points: many", 20, "indicator clothing",
     "'points' must be"),
    ("negative max", 18, "max: 20", "max: -20", 17, "indicator clothing",
     "'max' must not be negative"),
    ("missing max", 18, "max: 20", "label: 衣", 17, "indicator clothing", "'max' is missing"),
    ("missing when", 20, 'when: "clothing_secure", ', "", 20, "indicator clothing",
     "'when' is missing"),
    ("missing indicator id", 17, "indicator: clothing", "label: clothing", 17, "indicator",
     "'indicator' is missing"),
    ("a level that is not a mapping", 20, '{when: "clothing_secure", points: 20}',
     '"clothing_secure"', 17, "indicator clothing",
     "every entry of 'levels' must be a mapping"),
    ("missing band start", 7, "from: 60, ", "", 7, "band likely_impoverished",
     "'from' is missing"),
    ("bands overlap", 7, "from: 60", "from: 55", 7, "band likely_impoverished",
     "overlaps band impoverished (which ends at 60)"),
    ("bands leave a gap", 7, "from: 60", "from: 65", 7, "band likely_impoverished",
     "leaves a gap after band impoverished"),
    ("band ends before it starts", 7, "to: 80", "to: 60", 7, "band likely_impoverished",
     "'to' (60) must be above 'from' (60)"),
    ("first band not at 0", 6, "from: 0", "from: 10", 6, "band impoverished",
     "the first band must start at 0, not 10"),
    ("missing total", 4, "total: 100", "label: x", 1, "scorecard", "'total' is missing"),
    ("missing id", 1, "id: test-card", "label: x", 1, "scorecard", "'id' is missing"),
    ("bad date", 3, "2020-01-01", "someday", 1, "scorecard", "'effective' must be a date"),
]


@pytest.mark.parametrize(("line", "old", "new", "where", "item", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_bad_scorecards_name_file_line_and_item(tmp_path: Path, line: int, old: str, new: str,
                                                where: int, item: str, message: str) -> None:
    path = write(tmp_path, edit(line, old, new))
    with pytest.raises(RuleFileError) as caught:
        load_scorecard(path)
    assert str(caught.value).startswith(f"{path}, line {where}, {item}: "), str(caught.value)
    assert message in str(caught.value)


def test_maxima_that_do_not_add_up_to_the_total(tmp_path: Path) -> None:
    path = write(tmp_path, edit(4, "total: 100", "total: 90"))
    with pytest.raises(RuleFileError, match=r"line \d+, scorecard: the indicators' maximum "
                       r"points add up to 100, not the total 90") as caught:
        load_scorecard(path)
    assert str(caught.value).startswith(str(path))


def test_duplicate_indicators_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, edit(17, "indicator: clothing", "indicator: food"))
    with pytest.raises(RuleFileError, match="indicator food: appears twice") as caught:
        load_scorecard(path)
    assert str(caught.value).startswith(str(path))


def test_duplicate_indicators_name_the_line_of_the_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, edit(17, "indicator: clothing", "indicator: food"))
    with pytest.raises(RuleFileError, match="line 17, indicator food"):
        load_scorecard(path)


def test_a_last_band_short_of_the_total_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, edit(8, "to: 100", "to: 90"))
    with pytest.raises(RuleFileError, match="band out_of_poverty: the last band must end at "
                       "the total 100, not 90") as caught:
        load_scorecard(path)
    assert str(caught.value).startswith(str(path))


def test_a_last_band_short_of_the_total_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, edit(8, "to: 100", "to: 90"))
    with pytest.raises(RuleFileError, match="line 8, band out_of_poverty"):
        load_scorecard(path)


@pytest.mark.parametrize(("line", "old", "new"), [
    pytest.param(18, "        max", "\tmax", id="tab"),
    pytest.param(18, "max: 20", "max: 20: 3", id="colon"),
])
def test_invalid_yaml_names_file_and_line(tmp_path: Path, line: int, old: str, new: str
                                          ) -> None:
    path = write(tmp_path, edit(line, old, new))
    with pytest.raises(RuleFileError, match=f"line {line}: not valid YAML") as caught:
        load_scorecard(path)
    assert str(caught.value).startswith(str(path))


def test_an_indicator_without_levels(tmp_path: Path) -> None:
    text = CARD.replace('        levels:\n          - {when: "clothing_secure", points: 20}\n',
                        "        levels: []\n")
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError, match="line 17, indicator clothing: has no levels"):
        load_scorecard(path)


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    with pytest.raises(RuleFileError, match="expected a mapping at the top"):
        load_scorecard(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot be read"):
        load_scorecard(tmp_path / "nowhere.yaml")


# -- bugs: cards that load but do not score ---------------------------------------------------


def loads_and_scores(path: Path, con: duckdb.DuckDBPyConnection, profile: pa.Table,
                     line: int) -> list[dict[str, Any]]:
    """Either the card is refused naming ``line``, or it scores."""
    try:
        card = load_scorecard(path)
    except RuleFileError as exc:
        assert f"line {line}" in str(exc)
        return []
    return score(con, card, profile)


def test_a_set_without_indicators(tmp_path: Path, con: duckdb.DuckDBPyConnection,
                                  make_profile: ProfileTable) -> None:
    path = write(tmp_path, CARD + "  - set: empty\n    indicators: []\n")
    loads_and_scores(path, con, make_profile([{}]), 28)


def test_an_indicator_id_that_is_not_a_name(tmp_path: Path, con: duckdb.DuckDBPyConnection,
                                            make_profile: ProfileTable) -> None:
    path = write(tmp_path, edit(17, "indicator: clothing", "indicator: warm-clothes"))
    loads_and_scores(path, con, make_profile([{}]), 17)


def test_a_band_name_with_an_apostrophe(tmp_path: Path, con: duckdb.DuckDBPyConnection,
                                        make_profile: ProfileTable) -> None:
    path = write(tmp_path, edit(8, "band: out_of_poverty", "band: \"officials' pick\""))
    scored = loads_and_scores(path, con, make_profile([{}]), 8)
    assert scored == [] or scored[0]["band"] == "officials' pick"


def test_points_are_scored_as_written(tmp_path: Path, con: duckdb.DuckDBPyConnection,
                                      make_profile: ProfileTable) -> None:
    text = edit(14, "max: 60", "max: 12.3456789", edit(16, "points: 60", "points: 12.3456789"))
    text = edit(4, "total: 100", "total: 52.3456789", text).replace(
        "from: 0, to: 60}", "from: 0, to: 12}").replace(
        "from: 60, to: 80}", "from: 12, to: 52}").replace(
        "from: 80, to: 100}", "from: 52, to: 52.3456789}")
    card = load_scorecard(write(tmp_path, text))
    [result] = score(con, card, make_profile([{"clothing_secure": False,
                                               "housing_grade": "D"}]))
    assert float(result["score"]) == pytest.approx(12.3456789, rel=1e-9)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    text = edit(20, '{when: "clothing_secure", points: 20}',
                '{when: "clothing_secure", points: 20}\n        levels:\n'
                '          - {when: "food_secure", points: 20}')
    with pytest.raises(RuleFileError, match="line 21"):
        load_scorecard(write(tmp_path, text))
