"""A small identified province with officers at each level and funds ready to pay: the
county's education subsidy appropriated and allocated, and a payment list of eligible
households; copied for each test, as a DuckDB file or a PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests import postgres

from povertycloud.access.accounts import create_user
from povertycloud.cli.synth import build_store
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig

PASSWORD = "correct horse battery"
PAID_ON = "2026-09-20"


@dataclass(frozen=True)
class Province:
    db: Path
    province: str
    prefecture: str
    county: str
    other_county: str
    township: str
    village: str
    payable: list[tuple[int, str, int]]  # eligible households of ``county``: id, head, yuan
    not_eligible: tuple[int, str]  # a household of ``county`` and its head


def _code(store: Store, sql: str, params: list[object] | None = None) -> str:
    return str(store.value(sql, params or []))


@pytest.fixture(scope="session")
def funds_province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    db = tmp_path_factory.mktemp("funds") / "funds.duckdb"
    build_store(SynthConfig(people=6_000, seed=3, people_per_village=40), db)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), 2020)
        province = _code(store, "SELECT min(code) FROM regions WHERE level = 'province'")
        county, other = store.column("SELECT code FROM regions WHERE level = 'county' "
                                     "ORDER BY code LIMIT 2")
        township = _code(store, "SELECT min(code) FROM regions WHERE parent_code = ?",
                         [county])
        village = _code(store, "SELECT min(code) FROM regions WHERE parent_code = ?",
                        [township])
        levels = {"province": province, "prefecture": county[:4] + "0" * 8,
                  "county": county, "other_county": other, "township": township,
                  "village": village}
        for level, code in levels.items():
            create_user(store, f"{level}_officer", PASSWORD, "officer", code)
        create_user(store, "auditor", PASSWORD, "auditor", county)
        create_user(store, "field_officer", PASSWORD, "field_officer", village)
        payable = store.rows(
            "SELECT h.household_id, min(p.name) FILTER (WHERE p.relation = 'head'), "
            "1500 * count(*) FILTER (WHERE p.in_school) FROM households h JOIN people p "
            "USING (household_id) WHERE starts_with(h.village_code, ?) AND "
            "h.registration_status IN ('registered_poor', 'monitored') AND p.death_date "
            "IS NULL GROUP BY h.household_id HAVING count(*) FILTER (WHERE p.in_school) > 0 "
            "AND count(*) FILTER (WHERE p.relation = 'head') = 1 ORDER BY h.household_id "
            "LIMIT 6", [county[:6]])
        not_eligible = store.one(
            "SELECT h.household_id, p.name FROM households h JOIN people p USING "
            "(household_id) WHERE starts_with(h.village_code, ?) AND h.registration_status "
            "= 'not_registered' AND p.relation = 'head' ORDER BY 1 LIMIT 1", [county[:6]])
    assert len(payable) == 6 and not_eligible is not None
    return Province(db, payable=[(int(h), str(n), int(y)) for h, n, y in payable],
                    not_eligible=(int(not_eligible[0]), str(not_eligible[1])), **levels)


@pytest.fixture(scope="session")
def funds_template(funds_province: Province) -> Iterator[str]:
    server = postgres.server()
    url = server.copy_of(funds_province.db)
    yield url
    server.drop(url)


@pytest.fixture(params=["duckdb", "postgresql"])
def funds_db(request: pytest.FixtureRequest, funds_province: Province, tmp_path: Path
             ) -> Iterator[Path | str]:
    """A fresh copy of the province: a DuckDB file, or a PostgreSQL database."""
    if request.param == "duckdb":
        target = tmp_path / "funds.duckdb"
        shutil.copy(funds_province.db, target)
        yield target
        return
    with postgres.server().database(request.getfixturevalue("funds_template")) as url:
        yield url


def allocations(p: Province, folder: Path, yuan: int = 50_000) -> Path:
    """A file of entries: the education subsidy appropriated to the province and
    allocated down to the county (``yuan`` of it)."""
    path = folder / "allocations.csv"
    path.write_text(
        "entry,kind,programme,value_date,account,debit_yuan,credit_yuan,memo\n"
        f"1,appropriation,education_subsidy,2026-03-01,source:central,,{yuan},in\n"
        f"1,appropriation,education_subsidy,2026-03-01,region:{p.province},{yuan},,in\n"
        f"2,allocation,education_subsidy,2026-03-02,region:{p.province},,{yuan},down\n"
        f"2,allocation,education_subsidy,2026-03-02,region:{p.prefecture},{yuan},,down\n"
        f"3,allocation,education_subsidy,2026-03-03,region:{p.prefecture},,{yuan},down\n"
        f"3,allocation,education_subsidy,2026-03-03,region:{p.county},{yuan},,down\n",
        encoding="utf-8")
    return path


def account_of(household: int) -> str:
    return f"62284800{household % 10**11:011d}"


def payment_list(p: Province, folder: Path, rows: list[str] | None = None) -> Path:
    """The county's payment list of its eligible households (or ``rows``)."""
    path = folder / "payments.csv"
    body = rows if rows is not None else [
        f"{h},{name},,{account_of(h)},{amount}" for h, name, amount in p.payable]
    path.write_text("household_id,payee_name,payee_id_number,bank_account,amount_yuan\n"
                    + "\n".join(body) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Trained:
    """A store whose 2014 households were half verified, and the cause model trained on
    them (cause_training.py)."""

    db: Path
    model: Path
    verified: frozenset[int]


@pytest.fixture(scope="session")
def trained(funds_province: Province, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    from povertycloud.access.accounts import user_named
    from povertycloud.identification.cause_training import train_causes
    from povertycloud.identification.plan import load_rules
    from povertycloud.intake.verifications import import_verifications
    from povertycloud.store import Store
    from povertycloud.synth.verifications import write_verifications

    root = tmp_path_factory.mktemp("cause-model")
    db, file = root / "verified.duckdb", root / "verified.csv"
    shutil.copy(funds_province.db, db)
    with Store(db) as store:
        write_verifications(store, 2014, 0.5, file)
        import_verifications(store, file, user_named(store, "province_officer"))
        train_causes(store, load_rules(), dt.date(2015, 3, 15), root / "causes.json")
        verified = store.column("SELECT household_id FROM field_verifications")
    return Trained(db, root / "causes.json", frozenset(verified))
