"""The tables a store is known to hold, remembered by a process for every handle.

Pages ask whether a table exists (``Store.has_table``) before reading it, and on
PostgreSQL each such question is a query of the catalogue: one or two per page. A table
once seen is remembered until a statement of this process may have dropped or renamed
one (the memory is then forgotten whole), so only a table not yet seen is asked for
again, and a new one is found as soon as it is made. A table another process drops is
still believed in: the statement that reads it fails, as it would have a moment later.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

# what may drop or rename a table: also DDL run in PostgreSQL, and a rollback of a CREATE
_RESHAPES = re.compile(r"\b(?:DROP|ALTER|RENAME|ROLLBACK|DETACH|postgres_execute|"
                       r"pg_clear_cache)\b", re.IGNORECASE)


class KnownTables:
    """Names of tables seen to exist; thread-safe, shared by a store and its cursors."""

    def __init__(self) -> None:
        self._names: frozenset[str] = frozenset()
        self._era = 0  # counts the times the memory was forgotten
        self._lock = threading.Lock()

    def holds(self, name: str) -> bool:
        return name in self._names

    @property
    def era(self) -> int:
        return self._era

    def seen(self, names: Iterable[str], era: int) -> None:
        """Remember ``names``, listed when the memory was in ``era`` (not if it has been
        forgotten since: the listing may hold a table dropped meanwhile)."""
        with self._lock:
            if era == self._era:
                self._names = self._names.union(names)

    def ran(self, sql: str) -> None:
        """Forget everything if ``sql`` may have dropped or renamed a table."""
        if _RESHAPES.search(sql):
            with self._lock:
                self._era += 1
                self._names = frozenset()
