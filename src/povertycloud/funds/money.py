"""Money as integer fen, never float: yuan written with at most two decimals."""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import PovertyCloudError

YUAN = re.compile(r"[0-9]{1,13}(\.[0-9]{1,2})?")  # below 10^13 yuan: fen fit a BIGINT
YUAN_SQL = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"  # the same, for regexp_full_match


class MoneyError(PovertyCloudError):
    """An amount that is not yuan with at most two decimals."""


def fen(yuan: object) -> int:
    """``yuan`` (text, an int or a Decimal, not negative) in fen; a float, a third
    decimal, a sign or an exponent refused with the reason."""
    if isinstance(yuan, bool | float):
        raise MoneyError(f"{yuan!r}: an amount is written in yuan as text or a whole "
                         "number, never as a float")
    text = str(yuan).strip()
    if not YUAN.fullmatch(text):
        raise MoneyError(f"{text!r} is not an amount in yuan (digits, at most two "
                         "decimals, not negative: 1500 or 1500.50)")
    return int(Decimal(text) * 100)


def yuan(amount_fen: int) -> str:
    """Fen as yuan text with two decimals (and thousands separators)."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"
