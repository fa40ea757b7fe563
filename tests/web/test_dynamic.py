"""Dynamic management through the application: inboxes, a proposal walked through its
procedure by the right users (pages and API), every refusal changing nothing, the public
notice board and its objections, the household timeline, the monitoring list and the
statuses of villages and counties."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from povertycloud.access.accounts import get_user
from povertycloud.dynamic import workflow
from povertycloud.dynamic.workflow import NEW_STATUS

PASSWORD = "correct horse battery"
Headers = Callable[[str], dict[str, str]]
Sql = Callable[..., list[tuple[Any, ...]]]
Clock = Callable[[int], dt.date]
HEALTH_WORDS = ("illness", "disab", "medical", "insur", "health", "chronic",
                "hospital", "diagnos", "病", "残", "医", "药")


@pytest.fixture
def user(as_user: Headers) -> Headers:
    """Headers of one session per user for the whole test (a login is slow on purpose)."""
    return functools.cache(as_user)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Move the platform's day: ``clock(n)`` makes it today + n days."""
    def move(days: int) -> dt.date:
        day = dt.date.today() + dt.timedelta(days=days)
        monkeypatch.setattr(workflow, "today", lambda: day)
        return day
    return move


def log_in(client: TestClient, username: str) -> str:
    """Log in through the form; the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "form_token": token.group(1)})
    return csrf_of(client.get("/search").text)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def state_of(sql: Sql, proposal: int) -> list[tuple[Any, ...]]:
    """Everything a step could change: the proposal's row, its steps, its objections,
    the household's status and the complaints."""
    return [*sql("SELECT * FROM proposals WHERE proposal_id = ?", proposal),
            *sql("SELECT count(*) FROM proposal_steps WHERE proposal_id = ?", proposal),
            *sql("SELECT count(*) FROM objections"),
            *sql("SELECT h.registration_status FROM households h JOIN proposals p "
                 "USING (household_id) WHERE p.proposal_id = ?", proposal),
            *sql("SELECT count(*) FROM complaints")]


def propose(client: TestClient, username: str, household: int) -> int:
    """A proposal of ``username``'s own (the platform has no page for it: officers'
    proposals come from the command line)."""
    store = client.app.state.platform.store  # type: ignore[attr-defined]
    user_id = store.scalar("SELECT user_id FROM users WHERE username = ?", [username])
    user = get_user(store, user_id)
    assert user is not None
    return workflow.propose(store, user, "enrol", reasons=["income_below_line"],
                            household_id=household)


def step(client: TestClient, headers: dict[str, str], proposal: int, name: str,
         **body: Any) -> Any:
    return client.post(f"/api/proposals/{proposal}/steps", headers=headers,
                       json={"step": name, **body})


# -- inboxes ----------------------------------------------------------------------------------


def test_each_inbox_holds_the_steps_of_its_user(client: TestClient, user: Headers,
                                                regions: Any, sql: Sql) -> None:
    def inbox(username: str) -> dict[int, dict[str, Any]]:
        response = client.get("/api/inbox", headers=user(username))
        assert response.status_code == 200, response.text
        return {p["proposal_id"]: p for p in response.json()}

    field, village, township = (inbox(u) for u in ("field_officer", "village_officer",
                                                   "township_officer"))
    assert regions.proposal in field and regions.proposal in village
    assert {p["step"] for p in field.values()} == {"consent"}
    assert all(p["region_code"] == regions.village for p in field.values())
    consenting = sql("SELECT proposal_id FROM proposals WHERE region_code = ? AND step = "
                     "'consent'", regions.village)
    assert set(field) == {pid for (pid,) in consenting}
    assert regions.on_notice not in field and regions.other_proposal not in village
    waiting = township[regions.on_notice]
    assert waiting["waiting"] and waiting["notice_until"] >= dt.date.today().isoformat()
    assert all(p["step"] == "township_review" for p in township.values())
    assert inbox("county_officer") == {} and inbox("admin") == {}
    for username in ("auditor", "assessor"):
        response = client.get("/api/inbox", headers=user(username))
        assert response.status_code == 403 and "may not use workflow" in response.text


