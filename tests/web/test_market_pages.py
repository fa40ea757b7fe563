"""The portal's products and needs through the application, on both stores: the
catalogue with its photo, an order (and one beyond what is left, refused), the needs
board without the household, a pledge through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.web.conftest import Regions

from povertycloud.access.accounts import user_named
from povertycloud.assistance.needs import publish
from povertycloud.assistance.photos import read_photo
from povertycloud.assistance.products import Listing, list_product
from povertycloud.store import Store
from povertycloud.synth.photos import jpeg


def test_a_buyer_orders_from_the_catalogue(client: TestClient, regions: Regions) -> None:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    content = jpeg(None, None, None, colour=(200, 180, 60))
    product = list_product(store, Listing(
        village=regions.village, seller="王家", seller_kind="household", name="土蜂蜜",
        category="honey", unit="kg", price_fen=12_000, available=10,
        households={regions.household: 1.0}, season="6-9"),
        user_named(store, "village_officer"), (content, read_photo(content, "honey.jpg")))
    [shown] = client.get("/api/public/products", params={"region": regions.county[:6]}).json()
    assert shown["name"] == "土蜂蜜" and "household_id" not in shown
    page = client.get("/portal/products")
    assert page.status_code == 200 and "土蜂蜜" in page.text and "120.00" in page.text
    assert client.get(f"/portal/products/{product}/photo").content == content
    body = {"buyer": "县一中食堂", "buyer_kind": "canteen", "quantity": 4, "contact": "采购科"}
    assert client.post(f"/api/public/products/{product}/orders", json=body).status_code == 200
    refused = client.post(f"/api/public/products/{product}/orders",
                          json={**body, "quantity": 7})
    assert refused.status_code == 409 and "only 6 kg of 土蜂蜜 available" in refused.text
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post(f"/portal/products/{product}/order", data={
        "buyer": "个人", "buyer_kind": "individual", "quantity": "1", "contact": "x",
        "form_token": token[1]}, follow_redirects=False)
    assert done.status_code == 303 and "ordered=" in done.headers["location"]
    assert store.scalar("SELECT sum(quantity) FROM orders") == 5


def test_a_helper_pledges_on_the_needs_board(client: TestClient, regions: Regions) -> None:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    need = publish(store, regions.village, "equipment", "轮椅一台", "一位行动不便的老人需要轮椅",
                   80_000, user_named(store, "village_officer"), regions.household)
    page = client.get("/portal/needs")
    assert "轮椅一台" in page.text and str(regions.household) not in page.text
    [shown] = client.get("/api/public/needs").json()
    assert shown["need_id"] == need and "household_id" not in shown
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post(f"/portal/needs/{need}/pledge", data={
        "name": "某医疗器械公司", "kind": "company", "contact": "公益部", "what": "轮椅",
        "value_yuan": "800", "form_token": token[1]}, follow_redirects=False)
    assert done.status_code == 303 and "pledged=" in done.headers["location"]
    assert store.value("SELECT status FROM needs WHERE need_id = ?", [need]) == "pledged"
    again = client.post(f"/api/public/needs/{need}/pledges", json={
        "name": "某基金会", "kind": "ngo", "contact": "项目部", "what": "轮椅",
        "value_fen": 80_000})
    assert again.status_code == 200
    assert client.post("/api/public/needs/999/pledges", json={
        "name": "x", "kind": "ngo", "contact": "y", "what": "z",
        "value_fen": 1}).status_code == 404
