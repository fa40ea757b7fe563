"""Reports over a store: region roll-ups as of any date, and maps of them."""

from .maps import rollup_geojson
from .rollups import rollup

__all__ = ["rollup", "rollup_geojson"]
