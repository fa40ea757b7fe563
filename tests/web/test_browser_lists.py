"""Long lists in a real browser at 1400 and 400 px: a page at a time, and columns that
keep their values on one line whatever the length of a subject or a reason (a long
complaint subject squeezed the other columns to a character a line)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from tests.web import test_browser

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium
WIDTHS = (1400, 400)
# the lines each cell's text takes (the distinct tops of its text's boxes)
LINES = """return Array.from(document.querySelectorAll(arguments[0])).map(cell => {
  const range = document.createRange(); range.selectNodeContents(cell);
  return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; });"""


def page_width(browser: WebDriver) -> int:
    width: int = browser.execute_script("return document.documentElement.scrollWidth")
    return width


def complain(url: str, region: str, subject: str) -> None:
    request = urllib.request.Request(
        f"{url}/api/public/complaints", method="POST",
        data=json.dumps({"region_code": region, "category": "other", "subject": subject,
                         "body": "请核查"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 201


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_subject_leaves_the_other_columns_on_one_line(
        browser: WebDriver, live_server: str, regions: Any, width: int) -> None:
    complain(live_server, regions.village, "低保评定不公" * 33)  # 198 characters
    browser.set_window_size(width, 900)
    test_browser.log_in(browser, live_server, "village_officer")
    browser.get(f"{live_server}/complaints")
    row = "#inbox tbody tr:first-child"
    lines = browser.execute_script(LINES, f"{row} td")
    subject = browser.find_element(By.CSS_SELECTOR, f"{row} td:nth-child(4)")
    assert lines[3] > 1 and "低保评定不公" in subject.text  # the subject wraps...
    assert lines[:3] + lines[4:] == [1] * 5, lines  # ...and nothing else does
    table = browser.find_element(By.ID, "inbox")
    assert 200 <= subject.size["width"] <= max(0.6 * table.size["width"], 260)
    assert page_width(browser) <= width  # on a phone the table scrolls in its place


@pytest.mark.parametrize("width", WIDTHS)
def test_region_statuses_keep_short_values_on_one_line(
        browser: WebDriver, live_server: str, width: int) -> None:
    browser.set_window_size(width, 900)
    test_browser.log_in(browser, live_server, "county_officer")
    browser.get(f"{live_server}/regions/status")
    short = ", ".join(f"#regions tbody td:nth-child({n})" for n in (1, 2, 3, 4, 6))
    lines = browser.execute_script(LINES, short)
    assert lines and max(lines) == 1, lines  # names, levels, statuses, dates
    assert page_width(browser) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_monitoring_list_comes_a_page_at_a_time(
        browser: WebDriver, live_server: str, width: int) -> None:
    """The whole list on one page made it 9,700 px tall on the demo."""
    browser.set_window_size(width, 900)
    test_browser.log_in(browser, live_server, "province_officer")
    browser.get(f"{live_server}/monitoring")
    rows = browser.find_elements(By.CSS_SELECTOR, "#monitoring tbody tr")
    assert len(rows) == 50
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < 50 * 60 + 800, height
    first = rows[0].text
    browser.find_element(By.ID, "page-next").click()
    test_browser.wait(browser).until(lambda b: "page=2" in b.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "#monitoring tbody tr").text != first
    assert page_width(browser) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_villages_households_listed_sorted_filtered_and_paged(
        browser: WebDriver, live_server: str, regions: Any, width: int) -> None:
    browser.set_window_size(width, 900)
    test_browser.log_in(browser, live_server, "township_officer")
    browser.get(f"{live_server}/dashboard/{regions.township}")
    browser.find_element(By.ID, "household-list").click()
    test_browser.wait(browser).until(lambda b: "/households" in b.current_url)
    assert "page-next" in browser.page_source
    for order in ("asc", "desc"):  # again: the largest first
        browser.find_element(By.ID, "sort-members").click()
        test_browser.wait(browser).until(lambda b, o=order: f"order={o}" in b.current_url)
    members = [int(c.text) for c in browser.find_elements(
        By.CSS_SELECTOR, "#households tbody td:nth-child(4)")]
    assert members == sorted(members, reverse=True) and len(members) == 50
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("registered_poor")
    browser.find_element(By.ID, "filter-apply").click()
    test_browser.wait(browser).until(lambda b: "status=registered_poor" in b.current_url)
    assert "sort=members" in browser.current_url  # the order kept
    lines = browser.execute_script(LINES, "#households tbody td")
    assert lines and max(lines) == 1
    assert page_width(browser) <= width
