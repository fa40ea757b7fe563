"""Render the fields rules may use as Markdown (docs/rule-fields.md)."""

from __future__ import annotations

from ..profile.expressions import FieldType
from ..profile.household import (
    DERIVED,
    EVENT_COUNTS,
    MEMBER_COUNTS,
    MEMBER_FIELDS,
    SURVEY_FIELDS,
    VILLAGE_FIELDS,
    profile_types,
)


def render_rule_fields() -> str:
    types = profile_types()
    lines = [
        "# Fields for rules",
        "",
        "Generated from `src/povertycloud/profile/household.py` by `povertycloud docs`; "
        "do not edit by hand. The rule language is described in "
        "[identification.md](identification.md).",
        "",
        "## Household fields",
        "",
        "Scorecard levels, household guarantee checks, cause strengths and measure "
        "conditions are written over these fields of the household profile (one row per "
        "household and survey year).",
        "",
        "| field | kind | values | meaning |",
        "|---|---|---|---|",
    ]
    for f in SURVEY_FIELDS:
        lines.append(_row(f.name, types[f.name], f"{f.description} (annual survey)"))
    for name, (_, sql) in DERIVED.items():
        lines.append(_row(name, types[name], f"derived: `{sql}`"))
    for name, cond in MEMBER_COUNTS.items():
        lines.append(_row(name, types[name], f"living members with `{cond}`"))
    for name, kind in EVENT_COUNTS.items():
        lines.append(_row(name, types[name], f"`{kind}` events in the year"))
    for f in VILLAGE_FIELDS:
        lines.append(_row(f.name, types[f.name], f"{f.description} (the village)"))
    lines += ["", "## Member fields", "",
              "Member guarantee checks (`member_fails`) and the member counts above are "
              "written over these fields of one living member in the survey year.", "",
              "| field | kind | values |", "|---|---|---|"]
    for name, (t, _) in MEMBER_FIELDS.items():
        lines.append(f"| `{name}` | {t.kind} | {', '.join(t.values)} |")
    lines += ["", "Measure and priority conditions may also use `score`, `band`, "
              "`guarantees_failed`, `income_below_line` and `g_<check>` (true when the check "
              "passes)."]
    return "\n".join(lines) + "\n"


def _row(name: str, t: FieldType, meaning: str) -> str:
    return f"| `{name}` | {t.kind} | {', '.join(t.values)} | {meaning} |"
