"""Resident identity numbers (GB 11643-1999): 6-digit address code, 8-digit birth date,
3-digit sequence (odd for men, even for women) and a check digit over the first 17."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import numpy.typing as npt

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits only, as SQL checks them


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def check_digits(digits: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    """Vectorised check characters for an (n, 17) array of digits."""
    remainders = (digits @ np.asarray(WEIGHTS, dtype=np.int64)) % 11
    return np.asarray(list(CHECK_CHARS))[remainders]


def problem(id_number: str, region_code: str | None = None) -> str | None:
    """Why ``id_number`` is invalid, or None when it is valid.

    With ``region_code``, the address code must be that region's county (its first six digits).
    """
    if len(id_number) != 18:
        return f"must have 18 characters, has {len(id_number)}"
    if not _ID_PATTERN.fullmatch(id_number):
        return "must be 17 digits and a digit or X"
    try:
        dt.datetime.strptime(id_number[6:14], "%Y%m%d")
    except ValueError:
        return f"birth date {id_number[6:14]} is not a valid date"
    if check_digit(id_number[:17]) != id_number[17]:
        return "check digit does not match (GB 11643)"
    if region_code is not None and id_number[:6] != region_code[:6]:
        return f"address code {id_number[:6]} is not that of region {region_code[:6]}"
    return None


def is_valid(id_number: str) -> bool:
    return problem(id_number) is None


def birth_date(id_number: str) -> dt.date:
    return dt.datetime.strptime(id_number[6:14], "%Y%m%d").date()


def sex(id_number: str) -> str:
    return "male" if int(id_number[16]) % 2 == 1 else "female"


def sql_check_digit(column: str) -> str:
    """A portable SQL expression for the check character of ``column``'s first 17 digits."""
    terms = " + ".join(f"CAST(SUBSTRING({column}, {i + 1}, 1) AS INTEGER) * {w}"
                       for i, w in enumerate(WEIGHTS))
    return f"SUBSTRING('{CHECK_CHARS}', (({terms}) % 11) + 1, 1)"


def sql_valid(column: str) -> str:
    """SQL that holds when ``column`` has the shape of an ID number (17 ASCII digits and a
    digit or X) and a right check character; region and birth date are not checked.
    Portable: DuckDB's SQL that transpiles to Spark's (no ``regexp_full_match``)."""
    return (f"CASE WHEN length({column}) = 18 AND regexp_matches({column}, "
            f"'^[0-9]{{17}}[0-9X]$') THEN SUBSTRING({column}, 18, 1) = "
            f"{sql_check_digit(column)} ELSE FALSE END")
