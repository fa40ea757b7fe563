"""Columns derived from the compared ones before Splink compares them, once per record
rather than once per pair: both pinyin readings of each name (``pinyin.with_readings``)
and each address without its house number (``standard.addresses.without_house``)."""

from __future__ import annotations

import pyarrow as pa

from ..standard.addresses import without_house
from .config import LinkConfig
from .pinyin import with_readings


def with_derived(table: pa.Table, config: LinkConfig) -> pa.Table:
    """``table`` with the derived columns of ``config``'s names and addresses."""
    table = with_readings(table, config)
    for c in config.of_kind("address"):
        table = table.append_column(c.without_house, without_house(table.column(c.name)))
    return table
