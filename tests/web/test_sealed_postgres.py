"""The web platform on a PostgreSQL store whose sensitive columns are sealed: the tests
of the pages and the API that read, search, mask, unmask and write sensitive values,
run again on such a store (the ``client`` below replaces conftest's for this module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests import postgres
from tests.web.conftest import Regions
from tests.web.test_api import (  # noqa: F401  (collected here, on a sealed store)
    test_search_finds_only_within_the_jurisdiction,
    test_the_household_file_is_masked_and_its_reading_audited,
    test_unmasking_shows_everything_and_is_audited,
)
from tests.web.test_complaint_contact import (  # noqa: F401
    test_the_handling_officer_reveals_the_contact_audited,
)
from tests.web.test_health_privacy import (  # noqa: F401
    ill,
    test_flag_evidence_is_masked_and_unmasked_only_through_the_audit,
    test_who_may_unmask_sees_the_health_details,
    user,
)
from tests.web.test_pages import (  # noqa: F401
    test_department_data_pages,
    test_every_page_of_each_role_renders,
    test_portal_complaint_form,
)

from povertycloud.store import Store, keys
from povertycloud.store.copy import copy_store
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig

KEY = keys.Key("0f1e2d3c4b5a69788796a5b4c3d2e1f0" * 2, "the test")


@pytest.fixture(scope="module")
def sealed_template(web_store: tuple[Path, Regions]) -> Iterator[str]:
    """The web's province copied once into a PostgreSQL database made with a key."""
    server = postgres.server()
    url = server.create()
    with Store(web_store[0], read_only=True) as source, Store.create(url, key=KEY) as target:
        copy_store(source, target)
    yield url
    server.drop(url)


@pytest.fixture
def client(sealed_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The application over a fresh copy of the sealed store, its key configured."""
    monkeypatch.delenv(keys.FILE_VARIABLE, raising=False)
    monkeypatch.setenv(keys.VALUE_VARIABLE, str(KEY))
    with postgres.server().database(sealed_template) as url, \
            TestClient(create_app(WebConfig(db=url))) as test_client:
        yield test_client


def test_the_client_is_on_a_sealed_store(client: TestClient) -> None:
    store = client.app.state.platform.store  # type: ignore[attr-defined]
    assert store.backend.sealed is not None
    assert "people" in store.backend.sealed.sealing.tables


def test_the_copy_leaves_what_the_web_derived_to_the_target(
        web_store: tuple[Path, Regions], sealed_template: str) -> None:
    """The web's store has its people search and figures built (by DuckDB, with its
    lookup keys); the sealed copy has neither, nor their stamps, so that its server
    builds its own (a search built by DuckDB finds no sealed ID number here)."""
    with Store(web_store[0], read_only=True) as source:
        assert {"web_people_search", "web_identification_figures"} <= source.tables()
        assert source.value("SELECT value FROM pc_meta WHERE key = 'web_search_people'")
    with Store(sealed_template, read_only=True, key=KEY) as target:
        assert not {t for t in target.tables() if t.startswith("web_")}
        assert target.value("SELECT count(*) FROM pc_meta WHERE starts_with(key, 'web_')") == 0
