"""The pages in Chinese in a real browser show no raw code (out_of_poverty,
industry_support, head...) and no label in two languages at once: the household file
(masked and unmasked), a proposal, the dashboards, the region status and the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from tests.web import test_browser
from tests.web.conftest import USERS
from tests.web.test_catalogue import codes_shown

from povertycloud.web import i18n

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium
log_in = test_browser.log_in
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
WORD = re.compile(r"[A-Za-z_]+")
# codes that are words of no code list's own: the lists' bare codes of three letters or more
CODES = {code for _, code, _ in codes_shown() if WORD.fullmatch(code) and len(code) > 2}
ENGLISH_STEPS = {english for key, (_, english) in i18n.MESSAGES.items()
                 if key.startswith(("step.", "procedure."))}


def shown(browser: WebDriver, left_out: str | None = None) -> str:
    """The visible text of the page without the users' names (and ``left_out`` cells:
    free text as written)."""
    text = browser.find_element(By.TAG_NAME, "body").text
    if left_out:
        for cell in browser.find_elements(By.CSS_SELECTOR, left_out):
            text = text.replace(cell.text, " ") if cell.text else text
    for username in USERS:
        text = text.replace(username, " ")
    return text


def raw(text: str) -> list[str]:
    """What in ``text`` is a code or an English step label."""
    found = SNAKE.findall(text) + [w for w in WORD.findall(text) if w in CODES]
    return found + [label for label in ENGLISH_STEPS if label in text]


def test_pages_in_chinese_show_no_codes(browser: WebDriver, live_server: str,
                                        regions: Any) -> None:
    log_in(browser, live_server, "county_officer")
    pages = {"proposal": f"/proposals/{regions.on_notice}",
             "waiting proposal": f"/proposals/{regions.proposal}",
             "county": f"/dashboard/{regions.county}",
             "village": f"/dashboard/{regions.village}", "region status": "/regions/status"}
    browser.get(f"{live_server}{pages['proposal']}")
    household = browser.find_element(By.CSS_SELECTOR, "dd a[href^='/households/']")
    household.click()
    assert "timeline" in browser.page_source and not raw(shown(browser)), "household file"
    browser.find_element(By.ID, "unmask").click()
    assert browser.find_elements(By.ID, "measures")
    assert not raw(shown(browser)), "household file unmasked"
    for name, path in pages.items():
        browser.get(f"{live_server}{path}")
        assert not raw(shown(browser)), name
    log_in(browser, live_server, "auditor")
    browser.get(f"{live_server}/audit")
    assert browser.find_elements(By.CSS_SELECTOR, "#audit tr td")
    assert not raw(shown(browser, "#audit td:nth-child(7)")), "audit log"


def test_the_check_catches_what_the_pages_showed() -> None:
    """As on main: a band, a measure, a relation, a step label in two languages."""
    for text in ("评分 83 · out_of_poverty", "帮扶措施: industry_support", "高某 head 1978",
                 "乡镇审核 Township review"):
        assert raw(text), text
    assert not raw("评分 83 · 非贫困档 · 帮扶措施: 产业扶持 · 户主 · 乡镇审核 · 12,025 元")
