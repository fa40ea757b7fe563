"""Turn one county's simulated population and panel into the standard's tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..standard import ids
from ..standard.tables import (
    EVENTS,
    HOUSEHOLD_MEASURES,
    HOUSEHOLD_YEARS,
    HOUSEHOLDS,
    PEOPLE,
    STATUS_CHANGES,
    TRUTH_HOUSEHOLD_YEARS,
)
from . import kin as kinship
from . import names, population
from .panel import HOUSEHOLD_SD, Panel, Simulation, Villages
from .population import People, _logistic

Ints = npt.NDArray[Any]

EVENTS_PER_COUNTY = 10_000_000  # event ids are county number x this + serial
CURRENT = {"registered_poor": "registered_poor", "exited": "exited",
           "monitored": "monitored", "removed": "not_registered", "": "not_registered"}


def generate(rng: np.random.Generator, county_index: int, years: list[int],
             villages: Villages, codes: list[str], places: list[str],
             targets: Ints, kin: kinship.Kin) -> dict[str, pa.Table]:
    """All tables for the county whose villages are given, ``targets`` people each,
    with its twins and clans drawn as ``kin`` says."""
    per_village = np.maximum(1, np.round(targets / population.MEAN_SIZE)).astype(np.int64)
    village = np.repeat(np.arange(len(codes)), per_village)
    serial = np.arange(village.size) - np.repeat(np.cumsum(per_village) - per_village,
                                                 per_village) + 1
    household_id = np.asarray([int(c) for c in codes], dtype=np.int64)[village] * 10_000 + serial
    level = rng.normal(0, HOUSEHOLD_SD, village.size)
    people = population.members(rng, population.household_types(rng, village.size),
                                level / HOUSEHOLD_SD)
    panel = Simulation(rng, years, villages, village, level, people).run()
    birth, death = _life_dates(rng, people.age, panel.death_year, years[-1])
    drawn = kinship.draw(kin, people, village, len(codes), panel.death_year)
    dates = kinship.twin_births(birth, drawn.twin_of), death
    return {
        "households": _households(rng, household_id, village, codes, places, panel),
        "people": _people(rng, household_id, codes[0], villages.minority[village], level,
                          people, panel, dates, drawn),
        "household_years": _household_years(household_id, panel),
        "status_changes": _status_changes(rng, household_id, panel),
        "events": _events(rng, county_index, household_id, people, panel, dates),
        "household_measures": _measures(household_id, panel),
        "truth_household_years": _truth(household_id, panel),
    }


def _households(rng: np.random.Generator, household_id: Ints, village: Ints, codes: list[str],
                places: list[str], panel: Panel) -> pa.Table:
    n = household_id.size
    group = rng.integers(1, 9, n)
    number = rng.integers(1, 200, n)
    address = [f"{places[v]}{g}组{k}号" for v, g, k in zip(village, group, number, strict=True)]
    phone_digits = rng.integers(0, 10, (n, 9))
    phone = np.char.add(np.char.add("1", np.asarray(list("3456789"))[rng.integers(0, 7, n)]),
                        np.asarray(["".join(map(str, d)) for d in phone_digits]))
    first_year = _first_year(panel, "registered_poor")
    exit_year = _first_year(panel, "exited", last=True)
    status = _final_status(panel, n)
    return pa.table({
        "household_id": household_id,
        "village_code": np.asarray(codes)[village],
        "address": address,
        "phone": pa.array(phone, type=pa.string(), mask=rng.random(n) >= 0.85),
        "registration_status": status,
        "registration_year": pa.array(first_year, mask=first_year < 0),
        "exit_year": pa.array(exit_year, mask=exit_year < 0),
    }, schema=HOUSEHOLDS.arrow_schema)


def _first_year(panel: Panel, status: str, last: bool = False) -> Ints:
    n = panel.income_pc.shape[0]
    year = np.full(n, -1, dtype=np.int64)
    for households, y, s, _ in panel.status_changes:
        if s == status:
            take = households if last else households[year[households] < 0]
            year[take] = y
    return year


def _final_status(panel: Panel, n: int) -> list[str]:
    status = np.full(n, "", dtype="<U16")
    for households, _, s, _ in panel.status_changes:
        status[households] = s
    return [CURRENT[s] for s in status]


def _life_dates(rng: np.random.Generator, age: Ints, death_year: Ints,
                last_year: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Birth dates giving each person their age at the end of ``last_year``, and death
    dates (NaT for the living) in the year of death, never before birth."""
    birth_year = np.asarray(last_year - age, dtype="int64")
    year_start = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birth = year_start + rng.integers(0, 365, age.size).astype("timedelta64[D]")
    dead = death_year >= 0
    death_start = (np.maximum(death_year, 1970) - 1970).astype("datetime64[Y]") \
        .astype("datetime64[D]")
    earliest = np.maximum(death_start, birth)
    span = (death_start + np.timedelta64(364, "D") - earliest).astype(np.int64)
    offset = np.floor(rng.random(age.size) * (np.maximum(span, 0) + 1)).astype(np.int64)
    death = np.where(dead, earliest + offset.astype("timedelta64[D]"), np.datetime64("NaT"))
    return birth, death.astype("datetime64[D]")


