"""The product catalogue exported for an e-commerce platform (rules/product_exports.yaml):
each platform's columns, in its order, under the headers its bulk upload expects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..rulefiles import Reader, RuleSet, by_id, header_and_items, shipped
from ..store import Store
from .products import catalogue

DEFAULT = "product_exports.yaml"
FIELDS = ("product_id", "name", "category", "unit", "price_yuan", "available", "season",
          "certificates", "description", "seller", "county", "village", "origin", "photo")


@dataclass(frozen=True)
class Platform:
    id: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (header, field)


@dataclass(frozen=True)
class Platforms(RuleSet):
    platforms: tuple[Platform, ...]

    def __getitem__(self, ident: str) -> Platform:
        return by_id(self.platforms, ident, "platform", self.label)


def load_platforms(path: Path | None = None) -> Platforms:
    path = Path(path) if path is not None else shipped(DEFAULT)
    top, found = header_and_items(path, "platforms", "product exports", _platform)
    return Platforms(**top, platforms=found)


def _platform(r: Reader, taken: set[str]) -> Platform:
    r.only("platform", "label", "columns")
    ident = str(r.get("platform", (str, int)))
    r.what = f"platform {ident}"
    if ident in taken:
        raise r.fail("appears twice")
    columns = []
    for item in r.items("columns"):
        c = Reader(r.path, item, f"platform {ident} column")
        c.only("header", "field")
        if c.get("field", str) not in FIELDS:
            raise c.fail(f"'field' must be one of {', '.join(FIELDS)}, not "
                         f"{c.get('field', str)!r}")
        columns.append((str(c.get("header", str)), str(c.get("field", str))))
    return Platform(ident, str(r.get("label", str, ident)), tuple(columns))


def export_table(rows: list[dict[str, Any]], platform: Platform) -> pa.Table:
    """The catalogue's rows as the platform's columns (every value as text)."""
    out: dict[str, list[str]] = {header: [] for header, _ in platform.columns}
    for row in rows:
        values = _fields(row)
        for header, name in platform.columns:
            out[header].append(values[name])
    return pa.table({h: pa.array(v, pa.string()) for h, v in out.items()})


def _fields(row: dict[str, Any]) -> dict[str, str]:
    price = int(row["price_fen"])
    values = {name: "" if row.get(name) is None else str(row[name]) for name in FIELDS}
    values.update(
        price_yuan=f"{price // 100}.{price % 100:02d}",
        certificates=(row.get("certificates") or "").replace(";", "、"),
        county=str(row.get("county_name") or ""), village=str(row.get("village_name") or ""),
        origin=f"{row.get('county_name') or ''}{row.get('village_name') or ''}",
        photo=f"/portal/products/{row['product_id']}/photo" if row.get("photo") else "")
    return values


def platform_export(store: Store, prefix: str, platform: Platform) -> pa.Table:
    return export_table(catalogue(store, prefix), platform)
