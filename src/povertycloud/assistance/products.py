"""Sales of poor households' products (电商扶贫, 消费扶贫): products listed by the village
or county office for a household or a cooperative (with the households behind it and
their shares), a public catalogue, orders that take from what is available (never more),
deliveries, and the income each delivered order brings, attributed to the households by
share, for the next survey and the assessment of income growth."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..standard.regions import ancestor, level_of
from ..store import Store, StoreConflict
from .photos import Photo, keep_photo
from .plans import QUERIES, stamp, villages_of

CATEGORIES = ("grain", "vegetables", "fruit", "tea", "meat", "eggs", "honey", "mushrooms",
              "herbs", "handicrafts", "other")
BUYERS = ("canteen", "company", "government", "individual", "other")
SELLERS = ("household", "cooperative")
SEASON = re.compile(r"(1[0-2]|[1-9])-(1[0-2]|[1-9])")


class ProductError(PovertyCloudError):
    """A listing or an order refused, with the reason."""


@dataclass(frozen=True)
class Listing:
    village: str
    seller: str
    seller_kind: str
    name: str
    category: str
    unit: str
    price_fen: int
    available: int
    households: dict[int, float]  # household: its share of the income
    season: str | None = None
    certificates: tuple[str, ...] = field(default_factory=tuple)
    description: str | None = None



def list_product(store: Store, listing: Listing, by: User,
                 photo: tuple[bytes, Photo] | None = None) -> int:
    """List a product in the catalogue; returns its id."""
    _check_listing(store, listing, by)
    county = ancestor(listing.village, "county")
    with store.transaction():
        if photo is not None:
            keep_photo(store, *photo)
        product = store.draw("product_ids", 1) + 1
        store.execute(QUERIES["insert_product"], [
            product, county, listing.village, listing.seller, listing.seller_kind,
            listing.name, listing.category, listing.unit, listing.price_fen,
            listing.available, listing.season, ";".join(listing.certificates) or None,
            listing.description, photo[1].sha256 if photo else None, by.username, stamp()])
        for household, share in listing.households.items():
            store.execute(QUERIES["insert_product_household"], [product, household, share])
        record(store, by, "list_product", "product", str(product), listing.village,
               f"{listing.name}, {listing.available} {listing.unit}")
    return product


def _check_listing(store: Store, x: Listing, by: User) -> None:
    if level_of(x.village) != "village":
        raise ProductError(f"{x.village} is not a village's code")
    if not by.may("plans") or not by.covers(x.village):
        raise ProductError(f"{by.username} ({by.role}, {by.region_code}) may not list "
                           f"products of {x.village}")
    for value, allowed, what in ((x.category, CATEGORIES, "category"),
                                 (x.seller_kind, SELLERS, "seller")):
        if value not in allowed:
            raise ProductError(f"the {what} must be one of {', '.join(allowed)}, not {value!r}")
    if x.price_fen <= 0 or x.available < 0:
        raise ProductError("the price must be above zero and the quantity not below zero")
    if x.season is not None and not SEASON.fullmatch(x.season):
        raise ProductError(f"the season is the months it is sold, like 9-11, not {x.season!r}")
    if not x.households or any(s <= 0 for s in x.households.values()) \
            or abs(sum(x.households.values()) - 1) > 1e-6:
        raise ProductError("the households behind a product share its income: each share "
                           "above zero, summing to 1")
    if x.seller_kind == "household" and len(x.households) != 1:
        raise ProductError("a household's product has that one household behind it")
    homes = villages_of(store, list(x.households))
    county = ancestor(x.village, "county")[:6]
    for household in x.households:
        if household not in homes:
            raise NotFound(f"no household {household} in the registry")
        if not str(homes[household]).startswith(county):
            raise ProductError(f"household {household} lives outside the county of the "
                               f"product's village {x.village}")


def order(store: Store, product_id: int, buyer: str, buyer_kind: str, quantity: int,
          contact: str | None = None, channel: str = "portal", by: User | None = None,
          now: dt.datetime | None = None) -> int:
    """Order ``quantity`` units for ``buyer``; refused beyond what is available (of two
    orders at once for the last units, one gets them). Returns the order's id."""
    if buyer_kind not in BUYERS:
        raise ProductError(f"the buyer must be one of {', '.join(BUYERS)}, not {buyer_kind!r}")
    if not buyer.strip():
        raise ProductError("the buyer's name is missing")
    if quantity <= 0:
        raise ProductError("the quantity must be a whole number above zero")
    product = store.record(QUERIES["product"], [product_id])
    if product is None or not product["active"]:
        raise NotFound(f"no product {product_id} in the catalogue")
    try:
        with store.transaction():
            taken = store.execute(QUERIES["take_available"], [quantity, product_id,
                                                               quantity]).fetchone()
            if taken is None or not taken[0]:
                left = store.value(QUERIES["available"], [product_id])
                raise ProductError(f"only {left} {product['unit']} of {product['name']} "
                                   f"available; {quantity} ordered")
            order_id = store.draw("order_ids", 1) + 1
            store.execute(QUERIES["insert_order"], [
                order_id, product_id, buyer.strip(), buyer_kind, contact, quantity,
                product["price_fen"], product["price_fen"] * quantity, now or stamp(),
                channel, by.username if by else None])
    except StoreConflict:
        raise ProductError(f"another order took {product['name']} at the same moment: "
                           "look again and retry") from None
    return order_id


def _order_for(store: Store, order_id: int, by: User) -> dict[str, Any]:
    found = store.record(QUERIES["order"], [order_id])
    if found is None or not by.covers(found["village_code"]) or not by.may("plans"):
        raise NotFound(f"no order {order_id} in the jurisdiction of {by.username}")
    if found["status"] != "ordered":
        raise ProductError(f"order {order_id} is {found['status']} already")
    return found


def deliver(store: Store, order_id: int, by: User, on: dt.date) -> None:
    """Record an order delivered on ``on``: its amount is now the sellers' income."""
    found = _order_for(store, order_id, by)
    with store.transaction():
        store.execute(QUERIES["deliver_order"], [on, order_id])
        record(store, by, "deliver_order", "order", str(order_id), found["village_code"],
               f"{found['quantity']} of product {found['product_id']} on {on}")


def cancel(store: Store, order_id: int, by: User) -> None:
    """Cancel an order: its quantity is available again."""
    found = _order_for(store, order_id, by)
    with store.transaction():
        store.execute(QUERIES["cancel_order"], [order_id])
        store.execute(QUERIES["return_available"], [found["quantity"], found["product_id"]])
        record(store, by, "cancel_order", "order", str(order_id), found["village_code"])


def catalogue(store: Store, prefix: str = "", category: str | None = None
              ) -> list[dict[str, Any]]:
    """The products on sale under ``prefix``: what, where from, price, what is left."""
    return store.records(QUERIES["catalogue"], [prefix, category])


def product_photo(store: Store, product_id: int) -> str | None:
    """The SHA-256 of the photo of a product on sale, or None."""
    found = store.value(QUERIES["product_photo"], [product_id])
    return str(found) if found is not None else None


def sales_incomes(store: Store, prefix: str, year: int) -> list[dict[str, Any]]:
    """Per household under ``prefix``: the income its products' delivered orders brought
    in ``year``, by its share (yuan in fen)."""
    return store.records(QUERIES["sales_incomes"], [prefix, year])
