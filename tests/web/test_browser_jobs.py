"""The jobs page in a real browser at 1400 and 400 px: an administrator uploads a
department's batch and starts an identification; the list follows them by itself to
their end, each job's page shows its result, in Chinese without a raw code, and nothing
is wider than the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from tests.web import test_browser, test_browser_labels
from tests.web.test_browser_lists import WIDTHS, page_width
from tests.web.test_browser_reviews import SCREENSHOTS
from tests.web.test_jobs import slow_steps

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium
__all__ = ["slow_steps"]  # the fixture: each step of a job a moment longer


@pytest.mark.parametrize("width", WIDTHS)
def test_an_administrator_starts_jobs_and_follows_them(
        browser: WebDriver, live_server: str, regions: Any, width: int,
        tmp_path: Path, slow_steps: None) -> None:
    browser.set_window_size(width, 2000)
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    test_browser.log_in(browser, live_server, "admin")
    browser.get(f"{live_server}/admin/jobs")
    feed = tmp_path / "车辆.csv"
    feed.write_text("record_id,name,id_number,address,value_yuan,registered_on\n"
                    "81,张三,,某地,5000,2019-01-01\n82,李四,,某地,-5,2019-13-01\n",
                    encoding="utf-8")
    intake = browser.find_element(By.ID, "form-intake")
    Select(intake.find_element(By.NAME, "source")).select_by_value("transport_vehicles")
    intake.find_element(By.NAME, "file").send_keys(str(feed))
    intake.find_element(By.NAME, "keep_good").click()
    intake.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 60).until(  # the job's page, following it to its end
        lambda b: b.find_elements(By.ID, "result"))
    result = browser.find_element(By.ID, "result").text
    assert "接收" in result and "隔离" in result
    browser.get(f"{live_server}/admin/jobs")
    browser.find_element(By.CSS_SELECTOR, "#form-identify button").click()
    bar = WebDriverWait(browser, 60).until(  # the bar moves without reloading the page
        lambda b: b.find_element(By.CSS_SELECTOR, "#job progress"))
    WebDriverWait(browser, 60).until(lambda _: int(bar.get_attribute("value") or 0) >= 3)
    assert browser.save_screenshot(str(folder / f"job-running-{width}.png"))
    WebDriverWait(browser, 120).until(lambda b: b.find_elements(By.ID, "result"))
    assert "户数" in browser.find_element(By.ID, "result").text
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert browser.save_screenshot(str(folder / f"job-{width}.png"))
    browser.get(f"{live_server}/admin/jobs")
    states = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#jobs .state")]
    assert states == ["已完成", "已完成"]
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert page_width(browser) <= width
    assert browser.save_screenshot(str(folder / f"jobs-{width}.png"))
