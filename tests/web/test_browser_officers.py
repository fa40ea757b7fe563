"""A cadre's work list on a phone in a real browser, at 400 and 1400 px: the phone's
position (Chromium told where it is) fills the visit form, the visit is logged; the KPI
board of the county fits as well. Screenshots in ``POVERTYCLOUD_SCREENSHOTS`` (a temporary
folder when unset)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from shapely.geometry import shape
from tests.web import test_browser, test_browser_labels
from tests.web.test_browser_lists import WIDTHS, page_width
from tests.web.test_browser_reviews import SCREENSHOTS

from povertycloud.access.accounts import user_named
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.assistance.officers import pair
from povertycloud.assistance.plans import propose
from povertycloud.store import Store

from .conftest import Regions, copy_store, serve

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium


@pytest.fixture
def officers_server(web_store: tuple[Path, Regions], tmp_path: Path
                    ) -> Iterator[tuple[str, tuple[float, float]]]:
    """A server whose field officer helps two households of the village; and a point
    inside the village (lat, lon)."""
    db = copy_store(web_store, tmp_path)
    village = web_store[1].village
    with Store(db) as store:
        mine = [int(h) for h in store.column(
            "SELECT household_id FROM households WHERE village_code = ? ORDER BY 1 LIMIT 2",
            [village])]
        store.execute("UPDATE households SET registration_status = 'registered_poor' WHERE "
                      "list_contains(?, household_id)", [mine])
        propose(store, load_catalogue(), 2026, dt.date(2026, 3, 1), village)
        pair(store, load_officer_rules(), "field_officer", mine,
             dt.date.today() - dt.timedelta(days=10), user_named(store, "village_officer"))
        point = shape(json.loads(str(store.value(
            "SELECT boundary FROM regions WHERE code = ?", [village])))).representative_point()
    for url in serve(db):
        yield url, (point.y, point.x)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visit_is_logged_from_the_phone(browser: WebDriver, width: int, tmp_path: Path,
                                          officers_server: tuple[str, tuple[float, float]]
                                          ) -> None:
    url, (lat, lon) = officers_server
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 1600)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": url,
                                                          "permissions": ["geolocation"]})
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride",
                            {"latitude": lat, "longitude": lon, "accuracy": 10})
    test_browser.log_in(browser, url, "field_officer")
    browser.get(f"{url}/officers/me")
    form = browser.find_elements(By.CSS_SELECTOR, "form.visit")[0]
    status = form.find_element(By.CSS_SELECTOR, ".position")
    test_browser.wait(browser).until(lambda _: "已定位" in status.text)
    assert page_width(browser) <= width
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert browser.save_screenshot(str(folder / f"officer-work-{width}.png"))
    form.find_element(By.NAME, "done").send_keys("查看了猪圈和饲料")
    form.find_element(By.NAME, "next_step").send_keys("周五请兽医")
    form.find_element(By.TAG_NAME, "button").click()
    logged = test_browser.wait(browser).until(
        lambda b: b.find_element(By.ID, "visit-logged"))
    assert "已登记走访" in logged.text and "标记" not in logged.text
    browser.delete_all_cookies()  # out, to come back as the county's officer
    test_browser.log_in(browser, url, "county_officer")
    browser.get(f"{url}/officers/kpis")
    assert "field_officer" in browser.find_element(By.ID, "cadre-kpis").text
    assert page_width(browser) <= width
    assert browser.save_screenshot(str(folder / f"officer-kpis-{width}.png"))
