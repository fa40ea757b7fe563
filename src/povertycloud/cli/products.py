"""`povertycloud products` and `povertycloud needs`: sales of poor households' products
(catalogue, orders, deliveries, incomes, platform exports) and help from society (needs,
helpers, pledges, confirmations, flags)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    WaitOption,
    acting_user,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
)

products_app = typer.Typer(help="Sales of poor households' products (消费扶贫): list, "
                                "order, deliver, incomes, exports. See docs/assistance.md.",
                           no_args_is_help=True)
needs_app = typer.Typer(help="Help from society (社会扶贫): needs, helpers, pledges, "
                             "confirmations. See docs/assistance.md.", no_args_is_help=True)
AsOption = Annotated[str, typer.Option("--as", help="The officer who acts.")]
RegionOption = Annotated[str, typer.Option(
    help="Within this region (code or leading digits); all by default.")]
DOING = "keep sales and needs (officers do)"


def _share(text: str) -> tuple[int, float]:
    from ..errors import PovertyCloudError

    household, _, share = text.partition("=")
    try:
        return int(household), float(share) if share else 1.0
    except ValueError:
        raise PovertyCloudError(f"--household {text!r}: write id=share (share 0 to 1)"
                                ) from None


@products_app.command("add")
def add_command(
    db: DbOption, as_: AsOption,
    village: Annotated[str, typer.Option(help="The village it comes from.")],
    seller: Annotated[str, typer.Option(help="The household's or cooperative's name as "
                                             "buyers see it.")],
    name: Annotated[str, typer.Option(help="What it is.")],
    category: Annotated[str, typer.Option(help="grain, vegetables, fruit, tea, meat, eggs, "
                                               "honey, mushrooms, herbs, handicrafts, other.")],
    unit: Annotated[str, typer.Option(help="kg, box, piece...")],
    price_yuan: Annotated[str, typer.Option(help="Each unit.")],
    available: Annotated[int, typer.Option(help="Units for sale.")],
    household: Annotated[list[str], typer.Option(
        help="A household behind it, id=share (again for each; a household's own: id).")],
    cooperative: Annotated[bool, typer.Option(help="Sold by a cooperative.")] = False,
    season: Annotated[str | None, typer.Option(help="Months, e.g. 9-11.")] = None,
    certificate: Annotated[list[str] | None, typer.Option(help="A quality certificate.")]
    = None,
    description: Annotated[str | None, typer.Option(help="For the catalogue.")] = None,
    photo: Annotated[Path | None, typer.Option(help="A photo for the catalogue.")] = None,
    wait: WaitOption = 0,
) -> None:
    """List a product of a household or a cooperative in the catalogue."""
    from ..assistance.photos import read_photo
    from ..assistance.products import Listing, list_product
    from ..funds.money import fen

    listing = Listing(village=village, seller=seller,
                      seller_kind="cooperative" if cooperative else "household", name=name,
                      category=category, unit=unit, price_fen=fen(price_yuan),
                      available=available, households=dict(map(_share, household)),
                      season=season, certificates=tuple(certificate or []),
                      description=description)
    evidence = None
    if photo is not None:
        content = photo.read_bytes()
        evidence = (content, read_photo(content, str(photo)))
    with open_store(db, wait=wait) as store:
        product = list_product(store, listing, acting_user(store, as_, "plans", DOING),
                               evidence)
    console.print(f"Product {product}: {name}, {available} {unit}")


@products_app.command("order")
def order_command(
    product: Annotated[int, typer.Argument(help="The product's id.")], db: DbOption,
    buyer: Annotated[str, typer.Option(help="Who buys (a canteen, a company...).")],
    buyer_kind: Annotated[str, typer.Option(help="canteen, company, government, "
                                                 "individual or other.")],
    quantity: Annotated[int, typer.Option(help="Units.")],
    contact: Annotated[str | None, typer.Option(help="How to reach the buyer.")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="The officer who records it.")]
    = None,
    wait: WaitOption = 0,
) -> None:
    """Record an order; refused beyond what is available."""
    from ..assistance.products import order

    with open_store(db, wait=wait) as store:
        by = acting_user(store, as_, "plans", DOING) if as_ else None
        found = order(store, product, buyer, buyer_kind, quantity, contact,
                      "office" if by else "portal", by)
    console.print(f"Order {found}: {quantity} of product {product} for {buyer}")


@products_app.command("deliver")
def deliver_command(order_id: Annotated[int, typer.Argument(help="The order's id.")],
                    db: DbOption, as_: AsOption,
                    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today.")] = None,
                    cancel: Annotated[bool, typer.Option(help="Cancel it instead.")] = False,
                    wait: WaitOption = 0) -> None:
    """Record an order delivered (its amount becomes the sellers' income), or cancel it."""
    from ..assistance.products import cancel as cancel_order
    from ..assistance.products import deliver

    with open_store(db, wait=wait) as store:
        by = acting_user(store, as_, "plans", DOING)
        if cancel:
            cancel_order(store, order_id, by)
        else:
            deliver(store, order_id, by, parse_date(on) if on else dt.date.today())
    console.print(f"Order {order_id} {'cancelled' if cancel else 'delivered'}")


@products_app.command("catalogue")
def catalogue_command(db: DbOption, region: RegionOption = "",
                      category: Annotated[str | None, typer.Option()] = None) -> None:
    """The products on sale: what, from where, price, what is left."""
    from ..assistance.products import catalogue
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        found = catalogue(store, prefix_of(region), category)
    table = keys(RichTable("product", "name", "seller", "from", "price", "left", "season",
                           "certificates", title=f"Catalogue ({len(found):,})"), "product")
    for p in found:
        table.add_row(str(p["product_id"]), p["name"], p["seller"],
                      f"{p['county_name'] or ''}{p['village_name'] or ''}",
                      f"{yuan(p['price_fen'])}/{p['unit']}", f"{p['available']:,}",
                      p["season"] or "", (p["certificates"] or "").replace(";", ", "))
    console.print(table)


@products_app.command("incomes")
def incomes_command(
    db: DbOption, year: Annotated[int, typer.Option(help="Deliveries of this year.")],
    region: RegionOption = "",
    export: Annotated[Path | None, typer.Option(help="Also write .xlsx, .csv or .parquet "
                                                     "(for the next survey).")] = None,
) -> None:
    """The income each household's products brought in a year, by its share."""
    import pyarrow as pa

    from ..assistance.products import sales_incomes
    from ..funds.money import yuan
    from ..intake.exports import check_table_output, write_table

    if export is not None:
        check_table_output(export, overwrite=False)
    with open_store(db, read_only=True) as store:
        found = sales_incomes(store, prefix_of(region), year)
    table = keys(RichTable("household", "village", "orders", "income",
                           title=f"Income from sales in {year}"), "household")
    for r in found:
        table.add_row(str(r["household_id"]), r["village_code"], str(r["orders"]),
                      yuan(r["income_fen"]))
    console.print(table)
    if export is not None:
        write_table(pa.Table.from_pylist(found), export)
        console.print(f"Wrote {len(found):,} households to {export}")


@products_app.command("export")
def export_command(
    db: DbOption,
    platform: Annotated[str, typer.Option(help="generic, 832, taobao, jd or pinduoduo.")],
    out: Annotated[Path, typer.Option(help="The CSV to write.")],
    region: RegionOption = "",
) -> None:
    """The catalogue as a platform's bulk-upload CSV (rules/product_exports.yaml)."""
    from ..assistance.exports import load_platforms, platform_export
    from ..intake.exports import check_table_output, write_table

    check_table_output(out, overwrite=False)
    chosen = load_platforms()[platform]
    with open_store(db, read_only=True) as store:
        table = platform_export(store, prefix_of(region), chosen)
    write_table(table, out)
    console.print(f"Wrote {table.num_rows:,} products for {chosen.label} to {out}")


@needs_app.command("publish")
def publish_command(
    village: Annotated[str, typer.Argument(help="The village's code.")],
    db: DbOption, as_: AsOption,
    kind: Annotated[str, typer.Option(help="equipment, tuition, seedlings, livestock, job, "
                                           "housing or other.")],
    title: Annotated[str, typer.Option()], description: Annotated[str, typer.Option()],
    value_yuan: Annotated[str, typer.Option(help="What meeting it is worth.")],
    household: Annotated[int | None, typer.Option(help="The household it is for (never "
                                                       "shown).")] = None,
    wait: WaitOption = 0,
) -> None:
    """Publish a need on the portal; refused if its text holds an ID number, a phone, an
    account or health details."""
    from ..assistance.needs import publish
    from ..funds.money import fen

    with open_store(db, wait=wait) as store:
        need = publish(store, village, kind, title, description, fen(value_yuan),
                       acting_user(store, as_, "plans", DOING), household)
    console.print(f"Need {need} published")


@needs_app.command("helper")
def helper_command(db: DbOption,
                   kind: Annotated[str, typer.Option(help="company, ngo or individual.")],
                   name: Annotated[str, typer.Option()],
                   contact: Annotated[str, typer.Option()], wait: WaitOption = 0) -> None:
    """Register a helper (as the portal does)."""
    from ..assistance.needs import register_helper

    with open_store(db, wait=wait) as store:
        helper = register_helper(store, kind, name, contact)
    console.print(f"Helper {helper}: {name}")


@needs_app.command("pledge")
def pledge_command(need: Annotated[int, typer.Argument()], db: DbOption,
                   helper: Annotated[int, typer.Option(help="The helper's id.")],
                   value_yuan: Annotated[str, typer.Option()],
                   what: Annotated[str, typer.Option(help="What is given.")],
                   wait: WaitOption = 0) -> None:
    """A helper's pledge against an open need (as the portal takes it)."""
    from ..assistance.needs import pledge
    from ..funds.money import fen

    with open_store(db, wait=wait) as store:
        found = pledge(store, need, helper, fen(value_yuan), what)
    console.print(f"Pledge {found} on need {need}")


@needs_app.command("confirm")
def confirm_command(pledge_id: Annotated[int, typer.Argument(help="The pledge's id.")],
                    db: DbOption, as_: AsOption,
                    evidence: Annotated[str, typer.Option(help="A photo's SHA-256 or a note.")],
                    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today.")] = None,
                    wait: WaitOption = 0) -> None:
    """The village confirms a pledge delivered, with its evidence."""
    from ..assistance.needs import confirm

    with open_store(db, wait=wait) as store:
        confirm(store, pledge_id, acting_user(store, as_, "plans", DOING),
                parse_date(on) if on else dt.date.today(), evidence)
    console.print(f"Pledge {pledge_id} delivered")


@needs_app.command("board")
def board_command(db: DbOption, region: RegionOption = "",
                  status: Annotated[str | None, typer.Option(
                      help="open, pledged, met or withdrawn; all when not given.")] = None
                  ) -> None:
    """The needs as the public sees them (no household)."""
    from ..assistance.needs import board
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        found = board(store, prefix_of(region), status)
    table = keys(RichTable("need", "village", "kind", "title", "value", "pledged", "status",
                           title=f"Needs ({len(found):,})"), "need")
    for n in found:
        table.add_row(str(n["need_id"]), n["village_name"] or n["village_code"], n["kind"],
                      n["title"], yuan(n["value_fen"]), yuan(n["pledged_fen"]), n["status"])
    console.print(table)


@needs_app.command("flags")
def flags_command(db: DbOption, region: RegionOption = "",
                  on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD; today.")]
                  = None) -> None:
    """Needs met twice, and pledges not delivered 60 days after they were made."""
    from ..assistance.needs import need_flags

    day = parse_date(on) if on else dt.date.today()
    with open_store(db, read_only=True) as store:
        found = need_flags(store, prefix_of(region), day)
    table = keys(RichTable("flag", "need", "village", "title", "pledge", "why",
                           title=f"Needs flagged on {day} ({len(found):,})"), "need")
    for f in found:
        table.add_row(f["flag"], str(f["need_id"]), f["village_code"], f["title"],
                      str(f["pledge_id"] or ""), f["reason"])
    console.print(table)
