"""Where poverty will be next year through the API: each region below with the households
expected to fall below the line, their interval and this year's figure; the map's
regions carry the same figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient


def test_the_forecast_and_the_map_agree(client: TestClient,
                                        as_user: Callable[[str], dict[str, str]],
                                        regions: Any) -> None:
    headers = as_user("county_officer")
    rows = client.get(f"/api/regions/{regions.county}/forecast", headers=headers)
    assert rows.status_code == 200, rows.text
    found = {r["region_code"]: r for r in rows.json()}
    assert found and all(0 <= r["low"] <= r["expected_falls"] <= r["high"]
                         for r in found.values())
    geo = client.get(f"/api/regions/{regions.county}/map", headers=headers).json()
    on_map = {f["id"]: f["properties"] for f in geo["features"]}
    assert set(found) <= set(on_map)
    for code, row in found.items():
        assert on_map[code]["expected_falls"] == row["expected_falls"]
        assert on_map[code]["falls_high"] == row["high"]
    village = client.get(f"/api/regions/{regions.village}/forecast", headers=headers)
    assert village.status_code == 200 and village.json() == []
    other = client.get(f"/api/regions/{regions.other_county}/forecast", headers=headers)
    assert other.status_code == 403
