"""The portal's products and needs in a real browser at 400 and 1400 px: the catalogue
with its photo, an order placed through the form, the needs board; nothing wider than the
phone, no code shown raw. Screenshots in ``POVERTYCLOUD_SCREENSHOTS``."""

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

from povertycloud.access.accounts import user_named
from povertycloud.assistance.needs import publish
from povertycloud.assistance.photos import read_photo
from povertycloud.assistance.products import Listing, list_product
from povertycloud.store import Store
from povertycloud.synth.photos import jpeg

from .conftest import Regions, copy_store, serve

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the fixture: headless Chromium


@pytest.fixture
def market_server(web_store: tuple[Path, Regions], tmp_path: Path) -> Iterator[str]:
    db = copy_store(web_store, tmp_path)
    r = web_store[1]
    with Store(db) as store:
        officer = user_named(store, "village_officer")
        content = jpeg(None, None, None, colour=(190, 160, 70), size=(320, 200))
        list_product(store, Listing(
            village=r.village, seller="云雾茶叶专业合作社", seller_kind="cooperative",
            name="高山云雾绿茶", category="tea", unit="盒", price_fen=8_800, available=50,
            households={r.household: 1.0}, season="3-5", certificates=("绿色食品",),
            description="海拔 1,200 米茶园，明前采摘"), officer,
            (content, read_photo(content, "tea.jpg")))
        publish(store, r.village, "tuition", "一名高中生的学费", "学费与住宿费一年", 300_000,
                officer, r.household)
    yield from serve(db)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_catalogue_and_the_needs_board(browser: WebDriver, width: int, tmp_path: Path,
                                           market_server: str) -> None:
    folder = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, 1400)
    browser.get(f"{market_server}/portal/products")
    product = browser.find_element(By.CSS_SELECTOR, "section.product")
    image = product.find_element(By.TAG_NAME, "img")
    test_browser.wait(browser).until(
        lambda b: b.execute_script("return arguments[0].naturalWidth", image) > 0)
    product.find_element(By.TAG_NAME, "summary").click()
    assert page_width(browser) <= width
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert browser.save_screenshot(str(folder / f"portal-products-{width}.png"))
    form = product.find_element(By.CSS_SELECTOR, "form.order")
    form.find_element(By.NAME, "buyer").send_keys("县第一中学食堂")
    form.find_element(By.NAME, "contact").send_keys("食堂采购科")
    quantity = form.find_element(By.NAME, "quantity")
    quantity.clear()
    quantity.send_keys("12")
    form.find_element(By.TAG_NAME, "button").click()
    placed = test_browser.wait(browser).until(lambda b: b.find_element(By.ID, "order-placed"))
    assert "订单已提交" in placed.text and "余 38 盒" in browser.page_source
    browser.get(f"{market_server}/portal/needs")
    assert "一名高中生的学费" in browser.find_element(By.CSS_SELECTOR, "section.need").text
    assert page_width(browser) <= width
    assert not test_browser_labels.raw(test_browser_labels.shown(browser))
    assert browser.save_screenshot(str(folder / f"portal-needs-{width}.png"))
