"""Departments deliver their feeds through the API: a department account delivers its own
source only, each delivery taken in as `povertycloud intake` takes a file and answered
with the same report; a repeat changes nothing, another file under the same id is
refused."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from tests.conftest import CLI, Refusal, state_of
from tests.web.conftest import PASSWORD, Regions, copy_store
from tests.web.test_pages import log_in

from povertycloud.access.accounts import create_user
from povertycloud.errors import PovertyCloudError
from povertycloud.feeds.sources import load_sources, source_named
from povertycloud.intake import deliveries
from povertycloud.store import Store
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig

SOURCE = "transport_vehicles"
URL = f"/api/sources/{SOURCE}/deliveries"
HEADER = "record_id,name,id_number,address,value_yuan,registered_on\n"
# two good records and one with a negative value and a 13th month (line 4)
FEED = HEADER + "10,张三,,某地,80000,2020-03-01\n11,李四,,某地,50000,2020-04-02\n" \
    "12,王五,,某地,-5,2020-13-01\n"
CSV = {"Content-Type": "text/csv"}
SOURCES = list(load_sources())


def app_store(client: TestClient) -> Store:
    store: Store = client.app.state.platform.store  # type: ignore[attr-defined]
    return store


@pytest.fixture
def department(client: TestClient, regions: Regions,
               as_user: Callable[[str], dict[str, str]]) -> dict[str, str]:
    """The headers of the vehicle registry's department account (another department's
    account made too)."""
    for username, source in (("vehicles_it", SOURCE), ("deaths_it", "public_security_deaths")):
        create_user(app_store(client), username, PASSWORD, "department", regions.province,
                    source=source, sources=SOURCES)
    return as_user("vehicles_it")


def cli_report(web_store: tuple[Path, Regions], folder: Path, feed: Path) -> dict[str, Any]:
    """What `povertycloud intake --keep-good` says of ``feed`` on a copy of the store."""
    folder.mkdir()
    db = copy_store(web_store, folder)
    done = subprocess.run([str(CLI), "intake", "--source", SOURCE, str(feed), "--db", str(db),
                           "--keep-good"], capture_output=True, text=True, check=True,
                          env={**os.environ, "COLUMNS": "300"})
    head, *reasons = done.stdout.strip().splitlines()
    batch, rows_in, accepted, quarantined = map(int, re.fullmatch(
        r"Batch (\d+): (\d+) rows in, (\d+) accepted, (\d+) quarantined", head).groups())  # type: ignore[union-attr]
    return {"batch_id": batch, "rows_in": rows_in, "accepted": accepted,
            "quarantined": quarantined,
            "reasons": {r.split(" × ", 1)[1]: int(r.split(" × ")[0]) for r in reasons}}


def test_a_delivery_is_taken_in_with_the_report_of_the_command_line(
        client: TestClient, department: dict[str, str], web_store: tuple[Path, Regions],
        tmp_path: Path) -> None:
    answer = client.put(f"{URL}/2020-04?keep_good=true", content=FEED.encode(),
                        headers=department | CSV)
    assert answer.status_code == 201, answer.text
    report = answer.json()
    feed = tmp_path / "vehicles.csv"
    feed.write_text(FEED, encoding="utf-8")
    assert {k: report[k] for k in ("batch_id", "rows_in", "accepted", "quarantined",
                                   "reasons")} == cli_report(web_store, tmp_path / "cli", feed)
    assert (report["rows_in"], report["accepted"], report["quarantined"]) == (3, 2, 1)
    assert report["file"] == f"{SOURCE}/2020-04.csv"
    assert {(p["row"], p["unit"], p["field"]) for p in report["problems"]} == {
        (4, "line", "value_yuan"), (4, "line", "registered_on")}
    assert client.get(f"{URL}/2020-04", headers=department).json() == report
    rows = app_store(client).rows(f"SELECT record_id FROM feed_{SOURCE} WHERE batch_id = ? "
                                  "ORDER BY 1", [report["batch_id"]])
    assert rows == [(10,), (11,)]
    [(who, what)] = app_store(client).rows(
        "SELECT username, object_id FROM audit_log WHERE action = 'deliver'")
    assert (who, what) == ("vehicles_it", f"{SOURCE}/2020-04")


def test_parquet_is_delivered_too(client: TestClient, department: dict[str, str]) -> None:
    table = pa.table({"record_id": [20], "name": ["赵六"], "value_yuan": [70000],
                      "registered_on": ["2020-05-01"]})
    body = io.BytesIO()
    pq.write_table(table, body)
    answer = client.put(f"{URL}/2020-05", content=body.getvalue(), headers=department
                        | {"Content-Type": "application/vnd.apache.parquet"})
    assert answer.status_code == 201, answer.text
    assert (answer.json()["accepted"], answer.json()["file"]) == (1, f"{SOURCE}/2020-05.parquet")


def test_a_repeat_changes_nothing_and_other_content_is_a_conflict(
        client: TestClient, department: dict[str, str]) -> None:
    first = client.put(f"{URL}/2020-04?keep_good=true", content=FEED.encode(),
                       headers=department | CSV)
    assert first.status_code == 201
    before = state_of(app_store(client))
    again = client.put(f"{URL}/2020-04?keep_good=true", content=FEED.encode(),
                       headers=department | CSV)
    assert (again.status_code, again.json()) == (200, first.json())
    other = client.put(f"{URL}/2020-04?keep_good=true", content=FEED.replace("80000", "81000"),
                       headers=department | CSV)
    assert other.status_code == 409
    assert "2020-04" in other.json()["detail"] and "new delivery id" in other.json()["detail"]
    assert state_of(app_store(client)) == before


def test_the_same_file_under_a_new_id_is_not_taken_in_twice(
        client: TestClient, department: dict[str, str]) -> None:
    first = client.put(f"{URL}/a?keep_good=true", content=FEED, headers=department | CSV)
    rows = app_store(client).count(f"feed_{SOURCE}")
    second = client.put(f"{URL}/b?keep_good=true", content=FEED, headers=department | CSV)
    assert second.status_code == 201
    assert second.json()["duplicate_of"] == first.json()["batch_id"]
    assert app_store(client).count(f"feed_{SOURCE}") == rows
    assert client.get(f"{URL}/b", headers=department).json() == second.json()


def test_a_bad_file_is_refused_naming_its_rows_and_fields(
        client: TestClient, department: dict[str, str]) -> None:
    before = state_of(app_store(client))
    answer = client.put(f"{URL}/2020-04", content=FEED, headers=department | CSV)
    assert answer.status_code == 422
    refused = answer.json()
    assert refused["total"] == 2 and "keep_good" in refused["detail"]
    assert refused["problems"][0] | {"reason": ""} == {
        "file": f"{SOURCE}/2020-04.csv", "row": 4, "unit": "line",
        "field": "registered_on", "reason": ""}
    assert state_of(app_store(client)) == before
    assert client.get(f"{URL}/2020-04", headers=department).status_code == 404
    unknown = client.put(f"{URL}/2020-04", content="nope,name\n1,x\n",
                         headers=department | CSV)
    assert unknown.status_code == 400
    assert unknown.json()["detail"].startswith(f"{SOURCE}/2020-04.csv, line 1 (header)")
    assert "/tmp" not in unknown.json()["detail"]
    fixed = client.put(f"{URL}/2020-04", content=FEED.rsplit("12,", 1)[0],
                       headers=department | CSV)
    assert fixed.status_code == 201 and fixed.json()["accepted"] == 2


def test_only_the_department_of_the_source_delivers_it(
        client: TestClient, department: dict[str, str],
        as_user: Callable[[str], dict[str, str]]) -> None:
    before = state_of(app_store(client))
    other = as_user("deaths_it")
    refused = client.put(f"{URL}/2020-04", content=FEED, headers=other | CSV)
    assert refused.status_code == 403 and "public_security_deaths only" in refused.text
    assert client.put(f"{URL}/2020-04", content=FEED,
                      headers=as_user("admin") | CSV).status_code == 403
    assert client.put(f"{URL}/2020-04", content=FEED, headers=CSV).status_code == 401
    after = state_of(app_store(client))
    assert {t for t in after if after[t] != before[t]} <= {"audit_log", "sessions"}
    refusals = app_store(client).rows("SELECT username FROM audit_log WHERE action = "
                                      "'refused' ORDER BY audit_id")
    assert refusals == [("deaths_it",), ("admin",)]
    assert app_store(client).count(f"feed_{SOURCE}") == 2  # the fixture's batch only


def test_a_department_account_reads_its_own_reports_and_nothing_else(
        client: TestClient, department: dict[str, str], regions: Regions,
        as_user: Callable[[str], dict[str, str]]) -> None:
    report = client.put(f"{URL}/2020-04?keep_good=true", content=FEED,
                        headers=department | CSV).json()
    assert client.get(f"{URL}/2020-04", headers=as_user("province_officer")).json() == report
    assert client.get(f"{URL}/2020-04", headers=as_user("deaths_it")).status_code == 403
    for path in (f"/api/households/{regions.household}", "/api/search?q=张",
                 "/api/batches", f"/api/batches/{regions.batch}", "/api/sources",
                 f"/api/regions/{regions.province}", "/api/users", "/api/audit"):
        assert client.get(path, headers=department).status_code == 403, path


@pytest.fixture
def small_limit(web_store: tuple[Path, Regions], tmp_path: Path) -> Iterator[TestClient]:
    """The application with deliveries of at most 100 bytes."""
    db = copy_store(web_store, tmp_path)
    with Store(db) as store:
        create_user(store, "vehicles_it", PASSWORD, "department", web_store[1].province,
                    source=SOURCE, sources=SOURCES)
    with TestClient(create_app(WebConfig(db=db, max_delivery=100))) as test_client:
        yield test_client


def test_a_file_above_the_limit_is_refused_saying_the_limit(small_limit: TestClient) -> None:
    token = small_limit.post("/api/session", json={"username": "vehicles_it",
                                                   "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"} | CSV
    declared = small_limit.put(f"{URL}/big", content=FEED, headers=headers)
    streamed = small_limit.put(f"{URL}/big", content=iter([FEED[:80].encode(),
                                                           FEED[80:].encode()]),
                               headers=headers)
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert "at most 100 bytes" in answer.json()["detail"]
        assert "POVERTYCLOUD_MAX_DELIVERY_MB" in answer.json()["detail"]
    assert small_limit.put(f"{URL}/small", content=HEADER + "30,x,,y,1,2020-01-01\n",
                           headers=headers).status_code == 201


def test_a_file_of_no_known_format_is_refused(client: TestClient,
                                              department: dict[str, str]) -> None:
    answer = client.put(f"{URL}/x", content=FEED, headers=department
                        | {"Content-Type": "application/json"})
    assert answer.status_code == 415 and "?format=csv" in answer.json()["detail"]
    assert client.put(f"{URL}/x?format=csv", content=FEED, headers=department | {
        "Content-Type": "application/json"}).status_code == 422  # read as CSV: the bad row


def test_department_accounts_on_the_command_line(
        web_store: tuple[Path, Regions], tmp_path: Path, refuse: Refusal) -> None:
    db = copy_store(web_store, tmp_path)
    add = ["users", "add", "--db", str(db), "--username", "dept", "--role", "department",
           "--password", PASSWORD]
    message = refuse("a department account of an unknown source",
                     [*add, "--source", "no_such_feed"], ("no_such_feed", SOURCE), db)
    assert "unknown source" in message
    refuse("a department account without a source", add, ("source", SOURCE), db)
    refuse("a source for an officer", ["users", "add", "--db", str(db), "--username", "o",
                                       "--role", "officer", "--region",
                                       web_store[1].village, "--source", SOURCE,
                                       "--password", PASSWORD], ("department",), db)
    done = subprocess.run([str(CLI), *add, "--source", SOURCE], capture_output=True,
                          text=True, check=True)
    assert f"source {SOURCE}" in done.stdout and web_store[1].province in done.stdout


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POVERTYCLOUD_MAX_DELIVERY_MB", "2")
    assert WebConfig(db=Path("x")).max_delivery == 2 * 1024 * 1024
    monkeypatch.setenv("POVERTYCLOUD_MAX_DELIVERY_MB", "lots")
    with pytest.raises(PovertyCloudError, match=r"POVERTYCLOUD_MAX_DELIVERY_MB.*'lots'"):
        WebConfig(db=Path("x"))


def test_an_administrator_adds_a_department_account(
        client: TestClient, as_user: Callable[[str], dict[str, str]],
        regions: Regions) -> None:
    admin = as_user("admin")
    body = {"username": "deaths_it", "password": PASSWORD, "role": "department",
            "region_code": regions.province}
    refused = client.post("/api/users", json=body, headers=admin)
    assert refused.status_code == 400 and "public_security_deaths" in refused.text
    made = client.post("/api/users", json=body | {"source": "public_security_deaths"},
                       headers=admin)
    assert made.status_code == 201 and made.json()["source"] == "public_security_deaths"
    me = client.get("/api/me", headers=as_user("deaths_it")).json()
    assert me["permissions"] == ["deliver"]


def test_a_delivery_failing_at_its_record_leaves_nothing(
        web_store: tuple[Path, Regions], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch and the record of its delivery are one transaction: the record failing
    (here its audit line, the last write) takes the batch back too."""
    feed = tmp_path / "feed.csv"
    feed.write_text(FEED, encoding="utf-8")
    with Store(copy_store(web_store, tmp_path)) as store:
        user = create_user(store, "vehicles_it", PASSWORD, "department",
                           web_store[1].province, source=SOURCE, sources=SOURCES)
        before = state_of(store)

        def fail(*_: object, **__: object) -> None:
            raise RuntimeError("killed")
        monkeypatch.setattr(deliveries.audit, "record", fail)
        with pytest.raises(RuntimeError):
            deliveries.deliver(store, user, source_named(SOURCE), "x", feed, "sum",
                               keep_good=True)
        after = state_of(store)
        assert {t: after[t] for t in before} == before  # the intake's temporary tables aside
        monkeypatch.undo()
        done = deliveries.deliver(store, user, source_named(SOURCE), "x", feed, "sum",
                                  keep_good=True)
        assert done.new and done.report["accepted"] == 2


def test_a_department_account_is_sent_to_the_api_documentation(
        client: TestClient, department: dict[str, str]) -> None:
    answer = client.get("/", headers=department, follow_redirects=False)
    assert answer.headers["location"] == "/docs"


def test_the_users_page_adds_a_department_account(client: TestClient, regions: Regions
                                                  ) -> None:
    csrf = log_in(client, "admin")
    page = client.get("/users")
    assert f'<option value="{SOURCE}">' in page.text
    form = {"csrf_token": csrf, "username": "vehicles_it", "password": PASSWORD,
            "role": "department", "region_code": regions.province}
    refused = client.post("/users", data=form)
    assert refused.status_code == 400 and "needs the source it delivers" in refused.text
    made = client.post("/users", data=form | {"source": SOURCE}, follow_redirects=False)
    assert made.status_code == 303
    assert f"<td>{SOURCE}</td>" in client.get("/users").text
