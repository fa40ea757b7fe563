"""Sensitive columns sealed on PostgreSQL: the database (its tables, then its files on
disk) shows no ID number, phone, address or feed record in clear; the store reads and
looks them up as before; a key is checked, rotated and refused as on the embedded file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from tests import postgres
from tests.conftest import CLI, Refusal, Reliability, count_writes, run_killed

from povertycloud.cli.synth import build_store
from povertycloud.registry import search
from povertycloud.store import Store, keys
from povertycloud.store.copy import copy_store, tally
from povertycloud.synth import SynthConfig

KEY = keys.Key("00112233445566778899aabbccddeeff" * 2, "the test")
OTHER = keys.Key("ffeeddccbbaa99887766554433221100" * 2, "another test")
SENSITIVE = {"people": ("id_number",), "households": ("address", "phone")}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sealing") / "province.duckdb"
    build_store(SynthConfig(people=1_500, seed=3), db, feeds=True)
    return db


@pytest.fixture
def sealed(province: Path) -> Iterator[str]:
    """The province copied into a PostgreSQL database made with a key."""
    with postgres.server().database() as url:
        with Store(province, read_only=True) as source, \
                Store.create(url, key=KEY) as target:
            copy_store(source, target)
        yield url


def _values(db: Path) -> list[str]:
    """Sensitive values of the province (and of its feeds' records), to search for."""
    found: list[str] = []
    with Store(db, read_only=True) as store:
        for table, columns in SENSITIVE.items():
            for column in columns:
                found += store.column(f"SELECT DISTINCT {column} FROM {table} WHERE "
                                      f"{column} IS NOT NULL LIMIT 300")
        for table, column in store.rows("SELECT table_name, column_name FROM pc_sealed "
                                        "WHERE table_name LIKE '%\\_%' ESCAPE '\\' AND "
                                        "column_name LIKE '%id_number'"):
            if store.has_table(table):
                found += store.column(f'SELECT DISTINCT "{column}" FROM {table} LIMIT 100')
    return [str(v) for v in found if v is not None and len(str(v)) >= 7]


def _dump(url: str) -> str:
    """Every row of every table of the database, as PostgreSQL's text of it."""
    texts = []
    with psycopg.connect(url) as con:
        names = con.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname "
                            "NOT IN ('pg_catalog', 'information_schema')").fetchall()
        for schema, table in names:
            rows = con.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()
            texts += [r[0] for r in rows]
    return "\n".join(texts)


def _files(url: str) -> list[bytes]:
    """The database's files on disk after a checkpoint (none if they cannot be read)."""
    with psycopg.connect(url, autocommit=True) as con:
        try:
            con.execute("CHECKPOINT")
            row = con.execute("SELECT current_setting('data_directory'), oid FROM "
                              "pg_database WHERE datname = current_database()").fetchone()
        except psycopg.Error:  # CHECKPOINT needs a superuser (or pg_checkpoint)
            return []
    assert row is not None
    folder = Path(row[0]) / "base" / str(row[1])
    try:
        return [f.read_bytes() for f in folder.iterdir() if f.is_file()]
    except OSError:
        return []


def test_the_database_shows_no_sensitive_value(province: Path, sealed: str) -> None:
    values = _values(province)
    assert len(values) > 500
    dumped = _dump(sealed)
    assert not [v for v in values if v in dumped]
    raw = _files(sealed)
    if os.geteuid() == 0:  # ./dev test, as root: the pages on disk too
        assert raw, "the database's files were not read"
    encoded = [v.encode() for v in values]
    assert not [v for f in raw for v in encoded if v in f]


def test_the_search_can_fail(province: Path) -> None:
    """The search above finds the values in a copy made without a key."""
    with postgres.server().database() as url:
        with Store(province, read_only=True) as source, Store.create(url, key=None) as target:
            copy_store(source, target)
        dumped, raw = _dump(url), b"".join(_files(url))
    values = _values(province)
    assert len([v for v in values if v in dumped]) > 500
    if os.geteuid() == 0:  # and in the files on disk
        assert [v for v in values if v.encode() in raw]


