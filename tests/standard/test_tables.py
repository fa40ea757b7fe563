"""The data-exchange standard is internally consistent."""

from __future__ import annotations

import pyarrow as pa
import pytest

from povertycloud.standard import codes
from povertycloud.standard.fields import SQL_TYPES, Field, Kind, Table, arrow_types
from povertycloud.standard.tables import TABLES, table

ALL = sorted(TABLES)


def _field(table_name: str, field_name: str) -> Field:
    return TABLES[table_name].field(field_name)


def test_tables_are_keyed_by_their_names() -> None:
    assert all(name == t.name for name, t in TABLES.items())
    assert set(TABLES) == {"regions", "households", "people", "household_years",
                           "status_changes", "events", "household_measures",
                           "truth_household_years"}


@pytest.mark.parametrize("name", ALL)
def test_primary_key_names_existing_fields(name: str) -> None:
    t = TABLES[name]
    assert t.primary_key
    assert len(set(t.primary_key)) == len(t.primary_key)
    for key in t.primary_key:
        assert key in t.names
        assert t.field(key).required, f"{name}.{key} is in the key but optional"


@pytest.mark.parametrize("name", ALL)
def test_field_names_are_unique(name: str) -> None:
    names = TABLES[name].names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", ALL)
def test_enum_fields_have_values(name: str) -> None:
    for f in TABLES[name].fields:
        if f.kind is Kind.ENUM:
            assert f.values, f"{name}.{f.name} has no values"
            assert len(set(f.values)) == len(f.values), f"{name}.{f.name}"
            assert all(isinstance(v, str) and v for v in f.values), f"{name}.{f.name}"
        else:
            assert f.values == (), f"{name}.{f.name} is not an enum but has values"


@pytest.mark.parametrize("name", ALL)
def test_references_point_to_an_existing_column(name: str) -> None:
    for f in TABLES[name].fields:
        if f.references is None:
            continue
        target_table, _, target_column = f.references.partition(".")
        assert target_table in TABLES, f"{name}.{f.name} -> {f.references}"
        assert target_column in TABLES[target_table].names, f"{name}.{f.name} -> {f.references}"
        target = TABLES[target_table].field(target_column)
        assert target.kind == f.kind, f"{name}.{f.name} -> {f.references}"
        # A reference lands on a column that identifies one row.
        assert TABLES[target_table].primary_key == (target_column,), f.references


def test_some_references() -> None:
    assert _field("regions", "parent_code").references == "regions.code"
    assert _field("households", "village_code").references == "regions.code"
    assert _field("events", "person_id").references == "people.person_id"
    for name in ("people", "household_years", "status_changes", "events",
                 "truth_household_years"):
        assert _field(name, "household_id").references == "households.household_id"


@pytest.mark.parametrize("name", ALL)
def test_bounds_are_ordered(name: str) -> None:
    for f in TABLES[name].fields:
        if f.minimum is not None and f.maximum is not None:
            assert f.minimum <= f.maximum, f"{name}.{f.name}"
        if f.minimum is not None or f.maximum is not None:
            assert f.kind in (Kind.INTEGER, Kind.NUMBER), f"{name}.{f.name}"


@pytest.mark.parametrize("name", ALL)
def test_region_levels_are_known(name: str) -> None:
    for f in TABLES[name].fields:
        if f.level is not None:
            assert f.kind is Kind.REGION_CODE, f"{name}.{f.name}"
            assert f.level in codes.LEVELS, f"{name}.{f.name}"


@pytest.mark.parametrize("name", ALL)
def test_fields_are_documented(name: str) -> None:
    for f in TABLES[name].fields:
        assert f.label_zh and f.description, f"{name}.{f.name}"


def test_every_kind_has_an_arrow_and_a_sql_type() -> None:
    assert set(arrow_types()) == set(Kind)
    assert set(SQL_TYPES) == set(Kind)


EXPECTED_ARROW = {
    ("regions", "code"): pa.string(),
    ("regions", "ethnic_minority_area"): pa.bool_(),
    ("regions", "distance_to_county_km"): pa.float64(),
    ("households", "household_id"): pa.int64(),
    ("households", "registration_year"): pa.int64(),
    ("people", "person_id"): pa.int64(),
    ("people", "id_number"): pa.string(),
    ("people", "birth_date"): pa.date32(),
    ("people", "death_date"): pa.date32(),
    ("people", "sex"): pa.string(),
    ("household_years", "land_mu"): pa.float64(),
    ("household_years", "wage_income"): pa.int64(),
    ("status_changes", "effective_date"): pa.date32(),
    ("truth_household_years", "true_poor"): pa.bool_(),
}


@pytest.mark.parametrize(("key", "arrow_type"), EXPECTED_ARROW.items())
def test_arrow_types_of_some_columns(key: tuple[str, str], arrow_type: pa.DataType) -> None:
    assert TABLES[key[0]].arrow_schema.field(key[1]).type == arrow_type


@pytest.mark.parametrize("name", ALL)
def test_arrow_schema(name: str) -> None:
    t: Table = TABLES[name]
    schema = t.arrow_schema
    assert schema.names == t.names
    for f in t.fields:
        arrow_field = schema.field(f.name)
        assert arrow_field.type == arrow_types()[f.kind]
        assert arrow_field.nullable == (not f.required)


def test_arrow_schema_nullability() -> None:
    people = TABLES["people"].arrow_schema
    assert not people.field("person_id").nullable
    assert people.field("death_date").nullable
    assert TABLES["regions"].arrow_schema.field("parent_code").nullable


def test_table_by_name() -> None:
    assert table("people") is TABLES["people"]


def test_unknown_table_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as info:
        table("persons")
    message = str(info.value)
    assert "'persons'" in message
    for name in TABLES:
        assert name in message


def test_unknown_field() -> None:
    with pytest.raises(KeyError, match="table 'people' has no field 'age'"):
        TABLES["people"].field("age")


def test_ground_truth_is_marked() -> None:
    assert [n for n, t in TABLES.items() if t.ground_truth] == ["truth_household_years"]
