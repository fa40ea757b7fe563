"""Addresses of the rural registry: "…镇…村8组131号", a village group (组) and at the end
a house number (号)."""

from __future__ import annotations

HOUSE_NUMBER = "[0-9]+号$"  # a regular expression, read alike in Python and in SQL


def sql_without_house(column: str) -> str:
    """SQL: the address in ``column`` without its house number (its group's part)."""
    return f"regexp_replace({column}, '{HOUSE_NUMBER}', '')"
