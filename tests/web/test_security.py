"""Security events and logins through the application: failed and refused logins and
permission refusals in the audit log for the roles that audit, with the client address;
the backoff of failed logins per username and address (no stranger locks an account);
X-Forwarded-For believed only from the configured proxies; plain usernames; and no
bidirectional control characters in what is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from povertycloud.errors import PovertyCloudError
from povertycloud.web.app import create_app
from povertycloud.web.deps import TRUSTED_PROXIES, WebConfig, trusted_proxies

from .conftest import PASSWORD, Regions, copy_store

Headers = Callable[[str], dict[str, str]]
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"  # right-to-left override, isolates


def wrong(client: TestClient, username: str, **headers: str) -> int:
    return client.post("/api/session", json={"username": username, "password": "not it at all"},
                       headers=headers).status_code


def right(client: TestClient, username: str, **headers: str) -> int:
    return client.post("/api/session", json={"username": username, "password": PASSWORD},
                       headers=headers).status_code


def entries(client: TestClient, headers: dict[str, str], action: str) -> list[dict[str, Any]]:
    response = client.get("/api/audit", params={"action": action}, headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


@pytest.fixture
def from_address(client: TestClient) -> Callable[[str], TestClient]:
    """Clients of the same running application from other addresses."""
    def make(address: str) -> TestClient:
        return TestClient(client.app, client=(address, 50000))
    return make


def test_failed_logins_are_seen_by_the_auditors_with_the_address(
        client: TestClient, as_user: Headers, from_address: Callable[[str], TestClient],
        regions: Regions) -> None:
    stranger = from_address("203.0.113.7")
    assert wrong(stranger, "county_officer") == 401
    assert wrong(stranger, "nobody_here") == 401
    for auditor in ("admin", "auditor"):
        seen = entries(client, as_user(auditor), "login_failed")
        mine = [e for e in seen if e["object_id"] == "county_officer"]
        assert len(mine) == 1, auditor
        assert mine[0]["client"] == "203.0.113.7"
        assert mine[0]["region_code"] == regions.county
    # an attempt on no account concerns the whole platform: province-wide auditors only
    assert [e["client"] for e in entries(client, as_user("admin"), "login_failed")
            if e["object_id"] == "nobody_here"] == ["203.0.113.7"]
    assert all(e["object_id"] != "nobody_here"
               for e in entries(client, as_user("auditor"), "login_failed"))


def test_throttled_logins_and_refusals_are_security_events(
        client: TestClient, as_user: Headers, regions: Regions) -> None:
    for _ in range(5):
        assert wrong(client, "assessor") == 401
    assert right(client, "assessor") == 429
    throttled = entries(client, as_user("auditor"), "login_throttled")
    assert [(e["object_id"], e["client"]) for e in throttled] == [("assessor", "testclient")]
    field = as_user("field_officer")
    assert client.get("/api/audit", headers=field).status_code == 403
    assert client.get(f"/api/regions/{regions.other_village}",
                      headers=field).status_code == 403
    refused = entries(client, as_user("admin"), "refused")
    assert [(e["username"], e["object_id"], e["client"]) for e in refused] == [
        ("field_officer", f"/api/regions/{regions.other_village}", "testclient"),
        ("field_officer", "/api/audit", "testclient")]
    assert "jurisdiction" in refused[0]["detail"]


def test_the_audit_page_shows_the_client_address(
        client: TestClient, as_user: Headers, from_address: Callable[[str], TestClient]
        ) -> None:
    assert wrong(from_address("198.51.100.23"), "county_officer") == 401
    page = client.get("/audit", params={"action": "login_failed"},
                      headers=as_user("auditor"))
    assert page.status_code == 200
    assert "198.51.100.23" in page.text


def test_a_stranger_cannot_lock_the_owner_out(
        client: TestClient, from_address: Callable[[str], TestClient]) -> None:
    stranger, owner = from_address("203.0.113.7"), from_address("192.0.2.10")
    for _ in range(7):
        wrong(stranger, "county_officer")
    assert wrong(stranger, "county_officer") == 429
    assert right(stranger, "county_officer") == 429  # that pair waits
    assert right(owner, "county_officer") == 200
    # the other users behind the stranger's address (a NAT) are not locked out either
    assert right(stranger, "village_officer") == 200


def test_forwarded_for_is_believed_only_from_trusted_proxies(
        client: TestClient, as_user: Headers) -> None:
    for n in range(5):  # a client naming itself otherwise each time is one client
        assert wrong(client, "assessor", **{"X-Forwarded-For": f"192.0.2.{n}"}) == 401
    assert right(client, "assessor", **{"X-Forwarded-For": "192.0.2.99"}) == 429
    seen = {e["client"] for e in entries(client, as_user("admin"), "login_failed")}
    assert seen == {"testclient"}


@pytest.fixture
def behind_proxy(web_store: tuple[Path, Regions], tmp_path: Path) -> Iterator[TestClient]:
    """The application behind a reverse proxy at 10.0.0.5 (the proxies' network)."""
    config = WebConfig(db=copy_store(web_store, tmp_path),
                       trusted_proxies=trusted_proxies("10.0.0.0/24, ::1"))
    with TestClient(create_app(config), client=("10.0.0.5", 443)) as proxied:
        yield proxied


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
        behind_proxy: TestClient) -> None:
    client = behind_proxy
    spoofed = {"X-Forwarded-For": "192.0.2.1, 203.0.113.7"}  # the proxy appended the last
    for _ in range(5):
        assert wrong(client, "county_officer", **spoofed) == 401
    assert right(client, "county_officer", **spoofed) == 429
    assert right(client, "county_officer", **{"X-Forwarded-For": "192.0.2.1"}) == 200
    token = client.post("/api/session", json={"username": "admin", "password": PASSWORD},
                        headers={"X-Forwarded-For": "192.0.2.1"}).json()["token"]
    seen = entries(client, {"Authorization": f"Bearer {token}"}, "login_failed")
    assert {e["client"] for e in seen} == {"203.0.113.7"}


