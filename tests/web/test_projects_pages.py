"""Projects and allocations through the application, on both stores: the projects of a
jurisdiction and their map, a project's page with its milestones and photos (a doubtful
one flagged), the photo itself; a kept allocation's methods side by side; another county
sees neither."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Regions

from povertycloud.access.accounts import create_user, user_named
from povertycloud.assistance.allocation import allocate, allocation_problem, save
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.photos import read_photo
from povertycloud.assistance.projects import Draft, Report, add_project, report
from povertycloud.funds.programmes import load_programmes
from povertycloud.store import Store
from povertycloud.synth.photos import jpeg

Headers = Any
SITE = (26.9, 106.9)


def _project(store: Store, regions: Regions) -> tuple[int, int, int]:
    """A project of the village with a report on site and one far away."""
    county = user_named(store, "county_officer")
    project = add_project(store, Draft(
        county=regions.county, village=regions.village, name="集中供水工程", kind="water",
        budget_fen=150_000_00, programmes=("integrated_agriculture",), lat=SITE[0],
        lon=SITE[1], starts=dt.date(2026, 4, 1), ends=dt.date(2026, 10, 31), year=2026,
        milestones=(("管网", dt.date(2026, 7, 31)), ("通水", dt.date(2026, 10, 15)))),
        load_programmes(), county)
    reports = []
    for taken, lat in ((dt.datetime(2026, 7, 20, 10), SITE[0]),
                       (dt.datetime(2026, 9, 1, 10), SITE[0] + 0.5)):
        content = jpeg(taken, lat, SITE[1])
        reports.append(report(store, project, county, Report(60, "管网铺设", 1),
                              (content, read_photo(content, "p.jpg")),
                              dt.datetime(2026, 9, 2))["report_id"])
    return project, reports[0], reports[1]


def test_a_project_with_its_photos(client: TestClient, as_user: Headers,
                                   regions: Regions) -> None:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    project, on_site, far = _project(store, regions)
    county = as_user("county_officer")
    [listed] = client.get("/api/projects?year=2026", headers=county).json()
    assert listed["project_id"] == project and listed["flagged_photos"] == 1
    points = client.get("/api/projects.geojson", headers=county).json()
    assert points["features"][0]["geometry"]["coordinates"] == [SITE[1], SITE[0]]
    page = client.get(f"/projects/{project}", headers=county)
    assert page.status_code == 200 and "集中供水工程" in page.text
    assert f'id="report-{far}"' in page.text and "照片拍摄地点距项目过远" in page.text
    photo = client.get(f"/projects/{project}/reports/{on_site}/photo", headers=county)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content[:2] == b"\xff\xd8"
    assert client.get("/projects", headers=county).status_code == 200
    create_user(store, "elsewhere", PASSWORD, "officer", regions.other_county)
    elsewhere = as_user("elsewhere")
    assert client.get(f"/api/projects/{project}", headers=elsewhere).status_code == 404
    assert client.get(f"/projects/{project}/reports/{on_site}/photo",
                      headers=elsewhere).status_code == 404
    assert client.get("/api/projects", headers=elsewhere).json() == []


def test_a_kept_allocation_side_by_side(client: TestClient, as_user: Headers,
                                        regions: Regions) -> None:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    problem = allocation_problem(store, load_catalogue(), regions.county, 2026, 200_000_00)
    kept = save(store, allocate(problem, time_limit=20), user_named(store, "county_officer"))
    county = as_user("county_officer")
    found = client.get(f"/api/allocations/{kept}", headers=county).json()
    methods = found["summary"]["methods"]
    assert methods["milp"]["people_lifted"] >= methods["cheapest_first"]["people_lifted"]
    page = client.get(f"/allocations/{kept}", headers=county)
    assert page.status_code == 200
    for row in ("method-milp", "method-cheapest_first", "method-poorest_first"):
        assert f'id="{row}"' in page.text
    assert "线性松弛上界" in page.text
    village = as_user("village_officer")
    assert client.get(f"/api/allocations/{kept}", headers=village).status_code == 403
