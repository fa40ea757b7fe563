"""Property-based requests against the OpenAPI schema (schemathesis): whatever the
input, as a logged-in administrator or as nobody, the application never answers 5xx."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig

PASSWORD = "correct horse battery"
# The schema is read when the module loads; the store is set before the first request.
CONFIG = WebConfig(db=Path("set by the fixture"), login_attempts=10_000,
                   complaints_per_window=10_000)
APP = create_app(CONFIG)
schema = schemathesis.openapi.from_dict(APP.openapi())
# a delivery's Parquet body: schemathesis's bytes, as it sends application/octet-stream
schemathesis.serializer.alias("application/vnd.apache.parquet", "application/octet-stream")
schema.app = APP  # requests go to the application in process (ASGI)


@pytest.fixture(scope="module")
def token(web_store: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[str]:
    """Open the application over a copy of the store; an administrator's token."""
    CONFIG.db = tmp_path_factory.mktemp("schema") / "store.duckdb"
    shutil.copy(web_store[0], CONFIG.db)
    with TestClient(APP) as client:
        response = client.post("/api/session", json={"username": "admin",
                                                      "password": PASSWORD})
        yield str(response.json()["token"])


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, token: str) -> None:
    for headers in ({"Authorization": f"Bearer {token}"}, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path,
                                            response.status_code, response.text[:300])
