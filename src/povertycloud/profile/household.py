"""The household profile: every field a rule may use, one row per household and year.

It joins the annual survey, counts of members in situations that matter (each count is a
rule-language condition over the member fields), the head's age and education, the
village's attributes and the year's events. Rules (scorecards, guarantees, causes,
priorities) are checked against these fields and compiled to SQL over this table.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..standard import codes
from ..standard.tables import HOUSEHOLD_YEARS, REGIONS
from .expressions import BOOLEAN, NUMBER, STRING, FieldType, compile_expression
from .income import income_per_capita_sql, net_income_sql

# Fields of one member in one year, for member conditions, with their SQL over people p
# ({year}: the survey year).
MEMBER_FIELDS: dict[str, tuple[FieldType, str]] = {
    "age": (FieldType(NUMBER), "{year} - EXTRACT(YEAR FROM p.birth_date)"),
    "sex": (FieldType(STRING, codes.SEXES), "p.sex"),
    "relation": (FieldType(STRING, codes.RELATIONS), "p.relation"),
    "education": (FieldType(STRING, codes.EDUCATION), "p.education"),
    "in_school": (FieldType(BOOLEAN), "p.in_school"),
    "chronic_illness": (FieldType(BOOLEAN), "p.chronic_illness"),
    "serious_illness": (FieldType(BOOLEAN), "p.serious_illness"),
    "disability_grade": (FieldType(NUMBER), "p.disability_grade"),
    "disability_kind": (FieldType(STRING, codes.DISABILITY_KINDS), "p.disability_kind"),
    "labour_capacity": (FieldType(STRING, codes.LABOUR), "p.labour_capacity"),
    "migrant_months": (FieldType(NUMBER), "p.migrant_months"),
    "medical_insurance": (FieldType(BOOLEAN), "p.medical_insurance"),
    "critical_illness_insurance": (FieldType(BOOLEAN), "p.critical_illness_insurance"),
    "pension_insurance": (FieldType(BOOLEAN), "p.pension_insurance"),
    "min_living_guarantee": (FieldType(BOOLEAN), "p.min_living_guarantee"),
}
MEMBER_TYPES = {name: t for name, (t, _) in MEMBER_FIELDS.items()}

# Counts of living members, each a condition in the rule language.
MEMBER_COUNTS: dict[str, str] = {
    "people_alive": "true",
    "labourers": "labour_capacity in ('skilled', 'normal')",
    "skilled_labourers": "labour_capacity == 'skilled'",
    "weak_labourers": "labour_capacity == 'weak'",
    "without_labour": "labour_capacity == 'lost'",
    "children_6_15": "age >= 6 and age <= 15",
    "children_out_of_school": "age >= 6 and age <= 15 and not in_school",
    "students": "in_school and age >= 6",
    "upper_students": "in_school and age >= 15",
    "elderly": "age >= 60",
    "seriously_ill": "serious_illness",
    "chronically_ill": "chronic_illness",
    "disabled": "disability_grade > 0",
    "severely_disabled": "disability_grade >= 1 and disability_grade <= 2",
    "uninsured": "not medical_insurance",
    "without_critical_cover": "not critical_illness_insurance",
    "pension_enrolled": "pension_insurance",
    "dibao_members": "min_living_guarantee",
    "migrant_workers": "migrant_months > 0",
    "adults_low_education": "age >= 16 and education in ('none', 'primary')",
}

EVENT_COUNTS = {"illness_events": "serious_illness", "disaster_events": "disaster",
                "death_events": "death", "job_loss_events": "job_loss"}

DERIVED: dict[str, tuple[FieldType, str]] = {
    "net_income": (FieldType(NUMBER), net_income_sql()),
    "income_per_capita": (FieldType(NUMBER), income_per_capita_sql()),
    "poverty_line": (FieldType(NUMBER), "l.line"),
    "land_per_capita": (FieldType(NUMBER), "CAST(hy.land_mu AS DOUBLE) / hy.members"),
    "housing_area_per_capita": (FieldType(NUMBER),
                                "CAST(hy.housing_area_m2 AS DOUBLE) / hy.members"),
    "registration_status": (FieldType(STRING, codes.REGISTRATION), "h.registration_status"),
    "head_age": (FieldType(NUMBER), "m.head_age"),
    "head_education": (FieldType(STRING, codes.EDUCATION), "m.head_education"),
}

_KINDS = {"integer": NUMBER, "number": NUMBER, "boolean": BOOLEAN, "enum": STRING,
          "string": STRING}
SURVEY_FIELDS = [f for f in HOUSEHOLD_YEARS.fields if f.name not in ("household_id", "year")]
VILLAGE_FIELDS = [f for f in REGIONS.fields if f.name in (
    "terrain", "ethnic_minority_area", "revolutionary_base", "distance_to_county_km",
    "road_access", "water_access", "electricity_access", "internet_access")]


def profile_types() -> dict[str, FieldType]:
    """Every profile field a household rule may use, with its type."""
    types = {f.name: FieldType(_KINDS[f.kind.value], f.values)
             for f in SURVEY_FIELDS + VILLAGE_FIELDS}
    types.update({name: t for name, (t, _) in DERIVED.items()})
    types.update({name: FieldType(NUMBER) for name in (*MEMBER_COUNTS, *EVENT_COUNTS)})
    return types


def member_rows_sql(year: int | None = None) -> str:
    """One row per living member and survey year, with the member fields. For one year,
    every member alive in it (whether or not the household was surveyed)."""
    if year is None:
        source, survey_year = ("household_years hy JOIN people p "
                               "ON p.household_id = hy.household_id"), "hy.year"
    else:
        source, survey_year = "people p", str(year)
    columns = ",\n  ".join(f"{sql.format(year=survey_year)} AS {name}"
                           for name, (_, sql) in MEMBER_FIELDS.items())
    return f"""
