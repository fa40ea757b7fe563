"""Jobs the server runs itself, through real HTTP on a copy of the small province: an
identification while pages are served, equal to `povertycloud identify`; a bad file
failed with its problems and the store as before; progress from 0 to the total; the
administrators' only; a job cut short by a stop shown failed after the restart."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import CLI, state_of
from tests.web.conftest import PASSWORD, Regions, copy_store, free_port
from tests.web.test_pages import log_in

from povertycloud.jobs import records
from povertycloud.standard.tables import TABLES
from povertycloud.store import Store
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig, prepare

KEPT_APART = {"jobs", "audit_log", "sessions"}  # what a job may add beside its work


def token(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def start(client: TestClient, headers: dict[str, str], kind: str,
          parameters: str = "{}", file: tuple[str, bytes] | None = None) -> dict[str, Any]:
    answer = client.post("/api/jobs", headers=headers,
                         data={"kind": kind, "parameters": parameters},
                         files={"file": file} if file else None)
    assert answer.status_code == 202, answer.text
    found: dict[str, Any] = answer.json()
    return found


def follow(client: TestClient, headers: dict[str, str], job_id: int,
           meanwhile: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Every state of the job seen until it ends (doing ``meanwhile`` while it runs)."""
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        seen.append(job)
        if job["state"] in ("done", "failed"):
            return seen
        if job["state"] == "running" and meanwhile:
            meanwhile()
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not end: {seen[-1]}")


@pytest.fixture
def slow_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step of a job takes a moment longer, so a test sees it run."""
    told = records.told

    def slowly(*args: Any) -> None:
        told(*args)
        time.sleep(0.1)
    monkeypatch.setattr(records, "told", slowly)


@pytest.fixture
def server(web_db: Path | str, tmp_path: Path) -> Iterator[tuple[TestClient, Path | str]]:
    """The application over a fresh copy of the province, on either backend."""
    with TestClient(create_app(WebConfig(db=web_db, uploads=tmp_path / "uploads"))
                    ) as client:
        yield client, web_db


def test_an_identification_runs_while_pages_are_served_and_equals_the_command(
        server: tuple[TestClient, Path | str], web_store: tuple[Path, Regions], tmp_path: Path,
        slow_steps: None) -> None:
    client, _ = server
    admin, officer = token(client, "admin"), token(client, "county_officer")
    county = web_store[1].county
    job = start(client, admin, "identify", '{"year": 2020}')
    assert job["state"] in ("queued", "running") and job["done"] == 0
    assert job["parameters"] == {"year": 2020, "engine": "duckdb"}
    served = []

    def browse() -> None:
        answer = client.get(f"/api/regions/{county}", headers=officer)
        served.append(answer.status_code)
    seen = follow(client, admin, job["job_id"], browse)
    assert seen[-1]["state"] == "done", seen[-1]
    assert served and set(served) == {200}  # pages answered while it ran
    # progress: from 0, never back, to the total at the end
    done = [j["done"] for j in seen]
    assert done[0] == 0 and done == sorted(done)
    assert seen[-1]["done"] == seen[-1]["total"] > 2
    assert any(0 < j["done"] < j["total"] for j in seen)
    assert seen[-1]["result"]["households"] > 0
    # the same as the command on a copy of the same store
    other = tmp_path / "cli" / "store.duckdb"
    other.parent.mkdir()
    shutil.copy(web_store[0], other)
    subprocess.run([str(CLI), "identify", "--db", str(other), "--year", "2020"],
                   check=True, capture_output=True, timeout=300)
    query = "SELECT * EXCLUDE (run_id) FROM identification ORDER BY household_id, year"
    served_rows = client.app.state.platform.store.rows(query)  # type: ignore[attr-defined]
    with Store(other, read_only=True) as store:
        assert served_rows == store.rows(query)
    page = client.get(f"/admin/jobs/{job['job_id']}", headers=admin)
    assert page.status_code == 200 and 'id="result"' in page.text


def test_a_bad_file_fails_with_its_problems_and_changes_nothing(
        server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    admin = token(client, "admin")
    store = client.app.state.platform.store  # type: ignore[attr-defined]
    before = {t: v for t, v in state_of(store).items() if t not in KEPT_APART}
    columns = TABLES["households"].names
    bad = (",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n").encode()
    job = start(client, admin, "import", '{"table": "households"}', ("households.csv", bad))
    ended = follow(client, admin, job["job_id"])[-1]
    assert ended["state"] == "failed"
    assert "households.csv, line 2" in ended["error"]  # as sent, not where it waited
    assert ".uploads" not in ended["error"]
    assert "nothing was imported" in ended["error"]
    assert ended["result"]["problems"] >= 2
    assert {i["field"] for i in ended["result"]["issues"]} >= {"household_id", "village_code"}
    assert {t: v for t, v in state_of(store).items() if t not in KEPT_APART} == before
    page = client.get(f"/admin/jobs/{job['job_id']}", headers=admin)
    assert 'id="issues"' in page.text and "village_code" in page.text
    job = start(client, admin, "intake", '{"source": "transport_vehicles"}',
                ("deaths.csv", b"record_id,death_date\n1,2020-01-01\n"))
    ended = follow(client, admin, job["job_id"])[-1]
    assert ended["error"].startswith("deaths.csv, line 1 (header): unknown column")
    job = start(client, admin, "intake",
                '{"source": "transport_vehicles", "schema_version": 9}', ("v.csv", b"a\n1\n"))
    ended = follow(client, admin, job["job_id"])[-1]
    assert ended["state"] == "failed" and "sent in schema version 9" in ended["error"]


def test_an_import_with_good_rows_kept_reports_its_batch(
        server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    admin = token(client, "admin")
    rows = b"record_id,name,id_number,address,value_yuan,registered_on\n" \
           b"71,x,,somewhere,5000,2019-01-01\n72,y,,somewhere,-5,2019-13-01\n"
    job = start(client, admin, "intake",
                '{"source": "transport_vehicles", "keep_good": true}',
                ("more vehicles.csv", rows))
    ended = follow(client, admin, job["job_id"])[-1]
    assert ended["state"] == "done", ended
    assert (ended["result"]["accepted"], ended["result"]["quarantined"]) == (1, 1)
    assert ended["result"]["source"] == "more vehicles.csv"  # the batch named as sent
    batch = client.get(f"/api/batches/{ended['result']['batch_id']}", headers=admin)
    assert batch.status_code == 200


def test_a_re_evaluation_runs_as_the_command_does(server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    admin = token(client, "admin")
    job = start(client, admin, "reevaluate", '{"dry_run": true}')
    ended = follow(client, admin, job["job_id"])[-1]
    assert ended["state"] == "done", ended
    assert ended["result"]["reevaluation_id"] is None  # a dry run proposes nothing
    assert ended["result"]["year"] == 2020 and ended["result"]["households"] > 0


def test_a_backup_taken_by_the_server_restores_equal(server: tuple[TestClient, Path | str],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The way to back up an embedded store while the server holds it (and any store)."""
    from povertycloud.store.backup import BACKUP_DIR_VARIABLE, restore
    from povertycloud.store.copy import tally

    monkeypatch.setenv(BACKUP_DIR_VARIABLE, str(tmp_path / "backups"))
    client, _ = server
    admin = token(client, "admin")
    ended = follow(client, admin, start(client, admin, "backup")["job_id"])
    assert ended[-1]["state"] == "done", ended[-1]
    assert ended[-1]["total"] == ended[-1]["result"]["tables"] > 20
    made = Path(ended[-1]["result"]["file"])
    assert made.parent == tmp_path / "backups"
    restore(made, tmp_path / "restored.duckdb")
    with Store(tmp_path / "restored.duckdb", read_only=True) as copy:
        restored = tally(copy)
    live = tally(client.app.state.platform.store)  # type: ignore[attr-defined]
    assert restored.keys() == live.keys()
    # equal, but for what the job itself wrote since its snapshot (its progress, its audit)
    assert {t for t in live if live[t] != restored[t]} <= KEPT_APART


