"""Shared by the benchmarks: peak memory of a child process, and writing results into
docs/benchmarks.md between markers so each benchmark owns its section."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
CLI = str(Path(sys.executable).parent / "povertycloud")


def run_measured(args: list[str]) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and the peak resident memory of
    its whole process tree in bytes (sampled every 50 ms)."""
    started = time.perf_counter()
    proc = psutil.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{' '.join(args)} failed:\n{err}")
    return elapsed, peak


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace the section ``name`` of ``doc`` (or append it)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else \
        text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    return f"{psutil.cpu_count()} cores, {mem:.0f} GiB, Python {sys.version.split()[0]}"


def truth_score(store: Any, truth: str, found: str) -> tuple[int, int, int]:
    """Injected, flagged and right: the keys ``k`` of the queries ``truth`` (what was
    injected) and ``found`` (what a rule flagged), and those in both."""
    row = store.one(f"SELECT (SELECT count(*) FROM ({truth})), (SELECT count(*) FROM "
                    f"({found})), (SELECT count(*) FROM ({found}) f JOIN ({truth}) t "
                    "USING (k))") or (0, 0, 0)
    return int(row[0]), int(row[1]), int(row[2])


def precision_recall_table(rows: list[tuple[str, int, int, int]], first: str) -> list[str]:
    """A Markdown table of (name, injected, flagged, right) with precision and recall."""
    lines = [f"| {first} | injected | flagged | right | precision | recall |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, injected, flagged, right in rows:
        precision = f"{right / flagged:.3f}" if flagged else "—"
        recall = f"{right / injected:.3f}" if injected else "—"
        lines.append(f"| {name} | {injected:,} | {flagged:,} | {right:,} | {precision} | "
                     f"{recall} |")
    return lines
