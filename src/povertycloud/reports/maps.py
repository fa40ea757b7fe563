"""GeoJSON of region boundaries carrying their roll-up figures, ready for a map."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..store import Store
from .rollups import rollup


def rollup_geojson(store: Store, as_of: dt.date | None, level: str,
                   within: str | None = None) -> dict[str, Any]:
    """A FeatureCollection of the regions at ``level`` with their figures as properties."""
    figures = {r["region_code"]: r for r in rollup(store, as_of, level, within).to_pylist()}
    rows = store.con.execute(
        "SELECT code, name, boundary FROM regions WHERE level = ? AND boundary IS NOT NULL "
        "ORDER BY code", [level]).fetchall()
    features = []
    for code, name, boundary in rows:
        if within and not code.startswith(within.rstrip("0")):
            continue
        props = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                 for k, v in figures.get(code, {}).items()}
        props.update({"code": code, "name": name, "level": level})
        features.append({"type": "Feature", "id": code, "geometry": json.loads(boundary),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}
