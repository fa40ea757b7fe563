"""Sales and help from society on both stores: a cooperative's product listed with the
households behind it, ordered (never beyond what is left, one of two orders at once for
the last units), delivered, its income attributed by share; exported for a platform. A
need published without private details, pledged, confirmed; met twice and never delivered
flagged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.at_once import DONE, at_once
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assistance.exports import load_platforms, platform_export
from povertycloud.assistance.needs import (
    NeedError,
    board,
    confirm,
    household_help,
    need_flags,
    pledge,
    private_in,
    publish,
    register_helper,
)
from povertycloud.assistance.products import (
    Listing,
    ProductError,
    cancel,
    catalogue,
    deliver,
    list_product,
    order,
    sales_incomes,
)
from povertycloud.errors import NotFound
from povertycloud.store import Store


def _households(store: Store, village: str, n: int) -> list[int]:
    return [int(h) for h in store.column(
        "SELECT household_id FROM households WHERE village_code = ? AND registration_status "
        "IN ('registered_poor', 'monitored') ORDER BY 1 LIMIT ?", [village, n])]


def _tea(p: Province, households: list[int], available: int = 100) -> Listing:
    return Listing(village=p.village, seller="云雾茶叶专业合作社", seller_kind="cooperative",
                   name="高山云雾绿茶", category="tea", unit="box", price_fen=8_800,
                   available=available, households={households[0]: 0.75, households[1]: 0.25},
                   season="3-5", certificates=("绿色食品", "地理标志"),
                   description="海拔 1,200 米茶园，明前采摘")


def test_a_product_is_sold_and_its_income_attributed(funds_db: Path | str,
                                                     funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        officer = user_named(store, "village_officer")
        households = _households(store, p.village, 2)
        product = list_product(store, _tea(p, households), officer)
        first = order(store, product, "县第一中学食堂", "canteen", 40, "食堂采购科")
        with pytest.raises(ProductError, match="only 60 box of 高山云雾绿茶 available; 70"):
            order(store, product, "某公司", "company", 70)
        second = order(store, product, "某公司", "company", 60)
        assert catalogue(store, p.village) == []  # sold out
        cancel(store, second, officer)
        [listed] = catalogue(store, p.village)
        assert listed["available"] == 60 and listed["village_name"]
        deliver(store, first, officer, dt.date(2026, 5, 10))
        with pytest.raises(ProductError, match="is delivered already"):
            deliver(store, first, officer, dt.date(2026, 5, 11))
        incomes = {r["household_id"]: r["income_fen"] for r in sales_incomes(
            store, p.village, 2026)}
        assert incomes == {households[0]: 264_000, households[1]: 88_000}  # 40 × 88 yuan
        assert sales_incomes(store, p.village, 2025) == []
        table = platform_export(store, p.village, load_platforms()["832"])
        assert table.column_names[:3] == ["商品名称", "商品分类", "计量单位"]
        assert table.column("销售价格（元）").to_pylist() == ["88.00"]
        assert table.column("认证信息").to_pylist() == ["绿色食品、地理标志"]
        with pytest.raises(NotFound, match="unknown platform 'ebay'"):
            load_platforms()["ebay"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"households": {}}, "each share above zero, summing to 1"),
    ({"category": "gold"}, "the category must be one of"),
    ({"season": "spring"}, "the season is the months it is sold"),
    ({"price_fen": 0}, "the price must be above zero"),
    ({"seller_kind": "household"}, "a household's product has that one household"),
])
def test_a_wrong_listing_is_refused(funds_db: Path | str, funds_province: Province,
                                    changes: dict[str, object], message: str) -> None:
    p = funds_province
    with Store(funds_db) as store:
        listing = _tea(p, _households(store, p.village, 2))
        with pytest.raises(ProductError, match=message):
            list_product(store, Listing(**{**listing.__dict__, **changes}),  # type: ignore[arg-type]
                         user_named(store, "village_officer"))


def test_of_two_orders_for_the_last_units_one_gets_them(funds_db: Path | str,
                                                        funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        product = list_product(store, _tea(p, _households(store, p.village, 2), 5),
                               user_named(store, "village_officer"))
        results = at_once(store, lambda cursor, name: order(cursor, product, name, "company", 5),
                          ("甲公司", "乙公司"), ProductError)
        assert results.count(DONE) == 1, results
        assert store.scalar("SELECT available FROM products WHERE product_id = ?",
                            [product]) == 0
        assert store.scalar("SELECT sum(quantity) FROM orders") == 5


def test_a_need_is_published_pledged_and_confirmed(funds_db: Path | str,
                                                   funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        officer = user_named(store, "village_officer")
        household = _households(store, p.village, 1)[0]
        need = publish(store, p.village, "tuition", "一名高二学生的学费", "学费与住宿费一年",
                       3_000_00, officer, household)
        company, ngo = register_helper(store, "company", "某建设集团", "公益部 0851-0000000"), \
            register_helper(store, "ngo", "某基金会", "项目部")
        first = pledge(store, need, company, 3_000_00, "一年学费")
        [shown] = board(store, p.village, "pledged")
        assert shown["pledged_fen"] == 3_000_00 and "household_id" not in shown
        second = pledge(store, need, ngo, 3_000_00, "一年学费")
        confirm(store, first, officer, dt.date(2026, 9, 1), "收据照片 sha256:ab12")
        with pytest.raises(NotFound, match="no open need"):
            pledge(store, need, ngo, 100, "书包")
        store.execute("UPDATE needs SET status = 'pledged' WHERE need_id = ?", [need])
        confirm(store, second, officer, dt.date(2026, 9, 3), "收据")
        [flag] = need_flags(store, p.village, dt.date(2026, 9, 30))
        assert flag["flag"] == "met_twice" and "2 deliveries from 2 helpers" in flag["reason"]
        assert [h["helper"] for h in household_help(store, household)] == ["某建设集团",
                                                                           "某基金会"]
        third = publish(store, p.village, "seedlings", "村集体果园需要苗木", "核桃苗 500 株",
                        2_500_00, officer)
        pledge(store, third, company, 2_500_00, "核桃苗", dt.datetime(2026, 3, 1))
        late = [f for f in need_flags(store, p.village, dt.date(2026, 6, 1))
                if f["flag"] == "not_delivered"]
        assert late and "pledged on 2026-03-01 by 某建设集团" in late[0]["reason"]
        with pytest.raises(NeedError, match="with its evidence"):
            confirm(store, int(late[0]["pledge_id"]), officer, dt.date(2026, 6, 2), " ")


@pytest.mark.parametrize(("text", "found"), [
    ("为 520121199001011234 购买轮椅", "an ID number"),
    ("联系 13812345678", "a phone number"),
    ("打款至 6228480012345678901", "a long number"),
    ("患尿毒症需要透析", "health details"),
    ("一台轮椅", None),
])
def test_private_details_are_kept_out_of_a_published_need(text: str, found: str | None
                                                          ) -> None:
    said = private_in(text)
    assert (said is None) if found is None else (said is not None and found in said)
