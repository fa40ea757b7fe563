"""A region's plan for the year on its dashboard, beside what was done, and the measured
effects of help measures on the assessments page: through the API and the pages, only
within the jurisdiction; in a real browser at 1400 and 400 px (the screenshots in the
test's folder, for a look)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from tests.web import test_browser
from tests.web.conftest import Regions, serve
from tests.web.test_browser_lists import WIDTHS, page_width

from povertycloud.access.accounts import user_named
from povertycloud.assessment import effects
from povertycloud.assessment.targets import import_plans
from povertycloud.store import Store
from povertycloud.web.app import WebConfig, create_app

browser = test_browser.browser  # the fixture: headless Chromium


@pytest.fixture(scope="session")
def planned(web_store: tuple[Path, Regions], tmp_path_factory: pytest.TempPathFactory
            ) -> Path:
    """The web's province with a plan of its first county for 2020 and the effects kept."""
    db = tmp_path_factory.mktemp("planned") / "planned.duckdb"
    shutil.copy(web_store[0], db)
    county = web_store[1].county
    plans = db.parent / "plans.csv"
    plans.write_text("region_code,year,kind,households,villages,budget_yuan\n"
                     f"{county},2020,,60,1,800000\n{county},2020,industry,40,,300000\n"
                     f"{county},2020,employment,30,,100000\n", encoding="utf-8")
    with Store(db) as store:
        import_plans(store, plans, user_named(store, "county_officer"))
        effects.estimate(store, user_named(store, "province_officer"))
    return db


@pytest.fixture
def client(planned: Path, tmp_path: Path) -> Iterator[TestClient]:
    db = tmp_path / "store.duckdb"
    shutil.copy(planned, db)
    with TestClient(create_app(WebConfig(db=db))) as test_client:
        yield test_client


def test_the_plan_and_the_effects_through_the_api_and_pages(
        client: TestClient, as_user: Callable[[str], dict[str, str]],
        web_store: tuple[Path, Regions]) -> None:
    r = web_store[1]
    officer = as_user("county_officer")
    plan = client.get(f"/api/regions/{r.county}/plan", headers=officer).json()
    assert (plan["year"], plan["households"], plan["budget_fen"]) == (2020, 60, 80_000_000)
    assert {line["kind"] for line in plan["lines"]} == {"industry", "employment"}
    assert plan["households_lifted"] > 0 and plan["year_gone"] == 1
    same = client.get(f"/api/regions/{r.county}/plan?year=2020", headers=officer).json()
    assert same == plan
    missing = client.get(f"/api/regions/{r.county}/plan?year=2019", headers=officer)
    assert missing.status_code == 404 and "no plan for 2019" in missing.text
    assert client.get(f"/api/regions/{r.township}/plan", headers=officer).status_code == 404
    village = as_user("village_officer")  # the county is not theirs
    assert client.get(f"/api/regions/{r.county}/plan", headers=village).status_code == 403
    page = client.get(f"/dashboard/{r.county}", headers=officer).text
    assert 'id="region-plan"' in page and "年度减贫计划" in page and page.count("<progress") == 5
    assert "产业 · 受帮扶户数" in page
    found = client.get("/api/effects", headers=officer).json()
    assert found["effects"] and "parallel trends" in found["assumptions"][0]
    listed = client.get("/assessments", headers=officer).text
    assert 'id="measure-effects"' in listed and "次年增收" in listed and "条件平行趋势" in listed
    assert listed.count("<tr><td data-label") >= len(found["effects"])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_plan_and_the_effects_fit_in_a_browser(browser: WebDriver, planned: Path,
                                                   web_store: tuple[Path, Regions],
                                                   tmp_path: Path, width: int) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(planned, db)
    for url in serve(db):
        browser.set_window_size(width, 900)
        test_browser.log_in(browser, url, "county_officer")
        browser.get(f"{url}/dashboard/{web_store[1].county}")
        bars = browser.find_elements(By.CSS_SELECTOR, "#region-plan progress")
        assert len(bars) == 5 and all(b.size["width"] > 0 for b in bars)
        assert page_width(browser) <= width
        browser.find_element(By.ID, "region-plan").screenshot(
            str(tmp_path / f"plan-{width}.png"))
        browser.get(f"{url}/assessments")
        rows = browser.find_elements(By.CSS_SELECTOR, "#measure-effects tr")
        assert len(rows) > 2 and page_width(browser) <= width
        browser.find_element(By.ID, "measure-effects").screenshot(
            str(tmp_path / f"effects-{width}.png"))
