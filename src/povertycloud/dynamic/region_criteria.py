"""The exit criteria of villages and counties (domain reference, sections 3 and 4), from a
versioned rule file (rules/region_exit.yaml), computed for one region or for all of a
level under a prefix.

Registered incidence comes from the roll-up. Where a third-party assessment of the
region's county was estimated (assessment/, table ``assessment_estimates``), the
wrong-exit and missed rates, integrated incidence and public approval are its sampled
estimates, with their intervals; elsewhere the rates are ESTIMATES from the registry's
own identification of a survey year, and approval is not assessed and vetoes nothing.
Each result says which. Any other criterion that fails vetoes the exit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PovertyCloudError
from ..history import versions_as_of_sql
from ..identification.runs import require_identification
from ..pipeline.rollups import rollups_sql, status_as_of_sql
from ..reports.rollups import moved_placement_sql, survey_year
from ..rulefiles import LINE, Reader, RuleSet, header, load, shipped
from ..sqltext import date_literal, literal
from ..standard.regions import PREFIX_LENGTH, level_of, sql_ancestor
from ..standard.regions import problem as code_problem
from ..store import Store

DEFAULT = "region_exit.yaml"
JUDGED = ("village", "county")  # the levels with a status and exit criteria
LABELS = {"registered_incidence": "registered incidence",
          "integrated_incidence": "integrated incidence",
          "wrong_exit": "wrong-exit rate", "missed": "missed rate",
          "approval": "public approval"}
Assessed = dict[str, dict[str, Any]]  # rate: the latest assessment's estimate of a region


@dataclass(frozen=True)
class Criterion:
    name: str
    levels: tuple[str, ...]
    limit: float  # percent
    west_limit: float
    at_least: bool  # the value must reach the limit (else stay strictly below it)


@dataclass(frozen=True)
class ExitRules(RuleSet):
    west_provinces: frozenset[str]
    criteria: tuple[Criterion, ...]
    designation: dict[str, float]  # level: registered incidence (%) that makes it poor
    consolidation_years: int

    def west(self, code: str) -> bool:
        return code[:2] in self.west_provinces


def load_exit_rules(path: Path | None = None) -> ExitRules:
    """Load and check a region-exit rule file (the shipped one when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "region exit")
    west = top.get("west_provinces", list)
    if any(not isinstance(p, str) or len(p) != 2 or not p.isdigit() for p in west):
        raise top.fail(f"'west_provinces' must be 2-digit province codes in quotes, not {west}")
    table = Reader(path, top.get("criteria", dict), "criteria")
    unknown = set(table.item) - set(LABELS) - {LINE}
    if unknown:
        raise table.fail(f"unknown criteria {sorted(unknown)}; the criteria are "
                         f"{', '.join(LABELS)}")
    criteria = tuple(_criterion(Reader(path, table.get(name, dict), f"criterion {name}"),
                                name) for name in LABELS)
    designation = Reader(path, top.get("designation", dict), "designation")
    years = top.get("consolidation_years", int)
    if years < 0:
        raise top.fail(f"'consolidation_years' cannot be negative ({years})")
    return ExitRules(**header(top), west_provinces=frozenset(west), criteria=criteria,
                     designation={lv: _percent(designation, lv) for lv in JUDGED},
                     consolidation_years=years)


def _criterion(r: Reader, name: str) -> Criterion:
    levels = tuple(r.get("levels", list))
    if any(level not in JUDGED for level in levels):
        raise r.fail(f"'levels' must be some of {', '.join(JUDGED)}, not {list(levels)}")
    if ("below" in r.item) == ("at_least" in r.item):
        raise r.fail("give exactly one of 'below' and 'at_least'")
    at_least = "at_least" in r.item
    limit = _percent(r, "at_least" if at_least else "below")
    west = _percent(r, "west_below", limit) if not at_least else limit
    return Criterion(name, levels, limit, west, at_least)


def _percent(r: Reader, key: str, default: Any = ...) -> float:
    value = float(r.get(key, (int, float), default))
    if not 0 <= value <= 100:
        raise r.fail(f"'{key}' is a percentage from 0 to 100, not {value}")
    return value


def criteria(store: Store, code: str, as_of: dt.date, year: int,
             rules: ExitRules | None = None) -> dict[str, Any]:
    """The exit criteria of one village or county as of ``as_of``, the estimates from the
    identification of survey ``year``."""
    if code_problem(code) or level_of(code) not in JUDGED:
        raise PovertyCloudError(f"{code!r} is not a village or county code")
    found = [r for r in criteria_for(store, as_of, year, level_of(code),
                                     code[:PREFIX_LENGTH[level_of(code)]], rules)
             if r["region_code"] == code]
    if not found:
        raise PovertyCloudError(f"no surveyed people in {code} as of {as_of}")
    return found[0]


