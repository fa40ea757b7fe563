"""The fields a programme's eligibility rule may use: the household's registration, its
survey of the year, its member counts and the identification's results (band, proposal,
causes and recommended measures, each cause and measure a true/false field, and each
guarantee the household fails)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from ..errors import PovertyCloudError
from ..profile.expressions import (
    BOOLEAN,
    NUMBER,
    STRING,
    ExpressionError,
    FieldType,
    compile_expression,
)
from ..rulefiles import Reader
from ..standard.codes import CAUSES, HOUSING_GRADES, REGISTRATION
from ..standard.tables import REGIONS

if TYPE_CHECKING:
    from ..store import Store

MEASURES = ("industry_support", "jobs_and_training", "microcredit", "relocation",
            "ecological_compensation", "education_aid", "medical_assistance",
            "minimum_living_guarantee", "housing_renovation", "water_project",
            "disaster_relief", "food_and_clothing_relief", "motivation_building")
# the checks of the shipped guarantees (rules/guarantees.yaml), each a column g_<check>
GUARANTEES = ("food", "clothing", "compulsory_education", "basic_medical", "safe_housing",
              "safe_water")

# name: (type, SQL over households h, household_years y, identification i, members m)
_FIELDS: dict[str, tuple[FieldType, str]] = {
    "registration_status": (FieldType(STRING, REGISTRATION), "h.registration_status"),
    "members": (FieldType(NUMBER), "coalesce(m.people_alive, 0)"),
    "students": (FieldType(NUMBER), "coalesce(m.students, 0)"),
    "labourers": (FieldType(NUMBER), "coalesce(m.labourers, 0)"),
    "housing_grade": (FieldType(STRING, HOUSING_GRADES), "y.housing_grade"),
    "land_mu": (FieldType(NUMBER), "y.land_mu"),
    "livestock_units": (FieldType(NUMBER), "y.livestock_units"),
    "income_per_capita": (FieldType(NUMBER), "i.income_per_capita"),
    "poverty_line": (FieldType(NUMBER), "i.poverty_line"),
    "income_below_line": (FieldType(BOOLEAN), "coalesce(i.income_below_line, false)"),
    "score": (FieldType(NUMBER), "i.score"),
    "band": (FieldType(STRING), "i.band"),
    "proposal": (FieldType(STRING), "i.proposal"),
    "terrain": (FieldType(STRING, REGIONS.field("terrain").values), "r.terrain"),
}


@cache
def field_types() -> dict[str, FieldType]:
    """Every eligibility field with its type."""
    types = {name: t for name, (t, _) in _FIELDS.items()}
    types.update({f"measure_{m}": FieldType(BOOLEAN) for m in MEASURES})
    types.update({f"cause_{c}": FieldType(BOOLEAN) for c in CAUSES})
    types.update({f"fails_{g}": FieldType(BOOLEAN) for g in GUARANTEES})
    return types


def numeric_field(r: Reader, key: str) -> str | None:
    """A rule file's ``key`` naming a numeric eligibility field (None when absent)."""
    name = r.get(key, str, None)
    types = field_types()
    if name is not None and (name not in types or types[name].kind != NUMBER):
        raise r.fail(f"'{key}' must be a numeric eligibility field, not {name!r}")
    return str(name) if name is not None else None


def condition(r: Reader, default: str | None = None) -> str:
    """The SQL of a rule file's ``when`` over the eligibility fields; when absent,
    ``default`` (an error if there is none)."""
    text = r.get("when", str) if default is None else r.get("when", str, None)
    if text is None:
        assert default is not None
        return default
    try:
        return compile_expression(text, field_types(), BOOLEAN).sql
    except ExpressionError as exc:
        raise r.fail(f"'when': {exc}") from None


def _listed(column: str, value: str) -> str:
    return f"coalesce(contains(';' || i.{column} || ';', ';{value};'), false)"


def eligibility_sql(year: int, only: str | None = None) -> str:
    """One row per household with every eligibility field, from the registry, the survey
    and the identification of ``year`` (a household without them: their fields NULL);
    with ``only`` (a query of household ids), of those households alone."""
    columns = [f"{sql} AS {name}" for name, (_, sql) in _FIELDS.items()]
    columns += [f"{_listed('measures', m)} AS measure_{m}" for m in MEASURES]
    columns += [f"{_listed('causes', c)} AS cause_{c}" for c in CAUSES]
    columns += [f"coalesce(NOT i.g_{g}, false) AS fails_{g}" for g in GUARANTEES]
    body = ",\n  ".join(columns)
    where = f"\nWHERE h.household_id IN ({only})" if only else ""
    members = f" AND household_id IN ({only})" if only else ""
    return f"""
SELECT h.household_id, h.village_code,
  {body}
FROM households h
JOIN regions r ON r.code = h.village_code
LEFT JOIN household_years y ON y.household_id = h.household_id AND y.year = {int(year)}
LEFT JOIN identification i ON i.household_id = h.household_id AND i.year = {int(year)}
LEFT JOIN (
  SELECT household_id, count(*) AS people_alive,
    count(*) FILTER (WHERE in_school) AS students,
    count(*) FILTER (WHERE labour_capacity IN ('skilled', 'normal')) AS labourers
  FROM people WHERE death_date IS NULL{members} GROUP BY household_id
) m ON m.household_id = h.household_id{where}"""


def identified_year(store: Store, year: int) -> int:
    """The latest identification of ``year`` or before: whose results decide who is
    eligible in ``year``."""
    if not store.has_table("identification"):
        raise PovertyCloudError("no identification yet: run `povertycloud identify` first")
    found = store.value("SELECT max(year) FROM identification WHERE year <= ?", [year])
    if found is None:
        raise PovertyCloudError(f"no identification of {year} or before")
    return int(found)
