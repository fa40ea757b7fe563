"""Start-up of the command line: `povertycloud --help` as a process, against Python doing
nothing, Python importing Typer and Rich, and the help of a Typer application of two
commands with the same settings (the floor of any Typer command line).

    .venv/bin/python benchmarks/bench_startup.py [--runs 20] [--before SRC --label TEXT]

The commands run in turn, one of each per round, after one round of warm-up, so a drift
in the machine's speed touches them alike; each round's ratio to each baseline is taken
within the round and the median of those ratios reported. CPU time (user + system) and
peak memory (resident set) are the finished child's as the kernel accounts them (wait4);
CPU time moves less than wall time when the machine is shared. ``--before SRC`` also times
the command line of another source tree, e.g. an older commit unpacked with `git archive
COMMIT src | tar -x -C DIR` (SRC is then DIR/src and ``--label`` names the commit), run as
`python -c "from povertycloud.cli.main import main; main()" --help` with PYTHONPATH=SRC.
The machine's load average is reported, since a shared machine stretches wall times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

from _common import CLI, machine, write_section

TARGET = 0.3  # seconds for `povertycloud --help`
PYTHON = sys.executable
MAIN = "from povertycloud.cli.main import main; main()"
TYPER_APP = """import typer
app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode="markdown")
@app.command()
def one() -> None:
    \"\"\"One command.\"\"\"
@app.command()
def two() -> None:
    \"\"\"Another.\"\"\"
app()
"""


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak: int  # bytes


def run_once(args: list[str], env: dict[str, str] | None) -> Run:
    """One run of ``args``, measured."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--before", type=Path, help="Another source tree to time as well.")
    parser.add_argument("--label", default="before", help="What the other tree is.")
    args = parser.parse_args()
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "`povertycloud --help`": ([CLI, "--help"], None),
        "`python -c pass`": ([PYTHON, "-c", "pass"], None),
        "`python -c \"import typer, rich\"`": ([PYTHON, "-c", "import typer, rich"], None),
        "a Typer application of two commands, `--help`": ([PYTHON, "-c", TYPER_APP, "--help"],
                                                         None),
    }
    if args.before is not None:
        commands[f"`povertycloud --help`, {args.label}"] = (
            [PYTHON, "-c", MAIN, "--help"],
            os.environ | {"PYTHONPATH": str(args.before.resolve())})
    load = os.getloadavg()[0]
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for i in range(args.runs + 1):
        for name, (command, env) in commands.items():
            run = run_once(command, env)
            if i:  # the first round warms the file cache
                runs[name].append(run)
    cli = runs["`povertycloud --help`"]
    rows = []
    for name, measured in runs.items():
        wall = [r.wall for r in measured]
        ratios = [a.wall / b.wall for a, b in zip(cli, measured, strict=True)]
        rows.append(f"| {name} | {statistics.median(wall):.3f} s | {min(wall):.3f} s | "
                    f"{max(wall):.3f} s | {statistics.median(r.cpu for r in measured):.3f} s | "
                    f"{statistics.median(r.peak for r in measured) / 2**20:.0f} MiB | "
                    f"{statistics.median(ratios):.2f} |")
    table = "\n".join(rows)
    print(table)
    loads = f"{load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end"
    before = f" --before {args.before} --label '{args.label}'" if args.before else ""
    write_section("startup", f"""
## Start-up of the command line

Command: `.venv/bin/python benchmarks/bench_startup.py --runs {args.runs}{before}`
({dt.date.today()}, {machine()}). Each command runs as a process, {args.runs} rounds after
one warm-up, the commands in turn within a round; the last column is the median over rounds
of `povertycloud --help`'s wall time over the row's, within the round. The machine's load
average (one minute) was {loads}. Target: `povertycloud --help` in at most {TARGET} s.

| command | median | fastest | slowest | CPU, median | peak memory | `--help` ÷ this |
|---|---|---|---|---|---|---|
{table}
""")


if __name__ == "__main__":
    main()
