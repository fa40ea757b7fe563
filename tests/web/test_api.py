"""The JSON API through the application: every route for every role, allowed and
forbidden; jurisdictions; masking and its audit; sessions, CSRF, limits and bad input."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from povertycloud.access.accounts import PERMISSIONS

ROLE_OF = {"province_officer": "officer", "county_officer": "officer",
           "village_officer": "officer", "field_officer": "field_officer",
           "auditor": "auditor", "assessor": "assessor", "admin": "admin"}
Headers = Callable[[str], dict[str, str]]
Sql = Callable[..., list[tuple[Any, ...]]]


def routes(r: Any, complaint: int) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(method, path, permission, JSON body) of every route that needs a permission."""
    new_user = {"username": "newbie", "password": "long enough pw", "role": "assessor",
                "region_code": r.village}
    return [
        ("GET", f"/api/regions/{r.village}", "dashboard", None),
        ("GET", f"/api/regions/{r.village}/trend", "dashboard", None),
        ("GET", f"/api/regions/{r.village}/map", "dashboard", None),
        ("GET", f"/api/regions/{r.village}/children.csv", "dashboard", None),
        ("GET", f"/api/regions/{r.village}/children.xlsx", "dashboard", None),
        ("GET", f"/api/households/{r.household}", "households", None),
        ("POST", f"/api/households/{r.household}/unmask", "unmask", None),
        ("GET", "/api/search?q=zhang", "search", None),
        ("GET", "/api/complaints", "complaints", None),
        ("GET", f"/api/complaints/{complaint}", "complaints", None),
        ("POST", f"/api/complaints/{complaint}/answer", "complaints", {"answer": "done"}),
        ("POST", f"/api/complaints/{complaint}/contact", "complaints", None),
        ("GET", "/api/audit", "audit", None),
        ("GET", "/api/users", "users", None),
        ("POST", "/api/users", "users", new_user),
        ("POST", "/api/announcements", "announce",
         {"region_code": r.village, "title": "t", "body": "b"}),
        ("GET", "/api/flags", "verify", None),
        ("GET", "/api/flags/precision", "verify", None),
        ("POST", "/api/flags/1/verify", "verify", {"outcome": "confirmed"}),
        ("GET", "/api/sources", "data", None),
        ("GET", "/api/batches", "data", None),
        ("GET", f"/api/batches/{r.batch}", "data", None),
        ("GET", f"/api/batches/{r.batch}/quarantine", "quarantine", None),
        ("GET", "/api/reviews", "review", None),
        ("POST", f"/api/reviews/transport_vehicles/1/{r.head}", "review", {"accept": True}),
        ("GET", "/api/duplicates", "review", None),
        ("POST", f"/api/duplicates/{r.head}/{r.duplicate}", "review", {"merge": False}),
        ("GET", "/api/inbox", "workflow", None),
        ("GET", "/api/proposals?state=all", "workflow", None),
        ("GET", f"/api/proposals/{r.proposal}", "workflow", None),
        ("GET", f"/api/households/{r.household}/timeline", "households", None),
        ("GET", "/api/monitoring", "monitoring", None),
        ("GET", "/api/regions/status", "dashboard", None),
    ]