def test_the_store_reads_writes_and_looks_up_sealed_values(province: Path,
                                                           sealed: str) -> None:
    with Store(province, read_only=True) as source:
        expected = tally(source)
        person, number = source.one("SELECT person_id, id_number FROM people LIMIT 1") or ()
        largest = source.latest("people", "id_number")
    with Store(sealed, key=KEY) as store:
        assert tally(store) == expected
        assert store.latest("people", "id_number") == largest  # opened, not ciphertext
        search.refresh(store)
        found = search.search(store, number, "")
        assert [r["person_id"] for r in found["rows"]] == [person]
        changed = number[:-1] + ("1" if number[-1] != "1" else "2")
        store.execute("UPDATE people SET id_number = ?, chronic_illness = true "
                      "WHERE id_number = ?", [changed, number])
        store.execute("UPDATE quarantine q SET problems = 'seen' "
                      "WHERE json_extract_string(q.record, '$.id_number') = ?", [number])
        assert store.one("SELECT id_number, chronic_illness FROM people WHERE person_id = ?",
                         [person]) == (changed, True)
        store.execute("DELETE FROM pc_meta WHERE key = 'web_search_people'")  # made anew
        assert search.refresh(store)
        assert [r["person_id"] for r in search.search(store, changed, "")["rows"]] == [person]
        assert search.search(store, number, "")["rows"] == []


def _cli(*args: str, key: keys.Key | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    if key is not None:
        env[keys.VALUE_VARIABLE] = str(key)
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, env=env,
                          timeout=600, check=False)


def test_a_key_is_checked_and_rotated(province: Path, sealed: str, tmp_path: Path,
                                      refuse: Refusal) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    refuse("a sealed PostgreSQL store opened without a key", ["users", "list", "--db", sealed],
           names=("is encrypted", keys.FILE_VARIABLE), env=env)
    refuse("a sealed PostgreSQL store opened with another key",
           ["users", "list", "--db", sealed], names=("another key",),
           env=env | {keys.VALUE_VARIABLE: str(OTHER)})
    new = tmp_path / "new.key"
    keys.new(new)
    done = _cli("keys", "rotate", "--db", sealed, "--to", str(new), key=KEY)
    assert done.returncode == 0, done.stderr
    assert "povertycloud_test@" in done.stdout and ":povertycloud_test@" not in done.stdout
    with Store(province, read_only=True) as source:
        expected = tally(source)
    with Store(sealed, key=keys.read(new)) as store:
        assert tally(store) == expected
    assert "another key" in _cli("users", "list", "--db", sealed, key=KEY).stderr


def test_a_store_in_clear_is_sealed_in_place(province: Path, refuse: Refusal) -> None:
    with postgres.server().database() as url:
        with Store(province, read_only=True) as source, Store.create(url, key=None) as target:
            copy_store(source, target)
            expected = tally(target)
        env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
        refuse("a PostgreSQL store in clear opened with a key", ["users", "list", "--db", url],
               names=("not encrypted", "keys rotate"), env=env | {keys.VALUE_VARIABLE: KEY})
        key_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"k-{os.getpid()}.key"
        key_file.write_text(str(KEY))
        try:
            done = _cli("keys", "rotate", "--db", url, "--to", str(key_file), key=None)
        finally:
            key_file.unlink()
        assert done.returncode == 0, done.stderr
        with Store(url, key=KEY) as store:
            assert tally(store) == expected
        dumped = _dump(url)
        assert not [v for v in _values(province) if v in dumped]


@pytest.mark.slow  # kills on PostgreSQL, 20 s: CI runs it (--run-slow)
def test_a_rotation_killed_leaves_the_store_as_it_was(
        sealed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reliability: Reliability) -> None:
    """Killed at its first write, half-way and before its commit, `keys rotate` leaves
    the store sealed with the old key and every row as it was; run again, it rotates."""
    new = tmp_path / "new.key"
    keys.new(new)
    monkeypatch.delenv(keys.FILE_VARIABLE, raising=False)
    monkeypatch.setenv(keys.VALUE_VARIABLE, str(KEY))
    with Store(sealed, key=KEY) as store:
        before = tally(store)
    server = postgres.server()
    with server.database(sealed) as counted:
        writes = count_writes(["keys", "rotate", "--db", counted, "--to", str(new)])
    assert writes > 10  # an UPDATE of each sealed table, then the commit
    for crash_at in (1, writes // 2, writes):
        with server.database(sealed) as url:
            args = ["keys", "rotate", "--db", url, "--to", str(new)]
            assert run_killed(args, crash_at) == 137
            with Store(url, key=KEY) as store:
                assert tally(store) == before, crash_at
            assert run_killed(args) == 0
            with Store(url, key=keys.read(new)) as store:
                assert tally(store) == before
    reliability.kills("keys rotate (PostgreSQL)", 3, 3)