def test_overdue_proposals_come_first_and_marked(client: TestClient, user: Headers,
                                                 regions: Any, clock: Clock) -> None:
    later = propose(client, "village_officer", regions.household)  # 60 days to go
    clock(20)  # past the 15 days of a monitoring procedure, within the 60 of the others
    rows = client.get("/api/inbox", headers=user("village_officer")).json()
    flags = [p["overdue"] for p in rows]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)  # every overdue one before the others
    assert all(p["overdue"] == (p["procedure"] == "monitoring") for p in rows)
    log_in(client, "village_officer")
    page = client.get("/inbox").text
    overdue = [p["proposal_id"] for p in rows if p["overdue"]]
    assert f'id="proposal-{overdue[0]}" class="overdue"' in page
    assert f'id="proposal-{later}" class=""' in page


def test_the_inbox_page_marks_a_running_notice(client: TestClient, regions: Any) -> None:
    log_in(client, "township_officer")
    page = client.get("/inbox")
    assert page.status_code == 200
    row = re.search(rf'id="proposal-{regions.on_notice}".*?</tr>', page.text, re.S)
    assert row and 'class="note waiting"' in row.group(0)
    until = dt.date.today() + dt.timedelta(days=6)  # a notice of the configured days
    assert until.isoformat() in row.group(0)


# -- a proposal walked through its procedure --------------------------------------------------


def test_a_proposal_walked_by_the_right_users(client: TestClient, user: Headers,
                                              regions: Any, sql: Sql, clock: Clock) -> None:
    pid = regions.proposal
    [(kind, household)] = sql("SELECT kind, household_id FROM proposals WHERE "
                              "proposal_id = ?", pid)
    assert step(client, user("field_officer"), pid, "consent").json()["step"] == "appraisal"
    # the appraisal by its form, with the minutes
    csrf = log_in(client, "village_officer")
    form = client.get(f"/proposals/{pid}").text
    assert 'id="step-form"' in form and 'name="step" value="appraisal"' in form
    done = client.post(f"/proposals/{pid}/steps", data={
        "csrf_token": csrf, "step": "appraisal", "note": "村民代表大会同意", "decision": "done"},
        follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/proposals/{pid}"
    form = client.get(f"/proposals/{pid}").text
    assert 'value="5" min="5"' in form  # the notice's days, the configured ones
    notice = step(client, user("village_officer"), pid, "notice")
    assert notice.status_code == 200 and notice.json()["step"] == "township_review"
    clock(5)  # the notice ran its 5 days
    client.cookies.clear()
    csrf = log_in(client, "township_officer")
    done = client.post(f"/proposals/{pid}/steps", data={
        "csrf_token": csrf, "step": "township_review", "note": "", "days": ""},
        follow_redirects=False)
    assert done.status_code == 303
    county = user("county_officer")
    final = step(client, county, pid, "county_approval", note="同意").json()
    assert (final["proposal_id"], final["step"], final["state"]) == (pid, "approved",
                                                                     "approved")
    assert sql("SELECT registration_status FROM households WHERE household_id = ?",
               household) == [(NEW_STATUS[kind],)]
    shown = client.get(f"/api/proposals/{pid}", headers=county).json()
    assert [s["state"] for s in shown["procedure_steps"]] == ["done"] * 5
    assert [(s["step"], s["actor"]) for s in shown["steps"]] == [
        ("consent", "field_officer"), ("appraisal", "village_officer"),
        ("notice", "village_officer"), ("township_review", "township_officer"),
        ("county_approval", "county_officer")]
    assert shown["next"] is None
    form = client.get(f"/proposals/{pid}").text
    assert 'id="step-form"' not in form and "村民代表大会同意" in form


def test_a_rejection_needs_its_reasons_and_ends_the_proposal(
        client: TestClient, user: Headers, regions: Any, sql: Sql) -> None:
    pid, officer = regions.proposal, user("field_officer")
    before = state_of(sql, pid)
    refused = step(client, officer, pid, "consent", reject="  ")
    assert refused.status_code == 409 and "needs its reasons" in refused.json()["detail"]
    assert state_of(sql, pid) == before
    done = step(client, officer, pid, "consent", reject="农户不同意")
    assert done.json()["state"] == "rejected"
    shown = client.get(f"/api/proposals/{pid}", headers=officer).json()
    assert shown["decision_reason"] == "农户不同意"
    assert shown["procedure_steps"][0]["state"] == "rejected"


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "name", "status", "says"), [
    ("village_officer", "appraisal", 409, "out of order"),  # still waiting for consent
    ("village_officer", "no_such_step", 409, "is not a step"),
    ("township_officer", "consent", 403, "taken at the village"),  # wrong level
    ("auditor", "consent", 403, "may not use workflow"),  # wrong role
    ("assessor", "consent", 403, "may not use workflow"),
])
def test_a_refused_step_changes_nothing(client: TestClient, user: Headers, regions: Any,
                                        sql: Sql, username: str, name: str, status: int,
                                        says: str) -> None:
    before = state_of(sql, regions.proposal)
    response = step(client, user(username), regions.proposal, name, note="x")
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert state_of(sql, regions.proposal) == before


