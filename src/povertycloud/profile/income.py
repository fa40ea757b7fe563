"""A household's income in a survey year, defined once: its net income is the sum of the
survey's four incomes, its income per head that sum over its members. The profile, the
re-evaluation, early warning and the timeline all read these."""

from __future__ import annotations

INCOMES = ("wage_income", "business_income", "property_income", "transfer_income")


def net_income_sql(survey: str = "hy") -> str:
    """The net income of the survey row ``survey`` (a table alias of household_years)."""
    return "(" + " + ".join(f"{survey}.{income}" for income in INCOMES) + ")"


def income_per_capita_sql(survey: str = "hy") -> str:
    """The net income per member of the survey row ``survey``, in yuan to the fen."""
    return f"ROUND(CAST({net_income_sql(survey)} AS DOUBLE) / {survey}.members, 2)"
