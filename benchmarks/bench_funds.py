"""The funds ledger at a province's scale: a year of payments booked from the counties'
payment lists, reconciled with the banks' returns, the chain of every entry verified, and
the balances at every level as of a day; each time also as a ratio to a plain GROUP BY
over the same postings, run in the same process (the baseline).

    .venv/bin/python benchmarks/bench_funds.py [--people 10000000] [--payments 10000000]
        [--more] [--write]

Works on a copy of benchmarks/out/rollups-<people>.duckdb (an identified province, built
by bench_identify.py), migrated to the current schema. A benchmark programme pays 300
yuan a month to every household registered poor, monitored or exited, through one payment
list per county and month (Parquet), for as many months as --payments needs; the bank
returns every line of each batch, one in a hundred failed. With --write, the table goes
into docs/benchmarks.md. With --more, the payments are booked after the months of the
store the last run left (its payments and returns stay), which measures a booking's cost
at a ledger that already holds a year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from _common import ROOT, machine, write_section
from povertycloud.access.accounts import User, create_user
from povertycloud.funds.balances import balances
from povertycloud.funds.ledger import Entry, Posting, book
from povertycloud.funds.payments import PaymentOrder, pay
from povertycloud.funds.programmes import Programmes, load_programmes
from povertycloud.funds.returns import reconcile
from povertycloud.funds.verify import verify
from povertycloud.standard.codes import LEVELS
from povertycloud.store import Store

OUT = ROOT / "benchmarks" / "out"
MONTHLY_FEN = 300_00
PROGRAMMES = """\
id: bench-programmes
version: 1.0.0
effective: 2026-01-01
programmes:
  - programme: monthly_allowance
    name: 月度生活补助 monthly allowance (benchmark)
    source: provincial
    pays: household
    from: 2026-01-01
    until: 2026-12-31
    period: month
    pay_within_days: 30
    when: "registration_status in ('registered_poor', 'monitored', 'exited')"
    amount_yuan: 300
"""
# a month's lines: every household the programme pays, through its living head's card
LISTED = """
SELECT left(h.village_code, 6) || '000000' AS county, h.household_id, p.name AS payee_name,
  NULL AS payee_id_number, '62' || CAST(h.household_id AS VARCHAR) AS bank_account,
  '300' AS amount_yuan
FROM households h JOIN people p ON p.household_id = h.household_id
  AND p.relation = 'head' AND p.death_date IS NULL
WHERE h.registration_status IN ('registered_poor', 'monitored', 'exited')"""


@contextmanager
def timed(times: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    times[name] = times.get(name, 0.0) + time.perf_counter() - started


def _setup(store: Store, folder: Path, payments: int, later: int = 0
           ) -> tuple[User, Programmes, int]:
    """The officer, the programme and the months that give ``payments`` lines (after
    ``later`` months booked before); the programme's money appropriated and allocated
    to every county for them."""
    (folder / "programmes.yaml").write_text(PROGRAMMES, encoding="utf-8")
    programmes = load_programmes(folder / "programmes.yaml")
    province = str(store.value("SELECT code FROM regions WHERE level = 'province'"))
    officer = create_user(store, f"bench_funds{later or ''}", "correct horse battery",
                          "officer", province)
    per_month = store.rows(f"SELECT county, count(*) FROM ({LISTED}) GROUP BY 1 ORDER BY 1")
    monthly = sum(int(n) for _, n in per_month)
    months = min(12 - later, -(-payments // monthly))
    day = dt.date(2026, 1, 2)
    total = monthly * months * MONTHLY_FEN
    entries = [Entry("appropriation", "monthly_allowance", day,
                     (Posting("source:provincial", -total), Posting(f"region:{province}",
                                                                    total)))]
    for county, n in per_month:
        fen = int(n) * months * MONTHLY_FEN
        entries.append(Entry("allocation", "monthly_allowance", day, (
            Posting(f"region:{province}", -fen), Posting(f"region:{county}", fen))))
    book(store, entries, officer, programmes)
    return officer, programmes, months


def _lists(store: Store, folder: Path, month: int) -> dict[str, Path]:
    """Each county's payment list of a month, as Parquet."""
    store.execute(f"CREATE OR REPLACE TEMP TABLE _bench_listed AS {LISTED} ORDER BY county")
    lists = {}
    for (county,) in store.rows("SELECT DISTINCT county FROM _bench_listed ORDER BY 1"):
        lists[county] = folder / f"list-{month:02d}-{county}.parquet"
        store.execute(f"COPY (SELECT * EXCLUDE (county) FROM _bench_listed WHERE county = "
                      f"'{county}') TO '{lists[county]}' (FORMAT PARQUET)")
    return lists


