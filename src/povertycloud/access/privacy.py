"""Masks for sensitive values shown on screen."""

from __future__ import annotations

from typing import Any

from ..standard.fields import Table

HIDDEN = "***"  # a sensitive value other than an ID number or a phone


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


def masked_record(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the values of ``table``'s sensitive fields masked."""
    sensitive = {f.name for f in table.fields if f.sensitive}
    return {k: _masked(k, v) if k in sensitive else v for k, v in record.items()}


def _masked(name: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return mask_id_number(str(value)) if name.endswith("id_number") else HIDDEN
