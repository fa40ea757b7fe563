"""Statistical division codes: levels, ancestors, parents, validation, and the SQL
expressions evaluated in a real DuckDB."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povertycloud.standard import regions
from povertycloud.standard.codes import LEVELS

PROVINCE = "520000000000"
PREFECTURE = "520100000000"
COUNTY = "520121000000"
TOWNSHIP = "520121100000"
VILLAGE = "520121100200"
CHAIN = {"province": PROVINCE, "prefecture": PREFECTURE, "county": COUNTY,
         "township": TOWNSHIP, "village": VILLAGE}
OWN_LENGTH = {"province": 2, "prefecture": 2, "county": 2, "township": 3, "village": 3}


def _own(length: int) -> st.SearchStrategy[str]:
    """Digits for one level's own part, not all zero."""
    return st.text("0123456789", min_size=length, max_size=length).filter(
        lambda s: s.strip("0") != "")


@st.composite
def well_formed(draw: st.DrawFn) -> tuple[str, str]:
    """A well-formed code and its level."""
    level = draw(st.sampled_from(LEVELS))
    depth = LEVELS.index(level) + 1
    code = "".join(draw(_own(OWN_LENGTH[lv])) for lv in LEVELS[:depth])
    return code.ljust(12, "0"), level


twelve_digits = st.text("0123456789", min_size=12, max_size=12)


@pytest.mark.parametrize(("level", "code"), CHAIN.items())
def test_level_of(level: str, code: str) -> None:
    assert regions.level_of(code) == level


def test_level_of_reads_zeros_inside_a_level() -> None:
    assert regions.level_of("520121101000") == "township"  # township 101, no village
    assert regions.level_of("520121100010") == "village"  # village 010
    assert regions.level_of("500000000000") == "province"
    assert regions.level_of("520000000000") == "province"


def test_level_of_an_all_zero_code() -> None:
    with pytest.raises(ValueError, match="has no non-zero part"):
        regions.level_of("000000000000")


@pytest.mark.parametrize("level", LEVELS)
def test_ancestor(level: str) -> None:
    assert regions.ancestor(VILLAGE, level) == CHAIN[level]


def test_ancestor_at_its_own_level_is_itself() -> None:
    for level, code in CHAIN.items():
        assert regions.ancestor(code, level) == code


@pytest.mark.parametrize(("code", "expected"), [
    (VILLAGE, TOWNSHIP), (TOWNSHIP, COUNTY), (COUNTY, PREFECTURE), (PREFECTURE, PROVINCE),
    (PROVINCE, None),
])
def test_parent(code: str, expected: str | None) -> None:
    assert regions.parent(code) == expected


@given(well_formed())
def test_parent_is_one_level_up(code_level: tuple[str, str]) -> None:
    code, level = code_level
    up = regions.parent(code)
    if level == "province":
        assert up is None
    else:
        assert up is not None
        assert regions.level_of(up) == LEVELS[LEVELS.index(level) - 1]
        assert regions.problem(up) is None
        assert code.startswith(up[:regions.PREFIX_LENGTH[regions.level_of(up)]])


@given(well_formed())
def test_well_formed_codes_have_no_problem(code_level: tuple[str, str]) -> None:
    code, level = code_level
    assert regions.problem(code) is None
    assert regions.level_of(code) == level


@pytest.mark.parametrize("code", ["", "52012110020", "5201211002000", "52012110020X",
                                  "520121 00200", "-52012110020"])
def test_problem_wrong_shape(code: str) -> None:
    assert regions.problem(code) == "must be 12 digits"


def test_problem_all_zero() -> None:
    assert regions.problem("000000000000") == "region code '000000000000' has no non-zero part"


@pytest.mark.parametrize(("code", "expected"), [
    ("520000000200", "prefecture digits are zero in a village code"),
    ("520100000200", "county digits are zero in a village code"),
    ("520121000200", "township digits are zero in a village code"),
    ("000121100200", "province digits are zero in a village code"),
    ("520000100000", "prefecture digits are zero in a township code"),
    ("520021000000", "prefecture digits are zero in a county code"),
    ("000100000000", "province digits are zero in a prefecture code"),
])
def test_problem_zero_digits_in_an_upper_level(code: str, expected: str) -> None:
    assert regions.problem(code) == expected


@pytest.mark.parametrize("code", ["５２0121100200", "52012110020²"])
def test_problem_rejects_non_ascii_digits(code: str) -> None:
    assert regions.problem(code) == "must be 12 digits"


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def _evaluate(con: duckdb.DuckDBPyConnection, expressions: list[str],
              codes: list[str]) -> list[tuple[str, ...]]:
    """Each expression over ``code``, one row per code, in order."""
    columns = ", ".join(expressions)
    rows = con.execute(
        f"SELECT i, {columns} FROM (SELECT generate_subscripts($codes, 1) AS i, "
        "unnest($codes) AS code) ORDER BY i", {"codes": codes}).fetchall()
    return [tuple(row[1:]) for row in rows]


@settings(deadline=None, max_examples=50)
@given(codes=st.lists(well_formed(), min_size=1, max_size=40))
def test_sql_level_agrees_in_duckdb(con: duckdb.DuckDBPyConnection,
                                    codes: list[tuple[str, str]]) -> None:
    values = [c for c, _ in codes]
    assert _evaluate(con, [regions.sql_level("code")], values) == [
        (regions.level_of(c),) for c in values]


@settings(deadline=None, max_examples=50)
@given(codes=st.lists(st.one_of(twelve_digits, well_formed().map(lambda cl: cl[0])),
                      min_size=1, max_size=40))
def test_sql_ancestor_agrees_in_duckdb(con: duckdb.DuckDBPyConnection,
                                       codes: list[str]) -> None:
    expressions = [regions.sql_ancestor("code", level) for level in LEVELS]
    assert _evaluate(con, expressions, codes) == [
        tuple(regions.ancestor(c, level) for level in LEVELS) for c in codes]


def test_sql_level_of_the_chain(con: duckdb.DuckDBPyConnection) -> None:
    assert _evaluate(con, [regions.sql_level("code")], list(CHAIN.values())) == [
        (level,) for level in CHAIN]
