"""Long lists a page at a time: a region's households (filtered, sorted, exported, masked
as the household file is), search results that say when they are cut, the monitoring
list and the complaints inbox."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from povertycloud.access.accounts import PERMISSIONS
from povertycloud.access.privacy import HEALTH_CAUSES, HEALTH_IDENTIFICATION, HIDDEN
from povertycloud.registry import listing
from povertycloud.registry.listing import COLUMNS
from povertycloud.web.i18n import MESSAGES

Headers = Callable[[str], dict[str, str]]
Sql = Callable[..., list[tuple[Any, ...]]]
NO_UNMASK = ("assessor", "auditor")
# what the identification hides from who may not unmask, as the list's columns
MASKED = sorted(set(HEALTH_IDENTIFICATION) & set(COLUMNS))


@pytest.fixture
def user(as_user: Headers) -> Headers:
    return functools.cache(as_user)


def listed(client: TestClient, headers: dict[str, str], region: str, **params: Any
           ) -> Any:
    response = client.get(f"/api/regions/{region}/households", params=params,
                          headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_region_lists_its_households_a_page_at_a_time(
        client: TestClient, user: Headers, regions: Any, sql: Sql) -> None:
    [(households,)] = sql("SELECT count(*) FROM households WHERE starts_with(village_code, ?)",
                          regions.township[:9])
    first = listed(client, user("township_officer"), regions.township, per_page=7)
    assert first["total"] == households and first["pages"] == -(-households // 7)
    assert len(first["rows"]) == 7
    ids = [r["household_id"] for r in first["rows"]]
    assert ids == sorted(ids)
    second = listed(client, user("township_officer"), regions.township, per_page=7, page=2)
    assert not set(ids) & {r["household_id"] for r in second["rows"]}
    past = listed(client, user("township_officer"), regions.township, page=10**5)
    assert past["rows"] == [] and past["total"] == households
    # a village of the township: its own households only
    village = listed(client, user("township_officer"), regions.village, per_page=200)
    assert {r["village_name"] for r in village["rows"]} == {
        sql("SELECT name FROM regions WHERE code = ?", regions.village)[0][0]}
    refused = client.get(f"/api/regions/{regions.county}/households",
                         headers=user("township_officer"))
    assert refused.status_code == 403


def test_filters_and_sorting(client: TestClient, user: Headers, regions: Any,
                             sql: Sql) -> None:
    me = user("county_officer")
    poor = listed(client, me, regions.county, status="registered_poor", per_page=200)
    [(count,)] = sql("SELECT count(*) FROM households WHERE registration_status = "
                     "'registered_poor' AND starts_with(village_code, ?)", regions.county[:6])
    assert poor["total"] == count and {r["registration_status"] for r in poor["rows"]} == {
        "registered_poor"}
    ill = listed(client, me, regions.county, cause="illness", sort="score", order="desc",
                 per_page=200)
    [(sick,)] = sql("SELECT count(*) FROM identification WHERE list_contains(string_split("
                    "causes, ';'), 'illness') AND starts_with(village_code, ?)",
                    regions.county[:6])
    assert ill["total"] == sick > 0
    scores = [r["score"] for r in ill["rows"]]
    assert scores == sorted(scores, reverse=True)
    band = ill["rows"][0]["band"]
    assert {r["band"] for r in listed(client, me, regions.county, band=band,
                                      per_page=200)["rows"]} == {band}
    monitored = listed(client, me, regions.county, monitored="true", per_page=200)
    assert monitored["total"] > 0 and all(r["monitored"] for r in monitored["rows"])
    flagged = listed(client, me, regions.county, flagged="true")
    assert flagged["total"] >= 1 and all(r["open_flags"] > 0 for r in flagged["rows"])
    assert regions.household in {r["household_id"] for r in flagged["rows"]}
    for bad in ({"sort": "address"}, {"status": "rich"}, {"order": "sideways"},
                {"per_page": 1000}, {"sort": "score;drop"}):
        response = client.get(f"/api/regions/{regions.county}/households", params=bad,
                              headers=me)
        assert response.status_code in (400, 422), bad


@pytest.mark.parametrize("username", NO_UNMASK)
def test_who_may_not_unmask_sees_the_list_masked_as_the_file(
        client: TestClient, user: Headers, regions: Any, username: str) -> None:
    """Masked values alike for every household; no filter or sort on them, refused the
    same way whatever the value (illness or not), so nothing finds who is ill."""
    me = user(username)
    found = listed(client, me, regions.county, per_page=200)
    assert found["masked"] == MASKED
    for row in found["rows"]:
        assert {c: row[c] for c in MASKED} == dict.fromkeys(MASKED, HIDDEN)
    household = client.get(f"/api/households/{found['rows'][0]['household_id']}",
                           headers=me).json()
    assert all(household["identification"][c] == HIDDEN for c in MASKED)
    refusals = set()
    for params in [{"cause": c} for c in (*HEALTH_CAUSES, "schooling", "lack_of_labour")] + [
            {"sort": c} for c in MASKED]:
        response = client.get(f"/api/regions/{regions.county}/households", params=params,
                              headers=me)
        assert response.status_code == 403, params
        refusals.add(response.json()["detail"].split(":")[1] if "cause" in params else "")
    assert len(refusals - {""}) == 1  # one answer for every cause
    page = client.get(f"/regions/{regions.county}/households", headers=me)
    assert page.status_code == 200
    assert 'name="cause"' not in page.text and 'id="sort-score"' not in page.text
    assert not any(f">{MESSAGES[c][0]}<" in page.text for c in HEALTH_CAUSES)
    for kind in ("csv", "xlsx"):
        exported = export_rows(client, me, regions.county, kind)
        assert exported and all(r[c] == HIDDEN for r in exported for c in MASKED)
    # the monitoring list and the flags only for who may see them
    for column, permission in (("monitored", "monitoring"), ("open_flags", "verify")):
        assert (column in found["columns"]) == (permission in PERMISSIONS[username])


def test_who_may_unmask_sees_and_filters_the_causes(client: TestClient, user: Headers,
                                                   regions: Any, sql: Sql) -> None:
    me = user("county_officer")
    found = listed(client, me, regions.county, cause="illness")
    assert found["masked"] == [] and found["rows"]
    assert all(isinstance(r["score"], int) for r in found["rows"])
    page = client.get(f"/regions/{regions.county}/households?cause=illness", headers=me)
    assert 'name="cause"' in page.text and 'id="sort-score"' in page.text
    [(entries,)] = sql("SELECT count(*) FROM audit_log WHERE action = 'list_households' "
                       "AND detail LIKE 'cause=illness%unmasked'")
    assert entries == 2


def export_rows(client: TestClient, headers: dict[str, str], region: str, kind: str,
                **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/regions/{region}/households.{kind}", params=params,
                          headers=headers)
    assert response.status_code == 200, response.text
    if kind == "csv":
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(header, r, strict=True)) for r in body]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exports_hold_the_filtered_list(client: TestClient, user: Headers, regions: Any,
                                        sql: Sql, kind: str) -> None:
    me = user("village_officer")
    every = listed(client, me, regions.village, status="not_registered", sort="score",
                   order="desc", per_page=200)
    exported = export_rows(client, me, regions.village, kind, status="not_registered",
                           sort="score", order="desc", page=3)
    assert len(exported) == every["total"] > 0  # every page, not one
    assert [str(r["household_id"]) for r in exported] == [
        str(r["household_id"]) for r in every["rows"]]
    assert list(exported[0]) == every["columns"]
    [(entries,)] = sql("SELECT count(*) FROM audit_log WHERE action = 'export_households'")
    assert entries == 1


def test_an_export_over_the_limit_is_refused_before_it_is_read_or_audited(
        client: TestClient, user: Headers, regions: Any, sql: Sql,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "EXPORT_LIMIT", 2)
    response = client.get(f"/api/regions/{regions.village}/households.csv",
                          headers=user("village_officer"))
    assert response.status_code == 400
    assert "more than 2 in one export" in response.json()["detail"]
    assert sql("SELECT count(*) FROM audit_log WHERE action = 'export_households'") == [(0,)]


def test_the_dashboard_links_to_the_list_and_the_page_pages(client: TestClient,
                                                           user: Headers,
                                                           regions: Any) -> None:
    me = user("village_officer")
    dashboard = client.get(f"/dashboard/{regions.village}", headers=me).text
    assert f'href="/regions/{regions.village}/households"' in dashboard
    page = client.get(f"/regions/{regions.village}/households?per_page=5&page=2&"
                      "status=&band=&cause=&monitored=&flagged=&sort=members&order=desc",
                      headers=me)
    assert page.status_code == 200
    assert 'id="page-prev"' in page.text and 'id="page-next"' in page.text
    assert "page=3" in page.text and "sort=members" in page.text  # links keep the rest
    assert page.text.count('<tr><td class="mono"><a href="/households/') == 5


def test_search_says_when_it_is_cut_and_pages_on(client: TestClient, user: Headers,
                                                sql: Sql, regions: Any) -> None:
    [(surname, count)] = sql(
        "SELECT left(p.name, 1) AS s, count(*) AS n FROM people p JOIN households h "
        "USING (household_id) WHERE starts_with(h.village_code, ?) GROUP BY s "
        "ORDER BY n DESC LIMIT 1", regions.county[:6])
    assert count > 50
    me = user("county_officer")
    first = client.get("/api/search", params={"q": surname}, headers=me)
    assert len(first.json()) == 50 and first.headers["X-Total-Count"] == str(count)
    assert 'rel="next"' in first.headers["Link"]
    pages = [first.json()] + [
        client.get("/api/search", params={"q": surname, "page": n}, headers=me).json()
        for n in range(2, -(-count // 50) + 1)]
    people = [p["person_id"] for page in pages for p in page]
    assert len(people) == len(set(people)) == count
    page = client.get(f"/search?q={surname}", headers=me).text
    assert 'id="results-cut"' in page and f"{count:,}" in page and 'id="page-next"' in page
    single = client.get(f"/search?q={surname}&page=2", headers=me).text
    assert 'id="page-prev"' in single


def test_the_monitoring_list_and_the_inbox_page(client: TestClient, user: Headers,
                                                regions: Any) -> None:
    me = user("county_officer")
    whole = client.get("/api/monitoring", params={"per_page": 200}, headers=me)
    total = int(whole.headers["X-Total-Count"])
    assert total > 10
    pages = [client.get("/api/monitoring", params={"per_page": 10, "page": n},
                        headers=me).json() for n in (1, 2)]
    assert [r["household_id"] for r in pages[0] + pages[1]] == [
        r["household_id"] for r in whole.json()[:20]]
    page = client.get("/monitoring?per_page=10", headers=me).text
    assert page.count('<td class="mono"><a href="/households/') == 10
    assert 'id="page-next"' in page
    for n in range(3):
        client.post("/api/public/complaints", json={
            "region_code": regions.village, "category": "other", "subject": f"s{n}",
            "body": "b"})
    inbox = client.get("/api/complaints", params={"per_page": 2}, headers=me)
    assert len(inbox.json()) == 2 and int(inbox.headers["X-Total-Count"]) >= 3
    assert 'id="page-next"' in client.get("/complaints?per_page=2", headers=me).text


def test_region_statuses_page(client: TestClient, user: Headers) -> None:
    me = user("county_officer")
    whole = client.get("/api/regions/status", params={"per_page": 200}, headers=me).json()
    assert whole["total"] == len(whole["regions"]) > 4
    pages = [client.get("/api/regions/status", params={"per_page": 2, "page": n},
                        headers=me).json() for n in (1, 2)]
    assert pages[0]["pages"] == -(-whole["total"] // 2)
    assert [r["region_code"] for p in pages for r in p["regions"]] == [
        r["region_code"] for r in whole["regions"][:4]]
    page = client.get("/regions/status?per_page=2", headers=me).text
    assert page.count("<tr data-region=") == 2 and 'id="page-next"' in page
