"""The ledger: double-entry, append-only, each book a chain of hashes.

An entry moves one programme's money on one day between accounts (``accounts``): its
postings are integer fen, debit positive and credit negative, and sum to zero. What an
entry may do is its kind's shape (``SHAPES``): an appropriation brings a source's money
to a region, an allocation passes it down to a region below, a disbursement sends it to
the county's bank clearing or to a project, goods in kind go to a household, a receipt
is the bank's confirmation that a household was paid, a return brings money back. A
correction is a reversal: the same postings with the signs turned, never an edit.

Entries are booked into the book of the accounts they pay from (a county's, for a
county and below): each is the next link of its book's chain, ``seq`` one more than the
last and ``hash`` = SHA-256 of the previous link's hash and the entry's digest (its
content and postings, ``queries.sql: digests``). The book's next ``seq`` is unique, so
of two officers booking into one book at the same moment one commits and the other
books again on the new balance, or is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pyarrow as pa

from ..access.accounts import User
from ..errors import PovertyCloudError
from ..store import Queries, Store, StoreConflict
from .accounts import HELD, Account, AccountError, book_of, parse_account, within
from .money import yuan
from .programmes import Programmes

T = TypeVar("T")
QUERIES = Queries(__package__)
DIGESTS = QUERIES["digests"]  # over entries_ and postings_: booked, or about to be
GENESIS = "0" * 64  # the hash before a book's first entry
ATTEMPTS = 3  # bookings tried again after losing the book's next link to another
# kind: (kinds of account it pays from, kinds it pays to)
SHAPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "appropriation": (frozenset({"source"}), frozenset({"region"})),
    "allocation": (frozenset({"region"}), frozenset({"region"})),
    "disbursement": (frozenset({"region"}), frozenset({"clearing", "project"})),
    "in_kind": (frozenset({"region"}), frozenset({"household"})),
    "receipt": (frozenset({"clearing"}), frozenset({"household", "recovery"})),
    "return": (frozenset({"clearing", "recovery", "household", "project"}),
               frozenset({"region"})),
}
KINDS = (*SHAPES, "reversal")
OPEN_ONLY = ("appropriation", "allocation", "disbursement", "in_kind")  # in a programme's days


class LedgerError(PovertyCloudError):
    """An entry that may not be booked: the reason says why; nothing was booked."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}; nothing was booked")


@dataclass(frozen=True)
class Posting:
    account: str
    amount_fen: int  # debit positive, credit negative


@dataclass(frozen=True)
class Entry:
    kind: str
    programme: str
    value_date: dt.date
    postings: tuple[Posting, ...]
    memo: str | None = None
    reverses: int | None = None
    batch_id: int | None = None
    label: str = "entry"  # how errors name it (a file's line)


@dataclass
class Checked:
    """Entries that passed the checks, by book, with what they change of the held
    balances, in order: ((account, programme), fen)."""

    books: dict[str, list[Entry]] = field(default_factory=dict)
    changes: list[tuple[tuple[str, str], int]] = field(default_factory=list)


def book(store: Store, entries: Sequence[Entry], by: User, programmes: Programmes
         ) -> list[int]:
    """Book ``entries`` as ``by`` in one transaction, all or none; returns their ids."""
    def booking() -> list[int]:
        checked = check(store, entries, by, programmes)
        enough(store, checked.changes)
        return [i for b, es in checked.books.items()
                for i in append(store, b, _tables(store, es, by))]

    return retrying(store, booking)


def retrying(store: Store, booking: Callable[[], T]) -> T:
    """``booking`` in a transaction of its own, again (on the balances as they are
    then) when another booking took the book's next link first."""
    for attempt in range(ATTEMPTS):
        try:
            with store.transaction():
                return booking()
        except StoreConflict:
            if attempt == ATTEMPTS - 1:
                raise LedgerError("other entries were booked into the same book at the "
                                  "same moment each time: try again") from None
    raise AssertionError("unreachable")


def reverse(store: Store, entry_id: int, by: User, programmes: Programmes,
            memo: str | None = None, on: dt.date | None = None) -> int:
    """Book the reversal of entry ``entry_id``: its postings with the signs turned."""
    found = store.record("SELECT kind, programme FROM fund_entries WHERE entry_id = ?",
                         [entry_id])
    if found is None:
        raise LedgerError(f"no entry {entry_id}")
    if found["kind"] == "reversal":
        raise LedgerError(f"entry {entry_id} is a reversal; book the entry again instead")
    done = store.value("SELECT entry_id FROM fund_entries WHERE reverses = ?", [entry_id])
    if done is not None:
        raise LedgerError(f"entry {entry_id} was reversed already, by entry {done}")
    lines = store.rows("SELECT account, amount_fen FROM fund_postings WHERE entry_id = ? "
                       "ORDER BY line", [entry_id])
    postings = tuple(Posting(a, -int(amount)) for a, amount in lines)
    entry = Entry("reversal", found["programme"], on or dt.date.today(), postings,
                  memo or f"reverses entry {entry_id}", reverses=entry_id)
    return book(store, [entry], by, programmes)[0]


