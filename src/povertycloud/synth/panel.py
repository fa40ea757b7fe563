"""Years of a county's life: shocks and recoveries, incomes, living conditions, the
registry's decisions and the ground truth, household by household.

Log per-capita income = trend + region + household level + causes' pulls + shocks
+ the effects of the help measures received while registered + noise. A household is
truly poor in a year when its per-capita income is below that year's line.

Each year a registered household may receive each kind of help measure once, with a
chance that depends on what the registry can see (land, workers, students, elders,
remoteness, housing): from the next year on the kind raises its log income by the
effect built in here (``MEASURE_EFFECTS``), which ``assess effects`` must recover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..lines import line_for
from ..standard.codes import CAUSES
from .causes import CAUSE_INDEX, PULL, as_strings
from .population import People, _logistic

Floats = npt.NDArray[Any]
Ints = npt.NDArray[Any]
Bools = npt.NDArray[Any]

TREND = {"start": 9.3, "growth": 0.075}  # log yuan in the first year; yearly growth
TERRAIN_PULL = {"mountain": -0.2, "hill": -0.08, "plateau": -0.12, "plain": 0.0}
HOUSEHOLD_SD = 0.45  # spread of the persistent household level
# Kinds of help measure: the gain in log income from the year after (the truth), and the
# chance a registered household receives it in a year, without and with its driver.
MEASURE_EFFECTS = {"industry": 0.30, "employment": 0.35, "credit": 0.12, "education": 0.08,
                   "health": 0.15, "relocation": 0.45, "social_security": 0.25,
                   "housing": 0.0}
MEASURE_CHANCES = {"industry": (0.2, 0.55), "employment": (0.08, 0.5),
                   "credit": (0.15, 0.15), "education": (0.03, 0.5),
                   "health": (0.08, 0.45), "relocation": (0.02, 0.2),
                   "social_security": (0.05, 0.5), "housing": (0.0, 0.6)}


@dataclass
class Villages:
    """Attributes of the county's villages that shape incomes, aligned by index."""

    terrain: npt.NDArray[Any]
    minority: Bools
    base: Bools
    distance_km: Floats
    road: Bools
    water: Bools


@dataclass
class Event:
    household: Ints
    person: Ints  # -1 for the household as a whole
    year: int
    kind: str
    amount: Ints


@dataclass
class Panel:
    """Outputs of the simulation: (households, years) arrays and per-person finals."""

    years: list[int]
    income_pc: Floats
    members: Ints
    components: dict[str, Ints]
    medical: Ints
    education: Ints
    debt: Ints
    assets: Ints
    land: Floats
    livestock: Floats
    housing_grade: npt.NDArray[Any]
    housing_area: Floats
    water_safe: Bools
    water_piped: Bools
    electricity: Bools
    food: Bools
    clothing: Bools
    true_poor: Bools
    primary_cause: npt.NDArray[Any]
    causes: npt.NDArray[Any]
    serious: Bools  # per person, at the end
    death_year: Ints  # per person, -1 if alive
    ever_registered: Bools
    events: list[Event] = field(default_factory=list)
    status_changes: list[tuple[Ints, int, str, str]] = field(default_factory=list)
    measures: list[tuple[Ints, int, str]] = field(default_factory=list)  # who, year, kind


