"""Fixtures shared across the suite: small synthetic provinces, built once per session."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from povertycloud.store.store import CRASH_VARIABLE, WRITES
from povertycloud.synth import SynthConfig, generate

if TYPE_CHECKING:
    from povertycloud.store import Store

# the identified province with funds and officers (funds, assistance), built once a session
pytest_plugins = ["tests.funded"]

CLI = Path(sys.executable).parent / "povertycloud"
TABLE_VARIABLE = "POVERTYCLOUD_RELIABILITY_TABLE"  # where to write the table (./dev reliability)
KillTest = Callable[..., tuple[Any, Any, int]]
QUICK_KILLS = 1  # writes a command is killed at in the default run: the commit (all: --run-slow)
# tests that take long, started first so that the workers finish together
LONG = re.compile(r"spark|killed|browser|on_postgres|test_schema|test_demo|_cli\.py")
KILLED = re.compile(r"(^|_)killed(_|$)")  # a kill test by its name
# Session fixtures that take a minute to build: the tests using one run on one worker,
# which builds it once (``--dist loadgroup``), instead of each worker building its own.
SHARED = ("trained",)


class Reliability:
    """A test's record of what it tried: kills of a command (tried, held: the store
    before or after and a correct re-run) and bad inputs (refused cleanly or not)."""

    def __init__(self, record: Callable[[str, object], None]) -> None:
        self._record = record

    def kills(self, command: str, tried: int, held: int) -> None:
        self._record("reliability", ("kills", command, tried, held))

    def bad_input(self, command: str, case: str, refused: bool) -> None:
        self._record("reliability", ("bad input", command, case, refused))


_tried: list[tuple[Any, ...]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true",
                     help="also run the tests marked slow (CI and ./dev reliability do)")


def _twin(item: pytest.Item) -> str | None:
    """What ``item`` repeats a test on: the second backend (PostgreSQL), the phone's
    width (400 px) of the browser tests, or the killing of a command (every kill test
    repeats the one check that a command killed mid-way leaves the store whole); None
    for neither."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(v == "postgresql" for v in params.values()):
        return "postgresql"
    if "crash_test" in getattr(item, "fixturenames", ()) or KILLED.search(item.name):
        return "kill"
    return "phone" if params.get("width") == 400 else None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that records kills or bad inputs is marked ``reliability``, one using a
    ``SHARED`` fixture is grouped with the others using it; the long tests go first.
    Unless ``--run-slow`` is given (CI, ./dev reliability), the tests marked ``slow``
    are left out, and of a folder's twins (the same test on PostgreSQL, at the phone's
    width, or a command killed mid-way) only the first runs: every folder still meets
    each, in a quicker loop."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"reliability", "crash_test", "refuse"} & fixtures:
            item.add_marker(pytest.mark.reliability)
        for shared in fixtures.intersection(SHARED):
            item.add_marker(pytest.mark.xdist_group(shared))
    items.sort(key=lambda item: not LONG.search(item.nodeid))
    if config.getoption("--run-slow"):
        return
    seen: set[tuple[str, str]] = set()
    left = []
    for item in items:
        twin = _twin(item)
        if item.get_closest_marker("slow"):
            left.append(item)
        elif twin:
            key = (item.nodeid.rsplit("/", 1)[0], twin)
            if key in seen:
                left.append(item)
            seen.add(key)
    if left:
        config.hook.pytest_deselected(items=left)
        dropped = {id(item) for item in left}
        items[:] = [item for item in items if id(item) not in dropped]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Gathers the tests' reliability records (in the controller under xdist too)."""
    if report.when == "call":
        _tried.extend(v for k, v in report.user_properties if k == "reliability")


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(TABLE_VARIABLE)
    if target and _tried and not hasattr(session.config, "workerinput"):
        Path(target).write_text(reliability_table(_tried), encoding="utf-8")


