"""Fixtures shared across the suite: small synthetic provinces, built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povertycloud.store.store import CRASH_VARIABLE
from povertycloud.synth import SynthConfig, generate

CLI = Path(sys.executable).parent / "povertycloud"
KillTest = Callable[[Path, Path, Callable[[Path], list[str]], Callable[[Path], Any]],
                    tuple[Any, Any, int]]


@pytest.fixture(scope="session")
def small_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A province of about 5,000 people as Parquet (the synth output layout)."""
    root = tmp_path_factory.mktemp("province") / "province"
    generate(SynthConfig(people=5_000, seed=7), root)
    return root


def run_killed(args: list[str], crash_at: int | None = None) -> int:
    """``povertycloud ARGS`` as a process, killed (as by kill -9) before its
    ``crash_at``-th write or commit; its exit code."""
    env = {k: v for k, v in os.environ.items() if k != CRASH_VARIABLE}
    if crash_at is not None:
        env[CRASH_VARIABLE] = str(crash_at)
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, timeout=300,
                          check=False).returncode


def kill_at_each_write(source: Path, folder: Path, command: Callable[[Path], list[str]],
                       state: Callable[[Path], Any]) -> tuple[Any, Any, int]:
    """Run ``command`` (its arguments for a store) on copies of the store ``source``,
    killed before each of its writes and commits in turn: each kill must leave ``state``
    as it was before, and a re-run must give what an uninterrupted run gives. Returns
    the state before, the state after, and the writes it was killed at."""
    def copy(name: str) -> Path:
        target = folder / name
        shutil.copy(source, target)
        return target

    whole = copy("whole.duckdb")
    before = state(whole)
    assert run_killed(command(whole)) == 0
    after = state(whole)
    crash_at = 1
    while True:
        db = copy(f"killed-{crash_at}.duckdb")
        if run_killed(command(db), crash_at) == 0:  # fewer writes than that: it finished
            return before, after, crash_at - 1
        assert state(db) == before, f"killed before write {crash_at}"
        assert run_killed(command(db)) == 0
        assert state(db) == after, f"re-run after a kill before write {crash_at}"
        crash_at += 1


@pytest.fixture(scope="session")
def crash_test() -> KillTest:
    """:func:`kill_at_each_write`, for the tests of commands that must be all or nothing."""
    return kill_at_each_write
