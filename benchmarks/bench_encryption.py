"""The cost of encryption at rest: the same work on a store in clear and on one encrypted
with a key, alternating in one run. On the embedded store DuckDB encrypts the whole file
(AES-GCM); with --server, also on PostgreSQL, where the application seals the sensitive
columns (store/sealing.py).

    .venv/bin/python benchmarks/bench_encryption.py [--people 200000] [--runs 3]
        [--server postgresql://USER:PASSWORD@HOST:5432/postgres]

Each run, for each of the two: a new store loaded with the same synthetic province
(`synth --db`: generation, then the intake of its tables; on PostgreSQL, built in a file
and copied in), the pipeline, and the identification, each timed as a whole process. The
ratio is encrypted over clear, per step, the median of the runs. Writes the sections
"encryption" (and "encryption-postgres") of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from _common import CLI, ROOT, machine, run_measured, write_section
from povertycloud.store import keys

STEPS = {"synth": ("synth", "--db"), "pipeline": ("pipeline", "--db"),
         "identify": ("identify", "--db")}


def one_run(folder: Path, people: int, key: Path | None, server: str | None = None
            ) -> dict[str, float]:
    """The steps' seconds on a new store: a file in ``folder``, or a database made afresh
    on ``server``."""
    name = "sealed" if key else "clear"
    db = database(server, f"pcbench_{name}") if server else str(folder / f"{name}.duckdb")
    Path(db).unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    if key:
        env[keys.FILE_VARIABLE] = str(key)
    seconds = {}
    for step, (command, option) in STEPS.items():
        extra = ["--people", str(people)] if step == "synth" else []
        os.environ.clear()
        os.environ.update(env)
        seconds[step], _ = run_measured([CLI, command, *extra, option, db])
    if server:
        database(server, f"pcbench_{name}", drop=True)
    else:
        Path(db).unlink(missing_ok=True)
    return seconds


def database(server: str, name: str, drop: bool = False) -> str:
    """The URL of the database ``name`` on ``server``, made afresh (or dropped)."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop:
            con.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def measure(folder: Path, people: int, runs: int, key: Path, server: str | None
            ) -> list[str]:
    """The table's rows: each step's median seconds in clear and encrypted, and ratio."""
    clear: list[dict[str, float]] = []
    sealed: list[dict[str, float]] = []
    saved = dict(os.environ)
    try:
        for _ in range(runs):
            clear.append(one_run(folder, people, None, server))
            sealed.append(one_run(folder, people, key, server))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    rows = []
    for step in STEPS:
        plain = statistics.median(r[step] for r in clear)
        locked = statistics.median(r[step] for r in sealed)
        rows.append(f"| {step} | {plain:.2f} s | {locked:.2f} s | {locked / plain:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", help="a PostgreSQL role's URL that may create "
                        "databases: measure there too")
    args = parser.parse_args()
    folder = ROOT / "benchmarks" / "out" / f"encryption-{args.people}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    key = folder / "store.key"
    keys.new(key)
    command = (f"`.venv/bin/python benchmarks/bench_encryption.py --people {args.people} "
               f"--runs {args.runs}" + (" --server postgresql://..." if args.server else "")
               + "`")
    for server, section, title, how in (
            (None, "encryption", "Encryption at rest (embedded store)",
             "on a store in clear and on one encrypted with a key"),
            (args.server, "encryption-postgres", "Encryption at rest (PostgreSQL)",
             "on a PostgreSQL database in clear and on one whose sensitive columns are "
             "sealed with a key (PostgreSQL 15 on the same machine)")):
        if section == "encryption-postgres" and server is None:
            continue
        started = time.perf_counter()
        rows = measure(folder, args.people, args.runs, key, server)
        body = "\n".join([
            f"## {title}", "",
            f"{command} on {machine()}: each step a whole process, {how}, alternating; "
            f"the median of the runs ({time.perf_counter() - started:.0f} s in all). "
            "`synth` is the generation and the intake of every table of the province.", "",
            "| step | in clear | encrypted | ratio |", "|---|---:|---:|---:|", *rows])
        print(body)
        write_section(section, body)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