def criteria_for(store: Store, as_of: dt.date, year: int, level: str, prefix: str = "",
                 rules: ExitRules | None = None) -> list[dict[str, Any]]:
    """The exit criteria of every village (or county) whose code starts with ``prefix``;
    each with its figures, its criteria (value, limit, passed) and ``met``."""
    if level not in JUDGED:
        raise PovertyCloudError(f"exit criteria are for {' and '.join(JUDGED)}, not {level}")
    rules = rules or load_exit_rules()
    survey = survey_year(store, as_of)
    require_identification(store, year)
    figures = _figures(store, as_of, survey, year, level, prefix)
    assessed = _assessed(store, as_of, level, prefix)
    out = []
    for row in figures:
        row |= {"as_of": as_of, "year": year, "survey_year": survey,
                "west": rules.west(row["region_code"]), "rules": rules.label}
        row["criteria"] = [_judge(c, row, assessed.get(row["region_code"], {}))
                           for c in rules.criteria if level in c.levels]
        row["met"] = all(c["passed"] is not False for c in row["criteria"])
        out.append(row)
    return out


def _figures(store: Store, as_of: dt.date, survey: int, year: int,
             level: str, prefix: str) -> list[dict[str, Any]]:
    """People and registered poor (the roll-up) and the estimate counts by region, each
    household in the village it was in on ``as_of`` (as the roll-up places it). A
    monitored household counts as exited if it ever exited (unstable exit), else as not
    registered (marginal); registered poor households are in neither group."""
    region = sql_ancestor("village_code", level)
    return store.records(f"""
WITH judged AS (
  SELECT {region} AS region_code, members, nullif(grp, 'registered') AS grouped,
    wrongly_out, qualifies
  FROM ({household_groups_sql(as_of, year, prefix)})),
estimates AS (
  SELECT region_code,
    sum(members) FILTER (grouped = 'exited') AS exited_people,
    sum(members) FILTER (grouped = 'exited' AND wrongly_out) AS wrongly_exited_people,
    sum(members) FILTER (grouped = 'not_registered') AS unregistered_people,
    sum(members) FILTER (grouped = 'not_registered' AND qualifies) AS missed_people
  FROM judged GROUP BY region_code)
SELECT r.region_code, g.name AS region_name, r.level, r.people,
  r.people_registered_poor AS registered_poor_people,
  coalesce(e.exited_people, 0) AS exited_people,
  coalesce(e.wrongly_exited_people, 0) AS wrongly_exited_people,
  coalesce(e.unregistered_people, 0) AS unregistered_people,
  coalesce(e.missed_people, 0) AS missed_people
FROM ({rollup_sql(as_of, survey)}) r
LEFT JOIN regions g ON g.code = r.region_code
LEFT JOIN estimates e ON e.region_code = r.region_code
WHERE r.level = ? AND starts_with(r.region_code, ?)
ORDER BY r.region_code""", [level, prefix])


def household_groups_sql(as_of: dt.date, year: int, prefix: str = "") -> str:
    """(household_id, village_code, members, grp, wrongly_out, qualifies) of each
    household identified in ``year`` in a village under ``prefix`` on ``as_of``: its
    group (registered poor; exited, also when monitored since; not registered), whether
    its income is below the line or a guarantee fails, and whether it is proposed poor."""
    return f"""
WITH status AS ({status_as_of_sql(as_of)}),
placement AS ({placement_sql(as_of, prefix)}),
exited AS (SELECT DISTINCT household_id FROM status_changes
           WHERE status = 'exited' AND effective_date <= {date_literal(as_of)})
SELECT i.household_id, w.village_code, i.members,
  CASE WHEN s.status = 'registered_poor' THEN 'registered'
       WHEN s.status = 'exited' OR x.household_id IS NOT NULL THEN 'exited'
       ELSE 'not_registered' END AS grp,
  i.income_below_line OR i.guarantees_failed > 0 AS wrongly_out,
  i.proposal = 'poor' AS qualifies
FROM identification i JOIN placement w ON w.household_id = i.household_id
LEFT JOIN status s ON s.household_id = i.household_id
LEFT JOIN exited x ON x.household_id = i.household_id
WHERE i.year = {int(year)}"""