def test_a_bad_request_is_refused_before_anything_is_queued(
        server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    admin = token(client, "admin")
    for kind, parameters, file, said in (
            ("compile", "{}", None, "unknown kind of job"),
            ("import", '{"table": "nope"}', ("x.csv", b"a\n1\n"), "nope"),
            ("import", '{"table": "people"}', None, "needs a file"),
            ("identify", '{"year": 1990}', None, "no survey of 1990"),
            ("import", '{"table": "people"}', ("x.doc", b"a\n"), "unknown file type")):
        answer = client.post("/api/jobs", headers=admin,
                             data={"kind": kind, "parameters": parameters},
                             files={"file": file} if file else None)
        assert answer.status_code == 400 and said in answer.json()["detail"], answer.text
    assert client.get("/api/jobs", headers=admin).json() == []


def test_only_the_province_s_administrators_run_jobs(
        server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    for username in ("province_officer", "auditor", "county_officer"):
        headers = token(client, username)
        assert client.get("/api/jobs", headers=headers).status_code == 403
        answer = client.post("/api/jobs", headers=headers, data={"kind": "identify"})
        assert answer.status_code == 403
        assert client.get("/admin/jobs", headers=headers).status_code == 403
    assert client.get("/api/jobs").status_code == 401
    assert client.get("/api/jobs", headers=token(client, "admin")).status_code == 200


def test_the_page_starts_a_job_with_its_csrf_token_and_audits_it(
        server: tuple[TestClient, Path | str]) -> None:
    client, _ = server
    csrf = log_in(client, "admin")
    page = client.get("/admin/jobs")
    assert page.status_code == 200 and 'id="form-identify"' in page.text
    refused = client.post("/admin/jobs", data={"kind": "identify", "csrf_token": "wrong"})
    assert refused.status_code == 403
    started = client.post("/admin/jobs", data={"kind": "identify", "csrf_token": csrf},
                          follow_redirects=False)
    assert started.status_code == 303, started.text
    job_id = int(started.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/admin/jobs/{job_id}")
    assert shown.status_code == 200 and 'data-follow="/api/jobs/' in shown.text
    wrong = client.post("/admin/jobs", data={"kind": "identify", "year": "1990",
                                             "csrf_token": csrf})
    assert wrong.status_code == 400 and "no survey of 1990" in wrong.text
    store = client.app.state.platform.store  # type: ignore[attr-defined]
    assert store.rows("SELECT username, object_id, detail FROM audit_log WHERE action = "
                      "'start_job'") == [("admin", str(job_id), "identify")]


def test_a_job_cut_short_by_a_stop_is_failed_after_the_restart(
        web_store: tuple[Path, Regions], tmp_path: Path, slow_steps: None) -> None:
    db = copy_store(web_store, tmp_path)
    with TestClient(create_app(WebConfig(db=db))) as client:
        admin = token(client, "admin")
        store = client.app.state.platform.store  # type: ignore[attr-defined]
        before = {t: v for t, v in state_of(store).items() if t not in KEPT_APART}
        job = start(client, admin, "identify", '{"year": 2020}')
        while client.get(f"/api/jobs/{job['job_id']}", headers=admin).json()["done"] < 2:
            time.sleep(0.02)
    with TestClient(create_app(WebConfig(db=db))) as client:
        ended = client.get(f"/api/jobs/{job['job_id']}", headers=token(client, "admin"))
        assert (ended.json()["state"], ended.json()["error"]) == ("failed", records.STOPPED)
        store = client.app.state.platform.store  # type: ignore[attr-defined]
        assert {t: v for t, v in state_of(store).items() if t not in KEPT_APART} == before


def test_a_job_left_running_by_a_server_that_died_is_failed_at_the_next_start(
        web_store: tuple[Path, Regions], tmp_path: Path) -> None:
    db = copy_store(web_store, tmp_path)
    with Store(db) as store:
        store.execute("INSERT INTO jobs (job_id, kind, parameters, user_id, username, state, "
                      "done, total, submitted_at, started_at, runner) VALUES (1, 'identify', "
                      "'{}', 1, 'admin', 'running', 3, 9, now(), now(), ?)",
                      [f"{records.runner_name().rpartition(':')[0]}:999999999"])
    with TestClient(create_app(WebConfig(db=db))) as client:
        ended = client.get("/api/jobs/1", headers=token(client, "admin")).json()
        assert (ended["state"], ended["error"]) == ("failed", records.STOPPED)


def test_a_job_of_a_server_killed_is_failed_when_it_starts_again(
        web_store: tuple[Path, Regions], tmp_path: Path) -> None:
    """kill -9 of `povertycloud serve` while a job runs: nothing of the job is kept, and
    the server started again shows it failed."""
    db = copy_store(web_store, tmp_path)
    with Store(db) as store:
        prepare(store)  # what the server writes as it starts
        before = {t: v for t, v in state_of(store).items() if t not in KEPT_APART}
    url, server = serve(db)
    try:
        admin = bearer(url)
        job_id = call(url, "/api/jobs", form={"kind": "identify"}, headers=admin)["job_id"]
        while call(url, f"/api/jobs/{job_id}", headers=admin)["state"] != "running":
            time.sleep(0.01)
    finally:
        server.kill()  # SIGKILL: no clean-up at all
        server.wait()
    url, server = serve(db)
    try:
        admin = bearer(url)
        ended = call(url, f"/api/jobs/{job_id}", headers=admin)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
    assert (ended["state"], ended["error"]) == ("failed", records.STOPPED)
    with Store(db) as store:
        assert {t: v for t, v in state_of(store).items() if t not in KEPT_APART} == before


def bearer(url: str) -> dict[str, str]:
    found = call(url, "/api/session", {"username": "admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {found['token']}"}


def serve(db: Path) -> tuple[str, subprocess.Popen[str]]:
    port = free_port()
    server = subprocess.Popen([str(CLI), "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/portal", timeout=5).close()
            return url, server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def call(url: str, path: str, body: dict[str, Any] | None = None,
         form: dict[str, str] | None = None, headers: dict[str, str] | None = None
         ) -> dict[str, Any]:
    """A JSON answer of the server: a GET, or a POST of ``body`` (JSON) or ``form``."""
    data, kind = None, {}
    if body is not None:
        data, kind = json.dumps(body).encode(), {"Content-Type": "application/json"}
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(f"{url}{path}", data=data,
                                     headers={**kind, **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as answer:
        found: dict[str, Any] = json.loads(answer.read())
        return found
