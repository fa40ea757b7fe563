"""How one birth date is written wrong by clerks: day and month swapped, one day off,
the day wrong within the right month. Two dates that differ otherwise are two people's
(strong evidence against a match). SQL conditions in DuckDB's dialect (Splink
translates them for Spark)."""

from __future__ import annotations


def swapped(a: str, b: str) -> str:
    """Day and month swapped (3 April for 4 March)."""
    return f"year({a}) = year({b}) AND month({a}) = day({b}) AND day({a}) = month({b})"


def one_day(a: str, b: str) -> str:
    return f"abs(date_diff('day', {a}, {b})) <= 1"


def same_month(a: str, b: str) -> str:
    return f"year({a}) = year({b}) AND month({a}) = month({b})"


def one_birth_date(a: str, b: str) -> str:
    """The dates ``a`` and ``b`` may be one person's: equal, or a clerk's fault apart."""
    return (f"({a} = {b} OR ({swapped(a, b)}) OR {one_day(a, b)} "
            f"OR ({same_month(a, b)}))")
