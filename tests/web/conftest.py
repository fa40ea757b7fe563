"""A small identified province with one user per role, and the application over copies
of it: through FastAPI's test client (real HTTP semantics, in process) and, for the
browser, a real server on a free port."""

from __future__ import annotations

import datetime as dt
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
from povertycloud.web.deps import WebConfig, prepare

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
    prepared(db)
    return db, replace(regions, batch=batch, head=head, duplicate=int(duplicate))


def prepared(db: Path | str) -> None:
    """The store made ready to serve once (its indexes, the tables the web derives), so
    that each test's copy of it starts its server without building them again."""
    with Store(db) as store:
        prepare(store)


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
    prepared(url)  # the copy leaves out what the web derived: built again, with PG's keys
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


def serve(db: Path | str) -> Iterator[str]:
    """A real server (uvicorn, in a thread) over ``db``; yields its URL."""
    port = free_port()
    app = create_app(WebConfig(db=db))
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
def live_server(web_store: tuple[Path, Regions], tmp_path: Path) -> Iterator[str]:
    """A real server over a copy of the store; yields its URL."""
    yield from serve(copy_store(web_store, tmp_path))


@pytest.fixture
def pg_store_url(web_template: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL store holding what ``web_store`` holds (its users,
    with ``PASSWORD``): for the tests of several worker processes, which an embedded
    store cannot have."""
    with postgres.server().database(web_template) as url:
        yield url


# -- funds: the web's province with a small year of money booked ---------------------------

PAID_ON = dt.date(2026, 9, 20)  # the autumn list, on time (autumn from 09-01, 60 days)
LATE_ON = dt.date(2026, 6, 20)  # the spring list, late (spring from 03-01)


@dataclass(frozen=True)
class Funds:
    db: Path
    regions: Regions
    paid: list[tuple[int, str, int, str]]  # the autumn list: household, head, yuan, account
    batch: int  # the autumn batch, returned: line 2 paid, 3 failed, 4 other holder,
    late_batch: int  # 5 amount differs, 6 and 7 not returned
    in_kind: int  # a household given seedlings
    flag: int  # a flag in ``county`` (evidence with an account), one in ``other_county``
    other_flag: int


def _funds_file(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _allocations(r: Regions, folder: Path) -> Path:
    """The education subsidy and the central special fund down to the county; a road
    project of ``village`` paid from the latter."""
    rows = []
    for n, (programme, yuan) in enumerate((("education_subsidy", 60_000),
                                           ("central_special", 200_000))):
        e = 10 * n
        rows += [f"{e + 1},appropriation,{programme},2026-03-01,source:central,,{yuan},in",
                 f"{e + 1},appropriation,{programme},2026-03-01,region:{r.province},{yuan},,in"]
        for k, (down, to) in enumerate(((r.province, r.prefecture), (r.prefecture, r.county))):
            rows += [f"{e + 2 + k},allocation,{programme},2026-03-0{2 + k},region:{down},,{yuan},",
                     f"{e + 2 + k},allocation,{programme},2026-03-0{2 + k},region:{to},{yuan},,"]
    rows += [f"20,disbursement,central_special,2026-05-10,region:{r.county},,80000,road",
             f"20,disbursement,central_special,2026-05-10,project:{r.village}/road-1,80000,,road"]
    return _funds_file(folder, "allocations.csv", "entry,kind,programme,value_date,account,"
                       "debit_yuan,credit_yuan,memo", rows)


@pytest.fixture(scope="session")
def funds_store(web_store: tuple[Path, Regions], tmp_path_factory: pytest.TempPathFactory
                ) -> Funds:
    from povertycloud.access.accounts import user_named
    from povertycloud.funds.bookings import entries_in
    from povertycloud.funds.eligibility import eligibility_sql
    from povertycloud.funds.ledger import book
    from povertycloud.funds.payments import PaymentOrder, pay
    from povertycloud.funds.programmes import load_programmes
    from povertycloud.funds.returns import reconcile

    folder = tmp_path_factory.mktemp("funds")
    db = copy_store(web_store, folder)
    r = web_store[1]
    programmes = load_programmes()
    with Store(db) as store:
        create_user(store, "other_county_officer", PASSWORD, "officer", r.other_county)
        officer = user_named(store, "county_officer")
        book(store, entries_in(store, _allocations(r, folder)),
             user_named(store, "province_officer"), programmes)
        payable = store.rows(
            "SELECT h.household_id, min(p.name) FILTER (WHERE p.relation = 'head'), "
            "1500 * count(*) FILTER (WHERE p.in_school) FROM households h JOIN people p "
            "USING (household_id) WHERE starts_with(h.village_code, ?) AND "
            "h.registration_status IN ('registered_poor', 'monitored') AND p.death_date "
            "IS NULL GROUP BY h.household_id HAVING count(*) FILTER (WHERE p.in_school) > 0 "
            "AND count(*) FILTER (WHERE p.relation = 'head') = 1 ORDER BY h.household_id "
            "LIMIT 6", [r.county[:6]])
        paid = [(int(h), str(n), int(y), f"62284800{int(h) % 10**11:011d}")
                for h, n, y in payable]
        header = "household_id,payee_name,payee_id_number,bank_account,amount_yuan"
        autumn = _funds_file(folder, "autumn.csv", header,
                             [f"{h},{n},,{a},{y}" for h, n, y, a in paid])
        spring = _funds_file(folder, "spring.csv", header,
                             [f"{h},{n},,{a},{y}" for h, n, y, a in paid[:2]])
        education = programmes["education_subsidy"]
        batch = pay(store, autumn, PaymentOrder(education, r.county, "2026-autumn", PAID_ON),
                    officer).batch_id
        late = pay(store, spring, PaymentOrder(education, r.county, "2026-spring", LATE_ON),
                   officer).batch_id
        (h1, n1, y1, a1), (_, n2, _, a2), (_, _, y3, _), (_, n4, y4, a4) = paid[:4]
        returned = _funds_file(
            folder, "returns.csv", "record_id,payment_batch,line,status,paid_yuan,"
            "holder_name,bank_account,reason,value_date",
            [f"1,{batch},2,paid,{y1},{n1},{a1},,2026-09-25",
             f"2,{batch},3,failed,,{n2},{a2},closed_account,2026-09-25",
             f"3,{batch},4,paid,{y3},冒领人,6228480099999999,,2026-09-25",
             f"4,{batch},5,paid,{y4 - 100},{n4},{a4},,2026-09-25"])
        reconcile(store, returned, batch, officer)
        seedlings = programmes["seedlings"]
        [(grower, head)] = store.rows(
            f"SELECT e.household_id, (SELECT min(name) FROM people m WHERE m.household_id = "
            f"e.household_id AND m.relation = 'head' AND m.death_date IS NULL) FROM "
            f"({eligibility_sql(2020)}) e WHERE starts_with(e.village_code, '{r.county[:6]}') "
            f"AND {seedlings.when_sql} ORDER BY 1 LIMIT 1")
        book(store, entries_in(store, _funds_file(
            folder, "seedlings-in.csv", "entry,kind,programme,value_date,account,debit_yuan,"
            "credit_yuan,memo",
            ["1,appropriation,seedlings,2026-04-01,source:county,,10000,in",
             f"1,appropriation,seedlings,2026-04-01,region:{r.county},10000,,in"])),
            user_named(store, "province_officer"), programmes)
        pay(store, _funds_file(folder, "seedlings.csv",
                               "household_id,payee_name,payee_id_number,quantity",
                               [f"{grower},{head},,200"]),
            PaymentOrder(seedlings, r.county, "2026", dt.date(2026, 4, 20)), officer)
        elsewhere = store.value("SELECT village_code FROM households WHERE household_id = ?",
                                [r.other_household])
        start = store.draw("fund_flag_ids", 2)
        for n, (region, household) in enumerate(((r.village, h1),
                                                 (elsewhere, r.other_household)), 1):
            store.execute(
                "INSERT INTO fund_flags (flag_id, rule, rules_version, programme, region_code, "
                "household_id, batch_id, line, amount_fen, evidence, raised_at) VALUES "
                "(?, 'shared_account', 'test', 'education_subsidy', ?, ?, ?, 2, 150000, ?, "
                "now())", [start + n, region, household, batch, json.dumps(
                               {"bank_account": a1, "households": [h1, 42]})])
    prepared(db)
    return Funds(db, r, paid, batch, late, int(grower), start + 1, start + 2)


@pytest.fixture(scope="session")
def funds_template(funds_store: Funds) -> Iterator[str]:
    server = postgres.server()
    url = server.copy_of(funds_store.db)
    prepared(url)
    yield url
    server.drop(url)


@pytest.fixture(params=["duckdb", "postgresql"])
def funds_client(request: pytest.FixtureRequest, funds_store: Funds, tmp_path: Path
                 ) -> Iterator[TestClient]:
    """The application over a fresh copy of the funded province, on either backend."""
    if request.param == "duckdb":
        target = tmp_path / "funds.duckdb"
        shutil.copy(funds_store.db, target)
        with TestClient(create_app(WebConfig(db=target))) as test_client:
            yield test_client
        return
    with postgres.server().database(request.getfixturevalue("funds_template")) as url, \
            TestClient(create_app(WebConfig(db=url))) as test_client:
        yield test_client


@pytest.fixture
def funds_server(funds_store: Funds, tmp_path: Path) -> Iterator[str]:
    """A real server over a copy of the funded province; yields its URL."""
    target = tmp_path / "funds.duckdb"
    shutil.copy(funds_store.db, target)
    yield from serve(target)
