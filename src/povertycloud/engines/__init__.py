"""Engines the batch pipeline runs on: DuckDB (the default) and Spark."""

from __future__ import annotations

from .base import Engine

ENGINES = ("duckdb", "spark")


def check_engine(name: str) -> None:
    """Refuse an unknown engine name, before any work starts."""
    from ..errors import EngineError

    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")


def get_engine(name: str) -> Engine:
    """A new engine called ``name``; an unknown name is a clear error."""
    check_engine(name)
    if name == "duckdb":
        from .duckdb import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from .spark import SparkEngine

        return SparkEngine()
    raise AssertionError(name)


__all__ = ["ENGINES", "Engine", "check_engine", "get_engine"]
