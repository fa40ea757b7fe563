"""The complainant's contact, masked in the complaint, is revealed in full to the officers
who may handle the complaint (role and jurisdiction), each reveal audited with who, which
complaint and from where, never the contact; refused and audited for everyone else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from tests.web.test_pages import log_in

Headers = Callable[[str], dict[str, str]]
Sql = Callable[..., list[tuple[Any, ...]]]
PHONE = "13912345678"


def filed(client: TestClient, sql: Sql, region_code: str) -> int:
    code = client.post("/api/public/complaints", json={
        "region_code": region_code, "category": "assistance", "subject": "帮扶",
        "body": "请联系我", "contact": PHONE}).json()["tracking_code"]
    [(complaint,)] = sql("SELECT complaint_id FROM complaints WHERE tracking_code = ?", code)
    return int(complaint)


def test_the_handling_officer_reveals_the_contact_audited(
        client: TestClient, as_user: Headers, regions: Any, sql: Sql) -> None:
    complaint = filed(client, sql, regions.village)
    for username in ("village_officer", "county_officer"):
        headers = as_user(username)
        shown = client.get(f"/api/complaints/{complaint}", headers=headers).json()
        assert shown["contact"] == "139****5678"
        revealed = client.post(f"/api/complaints/{complaint}/contact", headers=headers)
        assert revealed.status_code == 200
        assert revealed.json() == {"complaint_id": complaint, "contact": PHONE}
    entries = sql("SELECT username, object_kind, object_id, region_code, client FROM "
                  "audit_log WHERE action = 'reveal_contact' ORDER BY audit_id")
    assert entries == [(u, "complaint", str(complaint), regions.village, "testclient")
                       for u in ("village_officer", "county_officer")]
    assert not sql("SELECT * FROM audit_log WHERE contains(concat_ws(' ', object_id, "
                   "detail), '5678')")


def test_the_others_are_refused_and_audited(client: TestClient, as_user: Headers,
                                            regions: Any, sql: Sql) -> None:
    complaint = filed(client, sql, regions.other_village)
    for username in ("village_officer", "auditor", "field_officer", "assessor"):
        refused = client.post(f"/api/complaints/{complaint}/contact",
                              headers=as_user(username))
        assert refused.status_code == 403, username
        assert PHONE not in refused.text
    refusals = sql("SELECT username, object_id, client FROM audit_log WHERE action = "
                   "'refused' AND object_id LIKE '%/contact' ORDER BY audit_id")
    assert [r[0] for r in refusals] == ["village_officer", "auditor", "field_officer",
                                        "assessor"]
    assert {r[1:] for r in refusals} == {(f"/api/complaints/{complaint}/contact",
                                          "testclient")}
    assert not sql("SELECT * FROM audit_log WHERE action = 'reveal_contact'")
    assert client.post("/api/complaints/999999/contact",
                       headers=as_user("county_officer")).status_code == 404


def test_the_complaint_page_has_a_button_that_reveals_it(
        client: TestClient, regions: Any, sql: Sql) -> None:
    complaint = filed(client, sql, regions.village)
    csrf = log_in(client, "village_officer")
    page = client.get(f"/complaints/{complaint}")
    assert page.status_code == 200
    assert "139****5678" in page.text and PHONE not in page.text
    assert 'id="reveal-contact"' in page.text
    assert client.post(f"/complaints/{complaint}/contact",
                       data={"csrf_token": "wrong"}).status_code == 403
    shown = client.post(f"/complaints/{complaint}/contact", data={"csrf_token": csrf})
    assert shown.status_code == 200
    assert PHONE in shown.text and 'id="reveal-contact"' not in shown.text
    assert sql("SELECT username, object_id FROM audit_log WHERE action = 'reveal_contact'"
               ) == [("village_officer", str(complaint))]
