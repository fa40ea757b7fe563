"""Field verifications for the synthetic province, as officers would record them: a
share of the households surveyed in a year visited, their true poverty, causes and
income (from the truth tables) written as the verification file that
``verification import`` takes. Deterministic for a seed."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..intake.verifications import COLUMNS
from ..store import Store


def write_verifications(store: Store, year: int, share: float, path: Path,
                        seed: int = 1, verifier: str = "field_officer",
                        prefix: str = "") -> int:
    """Write the verifications of ``share`` of the households under ``prefix`` surveyed in
    ``year`` (visited the next 15 March) to ``path`` (CSV); returns how many."""
    if not 0 < share <= 1:
        raise ValueError(f"the share verified is above 0 and at most 1, not {share}")
    rows = store.rows(
        "SELECT t.household_id, t.true_poor, t.primary_cause, t.causes, "
        "round(t.true_income_per_capita, 2) FROM truth_household_years t JOIN households h "
        "USING (household_id) WHERE t.year = ? AND starts_with(h.village_code, ?) AND "
        "hash(t.household_id + ?) % 1000000 < ? ORDER BY t.household_id",
        [year, prefix, seed, round(share * 1_000_000)])
    day = dt.date(year + 1, 3, 15).isoformat()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow([*COLUMNS, "verifier"])
        out.writerows([h, day, "yes" if poor else "no", cause or "", causes or "", income,
                       verifier] for h, poor, cause, causes, income in rows)
    return len(rows)


def share_to_learn(store: Store, year: int, share: float = 0.1, poor: int = 200) -> float:
    """``share`` of the year's households, or in a small province a larger one, enough
    to visit about ``poor`` truly poor households (a model of causes needs a hundred)."""
    found = store.scalar("SELECT count(*) FILTER (WHERE true_poor) FROM "
                         "truth_household_years WHERE year = ?", [year])
    return min(1.0, max(share, poor / max(found, 1)))
