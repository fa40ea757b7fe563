"""A 429 says when to try again: ``Retry-After``, the whole seconds until the backoff of
logins (per username and address) or the complaint limit (per address) lets the same
client through, on the API and on the pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.test_pages import form_token

from povertycloud.web import limits
from povertycloud.web.limits import RateLimit


def test_the_wait_is_until_the_oldest_event_that_must_expire_has(
        monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(limits.time, "monotonic", lambda: now[0])
    limit = RateLimit(2, 60)
    limit.hit("k")
    assert limit.wait("k") == 0
    now[0] = 110.0
    limit.hit("k")
    assert limit.wait("k") == 50  # the first, at 100, expires at 160
    now[0] = 165.0
    assert limit.wait("k") == 0  # the first has expired
    limit.hit("k")
    assert limit.wait("k") == 5  # now the second, at 110, must: at 170
    assert limit.wait("other") == 0


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
