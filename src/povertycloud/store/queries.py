"""Named queries: SQL kept in ``.sql`` files beside the domain that owns it.

A file holds one or more queries, each under a ``-- name: <name>`` line::

    -- name: open_flags
    SELECT ... FROM flags WHERE status = 'open' AND person_id = ?

A package loads its file once (``QUERIES = Queries(__package__)``) and hands the text to
the store: ``store.records(QUERIES["open_flags"], [person_id])``.
"""

from __future__ import annotations

import re
from functools import cached_property
from importlib import resources

from ..errors import PovertyCloudError

_HEADER = re.compile(r"^--\s*name:\s*([a-z][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    """The named queries of ``package`` (its ``file``, ``queries.sql`` by default)."""

    def __init__(self, package: str | None, file: str = "queries.sql") -> None:
        if not package:
            raise PovertyCloudError("named queries need the package that holds them")
        self.package, self.file = package, file

    @cached_property
    def _queries(self) -> dict[str, str]:
        text = resources.files(self.package).joinpath(self.file).read_text("utf-8")
        parts = _HEADER.split(text)
        found: dict[str, str] = {}
        for name, sql in zip(parts[1::2], parts[2::2], strict=True):
            if name in found:
                raise PovertyCloudError(f"{self.package}/{self.file}: query {name} twice")
            found[name] = sql.strip().rstrip(";")
        return found

    def __getitem__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise PovertyCloudError(
                f"{self.package}/{self.file} has no query named {name}") from None

    def names(self) -> list[str]:
        return sorted(self._queries)
