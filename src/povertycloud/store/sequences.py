"""Ids for many rows at once, in an order of the caller's choosing.

DuckDB gives the numbers of a sequence to the rows of one INSERT in the order of its
SELECT only up to a row group (122,880 rows); beyond that, in no fixed order, so a re-run
would number the same rows differently. A command that inserts many rows draws their
numbers first and numbers the rows itself, ``start + row_number() OVER (ORDER BY ...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store


def draw(store: Store, sequence: str, count: int) -> int:
    """Take ``count`` numbers from ``sequence``; returns the one before the first. They
    are consecutive unless another transaction draws from it at the same moment, and
    then an id taken twice fails the insert (a conflict: nothing written)."""
    return store.draw(sequence, count)
