"""The reasons a proposal can give, with the words shown to officers (a module of its own
so that the command line's help can list them without loading the re-evaluation)."""

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
