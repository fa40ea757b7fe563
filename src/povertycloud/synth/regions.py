"""The region tree of a synthetic province: codes, names, attributes and boundaries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from shapely.geometry.base import BaseGeometry

from ..standard import codes
from ..standard.tables import REGIONS
from . import geometry
from .config import SynthConfig

# Children per parent, on average, going down: prefectures hold ~9 counties, counties ~12
# townships, townships ~10 villages (rural Guizhou: 88 counties, ~1,400 townships).
FANOUT = {"prefecture": 9, "county": 12, "township": 10}
# Serials of the first child at each level, as in the national codes: counties from 21
# (01-20 are urban districts), towns from 100, village committees from 200.
FIRST_SERIAL = {"prefecture": 1, "county": 21, "township": 100, "village": 200}

PLACE_CHARS = ("安平山河云龙江石水青阳凤花岩坪坝溪塘湾沟岭坡田桥寨林松竹梅兴隆"
               "福寿长乐新华明光金银玉宝泉源丰盛德仁和顺清白黄红东西南北中上下"
               "大小高低草木马牛羊鹿鸡鱼")
SUFFIX = {"prefecture": "州", "county": "县", "township": "镇", "village": "村"}
TERRAIN_SHARES = {"mountain": 0.55, "hill": 0.2, "plateau": 0.15, "plain": 0.1}


@dataclass
class Villages:
    """Village-level attributes the population model uses, aligned by index."""

    code: list[str] = field(default_factory=list)
    county: list[int] = field(default_factory=list)
    township_name: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    terrain: list[str] = field(default_factory=list)
    minority: list[bool] = field(default_factory=list)
    base: list[bool] = field(default_factory=list)
    distance_km: list[float] = field(default_factory=list)
    road: list[bool] = field(default_factory=list)
    water: list[bool] = field(default_factory=list)


@dataclass
class RegionTree:
    table: pa.Table
    villages: Villages
    counties: list[str]


def _split_counts(total: int, parents: int, rng: np.random.Generator) -> list[int]:
    """Split ``total`` children among ``parents``, each getting at least one."""
    extra = rng.multinomial(total - parents, rng.dirichlet(np.full(parents, 4.0)))
    return [1 + int(e) for e in extra]


class _Namer:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self, level: str) -> str:
        while True:
            a, b = self.rng.choice(len(PLACE_CHARS), 2, replace=False)
            name = PLACE_CHARS[a] + PLACE_CHARS[b] + SUFFIX[level]
            if name not in self.used or len(self.used) > 3000:
                self.used.add(name)
                return name


def build(config: SynthConfig, rng: np.random.Generator) -> RegionTree:
    """The province with its prefectures, counties, townships and villages."""
    n_villages = max(1, round(config.people / config.people_per_village))
    n_townships = math.ceil(n_villages / FANOUT["township"])
    n_counties = math.ceil(n_townships / FANOUT["county"])
    n_prefectures = math.ceil(n_counties / FANOUT["prefecture"])
    counts = {
        "prefecture": [n_prefectures],
        "county": _split_counts(n_counties, n_prefectures, rng),
        "township": _split_counts(n_townships, n_counties, rng),
        "village": _split_counts(n_villages, n_townships, rng),
    }
    builder = _Builder(config, rng, counts)
    builder.run()
    return RegionTree(pa.Table.from_pylist(builder.rows, schema=REGIONS.arrow_schema),
                      builder.villages, builder.counties)


class _Builder:
    """Walks the tree top-down, naming, coding and drawing each region."""

    def __init__(self, config: SynthConfig, rng: np.random.Generator,
                 counts: dict[str, list[int]]) -> None:
        self.config, self.rng, self.counts = config, rng, counts
        self.cursor = dict.fromkeys(counts, 0)
        self.rows: list[dict[str, object]] = []
        self.villages = Villages()
        self.counties: list[str] = []
        self.name = _Namer(rng)

    def run(self) -> None:
        outline = geometry.province_outline(self.rng, sum(self.counts["village"]))
        code = self.config.province_code
        self._add(code, self.config.province_name, "province", None, outline, {})
        self._children(code, "province", outline, {})

    def _children(self, parent: str, parent_level: str, shape: BaseGeometry,
                  traits: dict[str, object]) -> None:
        level = codes.LEVELS[codes.LEVELS.index(parent_level) + 1]
        n = self.counts[level][self.cursor[level]]
        self.cursor[level] += 1
        pieces = geometry.split(shape, n, self.rng)
        for i, piece in enumerate(pieces):
            code = _child_code(parent, level, FIRST_SERIAL[level] + i)
            own = self._traits(level, traits, piece)
            self._add(code, self.name(level), level, parent, piece, own)
            if level == "county":
                self.counties.append(code)
            if level != "village":
                self._children(code, level, piece, own)

    def _traits(self, level: str, inherited: dict[str, object],
                piece: BaseGeometry) -> dict[str, object]:
        rng = self.rng
        if level == "county":
            terrain = rng.choice(list(TERRAIN_SHARES), p=list(TERRAIN_SHARES.values()))
            return {"terrain": str(terrain), "ethnic_minority_area": bool(rng.random() < 0.4),
                    "revolutionary_base": bool(rng.random() < 0.15), "seat": piece.centroid}
        traits = dict(inherited)
        if level == "village":
            if rng.random() < 0.2:
                traits["terrain"] = str(rng.choice(list(TERRAIN_SHARES)))
            seat = inherited["seat"]
            assert isinstance(seat, BaseGeometry)
            km = 111.0 * 1.3 * piece.centroid.distance(seat)
            mountain = traits["terrain"] == "mountain"
            traits["distance_to_county_km"] = round(km + float(rng.uniform(2, 8)), 1)
            traits["road_access"] = bool(rng.random() < _logistic(3.0 - 0.06 * km - mountain))
            traits["water_access"] = bool(rng.random() < _logistic(2.5 - 0.03 * km
                                                                   - 0.8 * mountain))
            traits["electricity_access"] = bool(rng.random() < 0.99)
            traits["internet_access"] = bool(rng.random() < _logistic(1.2 - 0.04 * km))
        return traits

    def _add(self, code: str, name: str, level: str, parent: str | None,
             shape: BaseGeometry, traits: dict[str, object]) -> None:
        row: dict[str, object] = {
            "code": code, "name": name, "level": level, "parent_code": parent,
            "terrain": traits.get("terrain"),
            "ethnic_minority_area": bool(traits.get("ethnic_minority_area", False)),
            "revolutionary_base": bool(traits.get("revolutionary_base", False)),
            "distance_to_county_km": traits.get("distance_to_county_km"),
            "road_access": bool(traits.get("road_access", True)),
            "water_access": bool(traits.get("water_access", True)),
            "electricity_access": bool(traits.get("electricity_access", True)),
            "internet_access": bool(traits.get("internet_access", True)),
            "boundary": geometry.to_geojson(shape),
        }
        self.rows.append(row)
        if level == "village":
            self._add_village(row, parent or "")

    def _add_village(self, row: dict[str, object], township: str) -> None:
        v = self.villages
        v.code.append(str(row["code"]))
        v.county.append(len(self.counties) - 1)
        v.township_name.append(next(str(r["name"]) for r in reversed(self.rows)
                                    if r["code"] == township))
        v.name.append(str(row["name"]))
        v.terrain.append(str(row["terrain"]))
        v.minority.append(bool(row["ethnic_minority_area"]))
        v.base.append(bool(row["revolutionary_base"]))
        v.distance_km.append(float(row["distance_to_county_km"]))  # type: ignore[arg-type]
        v.road.append(bool(row["road_access"]))
        v.water.append(bool(row["water_access"]))


def _child_code(parent: str, level: str, serial: int) -> str:
    if level == "prefecture":
        return parent[:2] + f"{serial:02d}" + "0" * 8
    if level == "county":
        return parent[:4] + f"{serial:02d}" + "0" * 6
    if level == "township":
        return parent[:6] + f"{serial:03d}" + "000"
    return parent[:9] + f"{serial:03d}"


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
