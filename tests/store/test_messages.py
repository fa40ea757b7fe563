"""The store's and the process's failures as one-line messages, through every command
that opens a store: a memory limit that is not an amount or is too small, a store whose
file or folder cannot be written. Commands that only read still open a store they cannot
write."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from tests.conftest import CLI, Refusal

from povertycloud.errors import OutOfMemory, StoreError, StoreLocked, StoreNotWritable
from povertycloud.store import Store
from povertycloud.store.failures import MEMORY_VARIABLE, memory_limit, translated

from .conftest import EVERY, READING, WRITING


@pytest.mark.parametrize("value", ["abc", "90%", "4GB'; DROP TABLE people; --", "0MB"])
@pytest.mark.parametrize("command", list(EVERY))
def test_a_memory_limit_that_is_not_an_amount_is_refused_by_every_command(
        refuse: Refusal, built: Path, db: Path, command: str, value: str) -> None:
    message = refuse(f"{MEMORY_VARIABLE}={value}", EVERY[command](db, built),
                     names=(MEMORY_VARIABLE, "e.g. 4GB"), db=db,
                     env={MEMORY_VARIABLE: value})
    assert repr(value) in message


@pytest.mark.parametrize("value, checked", [("4GB", "4GB"), (" 500mb ", "500MB"),
                                            ("2 GiB", "2GiB"), ("1.5gb", "1.5GB")])
def test_a_memory_limit_is_a_number_and_a_unit(monkeypatch: pytest.MonkeyPatch, value: str,
                                               checked: str) -> None:
    monkeypatch.setenv(MEMORY_VARIABLE, value)
    assert memory_limit() == checked


@pytest.mark.parametrize("command", ["import", "identify"])
def test_too_little_memory_says_which_limit_would_do(refuse: Refusal, built: Path, db: Path,
                                                     command: str) -> None:
    """As the issue found them (import and identify at 50MB on 50,000 people; 20MB here,
    on 1,000)."""
    message = refuse(f"{MEMORY_VARIABLE}=20MB", WRITING[command](db, built),
                     names=(f"{MEMORY_VARIABLE}=20MB is too small", str(db)), db=db,
                     env={MEMORY_VARIABLE: "20MB"})
    assert f"set {MEMORY_VARIABLE}=256MB or more" in message
    assert "cannot be read as" not in message  # not taken for a bad file


@pytest.mark.parametrize("command", list(EVERY))
def test_every_command_says_when_memory_ran_out(refuse: Refusal, built: Path, db: Path,
                                                command: str) -> None:
    refuse(f"{MEMORY_VARIABLE}=1MB", EVERY[command](db, built),
           names=(f"{MEMORY_VARIABLE}=1MB is too small", "DuckDB ran out of memory"), db=db,
           env={MEMORY_VARIABLE: "1MB"})


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) made unwritable, even to root (``chattr +i``), or
    the test skipped where that cannot be done."""
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(path)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not available here (see the test of the translation)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("command", list(WRITING))
def test_a_store_file_that_cannot_be_written_is_refused_by_name(
        refuse: Refusal, built: Path, db: Path, command: str) -> None:
    with unwritable(db):
        message = refuse("a read-only store file", WRITING[command](db, built),
                         names=(f"{db} cannot be written",), db=db)
    assert "is not a povertycloud store" not in message


@pytest.mark.parametrize("command", list(WRITING))
def test_a_store_in_a_folder_that_cannot_be_written_is_refused_by_name(
        refuse: Refusal, built: Path, db: Path, command: str) -> None:
    with unwritable(db.parent):
        refuse("a store in a read-only folder", WRITING[command](db, built),
               names=(str(db), f"its folder {db.parent}", "s.duckdb.wal"), db=db)


@pytest.mark.parametrize("command", list(READING))
def test_commands_that_only_read_open_a_store_they_cannot_write(
        built: Path, db: Path, tmp_path: Path, command: str) -> None:
    with unwritable(db), unwritable(db.parent):
        done = subprocess.run([str(CLI), *READING[command](db, tmp_path)],
                              capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("error, kind", [
    (duckdb.TransactionException('TransactionContext Error: Failed to commit: Cannot open '
                                 'file "/srv/pc/s.duckdb.wal": Permission denied'),
     StoreNotWritable),
    (duckdb.IOException('IO Error: Cannot open file "/srv/pc/s.duckdb": Read-only file '
                        'system'), StoreNotWritable),
    (duckdb.IOException('IO Error: Could not set lock on file "/srv/pc/s.duckdb": '
                        'Conflicting lock is held in /usr/bin/python3.11 (PID 999999999). '
                        'See also https://duckdb.org/docs/stable/connect/concurrency'),
     StoreLocked),
    (duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate"), OutOfMemory),
])
def test_duckdb_errors_the_user_can_act_on_are_translated(error: duckdb.Error,
                                                          kind: type) -> None:
    """Where the file system cannot be frozen, this still checks what the message says."""
    found = translated(error, Path("/srv/pc/s.duckdb"))
    assert isinstance(found, kind) and "/srv/pc" in str(found)
    if kind is StoreLocked:
        assert "python3.11 (PID 999999999)" in str(found)


def test_an_error_raised_while_handling_one_out_of_memory_is_still_out_of_memory() -> None:
    """An engine's statement runs out of memory, and the clean-up after it fails because
    the transaction was aborted: the user hears of the memory."""
    try:
        try:
            raise duckdb.OutOfMemoryException("Out of Memory Error")
        except duckdb.Error:
            raise duckdb.TransactionException("Current transaction is aborted") from None
    except duckdb.Error as exc:
        assert isinstance(translated(exc), OutOfMemory)



def test_a_store_cannot_be_created_in_a_folder_that_cannot_be_written(
        refuse: Refusal, tmp_path: Path) -> None:
    with unwritable(tmp_path):
        refuse("a new store in a read-only folder",
               ["store", "init", str(tmp_path / "new.duckdb")],
               names=(f"{tmp_path / 'new.duckdb'} cannot be created", f"folder {tmp_path}"))
    assert not (tmp_path / "new.duckdb").exists()


@pytest.mark.parametrize("command", ["export", "history as-of"])
def test_an_output_in_a_folder_that_cannot_be_written_is_named(
        refuse: Refusal, db: Path, tmp_path: Path, command: str) -> None:
    (tmp_path / "out").mkdir()
    args = READING[command](db, tmp_path / "out")
    with unwritable(tmp_path / "out"):
        refuse("an output in a read-only folder", args, names=(str(tmp_path / "out"),),
               db=db)


def test_a_store_file_the_system_refuses_cannot_be_read_or_written(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As a user without permission on the file sees it (root is not refused, so the
    refusal is DuckDB's, injected)."""
    db = tmp_path / "s.duckdb"
    Store.create(db).close()

    def refused(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException(f'IO Error: Cannot open file "{db}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", refused)
    with pytest.raises(StoreError, match=r"s.duckdb cannot be read \(Permission denied\)$"):
        Store(db, read_only=True)
    with pytest.raises(StoreNotWritable, match=r"s.duckdb cannot be written \(Permission "
                                               r"denied\); commands that only read"):
        Store(db)


def test_a_file_the_system_refuses_is_named_by_any_command(refuse: Refusal,
                                                           tmp_path: Path) -> None:
    """An OSError outside the store (here openpyxl writing a workbook) is a message too."""
    with unwritable(tmp_path):
        refuse("an output in a read-only folder",
               ["template", "households", str(tmp_path / "t.xlsx")],
               names=(str(tmp_path / "t.xlsx"),))
