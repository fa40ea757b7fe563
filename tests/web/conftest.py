"""A small identified province with one user per role, and the application over copies
of it: through FastAPI's test client (real HTTP semantics, in process) and, for the
browser, a real server on a free port."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests import postgres

from povertycloud.access.accounts import User, create_user
from povertycloud.cli.synth import build_store
from povertycloud.dynamic import warning, workflow
from povertycloud.dynamic.reevaluation import reevaluate
from povertycloud.dynamic.regions import designate
from povertycloud.feeds.sources import load_sources
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.intake import import_file
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Regions:
    province: str
    prefecture: str
    county: str
    other_county: str
    township: str
    village: str
    other_village: str  # in the same township
    household: int  # in ``village``
    other_household: int  # in ``other_county``
    batch: int = 0  # a feed batch with a quarantined row
    head: int = 0  # the head of ``household``, in a pair to review with record 1
    duplicate: int = 0  # proposed as ``head`` registered a second time
    # proposals of the re-evaluation, all made today
    proposal: int = 0  # in ``village``, monitoring procedure, waiting for consent
    on_notice: int = 0  # in ``village``, household procedure, on public notice from today
    other_proposal: int = 0  # in ``other_county``


# username: (role, level of its region)
USERS = {
    "province_officer": ("officer", "province"), "prefecture_officer": ("officer", "prefecture"),
    "county_officer": ("officer", "county"), "township_officer": ("officer", "township"),
    "village_officer": ("officer", "village"), "field_officer": ("field_officer", "village"),
    "auditor": ("auditor", "county"), "assessor": ("assessor", "county"),
    "admin": ("admin", "province"),
}


def _regions(store: Store) -> Regions:
    q = store.execute
    province = q("SELECT min(code) FROM regions WHERE level = 'province'").fetchone()[0]  # type: ignore[index]
    counties = [r[0] for r in q("SELECT code FROM regions WHERE level = 'county' ORDER BY code"
                                ).fetchall()]
    county = counties[0]
    township = q("SELECT min(code) FROM regions WHERE parent_code = ?", [county]).fetchone()[0]  # type: ignore[index]
    villages = [r[0] for r in q("SELECT code FROM regions WHERE parent_code = ? ORDER BY code",
                                [township]).fetchall()]
    household = q("SELECT min(household_id) FROM households WHERE village_code = ?",
                  [villages[0]]).fetchone()[0]  # type: ignore[index]
    other = q("SELECT min(household_id) FROM households WHERE starts_with(village_code, ?)",
              [counties[1][:6]]).fetchone()[0]  # type: ignore[index]
    prefecture = q("SELECT parent_code FROM regions WHERE code = ?", [county]).fetchone()[0]  # type: ignore[index]
    return Regions(province, prefecture, county, counties[1], township, villages[0],
                   villages[1], int(household), int(other))


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Regions]:
    db = tmp_path_factory.mktemp("web") / "web.duckdb"
    # small villages: several counties, and counts below ten for the portal to hide
    build_store(SynthConfig(people=6_000, seed=3, people_per_village=40), db)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), 2020)
        regions = _regions(store)
        users = {username: create_user(store, username, PASSWORD, role,
                                       getattr(regions, level))
                 for username, (role, level) in USERS.items()}
        regions = _dynamic(store, regions, users)
        for household in (regions.household, regions.other_household):  # flags 1 and 2
            store.execute(
                "INSERT INTO conflict_flags (rule, rules_version, source, record_id, "
                "person_id, household_id, evidence, raised_at) SELECT 'vehicle', 'test', "
                "'transport_vehicles', 1, min(person_id), household_id, '{}', now() "
                "FROM people WHERE household_id = ? GROUP BY household_id", [household])
        batch, head = _feed_with_pairs_to_review(store, db.parent, regions)
        [(duplicate,)] = store.execute(
            "INSERT INTO registry_duplicates SELECT ?, min(p.person_id), 0.8, "
            "'probabilistic', now(), NULL, NULL, NULL, NULL FROM people p JOIN households h "
            "USING (household_id) WHERE h.village_code = ? AND p.household_id <> ? "
            "RETURNING duplicate_id", [head, regions.village, regions.household]).fetchall()
    return db, replace(regions, batch=batch, head=head, duplicate=int(duplicate))


def _dynamic(store: Store, regions: Regions, users: dict[str, User]) -> Regions:
    """Re-evaluation's proposals (one walked to its public notice), villages and counties
    designated, and the relapse monitoring lists (a quick model: 20 rounds)."""
    reevaluate(store)
    designate(store, 2020, "test")
    warning.score(store, rules=replace(warning.load_warning(), rounds=20))
    q = store.execute
    walk, on_notice = (q("SELECT min(proposal_id) FROM proposals WHERE region_code = ? AND "
                         "procedure = ?", [regions.village, procedure]).fetchone()[0]  # type: ignore[index]
                       for procedure in ("monitoring", "household"))
    assert walk and on_notice, "the village needs a proposal of each procedure"
    for step, username, note in (("consent", "field_officer", None),
                                 ("appraisal", "village_officer", "minutes: agreed"),
                                 ("notice", "village_officer", None)):
        workflow.act(store, on_notice, step, users[username], note=note)
    [(other,)] = q("SELECT min(proposal_id) FROM proposals WHERE starts_with(region_code, ?)",
                   [regions.other_county[:6]]).fetchall()
    return replace(regions, proposal=walk, on_notice=on_notice, other_proposal=other)


def _feed_with_pairs_to_review(store: Store, folder: Path, regions: Regions
                               ) -> tuple[int, int]:
    """A vehicle batch of two good rows and a bad one (quarantined), each good record
    paired for review with the head of a household: records 1 (``household``) and 2
    (``other_household``); record 1 with a rival too, a person of another household of
    the same village, each pair with its evidence."""
    heads = [store.execute("SELECT person_id, name FROM people WHERE household_id = ? "
                           "ORDER BY person_id LIMIT 1", [h]).fetchone()
             for h in (regions.household, regions.other_household)]
    rows = [f"{i},{name},,某地,60000,2019-05-0{i}" for i, (_, name) in enumerate(heads, 1)]
    feed = folder / "vehicles.csv"
    feed.write_text("record_id,name,id_number,address,value_yuan,registered_on\n"
                    + "\n".join(rows) + "\n3,坏记录,520121199001011234,某地,-5,2019-13-01\n",
                    encoding="utf-8")
    batch = import_file(store, load_sources()["transport_vehicles"].table, feed,
                        keep_good=True).batch_id
    [(rival,)] = store.execute(
        "SELECT min(p.person_id) FROM people p JOIN households h USING (household_id) "
        "WHERE h.village_code = ? AND p.household_id <> ?",
        [regions.village, regions.household]).fetchall()
    pairs = [(1, int(heads[0][0]), 0.72, "rival"), (1, rival, 0.64, "rival"),
             (2, int(heads[1][0]), 0.7, "below_threshold")]
    for record_id, person_id, p, reason in pairs:
        store.execute("INSERT INTO feed_links (source, record_id, person_id, "
                      "match_probability, matched_on, decision, linked_at, reason, evidence) "
                      "VALUES ('transport_vehicles', ?, ?, ?, 'probabilistic', 'review', "
                      "now(), ?, ?)", [record_id, person_id, p, reason,
                                       _evidence(store, rows[record_id - 1], person_id)])
    assert batch is not None
    return batch, int(heads[0][0])


def _evidence(store: Store, row: str, person_id: int) -> str:
    """A waterfall as linkage/probabilistic.py writes it, of the feed's ``row`` and the
    person: the names alike, the ID number missing from the record, the addresses
    apart (the weights add up to about the pair's probability)."""
    [(name, id_number, address)] = store.execute(
        "SELECT p.name, p.id_number, h.address FROM people p JOIN households h "
        "USING (household_id) WHERE p.person_id = ?", [person_id]).fetchall()
    fed = row.split(",")
    same = fed[1] == name
    return json.dumps([
        {"column": "prior", "level": "Prior", "weight": -12.4},
        {"column": "id_number", "level": "id_number is NULL", "weight": 0.0,
         "left": None, "right": id_number},
        {"column": "name", "level": "Exact match on name" if same else "Same pinyin",
         "weight": 15.5 if same else 14.9, "left": fed[1], "right": name},
        {"column": "address", "level": "All other comparisons", "weight": -1.7,
         "left": fed[3], "right": address}], ensure_ascii=False)


@pytest.fixture(scope="session")
def regions(web_store: tuple[Path, Regions]) -> Regions:
    return web_store[1]


def copy_store(web_store: tuple[Path, Regions], folder: Path) -> Path:
    target = folder / "store.duckdb"
    shutil.copy(web_store[0], target)
    return target


@pytest.fixture(scope="session")
def web_template(web_store: tuple[Path, Regions]) -> Iterator[str]:
    """The web's province copied into PostgreSQL once, for each test to copy."""
    server = postgres.server()
    url = server.copy_of(web_store[0])
    yield url
    server.drop(url)


@pytest.fixture(params=["duckdb", "postgresql"])
def web_db(request: pytest.FixtureRequest, web_store: tuple[Path, Regions],
           tmp_path: Path) -> Iterator[Path | str]:
    """A fresh copy of the web's province: a DuckDB file, or a PostgreSQL database."""
    if request.param == "duckdb":
        yield copy_store(web_store, tmp_path)
        return
    with postgres.server().database(request.getfixturevalue("web_template")) as url:
        yield url


@pytest.fixture
def client(web_db: Path | str) -> Iterator[TestClient]:
    """The application over a fresh copy of the store, on either backend."""
    app = create_app(WebConfig(db=web_db))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def as_user(client: TestClient) -> Callable[[str], dict[str, str]]:
    """Headers that authenticate as a user (a bearer token of a new session)."""
    def headers(username: str) -> dict[str, str]:
        response = client.post("/api/session",
                               json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}
    return headers


@pytest.fixture
def sql(client: TestClient) -> Callable[..., list[tuple[Any, ...]]]:
    """Rows of a query on the application's own store (to check what it kept)."""
    store = client.app.state.platform.store  # type: ignore[attr-defined]

    def query(text: str, *params: Any) -> list[tuple[Any, ...]]:
        return store.rows(text, list(params))
    return query


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(web_store: tuple[Path, Regions], tmp_path: Path) -> Iterator[str]:
    """A real server (uvicorn, in a thread) over a copy of the store; yields its URL."""
    port = free_port()
    app = create_app(WebConfig(db=copy_store(web_store, tmp_path)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def pg_store_url(web_template: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL store holding what ``web_store`` holds (its users,
    with ``PASSWORD``): for the tests of several worker processes, which an embedded
    store cannot have."""
    with postgres.server().database(web_template) as url:
        yield url
