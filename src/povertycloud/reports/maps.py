"""GeoJSON of region boundaries carrying their figures, ready for a map: the command
line's roll-up maps and the pages' maps are built here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from ..standard.regions import prefix
from ..store import Params, Store
from .rollups import rollup

Properties = Callable[[str, str], dict[str, Any] | None]


def region_features(store: Store, where: str, params: Params, properties: Properties
                    ) -> dict[str, Any]:
    """A FeatureCollection of the regions ``where`` holds (an SQL condition on
    ``regions``) that have a boundary, each with ``properties(code, name)``; a region
    whose properties are None is left out."""
    features = []
    for code, name, boundary in store.rows(
            f"SELECT code, name, boundary FROM regions WHERE ({where}) "
            "AND boundary IS NOT NULL ORDER BY code", params):
        props = properties(code, name)
        if props is not None:
            features.append({"type": "Feature", "id": code, "properties": props,
                             "geometry": json.loads(boundary)})
    return {"type": "FeatureCollection", "features": features}


def rollup_geojson(store: Store, as_of: dt.date | None, level: str,
                   within: str | None = None) -> dict[str, Any]:
    """A FeatureCollection of the regions at ``level`` with their figures as properties."""
    figures = {r["region_code"]: r for r in rollup(store, as_of, level, within).to_pylist()}
    where, params = "level = ?", [level]
    if within:
        where, params = f"{where} AND starts_with(code, ?)", [level, prefix(within)]
    return region_features(store, where, params, lambda code, name: {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in figures.get(code, {}).items()} | {"code": code, "name": name,
                                                      "level": level})