@pytest.mark.parametrize("username", list(ROLE_OF))
def test_every_route_for_every_role(client: TestClient, as_user: Headers, regions: Any,
                                    username: str) -> None:
    """Each role gets exactly the routes its permissions name (2xx, or 403), and the
    session and public routes like everyone."""
    filed = client.post("/api/public/complaints", json={
        "region_code": regions.village, "category": "other", "subject": "s", "body": "b"})
    code = filed.json()["tracking_code"]
    complaint = client.app.state.platform.store.scalar(  # type: ignore[attr-defined]
        "SELECT complaint_id FROM complaints WHERE tracking_code = ?", [code])
    headers = as_user(username)
    for path in ("/api/me", f"/api/public/regions/{regions.village}",
                 f"/api/public/regions/{regions.village}/map", "/api/public/announcements",
                 f"/api/public/complaints/{code}"):
        assert client.get(path, headers=headers).status_code == 200, (username, path)
    for method, path, permission, body in routes(regions, complaint):
        response = client.request(method, path, headers=headers, json=body)
        if permission in PERMISSIONS[ROLE_OF[username]]:
            assert response.status_code in (200, 201), (username, path, response.text)
        else:
            assert response.status_code == 403, (username, path, response.text)
            assert "may not use" in response.json()["detail"]
    assert client.delete("/api/session", headers=headers).status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/me"), ("GET", "/api/regions/520000000000"), ("GET", "/api/audit"),
    ("GET", "/api/households/1"), ("POST", "/api/households/1/unmask"),
    ("GET", "/api/search?q=x"), ("GET", "/api/complaints"), ("DELETE", "/api/session"),
    ("GET", "/api/inbox"), ("GET", "/api/proposals/1"), ("POST", "/api/proposals/1/steps"),
    ("GET", "/api/monitoring"), ("GET", "/api/regions/status"),
    ("GET", "/api/households/1/timeline")])