def check(store: Store, entries: Iterable[Entry], by: User, programmes: Programmes
          ) -> Checked:
    """The entries by book, each checked: balanced integer fen, accounts well written
    and at home in ``by``'s jurisdiction, its kind's shape, its programme open."""
    entries = list(entries)
    households = _household_homes(store, entries)
    checked = Checked()
    for entry in entries:
        accounts = _accounts(entry)
        _balanced(entry)
        programme = programmes[entry.programme] if entry.programme else None
        if programme is None:
            raise LedgerError(f"{entry.label}: no programme")
        if entry.kind in OPEN_ONLY and not programme.open_on(entry.value_date):
            raise LedgerError(f"{entry.label}: programme {programme.id} is closed on "
                              f"{entry.value_date} (open {programme.opens} to "
                              f"{programme.closes})")
        homes = [_home(a, households, entry) for a in accounts]
        _jurisdiction(entry, accounts, homes, by)
        _shape(entry, accounts, homes)
        paying = {book_of(h) for a, h, p in zip(accounts, homes, entry.postings,
                                                strict=True)
                  if p.amount_fen < 0 and h is not None}
        if not paying:  # an appropriation: into the book of the region it reaches
            paying = {book_of(h) for h in homes if h is not None}
        if len(paying) != 1:
            raise LedgerError(f"{entry.label}: pays from accounts of several books "
                              f"({', '.join(sorted(paying))}); book one entry per book")
        checked.books.setdefault(paying.pop(), []).append(entry)
        checked.changes += [((str(a), entry.programme), p.amount_fen)
                            for a, p in zip(accounts, entry.postings, strict=True)
                            if a.kind in (*HELD, "household")]
    return checked


def _accounts(entry: Entry) -> list[Account]:
    if entry.kind not in KINDS:
        raise LedgerError(f"{entry.label}: unknown kind {entry.kind!r}; the kinds are "
                          f"{', '.join(KINDS)}")
    if len(entry.postings) < 2:
        raise LedgerError(f"{entry.label}: an entry has two postings at least")
    try:
        accounts = [parse_account(p.account) for p in entry.postings]
    except AccountError as exc:
        raise LedgerError(f"{entry.label}: {exc}") from None
    if len({str(a) for a in accounts}) != len(accounts):
        raise LedgerError(f"{entry.label}: an account appears twice")
    return accounts


def _balanced(entry: Entry) -> None:
    for p in entry.postings:
        if not isinstance(p.amount_fen, int) or isinstance(p.amount_fen, bool):
            raise LedgerError(f"{entry.label}: {p.account}: amounts are whole fen, not "
                              f"{p.amount_fen!r}")
        if p.amount_fen == 0:
            raise LedgerError(f"{entry.label}: {p.account}: a posting of zero")
    total = sum(p.amount_fen for p in entry.postings)
    if total:
        raise LedgerError(f"{entry.label}: does not balance: debits and credits differ "
                          f"by {yuan(total)} yuan")


def _household_homes(store: Store, entries: list[Entry]) -> dict[str, str]:
    ids = sorted({int(p.account.split(":", 1)[1]) for e in entries for p in e.postings
                  if p.account.startswith("household:") and
                  p.account.split(":", 1)[1].isdigit()})
    if not ids:
        return {}
    asked = pa.table({"household_id": pa.array(ids, pa.int64())})
    with store.registered("asked_households_", asked):
        return {str(h): v for h, v in store.rows(QUERIES["homes_of_households"])}


def _home(account: Account, households: dict[str, str], entry: Entry) -> str | None:
    if account.kind == "household":
        if account.ref not in households:
            raise LedgerError(f"{entry.label}: household {account.ref} is not in the "
                              "registry")
        return households[account.ref]
    return account.region


def _shape(entry: Entry, accounts: list[Account], homes: list[str | None]) -> None:
    """The kind's accounts, and money moving down and within its county, not across."""
    if entry.kind == "reversal":
        if entry.reverses is None:
            raise LedgerError(f"{entry.label}: a reversal names the entry it reverses")
        return
    pays, gets = SHAPES[entry.kind]
    for account, posting in zip(accounts, entry.postings, strict=True):
        allowed = pays if posting.amount_fen < 0 else gets
        if account.kind not in allowed:
            side = "pay from" if posting.amount_fen < 0 else "pay to"
            raise LedgerError(f"{entry.label}: {entry.kind} cannot {side} {account} (it "
                              f"{side}s {' or '.join(sorted(allowed))} accounts)")
    paying = [h for h, p in zip(homes, entry.postings, strict=True)
              if p.amount_fen < 0 and h is not None]
    paid = [h for h, p in zip(homes, entry.postings, strict=True) if p.amount_fen > 0]
    for source in paying:
        for target in paid:
            assert target is not None
            if entry.kind == "allocation" and (target == source or not within(target,
                                                                               source)):
                raise LedgerError(f"{entry.label}: an allocation goes down, to a region "
                                  f"below {source}, not to {target}")
            if entry.kind != "allocation" and book_of(target) != book_of(source):
                raise LedgerError(f"{entry.label}: {entry.kind} from {source} to an "
                                  f"account of another county ({target})")
            if entry.kind in ("disbursement", "in_kind") and not within(target, source) \
                    and book_of(target) != target:
                raise LedgerError(f"{entry.label}: {entry.kind} from {source} to "
                                  f"{target}, which is not below it")


