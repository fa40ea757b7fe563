"""Distances on the ground for checking where a visit or a photo was: between two points,
and from a point to a region's boundary (GeoJSON in longitude and latitude), in km, on a
plane laid over the province (good to a few metres over a county)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import shapely

EARTH_KM = 6371.0088
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON = 111.320  # at the equator; times cos(latitude)

# the haversine distance in km between (lat1, lon1) and (lat2, lon2), as SQL
HAVERSINE_SQL = ("2 * {r} * asin(sqrt(power(sin(radians({lat2} - {lat1}) / 2), 2) + "
                 "cos(radians({lat1})) * cos(radians({lat2})) * "
                 "power(sin(radians({lon2} - {lon1}) / 2), 2)))")


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    return HAVERSINE_SQL.format(r=EARTH_KM, lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)


def km_outside(boundaries: Sequence[str | None], lats: Sequence[float],
               lons: Sequence[float]) -> list[float | None]:
    """For each point, its distance in km to its boundary (0 inside it; None where the
    region has no boundary or the point no position)."""
    if not len(lats):
        return []
    import shapely  # loads with the first visit checked, not with the web application
    from shapely.affinity import affine_transform
    from shapely.geometry import shape

    lat0 = float(np.nanmean(np.asarray(lats, dtype=float)))
    a, e = KM_PER_DEGREE_LON * math.cos(math.radians(lat0)), KM_PER_DEGREE_LAT
    parsed: dict[str, shapely.Geometry] = {}
    out: list[float | None] = []
    for boundary, lat, lon in zip(boundaries, lats, lons, strict=True):
        if boundary is None or lat is None or lon is None or math.isnan(lat):
            out.append(None)
            continue
        if boundary not in parsed:
            parsed[boundary] = affine_transform(shape(json.loads(boundary)),
                                                [a, 0, 0, e, 0, 0])
        point = shapely.Point(a * lon, e * lat)
        out.append(float(point.distance(parsed[boundary])))
    return out
