"""A long list read a page at a time: which page, how many rows a page, and what a page
says of the whole (its total, the number of pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    """Page ``number`` (from 1) of ``size`` rows."""

    number: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ConfigError(f"page {self.number}: pages are counted from 1")
        if not 1 <= self.size <= MAX_PER_PAGE:
            raise ConfigError(f"{self.size} rows a page: from 1 to {MAX_PER_PAGE}")

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def of(self, rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
        """This page's ``rows`` with the total and the number of pages."""
        return {"rows": rows, "total": total, "page": self.number, "per_page": self.size,
                "pages": max(1, -(-total // self.size))}
