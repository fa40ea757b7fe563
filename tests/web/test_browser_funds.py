"""The funds pages in a real browser at 1400 and 400 px: the flow chart drawn, nothing
wider than the phone, Chinese throughout; a flag verified with a note from the inbox.
Screenshots in ``POVERTYCLOUD_SCREENSHOTS`` (a temporary folder when unset)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from tests.web import test_browser, test_browser_labels
from tests.web.test_browser_lists import WIDTHS, page_width
from tests.web.test_browser_reviews import SCREENSHOTS

from .conftest import Funds

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_the_funds_pages_fit_and_draw(browser: WebDriver, funds_server: str,
                                      funds_store: Funds, width: int, tmp_path: Path) -> None:
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 1800)
    test_browser.log_in(browser, funds_server, "county_officer")
    r = funds_store.regions
    pages = {"funds": f"/funds/regions/{r.county}", "fund-flags": "/funds/flags",
             "fund-batch": f"/funds/batches/{funds_store.batch}",
             "household-funds": f"/households/{funds_store.paid[0][0]}",
             "portal-funds": f"/portal/regions/{r.township}/funds"}
    for name, path in pages.items():
        browser.get(funds_server + path)
        if name == "funds":
            chart = browser.find_element(By.ID, "chart-flow")
            test_browser.wait(browser).until(
                lambda _, node=chart: node.get_attribute("data-ready") == "1")
            assert chart.find_elements(By.TAG_NAME, "canvas")
        if name == "household-funds":
            browser.execute_script(
                "document.getElementById('household-funds').scrollIntoView()")
        assert page_width(browser) <= width, name  # tables scroll inside their cards
        assert not test_browser_labels.raw(test_browser_labels.shown(browser, ".mono")), name
        assert browser.save_screenshot(str(folder / f"{name}-{width}.png"))


def test_a_fund_flag_verified_with_a_note(browser: WebDriver, funds_server: str,
                                          funds_store: Funds) -> None:
    test_browser.log_in(browser, funds_server, "county_officer")
    browser.get(f"{funds_server}/funds/flags")
    form = browser.find_element(By.ID, f"verify-{funds_store.flag}")
    Select(form.find_element(By.NAME, "outcome")).select_by_value("false_alarm")
    form.find_element(By.NAME, "note").send_keys("账户为户主本人所有")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: "账户为户主本人所有" in b.find_element(By.ID, "fund-flags").text)
    row = browser.find_element(By.ID, f"fund-evidence-{funds_store.flag}").find_element(
        By.XPATH, "..").text
    assert "不属实 (county_officer)" in row
