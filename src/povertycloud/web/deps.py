"""The dependencies of the routes: what the web application holds for its lifetime (the
store, settings and rate limits, whose events are in the store), each request's store
handle and user (from the session cookie or a bearer token), the checks of role,
jurisdiction and CSRF token, and the typed aliases the routes declare their parameters
with."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Form, Header, HTTPException, Query, Request
from fastapi import Path as InPath
from starlette.convertors import Convertor, register_url_convertor

from ..access import audit, limits, sessions
from ..access.accounts import User
from ..access.limits import RateLimit
from ..errors import PovertyCloudError
from ..identification.scorecard import Scorecard, load_scorecard
from ..jobs import Runner
from ..registry import search
from ..reports import figures
from ..store import Store

TRUSTED_PROXIES = "POVERTYCLOUD_TRUSTED_PROXIES"
MAX_DELIVERY = "POVERTYCLOUD_MAX_DELIVERY_MB"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(given: str | None = None) -> tuple[Network, ...]:
    """The reverse proxies whose ``X-Forwarded-For`` is believed: addresses or networks,
    comma-separated (``given``, else the setting ``POVERTYCLOUD_TRUSTED_PROXIES``; none
    when unset)."""
    text = os.environ.get(TRUSTED_PROXIES, "") if given is None else given
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False)
                     for p in text.split(",") if p.strip())
    except ValueError as exc:
        raise PovertyCloudError(f"{TRUSTED_PROXIES}: {exc}") from None


def max_delivery() -> int:
    """The bytes a department's delivery may have: ``POVERTYCLOUD_MAX_DELIVERY_MB``
    megabytes (MiB), 100 when unset."""
    text = os.environ.get(MAX_DELIVERY, "100")
    if not text.strip().isdigit() or int(text) < 1:
        raise PovertyCloudError(f"{MAX_DELIVERY}: a whole number of megabytes, at least 1, "
                                f"not {text!r}")
    return int(text) * 1024 * 1024


@dataclass
class WebConfig:
    db: Path | str  # a DuckDB file or a PostgreSQL URL
    secure_cookies: bool = False  # set behind HTTPS: cookies only over TLS
    session_hours: float = 8.0
    max_body: int = 64 * 1024  # bytes of a request body
    max_delivery: int = field(default_factory=max_delivery)  # bytes of a delivered file
    max_upload: int = 1024 * 1024 * 1024  # bytes of a file uploaded for a job
    login_attempts: int = 5  # failed logins of one username from one address...
    login_window: float = 300.0  # ...in this many seconds; then that pair waits
    client_login_attempts: int = 100  # failed logins from one address, any usernames
    complaints_per_window: int = 5  # complaints per client...
    complaint_window: float = 600.0  # ...in this many seconds
    scorecard: Path | None = None
    uploads: Path | None = None  # where files wait for their job (uploads_beside if None)
    trusted_proxies: tuple[Network, ...] = field(default_factory=trusted_proxies)

    def dumps(self) -> str:
        """The settings as JSON, for the worker processes of the server (:meth:`loads`)."""
        return json.dumps(dataclasses.asdict(self), default=str)

    @classmethod
    def loads(cls, text: str) -> WebConfig:
        found = json.loads(text)
        return cls(**found | {
            "scorecard": found["scorecard"] and Path(found["scorecard"]),
            "uploads": found["uploads"] and Path(found["uploads"]),
            "trusted_proxies": trusted_proxies(",".join(found["trusted_proxies"]))})


def uploads_beside(db: Path | str) -> Path:
    """Where files wait for their job by default: a folder beside a DuckDB file
    (``<store>.uploads``); for a PostgreSQL store, one in the system's temporary folder
    (give ``uploads`` where several machines serve it)."""
    if isinstance(db, str) and "://" in db:
        return Path(tempfile.gettempdir()) / "povertycloud-uploads"
    return Path(db).with_name(f"{Path(db).name}.uploads")


@dataclass
class Platform:
    config: WebConfig
    store: Store = field(init=False)
    card: Scorecard = field(init=False)
    login_limit: RateLimit = field(init=False)
    client_login_limit: RateLimit = field(init=False)
    complaint_limit: RateLimit = field(init=False)
    jobs: Runner = field(init=False)

    def open(self) -> None:
        config = self.config
        self.store = Store(config.db)
        self.card = load_scorecard(config.scorecard)
        prepare(self.store)
        salt = limits.salt(self.store)
        self.login_limit = RateLimit("login", config.login_attempts, config.login_window,
                                     salt)
        self.client_login_limit = RateLimit("client_login", config.client_login_attempts,
                                            config.login_window, salt)
        self.complaint_limit = RateLimit("complaint", config.complaints_per_window,
                                         config.complaint_window, salt)
        self.jobs = Runner(self.store, config.uploads or uploads_beside(config.db),
                           after=refresh)
        self.jobs.start()

    def close(self) -> None:
        self.jobs.stop()
        self.store.close()


def prepare(store: Store) -> list[str]:
    """The store made ready to serve, before the server starts: the salt of the rate
    limits' keys made the first time, the indexes the backend needs where one is
    missing, and the tables the web derives from the data brought up to date
    (:func:`refresh`); the ones rebuilt."""
    limits.salt(store)
    store.index_all()
    return refresh(store)


def refresh(store: Store) -> list[str]:
    """Rebuild the tables the web derives from the data (the identification figures, the
    people search) where the data changed since they were built (by a job, say); the
    ones rebuilt."""
    rebuilt = []
    if figures.refresh(store):
        rebuilt.append(f"{figures.FIGURES} (figures of the latest identification)")
    if search.refresh(store):
        rebuilt.append(f"{search.INDEX} (people search)")
    return rebuilt


class LoginRequired(Exception):
    """No live session: pages send the visitor to the login form, the API answers 401."""


@dataclass(frozen=True)
class Viewer:
    user: User
    csrf: str
    by_cookie: bool  # a cookie is sent by the browser unasked, so changes need the CSRF token
    token: str


def platform(request: Request) -> Platform:
    found: Platform = request.app.state.platform
    return found


async def database(request: Request) -> AsyncIterator[Store]:
    """A handle of the store for one request, its own connection to the same database.
    Opening and closing one reads no file and waits for no statement, so it is done on
    the event loop: each request goes to the threadpool for its work only, not twice more
    for this (every trip there is a wait for the GIL under load)."""
    handle = platform(request).store.cursor()
    try:
        yield handle
    finally:
        handle.close()


DB = Annotated[Store, Depends(database)]


def optional_viewer(request: Request, store: DB,
                    authorization: Annotated[str | None, Header()] = None) -> Viewer | None:
    if authorization and authorization.lower().startswith("bearer "):
        token, by_cookie = authorization[7:].strip(), False
    else:
        token, by_cookie = request.cookies.get(sessions.COOKIE, ""), True
    if not token:
        return None
    found = sessions.resume(store, token)
    seen = Viewer(found[0], found[1], by_cookie, token) if found else None
    request.state.viewer = seen  # for the audit of a refusal (record_refusal)
    return seen


async def viewer(found: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    if found is None:
        raise LoginRequired()
    return found


def allowed(found: Viewer, permission: str) -> User:
    if not found.user.may(permission):
        raise HTTPException(403, f"your role may not use {permission}")
    return found.user


def in_jurisdiction(user: User, region_code: str) -> None:
    if not user.covers(region_code):
        raise HTTPException(403, f"region {region_code} is outside your jurisdiction")


def check_csrf(found: Viewer, given: str | None) -> None:
    """Changes made with a session cookie must carry the session's CSRF token."""
    if found.by_cookie and not sessions.same(given, found.csrf):
        raise HTTPException(403, "missing or wrong CSRF token")


