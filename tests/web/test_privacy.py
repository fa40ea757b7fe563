"""Masks: a valid ID number keeps its region and last four; anything else shows at most
its last two characters."""

from __future__ import annotations

import pytest

from povertycloud.access.privacy import mask_id_number


@pytest.mark.parametrize(("value", "masked"), [
    ("52012119900101123X", "520121********123X"),
    ("5201211990", "********90"),  # truncated: no region, no birth date shown
    ("52012119900101123", "***************23"),
    ("123", "***"),
    ("", ""),
    (None, None),
])
def test_id_numbers_are_masked(value: str | None, masked: str | None) -> None:
    assert mask_id_number(value) == masked
