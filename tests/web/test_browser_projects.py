"""Projects and an allocation in a real browser at 400 and 1400 px: the projects drawn on
the map of the jurisdiction, a project's page with its photos (the misplaced one flagged),
the allocation's methods side by side; nothing wider than the phone. Screenshots in
``POVERTYCLOUD_SCREENSHOTS`` (a temporary folder when unset)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from tests.web import test_browser, test_browser_labels
from tests.web.test_browser_lists import WIDTHS, page_width
from tests.web.test_browser_reviews import SCREENSHOTS
from tests.web.test_projects_pages import _project

from povertycloud.access.accounts import user_named
from povertycloud.assistance.allocation import allocate, allocation_problem, save
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.store import Store

from .conftest import Regions, copy_store, serve

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium


@pytest.fixture
def projects_server(web_store: tuple[Path, Regions], tmp_path: Path
                    ) -> Iterator[tuple[str, int, int]]:
    """A server with a village project (two photo reports) and a kept allocation."""
    db = copy_store(web_store, tmp_path)
    regions = web_store[1]
    with Store(db) as store:
        project, _, _ = _project(store, regions)
        problem = allocation_problem(store, load_catalogue(), regions.county, 2026,
                                     200_000_00)
        kept = save(store, allocate(problem, time_limit=20),
                    user_named(store, "county_officer"))
    for url in serve(db):
        yield url, project, kept


@pytest.mark.parametrize("width", WIDTHS)
def test_projects_and_an_allocation_fit_and_draw(
        browser: WebDriver, width: int, tmp_path: Path,
        projects_server: tuple[str, int, int]) -> None:
    url, project, kept = projects_server
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 1600)
    test_browser.log_in(browser, url, "county_officer")
    for name, path in (("projects", "/projects?year=2026"), ("project", f"/projects/{project}"),
                       ("allocation", f"/allocations/{kept}")):
        browser.get(url + path)
        if name == "projects":
            chart = browser.find_element(By.ID, "chart-projects")
            test_browser.wait(browser).until(
                lambda _, node=chart: node.get_attribute("data-ready") == "1")
        if name == "project":
            images = browser.find_elements(By.CSS_SELECTOR, "#reports img")
            test_browser.wait(browser).until(
                lambda b, shown=images: all(
                    b.execute_script("return arguments[0].naturalWidth", i) > 0
                    for i in shown))
            assert len(images) == 2
            assert browser.find_elements(By.CSS_SELECTOR, "figure.flagged")
        assert page_width(browser) <= width, name
        assert not test_browser_labels.raw(test_browser_labels.shown(browser)), name
        assert browser.save_screenshot(str(folder / f"{name}-{width}.png"))