def test_without_a_session_the_api_answers_401(client: TestClient, method: str,
                                               path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.json() == {"detail": "log in first"}


def test_another_jurisdiction_is_refused(client: TestClient, as_user: Headers,
                                         regions: Any) -> None:
    headers = as_user("county_officer")
    assert client.get(f"/api/regions/{regions.county}", headers=headers).status_code == 200
    for path in (f"/api/regions/{regions.other_county}",
                 f"/api/regions/{regions.province}",
                 f"/api/households/{regions.other_household}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert "outside your jurisdiction" in response.json()["detail"]
    village = as_user("village_officer")
    assert client.get(f"/api/regions/{regions.other_village}",
                      headers=village).status_code == 403


def test_search_finds_only_within_the_jurisdiction(client: TestClient, as_user: Headers,
                                                   regions: Any, sql: Sql) -> None:
    [(name, id_number)] = sql("SELECT name, id_number FROM people WHERE household_id = ? "
                              "ORDER BY person_id LIMIT 1", regions.other_household)
    province = as_user("province_officer")
    county = as_user("county_officer")
    by_id = client.get("/api/search", params={"q": id_number}, headers=province).json()
    assert [r["household_id"] for r in by_id] == [regions.other_household]
    assert by_id[0]["id_number"] != id_number and by_id[0]["id_number"].endswith(id_number[-4:])
    assert client.get("/api/search", params={"q": id_number}, headers=county).json() == []
    named = client.get("/api/search", params={"q": name}, headers=county).json()
    assert all(r["village_code"].startswith(regions.county[:6]) for r in named)


def test_search_by_pinyin_and_household_number(client: TestClient, as_user: Headers,
                                               regions: Any, sql: Sql) -> None:
    from pypinyin import lazy_pinyin

    [(name,)] = sql("SELECT name FROM people WHERE household_id = ? ORDER BY person_id "
                    "LIMIT 1", regions.household)
    headers = as_user("village_officer")
    spelled = "".join(lazy_pinyin(name))
    found = client.get("/api/search", params={"q": spelled}, headers=headers).json()
    assert name in {r["name"] for r in found}
    initials = "".join(p[0] for p in lazy_pinyin(name))
    found = client.get("/api/search", params={"q": initials}, headers=headers).json()
    assert all("".join(p[0] for p in lazy_pinyin(r["name"])) == initials for r in found)
    by_household = client.get("/api/search", params={"q": str(regions.household)},
                              headers=headers).json()
    assert {r["household_id"] for r in by_household} == {regions.household}


def test_the_household_file_is_masked_and_its_reading_audited(
        client: TestClient, as_user: Headers, regions: Any, sql: Sql) -> None:
    [(id_number, phone)] = sql(
        "SELECT p.id_number, h.phone FROM people p JOIN households h USING (household_id) "
        "WHERE household_id = ? AND relation = 'head'", regions.household)
    headers = as_user("assessor")
    record = client.get(f"/api/households/{regions.household}", headers=headers).json()
    head = next(m for m in record["members"] if m["relation"] == "head")
    assert head["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert head["chronic_illness"] == "***"
    assert record["household"]["phone"] != phone
    # the total holds health points: hidden with them (tests/web/test_health_privacy.py)
    assert record["identification"]["score"] == "***"
    assert record["identification"]["band"] == "***"  # read from the total
    assert client.post(f"/api/households/{regions.household}/unmask",
                       headers=headers).status_code == 403
    assert sql("SELECT action, username, object_id FROM audit_log WHERE object_kind = "
               "'household'") == [("read_household", "assessor", str(regions.household))]


def test_unmasking_shows_everything_and_is_audited(client: TestClient, as_user: Headers,
                                                   regions: Any, sql: Sql) -> None:
    [(id_number,)] = sql("SELECT id_number FROM people WHERE household_id = ? AND "
                         "relation = 'head'", regions.household)
    response = client.post(f"/api/households/{regions.household}/unmask",
                           headers=as_user("field_officer"))
    assert response.status_code == 200
    head = next(m for m in response.json()["members"] if m["relation"] == "head")
    assert head["id_number"] == id_number
    assert isinstance(head["chronic_illness"], bool)
    identification = response.json()["identification"]
    assert sum(s["points"] for s in identification["sets"]) == identification["score"]
    logged = sql("SELECT action, username, detail FROM audit_log WHERE object_id = ?",
                 str(regions.household))
    assert logged == [("unmask_household", "field_officer", "all sensitive fields")]
    assert not sql("SELECT * FROM audit_log WHERE detail LIKE ?", f"%{id_number}%")


def test_auditors_search_the_log_of_their_jurisdiction(client: TestClient, as_user: Headers,
                                                       regions: Any) -> None:
    client.get(f"/api/households/{regions.household}", headers=as_user("county_officer"))
    client.get(f"/api/households/{regions.other_household}",
               headers=as_user("province_officer"))
    entries = client.get("/api/audit", params={"action": "read_household"},
                         headers=as_user("auditor")).json()
    assert [(e["username"], e["object_id"]) for e in entries] == [
        ("county_officer", str(regions.household))]  # not the other county's reading
    by_user = client.get("/api/audit", params={"username": "county_officer"},
                         headers=as_user("admin")).json()
    assert {e["action"] for e in by_user} == {"login", "read_household"}


def test_logout_ends_the_session_and_a_replay_is_refused(client: TestClient,
                                                         as_user: Headers) -> None:
    headers = as_user("assessor")
    assert client.get("/api/me", headers=headers).status_code == 200
    assert client.delete("/api/session", headers=headers).status_code == 200
    assert client.get("/api/me", headers=headers).status_code == 401


def test_wrong_passwords_are_rate_limited(client: TestClient, sql: Sql) -> None:
    for _ in range(5):
        response = client.post("/api/session", json={"username": "assessor",
                                                     "password": "wrong password"})
        assert response.status_code == 401
    response = client.post("/api/session", json={"username": "assessor",
                                                 "password": "correct horse battery"})
    assert response.status_code == 429
    assert len(sql("SELECT * FROM audit_log WHERE action = 'login_failed'")) == 5


def test_cookie_sessions_need_the_csrf_token_to_change_anything(
        client: TestClient, regions: Any, sql: Sql) -> None:
    login = client.post("/api/session", json={"username": "admin",
                                              "password": "correct horse battery"}).json()
    client.cookies.set("pc_session", login["token"])
    body = {"username": "sneaky", "password": "long enough pw", "role": "admin",
            "region_code": regions.province}
    assert client.get("/api/me").status_code == 200  # reading needs no token
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        response = client.post("/api/users", json=body, headers=headers)
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]
    assert sql("SELECT * FROM users WHERE username = 'sneaky'") == []
    response = client.post("/api/users", json=body,
                           headers={"X-CSRF-Token": login["csrf_token"]})
    assert response.status_code == 201


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("POST", "/api/session", {"content": b"{not json", "headers": {
        "Content-Type": "application/json"}}, 422),
    ("POST", "/api/session", {"json": {"username": "x" * 65, "password": "y"}}, 422),
    ("POST", "/api/public/complaints", {"content": b"x" * 70_000, "headers": {
        "Content-Type": "application/json"}}, 413),
    ("GET", "/api/public/regions/12", {}, 422),
    ("GET", "/api/public/regions/999999999999", {}, 404),
    ("GET", "/api/public/complaints/NOPE", {}, 404),
    ("GET", "/api/nothing-here", {}, 404),
])
def test_bad_input_gets_a_clear_4xx(client: TestClient, method: str, path: str,
                                    kwargs: dict[str, Any], status: int) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    assert response.json()["detail"]


