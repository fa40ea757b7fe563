"""Shared by the benchmarks: peak memory of a child process, and writing results into
docs/benchmarks.md between markers so each benchmark owns its section."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

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
