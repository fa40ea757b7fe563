"""Several worker processes over one store: the rate limits, like sessions and CSRF
tokens, are counted in the store, so they hold across workers and restarts. Several
workers need PostgreSQL (on an embedded DuckDB store they are refused); one serves on
either."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from tests.conftest import CLI, Refusal

from povertycloud.access.limits import RateLimit
from povertycloud.store import Store
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig

from .conftest import PASSWORD, Regions, copy_store, free_port

WRONG = {"username": "assessor", "password": "not it at all"}
RIGHT = {"username": "assessor", "password": PASSWORD}


def complaint(regions: Regions) -> dict[str, str]:
    return {"region_code": regions.village, "category": "other", "subject": "s", "body": "b"}


def test_rate_limits_hold_across_workers_and_restarts(web_store: tuple[Path, Regions],
                                                      tmp_path: Path) -> None:
    db, regions = copy_store(web_store, tmp_path), web_store[1]
    with TestClient(create_app(WebConfig(db=db))) as one, \
            TestClient(create_app(WebConfig(db=db))) as other:  # two workers' applications
        for _ in range(5):
            assert one.post("/api/session", json=WRONG).status_code == 401
            assert one.post("/api/public/complaints", json=complaint(regions)
                            ).status_code == 201
        assert other.post("/api/session", json=RIGHT).status_code == 429
        assert other.post("/api/public/complaints", json=complaint(regions)
                          ).status_code == 429
    with TestClient(create_app(WebConfig(db=db))) as restarted:
        assert restarted.post("/api/session", json=RIGHT).status_code == 429
        refused = restarted.post("/api/public/complaints", json=complaint(regions))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 500
        assert restarted.post("/api/session", json=RIGHT | {"username": "admin"}
                              ).status_code == 200
        kept = restarted.app.state.platform.store.rows(  # type: ignore[attr-defined]
            "SELECT limit_name, key_hash FROM rate_events")
    assert sorted({name for name, _ in kept}) == ["client_login", "complaint", "login"]
    plain = hashlib.sha256(b"testclient").hexdigest()
    assert all("testclient" not in key and "assessor" not in key and key != plain
               for _, key in kept), "a key kept in clear"


def test_a_limit_leaves_the_events_another_request_is_deleting(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.duckdb") as store, store.cursor() as other:
        limit = RateLimit("login", 2, 60, "salt")
        limit.hit(store, "k", now=100)
        with other.transaction():
            other.execute("DELETE FROM rate_events")  # another request's pruning
            limit.hit(store, "k", now=200)  # whose own pruning conflicts: no error
            limit.clear(store, "k")  # nor here: the events are left to expire
        assert store.column("SELECT happened_at FROM rate_events") == [200]


def test_several_workers_on_an_embedded_store_are_refused(
        web_store: tuple[Path, Regions], tmp_path: Path, refuse: Refusal) -> None:
    db = copy_store(web_store, tmp_path)
    refuse("several workers on an embedded store", ["serve", "--db", str(db), "--workers", "2"],
           names=("--workers 2", "PostgreSQL", "docs/operations.md"), db=db)


@contextmanager
def serving(db: Path | str, workers: int) -> Iterator[tuple[str, int]]:
    """`povertycloud serve --workers N` in a process of its own: its URL once it answers,
    and its PID; stopped (as by Ctrl+C) afterwards."""
    port = free_port()
    # its output to a file: a pipe nobody reads would fill and stop the server
    with tempfile.TemporaryFile("w+") as output, subprocess.Popen(
            [str(CLI), "serve", "--db", str(db), "--port", str(port), "--workers",
             str(workers)], stdout=output, stderr=subprocess.STDOUT, text=True) as server:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        try:
            while not _answers(url):
                assert server.poll() is None, _said(output)
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield url, server.pid
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)


def _said(output: IO[str]) -> str:
    output.seek(0)
    return output.read()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/portal").status_code < 500
    except httpx.TransportError:
        return False


def login(url: str, body: dict[str, str]) -> httpx.Response:
    """A login over a connection of its own (so to whichever worker takes it)."""
    return httpx.post(f"{url}/api/session", json=body)


def test_one_worker_serves(web_store: tuple[Path, Regions], tmp_path: Path) -> None:
    with serving(copy_store(web_store, tmp_path), 1) as (url, _):
        token = login(url, RIGHT).json()["token"]
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["username"] == "assessor"


def worker_pids(server: int) -> list[int]:
    """The worker processes of the server ``server``: its children started by
    multiprocessing's spawn (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            spawned = b"spawn_main" in (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == server and spawned:
            found.append(int(entry.name))
    return sorted(found)


@contextmanager
def paused(pid: int) -> Iterator[None]:
    """Worker ``pid`` stopped, so every new connection goes to the others (briefly: the
    server replaces a worker that does not answer its health check in 5 s)."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_sessions_csrf_and_limits_hold_across_workers_on_postgresql(
        pg_store_url: str) -> None:
    def me(token: str, **where: Any) -> httpx.Response:
        return httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"},
                         **where)

    with serving(pg_store_url, 2) as (url, server):
        first, second = worker_pids(server)
        with paused(second):  # on the first worker
            opened = login(url, {"username": "admin", "password": PASSWORD}).json()
            for _ in range(5):
                assert login(url, WRONG).status_code == 401
        with paused(first):  # on the second
            assert me(opened["token"]).json()["csrf_token"] == opened["csrf_token"]
            cookie = {"pc_session": opened["token"]}
            assert httpx.post(f"{url}/logout", data={"csrf_token": "forged"},
                              cookies=cookie).status_code == 403
            assert login(url, RIGHT).status_code == 429
            assert httpx.post(f"{url}/logout", data={"csrf_token": opened["csrf_token"]},
                              cookies=cookie).status_code == 303
        with paused(second):  # logged out on the first too
            assert me(opened["token"]).status_code == 401
    with serving(pg_store_url, 2) as (url, _):  # after a restart
        assert login(url, RIGHT).status_code == 429