def test_the_trusted_proxies_setting_is_checked(
        monkeypatch: pytest.MonkeyPatch, web_store: tuple[Path, Regions], tmp_path: Path,
        refuse: Any) -> None:
    monkeypatch.setenv(TRUSTED_PROXIES, "10.0.0.1, fd00::/8")
    assert len(trusted_proxies()) == 2
    with pytest.raises(PovertyCloudError, match=TRUSTED_PROXIES):
        trusted_proxies("10.0.0.300")
    db = copy_store(web_store, tmp_path)
    refuse("a trusted proxy that is no address", ["serve", "--db", str(db)],
           names=(TRUSTED_PROXIES, "10.0.0.300"), db=db,
           env={TRUSTED_PROXIES: "10.0.0.1,10.0.0.300"})


@pytest.mark.parametrize("username", ["\u0430dmin", "\uff43\uff4f\uff55\uff4e\uff54\uff59"
                                      "_officer", "Admin", "ad min", "x" * 65, "",
                                      f"admin{RLO}"])
def test_usernames_are_plain_lower_case_ascii(client: TestClient, as_user: Headers,
                                              regions: Regions, username: str) -> None:
    response = client.post("/api/users", headers=as_user("admin"), json={
        "username": username, "password": "long enough pw", "role": "assessor",
        "region_code": regions.village})
    assert response.status_code in (400, 422), response.text
    assert client.get("/api/users", headers=as_user("admin")).json()[-1]["username"] \
        != username


def test_a_plain_username_with_dots_is_accepted(client: TestClient, as_user: Headers,
                                                 regions: Regions) -> None:
    response = client.post("/api/users", headers=as_user("admin"), json={
        "username": "li.ming-2_x", "password": "long enough pw", "role": "assessor",
        "region_code": regions.village})
    assert response.status_code == 201, response.text


def test_users_add_refuses_a_lookalike_username(
        web_store: tuple[Path, Regions], tmp_path: Path, refuse: Any) -> None:
    db = copy_store(web_store, tmp_path)
    for case, username in (("a username with a Cyrillic letter", "\u0430dmin"),
                           ("a username of full-width letters",
                            "\uff43\uff4f\uff55\uff4e\uff54\uff59_officer")):
        message = refuse(case, ["users", "add", "--db", str(db), "--username", username,
                                "--role", "assessor", "--region", web_store[1].village,
                                "--password", "long enough pw"], names=("username",), db=db)
        assert "lower-case" in message


def test_bidi_controls_are_not_shown(client: TestClient, as_user: Headers,
                                     regions: Regions) -> None:
    filed = client.post("/api/public/complaints", json={
        "region_code": regions.village, "category": "other",
        "subject": f"visit {RLO}moc.live{PDI}", "body": f"see {LRI}here{PDI}"})
    assert filed.status_code in (200, 201), filed.text
    officer = as_user("village_officer")
    [listed] = [c for c in client.get("/api/complaints", headers=officer).json()
                if c["subject"].startswith("visit")]
    assert listed["subject"] == "visit moc.live"
    shown = client.get(f"/complaints/{listed['complaint_id']}", headers=officer).text
    assert "moc.live" in shown and "see here" in shown
    assert wrong(client, f"mallory{RLO}gnp.exe") == 401
    page = client.get("/audit", params={"action": "login_failed"}, headers=as_user("admin"))
    assert "mallory" in page.text
    for text in (shown, page.text):
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069")


def test_the_apis_json_carries_no_bidi_controls(client: TestClient, as_user: Headers,
                                                regions: Regions, sql: Any) -> None:
    """Free text that reached the store with them (an imported name, a complaint of an
    older store) leaves the API without them, as on the pages."""
    sql("UPDATE people SET name = ? WHERE household_id = ?", f"张{RLO}三{PDI}",
        regions.household)
    sql("INSERT INTO complaints (tracking_code, filed_at, region_code, category, subject, "
        "body, status, due_at) VALUES ('TS-OLDBIDI', now(), ?, 'other', ?, ?, 'open', now())",
        regions.village, f"visit {RLO}moc.live", f"see {LRI}here{PDI}")
    officer = as_user("village_officer")
    answers = [client.get(f"/api/households/{regions.household}", headers=officer),
               client.get("/api/complaints", headers=officer),
               client.get("/api/public/complaints/TS-OLDBIDI")]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert not any(c in answer.text for c in "\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069"), answer.request.url
    assert "张三" in answers[0].text and "visit moc.live" in answers[1].text
