"""Masks for sensitive values shown on screen, and the values that tell of a member's
health or disability: hidden together from a reader who may not unmask, the same way
for every household (a hidden value says nothing of whether the household is ill)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..standard.fields import Table

if TYPE_CHECKING:
    import pyarrow as pa

HIDDEN = "***"  # a sensitive value other than an ID number or a phone

# -- what tells of health or disability ----------------------------------------------------
HEALTH_CAUSES = frozenset({"illness", "disability"})
# events: a recovery tells of an illness
HEALTH_EVENTS = frozenset({"serious_illness", "disability", "recovery"})
# the monitoring list's reasons
HEALTH_REASONS = frozenset({"medical_expense_high", "illness_in_household", "disability",
                            "serious_illness"})
# the survey's fields
HEALTH_SURVEY_FIELDS = frozenset({"medical_expense"})
# a member's fields: hidden even when empty (an empty one would tell of no illness)
HEALTH_MEMBER_FIELDS = frozenset({"chronic_illness", "serious_illness", "disability_kind",
                                  "disability_grade"})
# the household profile's fields: a rule (a scorecard indicator) over one reveals it
HEALTH_PROFILE_FIELDS = frozenset({"seriously_ill", "chronically_ill", "severely_disabled",
                                   "disabled", "medical_expense", "illness_events"})
# the identification's conclusions drawn from them, hidden whole for every household: the
# causes, the measures they call for, the total of points that include health points, and
# what is read from that total. Its band, beside the points shown, tells whether health
# points carried the household over a boundary (points shown short of 60 in the band from
# 60: some health points); the proposal (at risk unless in the last band) and the
# priority (its rules read the band) tell the same. A learned cause's confidence and
# reasons (profile fields such as seriously_ill) go with the causes.
HEALTH_IDENTIFICATION = ("score", "band", "proposal", "priority", "primary_cause", "causes",
                         "measures", "cause_confidence", "cause_reasons")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def reveals_health(expression: str) -> bool:
    """Whether a rule's condition reads a health or disability field of the profile."""
    return not HEALTH_PROFILE_FIELDS.isdisjoint(_WORD.findall(expression))


def without_health(codes: list[str], health: frozenset[str]) -> list[str]:
    """``codes`` without those of ``health``: nothing stands in their place."""
    return [code for code in codes if code not in health]


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


def masked_value(name: str, value: Any) -> Any:
    """The value of the sensitive field ``name`` as shown to who may not unmask: an ID
    number or a phone in part, anything else hidden; an empty value stays empty, except
    a health field's."""
    if name in HEALTH_MEMBER_FIELDS | HEALTH_SURVEY_FIELDS:
        return HIDDEN
    if value in (None, ""):
        return value
    if name.endswith("id_number"):
        return mask_id_number(str(value))
    return mask_phone(str(value)) if name.endswith("phone") else HIDDEN


def masked_fields(table: Table) -> list[str]:
    """The fields of ``table`` masked for who may not unmask: the sensitive ones and
    those that tell of health."""
    return [f.name for f in table.fields
            if f.sensitive or f.name in HEALTH_MEMBER_FIELDS | HEALTH_SURVEY_FIELDS]


def masked_record(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the values of ``table``'s sensitive fields masked."""
    masked = masked_fields(table)
    return {k: masked_value(k, v) if k in masked else v for k, v in record.items()}


def masked_table(table: Table, data: pa.Table) -> pa.Table:
    """Rows of ``table`` (an export) as who may not unmask reads them, as the household
    file shows them: sensitive and health fields masked, health events left out."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "kind" in data.column_names and table.name == "events":
        data = data.filter(pc.invert(pc.is_in(data["kind"],
                                              pa.array(sorted(HEALTH_EVENTS)))))
    for name in masked_fields(table):
        if name in data.column_names:
            values = [masked_value(name, v) for v in data[name].to_pylist()]
            data = data.set_column(data.column_names.index(name), name,
                                   pa.array(values, pa.string()))
    return data
