"""A household feature table and its truth from a synthetic province, for tests and the
benchmark.

One row per household for one year: the year's survey (no income component), counts over
the members alive that year and their schooling against their age group's, the head, shocks
reported that year (disasters, job losses, new serious illnesses), a few ratios (land and
medical spending per member, workers' share), the village's attributes and village averages
of survey answers. Left out are incomes and everything the registry decided (registration,
exit, and the benefits that follow registration), since targeting must work before any of
that is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..engines import DuckDBEngine
from ..standard.tables import table_path

SCHOOL_YEARS = ("CASE education WHEN 'primary' THEN 6 WHEN 'junior_secondary' THEN 9 "
                "WHEN 'senior_secondary' THEN 12 WHEN 'vocational' THEN 12 "
                "WHEN 'tertiary' THEN 15 ELSE 0 END")


def features_sql(year: int) -> str:
    """Features per household in ``year`` over views ``household_years``, ``people``,
    ``households``, ``regions`` and ``events``."""
    y = int(year)
    return f"""
WITH alive AS (
    SELECT *, {y} - year(birth_date) AS age, {SCHOOL_YEARS} AS schooling
    FROM people
    WHERE year(birth_date) <= {y} AND (death_date IS NULL OR year(death_date) >= {y})
), adults AS (
    -- schooling relative to people born within the same five years (0 least, 1 most)
    SELECT household_id,
        (percent_rank() OVER cohort + cume_dist() OVER cohort) / 2 AS schooling_rank
    FROM alive WHERE age >= 16 AND NOT in_school
    WINDOW cohort AS (PARTITION BY age // 5 ORDER BY schooling)
), schooling AS (
    SELECT household_id, avg(schooling_rank) AS adult_schooling_rank
    FROM adults GROUP BY household_id
), members AS (
    SELECT household_id,
        count(*) FILTER (WHERE age < 16) AS children,
        count(*) FILTER (WHERE age BETWEEN 16 AND 64) AS working_age,
        count(*) FILTER (WHERE age >= 65) AS elders,
        count(*) FILTER (WHERE labour_capacity IN ('normal', 'skilled')) AS able_workers,
        count(*) FILTER (WHERE labour_capacity = 'skilled') AS skilled_workers,
        count(*) FILTER (WHERE labour_capacity IN ('weak', 'lost')) AS weak_workers,
        count(*) FILTER (WHERE chronic_illness) AS chronically_ill,
        count(*) FILTER (WHERE serious_illness) AS seriously_ill,
        count(*) FILTER (WHERE disability_grade BETWEEN 1 AND 2) AS severely_disabled,
        count(*) FILTER (WHERE disability_grade >= 3) AS mildly_disabled,
        count(*) FILTER (WHERE in_school AND age BETWEEN 15 AND 22) AS students_15_22,
        count(*) FILTER (WHERE in_school AND age BETWEEN 16 AND 18) AS teens_in_school,
        count(*) FILTER (WHERE in_school AND age BETWEEN 19 AND 22) AS young_adults_in_school,
        count(*) FILTER (WHERE NOT in_school AND age BETWEEN 6 AND 15) AS early_leavers,
        count(*) FILTER (WHERE age BETWEEN 16 AND 64 AND NOT in_school
                         AND disability_grade NOT IN (1, 2)) AS workers,
        count(*) FILTER (WHERE migrant_months > 0) AS migrants,
        sum(migrant_months) AS migrant_months,
        max(schooling) FILTER (WHERE age >= 16) AS max_adult_schooling,
        avg(schooling) FILTER (WHERE age >= 16) AS mean_adult_schooling,
        any_value(age) FILTER (WHERE relation = 'head') AS head_age,
        any_value(sex) FILTER (WHERE relation = 'head') AS head_sex,
        any_value(education) FILTER (WHERE relation = 'head') AS head_education,
        any_value(ethnicity) FILTER (WHERE relation = 'head') AS head_ethnicity
    FROM alive GROUP BY household_id
), shocks AS (
    SELECT household_id,
        count(*) FILTER (WHERE kind = 'disaster' AND year(event_date) = {y}) AS disasters,
        count(*) FILTER (WHERE kind = 'disaster' AND year(event_date) = {y} - 1)
            AS disasters_last_year,
        count(*) FILTER (WHERE kind = 'job_loss' AND year(event_date) = {y}) AS job_losses,
        count(*) FILTER (WHERE kind = 'serious_illness' AND year(event_date) = {y})
            AS illness_onsets
    FROM events WHERE year(event_date) BETWEEN {y} - 1 AND {y} GROUP BY household_id
)
SELECT hy.household_id, hy.members, hy.medical_expense, hy.education_expense,
    hy.debt_yuan, hy.asset_value_yuan, hy.land_mu, hy.livestock_units, hy.housing_grade,
    hy.housing_area_m2, hy.water_source, hy.drinking_water_safe, hy.electricity,
    hy.food_secure, hy.clothing_secure,
    m.* EXCLUDE (household_id), e.adult_schooling_rank,
    hy.land_mu / hy.members AS land_per_member,
    m.workers / hy.members AS worker_share,
    hy.medical_expense / hy.members AS medical_per_member,
    coalesce(s.disasters, 0) AS disasters,
    coalesce(s.disasters_last_year, 0) AS disasters_last_year,
    coalesce(s.job_losses, 0) AS job_losses,
    coalesce(s.illness_onsets, 0) AS illness_onsets,
    r.terrain, r.ethnic_minority_area, r.revolutionary_base, r.distance_to_county_km,
    r.road_access, r.water_access, r.electricity_access, r.internet_access,
    left(h.village_code, 6) AS county_code,
    avg((NOT hy.food_secure)::INT) OVER village AS village_food_insecure,
    avg((NOT hy.clothing_secure)::INT) OVER village AS village_clothing_insecure,
    avg(ln(1 + hy.asset_value_yuan)) OVER village AS village_log_assets,
    avg((hy.housing_grade IN ('C', 'D'))::INT) OVER village AS village_unsafe_housing
FROM household_years hy
JOIN households h USING (household_id)
JOIN regions r ON r.code = h.village_code
LEFT JOIN members m USING (household_id)
LEFT JOIN shocks s USING (household_id)
LEFT JOIN schooling e USING (household_id)
WHERE hy.year = {y}
WINDOW village AS (PARTITION BY h.village_code)
ORDER BY hy.household_id
"""


def truth_sql(year: int) -> str:
    """True welfare and poverty per household in ``year`` over the view ``truth``."""
    return f"""
SELECT household_id, true_income_per_capita, true_welfare, true_poor
FROM truth WHERE year = {int(year)} ORDER BY household_id
"""


def household_features(province_dir: Path, year: int) -> tuple[pa.Table, pa.Table]:
    """The features and the truth (``household_id``, ``true_income_per_capita``,
    ``true_welfare``, ``true_poor``) of every household of a generated province in
    ``year``, both in ``household_id`` order."""
    with DuckDBEngine(threads=1) as engine:  # parallel sums of doubles vary in their last bits
        for name in ("household_years", "people", "households", "regions", "events"):
            engine.register_parquet(name, table_path(province_dir, name))
        engine.register_parquet("truth", table_path(province_dir, "truth_household_years"))
        return engine.query(features_sql(year)), engine.query(truth_sql(year))


@dataclass(frozen=True)
class Split:
    """A province's households in one year, a random share of them labelled."""

    features: pa.Table
    truth: pa.Table
    labelled: pa.Table  # T: features plus ``welfare``, the true income per capita
    unlabelled: pa.Table  # P: features only
    unlabelled_truth: pa.Table  # the truth of P, in P's order, for evaluation only
    poverty_rate: float  # the true share of poor households in the year


def split(province_dir: Path, year: int, share: float, seed: int = 0) -> Split:
    """Label a random ``share`` of the households of ``year`` (T), leave the rest (P)."""
    features, truth = household_features(province_dir, year)
    labelled = np.random.default_rng(seed).random(features.num_rows) < share
    t, p = pa.array(labelled), pa.array(~labelled)
    welfare = truth.column("true_income_per_capita").filter(t)
    rate = float(np.mean(truth.column("true_poor").to_numpy(zero_copy_only=False)))
    return Split(features, truth, features.filter(t).append_column("welfare", welfare),
                 features.filter(p), truth.filter(p), rate)
