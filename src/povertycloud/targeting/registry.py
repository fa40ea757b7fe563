"""The household feature table for targeting, from what the registry and the department
feeds hold in a year: the same SQL over a store and over a synthetic province's files.

One row per household surveyed in the year: the year's survey without its income
components, counts over the members alive that year and their schooling against their
age group's, the head, shocks of the year (disasters, job losses, new serious illnesses),
a few ratios, the village's attributes and village averages of survey answers; the
household's earlier surveys (past food and clothing insecurity, unsafe housing, the growth
of its assets); and, from each department feed present, what its matched records say up
to the end of the year (vehicles, businesses, homes bought, taxed income, public posts,
medical insurance claims, disaster losses). Left out: incomes, and everything the
registry decided (registration, exit, the benefits that follow them, and civil affairs'
assistance rolls, which follow registration), since targeting must work before any of
that is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..history import people_as_of_sql, versions_as_of_sql
from .errors import TargetingError

if TYPE_CHECKING:
    import pyarrow as pa

    from ..store import Store

VERIFIED = "verified_income_per_capita"

SCHOOL_YEARS = ("CASE education WHEN 'primary' THEN 6 WHEN 'junior_secondary' THEN 9 "
                "WHEN 'senior_secondary' THEN 12 WHEN 'vocational' THEN 12 "
                "WHEN 'tertiary' THEN 15 ELSE 0 END")
TABLES = ("household_years", "people", "households", "regions", "events")  # needed
# Columns that tell of members' health (from sealed fields, health events and claims;
# workers leave out the severely disabled): left out of an export unless a user who may
# unmask asks for them, audited.
HEALTH = ("medical_expense", "chronically_ill", "seriously_ill", "severely_disabled",
          "mildly_disabled", "workers", "worker_share", "medical_per_member",
          "illness_onsets", "medical_claims", "medical_claims_yuan")


@dataclass(frozen=True)
class FeedFeatures:
    """What one department feed adds: aggregates of a household's matched records dated
    up to the end of the year (or within it), and not before the person's birth (such a
    link or date is wrong, as ``feeds.signals`` holds)."""

    source: str
    date: str  # the record's date
    aggregates: str
    condition: str = "true"  # which records count
    in_the_year: bool = False  # only the year's records (else every one up to its end)

    def where(self, y: int) -> str:
        """The records of year ``y`` that count, of a person ``p``."""
        first = f"year({self.date}) = {y}" if self.in_the_year else f"year({self.date}) <= {y}"
        return f"{first} AND {self.date} >= p.birth_date AND {self.condition}"


FEEDS = (
    FeedFeatures("transport_vehicles", "f.registered_on",
                 "count(*) AS vehicles, sum(f.value_yuan) AS vehicle_value_yuan"),
    FeedFeatures("market_businesses", "f.registered_on",
                 "count(*) AS businesses, sum(f.registered_capital_yuan) AS business_capital_yuan"),
    FeedFeatures("housing_purchases", "f.contract_date",
                 "count(*) AS homes_bought, sum(f.price_yuan) AS home_price_yuan",
                 "f.kind = 'commercial'"),
    FeedFeatures("tax_records", "make_date(f.tax_year, 12, 31)",
                 "max(f.income_yuan) AS taxed_income_yuan"),
    FeedFeatures("public_employees", "f.since", "count(*) AS public_posts"),
    FeedFeatures("medical_insurance_claims", "f.claim_date",
                 "count(*) AS medical_claims, sum(f.amount_yuan) AS medical_claims_yuan",
                 in_the_year=True),
    FeedFeatures("disaster_reports", "f.report_date", "sum(f.loss_yuan) AS disaster_loss_yuan",
                 in_the_year=True),
)


PAST = ("past_surveys", "past_food_insecure", "past_clothing_insecure",
        "past_unsafe_housing", "asset_growth")  # from the household's earlier surveys


def feed_columns(feed: FeedFeatures) -> list[str]:
    """The feature columns a feed adds."""
    return [part.rsplit(" AS ", 1)[1].strip() for part in feed.aggregates.split(", ")]


def beyond_the_survey() -> list[str]:
    """The columns that do not come from the year's survey and registry: earlier surveys
    and the department feeds."""
    return [*PAST, *(c for f in FEEDS for c in feed_columns(f))]


def features_sql(year: int, feeds: Iterable[str] = (), dated: bool = False) -> str:
    """Features per household in ``year`` over ``household_years``, ``people``,
    ``households``, ``regions`` and ``events``, and, for each source named in ``feeds``,
    its table ``feed_<source>`` and ``feed_links``. Households without a record of a feed
    have 0 in its counts and sums. With ``dated`` (a store, which keeps the registry's
    history), people and households are taken as they were at the end of the year."""
    y = int(year)
    present = [f for f in FEEDS if f.source in set(feeds)]
    people, households, then = _registry_then(y) if dated else ("people", "households", "")
    ctes = "".join(_feed_cte(f, y, people) for f in present)
    joins = "".join(f"\nLEFT JOIN from_{f.source} USING (household_id)" for f in present)
    columns = "".join(f",\n    coalesce(from_{f.source}.{c}, 0) AS {c}"
                      for f in present for c in feed_columns(f))
    return f"""