def test_unknown_household_and_user_errors(client: TestClient, as_user: Headers,
                                           regions: Any) -> None:
    headers = as_user("admin")
    assert client.get("/api/households/1", headers=headers).status_code == 404
    assert client.get(f"/api/households/{2**63}", headers=headers).status_code == 422
    clash = {"username": "auditor", "password": "long enough pw", "role": "admin",
             "region_code": regions.province}
    response = client.post("/api/users", json=clash, headers=headers)
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


def test_exports_hold_the_table_of_regions_below(client: TestClient, as_user: Headers,
                                                 regions: Any) -> None:
    headers = as_user("county_officer")
    table = client.get(f"/api/regions/{regions.county}", headers=headers).json()["children"]
    text = client.get(f"/api/regions/{regions.county}/children.csv", headers=headers).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == [c["code"] for c in table]
    assert [int(r["people"]) for r in rows] == [c["people"] for c in table]
    book = load_workbook(io.BytesIO(client.get(
        f"/api/regions/{regions.county}/children.xlsx", headers=headers).content))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(table[0])
    assert sheet.max_row == len(table) + 1


def test_region_figures_add_up(client: TestClient, as_user: Headers, regions: Any) -> None:
    found = client.get(f"/api/regions/{regions.county}", headers=as_user("county_officer"))
    summary = found.json()
    assert summary["registry"]["people"] == sum(c["people"] for c in summary["children"])
    proposals = {r["key"]: r["households"] for r in summary["identification"]["proposal"]}
    assert sum(proposals.values()) == summary["registry"]["households"]
    trend = client.get(f"/api/regions/{regions.county}/trend",
                       headers=as_user("county_officer")).json()
    assert [str(t["as_of"])[:4] for t in trend] == [str(y) for y in range(2014, 2021)]


def test_the_portal_publishes_no_count_below_ten(client: TestClient, regions: Any) -> None:
    for code in (regions.province, regions.county, regions.township, regions.village):
        published = client.get(f"/api/public/regions/{code}").json()
        for row in [published["figures"], *published["children"], *published["trend"]]:
            counts = [v for k, v in row.items() if k.startswith(("households", "people"))]
            assert all(v is None or v >= 10 for v in counts), row
    village = client.get(f"/api/public/regions/{regions.village}").json()
    assert "name" in village and "id_number" not in str(village)


def test_a_complaint_from_the_portal_to_its_answer(client: TestClient, as_user: Headers,
                                                   regions: Any, sql: Sql) -> None:
    filed = client.post("/api/public/complaints", json={
        "region_code": regions.village, "category": "identification",
        "subject": "漏评", "body": "我家应当纳入", "contact": "13800001234"})
    assert filed.status_code == 201
    code = filed.json()["tracking_code"]
    assert client.get(f"/api/public/complaints/{code}").json()["status"] == "open"
    other = as_user("village_officer")  # same village: sees it
    inbox = client.get("/api/complaints", headers=other).json()
    [mine] = [c for c in inbox if c["tracking_code"] == code]
    assert mine["own"] and not mine["overdue"]
    outsider = {"Authorization": as_user("county_officer")["Authorization"]}
    sql("UPDATE complaints SET region_code = ? WHERE tracking_code = ?",
        regions.other_village, code)
    assert client.get(f"/api/complaints/{mine['complaint_id']}",
                      headers=as_user("village_officer")).status_code == 404
    complaint = client.get(f"/api/complaints/{mine['complaint_id']}", headers=outsider).json()
    assert complaint["contact"] == "138****1234"
    answered = client.post(f"/api/complaints/{mine['complaint_id']}/answer",
                           json={"answer": "已核实,将重新评议"}, headers=outsider)
    assert answered.status_code == 200
    public = client.get(f"/api/public/complaints/{code}").json()
    assert (public["status"], public["answer"]) == ("answered", "已核实,将重新评议")
    again = client.post(f"/api/complaints/{mine['complaint_id']}/answer",
                        json={"answer": "again"}, headers=outsider)
    assert again.status_code == 400
    assert ("answer_complaint", "county_officer") in sql(
        "SELECT action, username FROM audit_log")


