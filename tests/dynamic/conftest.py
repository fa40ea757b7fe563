"""A small synthetic province, identified for 2020 with its roll-ups, built once; each
test that changes it gets its own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import postgres

from povertycloud.access.accounts import User, create_user
from povertycloud.cli.synth import build_store
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.rulefiles import shipped
from povertycloud.store import Store
from povertycloud.synth import SynthConfig

PASSWORD = "a-long-password"


@pytest.fixture(scope="session")
def identified_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dynamic") / "province.duckdb"
    build_store(SynthConfig(people=6_000, seed=3, people_per_village=40), db)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), 2020)
    return db


@pytest.fixture(scope="session")
def identified_template(identified_db: Path) -> Iterator[str]:
    """The identified province copied into PostgreSQL once, for each test to copy."""
    server = postgres.server()
    url = server.copy_of(identified_db)
    yield url
    server.drop(url)


@pytest.fixture(params=["duckdb", "postgresql"])
def dyn_store(request: pytest.FixtureRequest, identified_db: Path,
              tmp_path: Path) -> Iterator[Store]:
    """A copy of the identified province, open: a DuckDB file, or a PostgreSQL database."""
    if request.param == "duckdb":
        copy = tmp_path / "copy.duckdb"
        shutil.copy(identified_db, copy)
        with Store(copy) as store:
            yield store
        return
    template = request.getfixturevalue("identified_template")
    with postgres.server().database(template) as url, Store(url) as store:
        yield store


def rule_file_with(folder: Path, name: str, old: str, new: str) -> Path:
    """A copy of the shipped rule file ``name`` in ``folder`` with ``old`` (which must be
    in it) replaced by ``new``."""
    text = shipped(name).read_text(encoding="utf-8")
    assert old in text
    path = folder / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def officers(store: Store, village: str) -> dict[str, User]:
    """Users over ``village``: field officer and officers at village, township and
    county level, a second county officer, an auditor, and an officer of another
    village; keyed by name."""
    other = store.execute("SELECT min(code) FROM regions WHERE level = 'village' AND "
                          "code <> ?", [village]).fetchone()
    assert other is not None
    plan = {"field": ("field_officer", village), "village": ("officer", village),
            "township": ("officer", village[:9] + "000"),
            "county": ("officer", village[:6] + "000000"),
            "county2": ("officer", village[:6] + "000000"),
            "auditor": ("auditor", village[:6] + "000000"),
            "elsewhere": ("officer", str(other[0]))}
    return {name: create_user(store, name, PASSWORD, role, code)
            for name, (role, code) in plan.items()}
