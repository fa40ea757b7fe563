"""Synthetic funds: deterministic for a seed, booked through the product's checks (the
ledger verifies intact), the truth kept apart and found by the anomaly rules."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from povertycloud.cli.synth import build_store
from povertycloud.errors import PovertyCloudError
from povertycloud.funds.anomalies import load_anomaly_rules, raise_fund_flags
from povertycloud.funds.programmes import load_programmes
from povertycloud.funds.verify import verify
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.synth.funds import TRUTH, FundRates, FundsConfig, synthesize_funds

SRC = Path(__file__).resolve().parents[2] / "src" / "povertycloud"
# many anomalies of each kind, for a small province to have some
RATES = FundRates(ineligible=0.03, paid_after_death=0.1, shared_account=0.03,
                  officer_payee=0.03, off_standard=0.02, duplicate_benefit=0.02,
                  late_disbursement=0.15, idle_funds=0.5, failed=0.02, other_holder=0.02,
                  amount_differs=0.02)
KEYS = {"shared_account": "household_id", "late_disbursement": "batch_id",
        "idle_funds": "region_code || '/' || programme"}


@pytest.fixture(scope="module")
def identified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("funds-synth") / "province.duckdb"
    build_store(SynthConfig(people=5_000, seed=11, people_per_village=40), db)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), 2020)
    return db


def _synthesized(identified: Path, folder: Path, seed: int = 1) -> Path:
    folder.mkdir(exist_ok=True)
    db = folder / "funds.duckdb"
    shutil.copy(identified, db)
    with Store(db) as store:
        synthesize_funds(store, folder / "files", FundsConfig(seed=seed, rates=RATES))
    return db


@pytest.fixture(scope="module")
def synthesized(identified: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synthesized(identified, tmp_path_factory.mktemp("funds-synthesized"))


def _booked(db: Path) -> tuple[object, ...]:
    with Store(db, read_only=True) as store:
        return (store.rows("SELECT b.programme, b.period, b.value_date, p.household_id, "
                           "p.bank_account, p.amount_fen FROM fund_payments p JOIN "
                           "fund_payment_batches b USING (batch_id) ORDER BY ALL"),
                store.rows("SELECT e.kind, e.programme, e.value_date, p.account, "
                           "p.amount_fen FROM fund_entries e JOIN fund_postings p "
                           "USING (entry_id) ORDER BY ALL"),
                store.rows(f"SELECT * FROM {TRUTH} ORDER BY ALL"))


def test_the_same_seed_books_the_same_funds_and_the_ledger_verifies(
        identified: Path, synthesized: Path, tmp_path: Path) -> None:
    assert _booked(synthesized) == _booked(_synthesized(identified, tmp_path))
    assert (tmp_path / "files" / "payments").is_dir()
    shutil.copy(synthesized, tmp_path / "funds.duckdb")
    with Store(tmp_path / "funds.duckdb") as store:
        assert verify(store, None).intact
        kinds = set(store.column("SELECT DISTINCT kind FROM fund_entries"))
        assert {"appropriation", "allocation", "disbursement", "in_kind", "receipt",
                "return"} <= kinds
        with pytest.raises(PovertyCloudError, match="funds booked already"):
            synthesize_funds(store, tmp_path / "again")


def test_the_truth_is_kept_apart_and_the_rules_find_it(synthesized: Path) -> None:
    product = [p for p in SRC.rglob("*") if p.is_file() and not {"synth", "cli"} & set(
        p.parts) and p.suffix in (".py", ".sql", ".yaml")]  # the commands name it
    assert not [p for p in product if TRUTH in p.read_text(encoding="utf-8")]
    with Store(synthesized) as store:  # the last test to use it
        raise_fund_flags(store, load_anomaly_rules(), load_programmes(),
                         dt.date(2026, 12, 31))
        injected = {str(r) for r in store.column(f"SELECT DISTINCT rule FROM {TRUTH}")}
        assert len(injected) >= 10
        for rule in injected - {r for r in injected if r.startswith("bank_")}:
            key = KEYS.get(rule, "batch_id || '/' || line")
            flagged = set(store.column(f"SELECT {key} FROM fund_flags WHERE rule = ?",
                                       [rule]))
            truth = set(store.column(f"SELECT {key} FROM {TRUTH} WHERE rule = ?", [rule]))
            assert flagged == truth, rule
        assert store.scalar(f"SELECT count(*) FROM {TRUTH} t JOIN fund_reconciliations r "
                            "ON r.batch_id = t.batch_id AND r.line = t.line "
                            "WHERE t.rule <> 'bank_' || r.outcome AND starts_with("
                            "t.rule, 'bank_')") == 0
