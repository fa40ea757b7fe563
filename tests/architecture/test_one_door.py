"""The store is the only door to the database: outside store/ and engines/ no module
imports DuckDB or reaches for a connection, and the web and the command line run no SQL
of their own (they call the domain, which asks the store)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "povertycloud"
DOORS = ("store", "engines")  # the only packages that hold a database connection
INTERFACES = ("web", "cli")
SQL = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER TABLE|WITH"
                 r"|COPY)\b.*\b(FROM|INTO|SET|TABLE|VIEW|INDEX|TO|AS|VALUES|SELECT)\b", re.S)


def modules(under: tuple[str, ...] = (), outside: tuple[str, ...] = ()
            ) -> Iterator[tuple[str, ast.Module]]:
    """The package's modules (those of the ``under`` packages only, when given)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        top = path.relative_to(PACKAGE).parts[0]
        if top not in outside and (not under or top in under):
            yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text("utf-8"))


def duckdb_imports(tree: ast.Module) -> list[int]:
    found = []
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        found += [node.lineno for n in names if n.split(".")[0] == "duckdb"]
    return found


def connections(tree: ast.Module) -> list[int]:
    """Lines reaching for a store's connection (``.con``)."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "con"]


def sql_literals(tree: ast.Module) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and SQL.match(node.value)]


def test_only_the_store_and_the_engines_import_duckdb() -> None:
    assert [f"{name}:{line}" for name, tree in modules(outside=DOORS)
            for line in duckdb_imports(tree)] == []


def test_nothing_outside_the_store_and_the_engines_holds_a_connection() -> None:
    assert [f"{name}:{line}" for name, tree in modules(outside=DOORS)
            for line in connections(tree)] == []


@pytest.mark.parametrize("interface", INTERFACES)
def test_the_interfaces_run_no_sql_of_their_own(interface: str) -> None:
    assert [f"{name}:{line}" for name, tree in modules(under=(interface,))
            for line in sql_literals(tree)] == []


@pytest.mark.parametrize(("check", "source"), [
    (duckdb_imports, "import duckdb"),
    (duckdb_imports, "def f():\n    from duckdb import connect"),
    (connections, "rows = store.con.execute('SELECT 1').fetchall()"),
    (sql_literals, "store.rows('SELECT count(*) FROM people')"),
    (sql_literals, 'store.execute("""\nINSERT INTO audit_log VALUES (1)""")'),
])
def test_each_check_catches_what_it_is_for(check: object, source: str) -> None:
    assert callable(check)
    assert check(ast.parse(source)) != []


@pytest.mark.parametrize("source", [
    "store.rows(QUERIES['open_flags'], [prefix])",
    "label = 'Create user'",  # words, not SQL
    "help_text = 'Select the region to show'",
])
def test_code_through_the_door_passes(source: str) -> None:
    tree = ast.parse(source)
    assert duckdb_imports(tree) == connections(tree) == sql_literals(tree) == []
