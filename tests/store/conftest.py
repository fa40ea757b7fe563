"""What the tests of opening a store share: an identified store to copy, and the commands
that open one, as arguments for a store and a folder of inputs and outputs."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import CLI

from povertycloud.store import Store

Args = Callable[[Path, Path], list[str]]  # a command's arguments for a store and a folder


def run(*args: object) -> None:
    subprocess.run([str(CLI), *map(str, args)], check=True, capture_output=True,
                   timeout=300)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an identified store (base.duckdb), its people as CSV and a feed."""
    folder = tmp_path_factory.mktemp("messages")
    db = folder / "base.duckdb"
    run("synth", "--people", 1000, "--db", db)
    run("pipeline", "--db", db)
    run("identify", "--db", db)
    run("users", "add", "--db", db, "--username", "exporter", "--role", "admin",
        "--region", "520000000000", "--password", "a-long-password")
    run("export", "people", folder / "people.csv", "--db", db, "--as", "exporter")  # in clear
    run("synth", "--people", 1000, "--out", folder / "p", "--feeds")
    return folder


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    """A copy of the identified store, alone in its folder."""
    (tmp_path / "store").mkdir()
    return Path(shutil.copy(built / "base.duckdb", tmp_path / "store" / "s.duckdb"))


def household(db: Path) -> int:
    with Store(db, read_only=True) as store:
        return int(store.value("SELECT min(household_id) FROM identification"))


# Commands that change the store: name, arguments.
WRITING: dict[str, Args] = {
    "import": lambda db, f: ["import", "people", str(f / "people.csv"), "--db", str(db)],
    "intake": lambda db, f: ["intake", "--source", "transport_vehicles",
                             str(f / "p" / "feeds" / "transport_vehicles.parquet"),
                             "--db", str(db)],
    "identify": lambda db, f: ["identify", "--db", str(db)],
    "pipeline": lambda db, f: ["pipeline", "--db", str(db)],
    "serve": lambda db, f: ["serve", "--db", str(db), "--port", "8791"],
}
# Commands that only read it.
READING: dict[str, Args] = {
    "export": lambda db, f: ["export", "households", str(f / "out.csv"), "--overwrite",
                             "--db", str(db)],
    "rollup": lambda db, f: ["rollup", "--db", str(db)],
    "explain": lambda db, f: ["explain", "--db", str(db), "--household",
                              str(household(db))],
    "store info": lambda db, f: ["store", "info", str(db)],
    "history as-of": lambda db, f: ["history", "as-of", "2020-12-31", "--db", str(db),
                                    "--out", str(f / "as-of.csv"), "--overwrite"],
    "whatif": lambda db, f: ["whatif", "--db", str(db)],
    "users list": lambda db, f: ["users", "list", "--db", str(db)],
}
EVERY = {**WRITING, **READING}