class Simulation:
    """One county's panel; ``run`` walks the years and returns the :class:`Panel`."""

    def __init__(self, rng: np.random.Generator, years: list[int], villages: Villages,
                 village: Ints, level: Floats, people: People) -> None:
        self.rng, self.years, self.v, self.village = rng, years, villages, village
        self.level, self.p = level, people
        self.h = village.size
        self.hh = people.household
        n = self.h
        self.region = self._region_pull()
        self.capital_short = rng.random(n) < 0.35
        self.motivation = rng.random(n) < 0.06
        self.marriage = rng.random(n) < 0.015
        terrain = villages.terrain[village]
        land_pc = np.select([terrain == "mountain", terrain == "plain"], [0.9, 1.6], 1.15)
        size0 = np.bincount(self.hh, minlength=n)
        self.land = np.round(size0 * land_pc * rng.lognormal(0, 0.5, n), 1)
        self.noise = np.zeros(n)
        self.disaster = np.zeros(n)
        self.assist = np.zeros(n)
        # measures draw from their own stream: the other draws stay as they were
        seeds = rng.bit_generator.seed_seq
        assert isinstance(seeds, np.random.SeedSequence)
        self.measure_rng = np.random.default_rng(seeds.spawn(1)[0])
        self.received = {kind: np.zeros(n, dtype=bool) for kind in MEASURE_EFFECTS}
        self.measures: list[tuple[Ints, int, str]] = []
        self.status = np.full(n, "", dtype="<U16")  # "" never registered
        self.ever = np.zeros(n, dtype=bool)
        self.serious = rng.random(people.age.size) < _logistic(-4.5 + 0.04 * (people.age - 40))
        self.death_year = np.full(people.age.size, -1, dtype=np.int64)
        self.grade = np.where(rng.random(n) < _logistic(-1.6 - 1.2 * level / HOUSEHOLD_SD),
                              np.where(rng.random(n) < 0.3, "D", "C"), "B")
        self.grade = np.where((self.grade == "B") & (rng.random(n) < 0.5), "A", self.grade)
        piped = villages.water[village]
        self.water_safe = rng.random(n) < np.where(piped, 0.92, 0.5)
        self.debt = np.round(rng.lognormal(7.5, 1.2, n) * (rng.random(n) < 0.4))
        self.assets = rng.lognormal(8.3 + 0.9 * level - 1.2 * self.capital_short, 0.5)
        self.livestock = np.round(rng.lognormal(-0.5 + level, 0.8, n), 1)
        self.area = np.round(size0 * rng.uniform(15, 40, n), 1)

    def _region_pull(self) -> Floats:
        v, rng = self.v, self.rng
        county = rng.normal(0, 0.08)
        per_village = np.asarray([TERRAIN_PULL[t] for t in v.terrain]) - 0.18 * v.minority \
            - 0.05 * v.base + county + rng.normal(0, 0.1, v.terrain.size)
        return per_village[self.village]

    def run(self) -> Panel:
        shape = (self.h, len(self.years))
        out: dict[str, npt.NDArray[Any]] = {}
        events: list[Event] = []
        changes: list[tuple[Ints, int, str, str]] = []
        for j, year in enumerate(self.years):
            row = self._year(j, year, events, changes)
            for key, values in row.items():
                if key not in out:
                    out[key] = np.empty(shape, dtype=values.dtype)
                out[key][:, j] = values
        comps = {k: out.pop(k).astype(np.int64) for k in
                 ("wage_income", "business_income", "property_income", "transfer_income")}
        return Panel(
            self.years, out["income_pc"].astype(float), out["members"].astype(np.int64),
            comps, out["medical"].astype(np.int64), out["education"].astype(np.int64),
            out["debt"].astype(np.int64), out["assets"].astype(np.int64),
            np.repeat(self.land[:, None], len(self.years), 1), out["livestock"].astype(float),
            out["grade"].astype(str), np.repeat(self.area[:, None], len(self.years), 1),
            out["water_safe"].astype(bool), out["water_piped"].astype(bool),
            out["electricity"].astype(bool), out["food"].astype(bool),
            out["clothing"].astype(bool), out["poor"].astype(bool),
            out["primary"].astype(str), out["causes"].astype(str), self.serious,
            self.death_year, self.ever, events, changes, self.measures)

    # -- one year ---------------------------------------------------------------------

    def _year(self, j: int, year: int, events: list[Event],
              changes: list[tuple[Ints, int, str, str]]) -> dict[str, npt.NDArray[Any]]:
        rng, p, n = self.rng, self.p, self.h
        age = p.age - (self.years[-1] - year)
        born = age >= 0
        if j > 0:
            newborn = age == 0
            if newborn.any():
                events.append(Event(self.hh[newborn], np.flatnonzero(newborn), year, "birth",
                                    np.zeros(newborn.sum(), dtype=np.int64)))
        medical_extra = self._illness(year, age, born, events)
        self._deaths(year, age, born, events)
        alive = born & (self.death_year < 0) | (self.death_year == year)
        members = np.maximum(np.bincount(self.hh, weights=alive, minlength=n), 1)
        pulls = self._pulls(age, alive, members)
        job_loss = self._shocks(year, age, alive, events)
        self.noise = 0.5 * self.noise + rng.normal(0, 0.2, n)
        log_income = TREND["start"] + TREND["growth"] * j + self.region + self.level \
            + pulls.sum(axis=1) + self.disaster + job_loss + self.assist + self.noise
        income_pc = np.exp(log_income)
        line = line_for(year)
        poor = income_pc < line
        primary, causes = as_strings(pulls, poor)
        # Surveys measure income with error (and a little under-reporting); the registry
        # decides from the survey, and the truth keeps the real income.
        reported_pc = income_pc * np.exp(rng.normal(-0.05, 0.25, n))
        self._registry(j, year, reported_pc, line, changes)
        row = self._conditions(year, income_pc, line, members, alive, age)
        self._measures(year, age, alive, members, row["grade"])
        medical = members * 150 + medical_extra + 1200 * np.bincount(
            self.hh, weights=alive & p.chronic, minlength=n)
        row.update(self._incomes(reported_pc, members, alive, age))
        self.debt = np.round(0.7 * self.debt + 0.6 * medical
                             + 30000 * self.marriage * (j == 0))
        self.assets *= 1.05
        return {**row, "income_pc": income_pc, "members": members, "poor": poor,
                "primary": primary, "causes": causes, "medical": np.round(medical),
                "education": self._education(age, alive), "debt": self.debt.copy(),
                "assets": np.round(self.assets), "livestock": self.livestock.copy()}

    def _illness(self, year: int, age: Ints, born: Bools, events: list[Event]) -> Floats:
        rng, alive = self.rng, born & (self.death_year < 0)
        onset = alive & ~self.serious & (rng.random(age.size) < _logistic(-5.2 + 0.04 * (age - 40)))
        recover = self.serious & alive & (rng.random(age.size) < 0.35)
        cost = np.round(rng.uniform(8000, 30000, onset.sum()))
        events.append(Event(self.hh[onset], np.flatnonzero(onset), year, "serious_illness",
                            cost.astype(np.int64)))
        events.append(Event(self.hh[recover], np.flatnonzero(recover), year, "recovery",
                            np.zeros(recover.sum(), dtype=np.int64)))
        self.serious = (self.serious | onset) & ~recover
        extra = np.zeros(age.size)
        extra[onset] = cost
        extra[self.serious & ~onset & alive] = 5000
        return np.bincount(self.hh, weights=extra, minlength=self.h)

    def _deaths(self, year: int, age: Ints, born: Bools, events: list[Event]) -> None:
        alive = born & (self.death_year < 0)
        q = np.minimum(0.0006 * np.exp(0.085 * (age - 30)) * np.where(self.serious, 5, 1), 0.25)
        dies = alive & (self.rng.random(age.size) < q)
        survivors = np.bincount(self.hh, weights=alive & ~dies, minlength=self.h)
        dies &= survivors[self.hh] > 0  # someone is left to answer the survey
        self.death_year[dies] = year
        events.append(Event(self.hh[dies], np.flatnonzero(dies), year, "death",
                            np.round(self.rng.uniform(5000, 15000, dies.sum())).astype(np.int64)))

    def _pulls(self, age: Ints, alive: Bools, members: Floats) -> Floats:
        p, n, v, vil = self.p, self.h, self.v, self.village
        def count(mask: Bools) -> Floats:
            return np.bincount(self.hh, weights=mask & alive, minlength=n)
        pulls = np.zeros((n, len(CAUSES)))
        pulls[:, CAUSE_INDEX["illness"]] = PULL["serious_illness"] * (count(self.serious) > 0) \
            + PULL["chronic_illness"] * np.minimum(count(p.chronic), 2)
        severe = (p.disability_grade >= 1) & (p.disability_grade <= 2)
        pulls[:, CAUSE_INDEX["disability"]] = PULL["severe_disability"] * (count(severe) > 0) \
            + PULL["mild_disability"] * (count(p.disability_grade >= 3) > 0)
        students = count(p.in_school & (age >= 15) & (age <= 22))
        pulls[:, CAUSE_INDEX["schooling"]] = PULL["student"] * np.minimum(students, 2)
        pulls[:, CAUSE_INDEX["marriage"]] = PULL["marriage"] * self.marriage
        pulls[:, CAUSE_INDEX["lack_of_land"]] = PULL["lack_of_land"] * (self.land / members < 0.5)
        dry = ~v.water[vil] & np.isin(v.terrain[vil], ["mountain", "plateau"])
        pulls[:, CAUSE_INDEX["lack_of_water"]] = PULL["lack_of_water"] * dry
        head = p.serial == 1
        unskilled = np.zeros(n, dtype=bool)
        unskilled[self.hh[head]] = np.isin(p.education[head], ["none", "primary"]) \
            & (age[head] < 65)
        pulls[:, CAUSE_INDEX["lack_of_skills"]] = PULL["lack_of_skills"] * unskilled
        pulls[:, CAUSE_INDEX["lack_of_capital"]] = PULL["lack_of_capital"] * self.capital_short
        able = count(p.able & ~self.serious & (age >= 16) & (age < 65))
        shortfall = np.clip((0.4 - able / members) / 0.4, 0, 1)
        pulls[:, CAUSE_INDEX["lack_of_labour"]] = PULL["lack_of_labour"] * shortfall
        remote = ~v.road[vil] | (v.distance_km[vil] > 50)
        pulls[:, CAUSE_INDEX["poor_transport"]] = PULL["poor_transport"] * remote
        pulls[:, CAUSE_INDEX["weak_motivation"]] = PULL["weak_motivation"] * self.motivation
        pulls[:, CAUSE_INDEX["disaster"]] = self.disaster
        return pulls

    def _shocks(self, year: int, age: Ints, alive: Bools, events: list[Event]) -> Floats:
        rng, v = self.rng, self.v
        self.disaster *= 0.5  # recovery: half the loss is made good each year
        hit_village = rng.random(v.terrain.size) < np.where(v.terrain == "mountain", 0.06, 0.03)
        hit = hit_village[self.village] & (rng.random(self.h) < 0.6)
        self.disaster[hit] += rng.uniform(-0.6, -0.25, hit.sum())
        events.append(Event(np.flatnonzero(hit), np.full(hit.sum(), -1), year, "disaster",
                            np.round(rng.uniform(3000, 20000, hit.sum())).astype(np.int64)))
        lost = alive & (self.p.migrant_months > 0) & (age >= 16) & (rng.random(age.size) < 0.05)
        events.append(Event(self.hh[lost], np.flatnonzero(lost), year, "job_loss",
                            np.round(rng.uniform(5000, 20000, lost.sum())).astype(np.int64)))
        return -0.25 * (np.bincount(self.hh, weights=lost, minlength=self.h) > 0)

    # -- the registry's decisions --------------------------------------------------------

    def _registry(self, j: int, year: int, measured: Floats, line: int,
                  changes: list[tuple[Ints, int, str, str]]) -> None:
        rng, n = self.rng, self.h
        u = rng.random(n)
        poor_now = self.status == "registered_poor"
        if j == 0:
            enrol = ((measured < 1.1 * line) & (u < 0.85)) | \
                ((measured < 1.6 * line) & (u > 0.96))
            self._change(enrol, year, "registered_poor", "initial registration", changes)
        else:
            safe = np.isin(self.grade, ["A", "B"]) & self.water_safe
            leave = poor_now & (measured > 1.15 * line) & safe & (u < 0.75)
            self._change(leave, year, "exited", "income stably above the line", changes)
            wrong = poor_now & ~leave & (measured > 2.5 * line) & (u > 0.9)
            self._change(wrong, year, "removed", "found not to qualify", changes)
            outside = np.isin(self.status, ["", "removed", "monitored"])
            enrol = outside & (measured < line) & (u < 0.6)
            self._change(enrol, year, "registered_poor", "dynamic adjustment", changes)
            relapse = (self.status == "exited") & (measured < line) & (u < 0.7) & ~leave
            self._change(relapse, year, "registered_poor", "relapsed into poverty", changes)
            if year >= 2020:
                at_risk = np.isin(self.status, ["", "removed", "exited"]) & \
                    (measured < 1.5 * line) & (u > 0.6)
                self._change(at_risk, year, "monitored", "at risk of falling into poverty",
                             changes)

    def _measures(self, year: int, age: Ints, alive: Bools, members: Floats,
                  grade: npt.NDArray[Any]) -> None:
        """The kinds of help each registered household receives this year (each kind
        once), raising its income from the next year on."""
        p, v, vil, n = self.p, self.v, self.village, self.h
        def any_(mask: Bools) -> Bools:
            return np.bincount(self.hh, weights=mask & alive, minlength=n) > 0
        workers = any_((age >= 16) & (age <= 50) & ~p.in_school)
        drivers = {
            "industry": self.land / members >= 1, "employment": workers,
            "credit": np.ones(n, dtype=bool),
            "education": any_(p.in_school & (age >= 15) & (age <= 22)),
            "health": any_(age >= 60),
            "relocation": ~v.road[vil] | (v.distance_km[vil] > 50),
            "social_security": ~workers, "housing": np.isin(grade, ["C", "D"]),
        }
        helped = self.status == "registered_poor"
        for kind, effect in MEASURE_EFFECTS.items():
            low, high = MEASURE_CHANCES[kind]
            chance = np.where(drivers[kind], high, low)
            gets = helped & ~self.received[kind] & (self.measure_rng.random(n) < chance)
            self.received[kind] |= gets
            self.assist = self.assist + effect * gets
            if gets.any():
                self.measures.append((np.flatnonzero(gets), year, kind))

    def _change(self, mask: Bools, year: int, status: str, reason: str,
                changes: list[tuple[Ints, int, str, str]]) -> None:
        if mask.any():
            self.status[mask] = status
            self.ever |= mask & (status == "registered_poor")
            changes.append((np.flatnonzero(mask), year, status, reason))

    # -- living conditions, incomes and spending ----------------------------------------

    def _conditions(self, year: int, income_pc: Floats, line: int, members: Floats,
                    alive: Bools, age: Ints) -> dict[str, npt.NDArray[Any]]:
        rng, n = self.rng, self.h
        helped = self.status == "registered_poor"
        repair = np.isin(self.grade, ["C", "D"]) & (rng.random(n) < np.where(helped, 0.35, 0.04))
        self.grade = np.where(repair, "B", self.grade)
        decay = (self.grade == "B") & (rng.random(n) < 0.01)
        self.grade = np.where(decay, "C", self.grade)
        fixed = ~self.water_safe & (rng.random(n) < np.where(helped, 0.3, 0.08))
        self.water_safe = self.water_safe | fixed
        ratio = np.log(income_pc / line)  # true conditions follow true income
        return {
            "grade": self.grade.copy(), "water_safe": self.water_safe.copy(),
            "water_piped": self.v.water[self.village] & self.water_safe,
            "electricity": rng.random(n) < 0.995,
            "food": rng.random(n) > _logistic(-3.0 - 4.0 * ratio),
            "clothing": rng.random(n) > _logistic(-3.3 - 4.0 * ratio),
        }

    def _incomes(self, income_pc: Floats, members: Floats, alive: Bools,
                 age: Ints) -> dict[str, npt.NDArray[Any]]:
        p, n = self.p, self.h
        def share(mask: Bools) -> Floats:
            return np.bincount(self.hh, weights=mask & alive, minlength=n) / members
        helped = self.status == "registered_poor"
        weights = np.column_stack([
            0.25 + 1.2 * share((p.migrant_months > 0) & (age >= 16)),
            0.35 + 0.2 * (self.land / members > 1),
            np.full(n, 0.02),
            0.08 + 0.25 * share(age >= 60) + 0.3 * helped,
        ])
        total = np.round(income_pc * members)
        parts = np.floor(total[:, None] * weights / weights.sum(axis=1, keepdims=True))
        parts[:, 1] = total - parts[:, [0, 2, 3]].sum(axis=1)
        names = ("wage_income", "business_income", "property_income", "transfer_income")
        return {name: parts[:, i] for i, name in enumerate(names)}

    def _education(self, age: Ints, alive: Bools) -> Floats:
        p = self.p
        cost = np.select([(age >= 6) & (age <= 14), (age >= 15) & (age <= 18), age >= 19],
                         [500, 3000, 10000], 0) * (p.in_school & alive)
        return np.round(np.bincount(self.hh, weights=cost, minlength=self.h))
