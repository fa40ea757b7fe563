"""The household feature table built from a synthetic province."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.compute as pc

from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.feeds import write_feeds
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


def test_feeds_of_the_province_add_their_records_up_to_the_year(tmp_path: Path) -> None:
    """With ``synth --feeds`` written, each household counts its truly linked records
    dated up to the end of the year; without, the feeds' columns are absent."""
    root = tmp_path / "province"
    generate(SynthConfig(people=3_000, seed=5), root)
    write_feeds(root, root / "feeds", seed=5)
    later, _ = household_features(root, 2020)
    earlier, _ = household_features(root, 2016)
    plain, _ = household_features(root, 2020, feeds=False)
    assert "vehicles" in later.column_names and "vehicles" not in plain.column_names
    expected = duckdb.sql(f"""
        SELECT count(*) FROM '{root}/feeds/transport_vehicles.parquet' f
        JOIN '{root}/feeds/truth/transport_vehicles_links.parquet' k USING (record_id)
        JOIN '{root}/people.parquet' p USING (person_id)
        JOIN '{root}/household_years.parquet' y ON y.household_id = p.household_id
            AND y.year = 2020""").fetchone()
    assert expected is not None
    assert pc.sum(later.column("vehicles")).as_py() == expected[0] > 0
    assert pc.sum(earlier.column("vehicles")).as_py() < expected[0]  # registered later
    assert pc.min(later.column("past_surveys")).as_py() >= 1
    assert pc.max(household_features(root, 2014)[0].column("past_surveys")).as_py() == 0