def reliability_table(tried: list[tuple[Any, ...]]) -> str:
    """docs/reliability.md from the records of one test run."""
    kills: dict[str, list[int]] = {}
    bad: dict[str, list[tuple[str, bool]]] = {}
    for kind, command, *rest in tried:
        if kind == "kills":
            total = kills.setdefault(command, [0, 0])
            total[0] += rest[0]
            total[1] += rest[1]
        else:
            bad.setdefault(command, []).append((rest[0], rest[1]))
    lines = ["# Reliability", "",
             "Written by the test suite: `./dev reliability` runs the tests marked "
             "`reliability` and rewrites this page from what they saw. Do not edit by hand.",
             "", "## Kills", "",
             "Each writing command killed (as by `kill -9`, through "
             "`POVERTYCLOUD_CRASH_AT_WRITE`) before each of its writes and commits in "
             "turn. *Held*: the store was exactly as before, and a re-run gave what an "
             "uninterrupted run gives.", "",
             "| command | kills tried | held |", "|---|---:|---:|"]
    lines += [f"| `{c}` | {t} | {h} |" for c, (t, h) in sorted(kills.items())]
    total_t, total_h = (sum(v[i] for v in kills.values()) for i in (0, 1))
    lines += [f"| **all** | **{total_t}** | **{total_h}** |", "", "## Bad inputs", "",
              "*Refused cleanly*: a one-line message naming the file, row and field (or "
              "the setting), a non-zero exit, no traceback, and the store unchanged.", "",
              "| command | case | refused cleanly |", "|---|---|---|"]
    lines += [f"| `{c}` | {case} | {'yes' if ok else '**no**'} |"
              for c, cases in sorted(bad.items()) for case, ok in sorted(cases)]
    n_ok = sum(ok for cases in bad.values() for _, ok in cases)
    lines += ["", f"{n_ok} of {sum(map(len, bad.values()))} bad inputs refused cleanly.", ""]
    return "\n".join(lines)


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
                       state: Callable[[Path], Any],
                       tally: Callable[[int, int], None] | None = None,
                       sample: int | None = None) -> tuple[Any, Any, int]:
    """Run ``command`` (its arguments for a store) on copies of the store ``source``,
    killed before each of its writes and commits in turn: each kill must leave ``state``
    as it was before, and a re-run must give what an uninterrupted run gives. Returns
    the state before, the state after, and the writes it was killed at; ``tally`` is
    told the kills tried and held, also when one did not hold. With ``sample``, it is
    killed at that many of its writes only, spread from the first to the last (only the
    last, the commit, for one; the writes counted in the uninterrupted run's
    ``--log-sql``), for commands with many or slow runs."""
    def copy(name: str) -> Path:
        target = folder / name
        if source.exists():
            shutil.copy(source, target)
        return target

    whole = copy("whole.duckdb")
    before = state(whole)
    if sample is None:
        assert run_killed(command(whole)) == 0
        points: Iterator[int] = itertools.count(1)
    else:
        writes = count_writes(command(whole))
        spread = {1 + (writes - 1) * i // (sample - 1) for i in range(sample)} \
            if sample > 1 else {writes}  # one: the last (the commit)
        points = iter(sorted(spread | {writes + 1}))
    after = state(whole)
    tried = 0
    try:
        for crash_at in points:
            db = copy(f"killed-{crash_at}.duckdb")
            if run_killed(command(db), crash_at) == 0:  # fewer writes than that: it finished
                return before, after, crash_at - 1
            tried += 1
            assert state(db) == before, f"killed before write {crash_at}"
            assert run_killed(command(db)) == 0
            assert state(db) == after, f"re-run after a kill before write {crash_at}"
            db.unlink()
        raise AssertionError("the command did not finish with more writes than counted")
    except AssertionError:
        if tally:
            tally(tried, tried - 1)
        raise
    finally:
        if tally and sys.exc_info()[0] is None:
            tally(tried, tried)


def count_writes(args: list[str]) -> int:
    """``povertycloud ARGS``, run to the end: its writes and commits (the statements
    ``--log-sql`` shows that ``POVERTYCLOUD_CRASH_AT_WRITE`` counts)."""
    done = subprocess.run([str(CLI), "--log-sql", *args], capture_output=True, text=True,
                          timeout=300, check=False,
                          env={k: v for k, v in os.environ.items() if k != CRASH_VARIABLE})
    assert done.returncode == 0, done.stderr
    return len(re.findall(rf"ms\)?: (?:{'|'.join(WRITES)})\b", done.stderr, re.IGNORECASE))


@pytest.fixture
def reliability(record_property: Callable[[str, object], None]) -> Reliability:
    """Where a test records what it tried against the platform (kills, bad inputs), for
    the table of docs/reliability.md."""
    return Reliability(record_property)


def store_state(db: Path, *, stamps: bool = True) -> dict[str, tuple[int, int]]:
    """Every table of the store ``db``: its rows and a checksum of them (without the
    TIMESTAMP columns unless ``stamps``); a missing store is ``{}``."""
    from povertycloud.store import Store

    if not db.exists():
        return {}
    with Store(db, read_only=True) as store:
        return state_of(store, stamps=stamps)


def state_of(store: Store, *, stamps: bool = True) -> dict[str, tuple[int, int]]:
    """:func:`store_state` of an open store (the web application's, in process)."""
    content = {}
    for t in store.tables():
        kept = ", ".join(f'"{c}"' for c, kind in store.columns(t).items()
                         if stamps or not kind.startswith("TIMESTAMP"))
        content[t] = store.one(f"SELECT count(*), coalesce(sum(hash({kept or 0})"
                               f"::HUGEINT), 0) FROM {t}")
    return content


def store_content(db: Path) -> dict[str, tuple[int, int]]:
    """:func:`store_state` without the time stamps (when a row was written), which a
    re-run cannot give again."""
    return store_state(db, stamps=False)


class Refusal:
    """``povertycloud ARGS`` run to be refused: what it printed and whether the refusal
    was clean (a one-line message naming each of ``names``, a non-zero exit, no
    traceback, the store ``db`` as it was), recorded as a bad input of the command."""

    def __init__(self, reliability: Reliability) -> None:
        self._reliability = reliability

    def __call__(self, case: str, args: list[str], names: tuple[str, ...] = (),
                 db: Path | None = None, env: dict[str, str] | None = None) -> str:
        before = store_state(db) if db else None
        done = subprocess.run([str(CLI), *args], capture_output=True, text=True,
                              timeout=300, check=False,
                              env={**os.environ, **(env or {})})
        message = done.stderr.strip()
        clean = (done.returncode != 0 and "Traceback" not in done.stderr
                 and len(message.splitlines()) == 1 and all(n in message for n in names)
                 and (db is None or store_state(db) == before))
        command = " ".join(a for a in args[:2] if not a.startswith("-") and "/" not in a)
        self._reliability.bad_input(command, case, clean)
        assert clean, f"{case}: exit {done.returncode}, stderr:\n{done.stderr}"
        return message


@pytest.fixture
def refuse(reliability: Reliability) -> Refusal:
    """:class:`Refusal`: run a command on bad input and assert it was refused cleanly."""
    return Refusal(reliability)


@pytest.fixture
def crash_test(reliability: Reliability, request: pytest.FixtureRequest) -> KillTest:
    """:func:`kill_at_each_write`, for the tests of commands that must be all or nothing;
    the kills are tallied under the command's name (its first two arguments that are
    not options). Without ``--run-slow`` a command is killed at ``QUICK_KILLS`` of its
    writes at most (the commit), to keep the default run
    quick; with it (CI, ./dev reliability), at every write or at the test's sample."""
    quick = not request.config.getoption("--run-slow")

    def run(source: Path, folder: Path, command: Callable[[Path], list[str]],
            state: Callable[[Path], Any], sample: int | None = None) -> tuple[Any, Any, int]:
        name = " ".join(a for a in command(folder / "x")[:2] if not a.startswith("-"))
        if quick:
            sample = min(sample or QUICK_KILLS, QUICK_KILLS)
        return kill_at_each_write(source, folder, command, state,
                                  lambda tried, held: reliability.kills(name, tried, held),
                                  sample)
    return run
