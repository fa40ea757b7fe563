"""Faults on the PostgreSQL store: a worker killed mid-request, PostgreSQL restarted under
load, an import killed at its writes. Every acknowledged write is there afterwards,
nothing is half-written, and the server carries on by itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from tests.conftest import CLI, count_writes, run_killed

from povertycloud.store import Store
from povertycloud.store.copy import tally

from .conftest import PASSWORD, free_port
from .test_workers import serving, worker_pids

RIGHT = {"username": "admin", "password": PASSWORD}
BIN = Path("/usr/lib/postgresql")


@dataclass
class PrivateServer:
    """A PostgreSQL server of the test's own (the suite's shared one must not restart
    under the other tests), run as the system's postgres user."""

    folder: Path
    port: int

    def _ctl(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self._bin("pg_ctl")), "-D",
                        str(self.folder / "data"), "-l", str(self.folder / "log"), "-w",
                        "-o", f"-p {self.port} -k {self.folder} "
                              "-c listen_addresses=127.0.0.1", *args],
                       check=True, capture_output=True, timeout=120)

    def _bin(self, name: str) -> Path:
        return sorted(BIN.glob(f"*/bin/{name}"))[-1]

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://pc@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("a PostgreSQL server of the test's own needs root (./dev test runs so)")
    folder = Path(tempfile.mkdtemp(prefix="povertycloud-pg-"))  # where postgres may go
    folder.chmod(0o755)
    shutil.chown(folder, "postgres")
    server = PrivateServer(folder, free_port())
    subprocess.run(["runuser", "-u", "postgres", "--", str(server._bin("initdb")), "-D",
                    str(folder / "data"), "-A", "trust", "-U", "pc"],
                   check=True, capture_output=True, timeout=120)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _store_on(server: PrivateServer, web_store: tuple[Path, object]) -> str:
    """The web's province copied into a new database of ``server``."""
    subprocess.run(["runuser", "-u", "postgres", "--", str(server._bin("createdb")), "-h",
                    "127.0.0.1", "-p", str(server.port), "-U", "pc", "province"],
                   check=True, capture_output=True, timeout=60)
    url = server.url("province")
    from povertycloud.store.copy import copy_store

    with Store(web_store[0], read_only=True) as source, Store.create(url) as target:
        copy_store(source, target)
    return url


def _logins(url: str, stop: threading.Event, acknowledged: list[str]) -> None:
    """Log in again and again; keep each token the server acknowledged (a refusal or a
    lost connection while the fault lasts is expected)."""
    while not stop.is_set():
        try:
            answer = httpx.post(f"{url}/api/session", json=RIGHT, timeout=30)
        except httpx.TransportError:
            continue
        if answer.status_code == 200:
            acknowledged.append(answer.json()["token"])


@contextmanager
def logging_in(site: str, clients: int = 4) -> Iterator[list[str]]:
    """``clients`` threads logging in at ``site`` until the block ends; the tokens the
    server acknowledged, once at least two are."""
    stop, acknowledged = threading.Event(), []  # type: ignore[var-annotated]
    threads = [threading.Thread(target=_logins, args=(site, stop, acknowledged))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(acknowledged) >= 2)
        yield acknowledged
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)


def _wait_for(done: Callable[[], bool], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the server did not carry on"
        time.sleep(0.2)


def _all_valid(url: str, tokens: list[str]) -> bool:
    for token in tokens:
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"},
                       timeout=30)
        if me.status_code != 200:
            return False
    return True


@pytest.mark.slow  # faults on PostgreSQL, 15-20 s: CI runs it (--run-slow)
def test_postgresql_restarted_under_load(private_server: PrivateServer,
                                         web_store: tuple[Path, object]) -> None:
    url = _store_on(private_server, web_store)
    with serving(url, 2) as (site, _):
        with logging_in(site) as acknowledged:
            private_server.restart()
            after = len(acknowledged)
            _wait_for(lambda: len(acknowledged) >= after + 2)  # it carried on by itself
        assert _all_valid(site, acknowledged)  # every acknowledged session was kept
    with Store(url) as store:  # and nothing half-written: a session has its user
        assert store.scalar("SELECT count(*) FROM sessions s LEFT JOIN users u "
                            "USING (user_id) WHERE u.user_id IS NULL") == 0


@pytest.mark.slow  # faults on PostgreSQL, 15-20 s: CI runs it (--run-slow)
def test_a_worker_killed_mid_request(pg_store_url: str) -> None:
    with serving(pg_store_url, 2) as (site, server):
        with logging_in(site) as acknowledged:
            killed = worker_pids(server)[0]
            os.kill(killed, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while killed in worker_pids(server) or len(worker_pids(server)) < 2:
                assert time.monotonic() < deadline, "the server did not replace the worker"
                time.sleep(0.5)
            after = len(acknowledged)
            _wait_for(lambda: len(acknowledged) >= after + 2)  # served on
        assert _all_valid(site, acknowledged)


@pytest.mark.slow  # faults on PostgreSQL, 15-20 s: CI runs it (--run-slow)
def test_an_import_killed_at_its_writes_leaves_the_store_as_it_was(
        pg_store_url: str, tmp_path: Path) -> None:
    survey = tmp_path / "household_years.csv"
    exported = subprocess.run([str(CLI), "export", "household_years", str(survey), "--db",
                               pg_store_url, "--as", "admin"], capture_output=True,
                              text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    with Store(pg_store_url) as store:
        before = tally(store)
        store.execute("DELETE FROM household_years")
    command = ["import", "household_years", str(survey), "--db", pg_store_url]
    writes = count_writes(command)
    with Store(pg_store_url) as store:
        store.execute("DELETE FROM household_years")  # what the counting run imported
        store.execute("DELETE FROM batches")
        emptied = tally(store)
    for crash_at in range(1, writes + 1):
        assert run_killed(command, crash_at) != 0
        with Store(pg_store_url) as store:
            assert tally(store) == emptied, f"killed at write {crash_at}"
    assert run_killed(command) == 0
    with Store(pg_store_url) as store:
        after = tally(store)
    assert after["household_years"][0] == before["household_years"][0]


def test_a_batch_is_seen_whole_while_it_runs(pg_store_url: str) -> None:
    """`identify` replaces a year's results in a process of its own while the server's
    handle reads them: every read sees all the households of the run before or all of
    the run after (its run id), never a mix, never none."""
    with Store(pg_store_url) as store:
        households = store.scalar("SELECT count(*) FROM identification WHERE year = 2020")
        runs_before = store.scalar("SELECT count(*) FROM identification_runs")
    assert households > 0
    seen: set[tuple[int, int]] = set()
    done = threading.Event()

    def read() -> None:
        with Store(pg_store_url) as reader:
            while not done.is_set():
                seen.update(reader.rows("SELECT count(*), count(DISTINCT run_id) FROM "
                                        "identification WHERE year = 2020"))

    watcher = threading.Thread(target=read)
    watcher.start()
    try:
        ran = subprocess.run([str(CLI), "identify", "--db", pg_store_url, "--year", "2020"],
                             capture_output=True, text=True, timeout=600)
    finally:
        done.set()
        watcher.join(60)
    assert ran.returncode == 0, ran.stderr
    assert seen == {(households, 1)}
    with Store(pg_store_url) as store:
        assert store.scalar("SELECT count(*) FROM identification_runs") == runs_before + 1
