"""`povertycloud funds verify`: walk every book's chain and name each entry that was
edited, deleted, inserted or moved since it was booked, and any entry that does not
balance. A chain proves the ledger unchanged against a head kept elsewhere: the heads
this reports (or `funds heads`) are what an auditor keeps and compares."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..store import Store
from .ledger import DIGESTS, GENESIS, QUERIES

PIECE = 1_000_000  # entries walked at a time (their digests sorted in the store's memory)
IN_RANGES = QUERIES["entries_in_ranges"]
LINKS = (f"WITH entries_ AS ({IN_RANGES}), postings_ AS (SELECT * FROM "
         "fund_postings WHERE entry_id IN (SELECT entry_id FROM entries_)) SELECT book, "
         f"entry_id, seq, prev_hash, hash, digest FROM ({DIGESTS}) ORDER BY book, seq, "
         "entry_id")


@dataclass(frozen=True)
class Finding:
    book: str
    entry_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"book {self.book}" + (f", entry {self.entry_id} (link {self.seq})"
                                       if self.entry_id is not None else "")
        return f"{where}: {self.problem}"


@dataclass
class Verification:
    books: dict[str, tuple[int, str]] = field(default_factory=dict)  # entries, head hash
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


def verify(store: Store, against: dict[str, tuple[int, str]] | None = None,
           progress: Callable[[str, int], None] | None = None) -> Verification:
    """Every book's chain checked link by link; with ``against`` (heads kept earlier:
    book to entries and head hash), each book checked to extend what it was then."""
    result = Verification()
    _walk(store, result, progress)
    for entry_id, book, seq, off, lines in store.rows(QUERIES["unbalanced"]):
        problem = (f"has {lines} posting(s); an entry has two at least" if lines < 2 else
                   f"does not balance: its postings sum to {off} fen")
        result.findings.append(Finding(book, entry_id, seq, problem))
    for (entry_id,) in store.rows(QUERIES["orphan_postings"]):
        result.findings.append(Finding("?", entry_id, None, "postings of an entry that "
                                       "is not in the ledger (deleted, or inserted)"))
    if against is not None:
        _compare(store, result, against)
    return result


def _walk(store: Store, result: Verification,
          progress: Callable[[str, int], None] | None) -> None:
    """Check every book's links in order, a piece of the ledger at a time (so that a
    province's year fits the store's memory); each book's entries and head hash into
    ``result``."""
    book, expected_seq, prev, count = None, 1, GENESIS, 0
    for rows in _pieces(store):
        for this, entry_id, seq, prev_hash, stored, digest in zip(
                rows["book"], rows["entry_id"], rows["seq"], rows["prev_hash"],
                rows["hash"], rows["digest"], strict=True):
            if this != book:
                if book is not None:
                    _ended(result, book, count, prev, progress)
                book, expected_seq, prev, count = this, 1, GENESIS, 0
            count += 1
            problem = _link_problem(seq, expected_seq, prev_hash, prev, stored, digest)
            if problem:
                result.findings.append(Finding(this, entry_id, seq, problem))
            expected_seq, prev = seq + 1, stored
    if book is not None:
        _ended(result, book, count, prev, progress)


def _pieces(store: Store) -> Iterator[dict[str, list[Any]]]:
    """The links of every book with their digests, in the order of the chains, in pieces
    of about ``PIECE`` entries: runs of ``seq`` of one or more books."""
    piece: list[tuple[str, int, int]] = []
    size = 0
    runs = store.rows(QUERIES["book_ranges"], [PIECE])
    for i, (book, low, high, entries) in enumerate(runs):
        later = runs[i + 1] if i + 1 < len(runs) else None
        if later is not None and later[0] == book:
            high = later[1] - 1  # a link number repeated across two runs: in the later
        piece.append((book, low, high))
        size += entries
        if later is None or size + later[3] > PIECE:
            asked = pa.table({"book": [b for b, _, _ in piece],
                              "low": [lo for _, lo, _ in piece],
                              "high": [hi for _, _, hi in piece]})
            with store.registered("ranges_", asked):
                for batch in store.batches(LINKS, 200_000):
                    yield batch.to_pydict()
            piece, size = [], 0


def _ended(result: Verification, book: str, count: int, head: str,
           progress: Callable[[str, int], None] | None) -> None:
    result.books[book] = (count, head)
    if progress is not None:
        progress(book, count)


def _link_problem(seq: int, expected_seq: int, prev_hash: str, prev: str, stored: str,
                  digest: str) -> str | None:
    if seq != expected_seq:
        return (f"is link {seq} where link {expected_seq} was expected: an entry before "
                "it was deleted, or it was moved" if seq > expected_seq else
                "repeats a link number: an entry was inserted")
    if prev_hash != prev:
        return ("does not follow the entry before it (an entry was inserted, deleted or "
                "reordered)")
    if hashlib.sha256((prev_hash + digest).encode()).hexdigest() != stored:
        return "was changed after it was booked: its content no longer gives its hash"
    return None


def _compare(store: Store, result: Verification,
             against: dict[str, tuple[int, str]]) -> None:
    """Each kept head still in its book, at its place: the book was only extended."""
    for book, (entries, head) in against.items():
        now = store.value("SELECT hash FROM fund_entries WHERE book = ? AND seq = ?",
                          [book, entries])
        if now != head:
            result.findings.append(Finding(
                book, None, entries, f"its link {entries} is no longer the head kept "
                "earlier: the book was rewritten since"))
