"""One engine seam: what differs between DuckDB and Spark is the engines' own (their
methods and dialects), so no module outside ``povertycloud.engines`` asks which engine
it runs on, and only ``engines/spark.py`` touches the Spark session."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "povertycloud"
ENGINE_NAMES = {"duckdb", "spark"}
# The Spark session's names, and what a session (``spark``, ``self.spark``) is asked.
SESSION_NAMES = {"SparkSession", "createDataFrame"}
SESSION_USES = {"sql", "read", "conf", "catalog", "sparkContext", "table", "createDataFrame"}


def _names_an_engine(node: ast.AST) -> bool:
    """A string constant naming an engine, alone or in a tuple, list or set."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.lower() in ENGINE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_an_engine(e) for e in node.elts)
    return False


def _asks_engine(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return any(_names_an_engine(side) for side in [node.left, *node.comparators])
    return isinstance(node, ast.MatchValue) and _names_an_engine(node.value)


def engine_questions(tree: ast.AST) -> list[int]:
    """Lines that compare something with an engine's name (``==``, ``in``, ``match``)."""
    return [node.lineno for node in ast.walk(tree) if _asks_engine(node)]


def _is_session(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "spark") or (
        isinstance(node, ast.Attribute) and node.attr == "spark")


def _uses_session(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in SESSION_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in SESSION_NAMES or (node.attr in SESSION_USES
                                              and _is_session(node.value))
    return isinstance(node, ast.ImportFrom) and any(a.name in SESSION_NAMES
                                                    for a in node.names)


def session_uses(tree: ast.AST) -> list[int]:
    """Lines that name the Spark session's class or ask a session for something."""
    return [getattr(node, "lineno", 0) for node in ast.walk(tree) if _uses_session(node)]


def _modules(*, outside: Path) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if not path.is_relative_to(outside):
            yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text("utf-8"))


def test_no_module_outside_the_engines_asks_which_engine_it_runs_on() -> None:
    found = [f"{name}:{line}" for name, tree in _modules(outside=PACKAGE / "engines")
             for line in engine_questions(tree)]
    assert not found, "compare with an engine's name outside engines/: " + ", ".join(found)


def test_only_the_spark_engine_touches_the_spark_session() -> None:
    found = [f"{name}:{line}" for name, tree in _modules(outside=PACKAGE / "engines" / "spark.py")
             for line in session_uses(tree)]
    assert not found, "the Spark session used outside engines/spark.py: " + ", ".join(found)


@pytest.mark.parametrize("source", [
    'if engine == "duckdb": pass',
    'if "spark" != dialect.name: pass',
    'ok = name in ("duckdb", "spark")',
    'match engine:\n    case "spark": pass',
])
def test_a_question_about_the_engine_is_caught(source: str) -> None:
    assert engine_questions(ast.parse(source))


@pytest.mark.parametrize("source", [
    "from pyspark.sql import SparkSession",
    "frame = self.spark.createDataFrame(rows)",
    'spark.sql("SELECT 1")',
    "engine.spark.read.parquet(path)",
    'self.spark.conf.set("spark.sql.shuffle.partitions", "4")',
])
def test_a_use_of_the_spark_session_is_caught(source: str) -> None:
    assert session_uses(ast.parse(source))


def test_engine_neutral_code_passes() -> None:
    source = ('engine = engines.get_engine("spark")\nengine.query("SELECT 1")\n'
              'if engine.in_store: pass\nimport povertycloud.engines.spark')
    tree = ast.parse(source)
    assert not engine_questions(tree) and not session_uses(tree)