def test_a_step_of_the_wrong_role_is_refused(client: TestClient, user: Headers,
                                             regions: Any, sql: Sql) -> None:
    pid = regions.proposal
    step(client, user("field_officer"), pid, "consent")
    before = state_of(sql, pid)
    response = step(client, user("field_officer"), pid, "appraisal", note="minutes")
    assert response.status_code == 403
    assert "taken by the role officer, not field_officer" in response.json()["detail"]
    missing = step(client, user("village_officer"), pid, "appraisal")
    assert missing.status_code == 409 and "needs its minutes" in missing.json()["detail"]
    assert state_of(sql, pid) == before


def test_another_jurisdictions_proposal_is_not_found(client: TestClient, user: Headers,
                                                     regions: Any, sql: Sql) -> None:
    for username, pid in (("county_officer", regions.other_proposal),
                          ("village_officer", regions.other_proposal),
                          ("field_officer", 10**12)):
        headers = user(username)
        before = state_of(sql, pid)
        for response in (client.get(f"/api/proposals/{pid}", headers=headers),
                         step(client, headers, pid, "consent")):
            assert response.status_code == 404, (username, response.text)
            assert "in your jurisdiction" in response.json()["detail"]
        assert state_of(sql, pid) == before
    listed = client.get("/api/proposals", headers=user("county_officer"),
                        params={"state": "all"}).json()
    assert listed and all(p["region_code"].startswith(regions.county[:6]) for p in listed)
    log_in(client, "county_officer")
    assert client.get(f"/proposals/{regions.other_proposal}").status_code == 404


def test_whoever_proposed_may_not_approve(client: TestClient, user: Headers, regions: Any,
                                          sql: Sql, clock: Clock) -> None:
    pid = propose(client, "county_officer", regions.household)
    for username, name, extra in (("field_officer", "consent", {}),
                                  ("village_officer", "appraisal", {"note": "minutes"}),
                                  ("village_officer", "notice", {"days": 10})):
        assert step(client, user(username), pid, name, **extra).status_code == 200
    [(until,)] = sql("SELECT notice_until FROM proposals WHERE proposal_id = ?", pid)
    assert until == dt.date.today() + dt.timedelta(days=9)  # the 10 days asked
    early = step(client, user("township_officer"), pid, "township_review")
    assert early.status_code == 409 and f"runs until {until}" in early.json()["detail"]
    clock(10)
    assert step(client, user("township_officer"), pid, "township_review").status_code == 200
    before = state_of(sql, pid)
    own = step(client, user("county_officer"), pid, "county_approval")
    assert own.status_code == 403 and "may not approve" in own.json()["detail"]
    assert state_of(sql, pid) == before
    csrf = log_in(client, "county_officer")
    page = client.get(f"/proposals/{pid}").text
    assert 'id="step-form"' not in page and 'id="not-yours"' in page
    refused = client.post(f"/proposals/{pid}/steps", data={
        "csrf_token": csrf, "step": "county_approval", "note": ""})
    assert refused.status_code == 403 and 'id="refused"' in refused.text
    assert "may not approve" in refused.text
    assert state_of(sql, pid) == before


def test_a_notice_shorter_than_configured_is_refused(client: TestClient, user: Headers,
                                                     regions: Any, sql: Sql) -> None:
    pid = regions.proposal
    step(client, user("field_officer"), pid, "consent")
    step(client, user("village_officer"), pid, "appraisal", note="minutes")
    before = state_of(sql, pid)
    short = step(client, user("village_officer"), pid, "notice", days=3)
    assert short.status_code == 409
    assert "3 days is shorter than the 5 days configured" in short.json()["detail"]
    assert state_of(sql, pid) == before
    csrf = log_in(client, "village_officer")
    page = client.post(f"/proposals/{pid}/steps", data={
        "csrf_token": csrf, "step": "notice", "days": "3"})
    assert page.status_code == 409 and "shorter than the 5 days" in page.text
    assert state_of(sql, pid) == before


