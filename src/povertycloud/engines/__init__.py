"""Engines the batch pipeline and the linkage run on: DuckDB (the default) and Spark.

One table of them by name, one check of a name; what differs between them is theirs
(``Engine`` and its ``Dialect``), never a question the caller asks."""

from __future__ import annotations

from ..errors import EngineError
from .base import BatchMap, Dialect, Engine, StoreConnection
from .duckdb import DuckDBEngine
from .spark import SparkEngine  # imports PySpark only when a Spark engine starts

DEFAULT = DuckDBEngine.name
ENGINES: dict[str, type[Engine]] = {e.name: e for e in (DuckDBEngine, SparkEngine)}


def check_engine(name: str) -> type[Engine]:
    """The engine called ``name``; an unknown name is refused, before any work starts."""
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    return ENGINES[name]


def get_engine(name: str = DEFAULT) -> Engine:
    """A new engine called ``name``, of its own."""
    return check_engine(name)()


def for_store(store: StoreConnection, name: str = DEFAULT) -> Engine:
    """An engine called ``name`` to run plans over ``store`` (see ``Engine.in_store``)."""
    return check_engine(name).for_store(store)


def in_store(store: StoreConnection) -> Engine:
    """The engine that runs inside ``store``'s own database: what-if replays read its
    results with the stored tables."""
    return DuckDBEngine.for_store(store)


__all__ = ["DEFAULT", "ENGINES", "BatchMap", "Dialect", "DuckDBEngine", "Engine", "SparkEngine",
           "StoreConnection", "check_engine", "for_store", "get_engine", "in_store"]
