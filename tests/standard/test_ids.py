"""Resident identity numbers (GB 11643-1999): check digit, validation, birth date and sex,
and the SQL check digit evaluated in a real DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povertycloud.standard import ids

# Published examples: the standard's own (a woman born 1949-12-31 in Beijing's Chaoyang
# district, check character X) and the classic Guangdong example (a man born 1880-01-01).
VALID = ("11010519491231002X", "440524188001010014")

seventeen_digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


def with_check(first17: str) -> str:
    return first17 + ids.check_digit(first17)


@pytest.mark.parametrize("id_number", VALID)
def test_known_numbers_are_valid(id_number: str) -> None:
    assert ids.check_digit(id_number[:17]) == id_number[17]
    assert ids.problem(id_number) is None
    assert ids.is_valid(id_number)


def test_check_digit_by_hand() -> None:
    # 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5
    # + 0*8 + 0*4 + 2*2 = 167; 167 mod 11 = 2, and position 2 of "10X98765432" is X.
    assert ids.check_digit("11010519491231002") == "X"


def test_every_remainder_maps_to_its_character() -> None:
    # The last weight is 2, so stepping the 17th digit walks the remainders.
    seen = {ids.check_digit(f"1101051949123100{d}") for d in range(10)}
    seen |= {ids.check_digit(f"1101051949123101{d}") for d in range(10)}
    assert seen == set(ids.CHECK_CHARS)


@pytest.mark.parametrize(("id_number", "expected"), [
    ("", "must have 18 characters, has 0"),
    ("11010519491231002", "must have 18 characters, has 17"),
    ("11010519491231002X0", "must have 18 characters, has 19"),
])
def test_problem_wrong_length(id_number: str, expected: str) -> None:
    assert ids.problem(id_number) == expected


@pytest.mark.parametrize("id_number", [
    "11010519491231002x",  # lower-case x
    "1101051949123100 X",  # a space among the digits
    "A1010519491231002X",  # a letter in the address code
    "110105194912310X2X",  # X is only allowed last
    "11010519491231002Y",  # a check character that is neither digit nor X
    "-1010519491231002X",
])
def test_problem_bad_characters(id_number: str) -> None:
    assert ids.problem(id_number) == "must be 17 digits and a digit or X"


@pytest.mark.parametrize("date", ["19990230", "19990229", "19991301", "19990001", "19990132",
                                  "00000101"])
def test_problem_impossible_birth_date(date: str) -> None:
    id_number = with_check("110105" + date + "002")
    assert ids.problem(id_number) == f"birth date {date} is not a valid date"


def test_leap_day_is_a_valid_birth_date() -> None:
    assert ids.problem(with_check("110105" + "20000229" + "002")) is None


def test_problem_wrong_check_digit() -> None:
    for wrong in "0123456789":
        assert ids.problem("11010519491231002" + wrong) == "check digit does not match (GB 11643)"
    assert ids.problem("440524188001010013") == "check digit does not match (GB 11643)"


def test_problem_region_prefix() -> None:
    assert ids.problem("11010519491231002X", "110105001002") is None
    assert ids.problem("11010519491231002X", "110105") is None
    assert ids.problem("11010519491231002X", "110106001002") == (
        "address code 110105 is not that of region 110106")


def test_problem_checks_format_before_region() -> None:
    assert ids.problem("11010519491231002", "520121100200") == "must have 18 characters, has 17"


@pytest.mark.parametrize("id_number", [
    "１１０１０５19491231002X",
    "1101051949123100²X",
])
def test_problem_rejects_non_ascii_digits(id_number: str) -> None:
    assert ids.problem(id_number) == "must be 17 digits and a digit or X"


@pytest.mark.parametrize(("id_number", "born", "sex"), [
    ("11010519491231002X", dt.date(1949, 12, 31), "female"),
    ("440524188001010014", dt.date(1880, 1, 1), "male"),
])
def test_birth_date_and_sex(id_number: str, born: dt.date, sex: str) -> None:
    assert ids.birth_date(id_number) == born
    assert ids.sex(id_number) == sex


@given(st.integers(0, 999))
def test_sex_follows_the_parity_of_the_sequence(sequence: int) -> None:
    id_number = with_check(f"52012119800101{sequence:03d}")
    assert ids.sex(id_number) == ("male" if sequence % 2 else "female")


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
def test_birth_date_round_trips(born: dt.date) -> None:
    id_number = with_check("520121" + born.strftime("%Y%m%d") + "123")
    assert ids.problem(id_number) is None
    assert ids.birth_date(id_number) == born


@given(st.lists(seventeen_digits, min_size=1, max_size=50))
def test_check_digits_agrees_with_check_digit(numbers: list[str]) -> None:
    matrix = np.asarray([[int(c) for c in n] for n in numbers], dtype=np.int64)
    assert ids.check_digits(matrix).tolist() == [ids.check_digit(n) for n in numbers]


def test_check_digits_of_no_rows() -> None:
    assert ids.check_digits(np.empty((0, 17), dtype=np.int64)).shape == (0,)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@settings(deadline=None, max_examples=100)
@given(numbers=st.lists(seventeen_digits, min_size=1, max_size=50))
def test_sql_check_digit_agrees_in_duckdb(con: duckdb.DuckDBPyConnection,
                                          numbers: list[str]) -> None:
    rows = con.execute(
        f"SELECT i, {ids.sql_check_digit('n')} FROM "
        "(SELECT generate_subscripts($numbers, 1) AS i, unnest($numbers) AS n) ORDER BY i",
        {"numbers": numbers}).fetchall()
    assert [c for _, c in rows] == [ids.check_digit(n) for n in numbers]


def test_sql_check_digit_flags_the_bad_numbers(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.sql(
        f"SELECT n, {ids.sql_check_digit('n')} = SUBSTRING(n, 18, 1) FROM (VALUES "
        "('11010519491231002X'), ('440524188001010014'), ('440524188001010013')) t(n) "
        "ORDER BY n").fetchall()
    assert rows == [("11010519491231002X", True), ("440524188001010013", False),
                    ("440524188001010014", True)]
