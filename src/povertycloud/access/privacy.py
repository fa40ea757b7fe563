"""Masks for sensitive values shown on screen."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str | None:
    """The first six (the region) and last four characters: 520121********123X; a value
    of another length (a malformed one, say) shows its last two at most."""
    if not value:
        return value
    if len(value) != 18:
        shown = value[-2:] if len(value) > 6 else ""
        return "*" * (len(value) - len(shown)) + shown
    return value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """The first three and last four digits: 138****5678."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