def test_overdue_complaints_are_flagged_up_the_hierarchy(client: TestClient,
                                                         as_user: Headers, regions: Any,
                                                         sql: Sql) -> None:
    code = client.post("/api/public/complaints", json={
        "region_code": regions.village, "category": "funds", "subject": "s",
        "body": "b"}).json()["tracking_code"]
    sql("UPDATE complaints SET due_at = now() - INTERVAL 1 DAY WHERE tracking_code = ?", code)
    for username in ("village_officer", "township_officer", "county_officer",
                     "province_officer"):
        [entry] = [c for c in client.get("/api/complaints", headers=as_user(username)).json()
                   if c["tracking_code"] == code]
        assert entry["overdue"]
        assert entry["own"] == (username == "village_officer")


def test_complaints_are_rate_limited_and_checked(client: TestClient, regions: Any) -> None:
    body = {"region_code": regions.village, "category": "other", "subject": "s", "body": "b"}
    assert client.post("/api/public/complaints",
                       json=body | {"category": "nonsense"}).status_code == 422
    assert client.post("/api/public/complaints",
                       json=body | {"region_code": "999999999999"}).status_code == 404
    for _ in range(5):
        assert client.post("/api/public/complaints", json=body).status_code == 201
    assert client.post("/api/public/complaints", json=body).status_code == 429


def test_the_schema_lists_every_api_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/session", "/api/regions/{code}", "/api/households/{household_id}",
            "/api/search", "/api/public/complaints", "/api/audit"} <= paths
    assert all(p.startswith("/api/") for p in paths)


def test_announcements_reach_the_portal_of_their_region_above_and_below(
        client: TestClient, as_user: Headers, regions: Any, sql: Sql) -> None:
    headers = as_user("township_officer")
    made = client.post("/api/announcements", headers=headers, json={
        "region_code": regions.township, "title": "公示", "body": "名单见村委会"})
    assert made.status_code == 201
    for code, shown in ((regions.township, True), (regions.village, True),
                        (regions.county, True), (regions.province, True)):
        titles = [a["title"] for a in client.get(
            "/api/public/announcements", params={"region": code}).json()]
        assert ("公示" in titles) == shown, code
    other = client.get("/api/public/announcements",
                       params={"region": regions.other_county}).json()
    assert other == []
    outside = client.post("/api/announcements", headers=headers, json={
        "region_code": regions.county, "title": "t", "body": "b"})
    assert outside.status_code == 403
    assert client.post("/api/announcements", headers=as_user("auditor"), json={
        "region_code": regions.county, "title": "t", "body": "b"}).status_code == 403
    assert sql("SELECT count(*) FROM announcements") == [(1,)]


def test_searches_and_complaints_are_audited_without_the_values(
        client: TestClient, as_user: Headers, regions: Any, sql: Sql) -> None:
    [(id_number,)] = sql("SELECT id_number FROM people WHERE household_id = ? LIMIT 1",
                         regions.household)
    client.get("/api/search", params={"q": id_number}, headers=as_user("village_officer"))
    code = client.post("/api/public/complaints", json={
        "region_code": regions.village, "category": "other", "subject": "s", "body": "b",
        "contact": "13912345678"}).json()["tracking_code"]
    logged = sql("SELECT action, username, object_id, detail FROM audit_log "
                 "WHERE action IN ('search', 'file_complaint') ORDER BY audit_id")
    assert logged == [("search", "village_officer", None, "by id_number: 1 found"),
                      ("file_complaint", None, code, None)]
    everything = str(sql("SELECT * FROM audit_log"))
    assert id_number not in everything and "13912345678" not in everything


