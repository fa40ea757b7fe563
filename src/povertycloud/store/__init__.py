"""The store: one DuckDB file, schema-versioned, with batch imports and exports."""

from .store import Store, atomic, audit_entry, inserted, records, scalar

__all__ = ["Store", "atomic", "audit_entry", "inserted", "records", "scalar"]
