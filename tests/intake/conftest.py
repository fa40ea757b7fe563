"""What the intake tests share: a small synthetic province loaded into a source store."""

from __future__ import annotations

import csv
from pathlib import Path

from povertycloud.intake import load_directory
from povertycloud.store import Store
from povertycloud.synth import SynthConfig, generate

CONFIG = SynthConfig(people=2000, seed=5)


def source_store(root: Path) -> Store:
    """Generate the province under ``root`` and load it into ``root/source.duckdb``."""
    generate(CONFIG, root / "province")
    store = Store.create(root / "source.duckdb")
    load_directory(store, root / "province")
    return store


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """``rows`` as a UTF-8 CSV file with ``header``."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path
