"""Several users at once on a real server: a statement still running for one request
holds back no other request (reads, pages, audited reads, a login), and every answer
carries the security headers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from povertycloud.reports import figures
from povertycloud.store import Store

from .conftest import PASSWORD, Regions

WAIT = 60  # seconds: only reached when a request is held back


@pytest.fixture
def held_trend(monkeypatch: pytest.MonkeyPatch, regions: Regions) -> Iterator[threading.Event]:
    """The trend of ``regions.village`` becomes a statement that runs inside DuckDB until
    the event is set; other regions' trends are as usual."""
    release, real = threading.Event(), figures.trend

    def trend(store: Store, code: str) -> list[dict[str, Any]]:
        if code == regions.village:
            store.con.create_function("held", lambda x: x if release.wait(WAIT) else -1,
                                      ["BIGINT"], "BIGINT", side_effects=True)
            store.rows("SELECT held(1)")
        return real(store, code)

    monkeypatch.setattr(figures, "trend", trend)
    yield release
    release.set()


def test_a_running_statement_holds_back_no_other_request(
        live_server: str, regions: Regions, held_trend: threading.Event) -> None:
    with httpx.Client(base_url=live_server, timeout=WAIT) as web:
        login = {"username": "admin", "password": PASSWORD}
        token = web.post("/api/session", json=login).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(web.get, f"/api/regions/{regions.village}/trend",
                               headers=auth)
            others = [web.get(f"/api/regions/{regions.county}", headers=auth),
                      web.get(f"/dashboard/{regions.county}", headers=auth),
                      web.get(f"/api/households/{regions.household}", headers=auth),
                      web.get("/api/search?q=zhang", headers=auth),
                      web.post("/api/session", json=login)]
            assert [r.status_code for r in others] == [200] * len(others)
            assert not held.done()  # all answered while the statement still ran
            held_trend.set()
            assert held.result(WAIT).status_code == 200


@pytest.mark.parametrize("path", ["/api/public/regions/000000000000", "/portal",
                                  "/static/app.css", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    cached = path.startswith("/static")
    assert (answer.headers.get("Cache-Control") == "no-store") != cached


def test_a_body_too_large_is_refused_with_the_security_headers(client: TestClient) -> None:
    answer = client.post("/api/session", content=b"x" * (65 * 1024),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
