"""Where a household's primary cause came from (the rules or a model, with the model's
confidence and reasons) shows in its file, the households list and its export; the
model's confidence and reasons go with the causes, masked for who may not unmask."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.funded import Trained
from tests.web.conftest import PASSWORD, copy_store

from povertycloud.access.privacy import HIDDEN
from povertycloud.identification.cause_model import load_cause_model
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.store import Store
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig


@pytest.fixture
def learned(web_store: tuple[Path, Any], trained: Trained, tmp_path: Path
            ) -> Iterator[tuple[TestClient, int]]:
    """The web's province identified with a cause model (trained on the same province's
    verified households of 2014), and a household whose cause the model gave."""
    db = copy_store(web_store, tmp_path)
    with Store(db) as store:
        identify(store, load_rules(), 2020, model=load_cause_model(trained.model))
        household = store.scalar("SELECT min(household_id) FROM identification WHERE "
                                 "year = 2020 AND cause_source = 'model' AND "
                                 "starts_with(village_code, ?)", [web_store[1].county[:6]])
    with TestClient(create_app(WebConfig(db=db))) as client:
        yield client, household


def test_the_file_says_the_model_gave_the_cause(learned: tuple[TestClient, int]) -> None:
    client, household = learned
    headers = _headers(client, "county_officer")
    masked = client.get(f"/api/households/{household}", headers=headers).json()
    assert masked["identification"]["cause_source"] == "model"
    assert masked["identification"]["cause_reasons"] == HIDDEN
    assert masked["identification"]["cause_confidence"] == HIDDEN
    shown = client.post(f"/api/households/{household}/unmask", headers=headers).json()
    assert 0 <= shown["identification"]["cause_confidence"] <= 1
    assert shown["identification"]["cause_reasons"]
    page = client.get(f"/households/{household}", headers=headers)
    assert page.status_code == 200 and 'id="cause-source"' in page.text
    assert "模型" in page.text.split('id="cause-source"')[1][:200]


def test_the_list_and_its_export_name_the_source(learned: tuple[TestClient, int],
                                                 web_store: tuple[Path, Any]) -> None:
    client, household = learned
    county = web_store[1].county
    headers = _headers(client, "county_officer")
    found = client.get(f"/api/regions/{county}/households?page_size=500",
                       headers=headers).json()
    assert "cause_source" in found["columns"]
    sources = {r["cause_source"] for r in found["rows"]}
    assert {"model", "rules"} <= sources
    export = client.get(f"/api/regions/{county}/households.csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert {r["cause_source"] for r in rows} >= {"model", "rules"}
    assert any(r["household_id"] == str(household) and r["cause_source"] == "model"
               for r in rows)


def _headers(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}