WITH {then}alive AS (
    SELECT *, {y} - year(birth_date) AS age, {SCHOOL_YEARS} AS schooling
    FROM {people}
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
), past AS (
    -- the household's earlier surveys (none in its first year)
    SELECT household_id, count(*) AS past_surveys,
        avg((NOT food_secure)::INT) AS past_food_insecure,
        avg((NOT clothing_secure)::INT) AS past_clothing_insecure,
        avg((housing_grade IN ('C', 'D'))::INT) AS past_unsafe_housing,
        ln(1 + arg_min(asset_value_yuan, year)) AS first_log_assets
    FROM household_years WHERE year < {y} GROUP BY household_id
){ctes}
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
    coalesce(pa.past_surveys, 0) AS past_surveys, pa.past_food_insecure,
    pa.past_clothing_insecure, pa.past_unsafe_housing,
    ln(1 + hy.asset_value_yuan) - pa.first_log_assets AS asset_growth,
    r.terrain, r.ethnic_minority_area, r.revolutionary_base, r.distance_to_county_km,
    r.road_access, r.water_access, r.electricity_access, r.internet_access,
    left(h.village_code, 6) AS county_code,
    avg((NOT hy.food_secure)::INT) OVER village AS village_food_insecure,
    avg((NOT hy.clothing_secure)::INT) OVER village AS village_clothing_insecure,
    avg(ln(1 + hy.asset_value_yuan)) OVER village AS village_log_assets,
    avg((hy.housing_grade IN ('C', 'D'))::INT) OVER village AS village_unsafe_housing{columns}
FROM household_years hy
JOIN {households} h USING (household_id)
JOIN regions r ON r.code = h.village_code
LEFT JOIN members m USING (household_id)
LEFT JOIN shocks s USING (household_id)
LEFT JOIN schooling e USING (household_id)
LEFT JOIN past pa USING (household_id){joins}
WHERE hy.year = {y}
WINDOW village AS (PARTITION BY h.village_code)
ORDER BY hy.household_id
"""


def _registry_then(y: int) -> tuple[str, str, str]:
    """CTEs of people and households as they were at the end of year ``y``, and their
    names."""
    day = dt.date(y, 12, 31)
    return "people_then", "households_then", (
        f"people_then AS ({people_as_of_sql(day)}),\n"
        f"households_then AS ({versions_as_of_sql('households', day)}),\n")


def _feed_cte(feed: FeedFeatures, y: int, people: str) -> str:
    return f""", from_{feed.source} AS (
    SELECT p.household_id, {feed.aggregates}
    FROM feed_{feed.source} f
    JOIN feed_links k ON k.source = '{feed.source}' AND k.record_id = f.record_id
        AND k.decision = 'match'
    JOIN {people} p ON p.person_id = k.person_id
    WHERE {feed.where(y)}
    GROUP BY p.household_id
)"""


def feeds_in(tables: Iterable[str]) -> list[str]:
    """The sources of ``FEEDS`` whose table is among ``tables`` (with ``feed_links``)."""
    names = set(tables)
    if "feed_links" not in names:
        return []
    return [f.source for f in FEEDS if f"feed_{f.source}" in names]


def registry_features(store: Store, year: int, health: bool = True) -> pa.Table:
    """The feature table of every household the store surveyed in ``year``, with each
    department feed the store holds; without the ``HEALTH`` columns unless ``health``."""
    if not store.scalar("SELECT count(*) FROM household_years WHERE year = ?", [year]):
        years = store.column("SELECT DISTINCT year FROM household_years ORDER BY year")
        raise TargetingError(f"the store has no survey of {year}; its years are: "
                             f"{', '.join(map(str, years)) or 'none'}")
    table = store.arrow(features_sql(year, feeds_in(store.tables()), dated=True))
    return table if health else table.drop_columns(
        [c for c in HEALTH if c in table.column_names])


def with_verified_income(store: Store, table: pa.Table, year: int, day: dt.date
                         ) -> tuple[pa.Table, str, int]:
    """``table`` (the features of ``year``) with ``verified_income_per_capita``: the
    income per capita the latest field verification of each household up to ``day``
    measured, if that visit was in ``year`` or later (an earlier one measured an older
    income), null elsewhere: the labels to learn from; also the verified set's
    fingerprint and how many have one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..identification.verified import verified_as_of

    verified, fingerprint = verified_as_of(store, day)
    measured = verified.filter(pc.and_(
        pc.is_valid(verified.column("income_per_capita")),
        pc.greater_equal(pc.year(verified.column("verified_on")), year)))
    incomes = dict(zip(measured.column("household_id").to_pylist(),
                       measured.column("income_per_capita").to_pylist(), strict=True))
    column = pa.array([incomes.get(h) for h in table.column("household_id").to_pylist()],
                      pa.float64())
    return table.append_column(VERIFIED, column), fingerprint, len(column) - column.null_count