def test_a_stale_form_is_refused_with_its_reason(client: TestClient, regions: Any,
                                                 sql: Sql) -> None:
    csrf = log_in(client, "village_officer")
    before = state_of(sql, regions.proposal)
    for token, status in (("forged", 403), (csrf, 409)):
        response = client.post(f"/proposals/{regions.proposal}/steps", data={
            "csrf_token": token, "step": "notice"})
        assert response.status_code == status
    assert "out of order" in response.text and 'id="refused"' in response.text
    assert state_of(sql, regions.proposal) == before
    cookie = client.post(f"/api/proposals/{regions.proposal}/steps", json={"step": "consent"})
    assert cookie.status_code == 403 and "CSRF" in cookie.json()["detail"]
    assert state_of(sql, regions.proposal) == before


# -- the public notice board ------------------------------------------------------------------


def _members(sql: Sql, proposal: int) -> list[str]:
    """The ID numbers and phones of a proposal's household: never on a notice."""
    rows = sql("SELECT p.id_number, h.phone, h.address FROM people p JOIN households h "
               "USING (household_id) JOIN proposals o USING (household_id) "
               "WHERE o.proposal_id = ?", proposal)
    return [str(v) for row in rows for v in row if v]


def test_the_notice_board_shows_only_the_whitelisted_fields(
        client: TestClient, regions: Any, sql: Sql, user: Headers) -> None:
    walked = user("village_officer")
    step(client, user("field_officer"), regions.proposal, "consent")
    step(client, walked, regions.proposal, "appraisal", note="minutes")
    step(client, walked, regions.proposal, "notice")
    secrets = _members(sql, regions.on_notice) + _members(sql, regions.proposal)
    assert len(secrets) > 4
    [(head,)] = sql("SELECT p.name FROM people p JOIN proposals o USING (household_id) "
                    "WHERE o.proposal_id = ? AND p.relation = 'head'", regions.on_notice)
    for region in (regions.village, regions.county, regions.province):
        listed = client.get("/api/public/notices", params={"region": region})
        assert listed.status_code == 200
        rows = listed.json()
        assert {regions.on_notice, regions.proposal} <= {n["proposal_id"] for n in rows}
        assert set(rows[0]) == {"proposal_id", "region_code", "region_name", "kind",
                                "kind_text", "reasons", "notice_from", "notice_until",
                                "head_name", "members"}
        for lang in ("zh", "en"):
            client.get(f"/lang/{lang}")
            page = client.get("/portal/notices", params={"region": region})
            assert page.status_code == 200 and head in page.text
            assert f'action="/portal/notices/{regions.on_notice}/objection"' in page.text
            for text in (page.text, listed.text):
                assert not [s for s in secrets if s in text]
                lowered = text.lower()
                assert not [w for w in HEALTH_WORDS if w in lowered], lang
    other = client.get("/api/public/notices", params={"region": regions.other_county}).json()
    assert regions.on_notice not in {n["proposal_id"] for n in other}
    assert client.get("/portal/notices", params={"region": "999999999999"}).status_code == 404


def test_an_objection_sends_the_proposal_back(client: TestClient, regions: Any, sql: Sql,
                                              user: Headers) -> None:
    pid = regions.on_notice
    page = client.get("/portal/notices", params={"region": regions.village})
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token
    form = {"body": "他家去年盖了新房", "contact": "", "region": regions.village}
    assert client.post(f"/portal/notices/{pid}/objection",
                       data=form | {"form_token": "x"}).status_code == 403
    filed = client.post(f"/portal/notices/{pid}/objection",
                        data=form | {"form_token": token.group(1)}, follow_redirects=False)
    assert filed.status_code == 303
    [(code, category, region, complaint)] = sql(
        "SELECT tracking_code, category, region_code, complaint_id FROM complaints")
    assert filed.headers["location"] == f"/portal/track?code={code}&new=1"
    assert code in client.get(filed.headers["location"]).text
    assert (category, region) == ("identification", regions.village)
    assert sql("SELECT step, notice_from, notice_until FROM proposals WHERE proposal_id = ?",
               pid) == [("appraisal", None, None)]
    assert sql("SELECT complaint_id FROM objections WHERE proposal_id = ?", pid) == [
        (complaint,)]
    shown = client.get(f"/api/proposals/{pid}", headers=user("village_officer")).json()
    assert shown["objections"][0]["tracking_code"] == code
    assert shown["steps"][-1]["outcome"] == "reopened"
    inbox = client.get("/api/inbox", headers=user("village_officer")).json()
    assert pid in {p["proposal_id"] for p in inbox}
    # no longer on notice: a second objection is refused politely, nothing filed
    again = client.post(f"/portal/notices/{pid}/objection",
                        data=form | {"form_token": token.group(1)})
    assert again.status_code == 409 and 'id="refused"' in again.text
    assert "not on public notice" in again.text
    assert sql("SELECT count(*) FROM complaints") == [(1,)]


