"""The operational store on PostgreSQL: web throughput with several workers, the batch
work over PostgreSQL-held data against the embedded store, and pages during an intake.

    .venv/bin/python benchmarks/bench_postgres.py [--people 1000000] [--parts web,batch,intake]
        [--server postgresql://USER:PASSWORD@HOST:5432/postgres] [--workers 4]
        [--clients 16] [--seconds 30] [--intake-rows 1000000] [--intake-clients 8]

Builds (or reuses) benchmarks/out/rollups-<people>.duckdb as bench_web.py does (identified,
with an administrator), then copies it whole (`store.copy.copy_store`) into the database
pcbench_<people> that the role of --server creates (reused when it already holds the
province; the copy's rate is reported). The parts, each written to its section of
docs/benchmarks.md:

- web: `povertycloud serve --db URL` with 1 worker and with --workers, in the same run,
  under --clients clients (benchmarks/load.py) over dashboard pages, API roll-ups,
  household files and searches;
- batch: identification and the roll-ups at every level, on the PostgreSQL database and
  on the DuckDB file, in the same run;
- intake: a department's batch of --intake-rows rows taken in while --intake-clients
  clients browse; their latency before and during.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg

from _common import ROOT, machine, write_section
from bench_identify import build_store
from bench_web import load, page_mix, served, server_cpu
from load import ALL
from povertycloud.store import Store
from povertycloud.store.copy import copy_store

TARGET_P95_MS = 200
CORES = psutil.cpu_count()

SERVER = "postgresql://povertycloud_test:povertycloud_test@127.0.0.1:5432/postgres"
OUT = ROOT / "benchmarks" / "out"


def database_url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + name


def holds_province(url: str) -> bool:
    try:  # opened for writing: a store of an older schema is migrated, not taken for none
        with Store(url) as store:
            return store.has_table("users") and bool(store.count("people"))
    except Exception:  # no such database, or an empty one
        return False


def postgres_copy(db: Path, server: str, name: str) -> tuple[str, list[str]]:
    """The URL of database ``name`` holding the store ``db``, copied when it does not yet;
    what the copy took."""
    url = database_url(server, name)
    noted = OUT / f"{name}-copy.txt"  # what the copy took, for the runs that reuse it
    if holds_province(url):  # never dropped once it holds a province: copied again by hand
        return url, [noted.read_text(encoding="utf-8") if noted.exists()
                     else f"{name} copied earlier, reused"]
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    started = time.perf_counter()
    with Store(db, read_only=True) as source, Store.create(url) as target:
        tally = copy_store(source, target, lambda t, done, n: print(
            f"copying {t} ({done + 1}/{n}), {time.perf_counter() - started:.0f} s", flush=True))
    seconds = time.perf_counter() - started
    rows = sum(n for n, _ in tally.values())
    noted.write_text(f"`copy_store` of {db.name} into PostgreSQL ({dt.date.today()}): "
                     f"{rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s, "
                     "checked equal by `tally` on both sides)", encoding="utf-8")
    return url, [noted.read_text(encoding="utf-8")]


def province(people: int, server: str) -> tuple[Path, str, dict[str, list[str]], list[str]]:
    """The DuckDB file and the PostgreSQL copy of a province of ``people``, prepared for
    the web (identified, with the benchmark's administrator); the pages to request of
    it; the set-up done."""
    db, setup = build_store(people)
    urls = page_mix(db)  # prepares the file for the web before it is copied
    url, copied = postgres_copy(db, server, f"pcbench_{people}")
    return db, url, urls, setup + copied


Figures = dict[str, dict[str, float]]


def web(url: str, urls: dict[str, list[str]], workers: int, clients: int, seconds: float,
        log: Path | None) -> dict[int, tuple[Figures, float]]:
    """benchmarks/load.py's figures per group and the server's CPU in cores, with 1
    worker and with ``workers``, each server warmed by one client first."""
    found = {}
    for n in (1, workers):
        with served(url, workers=n, log=log and log.with_suffix(f".{n}.log")) as (base, _, pid):
            load(base, urls, 1, 5)
            before, started = server_cpu(pid), time.perf_counter()
            figures = load(base, urls, clients, seconds)
            found[n] = figures, (server_cpu(pid) - before) / (time.perf_counter() - started)
        print(n, "workers", {g: (r["per_second"], r["p50_ms"], r["p95_ms"], r["errors"])
                             for g, r in figures.items()}, flush=True)
    return found


def write_web(found: dict[int, tuple[Figures, float]], people: int, command: str,
              setup: list[str]) -> None:
    one, many = found
    rows = []
    for n, (figures, cores) in found.items():
        for group, r in figures.items():
            rows.append(f"| {n} | {group} | {r['requests']:,} | {r['errors']} | "
                        f"{r['per_second']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |"
                        + (f" {cores:.2f} | {1000 * cores / r['per_second']:.0f} |"
                           if group == ALL else " | |"))
    rate = {n: found[n][0][ALL]["per_second"] for n in found}
    worst = max(r["p95_ms"] for g, r in found[many][0].items() if g != ALL)
    errors = sum(r["errors"] for r in found[many][0].values())
    write_section(f"postgres-web-{people}", f"""
### Web throughput: {many} workers against 1, {people:,} people

Command: `{command}` ({dt.date.today()}, {machine()}). The province holds {people:,}
people, copied from its DuckDB file into PostgreSQL 15 on the same machine.
`povertycloud serve --db postgresql://...` runs with 1 worker, then with {many}
(`--workers {many}`), each started afresh and warmed by one client for 5 s; then
`benchmarks/load.py` sends {clients_of(command)} concurrent clients (keep-alive, the bearer
token of an administrator of the province) through dashboard pages and API roll-ups of
20 regions sampled at each level, the file (API, audited) and page of 20 households,
and searches by name, pinyin and ID number (audited). Latency in ms; the server's CPU
in cores (all its processes) while the load ran. PostgreSQL, the load tool and the
server share the machine's {machine().split()[0]} cores.

| workers | requests | count | errors | requests/s | p50 | p95 | server CPU | ms CPU per request |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

- {many} workers ÷ 1 worker, requests/s: **{rate[many] / rate[one]:.2f}**. Per core of
  the machine ({CORES}): {rate[one] / CORES:.1f} requests/s with 1 worker,
  {rate[many] / CORES:.1f} with {many}; per core the server itself used (PostgreSQL's
  not counted): {rate[one] / found[one][1]:.1f} and {rate[many] / found[many][1]:.1f}.
- p95 of every group at most {TARGET_P95_MS} ms with {many} workers: {worst:.0f} ms (the
  slowest group): {"met" if worst <= TARGET_P95_MS and not errors else "**not met**"}.

Setup in this run:
{notes(setup)}
""")


BATCH = """
import sys, time, datetime as dt
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify, latest_year
from povertycloud.reports import rollup
from povertycloud.store import Store
with Store(sys.argv[1]) as store:
    year = latest_year(store)
    started = time.perf_counter()
    identify(store, load_rules(), year)
    print(time.perf_counter() - started)
    for as_of in (dt.date(year, 12, 31), dt.date(year, 6, 30)):
        rollup(store, as_of)  # warm
        started = time.perf_counter()
        rollup(store, as_of)
        print(time.perf_counter() - started)
"""
STEPS = ("identification of the latest year", "roll-ups at every level, year end",
         "roll-ups at every level, mid-year")


def batch(db: Path, server: str, source: str, rounds: int) -> dict[str, list[list[float]]]:
    """Seconds of each of ``STEPS`` on the file ``db`` and on a copy of database
    ``source``, each round in a process of its own per store, the stores in turn."""
    found: dict[str, list[list[float]]] = {"embedded": [], "postgres": []}
    for _ in range(rounds):
        with scratch_copy(server, source) as url:
            for name, target in (("embedded", str(db)), ("postgres", url)):
                done = subprocess.run([sys.executable, "-c", BATCH, target], check=True,
                                      stdout=subprocess.PIPE, text=True)
                found[name].append([float(x) for x in done.stdout.split()])
                print(name, found[name][-1], flush=True)
    return found


@contextmanager
def scratch_copy(server: str, source: str) -> Iterator[str]:
    """The URL of a new database made from database ``source`` (as a template), dropped
    after: what the benchmark writes leaves the province as it was."""
    name = "pcbench_scratch"

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]

    drop()
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name} TEMPLATE {source}")  # type: ignore[arg-type]
    try:
        yield database_url(server, name)
    finally:
        drop()


def write_batch(found: dict[str, list[list[float]]], people: int, command: str) -> None:
    duck, pg = ([statistics.median(r[i] for r in runs) for i in range(len(STEPS))]
                for runs in found.values())
    rows = "\n".join(f"| {step} | {d:.2f} s | {p:.2f} s | {p / d:.1f} |"
                      for step, d, p in zip(STEPS, duck, pg, strict=True))
    write_section("postgres-batch", f"""
### Identification and roll-ups: PostgreSQL-held data against the embedded store

Command: `{command}` ({dt.date.today()}, {machine()}). The same province of {people:,}
people in its DuckDB file and in PostgreSQL (a scratch copy of the database above per
round, made with `CREATE DATABASE ... TEMPLATE`); each round runs, in a process of its
own per store and the stores in turn, the identification of the latest
survey year (`identify`, which replaces that year's results) and then `rollup` of every
level at a year end (the pipeline's stored figures) and mid-year (rolled up from the
household indicators and the status history), each once to warm and once timed. On
PostgreSQL the work runs in DuckDB, which reads the tables through its postgres
extension and writes the results back. Medians over {len(next(iter(found.values())))}
round(s).

| work | embedded DuckDB | PostgreSQL | PostgreSQL ÷ embedded |
|---|---|---|---|
{rows}
""")


INTAKE_SOURCE = "transport_vehicles"
INTAKE = """
import sys
from pathlib import Path
from povertycloud.feeds.sources import load_sources
from povertycloud.intake import import_file
from povertycloud.store import Store
with Store(sys.argv[1]) as store:
    report = import_file(store, load_sources()[sys.argv[3]].table, Path(sys.argv[2]))
    print(report.rows_in, report.accepted)
"""


def intake(server: str, source: str, urls: dict[str, list[str]], rows: int, clients: int,
           seconds: float) -> tuple[Figures, Figures, float, int]:
    """``clients`` browsing a copy of database ``source`` (made from it as a template) for
    ``seconds``, then while a department's batch of ``rows`` rows is taken in; their
    figures before and during, the intake's seconds and rows accepted."""
    from bench_intake import batch as vehicles

    path = vehicles(rows)
    with scratch_copy(server, source) as url, served(url, workers=4) as (base, _, _pid):
        load(base, urls, 1, 5)
        before = load(base, urls, clients, seconds)
        started = time.perf_counter()
        taking = subprocess.Popen([sys.executable, "-c", INTAKE, url, str(path),
                                   INTAKE_SOURCE], stdout=subprocess.PIPE, text=True)
        during = load(base, urls, clients, 3600, while_pid=taking.pid)
        out, _ = taking.communicate()
        took = time.perf_counter() - started
        if taking.returncode:
            raise RuntimeError("the intake failed")
    return before, during, took, int(out.split()[1])


def write_intake(before: Figures, during: Figures, took: float, accepted: int, rows: int,
                 people: int, command: str) -> None:
    lines = [f"| {group} | {before[group]['p50_ms']:.0f} | {before[group]['p95_ms']:.0f} | "
             f"{during[group]['p50_ms']:.0f} | {during[group]['p95_ms']:.0f} | "
             f"{during[group]['p95_ms'] / before[group]['p95_ms']:.2f} |"
             for group in before]
    write_section("postgres-intake", f"""
### Pages while a batch of {rows:,} rows is taken in

Command: `{command}` ({dt.date.today()}, {machine()}). A copy of the province of
{people:,} people in PostgreSQL, served by `povertycloud serve --workers 4`;
{clients_of(command)} clients browse the mix above, first alone, then while another
process takes in a department's vehicle-registration batch of {rows:,} rows
(`import_file`, as `povertycloud import` does: every field checked, kept in one
transaction): {took:.0f} s, {accepted:,} rows accepted, {rows / took:,.0f} rows/s. The
clients' latency in ms before and during; errors before: {before[ALL]['errors']}, during:
{during[ALL]['errors']}.

| requests | p50 before | p95 before | p50 during | p95 during | p95 during ÷ before |
|---|---|---|---|---|---|
{chr(10).join(lines)}
""")


def write_intro() -> None:
    copies = [p.read_text(encoding="utf-8") for p in sorted(OUT.glob("pcbench_*-copy.txt"))]
    write_section("postgres", f"""
## PostgreSQL

Written by `benchmarks/bench_postgres.py` ({machine()}; PostgreSQL 15 on the same
machine, its default settings). The province is a DuckDB store of the bench_web.py kind
(`synth`, `pipeline`, identified, an administrator added), copied whole into a database of
its own with `store.copy.copy_store`, as a deployment moves a province to the operational
store. The machine has 2 cores, shared by the server, PostgreSQL and the load tool (and
at times by other work): requests per second are also given per core, and no ratio of
workers can exceed what 2 cores give.

The copies of the provinces measured:
{notes(copies)}
""")


def notes(setup: list[str]) -> str:
    return "\n".join(f"- {s}" for s in setup) or "- stores reused from an earlier run"


def clients_of(command: str) -> str:
    return command.split("--clients ")[1].split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--server", default=SERVER,
                        help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--parts", default="web,batch,intake")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=1, help="of the batch part")
    parser.add_argument("--intake-rows", type=int, default=1_000_000)
    parser.add_argument("--intake-clients", type=int, default=8)
    parser.add_argument("--log-sql", type=Path,
                        help="log every statement the servers run into FILE.<workers>.log")
    args = parser.parse_args()
    db, url, urls, setup = province(args.people, args.server)
    parts = args.parts.split(",")
    write_intro()
    script = f".venv/bin/python benchmarks/bench_postgres.py --people {args.people}"
    if "web" in parts:
        command = (f"{script} --parts web --workers {args.workers} --clients {args.clients} "
                   f"--seconds {args.seconds:g}")
        found = web(url, urls, args.workers, args.clients, args.seconds, args.log_sql)
        write_web(found, args.people, command, setup)

    if "batch" in parts:
        found_batch = batch(db, args.server, f"pcbench_{args.people}", args.rounds)
        write_batch(found_batch, args.people, f"{script} --parts batch --rounds {args.rounds}")
    if "intake" in parts:
        command = (f"{script} --parts intake --intake-rows {args.intake_rows} --clients "
                   f"{args.intake_clients} --seconds {args.seconds:g}")
        before, during, took, accepted = intake(
            args.server, f"pcbench_{args.people}", urls, args.intake_rows,
            args.intake_clients, args.seconds)
        write_intake(before, during, took, accepted, args.intake_rows, args.people, command)


if __name__ == "__main__":
    main()
