"""Load a whole directory of the standard's Parquet tables (as ``synth`` writes them) into
the store in one transaction, one batch per table. The generator is trusted and tested;
files from elsewhere go through :func:`povertycloud.intake.batches.import_file`."""

from __future__ import annotations

from pathlib import Path

from ..errors import PovertyCloudError
from ..progress import Progress
from ..sqltext import literal
from ..standard.tables import TABLES, table_path
from ..store import Store


def load_directory(store: Store, root: Path,
                   progress: Progress | None = None) -> dict[str, int]:
    """Append every table found under ``root``; returns rows loaded per table."""
    found = {name: table_path(root, name) for name in TABLES
             if table_path(root, name).exists()}
    if not found:
        raise PovertyCloudError(f"{root}: no table of the standard found")
    loaded: dict[str, int] = {}
    with store.transaction():
        for name, path in found.items():
            if progress:
                progress(name)
            batch = store.next_batch_id()
            columns = ", ".join(TABLES[name].names)
            store.execute(f"INSERT INTO {name} ({columns}, batch_id, recorded_at) "
                        f"SELECT {columns}, {batch}, now() FROM read_parquet({literal(path)})")
            rows = store.count(f"{name} WHERE batch_id = {batch}")
            store.execute("INSERT INTO batches VALUES (?, ?, ?, NULL, ?, ?, 0, now())",
                        [batch, name, str(path), rows, rows])
            loaded[name] = rows
    return loaded
