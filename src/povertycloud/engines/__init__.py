"""Engines the batch pipeline runs on: DuckDB (the default) and Spark."""

from __future__ import annotations

from .base import Engine

ENGINES = ("duckdb", "spark")


def get_engine(name: str) -> Engine:
    """A new engine called ``name``; an unknown name is a clear error."""
    from ..errors import EngineError

    if name == "duckdb":
        from .duckdb import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from .spark import SparkEngine

        return SparkEngine()
    raise EngineError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "get_engine"]
