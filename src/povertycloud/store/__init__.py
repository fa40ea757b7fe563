"""The store: one DuckDB file, schema-versioned, the only door to the data."""

from .queries import Queries
from .store import Params, Result, Row, Store, StoreConflict

__all__ = ["Params", "Queries", "Result", "Row", "Store", "StoreConflict"]