def placement_sql(as_of: dt.date, prefix: str = "") -> str:
    """(household_id, village_code): the village each household was in on ``as_of``,
    only villages starting with ``prefix``."""
    return (f"SELECT household_id, village_code FROM "
            f"({versions_as_of_sql('households', as_of)}) "
            f"WHERE starts_with(village_code, {literal(prefix)})")


def rollup_sql(as_of: dt.date, survey: int) -> str:
    """The roll-up on ``as_of`` as reports.rollups makes it: households in their village
    of that day, with the status they held then, indicators of the ``survey`` year."""
    return rollups_sql(as_of, survey, placement=moved_placement_sql(as_of))


def _assessed(store: Store, as_of: dt.date, level: str, prefix: str
              ) -> dict[str, Assessed]:
    """By region: each rate of the latest assessment (of a frame on or before ``as_of``)
    that estimated it, with its interval."""
    found: dict[str, Assessed] = {}
    for row in store.records("""
SELECT e.region_code, e.rate, e.estimate, e.ci_low, e.ci_high, e.sampled, e.assessment_id,
  d.as_of AS assessed_as_of
FROM assessment_estimates e JOIN assessment_designs d ON d.assessment_id = e.assessment_id
WHERE d.as_of <= ? AND e.level = ? AND starts_with(e.region_code, ?)
QUALIFY row_number() OVER (PARTITION BY e.region_code, e.rate
                           ORDER BY d.as_of DESC, e.assessment_id DESC) = 1""",
                             [as_of, level, prefix]):
        found.setdefault(row["region_code"], {})[row["rate"]] = row
    return found


def _judge(c: Criterion, row: dict[str, Any], assessed: Assessed) -> dict[str, Any]:
    """One criterion of one region: value and limit (percent), passed (None: no data)."""
    limit = c.west_limit if row["west"] else c.limit
    value, source, note = (_sampled(assessed[c.name]) if c.name in assessed
                           else _value(c.name, row))
    passed = None if value is None else (value >= limit if c.at_least else value < limit)
    if value is None and c.name == "registered_incidence":
        passed = False  # no population to show the incidence below the limit
    estimate = source.startswith("estimate")
    return {"criterion": c.name, "label": LABELS[c.name] + (" (estimate)" if estimate else ""),
            "value": value, "limit": limit, "comparison": ">=" if c.at_least else "<",
            "passed": passed, "estimate": estimate, "source": source, "note": note,
            "interval": _interval(assessed.get(c.name))}


def _sampled(e: dict[str, Any]) -> tuple[float | None, str, str]:
    """(value in percent, source, note) of a rate the assessment estimated."""
    source = f"assessment {e['assessment_id']} (frame of {e['assessed_as_of']})"
    if e["estimate"] is None:
        return None, source, "nobody of the rate's group in the sample"
    low, high = _interval(e) or (None, None)
    return (100.0 * e["estimate"], source,
            f"sampled estimate, interval {low:.2f} to {high:.2f} % ({e['sampled']:,} sampled)")


def _interval(e: dict[str, Any] | None) -> tuple[float, float] | None:
    if e is None or e["ci_low"] is None:
        return None
    return 100.0 * e["ci_low"], 100.0 * e["ci_high"]


def _value(name: str, row: dict[str, Any]) -> tuple[float | None, str, str]:
    """(value in percent or None, its source, a note) of one criterion without an
    assessment."""
    identification = (f"estimate from the registry's identification of {row['year']}, "
                      "not an assessment")
    if name == "registered_incidence":
        return (_rate(row["registered_poor_people"], row["people"]),
                f"registry roll-up as of {row['as_of']} (survey {row['survey_year']})",
                "registered poor people / people")
    if name == "integrated_incidence":
        remaining = (row["registered_poor_people"] + row["missed_people"]
                     + row["wrongly_exited_people"])
        return (_rate(remaining, row["people"]), f"{identification}, with the roll-up",
                "(registered poor + missed + wrongly exited people) / people")
    if name == "wrong_exit":
        value = _rate(row["wrongly_exited_people"], row["exited_people"])
        return value, identification, ("no exited people" if value is None else
                                       "exited people below the line or with a guarantee "
                                       "unmet / exited people")
    if name == "missed":
        value = _rate(row["missed_people"], row["unregistered_people"])
        return value, identification, ("no unregistered people" if value is None else
                                       "unregistered people identified poor / "
                                       "unregistered people")
    return None, "assessment", "no assessment yet"


def _rate(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None
