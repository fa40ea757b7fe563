"""`povertycloud serve` and `povertycloud users`: the web platform and its accounts."""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ..access.accounts import ROLES
from .common import DbOption, WaitOption, console, open_store

if TYPE_CHECKING:
    from ..store import Store

users_app = typer.Typer(help="Accounts of the web platform.", no_args_is_help=True)
HostOption = Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this "
                                              "machine only).")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)]
WorkersOption = Annotated[int, typer.Option(
    help="Worker processes answering requests (above 1 on PostgreSQL only: an embedded "
         "DuckDB store is opened by one process).", min=1)]


def serve(db: DbOption, host: HostOption = "127.0.0.1", port: PortOption = 8000,
          secure_cookies: Annotated[bool, typer.Option(
              help="Send cookies only over HTTPS (set when served behind TLS).")] = False,
          wait: WaitOption = 0, workers: WorkersOption = 1) -> None:
    """Serve the web platform (pages, JSON API under /api with its schema at /docs, and
    the public portal at /portal) over one store."""
    run_server(db, host, port, secure_cookies, wait, workers)


def run_server(db: Path | str, host: str, port: int, secure_cookies: bool = False,
               wait: float = 0, workers: int = 1) -> None:
    """Serve ``db`` with ``workers`` processes, first bringing the web's own tables up
    to date in it (saying which it rebuilt), so that a missing, locked or newer store is
    reported before the server starts. Each worker opens the store itself, with the
    settings passed to it in the environment."""
    import uvicorn

    from ..errors import PovertyCloudError
    from ..web.app import CONFIG_VARIABLE, FACTORY
    from ..web.deps import WebConfig, prepare

    if workers > 1 and embedded(db):
        raise PovertyCloudError(
            f"--workers {workers} needs the store on PostgreSQL: the embedded DuckDB store "
            f"{db} is opened by one process only; serve it with one worker or move it to "
            "PostgreSQL (docs/operations.md)")
    config = WebConfig(db=db, secure_cookies=secure_cookies)  # a bad setting: refused here
    with open_store(db, wait=wait) as store:
        rebuilt, label = prepare(store), store.label
    for table in rebuilt:
        console.print(f"Rebuilt {table} in {label}: the data changed since it was built",
                      highlight=False, soft_wrap=True)
    os.environ[CONFIG_VARIABLE] = config.dumps()
    many = f" with {workers} workers" if workers > 1 else ""
    console.print(f"Serving {label}{many} at http://{host}:{port}/ (Ctrl+C to stop)")
    # the client's address is the application's to judge (POVERTYCLOUD_TRUSTED_PROXIES)
    uvicorn.run(FACTORY, factory=True, workers=workers, host=host, port=port,
                log_level="warning", access_log=False, proxy_headers=False)


def embedded(db: Path | str) -> bool:
    """Whether the store is an embedded DuckDB file rather than a database server."""
    from ..store.backends import is_url

    return not is_url(db)


@users_app.command("add")
def add(db: DbOption,
        username: Annotated[str, typer.Option(
            help="Login name: lower-case letters a-z, digits, _, - and . (1 to 64).")],
        role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
        region: Annotated[str | None, typer.Option(
            help="12-digit code of the jurisdiction (a department account's: the "
                 "province by default).")] = None,
        source: Annotated[str | None, typer.Option(
            help="The source a department account delivers (see `povertycloud "
                 "sources`); for that role only.")] = None,
        password: Annotated[str | None, typer.Option(
            help="Password (at least 10 characters); prompted for when not given.")] = None,
        name: Annotated[str | None, typer.Option(help="Name shown on screen.")] = None,
        wait: WaitOption = 0,
        ) -> None:
    """Add a user of the web platform; a department account (--role department
    --source ID) may only deliver that source's feed through the API."""
    from ..access.accounts import AccountError, check_source, create_user
    from ..feeds.sources import load_sources
    from ..reports.figures import province

    sources = list(load_sources())
    check_source(role, source, sources)  # before the password is asked for
    if region is None and role != "department":
        raise AccountError(f"a {role} needs --region, the 12-digit code of the "
                           "jurisdiction")
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_store(db, wait=wait) as store:
        user = create_user(store, username, secret, role, region or province(store), name,
                           source, sources)
    console.print(f"Added {user.username} ({user.role}, {user.region_code}"
                  + (f", source {user.source})" if user.source else ")"))


@users_app.command("list")
def list_(db: DbOption) -> None:
    """List the users of the web platform."""
    from ..access.accounts import User, list_users
    from ..errors import NotFound
    from ..reports.figures import province

    with open_store(db, read_only=True) as store:
        try:
            found = list_users(store, User(0, "", "", "admin", province(store)))
        except NotFound:  # no regions, so no users yet
            found = []
    table = RichTable("username", "role", "region", "source", title="Users")
    for u in found:
        table.add_row(u.username, u.role, u.region_code, u.source or "")
    console.print(table)


def demo_users(store: Store) -> list[tuple[str, str, str, str]]:
    """One user per role and officer level, in the first region of each level; returns
    (username, password, role, region) of those created (none when they exist)."""
    from ..access.accounts import create_user, username_taken
    from ..reports.figures import first_regions

    if username_taken(store, "admin"):  # made before (other accounts may exist: cadres)
        return []
    firsts = first_regions(store)
    plan = [(f"{level}_officer", "officer", firsts[level])
            for level in ("province", "prefecture", "county", "township", "village")]
    plan += [("field_officer", "field_officer", firsts["village"]),
             ("auditor", "auditor", firsts["county"]),
             ("assessor", "assessor", firsts["province"]),
             ("admin", "admin", firsts["province"])]
    made = []
    for username, role, region in plan:
        password = "".join(secrets.choice(string.ascii_letters + string.digits)
                           for _ in range(12))
        create_user(store, username, password, role, region)
        made.append((username, password, role, region))
    return made
