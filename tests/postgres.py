"""PostgreSQL for the tests: a database of its own for each test, made by the role that
``POVERTYCLOUD_TEST_POSTGRES`` names (``./dev test`` starts the server and sets it up),
from an empty one or from a template (a province copied into PostgreSQL once)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from povertycloud.store import Store
from povertycloud.store.copy import copy_store

VARIABLE = "POVERTYCLOUD_TEST_POSTGRES"


class Postgres:
    """The test server, reached through the maintenance database of ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(statement)  # type: ignore[arg-type]

    def url_of(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of ``template``, a database's URL); its URL."""
        name = f"pc_test_{uuid.uuid4().hex[:12]}"
        like = f" TEMPLATE {template.rsplit('/', 1)[1]}" if template else ""
        self._admin(f"CREATE DATABASE {name}{like}")
        return self.url_of(name)

    def drop(self, url: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    @contextmanager
    def database(self, template: str | None = None) -> Iterator[str]:
        url = self.create(template)
        try:
            yield url
        finally:
            self.drop(url)

    def copy_of(self, db: Path) -> str:
        """A new database holding the store ``db`` (a DuckDB file), to copy per test."""
        url = self.create()
        with Store(db, read_only=True) as source, Store.create(url) as target:
            copy_store(source, target)
        return url


def server() -> Postgres:
    url = os.environ.get(VARIABLE)
    if not url:
        pytest.skip(f"{VARIABLE} is not set: ./dev test sets up PostgreSQL and sets it")
    return Postgres(url)