def test_verification_tasks_of_the_jurisdiction(client: TestClient, as_user: Headers,
                                                regions: Any, sql: Sql) -> None:
    field = as_user("field_officer")
    tasks = client.get("/api/flags", headers=field).json()
    assert [t["household_id"] for t in tasks] == [regions.household]
    assert client.post("/api/flags/2/verify", json={"outcome": "confirmed"},
                       headers=field).status_code == 404  # another county's household
    assert client.post("/api/flags/1/verify", json={"outcome": "maybe"},
                       headers=field).status_code == 422
    done = client.post("/api/flags/1/verify", json={"outcome": "false_alarm"}, headers=field)
    assert done.status_code == 200
    again = client.post("/api/flags/1/verify", json={"outcome": "confirmed"}, headers=field)
    assert again.status_code == 409 and "already verified" in again.json()["detail"]
    assert sql("SELECT outcome, verified_by FROM conflict_flags WHERE flag_id = 1") == [
        ("false_alarm", "field_officer")]
    assert client.get("/api/flags/precision", headers=field).json() == [
        {"rule": "vehicle", "flags": 1, "verified": 1, "confirmed": 0, "precision": 0.0}]
    assert ("verify_flag", "field_officer", "1") in sql(
        "SELECT action, username, object_id FROM audit_log")


def test_department_data_and_its_quarantine(client: TestClient, as_user: Headers,
                                            regions: Any, sql: Sql) -> None:
    """Sources with what the store holds, the batch report by reason; quarantined rows
    for data administrators only, masked, their reading audited."""
    officer = as_user("county_officer")
    vehicles = next(s for s in client.get("/api/sources", headers=officer).json()
                    if s["source"] == "transport_vehicles")
    assert (vehicles["batches"], vehicles["rows"], vehicles["quarantined"]) == (1, 2, 1)
    report = client.get(f"/api/batches/{regions.batch}", headers=officer).json()
    assert (report["rows_in"], report["rows_accepted"], report["rows_unchanged"],
            report["rows_quarantined"]) == (3, 2, 0, 1)
    assert report["reasons"] == [
        {"reason": "registered_on: is not a date (YYYY-MM-DD)", "rows": 1},
        {"reason": "value_yuan: is below the minimum 0", "rows": 1}]
    assert client.get("/api/batches/999999", headers=officer).status_code == 404
    admin = as_user("admin")
    [row] = client.get(f"/api/batches/{regions.batch}/quarantine", headers=admin).json()
    assert row["row_number"] == 4 and row["record"]["id_number"] == "520121********1234"
    county_admin = client.post("/api/users", headers=admin, json={
        "username": "county_admin", "password": "correct horse battery", "role": "admin",
        "region_code": regions.county})
    assert county_admin.status_code in (200, 201)
    assert client.get(f"/api/batches/{regions.batch}/quarantine",
                      headers=as_user("county_admin")).status_code == 403
    assert row["record"]["address"] == "***" and row["record"]["name"] == "坏记录"
    assert ("read_quarantine", "admin", str(regions.batch)) in sql(
        "SELECT action, username, object_id FROM audit_log")


