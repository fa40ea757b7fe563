"""How commands open a store: one held by another process (the web server) is refused
naming it, or waited for with --wait; commands that only read leave the store as it was,
to the file's time; `serve` says what it writes on start-up."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.conftest import CLI, Refusal, store_state

from .conftest import EVERY, READING


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: Path) -> Iterator[tuple[int, list[str]]]:
    """`povertycloud serve` over ``db`` in a process of its own, holding the store: its
    PID and what it printed before serving; stopped (as by Ctrl+C) afterwards."""
    with subprocess.Popen([str(CLI), "serve", "--db", str(db), "--port", str(free_port())],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as server:
        said: list[str] = []
        assert server.stdout is not None
        for line in server.stdout:
            said.append(line.strip())
            if line.startswith("Serving"):
                break
        else:
            raise AssertionError(f"serve did not start: {said}")
        try:
            yield server.pid, said
        finally:
            _stop(server)


def _stop(server: subprocess.Popen[str]) -> None:
    """Ctrl+C, again if the first came before the server listened for it; a server
    still running after that is killed and the test fails (it never hangs the run)."""
    for _ in range(2):
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
            return
        except subprocess.TimeoutExpired:
            continue
    server.kill()
    server.communicate()
    raise AssertionError("povertycloud serve did not stop on Ctrl+C")


def test_serve_says_what_it_writes_on_start_up(db: Path) -> None:
    with serving(db) as (_, said):
        pass
    rebuilt = " ".join(said)
    assert "Rebuilt web_identification_figures" in rebuilt
    assert "Rebuilt web_people_search" in rebuilt
    with serving(db) as (_, said):  # nothing changed since: nothing to write
        pass
    assert not [line for line in said if "Rebuilt" in line]


@pytest.mark.slow  # every command against a served store, 15 s: CI (--run-slow)
def test_a_store_held_by_the_server_is_refused_naming_it(refuse: Refusal, built: Path,
                                                         db: Path) -> None:
    with serving(db):  # its start-up writes done, so the state to keep is the one after
        pass
    before, commands = store_state(db), [args(db, built) for args in EVERY.values()]
    with serving(db) as (pid, _):
        for args in commands:
            refuse("a store held by the server", args,
                   names=(f"{db} is locked by povertycloud serve", f"(PID {pid})"))
    assert store_state(db) == before


def test_a_writer_waits_for_the_server_with_wait(db: Path) -> None:
    with serving(db) as (pid, _):
        threading.Timer(3, lambda: subprocess.run(["kill", "-INT", str(pid)],
                                                  check=False)).start()
        done = subprocess.run([str(CLI), "identify", "--db", str(db), "--wait", "60"],
                              capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"is locked by povertycloud serve --db {db}" in done.stdout
    assert "waiting up to 60 s" in done.stdout


def test_waiting_has_an_end(refuse: Refusal, db: Path) -> None:
    with serving(db) as (pid, _):
        refuse("a store held longer than --wait", ["identify", "--db", str(db), "--wait", "1"],
               names=(f"{db} is still locked by povertycloud serve", f"(PID {pid})",
                      "after waiting 1 s"))


@pytest.mark.parametrize("command", list(READING))
def test_commands_that_only_read_leave_the_store_untouched(built: Path, db: Path,
                                                           tmp_path: Path,
                                                           command: str) -> None:
    before, touched = store_state(db), db.stat().st_mtime_ns
    done = subprocess.run([str(CLI), *READING[command](db, tmp_path)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert store_state(db) == before
    assert db.stat().st_mtime_ns == touched
    assert sorted(p.name for p in db.parent.iterdir()) == ["s.duckdb"]  # no log written
