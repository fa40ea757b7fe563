"""The store: one DuckDB file, schema-versioned, the only door to the data.

``Store`` and its errors load DuckDB on first use (``from povertycloud.store import
Store``), so a module that only names queries or annotates with ``Store`` stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .queries import Queries

if TYPE_CHECKING:
    from .store import Params, Result, Row, Store, StoreConflict

_LAZY = ("Params", "Result", "Row", "Store", "StoreConflict")
__all__ = ["Params", "Queries", "Result", "Row", "Store", "StoreConflict"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
