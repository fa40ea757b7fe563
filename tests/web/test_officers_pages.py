"""Officers through the application, on both stores: a field officer's work list and a
visit logged from the phone (refused for a household not theirs, flagged far from the
village), the KPI board of a county with its export, and the help plan in the household
file."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from shapely.geometry import shape
from tests.web.conftest import Regions

from povertycloud.access.accounts import user_named
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.assistance.officers import pair
from povertycloud.assistance.plans import propose
from povertycloud.store import Store

Headers = Any


def _paired(client: TestClient, regions: Regions) -> tuple[Store, list[int], tuple[float, float]]:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    mine = [int(h) for h in store.column(
        "SELECT household_id FROM households WHERE village_code = ? ORDER BY 1 LIMIT 2",
        [regions.village])]
    store.execute("UPDATE households SET registration_status = 'registered_poor' WHERE "
                  "list_contains(?, household_id)", [mine])
    propose(store, load_catalogue(), 2026, dt.date(2026, 3, 1), regions.village)
    pair(store, load_officer_rules(), "field_officer", mine,
         dt.date.today() - dt.timedelta(days=40), user_named(store, "village_officer"))
    point = shape(json.loads(str(store.value("SELECT boundary FROM regions WHERE code = ?",
                                             [regions.village])))).representative_point()
    return store, mine, (point.y, point.x)


def test_a_field_officer_logs_a_visit_from_the_phone(client: TestClient, as_user: Headers,
                                                     regions: Regions) -> None:
    store, mine, (lat, lon) = _paired(client, regions)
    field = as_user("field_officer")
    page = client.get("/officers/me", headers=field)
    assert page.status_code == 200 and all(str(h) in page.text for h in mine)
    assert 'class="visit"' in page.text and "从未走访" in page.text
    done = client.post("/api/officers/me/visits", headers=field, json={
        "household_id": mine[0], "lat": lat, "lon": lon, "done": "看了猪圈",
        "next_step": "周五请兽医"})
    assert done.status_code == 200, done.text
    assert done.json()["far_away"] is False and done.json()["too_fast"] is False
    far = client.post("/api/officers/me/visits", headers=field, json={
        "household_id": mine[1], "lat": lat + 1, "lon": lon, "done": "电话"})
    assert far.json()["far_away"] is True
    other = client.post("/api/officers/me/visits", headers=field, json={
        "household_id": regions.other_household, "lat": lat, "lon": lon, "done": "x"})
    assert other.status_code == 422 and "outside the jurisdiction" in other.json()["detail"]
    listed = client.get("/api/officers/me/households", headers=field).json()
    assert {h["household_id"] for h in listed} == set(mine)
    assert store.scalar("SELECT count(*) FROM visits") == 2
    assert client.get("/officers/me", headers=as_user("auditor")).status_code == 403


def test_the_county_sees_its_board_and_the_household_its_plan(
        client: TestClient, as_user: Headers, regions: Regions) -> None:
    _, mine, _ = _paired(client, regions)
    county = as_user("county_officer")
    rows = client.get("/api/officers/kpis", headers=county).json()
    [field] = [r for r in rows if r["username"] == "field_officer"]
    assert field["households"] == 2 and field["visits_on_schedule"] == 0.0
    assert "households visited in 30 days 0.0% < 90%" in field["behind"]
    page = client.get("/officers/kpis", headers=county)
    assert page.status_code == 200 and "field_officer" in page.text
    assert "帮扶干部考核看板" in page.text
    exported = client.get("/api/officers/kpis.csv", headers=county)
    assert exported.status_code == 200
    assert exported.text.lstrip("\ufeff").startswith("username,village_code,village_name,")
    teams = client.get("/api/officers/kpis?teams=true", headers=county).json()
    assert teams == []  # no work team stationed yet
    household = client.get(f"/households/{mine[0]}", headers=county)
    assert 'id="household-help"' in household.text and 'id="plan-items"' in household.text
    helped = client.get(f"/api/households/{mine[0]}/help", headers=county).json()
    assert helped["plan"]["year"] == 2026
    assert client.get(f"/api/households/{mine[0]}/help",
                      headers=as_user("assessor")).status_code == 200


def test_a_plan_item_moves_on_from_the_household_file(client: TestClient, as_user: Headers,
                                                      regions: Regions) -> None:
    store, _, _ = _paired(client, regions)
    item = store.record("SELECT item_id, household_id, version FROM plan_items WHERE "
                        "village_code = ? ORDER BY item_id LIMIT 1", [regions.village])
    assert item is not None
    village = as_user("village_officer")
    page = client.get(f"/households/{item['household_id']}", headers=village)
    assert f'id="step-{item["item_id"]}"' in page.text
    moved = client.post(f"/api/plans/items/{item['item_id']}", headers=village,
                        json={"state": "delivered", "version": 1, "note": "苗已发放"})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = client.post(f"/api/plans/items/{item['item_id']}", headers=village,
                        json={"state": "verified", "version": 1})
    assert stale.status_code == 409 and "since it was read" in stale.json()["detail"]
    own = client.post(f"/api/plans/items/{item['item_id']}", headers=village,
                      json={"state": "verified", "version": 2})
    assert own.status_code == 409 and "another officer verifies it" in own.json()["detail"]
    verified = client.post(f"/api/plans/items/{item['item_id']}",
                           headers=as_user("county_officer"),
                           json={"state": "verified", "version": 2})
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert client.post(f"/api/plans/items/{item['item_id']}", headers=as_user("auditor"),
                       json={"state": "cancelled", "version": 3}).status_code == 403
