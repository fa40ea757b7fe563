"""The portal's catalogue of poor households' products (消费扶贫), which canteens, companies
and anyone can order from, and its board of needs (社会扶贫), where helpers pledge: public
pages and JSON, orders and pledges rate-limited like complaints, nothing of a household
shown but its village."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...assistance.needs import HELPERS, NeedError, board, pledge, register_helper
from ...assistance.photos import photo_content
from ...assistance.products import (
    BUYERS,
    CATEGORIES,
    ProductError,
    catalogue,
    order,
    product_photo,
)
from ...errors import NotFound
from ...reports import figures
from ...store import Store
from ..deps import DB, FormToken, Id, Maybe, client, platform
from ..limits import too_many
from ..render import check_form_token, form_token, render, with_form_cookie

api = APIRouter(prefix="/api", tags=["public"])
pages = APIRouter(include_in_schema=False)
Prefix = Annotated[str, Query(pattern=r"^\d{0,12}$", description="Region code's digits.")]
Category = Annotated[str | None, Query(pattern="^(" + "|".join(CATEGORIES) + ")$")]


class NewOrder(BaseModel):
    buyer: str = Field(min_length=1, max_length=200)
    buyer_kind: str = Field(pattern="^(" + "|".join(BUYERS) + ")$")
    quantity: int = Field(ge=1, le=1_000_000)
    contact: str = Field(min_length=1, max_length=200)


class NewPledge(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(" + "|".join(HELPERS) + ")$")
    contact: str = Field(min_length=1, max_length=200)
    what: str = Field(min_length=1, max_length=500)
    value_fen: int = Field(ge=1, le=10**12)


def _limited(request: Request, store: Store, refused: type[Exception],
             made: Callable[[], int]) -> int:
    """``made()`` for one client within the public forms' limit (shared with complaints;
    429 when it has used its share); its refusal a 409 with the reason."""
    key = client(request)
    limit = platform(request).complaint_limit
    if wait := limit.wait(store, key):
        raise too_many(wait, "too many requests from here; try again later")
    try:
        found = made()
    except NotFound:
        raise
    except refused as exc:
        raise HTTPException(409, str(exc)) from None
    limit.hit(store, key)
    return found


def place_order(request: Request, store: Store, product_id: int, body: NewOrder) -> int:
    return _limited(request, store, ProductError, lambda: order(
        store, product_id, body.buyer, body.buyer_kind, body.quantity, body.contact,
        "portal"))


def make_pledge(request: Request, store: Store, need_id: int, body: NewPledge) -> int:
    return _limited(request, store, NeedError, lambda: pledge(
        store, need_id, register_helper(store, body.kind, body.name, body.contact),
        body.value_fen, body.what))


@api.get("/public/products")
def api_catalogue(store: DB, region: Prefix = "", category: Category = None
                  ) -> list[dict[str, Any]]:
    """The products of poor households and cooperatives on sale, under a region (its
    code's digits), with price, units left, season, certificates and origin."""
    return catalogue(store, region, category)


@api.post("/public/products/{product_id}/orders")
def api_order(request: Request, product_id: Id, body: NewOrder, store: DB) -> dict[str, int]:
    """Order a product: refused (409) beyond the units left."""
    return {"order_id": place_order(request, store, product_id, body)}


@api.get("/public/needs")
def api_needs(store: DB, region: Prefix = "") -> list[dict[str, Any]]:
    """The open and pledged needs of villages and households (no household named)."""
    return [n for n in board(store, region, None) if n["status"] in ("open", "pledged")]


@api.post("/public/needs/{need_id}/pledges")
def api_pledge(request: Request, need_id: Id, body: NewPledge, store: DB) -> dict[str, int]:
    """Pledge against an open need, as a company, NGO or individual (registered with
    the pledge)."""
    return {"pledge_id": make_pledge(request, store, need_id, body)}


@pages.get("/portal/products/{product_id}/photo")
def product_photo_page(product_id: Id, store: DB) -> Response:
    sha = product_photo(store, product_id)  # one product's, not the whole catalogue
    content = photo_content(store, sha) if sha else None
    if content is None:
        raise HTTPException(404, f"product {product_id} has no photo")
    return Response(content[0], media_type=content[1],
                    headers={"Cache-Control": "public, max-age=86400"})


@pages.get("/portal/products")
def catalogue_page(request: Request, me: Maybe, store: DB, region: Prefix = "",
                   category: Category = None, ordered: int | None = None) -> Response:
    token = form_token(request)
    return with_form_cookie(render(
        request, "portal_products.html", me, products=catalogue(store, region, category),
        region=region, category=category, categories=CATEGORIES, buyers=BUYERS,
        ordered=ordered, form_token=token, root=figures.province(store)), token, request)


@pages.post("/portal/products/{product_id}/order")
def order_form(request: Request, product_id: Id, store: DB,
               buyer: Annotated[str, Form(max_length=200)],
               buyer_kind: Annotated[str, Form(max_length=32)],
               quantity: Annotated[int, Form(ge=1, le=1_000_000)],
               contact: Annotated[str, Form(max_length=200)],
               form_token: FormToken = "") -> Response:
    check_form_token(request, form_token)
    made = place_order(request, store, product_id, NewOrder(
        buyer=buyer, buyer_kind=buyer_kind, quantity=quantity, contact=contact))
    return RedirectResponse(f"/portal/products?ordered={made}", 303)


@pages.get("/portal/needs")
def needs_page(request: Request, me: Maybe, store: DB, region: Prefix = "",
               pledged: int | None = None) -> Response:
    token = form_token(request)
    return with_form_cookie(render(
        request, "portal_needs.html", me, needs=[n for n in board(store, region, None)
                                                 if n["status"] in ("open", "pledged")],
        helpers=HELPERS, pledged=pledged, form_token=token), token, request)


@pages.post("/portal/needs/{need_id}/pledge")
def pledge_form(request: Request, need_id: Id, store: DB,
                name: Annotated[str, Form(max_length=200)],
                kind: Annotated[str, Form(max_length=32)],
                contact: Annotated[str, Form(max_length=200)],
                what: Annotated[str, Form(max_length=500)],
                value_yuan: Annotated[int, Form(ge=1, le=10**10)],
                form_token: FormToken = "") -> Response:
    check_form_token(request, form_token)
    made = make_pledge(request, store, need_id, NewPledge(
        name=name, kind=kind, contact=contact, what=what, value_fen=value_yuan * 100))
    return RedirectResponse(f"/portal/needs?pledged={made}", 303)