def _jurisdiction(entry: Entry, accounts: list[Account], homes: list[str | None],
                  by: User) -> None:
    for account, home in zip(accounts, homes, strict=True):
        if home is None:
            if by.level != "province":
                raise LedgerError(f"{entry.label}: only a province's officer brings "
                                  f"money in from {account}")
            continue
        if not within(home, by.region_code):
            raise LedgerError(f"{entry.label}: {account} is outside the jurisdiction of "
                              f"{by.username} ({by.region_code})")


def enough(store: Store, changes: list[tuple[tuple[str, str], int]]) -> None:
    """Refuse what would take a held account below zero at any step: ``changes`` are
    what each entry in turn adds to an (account, programme), in fen."""
    keys = sorted({key for key, _ in changes})
    if not keys:
        return
    asked = pa.table({"account": [a for a, _ in keys], "programme": [p for _, p in keys]})
    with store.registered("asked_", asked):
        balances = {(a, p): int(b) for a, p, b in store.rows(QUERIES["balances_of"])}
    for key, change in changes:
        if change < 0 and balances[key] + change < 0:
            raise LedgerError(f"{key[0]} holds {yuan(balances[key])} yuan of {key[1]}: "
                              f"not enough for {yuan(-change)} yuan")
        balances[key] += change


def _tables(store: Store, entries: list[Entry], by: User) -> tuple[pa.Table, pa.Table]:
    """The entries and their postings as tables, with their new ids."""
    start = store.draw("fund_entry_ids", len(entries))
    ids = list(range(start + 1, start + len(entries) + 1))
    now = dt.datetime.now().replace(tzinfo=None)
    heads = pa.table({
        "entry_id": pa.array(ids, pa.int64()),
        "kind": [e.kind for e in entries],
        "programme": [e.programme for e in entries],
        "value_date": pa.array([e.value_date for e in entries], pa.date32()),
        "memo": pa.array([e.memo for e in entries], pa.string()),
        "reverses": pa.array([e.reverses for e in entries], pa.int64()),
        "batch_id": pa.array([e.batch_id for e in entries], pa.int64()),
        "booked_by": [by.username] * len(entries),
        "booked_at": pa.array([now] * len(entries), pa.timestamp("us")),
    })
    lines = [(i, n, p.account, p.amount_fen) for i, e in zip(ids, entries, strict=True)
             for n, p in enumerate(e.postings, 1)]
    postings = pa.table({
        "entry_id": pa.array([x[0] for x in lines], pa.int64()),
        "line": pa.array([x[1] for x in lines], pa.int32()),
        "account": pa.array([x[2] for x in lines], pa.string()),
        "amount_fen": pa.array([x[3] for x in lines], pa.int64()),
    })
    return heads, postings


def append(store: Store, book_code: str, tables: tuple[pa.Table, pa.Table]) -> list[int]:
    """Append entries (without book, seq or hashes; in the order given) and their
    postings to the end of ``book_code``'s chain, in the caller's transaction."""
    heads, postings = tables
    head = store.one(QUERIES["head"], [book_code])
    seq, prev = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    n = heads.num_rows
    heads = heads.append_column("book", pa.array([book_code] * n, pa.string())) \
        .append_column("seq", pa.array(range(seq + 1, seq + n + 1), pa.int64())) \
        .append_column("prev_hash", pa.array([""] * n, pa.string())) \
        .append_column("hash", pa.array([""] * n, pa.string()))
    with store.registered("entries_", heads), store.registered("postings_", postings):
        digests = store.arrow(f"SELECT entry_id, digest FROM ({DIGESTS}) ORDER BY seq")
    chain_prev, chain = chained(prev, digests["digest"].to_pylist())
    order = digests["entry_id"]
    final = pa.table({"entry_id": order, "prev_hash": chain_prev, "hash": chain})
    heads = heads.drop_columns(["prev_hash", "hash"])
    with store.registered("heads_", heads), store.registered("links_", final), \
            store.registered("postings_", postings):
        store.execute(QUERIES["insert_entries"])
        store.execute(QUERIES["insert_postings"])
    return [int(i) for i in heads["entry_id"].to_pylist()]


def chained(prev: str, digests: Sequence[str]) -> tuple[list[str], list[str]]:
    """Each link's previous hash and its own, from the hash before the first."""
    prevs, hashes = [], []
    for digest in digests:
        prevs.append(prev)
        prev = hashlib.sha256((prev + digest).encode()).hexdigest()
        hashes.append(prev)
    return prevs, hashes
