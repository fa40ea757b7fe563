"""Health and disability stay hidden from who may not unmask, on every way out (the file
through the API and the page, its timeline, the monitoring list, search results, region
exports, the public notices), and a hidden value says nothing of whether the household
is ill; conflict flags carry their evidence masked, shown through the audited unmask."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.test_pages import log_in

from povertycloud.access.privacy import (
    HEALTH_CAUSES,
    HEALTH_EVENTS,
    HEALTH_IDENTIFICATION,
    HEALTH_REASONS,
    HIDDEN,
)
from povertycloud.web.i18n import MESSAGES, label

Headers = Callable[[str], dict[str, str]]
Sql = Callable[..., list[tuple[Any, ...]]]
NO_UNMASK = ("assessor", "auditor")  # the roles that may read households but not unmask
HEALTH_INDICATORS = ("no_serious_illness", "chronic_illness", "medical_burden",
                     "no_severe_disability", "no_disability", "no_illness_event")
HEALTH_SETS = ("health", "disability", "social_security")
SENSITIVE_MEMBER_FIELDS = ("chronic_illness", "serious_illness", "disability_kind",
                           "disability_grade")
# what would name a health detail, in English or Chinese, as a value or as words
HEALTH_WORDS = (*HEALTH_CAUSES, *HEALTH_EVENTS, *HEALTH_REASONS, "medical_assistance",
                "health (hidden)", "serious illness",
                *(MESSAGES[k][0] for k in ("illness", "disability") if k in MESSAGES),
                *(label(e, "zh", "event") for e in HEALTH_EVENTS),
                *(label(r, "zh", "risk") for r in HEALTH_REASONS),
                label("medical_assistance", "zh"))


@pytest.fixture
def user(as_user: Headers) -> Headers:
    return functools.cache(as_user)


@pytest.fixture
def ill(sql: Sql, regions: Any) -> tuple[int, int]:
    """A household of the county with illness among its causes and a serious illness
    among its events, and one with no health cause, no health event and full points."""
    [(sick,)] = sql(
        "SELECT min(i.household_id) FROM identification i JOIN events e USING (household_id) "
        "WHERE i.causes LIKE '%illness%' AND e.kind = 'serious_illness' "
        "AND starts_with(i.village_code, ?)", regions.county[:6])
    [(well,)] = sql(
        "SELECT min(i.household_id) FROM identification i WHERE starts_with(i.village_code, ?) "
        "AND NOT regexp_matches(i.causes, 'illness|disability') AND s_health = 6 "
        "AND s_disability = 4 AND i_no_illness_event = 1 AND household_id NOT IN "
        "(SELECT household_id FROM events WHERE kind IN ('serious_illness', 'disability', "
        "'recovery'))", regions.county[:6])
    assert sick and well
    return int(sick), int(well)


def health_view(file: dict[str, Any]) -> dict[str, Any]:
    """Every place of a masked file where a health detail could show."""
    ident = file["identification"]
    indicators = {i["id"]: i["points"] for s in ident["sets"] for i in s["indicators"]}
    return {
        "identification": {k: ident[k] for k in HEALTH_IDENTIFICATION},
        "indicators": {k: indicators[k] for k in HEALTH_INDICATORS},
        "sets": {s["id"]: s["points"] for s in ident["sets"] if s["id"] in HEALTH_SETS},
        "medical_expense": {s["medical_expense"] for s in file["surveys"]},
        "members": {m[k] for m in file["members"] for k in SENSITIVE_MEMBER_FIELDS},
        "events": [e["kind"] for e in file["events"] if e["kind"] in HEALTH_EVENTS],
        "timeline": [e["text"] for e in file["timeline"]
                     if "hidden" in e["text"] or "illness" in e["text"]],
    }


HIDDEN_VIEW = {
    "identification": dict.fromkeys(HEALTH_IDENTIFICATION, HIDDEN),
    "indicators": dict.fromkeys(HEALTH_INDICATORS, HIDDEN),
    "sets": dict.fromkeys(HEALTH_SETS, HIDDEN),
    "medical_expense": {HIDDEN},
    "members": {HIDDEN},
    "events": [],
    "timeline": [],
}


def shows_health(text: str) -> list[str]:
    return [w for w in HEALTH_WORDS if w in text]


@pytest.mark.parametrize("username", NO_UNMASK)
def test_the_masked_file_hides_health_alike_for_the_ill_and_the_well(
        client: TestClient, user: Headers, ill: tuple[int, int], username: str) -> None:
    sick, well = ill
    files = [client.get(f"/api/households/{h}", headers=user(username)).json()
             for h in (sick, well)]
    assert [health_view(f) for f in files] == [HIDDEN_VIEW, HIDDEN_VIEW]
    assert not shows_health(json.dumps(files[0]["identification"] | {
        "sets": None, "surveys": files[0]["surveys"], "events": files[0]["events"],
        "timeline": files[0]["timeline"]}, default=str, ensure_ascii=False))
    timeline = client.get(f"/api/households/{sick}/timeline", headers=user(username))
    assert timeline.status_code == 200 and not shows_health(timeline.text)
    page = client.get(f"/households/{sick}", headers=user(username))
    assert page.status_code == 200 and not shows_health(page.text)


def test_who_may_unmask_sees_the_health_details(
        client: TestClient, user: Headers, ill: tuple[int, int]) -> None:
    sick, _ = ill
    shown = client.post(f"/api/households/{sick}/unmask", headers=user("county_officer")
                        ).json()
    assert "illness" in shown["identification"]["causes"]
    assert "serious_illness" in [e["kind"] for e in shown["events"]]
    assert any("serious illness" in e["text"] for e in shown["timeline"])
    assert isinstance(shown["identification"]["score"], int)


@pytest.mark.parametrize("username", NO_UNMASK)
def test_the_monitoring_list_leaves_health_reasons_out(
        client: TestClient, user: Headers, username: str) -> None:
    officer = client.get("/api/monitoring", headers=user("county_officer")).json()
    assert any(not HEALTH_REASONS.isdisjoint(r["reasons"]) for r in officer)
    if username == "assessor":  # no monitoring for assessors at all
        assert client.get("/api/monitoring", headers=user(username)).status_code == 403
        return
    listed = client.get("/api/monitoring", headers=user(username))
    assert listed.status_code == 200 and listed.json()
    assert not shows_health(listed.text)
    page = client.get("/monitoring", headers=user(username))
    assert page.status_code == 200 and not shows_health(page.text)


@pytest.mark.parametrize("username", NO_UNMASK)
def test_search_exports_and_notices_show_no_health_detail(
        client: TestClient, user: Headers, ill: tuple[int, int], regions: Any,
        username: str) -> None:
    sick, _ = ill
    found = client.get("/api/search", params={"q": str(sick)}, headers=user(username))
    assert found.status_code == 200 and found.json()
    assert not shows_health(found.text)
    page = client.get("/search", params={"q": str(sick)}, headers=user(username))
    assert page.status_code == 200 and not shows_health(page.text)
    for kind in ("csv", "xlsx"):
        export = client.get(f"/api/regions/{regions.county}/children.{kind}",
                            headers=user(username))
        assert export.status_code == 200
        assert not shows_health(export.content.decode("utf-8", "replace"))
    for lang in ("en", "zh"):
        notices = client.get("/portal/notices", params={"region": regions.village},
                             headers={"Accept-Language": lang})
        assert notices.status_code == 200 and 'class="card notice"' in notices.text
        assert not shows_health(notices.text)


def test_flag_evidence_is_masked_and_unmasked_only_through_the_audit(
        client: TestClient, user: Headers, sql: Sql) -> None:
    evidence = {"record_id": 1, "name": "张三", "id_number": "52012119900101123X",
                "address": "幸福村3组12号", "value_yuan": 60000, "batch_id": 1}
    sql("UPDATE conflict_flags SET evidence = ? WHERE flag_id = 1", json.dumps(evidence))
    field = user("field_officer")
    listed = client.get("/api/flags", headers=field)
    assert listed.status_code == 200
    [flag] = [f for f in listed.json() if f["flag_id"] == 1]
    assert flag["evidence"] == {"record_id": 1, "name": "张三",
                                "id_number": "520121********123X", "address": HIDDEN,
                                "value_yuan": 60000}
    assert "52012119900101123X" not in listed.text and "幸福村" not in listed.text
    page = client.get("/flags", headers=field)
    assert page.status_code == 200
    assert "520121********123X" in page.text and "52012119900101123X" not in page.text
    assert not sql("SELECT * FROM audit_log WHERE action = 'unmask_flag'")
    shown = client.post("/api/flags/1/unmask", headers=field)
    assert shown.status_code == 200
    assert shown.json()["evidence"]["id_number"] == "52012119900101123X"
    assert sql("SELECT username, object_id FROM audit_log WHERE action = 'unmask_flag'"
               ) == [("field_officer", "1")]
    assert client.post("/api/flags/2/unmask", headers=field).status_code == 404
    assert client.post("/api/flags/1/unmask", headers=user("auditor")).status_code == 403
    csrf = log_in(client, "field_officer")  # the page's button
    shown_page = client.post("/flags/1/unmask", data={"csrf_token": csrf})
    assert shown_page.status_code == 200 and "52012119900101123X" in shown_page.text
    assert len(sql("SELECT * FROM audit_log WHERE action = 'unmask_flag'")) == 2


@pytest.mark.parametrize("username", NO_UNMASK)
def test_the_band_is_hidden_where_the_points_shown_would_tell_of_health(
        client: TestClient, user: Headers, sql: Sql, regions: Any, username: str) -> None:
    """A household whose points other than health fall short of the band it is in: the
    band would tell that health points (no serious illness, no disability) carried it
    over; it is hidden with the score, and so are the proposal and priority read from it
    (the same for every household, test_the_masked_file_hides_health_alike...)."""
    health = " + ".join(f"i_{i}" for i in HEALTH_INDICATORS)
    [(household, band, low)] = sql(
        f"SELECT household_id, band, score - ({health}) FROM identification WHERE "
        f"starts_with(village_code, ?) AND score >= 60 AND score - ({health}) < 60 "
        "ORDER BY household_id LIMIT 1", regions.county[:6])
    assert band in ("likely_impoverished", "out_of_poverty")
    file = client.get(f"/api/households/{household}", headers=user(username)).json()
    shown = [i["points"] for s in file["identification"]["sets"] for i in s["indicators"]
             if i["points"] != HIDDEN]
    assert sum(shown) == low < 60  # what the reader can add up: the first band's points
    ident = file["identification"]
    assert (ident["band"], ident["proposal"], ident["priority"]) == (HIDDEN,) * 3
    page = client.get(f"/households/{household}", headers=user(username))
    assert page.status_code == 200 and band not in page.text
    officer = client.post(f"/api/households/{household}/unmask",
                          headers=user("county_officer"))
    assert officer.json()["identification"]["band"] == band
