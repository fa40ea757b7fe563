"""Households and their members for one county: composition, demography, health,
education and labour, as in poor rural areas (sources in docs/calibration.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..standard import codes

# numpy's typing cannot follow dtypes through arithmetic; the names document intent.
Ints = npt.NDArray[Any]
Floats = npt.NDArray[Any]
Bools = npt.NDArray[Any]

# Household types: share, head age range, chance of a spouse, chances of 0-3 children,
# how the children relate to the head, chances of 0-2 of the head's parents living in.
HOUSEHOLD_TYPES = (
    ("single_elder", 0.08, (60, 90), 0.0, (1, 0, 0, 0), "child", (1, 0, 0)),
    ("elder_couple", 0.12, (58, 85), 1.0, (1, 0, 0, 0), "child", (1, 0, 0)),
    ("young_couple", 0.05, (22, 34), 1.0, (0.6, 0.4, 0, 0), "child", (1, 0, 0)),
    ("nuclear", 0.40, (27, 55), 0.93, (0, 0.35, 0.45, 0.20), "child", (1, 0, 0)),
    ("three_generation", 0.25, (28, 50), 0.95, (0.05, 0.35, 0.4, 0.2), "child", (0, 0.5, 0.5)),
    ("skipped_generation", 0.05, (55, 80), 0.6, (0, 0.6, 0.4, 0), "grandchild", (1, 0, 0)),
    ("single_adult", 0.05, (22, 60), 0.0, (1, 0, 0, 0), "child", (1, 0, 0)),
)
MEAN_SIZE = 3.45  # measured mean of the types above, births excluded
# Ethnic groups of a minority area (GB/T 3304): Miao, Buyi, Dong, Tujia, Yi, Shui, Han.
MINORITY_GROUPS = (("06", 0.3), ("09", 0.2), ("12", 0.15), ("15", 0.1), ("07", 0.05),
                   ("25", 0.05), ("01", 0.15))


@dataclass
class People:
    """Members of a county's households, one entry per person, sorted by household."""

    household: Ints  # index into the county's households
    serial: Ints  # member number within the household, from 1
    relation: npt.NDArray[np.str_]
    age: Ints  # at the end of the last panel year
    male: Bools
    education: npt.NDArray[np.str_]
    in_school: Bools
    chronic: Bools
    disability_grade: Ints
    able: Bools  # of working age with the capacity to work
    migrant_months: Ints


def household_types(rng: np.random.Generator, n: int) -> Ints:
    shares = np.asarray([t[1] for t in HOUSEHOLD_TYPES])
    return rng.choice(len(HOUSEHOLD_TYPES), n, p=shares / shares.sum())


def members(rng: np.random.Generator, kinds: Ints, propensity: Floats) -> People:
    """Draw each household's members from its type; ``propensity`` (one per household,
    standard normal, higher is better off) shapes schooling, education and health."""
    slots = _slots(rng, kinds)
    order = np.lexsort((slots["slot"], slots["household"]))
    s = {k: v[order] for k, v in slots.items()}
    hh = s["household"]
    serial = _serials(hh)
    age, male = s["age"], s["male"]
    z = propensity[hh]
    education, in_school = _schooling(rng, age, z)
    chronic = rng.random(age.size) < _logistic(-3.0 + 0.05 * (age - 40) - 0.2 * z)
    disabled = rng.random(age.size) < _logistic(-3.05 + 0.03 * (age - 40) - 0.2 * z)
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], age.size, p=[.15, .25, .3, .3]), 0)
    able = (age >= 16) & (age < 65) & ~in_school & ((grade == 0) | (grade >= 3))
    migrant = able & (age <= 50) & (rng.random(age.size) < 0.7)
    months = np.where(migrant, rng.integers(3, 13, age.size), 0)
    return People(hh, serial, s["relation"], age, male, education, in_school, chronic,
                  grade.astype(np.int64), able, months.astype(np.int64))


