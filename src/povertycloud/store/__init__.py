"""The store: one DuckDB file, schema-versioned, with batch imports and exports."""

from .store import Store, records

__all__ = ["Store", "records"]
