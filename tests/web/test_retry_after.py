"""A 429 says when to try again: ``Retry-After``, the whole seconds until the backoff of
logins (per username and address) or the complaint limit (per address) lets the same
client through, on the API and on the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.web.test_pages import form_token

from povertycloud.access.limits import RateLimit
from povertycloud.store import Store


def test_the_wait_is_until_the_oldest_event_that_must_expire_has(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s.duckdb") as store:
        limit = RateLimit("test", 2, 60, "salt")
        limit.hit(store, "k", now=100)
        assert limit.wait(store, "k", now=100) == 0
        limit.hit(store, "k", now=110)
        assert limit.wait(store, "k", now=110) == 50  # the first, at 100, expires at 160
        assert limit.wait(store, "k", now=165) == 0  # the first has expired
        limit.hit(store, "k", now=165)
        assert limit.wait(store, "k", now=165) == 5  # now the second, at 110, must: at 170
        assert limit.wait(store, "other", now=165) == 0
        assert RateLimit("another", 2, 60, "salt").wait(store, "k", now=165) == 0
        assert store.scalar("SELECT count(*) FROM rate_events") == 2  # the first forgotten


def retry_after(response: Any, most: float) -> int:
    assert response.status_code == 429, response.text
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= most
    return seconds


def test_throttled_logins_say_when_to_try_again(client: TestClient) -> None:
    wrong = {"username": "assessor", "password": "not it at all"}
    for _ in range(5):
        answered = client.post("/api/session", json=wrong)
        assert answered.status_code == 401 and "Retry-After" not in answered.headers
    retry_after(client.post("/api/session", json=wrong), 300)
    token = form_token(client, "/login")
    page = client.post("/login", data={"username": "assessor", "password": "x",
                                       "form_token": token, "next": "/"})
    retry_after(page, 300)


def test_rate_limited_complaints_say_when_to_try_again(client: TestClient,
                                                        regions: Any) -> None:
    body = {"region_code": regions.village, "category": "other", "subject": "s", "body": "b"}
    for _ in range(5):
        assert client.post("/api/public/complaints", json=body).status_code == 201
    retry_after(client.post("/api/public/complaints", json=body), 600)
    token = form_token(client, "/portal/complaint")
    page = client.post("/portal/complaint", data=body | {"form_token": token},
                       follow_redirects=False)
    retry_after(page, 600)
