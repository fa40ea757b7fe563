"""The review queue in a real browser at 1400 and 400 px: a record's candidates side by
side on a screen and one below the other on a phone, each with its waterfall drawn, in
Chinese without a raw code, and nothing wider than the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from tests.web import test_browser, test_browser_labels
from tests.web.test_browser_lists import WIDTHS, page_width

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium
# where to keep the screenshots, to look at them (a temporary folder when unset)
SCREENSHOTS = "POVERTYCLOUD_SCREENSHOTS"


@pytest.mark.parametrize("width", WIDTHS)
def test_rivals_side_by_side_with_their_evidence(browser: WebDriver, live_server: str,
                                                 regions: Any, width: int,
                                                 tmp_path: Path) -> None:
    browser.set_window_size(width, 2400)  # all of it in the screenshot
    test_browser.log_in(browser, live_server, "village_officer")
    browser.get(f"{live_server}/reviews")
    head, rival = browser.find_elements(By.CSS_SELECTOR, "#reviews .candidate")
    assert str(regions.head) in head.get_attribute("id")
    if width > 800:
        assert head.location["y"] == rival.location["y"] < rival.location["x"]
    else:
        assert head.location["x"] == rival.location["x"]
        assert rival.location["y"] >= head.location["y"] + head.size["height"]
    for candidate in (head, rival):
        assert "是否同名不同人" in candidate.text and "另有概率相近的候选人" in candidate.text
        bars = candidate.find_elements(By.CSS_SELECTOR, ".waterfall .bars rect")
        assert len(bars) == 3 and all(b.size["width"] > 0 for b in bars)  # not the NULL
        waterfall = candidate.find_element(By.CSS_SELECTOR, ".waterfall")
        assert waterfall.size["width"] <= candidate.size["width"]  # no sideways scroll
        against = candidate.find_elements(By.CSS_SELECTOR, "tr.against")
        assert [row.get_attribute("title") for row in against] == [
            "Prior", "All other comparisons"]  # Splink's levels, on hovering
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert page_width(browser) <= width
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(folder / f"reviews-{width}.png"))
