"""The household feature table built from a synthetic province."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from povertycloud.targeting.synthetic import Split, household_features, split

INCOME = {"wage_income", "business_income", "property_income", "transfer_income"}
REGISTRY = {"registration_status", "registration_year", "exit_year", "medical_insurance",
            "min_living_guarantee"}


def test_one_row_per_household_without_income(households: Split) -> None:
    features, truth = households.features, households.truth
    assert features.column("household_id").equals(truth.column("household_id"))
    assert pc.count_distinct(features.column("household_id")).as_py() == features.num_rows
    assert not (INCOME | REGISTRY) & set(features.column_names)
    assert {"members", "asset_value_yuan", "food_secure", "chronically_ill", "terrain",
            "head_education", "disasters", "county_code"} <= set(features.column_names)
    assert truth.column_names == ["household_id", "true_income_per_capita", "true_welfare",
                                  "true_poor"]


def test_members_alive_that_year_add_up(households: Split) -> None:
    f = households.features
    total = pc.add(pc.add(f.column("children"), f.column("working_age")), f.column("elders"))
    assert pc.all(pc.equal(total, f.column("members"))).as_py()


def test_split_labels_a_share_of_households(households: Split) -> None:
    n = households.features.num_rows
    assert households.labelled.num_rows + households.unlabelled.num_rows == n
    assert abs(households.labelled.num_rows / n - 0.4) < 0.05
    assert "welfare" not in households.unlabelled.column_names
    assert households.unlabelled_truth.column("household_id").equals(
        households.unlabelled.column("household_id"))
    assert 0 < households.poverty_rate < 1


def test_later_years_and_seeds(province: Path) -> None:
    features, truth = household_features(province, 2018)
    assert features.num_rows == truth.num_rows > 0
    a, b = split(province, 2014, 0.1, seed=1), split(province, 2014, 0.1, seed=1)
    assert a.labelled.equals(b.labelled)