def _people(rng: np.random.Generator, household_id: Ints, county_code: str,
            minority: npt.NDArray[Any], level: npt.NDArray[Any], p: People,
            panel: Panel, dates: tuple[npt.NDArray[Any], npt.NDArray[Any]],
            drawn: kinship.Drawn) -> pa.Table:
    n = p.age.size
    hid = household_id[p.household]
    birth, death = dates
    family = _family_names(rng, p, drawn.clan)
    ever = panel.ever_registered[p.household]
    z = (level / HOUSEHOLD_SD)[p.household]
    medical = rng.random(n) < np.where(ever, 0.995, _logistic(3.6 + 0.8 * z))
    no_labour = np.bincount(p.household, weights=p.able, minlength=household_id.size) == 0
    dibao = rng.random(n) < np.where(ever & no_labour[p.household], 0.7, 0.02)
    dead = panel.death_year >= 0
    return pa.table({
        "person_id": hid * 100 + p.serial,
        "household_id": hid,
        "id_number": _id_numbers(rng, county_code, birth, p.male),
        "name": names.full_names(family, kinship.twin_names(
            drawn, names.given_names(rng, p.male), p.male)),
        "sex": np.where(p.male, "male", "female"),
        "birth_date": pa.array(birth, type=pa.date32()),
        "ethnicity": population.ethnicity(rng, minority)[p.household],
        "relation": p.relation,
        "education": p.education,
        "in_school": p.in_school & ~dead,
        "chronic_illness": p.chronic,
        "serious_illness": panel.serious,
        "disability_kind": population.disability_kinds(rng, p.disability_grade),
        "disability_grade": p.disability_grade,
        "labour_capacity": population.labour_capacity(rng, p, panel.serious),
        "migrant_months": np.where(dead, 0, p.migrant_months),
        "medical_insurance": medical,
        "critical_illness_insurance": medical & (rng.random(n) < np.where(ever, 0.99, 0.97)),
        "pension_insurance": (p.age >= 16) & ~p.in_school & (rng.random(n) < 0.75),
        "min_living_guarantee": dibao,
        "death_date": pa.array(death, type=pa.date32(), mask=~dead),
    }, schema=PEOPLE.arrow_schema)


