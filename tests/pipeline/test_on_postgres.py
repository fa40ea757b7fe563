"""The batch work on PostgreSQL-held data gives what it gives on the embedded store: the
same synthetic province (with its departments' feeds) in a DuckDB file and copied into
PostgreSQL, then the pipeline, the identification, the feeds' linkage and conflict
checks, the re-evaluation and the relapse early warning on each; every table compared
(its rows and a checksum of them, leaving out when a row was written)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import postgres

from povertycloud.cli.synth import build_store
from povertycloud.dynamic import warning
from povertycloud.dynamic.reevaluation import reevaluate
from povertycloud.feeds.checks import load_conflicts, run_checks
from povertycloud.feeds.sources import load_sources
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.store.copy import copy_store, tables
from povertycloud.store.keys import Key
from povertycloud.synth import SynthConfig

AS_OF = dt.date(2021, 12, 31)
KEY = Key("0123456789abcdef" * 4, "the test")
# written when the work ran, not by what it found
STAMPED = {"run_by", "linked_at", "raised_at", "recorded_at", "started_at", "finished_at",
           "proposed_on", "due_on", "logged_at"}


def _content(store: Store) -> dict[str, tuple[int, int]]:
    found = {}
    for table in tables(store):
        kept = [f'"{c}"' for c, kind in store.columns(table).items()
                if not kind.startswith("TIMESTAMP") and c not in STAMPED]
        row = store.one(f"SELECT count(*), coalesce(sum(hash(CAST(ROW({', '.join(kept)}) "
                        f"AS VARCHAR)))::HUGEINT, 0) FROM {table}")
        assert row is not None
        found[table] = (int(row[0]), int(row[1]))
    return found


def _work(store: Store) -> None:
    sources = load_sources()
    run_on_store(store)
    identify(store, load_rules(), 2020)
    run_checks(store, sources, load_conflicts(None, sources))
    reevaluate(store, as_of=AS_OF, by="test", on=AS_OF)
    warning.score(store, rules=dataclasses.replace(warning.load_warning(), rounds=20))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("both") / "province.duckdb"
    build_store(SynthConfig(people=3_000, seed=11), db, feeds=True)
    return db


# sealed: 45 s, run by CI (--run-slow); the sealed store on PostgreSQL is met by default
# in tests/store/test_sealing.py and tests/web/test_sealed_postgres.py
@pytest.fixture(params=[pytest.param(None, id="in-clear"),
                        pytest.param(KEY, id="sealed", marks=pytest.mark.slow)])
def on_postgres(province: Path, request: pytest.FixtureRequest
                ) -> Iterator[tuple[str, Key | None]]:
    """The province in PostgreSQL, in clear or with its sensitive columns sealed."""
    with postgres.server().database() as url:
        with Store(province, read_only=True) as source, \
                Store.create(url, key=request.param) as target:
            copy_store(source, target)
        yield url, request.param


def test_the_batch_work_gives_the_same_on_both_backends(
        province: Path, on_postgres: tuple[str, Key | None], tmp_path: Path) -> None:
    here = tmp_path / "here.duckdb"
    here.write_bytes(province.read_bytes())
    found = {}
    url, key = on_postgres
    for target, its_key in ((here, None), (url, key)):
        with Store(target, key=its_key) as store:
            _work(store)
            found[str(target)] = _content(store)
    embedded, server = found[str(here)], found[url]
    assert embedded.keys() == server.keys()
    for table in ("household_indicators", "region_rollups", "identification", "feed_links",
                  "conflict_flags", "proposals", "relapse_risk"):
        assert embedded[table][0] > 0, table  # the work did something to compare
    assert {t: v for t, v in server.items() if v != embedded[t]} == {}
