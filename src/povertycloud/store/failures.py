"""What DuckDB's errors mean for the user of a store, as errors they can act on: out of
memory (with a limit that would do), a file or folder the system will not let the
process write, a lock held by another process (named). And the memory limit itself,
checked before it reaches DuckDB."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from ..errors import ConfigError, OutOfMemory, StoreError, StoreLocked, StoreNotWritable

MEMORY_LIMIT = "6GB"  # DuckDB's working memory for a store; more spills to disk
MEMORY_VARIABLE = "POVERTYCLOUD_MEMORY_LIMIT"
MEMORY_UNITS = {"KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
                "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?) ?([KMGT]i?B)", re.IGNORECASE)
_DENIED = re.compile(r'Cannot open file "(.+?)": (Permission denied|Operation not permitted'
                     r"|Read-only file system)")


def _amount(text: str) -> tuple[str, str] | None:
    """The number and the unit (spelt as in :data:`MEMORY_UNITS`) of an amount of
    memory, or None."""
    found = _AMOUNT.fullmatch(text.strip())
    if not found:
        return None
    return found[1], next(u for u in MEMORY_UNITS if u.lower() == found[2].lower())


def memory_limit() -> str:
    """DuckDB's memory limit: ``POVERTYCLOUD_MEMORY_LIMIT`` (default ``MEMORY_LIMIT``),
    checked to be a number and a unit (4GB, 500MB, 2GiB), so that it goes into the
    statement as a literal that cannot be anything else."""
    given = os.environ.get(MEMORY_VARIABLE, MEMORY_LIMIT)
    found = _amount(given)
    if not found or float(found[0]) == 0:
        raise ConfigError(f"{MEMORY_VARIABLE}={given!r} is not an amount of memory: give "
                          "a number and a unit, e.g. 4GB, 500MB or 2GiB (units: "
                          f"{', '.join(MEMORY_UNITS)})")
    return "".join(found)


def translated(exc: BaseException, path: Path | None = None) -> StoreError | None:
    """What a DuckDB error (or one raised while handling it) means for the user of the
    store ``path``; None for an error of another kind."""
    for found in _chain(exc):
        if isinstance(found, duckdb.OutOfMemoryException):
            return _too_little_memory(path)
        if not isinstance(found, duckdb.Error):
            continue
        text = str(found).split("\n")[0]  # not the SQL DuckDB quotes after it
        if "Could not set lock" in text:
            holder = _holder(text)
            return StoreLocked(f"{path or 'the store'} is locked by {holder}: run again when "
                               "it is done (commands that change the store wait for it "
                               "with --wait SECONDS)", holder)
        denied = _DENIED.search(text)
        if denied:
            return not_writable(Path(denied[1]), denied[2], path)
    return None


# PostgreSQL's words for a write another transaction got to first, through DuckDB
_CONFLICTS = ("could not serialize access", "deadlock detected", "due to lock timeout",
              "duplicate key value violates unique constraint")


def conflicting(exc: duckdb.Error) -> bool:
    """Whether PostgreSQL refused a write for another transaction's (DuckDB says so by
    the exception's class)."""
    return any(words in str(exc) for words in _CONFLICTS)


def denied_reason(exc: duckdb.Error) -> str | None:
    """Why the system refused DuckDB a file (``Permission denied``...), if it did."""
    found = _DENIED.search(str(exc))
    return found[2] if found else None


def not_writable(file: Path, reason: str, store: Path | None = None) -> StoreNotWritable:
    """``file`` refused by the system: the store's log, the store, or another file (an
    export)."""
    if file.suffix == ".wal":  # DuckDB logs each commit beside the store, then applies it
        return StoreNotWritable(
            f"{file.with_suffix('')} cannot be written: its folder {file.parent} does not "
            f"let this process create {file.name} ({reason}); a command that changes "
            "the store needs to write in its folder")
    if store is not None and file.resolve() == store.resolve():
        return StoreNotWritable(f"{file} cannot be written ({reason}); commands that only "
                                "read the store (export, rollup, explain, store info...) "
                                "can still open it")
    if file.suffix == ".partial":  # DuckDB writes an output under this name first
        file = file.with_suffix("")
    return StoreNotWritable(f"{file} cannot be opened ({reason})")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        yield found
        found = found.__cause__ or found.__context__


def _too_little_memory(path: Path | None) -> OutOfMemory:
    """Out of memory, with a limit that would do better: twice the current one, and at
    least four times the store's file (the working set of a whole-registry step) and
    256 MB, rounded up to a power of two."""
    limit = memory_limit()
    number, unit = _amount(limit) or ("0", "MB")
    size = path.stat().st_size if path is not None and path.exists() else 0
    needed = max(2 * float(number) * MEMORY_UNITS[unit], 4 * size, 256 * 1000**2)
    megabytes = 2 ** math.ceil(math.log2(needed / 1000**2))
    more = f"{megabytes // 1024}GB" if megabytes >= 1024 else f"{megabytes}MB"
    store = f" on {path}" + (f" ({size / 1000**2:,.0f} MB)" if size else "") if path else ""
    return OutOfMemory(f"DuckDB ran out of memory{store}: {MEMORY_VARIABLE}={limit} is too "
                       f"small for this command; set {MEMORY_VARIABLE}={more} or more "
                       f"(unset, it is {MEMORY_LIMIT})")


def _holder(message: str) -> str:
    """The process DuckDB says holds a lock, as its command line where the system shows
    it (``povertycloud serve --db ...``), with its PID."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", message)
    if not found:
        return "another process"
    name, pid = found[1], found[2]
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except (OSError, UnicodeDecodeError):
        words = []
    if len(words) > 1 and Path(words[0]).name.startswith("python"):
        words = words[1:]  # the script, not its interpreter
    if words:
        name = " ".join([Path(words[0]).name, *words[1:]])
    return f"{name} (PID {pid})"
