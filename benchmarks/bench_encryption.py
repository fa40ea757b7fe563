"""The cost of encryption at rest on the embedded store: the same work on a store in clear
and on one encrypted with a key (DuckDB's AES-GCM), alternating in one run.

    .venv/bin/python benchmarks/bench_encryption.py [--people 200000] [--runs 3]

Each run, for each of the two: a new store loaded with the same synthetic province
(`synth --db`: generation, then the intake of its tables), the pipeline, and the
identification, each timed as a whole process. The ratio is encrypted over clear, per
step, the median of the runs. Writes the section "encryption" of docs/benchmarks.md.
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


def one_run(folder: Path, people: int, key: Path | None) -> dict[str, float]:
    db = folder / ("sealed.duckdb" if key else "clear.duckdb")
    db.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVERTYCLOUD_KEY")}
    if key:
        env[keys.FILE_VARIABLE] = str(key)
    seconds = {}
    for step, (command, option) in STEPS.items():
        extra = ["--people", str(people)] if step == "synth" else []
        os.environ.clear()
        os.environ.update(env)
        seconds[step], _ = run_measured([CLI, command, *extra, option, str(db)])
    db.unlink(missing_ok=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = ROOT / "benchmarks" / "out" / f"encryption-{args.people}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    key = folder / "store.key"
    keys.new(key)
    saved = dict(os.environ)
    clear: list[dict[str, float]] = []
    sealed: list[dict[str, float]] = []
    started = time.perf_counter()
    try:
        for _ in range(args.runs):
            clear.append(one_run(folder, args.people, None))
            sealed.append(one_run(folder, args.people, key))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    rows = []
    for step in STEPS:
        plain = statistics.median(r[step] for r in clear)
        locked = statistics.median(r[step] for r in sealed)
        rows.append(f"| {step} | {plain:.2f} s | {locked:.2f} s | {locked / plain:.2f} |")
    body = "\n".join([
        "## Encryption at rest (embedded store)", "",
        f"`.venv/bin/python benchmarks/bench_encryption.py --people {args.people} --runs "
        f"{args.runs}` on {machine()}: each step a whole process, on a store in clear and "
        "on one encrypted with a key, alternating; the median of the runs "
        f"({time.perf_counter() - started:.0f} s in all). `synth` is the generation and "
        "the intake of every table of the province.", "",
        "| step | in clear | encrypted | ratio |", "|---|---:|---:|---:|", *rows])
    print(body)
    write_section("encryption", body)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
