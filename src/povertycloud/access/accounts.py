"""Accounts: who may use the platform, in which role and over which region subtree.

A user's jurisdiction is one region; they see and change only that region and what lies
below it. Officers work at the level of their region (province to village); the other
roles are the same at any level. What each role may do is the table ``PERMISSIONS``.
A department account is bound to one source of the registry of sources: it may deliver
that source's feed through the API and read the reports of its deliveries, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..errors import PovertyCloudError
from ..standard.regions import PREFIX_LENGTH, level_of
from ..standard.regions import problem as code_problem
from ..store import Queries

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from ..store import Store

ROLES = ("officer", "field_officer", "auditor", "assessor", "admin", "department")
PERMISSIONS: dict[str, frozenset[str]] = {
    "officer": frozenset({"dashboard", "households", "search", "unmask", "complaints",
                          "announce", "verify", "data", "review", "workflow", "monitoring",
                          "funds", "funds_read", "plans", "assess"}),
    "field_officer": frozenset({"dashboard", "households", "search", "unmask", "verify",
                                "workflow", "monitoring", "plans"}),
    "auditor": frozenset({"dashboard", "households", "search", "audit", "data",
                          "monitoring", "funds_read"}),
    # a third party: enters the returns of the assessments it is given, nothing else
    "assessor": frozenset({"dashboard", "households", "search", "assess_returns"}),
    "admin": frozenset({"dashboard", "households", "search", "unmask", "complaints",
                        "announce", "audit", "users", "verify", "data", "quarantine",
                        "review", "workflow", "monitoring", "jobs", "funds", "funds_read",
                        "plans", "assess", "assess_returns"}),
    "department": frozenset({"deliver"}),  # of its own source only (User.source)
}
MIN_PASSWORD = 10
# plain lower-case ASCII: no look-alike (a Cyrillic "а" in "аdmin") or full-width name
USERNAME = re.compile(r"[a-z0-9_.-]{1,64}")


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # loads when a password is first hashed

    return PasswordHasher()


class AccountError(PovertyCloudError):
    """A user that cannot be created as asked."""


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    display_name: str
    role: str
    region_code: str
    source: str | None = None  # the one source a department account delivers

    @property
    def level(self) -> str:
        return level_of(self.region_code)

    @property
    def prefix(self) -> str:
        """The digits every region of the jurisdiction starts with."""
        return self.region_code[:PREFIX_LENGTH[self.level]]

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    def covers(self, region_code: str) -> bool:
        """Whether ``region_code`` lies in this user's jurisdiction."""
        return region_code.startswith(self.prefix)


QUERIES = Queries(__package__)


def create_user(store: Store, username: str, password: str, role: str,
                region_code: str, display_name: str | None = None,
                source: str | None = None, sources: Collection[str] = ()) -> User:
    """Add an active user (a department account with its ``source``, one of the
    registry's ``sources``); the password is kept only as its argon2 hash."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    check_source(role, source, sources)
    if not USERNAME.fullmatch(username):
        raise AccountError(f"username {username!a}: 1 to 64 lower-case letters a-z, digits, "
                           "'_', '-' or '.'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if problem := code_problem(region_code):
        raise AccountError(f"region {region_code!r}: {problem}")
    if not store.scalar(QUERIES["region_exists"], [region_code]):
        raise AccountError(f"region {region_code} is not in the store")
    if store.scalar(QUERIES["username_taken"], [username]):
        raise AccountError(f"user {username!r} already exists")
    user = User(store.draw("user_ids", 1) + 1, username,
                display_name or username, role, region_code, source)
    store.execute(QUERIES["add_user"], [user.user_id, user.username, user.display_name,
                                        role, region_code, source, _hasher().hash(password)])
    return user


def password_hash(password: str) -> str:
    """The argon2 hash of a password (checked for length), to keep instead of it."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return str(_hasher().hash(password))


def create_users(store: Store, users: list[tuple[str, str, str, str]], hashed: str) -> int:
    """Add many active users at once, (username, display name, role, region code) each,
    all with one initial password's hash (``password_hash``): the accounts of a
    province's cadres from its roster, to be changed at first use. Returns how many."""
    import pyarrow as pa

    for username, _, role, region in users:
        if role not in ROLES or role == "department" or not USERNAME.fullmatch(username) \
                or code_problem(region):
            raise AccountError(f"user {username!a}: a username of a-z, digits, '_', '-', "
                               "'.', a role other than department and a region code")
    start = store.draw("user_ids", len(users))
    table = pa.table({"user_id": pa.array(range(start + 1, start + len(users) + 1),
                                          pa.int64()),
                      "username": [u[0] for u in users], "display_name": [u[1] for u in users],
                      "role": [u[2] for u in users], "region_code": [u[3] for u in users]})
    with store.registered("_new_users", table):
        taken = store.value(QUERIES["usernames_taken"])
        if taken is not None:
            raise AccountError(f"user {taken!r} already exists")
        store.execute(QUERIES["add_users"], [hashed])
    return len(users)


def check_source(role: str, source: str | None, sources: Collection[str]) -> None:
    """A department account names one of the registry's ``sources`` (the registry is
    the feeds', a layer above); no other account has a source."""
    if role != "department":
        if source is not None:
            raise AccountError(f"only a department account has a source (not the role {role})")
        return
    if source is None:
        raise AccountError("a department account needs the source it delivers, one of "
                           f"{', '.join(sources)}")
    if source not in sources:
        raise AccountError(f"unknown source {source!r}; the sources are "
                           f"{', '.join(sources)}")


def authenticate(store: Store, username: str, password: str
                 ) -> User | None:
    """The active user with this name and password, or None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    row = store.one(QUERIES["user_with_hash"], [username])
    if row is None:
        _hasher().hash(password)  # the same work either way: no timing hint of who exists
        return None
    try:
        _hasher().verify(row[-1], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(*row[:-1])


def get_user(store: Store, user_id: int) -> User | None:
    row = store.one(QUERIES["user_by_id"], [user_id])
    return User(*row) if row else None


def user_named(store: Store, username: str) -> User:
    """The active user of that name (the command line acts as a user too)."""
    row = store.one(QUERIES["user_by_name"], [username])
    if row is None:
        raise AccountError(f"no active user {username!r}: see `povertycloud users list`")
    return User(*row)


def username_taken(store: Store, username: str) -> bool:
    """Whether an account (active or not) has that name."""
    return bool(store.scalar(QUERIES["username_taken"], [username]))


def region_of(store: Store, username: str) -> str | None:
    """The jurisdiction of the account of that name (active or not), or None."""
    found = store.value(QUERIES["region_of_user"], [username])
    return str(found) if found is not None else None


def list_users(store: Store, within: User) -> list[User]:
    """The users whose jurisdiction lies in ``within``'s."""
    rows = store.rows(QUERIES["users_within"], [within.prefix])
    return [User(*r) for r in rows]
