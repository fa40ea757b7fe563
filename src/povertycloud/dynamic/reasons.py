"""The reasons a proposal can give, with the words shown to officers (a module of its own
so that the command line's help can list them without loading the re-evaluation)."""

import re
from typing import Any

REASONS = {
    "no_member_alive": "no member of the household is alive or still lives here",
    "moved_away": "the household moved away",
    "confirmed_conflict": "a conflict with department data was confirmed on verification",
    "income_stably_above_line": "income at or above the exit threshold in each recent survey",
    "guarantees_met": "every guarantee (food, clothing, education, health, housing, water) met",
    "income_below_line": "income below the poverty line",
    "income_near_line": "income below the monitoring threshold",
    "guarantee_failed": "a guarantee is not met",
    "sudden_hardship": "recent events cost a large share of a year's income",
    "risk_eliminated": "income stably above the monitoring band, guarantees met, no hardship",
    "exit_criteria_met": "every exit criterion of the region is met",
    "seen_on_a_visit": "found on a visit by an officer",
}

# What the platform writes in words into the registry (why a household, village or county
# changed status, a notice's note) or says to an officer (why a step is not theirs): the
# English the command line and the API show. The pages read such a text back as its code
# and values (:func:`parts_of`) and word it in their language.
WORDED = {
    "designated": "designated: registered incidence {incidence} % at the end of {year}",
    "exit_proposed": "exit proposed",
    "exit_rejected": "exit rejected: {note}",
    "decided": "{kind} (proposal {proposal})",
    "on_notice": "on notice {start} to {until} ({days} days)",
    "not_role": "'{step}' is taken by the role {roles}, not {role}",
    "not_level": "'{step}' is taken at the {level} over region {region}; {username}'s "
                 "jurisdiction is {user_region} ({user_level})",
    "own_approval": "{username} proposed {proposal} and may not approve it",
}
_PATTERNS = {code: re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text)))
             for code, text in WORDED.items()}


def worded(code: str, **values: Any) -> str:
    """The text ``code`` with its values (a kind of proposal in words)."""
    if "kind" in values:
        values["kind"] = str(values["kind"]).replace("_", " ")
    return WORDED[code].format(**values)


def parts_of(text: str | None) -> dict[str, Any] | None:
    """The code and values ({"code", "values"}) of a text :func:`worded` wrote; None for
    any other (a reason imported with the registry, an officer's note)."""
    for code, pattern in _PATTERNS.items():
        found = pattern.fullmatch(text or "")
        if found:
            values = found.groupdict()
            if "kind" in values:
                values["kind"] = values["kind"].replace(" ", "_")
            return {"code": code, "values": values}
    return None
