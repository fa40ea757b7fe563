"""The pages in a real browser: headless Chromium (Debian's chromium and chromedriver)
driven by Selenium against a real server. Login, drill-down, a household file, and a
complaint from the portal through to its answer."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "correct horse battery"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.implicitly_wait(10)
    yield driver
    driver.quit()


def wait(browser: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(browser, 15)


def replaced(element: WebElement) -> Callable[[WebDriver], bool]:
    """Whether the page that held ``element`` was replaced: it is stale, or Chromium
    no longer finds its node in the document (what it says when asked mid-navigation,
    instead of calling it stale)."""
    def gone(_: WebDriver) -> bool:
        try:
            return bool(ready.staleness_of(element)(_))
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
    return gone


def log_in(browser: WebDriver, url: str, username: str) -> None:
    browser.get(f"{url}/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()
    wait(browser).until(ready.presence_of_element_located((By.ID, "logout")))


def test_login_drill_down_and_map(browser: WebDriver, live_server: str, regions: Any) -> None:
    log_in(browser, live_server, "county_officer")
    assert browser.current_url.endswith(f"/dashboard/{regions.county}")
    people = browser.find_element(By.ID, "tile-people").text
    assert people.replace(",", "").isdigit()
    map_node = browser.find_element(By.ID, "chart-map")
    wait(browser).until(lambda _: map_node.get_attribute("data-ready") == "1")
    assert map_node.find_elements(By.TAG_NAME, "canvas")  # ECharts drew the map
    # drill down: county -> township -> village, by the table of regions below
    for code in (regions.township, regions.village):
        browser.find_element(By.CSS_SELECTOR, f"#children a[href='/dashboard/{code}']").click()
        wait(browser).until(ready.url_contains(code))
    crumbs = browser.find_element(By.ID, "crumbs").text
    assert crumbs.count("›") == 2
    # the table of regions below filters as one types (village level has no table)
    browser.back()
    rows = browser.find_elements(By.CSS_SELECTOR, "#children tbody tr")
    first = rows[0].find_element(By.TAG_NAME, "a").text
    browser.find_element(By.ID, "filter").send_keys(first)
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#children tbody tr")
               if r.is_displayed()]
    assert 1 <= len(visible) < len(rows)


def test_outside_the_jurisdiction_is_refused(browser: WebDriver, live_server: str,
                                            regions: Any) -> None:
    log_in(browser, live_server, "village_officer")
    browser.get(f"{live_server}/dashboard/{regions.county}")
    assert "outside your jurisdiction" in browser.find_element(By.ID, "message").text


def test_household_file_found_by_search_then_unmasked(browser: WebDriver, live_server: str,
                                                     regions: Any) -> None:
    log_in(browser, live_server, "field_officer")
    browser.get(f"{live_server}/search")
    browser.find_element(By.ID, "q").send_keys(str(regions.household))
    browser.find_element(By.ID, "search-button").click()
    browser.find_element(By.CSS_SELECTOR, f"#results a[href='/households/{regions.household}']"
                         ).click()
    cell = browser.find_element(By.CSS_SELECTOR, "#members td.mono")
    masked = cell.text
    assert "********" in masked
    assert browser.find_element(By.ID, "masked").is_displayed()
    browser.find_element(By.ID, "unmask").click()
    wait(browser).until(replaced(cell))  # the page was replaced
    full = browser.find_element(By.CSS_SELECTOR, "#members td.mono").text
    assert "*" not in full and full[-4:] == masked[-4:]
    assert browser.find_element(By.ID, "score").text.isdigit()
    assert browser.find_elements(By.CSS_SELECTOR, "#breakdown tr.set")


def test_a_complaint_from_the_portal_to_its_answer(browser: WebDriver, live_server: str,
                                                  regions: Any) -> None:
    browser.get(f"{live_server}/portal/regions/{regions.village}")
    assert browser.find_element(By.ID, "suppressed").is_displayed()
    browser.find_element(By.ID, "complain").click()
    Select(browser.find_element(By.ID, "category")).select_by_value("assistance")
    browser.find_element(By.ID, "subject").send_keys("帮扶没有落实")
    browser.find_element(By.ID, "body").send_keys("去年承诺的产业补助还没有发放")
    browser.find_element(By.ID, "complaint-submit").click()
    code = browser.find_element(By.ID, "tracking-code").text
    assert code.startswith("TS-")
    # the village officer answers it
    log_in(browser, live_server, "village_officer")
    browser.get(f"{live_server}/complaints")
    browser.find_element(By.LINK_TEXT, code).click()
    browser.find_element(By.ID, "answer-text").send_keys("已核实,本月发放")
    browser.find_element(By.ID, "answer-submit").click()
    assert browser.find_element(By.ID, "answer").text == "已核实,本月发放"
    browser.find_element(By.ID, "logout").click()
    wait(browser).until(ready.presence_of_element_located((By.ID, "login-form")))
    # the public follows it with the code
    browser.get(f"{live_server}/portal/track")
    browser.find_element(By.ID, "code").send_keys(code)
    browser.find_element(By.ID, "track-submit").click()
    assert browser.find_element(By.ID, "public-answer").text == "已核实,本月发放"


def test_language_switch_and_logout(browser: WebDriver, live_server: str) -> None:
    log_in(browser, live_server, "assessor")
    assert browser.find_element(By.ID, "logout").text == "退出"
    browser.find_element(By.ID, "lang").click()
    wait(browser).until(ready.text_to_be_present_in_element((By.ID, "logout"), "Log out"))
    browser.find_element(By.ID, "logout").click()
    wait(browser).until(ready.presence_of_element_located((By.ID, "login-form")))
    browser.back()  # the old page's session is gone: back to the login form
    browser.refresh()
    assert browser.find_elements(By.ID, "login-form")


def test_a_step_taken_from_the_inbox(browser: WebDriver, live_server: str,
                                     regions: Any) -> None:
    log_in(browser, live_server, "village_officer")
    browser.get(f"{live_server}/inbox")
    browser.find_element(By.CSS_SELECTOR, f"#inbox a[href='/proposals/{regions.proposal}']"
                         ).click()
    form = browser.find_element(By.ID, "step-form")
    assert form.find_element(By.NAME, "step").get_attribute("value") == "consent"
    browser.find_element(By.ID, "note").send_keys("农户签字同意")
    browser.find_element(By.ID, "take-step").click()
    wait(browser).until(replaced(form))
    consent = browser.find_element(By.CSS_SELECTOR, "#procedure tr[data-step='consent']")
    assert "village_officer" in consent.text and "农户签字同意" in consent.text
    assert browser.find_element(By.CSS_SELECTOR, "#step-form input[name='step']"
                                ).get_attribute("value") == "appraisal"


def test_the_api_documentation_renders_from_the_package(browser: WebDriver,
                                                        live_server: str) -> None:
    """/docs draws Swagger UI from vendored files under the platform's CSP (FastAPI's own
    page loaded them from a CDN, which the CSP blocked: the page was blank)."""
    browser.get(f"{live_server}/docs")
    title = wait(browser).until(ready.presence_of_element_located(
        (By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert "povertycloud" in title.text
    assert browser.find_elements(By.CSS_SELECTOR, ".opblock")  # the operations, listed
    sources = [e.get_attribute("src") or e.get_attribute("href") or "" for e in
               browser.find_elements(By.CSS_SELECTOR, "script[src], link[href]")]
    assert sources and all(s.startswith(live_server) for s in sources)


def test_pages_fit_a_phone(browser: WebDriver, live_server: str, regions: Any) -> None:
    """At 400 px the navigation folds behind its button (it broke one character per
    line) and no page is wider than the screen: cards fit, tables scroll in place."""
    browser.set_window_size(400, 900)
    log_in(browser, live_server, "county_officer")
    nav = browser.find_element(By.ID, "nav")
    assert not nav.is_displayed()
    browser.find_element(By.ID, "menu").click()
    assert nav.is_displayed()
    links = nav.find_elements(By.TAG_NAME, "a")
    assert len({link.location["y"] for link in links}) == len(links)  # one per line
    assert all(link.size["height"] < 40 for link in links)  # each on one line
    for page in (f"/dashboard/{regions.county}", "/monitoring", "/search?q=a", "/inbox",
                 "/regions/status", "/complaints", "/portal"):
        browser.get(f"{live_server}{page}")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{page} is {width} px wide"


def test_the_map_colours_follow_the_data(browser: WebDriver, live_server: str,
                                         regions: Any) -> None:
    """The colour scale spans the regions' own incidences (it ran from 0 to the highest,
    so 5.4%, 6.9% and 7.7% looked the same), names its unit and labels the regions; a
    village, with nothing below it, says so."""
    log_in(browser, live_server, "county_officer")
    node = browser.find_element(By.ID, "chart-map")
    wait(browser).until(lambda _: node.get_attribute("data-ready") == "1")
    option = browser.execute_script(
        "const o = echarts.getInstanceByDom(arguments[0]).getOption();"
        "return {min: o.visualMap[0].min, max: o.visualMap[0].max, title: o.title[0].text,"
        " label: o.series[0].label.show,"
        " values: o.series[0].data.map(d => d.value).filter(v => v !== null)};", node)
    assert option["min"] == min(option["values"]) > 0
    assert option["max"] == max(option["values"])
    assert option["title"].endswith("(%)") and option["label"]
    # beside it, next year's expected falls (the warning scores summed per region)
    ahead = browser.find_element(By.ID, "chart-forecast")
    wait(browser).until(lambda _: ahead.get_attribute("data-ready") == "1")
    rates = browser.execute_script(
        "return echarts.getInstanceByDom(arguments[0]).getOption().series[0].data"
        ".map(d => [d.value, d.properties.expected_falls, d.properties.falls_high]);", ahead)
    assert rates and all(0 < rate < 100 and 0 < falls <= high for rate, falls, high in rates)
    browser.get(f"{live_server}/dashboard/{regions.village}")
    empty = browser.find_element(By.ID, "chart-map")
    wait(browser).until(lambda _: "empty" in (empty.get_attribute("class") or ""))
    assert empty.text not in ("", "—")


def test_a_complaint_picks_its_region_by_name(browser: WebDriver, live_server: str,
                                              regions: Any) -> None:
    """Without a region page to come from, the citizen picks the region by its name,
    level by level (it was a free-text 12-digit code)."""
    browser.get(f"{live_server}/portal/complaint")
    assert not browser.find_element(By.ID, "region_code").is_displayed()
    path = (regions.prefecture, regions.county, regions.township, regions.village)
    for depth, code in enumerate(path):
        level = wait(browser).until(ready.presence_of_element_located(
            (By.ID, f"region-level-{depth}")))
        wait(browser).until(lambda _, s=level, c=code: s.find_elements(
            By.CSS_SELECTOR, f"option[value='{c}']"))
        choice = Select(level)
        assert all(o.text and not o.text.isdigit() for o in choice.options)  # names
        choice.select_by_value(code)
    browser.find_element(By.ID, "subject").send_keys("低保评定不公")
    browser.find_element(By.ID, "body").send_keys("请核查")
    browser.find_element(By.ID, "complaint-submit").click()
    code = browser.find_element(By.ID, "tracking-code").text
    log_in(browser, live_server, "village_officer")  # the village's own officer has it
    browser.get(f"{live_server}/complaints")
    assert browser.find_elements(By.LINK_TEXT, code)


def test_verifying_a_flag_comes_back_to_the_flags(browser: WebDriver, live_server: str
                                                  ) -> None:
    """After verifying a flag the officer is back on the list of flags (the issue saw a
    redirect to /users and a 403)."""
    log_in(browser, live_server, "field_officer")
    browser.get(f"{live_server}/flags")
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/verify']")
    flag = form.get_attribute("action").split("/")[-2]
    Select(form.find_element(By.NAME, "outcome")).select_by_value("false_alarm")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(ready.url_matches(r"/flags$"))
    assert not browser.find_elements(By.ID, "message")  # no error page
    assert not browser.find_elements(By.CSS_SELECTOR, f"form[action='/flags/{flag}/verify']")
