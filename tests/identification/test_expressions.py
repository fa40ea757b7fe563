"""The rule language: what it accepts compiles to SQL that DuckDB evaluates as Python
would; what it refuses is refused with a message saying why; dividing by zero is NULL."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povertycloud.profile.expressions import (
    BOOLEAN,
    NUMBER,
    STRING,
    ExpressionError,
    FieldType,
    compile_expression,
)
from povertycloud.profile.household import profile_types

PythonEval = Callable[[str, dict[str, Any]], Any]

# A small table with every kind of field, in rows that cover signs, zero and each code.
FIELDS = {"x": FieldType(NUMBER), "n": FieldType(NUMBER), "p": FieldType(BOOLEAN),
          "q": FieldType(BOOLEAN), "code": FieldType(STRING, ("a", "b", "c"))}
ROWS: list[dict[str, Any]] = [
    {"x": 2.5, "n": 3, "p": True, "q": False, "code": "a"},
    {"x": -1.5, "n": -2, "p": False, "q": True, "code": "b"},
    {"x": 0.0, "n": 0, "p": True, "q": True, "code": "c"},
    {"x": 7.0, "n": 7, "p": False, "q": False, "code": "a"},
    {"x": -0.25, "n": 1, "p": True, "q": False, "code": "b"},
]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, x DOUBLE, n BIGINT, p BOOLEAN, q BOOLEAN, "
                "code VARCHAR)")
    for i, r in enumerate(ROWS):
        con.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
                    [i, r["x"], r["n"], r["p"], r["q"], r["code"]])
    yield con
    con.close()


def sql_values(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    return [v for (v,) in con.execute(f"SELECT {sql} FROM t ORDER BY id").fetchall()]


def same(sql_value: Any, py_value: Any) -> bool:
    if isinstance(py_value, bool | str):
        return bool(sql_value == py_value and type(sql_value) is type(py_value))
    return sql_value is not None and math.isclose(float(sql_value), py_value,
                                                   rel_tol=1e-9, abs_tol=1e-9)


def check_agrees(con: duckdb.DuckDBPyConnection, text: str, py_eval: PythonEval) -> int:
    """Compile ``text``, evaluate it in DuckDB and in Python on every row; returns how
    many rows were compared (rows where Python divides by zero are skipped)."""
    compiled = compile_expression(text, FIELDS)
    compared = 0
    for row, got in zip(ROWS, sql_values(con, compiled.sql), strict=True):
        try:
            want = py_eval(text, row)
        except ZeroDivisionError:
            continue
        assert same(got, want), f"{text!r} on {row}: SQL {got!r}, Python {want!r}"
        compared += 1
    return compared


# -- the documented language -----------------------------------------------------------------

ACCEPTED = [
    ("x + n * 2 - 1", NUMBER),
    ("x / 4 + n / 3", NUMBER),
    ("-x", NUMBER),
    ("- -n", NUMBER),
    ("x < 1.5 * n and not p", BOOLEAN),
    ("p or q and not p", BOOLEAN),
    ("0 <= n < 5", BOOLEAN),
    ("x >= n >= -2 > x", BOOLEAN),
    ("n == 3 or x != 0", BOOLEAN),
    ("code == 'a'", BOOLEAN),
    ("'b' == code", BOOLEAN),
    ("code != 'c'", BOOLEAN),
    ("code in ('a', 'b')", BOOLEAN),
    ("code not in ['a']", BOOLEAN),
    ("code in {'c'}", BOOLEAN),
    ("n in (1, 3, 7)", BOOLEAN),
    ("n not in (0,)", BOOLEAN),
    ("x if p else n", NUMBER),
    ("'a' if q else 'b'", STRING),
    ("(n > 0) if p else q", BOOLEAN),
    ("min(x, n)", NUMBER),
    ("max(x, n, 0.5)", NUMBER),
    ("abs(x - n)", NUMBER),
    ("coalesce(x, n)", NUMBER),
    ("coalesce(code, 'b') == 'a'", BOOLEAN),
    ("true", BOOLEAN),
    ("false or p", BOOLEAN),
    ("True and not False", BOOLEAN),
    ("p == q", BOOLEAN),
    ("p != (n > 1)", BOOLEAN),
    ("min(max(n, 0), 1) * 0.45", NUMBER),
    ("  x > 0  ", BOOLEAN),
]


@pytest.mark.parametrize(("text", "kind"), ACCEPTED)
def test_the_documented_language_compiles_and_agrees_with_python(
        con: duckdb.DuckDBPyConnection, py_eval: PythonEval, text: str, kind: str) -> None:
    assert compile_expression(text, FIELDS).kind == kind
    assert check_agrees(con, text.strip(), py_eval) > 0


def test_shipped_style_rules_compile_against_the_profile() -> None:
    fields = profile_types()
    compiled = compile_expression("income_per_capita < 1.5 * poverty_line and not road_access",
                                  fields, BOOLEAN)
    assert compiled.kind == BOOLEAN
    assert '"income_per_capita"' in compiled.sql and '"road_access"' in compiled.sql
    assert compile_expression("housing_grade in ('A', 'B')", fields).kind == BOOLEAN


def test_strings_are_quoted_as_sql_literals(con: duckdb.DuckDBPyConnection) -> None:
    fields = {"name": FieldType(STRING)}
    compiled = compile_expression("name == \"it's\"", fields)
    assert "'it''s'" in compiled.sql
    assert con.execute(f"SELECT {compiled.sql} FROM (SELECT 'it''s' AS name)"
                       ).fetchone() == (True,)


def test_expect_accepts_the_right_kind() -> None:
    assert compile_expression("n + 1", FIELDS, NUMBER).kind == NUMBER
    assert compile_expression("p", FIELDS, BOOLEAN).kind == BOOLEAN


# -- division ---------------------------------------------------------------------------------


def test_division_by_zero_is_null_not_an_error(con: duckdb.DuckDBPyConnection) -> None:
    assert sql_values(con, compile_expression("x / 0", FIELDS).sql) == [None] * len(ROWS)
    values = sql_values(con, compile_expression("n / x", FIELDS).sql)
    assert values[2] is None  # x is 0 in the third row
    assert values[0] == pytest.approx(3 / 2.5)


def test_a_condition_over_a_division_by_zero_does_not_hold(
        con: duckdb.DuckDBPyConnection) -> None:
    compiled = compile_expression("n / (x - x) > 1", FIELDS, BOOLEAN)
    assert sql_values(con, f"COALESCE({compiled.sql}, FALSE)") == [False] * len(ROWS)


def test_division_is_real_division(con: duckdb.DuckDBPyConnection) -> None:
    assert sql_values(con, compile_expression("7 / 2", FIELDS).sql)[0] == 3.5
    assert sql_values(con, compile_expression("n / 2", FIELDS).sql)[0] == 1.5


# -- refusals ---------------------------------------------------------------------------------

REFUSED = [
    ("unknown field", "food_secur", "unknown field 'food_secur'"),
    ("unknown field in a function", "min(members, nobody)", "unknown field 'nobody'"),
    ("syntax error", "members >", "syntax error"),
    ("unbalanced", "(members > 1", "syntax error"),
    ("statement", "members = 1", "syntax error"),
    ("attribute access", "members.real > 0", "is not allowed"),
    ("dunder attribute", "members.__class__", "is not allowed"),
    ("subscript", "members[0] > 1", "is not allowed"),
    ("lambda", "(lambda: 1)() > 0", "not allowed"),
    ("bare lambda", "lambda m: m", "is not allowed"),
    ("list comprehension", "[m for m in members]", "is not allowed"),
    ("generator", "max(m for m in members) > 1", "is not allowed"),
    ("set comprehension", "{m for m in members}", "is not allowed"),
    ("dict", "{'a': 1}", "is not allowed"),
    ("call of len", "len(members) > 1", "function 'len' is not allowed"),
    ("call of round", "round(income_per_capita) > 1", "function 'round' is not allowed"),
    ("call of a method", "members.bit_length() > 1", "is not allowed"),
    ("__import__", "__import__('os')", "function '__import__' is not allowed"),
    ("__import__ chained", "__import__('os').system('true') == 0", "is not allowed"),
    ("eval", "eval('1') > 0", "function 'eval' is not allowed"),
    ("keyword arguments", "min(members, default=1) > 0", "is not allowed"),
    ("abs of two", "abs(members, 1) > 0", "wrong number of arguments"),
    ("min of one", "min(members) > 0", "wrong number of arguments"),
    ("max of none", "max() > 0", "wrong number of arguments"),
    ("min of booleans", "min(food_secure, road_access)", "wrong kind"),
    ("coalesce of mixed kinds", "coalesce(members, food_secure)", "wrong kind"),
    ("number with string", "members == 'four'", "cannot compare number"),
    ("string with number", "housing_grade < 3", "cannot compare string"),
    ("boolean with number", "food_secure == 1", "cannot compare boolean"),
    ("code value unknown", "housing_grade == 'E'", "'E' is not a value of housing_grade"),
    ("code value unknown, reversed", "'E' == housing_grade", "'E' is not a value"),
    ("code value unknown in a list", "housing_grade in ('A', 'Z')", "'Z' is not a value"),
    ("code value unknown in not in", "terrain not in ['desert']", "'desert' is not a value"),
    ("in a field", "housing_grade in water_source", "needs a list"),
    ("in an empty list", "members in ()", "needs a list"),
    ("in with fields", "members in (labourers, 2)", "lists only constants"),
    ("in with mixed kinds", "members in (1, 'two')", "another kind"),
    ("and of numbers", "members and food_secure", "a boolean is needed"),
    ("or of a string", "food_secure or housing_grade", "a boolean is needed"),
    ("not of a number", "not members", "a boolean is needed"),
    ("if over a number", "1 if members else 0", "a boolean is needed"),
    ("branches of two kinds", "1 if food_secure else 'A'", "must be of one kind"),
    ("arithmetic on booleans", "food_secure + 1", "a number is needed"),
    ("arithmetic on strings", "housing_grade * 2", "a number is needed"),
    ("negated boolean", "-food_secure", "a number is needed"),
    ("unary plus", "+members", "is not allowed"),
    ("power", "members ** 2", "is not allowed"),
    ("floor division", "members // 2", "is not allowed"),
    ("modulo", "members % 2", "is not allowed"),
    ("bitwise", "food_secure & road_access", "is not allowed"),
    ("none", "None", "not allowed"),
    ("bytes", "b'x'", "not allowed"),
    ("f-string", "f'{members}'", "not allowed"),
    ("walrus", "(m := 1)", "is not allowed"),
    ("starred", "min(*members)", "is not allowed"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in REFUSED])
def test_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        compile_expression(text, profile_types())


@pytest.mark.parametrize(("text", "expect", "message"), [
    ("members + 1", BOOLEAN, "gives a number, a boolean is needed"),
    ("housing_grade", BOOLEAN, "gives a string, a boolean is needed"),
    ("food_secure", NUMBER, "gives a boolean, a number is needed"),
])
def test_the_wrong_kind_where_a_kind_is_expected(text: str, expect: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_expression(text, profile_types(), expect)


# -- generated expressions --------------------------------------------------------------------

NUMBER_LEAVES = st.one_of(
    st.sampled_from(["x", "n"]),
    st.integers(0, 9).map(str),
    st.integers(0, 12).map(lambda k: repr(k / 4)),
)
BOOLEAN_LEAVES = st.sampled_from(["p", "q", "true", "false", "True", "False",
                                  "(code == 'a')", "(code != 'b')",
                                  "(code in ('a', 'c'))", "(code not in ['b'])"])


@st.composite
def number_expr(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(NUMBER_LEAVES)
    kind = draw(st.sampled_from(["binop", "binop", "neg", "call", "abs", "if"]))
    if kind == "binop":
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        return f"({draw(number_expr(depth - 1))} {op} {draw(number_expr(depth - 1))})"
    if kind == "neg":
        return f"-{draw(number_expr(depth - 1))}"
    if kind == "abs":
        return f"abs({draw(number_expr(depth - 1))})"
    if kind == "if":
        return (f"({draw(number_expr(depth - 1))} if {draw(boolean_expr(depth - 1))} "
                f"else {draw(number_expr(depth - 1))})")
    name = draw(st.sampled_from(["min", "max", "coalesce"]))
    args = draw(st.lists(number_expr(depth - 1), min_size=2, max_size=3))
    return f"{name}({', '.join(args)})"


@st.composite
def boolean_expr(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(BOOLEAN_LEAVES)
    kind = draw(st.sampled_from(["compare", "compare", "chain", "and", "or", "not", "in",
                                 "if", "booleq"]))
    if kind == "compare":
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"({draw(number_expr(depth - 1))} {op} {draw(number_expr(depth - 1))})"
    if kind == "chain":
        a, b, c = (draw(number_expr(depth - 1)) for _ in range(3))
        return f"({a} < {b} <= {c})"
    if kind in ("and", "or"):
        return f"({draw(boolean_expr(depth - 1))} {kind} {draw(boolean_expr(depth - 1))})"
    if kind == "not":
        return f"(not {draw(boolean_expr(depth - 1))})"
    if kind == "in":
        values = draw(st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True))
        word = draw(st.sampled_from(["in", "not in"]))
        return f"({draw(number_expr(depth - 1))} {word} ({', '.join(map(str, values))},))"
    if kind == "if":
        return (f"({draw(boolean_expr(depth - 1))} if {draw(boolean_expr(depth - 1))} "
                f"else {draw(boolean_expr(depth - 1))})")
    return f"({draw(boolean_expr(depth - 1))} == {draw(boolean_expr(depth - 1))})"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(number_expr(), boolean_expr()))
def test_generated_expressions_agree_with_python(con: duckdb.DuckDBPyConnection,
                                                 py_eval: PythonEval, text: str) -> None:
    check_agrees(con, text, py_eval)


# -- bugs -------------------------------------------------------------------------------------


def test_large_constants_do_not_overflow(con: duckdb.DuckDBPyConnection) -> None:
    compiled = compile_expression("n < 100000 * 100000", FIELDS, BOOLEAN)
    assert sql_values(con, compiled.sql) == [True] * len(ROWS)


@pytest.mark.parametrize("text", ["food_secure is true", "members is not labourers"])
def test_identity_comparisons_are_refused_as_expression_errors(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text, profile_types())