def test_an_objection_after_the_notice_is_refused(client: TestClient, regions: Any, sql: Sql,
                                                  clock: Clock) -> None:
    before = state_of(sql, regions.on_notice)
    body = {"body": "有异议"}
    clock(7)  # the day after the notice's 7 days
    late = client.post(f"/api/public/notices/{regions.on_notice}/objections", json=body)
    assert late.status_code == 409 and "not on public notice" in late.json()["detail"]
    never = client.post(f"/api/public/notices/{regions.proposal}/objections", json=body)
    unknown = client.post("/api/public/notices/999999/objections", json=body)
    assert never.json() == unknown.json() | {"detail": never.json()["detail"]}
    assert never.status_code == unknown.status_code == 409
    assert state_of(sql, regions.on_notice) == before
    assert sql("SELECT count(*) FROM complaints") == [(0,)]
    clock(6)  # the notice's last day
    made = client.post(f"/api/public/notices/{regions.on_notice}/objections", json=body)
    assert made.status_code == 201 and made.json()["tracking_code"].startswith("TS-")


# -- the household timeline -------------------------------------------------------------------


def test_the_timeline_on_the_household_page_and_api(client: TestClient, user: Headers,
                                                    regions: Any, sql: Sql) -> None:
    [(household,)] = sql("SELECT household_id FROM proposals WHERE proposal_id = ?",
                         regions.on_notice)
    entries = client.get(f"/api/households/{household}/timeline",
                         headers=user("assessor")).json()
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert {"survey", "proposal", "step"} <= {e["kind"] for e in entries}
    assert any(e["text"].startswith("notice done by village_officer: on notice")
               for e in entries)
    assert sql("SELECT action, detail FROM audit_log WHERE object_id = ? ORDER BY audit_id "
               "DESC LIMIT 1", str(household)) == [("read_timeline", "masked timeline")]
    log_in(client, "village_officer")
    page = client.get(f"/households/{household}").text
    assert 'id="timeline"' in page and "村内公示:已完成(village_officer)" in page
    assert f'<a href="/proposals/{regions.on_notice}">' in page
    other = client.get(f"/api/households/{regions.other_household}/timeline",
                       headers=user("county_officer"))
    assert other.status_code == 403
    assert client.get("/api/households/99/timeline",
                      headers=user("county_officer")).status_code == 404


def test_the_timeline_masks_health_events_as_the_file_does(
        client: TestClient, user: Headers, regions: Any, sql: Sql) -> None:
    [(household,)] = sql(
        "SELECT min(e.household_id) FROM events e JOIN households h USING (household_id) "
        "WHERE e.kind = 'serious_illness' AND starts_with(h.village_code, ?)",
        regions.county[:6])
    api = client.get(f"/api/households/{household}/timeline",
                     headers=user("county_officer")).text
    assert "serious illness" not in api and "hidden" not in api  # left out, unmarked
    csrf = log_in(client, "county_officer")
    masked = client.get(f"/households/{household}").text
    timeline = masked[masked.index('id="timeline"'):]
    assert "患大病" not in timeline and "hidden" not in timeline
    shown = client.post(f"/households/{household}/unmask", data={"csrf_token": csrf}).text
    assert "事件:患大病" in shown[shown.index('id="timeline"'):]


# -- monitoring and the statuses of villages and counties -------------------------------------


