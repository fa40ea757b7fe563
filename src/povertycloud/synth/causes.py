"""The causes of poverty as the generator knows them: each cause pulls a household's
log income down by a known amount, so the true causes of a poor household are the pulls
that weigh (sources of the target shares in docs/calibration.md)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..standard.codes import CAUSES

# A pull at or below this (in log income) makes the cause count for a poor household.
WEIGHS = -0.10

# Pull of each cause when present, in log income.
PULL = {
    "serious_illness": -0.9, "chronic_illness": -0.4, "severe_disability": -0.45,
    "mild_disability": -0.15, "student": -0.15, "marriage": -0.35, "lack_of_land": -0.2,
    "lack_of_water": -0.15, "lack_of_skills": -0.18, "lack_of_capital": -0.2,
    "lack_of_labour": -0.45, "poor_transport": -0.2, "weak_motivation": -0.35,
}
CAUSE_INDEX = {c: i for i, c in enumerate(CAUSES)}


def as_strings(pulls: npt.NDArray[np.float64], poor: npt.NDArray[np.bool_]
               ) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    """Primary cause and ';'-joined causes of each poor row of ``pulls`` (rows by causes,
    the last column 'other' unused); empty strings for rows that are not poor."""
    names = np.asarray(CAUSES)
    weighs = (pulls <= WEIGHS) & poor[:, None]
    primary = np.where(poor, names[np.argmin(pulls, axis=1)], "")
    primary = np.where(poor & ~weighs.any(axis=1), "other", primary)
    joined = np.full(pulls.shape[0], "", dtype=object)
    for j in np.argsort(CAUSES):  # alphabetical, so the string is canonical
        add = weighs[:, j]
        sep = np.where(joined[add] == "", "", ";")
        joined[add] = joined[add] + sep + names[j]
    joined = np.where(poor & (joined == ""), "other", joined)
    return primary.astype(str), joined.astype(str)