SELECT p.household_id, CAST({survey_year} AS BIGINT) AS year, p.person_id, p.name,
  {columns}
FROM {source}
WHERE EXTRACT(YEAR FROM p.birth_date) <= {survey_year} AND (p.death_date IS NULL OR
  EXTRACT(YEAR FROM p.death_date) >= {survey_year})"""


def member_counts_sql(lists: Mapping[str, str] | None = None) -> str:
    """Per household and year: the member counts, the head's age and education and, for
    each of ``lists`` (column: SQL condition over member fields), the members for whom it
    holds as text ``person_id name, ...`` (NULL when none); over the view ``member_rows``.
    One grouping of the members does it all."""
    counts = ",\n  ".join(
        f"COUNT(*) FILTER (WHERE {compile_expression(cond, MEMBER_TYPES, BOOLEAN).sql}) "
        f"AS {name}" for name, cond in MEMBER_COUNTS.items())
    named = "".join(
        f",\n  STRING_AGG(CAST(person_id AS VARCHAR) || ' ' || name, ', ') "
        f"FILTER (WHERE {cond}) AS {column}" for column, cond in (lists or {}).items())
    return f"""
SELECT household_id, year,
  {counts},
  MAX(age) FILTER (WHERE relation = 'head') AS head_age,
  MAX(education) FILTER (WHERE relation = 'head') AS head_education{named}
FROM member_rows GROUP BY household_id, year"""


def event_counts_sql(year: int | None = None) -> str:
    """Per household and year, the events of each kind (of one year, or all)."""
    counts = ", ".join(f"CAST(SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END) AS BIGINT) "
                       f"AS {name}" for name, kind in EVENT_COUNTS.items())
    where = (f" WHERE event_date >= DATE '{year}-01-01' AND event_date <= DATE '{year}-12-31'"
             if year is not None else "")
    return (f"SELECT household_id, CAST(EXTRACT(YEAR FROM event_date) AS BIGINT) AS year, "
            f"{counts} FROM events{where} GROUP BY household_id, EXTRACT(YEAR FROM event_date)")


def profile_sql(year: int | None = None, lists: Mapping[str, str] | None = None) -> str:
    """The household profile (over the views ``member_counts`` and ``event_counts``),
    with the member ``lists`` that ``member_counts`` names."""
    survey = ", ".join(f"hy.{f.name}" for f in SURVEY_FIELDS)
    village = ", ".join(f"r.{f.name}" for f in VILLAGE_FIELDS)
    derived = ",\n  ".join(f"{sql} AS {name}" for name, (_, sql) in DERIVED.items())
    counts = ", ".join(f"COALESCE(m.{n}, 0) AS {n}" for n in MEMBER_COUNTS)
    events = ", ".join(f"COALESCE(e.{n}, 0) AS {n}" for n in EVENT_COUNTS)
    named = "".join(f", m.{column}" for column in lists or {})
    where = f"WHERE hy.year = {year}" if year is not None else ""
    return f"""
SELECT hy.household_id, hy.year, h.village_code, {survey},
  {derived},
  {counts},
  {events},
  {village}{named}
FROM household_years hy
JOIN households h ON h.household_id = hy.household_id
JOIN regions r ON r.code = h.village_code
JOIN poverty_lines l ON l.year = hy.year
LEFT JOIN member_counts m ON m.household_id = hy.household_id AND m.year = hy.year
LEFT JOIN event_counts e ON e.household_id = hy.household_id AND e.year = hy.year
{where}"""