def test_the_review_queue_of_the_jurisdiction(client: TestClient, as_user: Headers,
                                              regions: Any, sql: Sql) -> None:
    """A record beside its two candidates of one village (namesakes?), each with why it
    is under review, its evidence (ID numbers and addresses masked) and its household;
    a rejected candidate leaves its rival, an accepted one rejects the rest."""
    village = as_user("village_officer")
    [record] = client.get("/api/reviews", headers=village).json()
    assert (record["record_id"], record["candidates_in_all"]) == (1, 2)
    assert record["record"]["value_yuan"] == 60000
    head, rival = record["candidates"]
    assert head["person_id"] == regions.head and head["p"] > rival["p"]
    for candidate in (head, rival):
        assert candidate["reason"] == "rival" and candidate["shares"] == "village"
        assert candidate["village_code"] == regions.village and candidate["village_name"]
        assert "*" in candidate["registry_id_number"]
        prior, id_number, name, address = candidate["evidence"]
        assert prior["column"] == "prior" and name["weight"] > 0 > address["weight"]
        assert id_number["left"] is None and "********" in id_number["right"]
        assert address["left"] == address["right"] == "***"
    assert {m["person_id"] for m in head["members"]} == {p for (p,) in sql(
        "SELECT person_id FROM people WHERE household_id = ? AND person_id <> ?",
        regions.household, regions.head)}
    other = sql("SELECT person_id FROM feed_links WHERE record_id = 2")[0][0]
    assert client.post(f"/api/reviews/transport_vehicles/2/{other}", json={"accept": True},
                       headers=village).status_code == 404  # another county's person
    path = f"/api/reviews/transport_vehicles/1/{regions.head}"
    assert client.post(path, json={"accept": "perhaps"}, headers=village).status_code == 422
    done = client.post(path, json={"accept": False}, headers=village)
    assert done.status_code == 200 and done.json()["decision"] == "rejected"
    again = client.post(path, json={"accept": True}, headers=village)
    assert again.status_code == 409 and "not under review" in again.json()["detail"]
    [left] = client.get("/api/reviews", headers=village).json()
    assert [c["person_id"] for c in left["candidates"]] == [rival["person_id"]]
    assert left["candidates"][0]["shares"] is None  # no other candidate now
    accepted = client.post(f"/api/reviews/transport_vehicles/1/{rival['person_id']}",
                           json={"accept": True}, headers=village)
    assert accepted.status_code == 200 and accepted.json()["decision"] == "match"
    assert client.get("/api/reviews", headers=village).json() == []
    assert ("review_rejected", "village_officer", "officer", regions.village) in sql(
        "SELECT action, username, role, region_code FROM audit_log")


def test_people_registered_twice_merged_from_the_platform(client: TestClient,
                                                         as_user: Headers, regions: Any,
                                                         sql: Sql) -> None:
    other = as_user("county_officer")
    assert client.get("/api/duplicates", headers=as_user("field_officer")).status_code == 403
    village = as_user("village_officer")
    [pair] = client.get("/api/duplicates", headers=village).json()
    assert (pair["person_id"], pair["duplicate_id"]) == (regions.head, regions.duplicate)
    path = f"/api/duplicates/{regions.head}/{regions.duplicate}"
    assert client.post(f"/api/duplicates/{regions.head}/1", json={"merge": True},
                       headers=village).status_code == 404
    done = client.post(path, json={"merge": True}, headers=village)
    assert done.status_code == 200 and done.json()["decision"] == "merged"
    assert sql("SELECT count(*) FROM people WHERE person_id = ?", regions.duplicate) == [(0,)]
    assert client.post(path, json={"merge": True}, headers=other).status_code == 404  # gone
    assert client.get("/api/duplicates", headers=village).json() == []
    assert ("merge_person", "village_officer", "officer", str(regions.duplicate)) in sql(
        "SELECT action, username, role, object_id FROM audit_log")


def test_a_pair_across_jurisdictions_is_for_an_officer_over_both(
        client: TestClient, as_user: Headers, regions: Any, sql: Sql) -> None:
    """Proposed: the household's head registered again in another county. The county
    officer of either side neither sees nor merges it; the province officer does."""
    [(far,)] = sql("SELECT min(person_id) FROM people WHERE household_id = ?",
                   regions.other_household)
    sql("INSERT INTO registry_duplicates VALUES (?, ?, 0.9, 'probabilistic', now(), NULL, "
        "NULL, NULL, NULL)", regions.head, far)
    county = as_user("county_officer")
    assert all(p["duplicate_id"] != far
               for p in client.get("/api/duplicates", headers=county).json())
    path = f"/api/duplicates/{regions.head}/{far}"
    assert client.post(path, json={"merge": True}, headers=county).status_code == 404
    province = as_user("province_officer")
    assert far in [p["duplicate_id"] for p in
                   client.get("/api/duplicates", headers=province).json()]
    assert client.post(path, json={"merge": False}, headers=province).status_code == 200
