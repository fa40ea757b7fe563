"""`rollup --within` and its map: the regions within a code and no neighbour."""

from __future__ import annotations

from pathlib import Path

from povertycloud.reports import rollup, rollup_geojson
from povertycloud.store import Store


def test_within_a_township_leaves_out_its_sibling_townships(identified_db: Path) -> None:
    with Store(identified_db, read_only=True) as store:
        townships = store.column("SELECT code FROM regions WHERE level = 'township' "
                                 "ORDER BY code")
        township = next(c for c in townships if c.endswith("100000"))
        assert any(c.startswith(township[:7]) and c != township for c in townships)
        table = rollup(store, None, None, township)
        features = rollup_geojson(store, None, "village", township)["features"]
    codes = table.column("region_code").to_pylist()
    assert township in codes and len(codes) > 1
    assert all(c.startswith(township[:9]) for c in codes), codes
    assert features and all(f["id"].startswith(township[:9]) for f in features)
