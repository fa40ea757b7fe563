"""Boundaries: each region's polygon is split among its children by a Voronoi diagram of
random seed points, clipped to the parent, so siblings never overlap and tile the parent."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

GRID = 1e-5  # degrees, about a metre: coordinates are snapped to this grid

# Centre and size of the synthetic province, in degrees (a Guizhou-like place).
CENTRE = (106.7, 26.8)


def province_outline(rng: np.random.Generator, villages: int) -> Polygon:
    """An irregular outline whose area grows with the number of villages."""
    radius = 0.02 * np.sqrt(villages) + 0.05  # ~14 km² a village, like rural Guizhou
    angles = np.sort(rng.uniform(0, 2 * np.pi, 24))
    radii = radius * rng.uniform(0.75, 1.2, angles.size)
    xs = CENTRE[0] + radii * np.cos(angles) * 1.3
    ys = CENTRE[1] + radii * np.sin(angles)
    return Polygon(zip(xs, ys, strict=True))


def split(parent: BaseGeometry, parts: int, rng: np.random.Generator) -> list[BaseGeometry]:
    """``parts`` non-overlapping pieces that together cover ``parent``."""
    if parts == 1:
        return [parent]
    seeds = _points_inside(parent, parts, rng)
    minx, miny, maxx, maxy = parent.bounds
    envelope = shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=envelope)
    pieces: list[BaseGeometry] = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(Point(seed)))
        pieces.append(_polygonal(cell.intersection(parent)))
    return pieces


def _points_inside(shape: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = shape.bounds
    shapely.prepare(shape)
    found = np.empty((0, 2))
    while len(found) < n:
        xs = rng.uniform(minx, maxx, 4 * n)
        ys = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(shape, xs, ys)
        found = np.vstack([found, np.column_stack([xs[inside], ys[inside]])])
    return found[:n]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polys)


def to_geojson(geom: BaseGeometry) -> str:
    """The geometry as GeoJSON text, snapped to the shared grid so neighbours stay exact."""
    return str(shapely.to_geojson(shapely.set_precision(geom, GRID)))