def _family_names(rng: np.random.Generator, p: People,
                  clan: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Heads, spouses and parents get their own surname, or the household's ``clan``
    surname for its man; children take the father's."""
    head = p.serial == 1
    spouse = p.relation == "spouse"
    man = (head | spouse) & p.male & (clan[p.household] != "")
    own = np.where(man, clan[p.household], names.surnames(rng, p.age.size))
    head_name = np.empty(p.household.max() + 1, dtype=own.dtype)
    head_name[p.household[head]] = own[head]
    head_male = np.zeros(p.household.max() + 1, dtype=bool)
    head_male[p.household[head]] = p.male[head]
    father_name = head_name.copy()
    wife_headed = spouse & p.male
    father_name[p.household[wife_headed]] = own[wife_headed]
    kids = np.isin(p.relation, ["child", "grandchild"])
    family = np.where(kids, father_name[p.household], own)
    fathers_of_head = (p.relation == "parent") & p.male & head_male[p.household]
    return np.where(fathers_of_head, head_name[p.household], family)


def _id_numbers(rng: np.random.Generator, county_code: str, birth: npt.NDArray[Any],
                male: npt.NDArray[Any]) -> pa.Array:
    """Valid, unique ID numbers: the sequence is unique within a birth date and sex."""
    days = birth.astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((rng.random(days.size), male, days))
    key = days[order] * 2 + male[order]
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    rank = np.empty(days.size, dtype=np.int64)
    rank[order] = np.arange(days.size) - np.repeat(starts, np.diff(np.r_[starts, days.size]))
    if rank.max() >= 500:
        raise ValueError("more than 500 people of one sex share a birth date in a county")
    base = rng.integers(0, 500, days.size)  # spread sequences, stays unique within a group
    group_base = base[order][np.repeat(starts, np.diff(np.r_[starts, days.size]))]
    base_by_person = np.empty(days.size, dtype=np.int64)
    base_by_person[order] = group_base
    seq = 2 * ((base_by_person + rank) % 500) + male
    ymd = np.datetime_as_string(birth.astype("datetime64[D]")).astype("U10")
    digits17 = np.char.add(np.char.add(county_code[:6], np.char.replace(ymd, "-", "")),
                           np.char.zfill(seq.astype(str), 3))
    matrix = np.frombuffer(digits17.astype("S17").tobytes(), dtype=np.uint8).reshape(-1, 17)
    check = ids.check_digits(matrix.astype(np.int64) - 48)
    return pa.array(np.char.add(digits17, check), type=pa.string())


def _household_years(household_id: Ints, panel: Panel) -> pa.Table:
    h, y = panel.income_pc.shape
    def flat(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a.reshape(-1)
    source = np.where(panel.water_piped, "piped",
                      np.where(panel.water_safe, "protected_well", "unprotected_well"))
    columns: dict[str, object] = {
        "household_id": np.repeat(household_id, y),
        "year": np.tile(np.asarray(panel.years, dtype=np.int64), h),
        "members": flat(panel.members),
        **{k: flat(v) for k, v in panel.components.items()},
        "medical_expense": flat(panel.medical), "education_expense": flat(panel.education),
        "debt_yuan": flat(panel.debt), "asset_value_yuan": flat(panel.assets),
        "land_mu": flat(panel.land), "livestock_units": flat(panel.livestock),
        "housing_grade": flat(panel.housing_grade), "housing_area_m2": flat(panel.housing_area),
        "water_source": flat(source), "drinking_water_safe": flat(panel.water_safe),
        "electricity": flat(panel.electricity), "food_secure": flat(panel.food),
        "clothing_secure": flat(panel.clothing),
    }
    return pa.table(columns, schema=HOUSEHOLD_YEARS.arrow_schema)


# Day windows of each kind of change, so one household's changes in a year never collide.
WINDOWS = {"registered_poor": (0, 300), "removed": (0, 300), "exited": (304, 348),
           "monitored": (349, 364)}


def _status_changes(rng: np.random.Generator, household_id: Ints, panel: Panel) -> pa.Table:
    parts = []
    for households, year, status, reason in panel.status_changes:
        lo, hi = (273, 364) if reason == "initial registration" else WINDOWS[status]
        start = np.datetime64(f"{year}-01-01")
        dates = start + rng.integers(lo, hi + 1, households.size).astype("timedelta64[D]")
        parts.append(pa.table({"household_id": household_id[households],
                               "effective_date": dates.astype("datetime64[D]"),
                               "status": [status] * households.size,
                               "reason": [reason] * households.size},
                              schema=STATUS_CHANGES.arrow_schema))
    if not parts:
        return STATUS_CHANGES.arrow_schema.empty_table()
    return pa.concat_tables(parts).sort_by([("household_id", "ascending"),
                                            ("effective_date", "ascending")])


def _events(rng: np.random.Generator, county_index: int, household_id: Ints, p: People,
            panel: Panel, life: tuple[npt.NDArray[Any], npt.NDArray[Any]]) -> pa.Table:
    """Events dated within their year and, for a person, within their life: a birth on
    the birth date, a death on the death date."""
    birth, death = life
    parts = []
    for e in panel.events:
        if e.household.size == 0:
            continue
        start = np.datetime64(f"{e.year}-01-01")
        dates = start + rng.integers(0, 365, e.household.size).astype("timedelta64[D]")
        who = np.maximum(e.person, 0)
        if e.kind == "birth":
            dates = birth[who]
        elif e.kind == "death":
            dates = death[who]
        else:
            year_end = np.datetime64(f"{e.year}-12-31")
            alive_until = np.where(np.isnat(death[who]), year_end, death[who])
            within = np.minimum(np.maximum(dates, birth[who]), alive_until)
            dates = np.where(e.person >= 0, within, dates)
        person = np.where(e.person >= 0,
                          household_id[p.household[np.maximum(e.person, 0)]] * 100
                          + p.serial[np.maximum(e.person, 0)], -1)
        parts.append({"household_id": household_id[e.household],
                      "person_id": pa.array(person, mask=e.person < 0),
                      "event_date": dates.astype("datetime64[D]"),
                      "kind": [e.kind] * e.household.size, "amount_yuan": e.amount})
    if not parts:
        return EVENTS.arrow_schema.empty_table()
    n = sum(len(x["kind"]) for x in parts)
    ids_ = county_index * EVENTS_PER_COUNTY + np.arange(1, n + 1, dtype=np.int64)
    table = pa.concat_tables([pa.table(x) for x in parts])
    return pa.table({"event_id": ids_, **{c: table[c] for c in table.column_names}},
                    schema=EVENTS.arrow_schema)


def _measures(household_id: Ints, panel: Panel) -> pa.Table:
    """The kinds of help received, by household and year."""
    if not panel.measures:
        return HOUSEHOLD_MEASURES.arrow_schema.empty_table()
    return pa.concat_tables([pa.table({
        "household_id": household_id[who], "year": np.full(who.size, year, np.int64),
        "kind": [kind] * who.size}, schema=HOUSEHOLD_MEASURES.arrow_schema)
        for who, year, kind in panel.measures]).sort_by([("household_id", "ascending"),
                                                         ("year", "ascending")])


def _truth(household_id: Ints, panel: Panel) -> pa.Table:
    h, y = panel.income_pc.shape
    poor = panel.true_poor.reshape(-1)
    primary = panel.primary_cause.reshape(-1)
    causes = panel.causes.reshape(-1)
    return pa.table({
        "household_id": np.repeat(household_id, y),
        "year": np.tile(np.asarray(panel.years, dtype=np.int64), h),
        "true_income_per_capita": np.round(panel.income_pc.reshape(-1), 2),
        "true_welfare": np.round(np.log(panel.income_pc.reshape(-1)), 4),
        "true_poor": poor,
        "primary_cause": pa.array(primary, mask=~poor),
        "causes": pa.array(causes, mask=~poor),
    }, schema=TRUTH_HOUSEHOLD_YEARS.arrow_schema)
