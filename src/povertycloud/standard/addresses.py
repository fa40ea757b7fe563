"""Addresses of the rural registry: "…镇…村8组131号", a village group (组) and at the end
a house number (号)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

HOUSE_NUMBER = "[0-9]+号$"  # a regular expression, read alike in Python and by Arrow


def without_house(addresses: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each address without its house number (its group's part); null where it ends in
    no house number or is nothing but one."""
    text = pc.cast(addresses, pa.string())
    cut = pc.replace_substring_regex(text, HOUSE_NUMBER, "")
    kept = pc.and_(pc.not_equal(cut, text), pc.not_equal(cut, ""))
    return pc.if_else(kept, cut, pa.scalar(None, pa.string()))
