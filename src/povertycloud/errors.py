"""Errors a user can act on. The CLI prints their message and exits non-zero."""

from __future__ import annotations

from dataclasses import dataclass


class PovertyCloudError(Exception):
    """An error caused by input or state the user controls; its message says what to do."""


class StoreError(PovertyCloudError):
    """The store is missing, newer than this program, or otherwise unusable."""


class StoreLocked(StoreError):
    """Another process holds the store's lock: a writer, or the web server."""

    def __init__(self, message: str, holder: str) -> None:
        super().__init__(message)
        self.holder = holder  # the process, as "name (PID n)" when DuckDB names it


class StoreNotWritable(StoreError):
    """The store's file, or its folder (where the write-ahead log goes), cannot be
    written by this process."""


class OutOfMemory(StoreError):
    """DuckDB ran out of the memory POVERTYCLOUD_MEMORY_LIMIT allows it."""


class EngineError(PovertyCloudError):
    """An unknown engine, or an engine that cannot start."""


class NotFound(PovertyCloudError):
    """An unknown region, household or record."""


class UnknownNameError(PovertyCloudError, KeyError):
    """A table, level or other name the standard does not know."""

    def __str__(self) -> str:
        return str(self.args[0])


class ConfigError(PovertyCloudError, ValueError):
    """A setting out of its allowed range."""


class OutputExistsError(PovertyCloudError):
    """An output path exists and the user did not ask to overwrite it."""


@dataclass(frozen=True)
class Issue:
    """One problem in one row of an input file, at its line (a CSV's) or row."""

    source: str
    row: int
    field: str
    reason: str
    unit: str = "row"

    def __str__(self) -> str:
        return f"{self.source}, {self.unit} {self.row}, field {self.field!r}: {self.reason}"


class ValidationFailed(PovertyCloudError):
    """A batch has invalid rows; nothing was written."""

    def __init__(self, issues: list[Issue], total: int, shown: int = 20,
                 nothing: str = "nothing was imported (use --keep-good to quarantine bad "
                                "rows)") -> None:
        self.issues = issues
        self.total = total
        lines = [str(i) for i in issues[:shown]]
        more = total - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        head = f"{total} problem(s) found; {nothing}"
        # one problem on the line of the message, more each on a line of its own
        super().__init__(head + (": " if total == 1 else ":\n  ") + "\n  ".join(lines))
