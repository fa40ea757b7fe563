"""Where each record of a CSV file starts, as editors count lines, found before the file
is read: a quoted value may span lines and blank lines are skipped, so the record's
number is not its line. The same pass refuses, naming the line, what the CSV reader
would report without one: a quote never closed, a quote inside an unquoted value, a
record wider or narrower than the header, a record too long, a file with no records."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PovertyCloudError

CHUNK = 1 << 24  # bytes scanned at a time
MAX_RECORD = 1 << 21  # the longest record read (DuckDB's max_line_size default)
NEWLINE, QUOTE, COMMA, RETURN = b"\n"[0], b'"'[0], b","[0], b"\r"[0]


@dataclass(frozen=True)
class Layout:
    """A CSV's header (column names) and the line each data record starts on."""

    header: list[str]
    lines: np.ndarray  # int64, one per data record, in file order

    @property
    def plain(self) -> bool:
        """True when record n is on line n + 1 (no blank lines, no values over lines)."""
        return bool(np.array_equal(self.lines, np.arange(2, len(self.lines) + 2)))


def layout(text: Path, path: Path) -> Layout:
    """The header and the data records' lines of the CSV ``path``, read from ``text``
    (itself, or its UTF-8 copy), not empty: comma separated, values quoted with ``"``
    and quotes inside doubled (RFC 4180)."""
    data = np.memmap(text, dtype=np.uint8, mode="r")
    scan = _Scan(data)
    for offset in range(0, data.size, CHUNK):
        scan.chunk(offset)
    scan.finish()
    scan.check_quotes(path)
    starts = np.r_[0, scan.separators + 1]
    ends = np.r_[scan.separators, data.size]
    if starts[-1] == data.size:  # the file ends with a newline: no record after it
        starts, ends = starts[:-1], ends[:-1]
    lines = scan.line(starts)
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (data[np.minimum(starts, data.size - 1)]
                                              == RETURN))
    if blank[0]:
        raise PovertyCloudError(f"{path}, line 1: blank; the first line must be the header "
                                "(the column names)")
    rows = np.flatnonzero(~blank[1:]) + 1
    if not rows.size:
        raise PovertyCloudError(f"{path}: no rows, only the header")
    long = rows[length[rows] > MAX_RECORD]
    if long.size:
        raise PovertyCloudError(
            f"{path}, line {lines[long[0]]}: a row of {length[long[0]]:,} bytes, longer "
            f"than the {MAX_RECORD:,} a row may have (a quote not closed?)")
    widths = scan.widths(starts.size)
    uneven = rows[widths[rows] != widths[0]]
    if uneven.size:
        raise PovertyCloudError(
            f"{path}, line {lines[uneven[0]]}: {widths[uneven[0]]} values, but the header "
            f"(line 1) has {widths[0]} columns")
    return Layout(_header(path, data[starts[0]:ends[0]]), lines[rows].astype(np.int64))


class _Scan:
    """One pass over a CSV's bytes, a chunk at a time: its newlines (all, and those
    ending a record), the commas outside quotes before each record's end, and the first
    quote out of place."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data
        self.quotes = self.commas = 0  # seen so far (the commas outside quotes)
        self.last_quote = -1
        self.misplaced: tuple[int, str] | None = None  # position, what is wrong
        self._newlines: list[np.ndarray] = []
        self._separators: list[np.ndarray] = []
        self._commas: list[np.ndarray] = []  # commas before each separator
        self.newlines = self.separators = np.zeros(0, dtype=np.int64)

    def chunk(self, offset: int) -> None:
        piece = np.asarray(self.data[offset:offset + CHUNK])
        is_quote = piece == QUOTE
        # 1 from an opening quote to its closing one (excluded): inside a quoted value
        inside = np.bitwise_xor.accumulate(is_quote.view(np.uint8)) ^ (self.quotes % 2)
        is_newline = piece == NEWLINE
        separators = np.flatnonzero(is_newline & (inside == 0)) + offset
        commas = np.flatnonzero((piece == COMMA) & (inside == 0)) + offset
        self._commas.append(self.commas + np.searchsorted(commas, separators))
        self.commas += commas.size
        self._newlines.append(np.flatnonzero(is_newline) + offset)
        self._separators.append(separators)
        if self.misplaced is None:
            self._check_places(np.flatnonzero(is_quote & (inside == 1)) + offset,
                               np.flatnonzero(is_quote & (inside == 0)) + offset)
        self.quotes += int(np.count_nonzero(is_quote))
        if is_quote.any():
            self.last_quote = offset + int(np.flatnonzero(is_quote)[-1])

    def finish(self) -> None:
        self.newlines = np.concatenate(self._newlines)
        self.separators = np.concatenate(self._separators)

    def _check_places(self, opening: np.ndarray, closing: np.ndarray) -> None:
        """A quote opens a value where it starts, and closes it before a comma, a line's
        end or a quote doubled inside; the first one elsewhere is kept."""
        data, last = self.data, self.data.size - 1
        stray = opening[(opening > 0) & ~np.isin(data[np.maximum(opening - 1, 0)],
                                                  [COMMA, NEWLINE, RETURN, QUOTE])]
        early = closing[(closing < last) & ~np.isin(data[np.minimum(closing + 1, last)],
                                                     [COMMA, NEWLINE, RETURN, QUOTE])]
        found = [(int(p[0]), what) for p, what in (
            (stray, 'a quote (") inside a value; put the value in quotes and double the '
                    'quote inside ("")'),
            (early, "text after the closing quote of a value")) if p.size]
        if found:
            self.misplaced = min(found)

    def line(self, positions: np.ndarray) -> np.ndarray:
        """The line of each byte position (newlines before it, plus one)."""
        return np.searchsorted(self.newlines, positions) + 1

    def check_quotes(self, path: Path) -> None:
        if self.misplaced is not None:
            position, what = self.misplaced
            raise PovertyCloudError(f"{path}, line {self.line(np.array([position]))[0]}: "
                                    f"{what}")
        if self.quotes % 2:
            raise PovertyCloudError(
                f"{path}, line {self.line(np.array([self.last_quote]))[0]}: a quote opens "
                "a value that is never closed (the file is cut off?)")

    def widths(self, records: int) -> np.ndarray:
        """The number of values of each record: its commas outside quotes, plus one."""
        before_end = np.r_[0, np.concatenate(self._commas), self.commas]
        widths: np.ndarray = np.diff(before_end)[:records] + 1
        return widths


def _header(path: Path, line: np.ndarray) -> list[str]:
    text = line.tobytes().decode("utf-8-sig").rstrip("\r")
    names = next(csv.reader([text]))
    if "" in names:
        raise PovertyCloudError(f"{path}, line 1 (header): column {names.index('') + 1} "
                                "has no name (a comma too many?)")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PovertyCloudError(f"{path}, line 1 (header): column(s) named twice: "
                                f"{', '.join(map(repr, twice))}")
    return names