def test_the_monitoring_list_per_role(client: TestClient, user: Headers,
                                      regions: Any) -> None:
    county = client.get("/api/monitoring", headers=user("county_officer")).json()
    assert county and all(r["village_code"].startswith(regions.county[:6]) for r in county)
    assert {"household_id", "village_name", "risk", "reasons", "registration_status",
            "reason_texts"} <= set(county[0])
    village = client.get("/api/monitoring", headers=user("village_officer")).json()
    assert village and {r["village_code"] for r in village} == {regions.village}
    assert client.get("/api/monitoring", headers=user("auditor")).status_code == 200
    refused = client.get("/api/monitoring", headers=user("assessor"))
    assert refused.status_code == 403 and "may not use monitoring" in refused.text
    assert client.get("/api/monitoring?year=1990",
                      headers=user("county_officer")).json() == []
    log_in(client, "field_officer")
    page = client.get("/monitoring")
    assert page.status_code == 200
    assert all(f'href="/households/{r["household_id"]}"' in page.text for r in village)
    client.cookies.clear()
    log_in(client, "assessor")
    assert client.get("/monitoring").status_code == 403
    assert 'href="/monitoring"' not in client.get("/search").text


def test_the_statuses_of_villages_and_counties(client: TestClient, user: Headers,
                                               regions: Any, sql: Sql) -> None:
    found = client.get("/api/regions/status", headers=user("county_officer")).json()
    rows = {r["region_code"]: r for r in found["regions"]}
    villages = sql("SELECT code FROM regions WHERE level = 'village' AND "
                   "starts_with(code, ?)", regions.county[:6])
    assert set(rows) == {regions.county} | {code for (code,) in villages}
    assert found["year"] == 2020 and found["criteria_note"] is None
    assert rows[regions.county]["criteria"] and rows[regions.county]["met"] is not None
    poor = sql("SELECT region_code FROM region_status_changes WHERE status = 'poor' AND "
               "starts_with(region_code, ?)", regions.county[:6])
    assert poor and all(rows[code]["status"] == "poor" for (code,) in poor)
    village = client.get("/api/regions/status", headers=user("village_officer")).json()
    assert [r["region_code"] for r in village["regions"]] == [regions.village]
    for username in ("assessor", "auditor"):
        log_in(client, username)
        page = client.get("/regions/status")
        assert page.status_code == 200 and f'data-region="{regions.village}"' in page.text
        assert f'data-region="{regions.other_village}"' in page.text
        assert f'data-region="{regions.other_county}"' not in page.text
        client.cookies.clear()
    assert client.get("/api/regions/status").status_code == 401



def test_the_dashboard_as_of_a_day_rolls_up_the_registrys_history(
        client: TestClient, user: Headers, regions: Any) -> None:
    """A day between year ends is rolled up live from the history: households counted
    under the status they held that day."""
    county = regions.county
    headers = user("county_officer")

    def figures(**params: str) -> dict[str, Any]:
        response = client.get(f"/api/regions/{county}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    latest, day, year_end = figures(), figures(as_of="2016-06-30"), figures(as_of="2016-12-31")
    assert (latest["as_of"], day["as_of"], year_end["as_of"]) == (
        "2020-12-31", "2016-06-30", "2016-12-31")
    assert day["registry"]["households"] == year_end["registry"]["households"]
    assert (day["registry"]["households_registered_poor"]
            != year_end["registry"]["households_registered_poor"])
    page = client.get(f"/dashboard/{county}", params={"as_of": "2016-06-30"}, headers=headers)
    assert page.status_code == 200 and 'value="2016-06-30"' in page.text
    assert "children.csv?as_of=2016-06-30" in page.text  # exports, map and drill-down keep it
    assert "/map?as_of=2016-06-30" in page.text
    assert client.get(f"/api/regions/{county}", params={"as_of": "someday"},
                      headers=headers).status_code == 422


def test_health_reasons_on_the_monitoring_list_are_for_who_may_see_them(
        client: TestClient, user: Headers, sql: Sql) -> None:
    """An auditor does not see health reasons, nor where they were left out; an officer
    sees them, and that read is audited."""
    from povertycloud.access.privacy import HEALTH_REASONS

    officer = client.get("/api/monitoring", headers=user("county_officer")).json()
    with_health = [r for r in officer if set(r["reasons"]) & HEALTH_REASONS]
    assert with_health, "the fixture's lists carry health reasons"
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'read_monitoring_list' "
               "AND username = 'county_officer'") == [(1,)]
    auditor = client.get("/api/monitoring", headers=user("auditor")).json()
    assert auditor and not any(set(r["reasons"]) & HEALTH_REASONS for r in auditor)
    assert {r["household_id"] for r in auditor} == {r["household_id"] for r in officer}
    assert not any("hidden" in " ".join(r["reasons"]) for r in auditor)