def _slots(rng: np.random.Generator, kinds: Ints) -> dict[str, npt.NDArray[Any]]:
    n = kinds.size
    lo = np.asarray([t[2][0] for t in HOUSEHOLD_TYPES])[kinds]
    hi = np.asarray([t[2][1] for t in HOUSEHOLD_TYPES])[kinds]
    head_age = rng.integers(lo, hi + 1)
    elder_single = kinds == 0
    head_male = rng.random(n) < np.where(elder_single, 0.45, 0.88)
    parts = [_part(np.arange(n), 0, "head", head_age, head_male)]
    spouse = rng.random(n) < np.asarray([t[3] for t in HOUSEHOLD_TYPES])[kinds]
    spouse_age = np.clip(head_age + np.round(rng.normal(-2, 3, n)).astype(np.int64), 18, 99)
    parts.append(_part(np.flatnonzero(spouse), 1, "spouse", spouse_age[spouse],
                       ~head_male[spouse]))
    n_kids = _draw_counts(rng, kinds, 4)
    grandkids = np.asarray([t[5] == "grandchild" for t in HOUSEHOLD_TYPES])[kinds]
    kid_max = np.where(grandkids, 15, np.clip(head_age - 20, 0, 25))
    for k in range(3):
        has = n_kids > k
        ages = rng.integers(0, kid_max[has] + 1)
        relation = np.where(grandkids[has], "grandchild", "child")
        boys = rng.random(has.sum()) < 0.53
        parts.append(_part(np.flatnonzero(has), 2 + k, relation, ages, boys))
    n_parents = _draw_counts(rng, kinds, 6)
    for k in range(2):
        has = n_parents > k
        ages = np.clip(head_age[has] + rng.integers(22, 33, has.sum()), 0, 100)
        parts.append(_part(np.flatnonzero(has), 5 + k, "parent", ages,
                           np.full(has.sum(), k == 0)))
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _part(households: Ints, slot: int, relation: object, ages: Ints,
          male: Bools) -> dict[str, npt.NDArray[Any]]:
    n = households.size
    return {"household": households, "slot": np.full(n, slot),
            "relation": np.broadcast_to(np.asarray(relation, dtype="<U12"), (n,)).copy(),
            "age": np.asarray(ages, dtype=np.int64), "male": np.asarray(male, dtype=bool)}


def _draw_counts(rng: np.random.Generator, kinds: Ints, column: int) -> Ints:
    table = np.asarray([t[column] for t in HOUSEHOLD_TYPES], dtype=float)
    cumulative = np.cumsum(table, axis=1)[kinds]
    counts: Ints = (rng.random(kinds.size)[:, None] > cumulative).sum(axis=1).astype(np.int64)
    return counts


def _serials(household: Ints) -> Ints:
    starts = np.r_[0, np.flatnonzero(np.diff(household)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, household.size]))
    serials: Ints = np.arange(household.size) - first + 1
    return serials


def _schooling(rng: np.random.Generator, age: Ints,
               z: Floats) -> tuple[npt.NDArray[np.str_], Bools]:
    u = rng.random(age.size)
    compulsory = (age >= 6) & (age <= 15)
    in_school = np.where(compulsory, u > _logistic(-4.2 - 1.2 * z),
                         np.where((age >= 16) & (age <= 18), u < _logistic(0.3 + 0.8 * z),
                                  (age >= 19) & (age <= 22) & (u < _logistic(-1.5 + 0.8 * z))))
    in_school |= (age >= 3) & (age <= 5) & (u < 0.7)
    # Adults: older cohorts and poorer households attended less school.
    score = rng.normal(0, 1, age.size) + 0.6 * z - 0.035 * np.clip(age - 30, 0, None)
    adult = np.select([score < -1.6, score < -0.3, score < 0.9, score < 1.6, score < 2.1],
                      ["none", "primary", "junior_secondary", "senior_secondary", "vocational"],
                      "tertiary")
    child = np.select([age < 3, age < 6, age < 12, age < 15, age < 18],
                      ["none", "preschool", "primary", "junior_secondary", "senior_secondary"],
                      "tertiary")
    left_early = ~in_school & (age < 19)
    child = np.where(left_early & (age >= 6), np.where(age < 12, "none", "primary"), child)
    return np.where(age < 19, child, adult), in_school


def _logistic(x: Floats | float) -> Floats:
    result: Floats = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
    return result


def labour_capacity(rng: np.random.Generator, people: People,
                    serious: Bools) -> npt.NDArray[np.str_]:
    """Labour capacity as the registry records it, from age, schooling and health."""
    age, grade = people.age, people.disability_grade
    lost = (((grade >= 1) & (grade <= 2)) | serious | (age >= 75)) & (age >= 16)
    weak = (age >= 60) | people.chronic | (grade >= 3)
    skilled = np.isin(people.education, ["senior_secondary", "vocational", "tertiary"]) | \
        (rng.random(age.size) < 0.08)
    return np.select([(age < 16) | people.in_school, lost, weak, skilled],
                     ["none", "lost", "weak", "skilled"], "normal")


def ethnicity(rng: np.random.Generator, minority_area: Bools) -> npt.NDArray[np.str_]:
    groups = np.asarray([g for g, _ in MINORITY_GROUPS])
    weights = np.asarray([w for _, w in MINORITY_GROUPS])
    local = groups[rng.choice(groups.size, minority_area.size, p=weights / weights.sum())]
    elsewhere = np.where(rng.random(minority_area.size) < 0.06, "06", "01")
    return np.where(minority_area, local, elsewhere)


def disability_kinds(rng: np.random.Generator, grade: Ints) -> npt.NDArray[np.str_]:
    kinds = np.asarray(codes.DISABILITY_KINDS[1:])
    p = np.asarray([0.12, 0.15, 0.02, 0.45, 0.08, 0.08, 0.10])
    return np.where(grade > 0, kinds[rng.choice(kinds.size, grade.size, p=p)], "none")