def client(request: Request) -> str:
    """The client's address: the connection's, or when that is a trusted proxy, the last
    address of ``X-Forwarded-For`` that is not a trusted proxy (what a client writes in
    that header itself is not believed)."""
    peer = request.client.host if request.client else "unknown"
    proxies = platform(request).config.trusted_proxies
    if not _among(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")
                                        ).split(",") if h.strip()]
    return next((h for h in reversed(hops) if not _among(h, proxies)),
                hops[0] if hops else peer)


def _among(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def record_refusal(request: Request, reason: str) -> None:
    """A request refused to a signed-in user (role, jurisdiction, CSRF token): a security
    event in the audit log, in the user's region."""
    found: Viewer | None = getattr(request.state, "viewer", None)
    if found is None:
        return
    handle = platform(request).store.cursor()
    try:
        audit.record(handle, found.user, "refused", "path", request.url.path,
                     found.user.region_code, reason, client(request))
    finally:
        handle.close()


class Digits(Convertor[str]):
    """A path segment of digits, as region codes are: ``/api/regions/{code:digits}`` is
    not taken for ``/api/regions/status``, whichever router comes first (the parameter's
    own pattern still answers a code of the wrong length with 422)."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("digits", Digits())

Me = Annotated[Viewer, Depends(viewer)]
Maybe = Annotated[Viewer | None, Depends(optional_viewer)]
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token")]
FormToken = Annotated[str, Form(max_length=128)]  # a form's CSRF (or pre-login) token
RegionCode = Annotated[str, InPath(pattern=r"^\d{12}$", description="12-digit region code")]
Id = Annotated[int, InPath(ge=1, le=2**63 - 1)]  # a stored row's number
Year = Annotated[int | None, Query(ge=1949, le=2100)]
