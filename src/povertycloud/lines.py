"""The national rural poverty line by year, in nominal yuan per person per year.

Values and sources are in docs/calibration.md; the identification layer turns this into
versioned configuration. Poor means income strictly below the line.
"""

from __future__ import annotations

NATIONAL_LINE: dict[int, int] = {
    2010: 2300, 2011: 2536, 2012: 2625, 2013: 2736, 2014: 2800, 2015: 2855,
    2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000,
}


def line_for(year: int) -> int:
    """The line of ``year``; years after the table keep the last line."""
    if year < min(NATIONAL_LINE):
        raise ValueError(f"no poverty line before {min(NATIONAL_LINE)}")
    return NATIONAL_LINE[min(year, max(NATIONAL_LINE))]
