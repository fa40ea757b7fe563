"""The pages through the application: forms, their tokens, cookies and languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
Sql = Callable[..., list[tuple[Any, ...]]]


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="(?:form_token|csrf_token)" value="([^"]+)"', page.text)
    assert found, path
    return found.group(1)


def log_in(client: TestClient, username: str) -> str:
    """Log in through the form; returns the session's CSRF token from a page."""
    token = form_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "form_token": token, "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    return form_token(client, "/search")


def test_pages_need_a_login(client: TestClient, regions: Any) -> None:
    response = client.get(f"/dashboard/{regions.county}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/dashboard/{regions.county}"


def test_login_form_without_its_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "form_token": "forged"})
    assert response.status_code == 403
    assert "form token" in response.text
    assert "pc_session" not in client.cookies


def test_wrong_password_shows_the_form_again(client: TestClient) -> None:
    token = form_token(client, "/login")
    response = client.post("/login", data={"username": "admin", "password": "nope",
                                           "form_token": token})
    assert response.status_code == 401
    assert 'id="login-error"' in response.text


def test_forms_need_the_session_csrf_token(client: TestClient, regions: Any,
                                           sql: Sql) -> None:
    csrf = log_in(client, "admin")
    for given in ("", "forged"):
        response = client.post("/users", data={
            "csrf_token": given, "username": "mallory", "password": "long enough pw",
            "role": "admin", "region_code": regions.province})
        assert response.status_code == 403
    assert sql("SELECT * FROM users WHERE username = 'mallory'") == []
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 200  # still logged in
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.clear()


def test_a_session_cookie_replayed_after_logout_is_refused(client: TestClient) -> None:
    csrf = log_in(client, "assessor")
    cookie = client.cookies.get("pc_session")
    client.post("/logout", data={"csrf_token": csrf})
    client.cookies.set("pc_session", str(cookie))
    assert client.get("/api/me").status_code == 401
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_every_page_of_each_role_renders(client: TestClient, regions: Any) -> None:
    log_in(client, "admin")
    for path in (f"/dashboard/{regions.province}", f"/dashboard/{regions.village}",
                 f"/households/{regions.household}", "/search?q=zhang", "/complaints",
                 "/audit", "/users", "/flags", "/portal",
                 f"/portal/regions/{regions.village}",
                 "/portal/complaint", "/portal/track", "/inbox",
                 f"/proposals/{regions.proposal}", "/monitoring", "/regions/status",
                 "/portal/notices", f"/portal/notices?region={regions.village}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert "https://" not in response.text  # nothing from elsewhere: works air-gapped


def test_english_pages(client: TestClient, regions: Any) -> None:
    client.get("/lang/en?next=/portal")
    page = client.get(f"/portal/regions/{regions.province}")
    assert "Public portal" in page.text and "Counts below 10" in page.text
    client.get("/lang/zh")
    assert "公开信息" in client.get(f"/portal/regions/{regions.province}").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_redirects_stay_on_the_site(client: TestClient, target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_portal_complaint_form(client: TestClient, regions: Any, sql: Sql) -> None:
    fields = {"region_code": regions.village, "category": "conduct", "subject": "s",
              "body": "b", "contact": ""}
    assert client.post("/portal/complaint", data=fields | {"form_token": "x"}
                       ).status_code == 403
    assert sql("SELECT count(*) FROM complaints") == [(0,)]
    token = form_token(client, "/portal/complaint")
    response = client.post("/portal/complaint", data=fields | {"form_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    [(code, contact)] = sql("SELECT tracking_code, contact FROM complaints")
    assert response.headers["location"].startswith(f"/portal/track?code={code}")
    assert contact is None  # anonymous
    page = client.get(response.headers["location"])
    assert code in page.text
    bad = client.post("/portal/complaint", data=fields | {"form_token": token,
                                                          "subject": ""})
    assert bad.status_code == 422
    assert sql("SELECT count(*) FROM complaints") == [(1,)]


def test_department_data_pages(client: TestClient, regions: Any, sql: Sql) -> None:
    """Sources and batches for an officer; the quarantined rows only for the data
    administrator; the review queue decided by its form."""
    csrf = log_in(client, "county_officer")
    sources = client.get("/sources")
    assert sources.status_code == 200 and "transport_vehicles" in sources.text
    assert f'href="/batches/{regions.batch}"' in sources.text
    batch = client.get(f"/batches/{regions.batch}")
    assert "value_yuan: is below the minimum 0" in batch.text
    assert 'id="quarantine"' not in batch.text and "坏记录" not in batch.text
    reviews = client.get("/reviews")
    assert f'action="/reviews/transport_vehicles/1/{regions.head}"' in reviews.text
    [rival] = [p for (p,) in sql("SELECT person_id FROM feed_links WHERE record_id = 1 AND "
                                 "person_id <> ?", regions.head)]
    assert f'action="/reviews/transport_vehicles/1/{rival}"' in reviews.text  # beside it
    assert reviews.text.count('class="candidate"') == 2
    assert "另有概率相近的候选人" in reviews.text and "是否同名不同人" in reviews.text
    assert reviews.text.count('<table class="waterfall">') == 2
    assert f'action="/duplicates/{regions.head}/{regions.duplicate}"' in reviews.text
    apart = client.post(f"/duplicates/{regions.head}/{regions.duplicate}",
                        data={"merge": "false", "csrf_token": csrf}, follow_redirects=False)
    assert apart.status_code == 303
    assert sql("SELECT decision FROM registry_duplicates") == [("distinct",)]
    refused = client.post(f"/reviews/transport_vehicles/1/{regions.head}",
                          data={"accept": "true", "csrf_token": "forged"})
    assert refused.status_code == 403
    done = client.post(f"/reviews/transport_vehicles/1/{regions.head}",
                       data={"accept": "true", "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/reviews"
    assert sql("SELECT person_id, decision FROM feed_links WHERE record_id = 1 ORDER BY "
               "decision") == [(regions.head, "match"), (rival, "rejected")]  # one match
    client.cookies.clear()
    log_in(client, "admin")
    batch = client.get(f"/batches/{regions.batch}")
    assert 'id="quarantine"' in batch.text and "520121********1234" in batch.text
    assert "520121199001011234" not in batch.text
    client.cookies.clear()
    log_in(client, "assessor")
    assert client.get("/sources").status_code == 403
