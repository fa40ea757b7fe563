"""Accounts of the ledger, written ``kind:ref``: where money is and whose it is.

- ``source:central`` (or provincial, prefecture, county): where a programme's money comes
  from; its balance is what was appropriated, negative;
- ``region:<code>``: the poverty alleviation office of a region, province to village;
- ``clearing:<county>``: the county's payments at the bank, sent and not yet confirmed
  (the household's bank card, 一卡通);
- ``recovery:<county>``: paid by the bank to someone other than the payee, to recover;
- ``household:<id>`` and ``project:<region code>/<id>``: where the money is spent.

Each account but a source has a home region: its own, the county's, the household's
village, the project's region. An officer books only between accounts at home in their
jurisdiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import PovertyCloudError
from ..standard.regions import PREFIX_LENGTH, level_of
from ..standard.regions import problem as code_problem
from .programmes import SOURCES

KINDS = ("source", "region", "clearing", "recovery", "household", "project")
# accounts whose balance may never go below zero: money held, not money spent or owed
HELD = ("region", "clearing", "recovery", "project")
_PROJECT = re.compile(r"([0-9]{12})/([A-Za-z0-9_.-]{1,64})")


class AccountError(PovertyCloudError):
    """An account that is not well written, or not where it may be used."""


@dataclass(frozen=True)
class Account:
    kind: str
    ref: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def region(self) -> str | None:
        """Its home region's code, where the account's text says it (not a household's)."""
        if self.kind in ("region", "clearing", "recovery"):
            return self.ref
        if self.kind == "project":
            return self.ref.split("/", 1)[0]
        return None


def parse_account(text: str) -> Account:
    """The account ``text`` names, checked."""
    kind, _, ref = str(text).strip().partition(":")
    if kind not in KINDS or not ref:
        raise AccountError(f"{text!r} is not an account: write kind:ref, the kinds being "
                           f"{', '.join(KINDS)} (region:520121000000, household:42)")
    if kind == "source" and ref not in SOURCES:
        raise AccountError(f"{text!r}: the sources are {', '.join(SOURCES)}")
    if kind == "household" and not ref.isdigit():
        raise AccountError(f"{text!r}: a household account is household:<household id>")
    if kind == "project" and not _PROJECT.fullmatch(ref):
        raise AccountError(f"{text!r}: a project account is project:<region code>/<id>")
    code = Account(kind, ref).region
    if code is not None:
        why = code_problem(code)
        if why:
            raise AccountError(f"{text!r}: the region code {why}")
        if kind in ("clearing", "recovery") and level_of(code) != "county":
            raise AccountError(f"{text!r}: a {kind} account is a county's")
    return Account(kind, ref)


def book_of(home: str) -> str:
    """The book (the chain of entries) of a region: its county's for a county and below,
    its own above."""
    if level_of(home) in ("province", "prefecture"):
        return home
    return home[:PREFIX_LENGTH["county"]] + "0" * 6


def within(code: str, region: str) -> bool:
    """Whether ``code`` is ``region`` or lies below it."""
    return code.startswith(region[:PREFIX_LENGTH[level_of(region)]])