def _returns(store: Store, folder: Path, batch: int) -> Path:
    """The bank's return of a batch: every line paid, one in a hundred failed."""
    path = folder / f"return-{batch}.parquet"
    store.execute(f"""
COPY (SELECT CAST({batch} AS BIGINT) * 1000000 + line AS record_id,
        batch_id AS payment_batch, line,
        CASE WHEN line % 100 = 7 THEN 'failed' ELSE 'paid' END AS status,
        CASE WHEN line % 100 = 7 THEN NULL ELSE CAST(amount_fen / 100 AS VARCHAR) END
          AS paid_yuan, payee_name AS holder_name, bank_account,
        CASE WHEN line % 100 = 7 THEN 'closed_account' END AS reason,
        DATE '2026-11-30' AS value_date
      FROM fund_payments WHERE batch_id = {batch})
TO '{path}' (FORMAT PARQUET)""")
    return path


def run(people: int, payments: int, more: bool = False) -> dict[str, Any]:
    source = OUT / f"rollups-{people}.duckdb"
    folder = OUT / f"funds-{people}"
    db = folder / "province.duckdb"
    if not more:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copy(source, db)
    times: dict[str, float] = {}
    with Store(db) as store:
        later = int(store.scalar("SELECT count(DISTINCT period) FROM fund_payment_batches")
                    if more else 0)
        before = int(store.scalar("SELECT count(*) FROM fund_entries") if more else 0)
        officer, programmes, months = _setup(store, folder, payments, later)
        programme = programmes["monthly_allowance"]
        batches: list[int] = []
        for month in range(later + 1, later + months + 1):
            with timed(times, "lists"):
                lists = _lists(store, folder, month)
            for county, path in sorted(lists.items()):
                order = PaymentOrder(programme, county, f"2026-{month:02d}",
                                     dt.date(2026, month, 10))
                with timed(times, "pay"):
                    batches.append(pay(store, path, order, officer).batch_id)
            print(f"month {month}: {len(batches):,} batches", flush=True)
        booked = store.scalar("SELECT count(*) FROM fund_payments WHERE batch_id IN "
                              f"({', '.join(map(str, batches))})")
        for batch in batches:
            path = _returns(store, folder, batch)
            with timed(times, "reconcile"):
                reconcile(store, path, batch, officer)
        entries = store.scalar("SELECT count(*) FROM fund_entries")
        postings = store.scalar("SELECT count(*) FROM fund_postings")
        with timed(times, "verify"):
            assert verify(store).intact
        with timed(times, "balances"):
            for level in LEVELS:
                balances(store, level, as_of=dt.date(2026, 9, 30))
        with timed(times, "group_by"):
            store.rows("SELECT account, sum(amount_fen) FROM fund_postings GROUP BY "
                       "account")
    return {"people": people, "payments": booked, "batches": len(batches), "before": before,
            "entries": entries, "postings": postings, "times": times,
            "peak_gib": psutil.Process().memory_info().rss / 2**30}


def report(r: dict[str, Any]) -> str:
    t = r["times"]
    base = t["group_by"]
    rows: list[tuple[str, float, Callable[[float], str]]] = [
        ("book the payment lists (`pay`)", t["pay"],
         lambda s: f"{r['payments'] / s:,.0f} payments/s"),
        ("reconcile the bank returns", t["reconcile"],
         lambda s: f"{r['payments'] / s:,.0f} lines/s"),
        ("verify every chain", t["verify"], lambda s: f"{r['entries'] / s:,.0f} entries/s"),
        ("balances at every level as of a day", t["balances"], lambda s: "5 levels"),
        ("baseline: GROUP BY account over the postings", base,
         lambda s: f"{r['postings'] / s:,.0f} postings/s"),
    ]
    more = (f", booked onto a ledger of {r['before']:,} entries booked before (the cost "
            "of a booking grows with the ledger)" if r["before"] else "")
    lines = [f"{r['payments']:,} payments in {r['batches']:,} payment lists (one per county "
             f"and month) on a province of {r['people']:,} people{more}; the ledger then "
             f"holds {r['entries']:,} entries, {r['postings']:,} postings, all verified and "
             f"balanced. {machine()}.", "",
             "| step | time | rate | per core | × baseline |", "|---|---:|---:|---:|---:|"]
    cores = psutil.cpu_count() or 1
    for name, seconds, rate in rows:
        lines.append(f"| {name} | {seconds:,.1f} s | {rate(seconds)} | "
                     f"{rate(seconds * cores)} | {seconds / base:,.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--payments", type=int, default=10_000_000)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--more", action="store_true",
                        help="book the payments after the months of the last run's store")
    args = parser.parse_args()
    result = run(args.people, args.payments, args.more)
    body = report(result)
    print(body)
    if args.write:
        more = " --more" if args.more else ""
        write_section(f"funds-{args.people}{more.replace(' --', '-')}",
                      "## Funds: booking, reconciling, verifying (`benchmarks/bench_funds.py "
                      f"--people {args.people} --payments {args.payments}{more}`)\n\n" + body)


if __name__ == "__main__":
    main()
