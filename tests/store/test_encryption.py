"""Encryption at rest of the embedded store: a copy of the file without the key tells
nothing (its raw bytes searched for the sensitive values), a wrong or missing key is a
clear refusal, and a key is rotated without losing a row."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from tests.conftest import CLI, Refusal

from povertycloud.errors import ConfigError
from povertycloud.store import Store, keys
from povertycloud.store.copy import tally

SENSITIVE = {"people": ("id_number", "name"), "households": ("address", "phone")}


def cli(*args: object, key_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    if key_file is not None:
        env[keys.FILE_VARIABLE] = str(key_file)
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A province built with a key: its store file and the key's file."""
    folder = tmp_path_factory.mktemp("sealed")
    key = folder / "store.key"
    assert cli("keys", "new", key).returncode == 0
    db = folder / "province.duckdb"
    for args in (("synth", "--people", 1000, "--db", db), ("pipeline", "--db", db),
                 ("identify", "--db", db)):
        done = cli(*args, key_file=key)
        assert done.returncode == 0, done.stderr
    return db, key


def _values(db: Path, key: Path) -> list[bytes]:
    """The sensitive values of the store, as the bytes a search of the file looks for."""
    found: list[bytes] = []
    with Store(db, read_only=True, key=keys.read(key)) as store:
        for table, columns in SENSITIVE.items():
            for column in columns:
                found += [str(v).encode() for v in store.column(
                    f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL "
                    "LIMIT 200")]
    return [v for v in found if len(v) >= 6]


def test_the_files_reveal_no_sensitive_value(sealed: tuple[Path, Path]) -> None:
    db, key = sealed
    values = _values(db, key)
    assert len(values) > 300  # ID numbers, phones, names, addresses
    files = [f for f in db.parent.iterdir() if f.name.startswith(db.name)]
    for file in files:
        raw = file.read_bytes()
        assert not [v for v in values if v in raw], f"{file.name} shows values in clear"


def test_the_same_store_in_clear_shows_them(sealed: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    """The search above can fail: the store rotated to no key holds the values."""
    db, key = sealed
    plain = tmp_path / "plain.duckdb"
    plain.write_bytes(db.read_bytes())
    done = cli("keys", "rotate", "--db", plain, key_file=key)
    assert done.returncode == 0, done.stderr
    raw = plain.read_bytes()
    assert [v for v in _values(db, key) if v in raw]


def test_a_key_is_rotated_without_losing_a_row(sealed: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    db, key = sealed
    copy, new_key = tmp_path / "copy.duckdb", tmp_path / "new.key"
    copy.write_bytes(db.read_bytes())
    with Store(copy, read_only=True, key=keys.read(key)) as store:
        before = tally(store)
    assert cli("keys", "new", new_key).returncode == 0
    done = cli("keys", "rotate", "--db", copy, "--to", new_key, key_file=key)
    assert done.returncode == 0, done.stderr
    with Store(copy, read_only=True, key=keys.read(new_key)) as store:
        assert tally(store) == before
        assert store.has_view("identification_scores")
    assert "another key" in cli("store", "info", copy, key_file=key).stderr


def test_a_new_key_is_for_its_owner_only(tmp_path: Path) -> None:
    made = keys.new(tmp_path / "k")
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600
    assert keys.read(tmp_path / "k") == made and "k" in repr(made)
    assert str(made) not in repr(made)  # a key is never shown
    with pytest.raises(ConfigError, match="never overwritten"):
        keys.new(tmp_path / "k")


def test_wrong_missing_and_malformed_keys_are_refused(sealed: tuple[Path, Path],
                                                      tmp_path: Path,
                                                      refuse: Refusal) -> None:
    db, _ = sealed
    other = tmp_path / "other.key"
    keys.new(other)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    refuse("a store opened with another key", ["store", "info", str(db)],
           names=(str(db), "another key"), env=env | {keys.FILE_VARIABLE: str(other)})
    refuse("an encrypted store opened without a key", ["store", "info", str(db)],
           names=(str(db), "is encrypted", keys.FILE_VARIABLE), env=env)
    refuse("a key file that holds no key", ["store", "info", str(db)],
           names=(str(bad), "64 hexadecimal"), env=env | {keys.FILE_VARIABLE: str(bad)})
    refuse("a key file that cannot be read", ["store", "info", str(db)],
           names=(str(tmp_path / "none.key"), "cannot be read"),
           env=env | {keys.FILE_VARIABLE: str(tmp_path / "none.key")})


def test_a_store_in_clear_opened_with_a_key_is_refused(tmp_path: Path,
                                                       refuse: Refusal) -> None:
    db = tmp_path / "plain.duckdb"
    Store.create(db, key=None).close()
    key = tmp_path / "k"
    keys.new(key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    refuse("a store in clear opened with a key", ["users", "list", "--db", str(db)],
           names=(str(db), "not encrypted", "keys rotate"),
           env=env | {keys.FILE_VARIABLE: str(key)}, db=db)


def test_a_backup_is_sealed_with_the_key_and_restored_with_it(
        sealed: tuple[Path, Path], tmp_path: Path, refuse: Refusal) -> None:
    """A backup of a sealed store, and the store restored from it, show no sensitive
    value; without the key the backup is refused, with it it restores equal."""
    db, key = sealed
    out, restored = tmp_path / "b.duckdb", tmp_path / "r.duckdb"
    assert cli("backup", "--db", db, out, key_file=key).returncode == 0
    refuse("restore: a sealed backup without the key",
           ["restore", str(out), "--db", str(restored)], (str(out),))
    assert not restored.exists()
    done = cli("restore", out, "--db", restored, key_file=key)
    assert done.returncode == 0, done.stderr
    values = _values(db, key)
    for file in (out, restored):
        raw = file.read_bytes()
        assert not [v for v in values if v in raw], f"{file.name} shows values in clear"
    with Store(db, read_only=True, key=keys.read(key)) as a, \
            Store(restored, read_only=True, key=keys.read(key)) as b:
        assert tally(a) == tally(b)
