"""The poverty line by year, from a versioned rule file (rules/poverty_lines.yaml by
default). Poor means income strictly below the line of the year assessed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .rulefiles import Reader, RuleSet, header, load, shipped

DEFAULT = "poverty_lines.yaml"


@dataclass(frozen=True)
class PovertyLines(RuleSet):
    monitoring_factor: float
    by_year: dict[int, int]

    def line_for(self, year: int) -> int:
        """The line of ``year``; years after the table keep the last line."""
        first = min(self.by_year)
        if year < first:
            raise ValueError(f"no poverty line before {first}")
        return self.by_year[min(year, max(self.by_year))]


def load_lines(path: Path | None = None) -> PovertyLines:
    """Load and check a poverty-line file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "lines")
    by_year: dict[int, int] = {}
    for item in top.items("years"):
        r = Reader(path, item, "year")
        year = int(r.get("year", int))
        r.what = f"year {year}"
        line = r.get("line", int)
        if line <= 0:
            raise r.fail(f"the line must be positive, not {line}")
        if year in by_year:
            raise r.fail("appears twice")
        by_year[year] = int(line)
    if not by_year:
        raise top.fail("no years")
    missing = sorted(set(range(min(by_year), max(by_year) + 1)) - set(by_year))
    if missing:
        raise top.fail(f"the years must follow each other; missing {missing}")
    factor = float(top.get("monitoring_factor", (int, float), 1.5))
    return PovertyLines(**header(top), monitoring_factor=factor, by_year=by_year)


@cache
def national() -> PovertyLines:
    return load_lines()


def line_for(year: int) -> int:
    """The national line of ``year`` (the shipped file)."""
    return national().line_for(year)


NATIONAL_LINE = national().by_year
