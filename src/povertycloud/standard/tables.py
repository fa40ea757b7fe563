"""The data-exchange standard: every table that offices and departments exchange.

This module is the one definition; ``docs/data-standard.md`` is generated from it
(``povertycloud docs``) and a test fails when the two drift apart.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnknownNameError
from . import codes
from .fields import Field, Kind, Table

VERSION = "1.2.0"  # 1.1.0: the event kind moved_away; 1.2.0: household_measures

YUAN = "yuan (CNY) per year"


def _money(name: str, label: str, description: str, unit: str = YUAN) -> Field:
    return Field(name, Kind.INTEGER, label, description, minimum=0, unit=unit)


def _flag(name: str, label: str, description: str, **kw: object) -> Field:
    return Field(name, Kind.BOOLEAN, label, description, **kw)  # type: ignore[arg-type]


def _enum(name: str, label: str, description: str, values: tuple[str, ...],
          **kw: object) -> Field:
    return Field(name, Kind.ENUM, label, description, values=values, **kw)  # type: ignore[arg-type]


HOUSEHOLD_ID = Field(
    "household_id", Kind.INTEGER, "户编号",
    "Household number: the 12-digit village code followed by a 4-digit serial.",
    minimum=1e15, maximum=1e16 - 1, references="households.household_id")

REGIONS = Table(
    "regions", "行政区划",
    "The administrative hierarchy from province to village, with boundaries and the "
    "attributes that shape poverty.",
    (
        Field("code", Kind.REGION_CODE, "区划代码",
              "12-digit statistical division code: 2 province, 2 prefecture, 2 county, "
              "3 township, 3 village digits."),
        Field("name", Kind.STRING, "名称", "Official name."),
        _enum("level", "级别", "Level, which must agree with the code.", codes.LEVELS),
        Field("parent_code", Kind.REGION_CODE, "上级代码",
              "Code of the region one level up; empty for the province.", required=False,
              references="regions.code"),
        _enum("terrain", "地形", "Dominant terrain.", codes.TERRAINS, required=False),
        _flag("ethnic_minority_area", "民族地区", "In an ethnic-minority autonomous area."),
        _flag("revolutionary_base", "革命老区", "A former revolutionary base area."),
        Field("distance_to_county_km", Kind.NUMBER, "距县城距离",
              "Road distance to the county seat.", required=False, minimum=0, maximum=1000,
              unit="km"),
        _flag("road_access", "通硬化路", "Reached by a hardened road."),
        _flag("water_access", "通自来水", "Served by a safe piped water supply."),
        _flag("electricity_access", "通电", "Connected to the power grid."),
        _flag("internet_access", "通宽带", "Reached by broadband internet."),
        Field("boundary", Kind.GEOJSON, "边界",
              "Boundary as a GeoJSON Polygon or MultiPolygon geometry (WGS 84 lon/lat).",
              required=False),
    ),
    primary_key=("code",),
)

HOUSEHOLDS = Table(
    "households", "贫困户",
    "A household in the registry: where it lives and its registration as poor.",
    (
        Field("household_id", Kind.INTEGER, "户编号", HOUSEHOLD_ID.description,
              minimum=HOUSEHOLD_ID.minimum, maximum=HOUSEHOLD_ID.maximum),
        Field("village_code", Kind.REGION_CODE, "所在村", "Village the household lives in.",
              level="village", references="regions.code"),
        Field("address", Kind.STRING, "地址", "Postal address within the village.",
              sensitive=True),
        Field("phone", Kind.STRING, "联系电话", "Contact telephone number.", required=False,
              sensitive=True),
        _enum("registration_status", "识别状态",
              "Current status in the poverty registry; equals the latest status change.",
              codes.REGISTRATION),
        Field("registration_year", Kind.INTEGER, "建档立卡年度",
              "Year first registered as poor; empty if never registered.", required=False,
              minimum=2013, maximum=2035),
        Field("exit_year", Kind.INTEGER, "脱贫年度", "Year of the latest exit, if any.",
              required=False, minimum=2013, maximum=2035),
    ),
    primary_key=("household_id",),
)

PEOPLE = Table(
    "people", "家庭成员",
    "A member of a registered household, as of the latest survey.",
    (
        Field("person_id", Kind.INTEGER, "成员编号",
              "Household number followed by a 2-digit member serial.",
              minimum=1e17, maximum=1e18 - 1),
        HOUSEHOLD_ID,
        Field("id_number", Kind.ID_NUMBER, "身份证号",
              "18-character resident ID number with a valid GB 11643 check digit.",
              sensitive=True),
        Field("name", Kind.STRING, "姓名", "Full name in Chinese characters."),
        _enum("sex", "性别", "Sex, which must agree with the ID number.", codes.SEXES),
        Field("birth_date", Kind.DATE, "出生日期",
              "Date of birth, which must agree with the ID number."),
        _enum("ethnicity", "民族", "GB/T 3304 two-digit ethnic group code.", codes.ETHNICITIES),
        _enum("relation", "与户主关系", "Relation to the head of household.", codes.RELATIONS),
        _enum("education", "文化程度", "Highest level of education attended.", codes.EDUCATION),
        _flag("in_school", "在校生", "Currently enrolled in school."),
        _flag("chronic_illness", "慢性病", "Has a long-term (chronic) illness.", sensitive=True),
        _flag("serious_illness", "大病", "Has a serious (critical) illness.", sensitive=True),
        _enum("disability_kind", "残疾类别", "Kind of disability.", codes.DISABILITY_KINDS,
              sensitive=True),
        Field("disability_grade", Kind.INTEGER, "残疾等级",
              "Disability certificate grade, 1 (most severe) to 4; 0 for none.",
              minimum=0, maximum=4, sensitive=True),
        _enum("labour_capacity", "劳动能力",
              "skilled or normal labour, weak (partial) labour, lost the capacity, or none "
              "(a child or student).", codes.LABOUR),
        Field("migrant_months", Kind.INTEGER, "务工时间",
              "Months worked away from home in the last year.", minimum=0, maximum=12,
              unit="months"),
        _flag("medical_insurance", "基本医疗保险", "Enrolled in basic medical insurance."),
        _flag("critical_illness_insurance", "大病保险", "Covered by critical-illness insurance."),
        _flag("pension_insurance", "养老保险", "Enrolled in the rural pension scheme."),
        _flag("min_living_guarantee", "低保", "Receives the minimum living guarantee (dibao)."),
        Field("death_date", Kind.DATE, "死亡日期", "Date of death, if deceased.",
              required=False),
    ),
    primary_key=("person_id",),
)

HOUSEHOLD_YEARS = Table(
    "household_years", "年度收支与条件",
    "A household's annual survey: incomes by component, spending, and living conditions.",
    (
        HOUSEHOLD_ID,
        Field("year", Kind.INTEGER, "年度", "Survey year.", minimum=2010, maximum=2035),
        Field("members", Kind.INTEGER, "家庭人口", "Members sharing income that year.",
              minimum=1, maximum=20),
        _money("wage_income", "工资性收入", "Net wages, including migrant work."),
        _money("business_income", "经营性净收入", "Net income from farming and business."),
        _money("property_income", "财产性收入", "Rents, dividends and interest."),
        _money("transfer_income", "转移性收入", "Pensions, subsidies and other transfers."),
        _money("medical_expense", "医疗支出", "Out-of-pocket medical spending."),
        _money("education_expense", "教育支出", "Spending on schooling."),
        _money("debt_yuan", "负债", "Outstanding debt at year end.", unit="yuan (CNY)"),
        _money("asset_value_yuan", "生产性资产", "Value of productive assets.",
               unit="yuan (CNY)"),
        Field("land_mu", Kind.NUMBER, "耕地面积", "Cultivated land.", minimum=0,
              maximum=1000, unit="mu"),
        Field("livestock_units", Kind.NUMBER, "牲畜", "Livestock in cattle-equivalent units.",
              minimum=0, maximum=1000),
        _enum("housing_grade", "住房安全等级",
              "Safety rating of the dwelling: A or B safe, C needs repair, D dangerous.",
              codes.HOUSING_GRADES),
        Field("housing_area_m2", Kind.NUMBER, "住房面积", "Floor area of the dwelling.",
              minimum=0, maximum=2000, unit="m²"),
        _enum("water_source", "饮水来源", "Main source of drinking water.", codes.WATER_SOURCES),
        _flag("drinking_water_safe", "饮水安全",
              "Drinking water safe in quantity, quality, convenience and reliability."),
        _flag("electricity", "通生活用电", "The dwelling has mains electricity."),
        _flag("food_secure", "不愁吃", "Enough staples, and meat at least monthly."),
        _flag("clothing_secure", "不愁穿", "A change of clothes for each season."),
    ),
    primary_key=("household_id", "year"),
)

STATUS_CHANGES = Table(
    "status_changes", "识别状态变更",
    "The history of a household's registry status, one row per change.",
    (
        HOUSEHOLD_ID,
        Field("effective_date", Kind.DATE, "生效日期", "Date the change took effect."),
        _enum("status", "状态", "Status from this date on.", codes.STATUS_CHANGES),
        Field("reason", Kind.STRING, "原因", "Why the status changed.", required=False),
    ),
    primary_key=("household_id", "effective_date"),
)

EVENTS = Table(
    "events", "家庭事件",
    "Dated events in a household's life that can push it into poverty or out of it.",
    (
        Field("event_id", Kind.INTEGER, "事件编号", "Serial number of the event.", minimum=1),
        HOUSEHOLD_ID,
        Field("person_id", Kind.INTEGER, "成员编号", "Member concerned, if one.",
              required=False, references="people.person_id"),
        Field("event_date", Kind.DATE, "日期", "When the event happened."),
        _enum("kind", "类型", "What happened.", codes.EVENT_KINDS),
        _money("amount_yuan", "金额", "Cost or loss caused, if known.", unit="yuan (CNY)"),
    ),
    primary_key=("event_id",),
)

HOUSEHOLD_MEASURES = Table(
    "household_measures", "帮扶措施",
    "The kinds of help a household received in a year, one row per kind: what the "
    "effects of measures on income are measured from.",
    (
        HOUSEHOLD_ID,
        Field("year", Kind.INTEGER, "年度", "Year the help was received.", minimum=2010,
              maximum=2035),
        _enum("kind", "措施类别", "Kind of help measure.", codes.MEASURE_KINDS),
    ),
    primary_key=("household_id", "year", "kind"),
)

TRUTH_HOUSEHOLD_YEARS = Table(
    "truth_household_years", "真实状况（合成）",
    "Synthetic ground truth, never exchanged: each household's true welfare, poverty and "
    "causes in each year, for testing identification.",
    (
        HOUSEHOLD_ID,
        Field("year", Kind.INTEGER, "年度", "Year.", minimum=2010, maximum=2035),
        Field("true_income_per_capita", Kind.NUMBER, "真实人均纯收入",
              "True per-capita net income.", unit=YUAN),
        Field("true_welfare", Kind.NUMBER, "真实福利",
              "Latent welfare index (log scale; higher is better off)."),
        _flag("true_poor", "真实贫困", "True per-capita income below that year's line."),
        _enum("primary_cause", "主要致贫原因", "The cause that weighs most, if poor.",
              codes.CAUSES, required=False),
        Field("causes", Kind.STRING, "致贫原因",
              "All causes that weigh, separated by ';', if poor.", required=False),
    ),
    primary_key=("household_id", "year"),
    ground_truth=True,
)

TABLES: dict[str, Table] = {t.name: t for t in (
    REGIONS, HOUSEHOLDS, PEOPLE, HOUSEHOLD_YEARS, STATUS_CHANGES, EVENTS,
    HOUSEHOLD_MEASURES, TRUTH_HOUSEHOLD_YEARS)}


def table(name: str) -> Table:
    """The table of the standard called ``name``, with a clear error when unknown."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(TABLES)
        raise UnknownNameError(f"unknown table {name!r}; the standard has: {known}") from None


def table_path(root: Path, name: str) -> Path:
    """Where the table ``name`` lives under a folder of the standard's Parquet files (as
    the synthetic generator or an export writes them): ground truth under ``truth/``."""
    sub = "truth" if TABLES[name].ground_truth else ""
    return root / sub / f"{name}.parquet"
