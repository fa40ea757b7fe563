"""The assessment's named statements (queries.sql beside it)."""

from __future__ import annotations

from ..assistance.plans import stamp
from ..store import Queries

QUERIES = Queries(__package__)

__all__ = ["QUERIES", "stamp"]
