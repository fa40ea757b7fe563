"""What a job can be: each kind checks its parameters when the job is asked for (so a
bad request is refused at once, nothing queued) and then runs the very domain function
its command runs, telling its steps as it goes.

| kind | command | parameters |
|---|---|---|
| import | `povertycloud import` | table, keep_good, update, valid_from; a file |
| intake | `povertycloud intake` | source, schema_version, keep_good; a file |
| identify | `povertycloud identify` | year (default the latest), engine |
| reevaluate | `povertycloud reevaluate` | year, as_of, events, since, dry_run |
| backup | `povertycloud backup` | none: a new file in the backups' folder |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import PovertyCloudError
from ..store import Store

Parameters = dict[str, Any]  # as JSON keeps them: text, numbers, booleans, None
Summary = dict[str, Any]


class Steps:
    """How a running job tells its progress: the steps in all, then each as it starts."""

    def __init__(self, told: Callable[[str, int, int], None]) -> None:
        self.told, self.done, self.total = told, 0, 1

    def expect(self, total: int) -> None:
        self.total = max(total, 1)
        self.told("", self.done, self.total)

    def __call__(self, step: str) -> None:
        """The step ``step`` starts: those before it are done (never all of them until
        the job ends)."""
        self.told(step, min(self.done, self.total - 1), self.total)
        self.done += 1


@dataclass(frozen=True)
class Kind:
    name: str
    file: bool  # whether it takes an uploaded file
    check: Callable[[Store, Parameters], Parameters]  # the parameters, checked, completed
    run: Callable[[Store, Parameters, Path | None, str, Steps], Summary]  # file, its name


def _date(parameters: Parameters, key: str) -> dt.date | None:
    text = parameters.get(key)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise PovertyCloudError(f"{key}: {text!r} is not a date (YYYY-MM-DD)") from None


def _flag(parameters: Parameters, key: str) -> bool:
    value = parameters.get(key, False)
    if not isinstance(value, bool):
        raise PovertyCloudError(f"{key}: true or false, not {value!r}")
    return value


def _whole(parameters: Parameters, key: str) -> int | None:
    value = parameters.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).isdigit():
        raise PovertyCloudError(f"{key}: a whole number, not {value!r}")
    return int(value)


def _report(report: Any) -> Summary:
    return asdict(report)


# -- import -----------------------------------------------------------------------------

def _check_import(store: Store, given: Parameters) -> Parameters:
    from ..intake.batches import UPDATABLE
    from ..standard.tables import table

    name = table(str(given.get("table", ""))).name
    update, valid_from = _flag(given, "update"), _date(given, "valid_from")
    if valid_from and not update:
        raise PovertyCloudError("valid_from goes with update")
    if update and name not in UPDATABLE:
        raise PovertyCloudError(f"only {' and '.join(UPDATABLE)} can be updated; {name} "
                                "rows are added")
    return {"table": name, "keep_good": _flag(given, "keep_good"), "update": update,
            "valid_from": (valid_from or dt.date.today()).isoformat() if update else None}


def _run_import(store: Store, p: Parameters, file: Path | None, label: str,
                steps: Steps) -> Summary:
    from ..intake.batches import IMPORT_STEPS, import_file

    assert file is not None
    steps.expect(len(IMPORT_STEPS))
    return _report(import_file(store, p["table"], file, keep_good=p["keep_good"],
                               label=label, update_from=_date(p, "valid_from"),
                               progress=steps))


# -- intake -----------------------------------------------------------------------------

def _check_intake(store: Store, given: Parameters) -> Parameters:
    from ..feeds.sources import source_named

    return {"source": source_named(str(given.get("source", ""))).id,
            "schema_version": _whole(given, "schema_version"),
            "keep_good": _flag(given, "keep_good")}


def _run_intake(store: Store, p: Parameters, file: Path | None, label: str,
                steps: Steps) -> Summary:
    from ..feeds.sources import source_named
    from ..intake.batches import IMPORT_STEPS
    from ..intake.deliveries import take_in

    assert file is not None
    steps.expect(len(IMPORT_STEPS))
    return _report(take_in(store, source_named(p["source"]), file, keep_good=p["keep_good"],
                           schema_version=p["schema_version"], label=label, progress=steps))


# -- identify ---------------------------------------------------------------------------

def _check_identify(store: Store, given: Parameters) -> Parameters:
    from ..engines import check_engine
    from ..identification.runs import check_year, latest_year

    engine = str(given.get("engine") or "duckdb")
    check_engine(engine)
    year = _whole(given, "year")
    if year is None:
        year = latest_year(store)
    check_year(store, year)
    return {"year": year, "engine": engine}


def _run_identify(store: Store, p: Parameters, file: Path | None, label: str,
                  steps: Steps) -> Summary:
    from ..identification.plan import identify_plan, load_rules
    from ..identification.runs import identify

    rules = load_rules()
    plan = identify_plan(rules, p["year"])
    steps.expect(len(plan.steps) + len(plan.outputs))  # each defined, then each kept
    counts = identify(store, rules, p["year"], p["engine"], steps)
    return {"year": p["year"], "households": counts["identification"],
            "rules": rules.versions()}


# -- reevaluate -------------------------------------------------------------------------

def _check_reevaluate(store: Store, given: Parameters) -> Parameters:
    from ..identification.runs import check_year

    year = _whole(given, "year")
    if year is not None:
        check_year(store, year)
    as_of, since = _date(given, "as_of"), _date(given, "since")
    events = _flag(given, "events")
    if since and not events:
        raise PovertyCloudError("since goes with events")
    return {"year": year, "as_of": as_of and as_of.isoformat(), "events": events,
            "since": since and since.isoformat(), "dry_run": _flag(given, "dry_run")}


def _run_reevaluate(store: Store, p: Parameters, file: Path | None, label: str,
                    steps: Steps) -> Summary:
    from ..dynamic.reevaluation import adjust
    from ..identification.runs import identified, latest_year

    year = p["year"] or latest_year(store)
    steps.expect(1 if identified(store, year) else 2)  # (identify,) re-evaluate
    return _report(adjust(store, year, _date(p, "as_of"), events=p["events"],
                          since=_date(p, "since"), dry_run=p["dry_run"], progress=steps))


# -- backup -----------------------------------------------------------------------------

def _check_backup(store: Store, given: Parameters) -> Parameters:
    from ..store.backup import folder

    folder(store)  # the folder is known before the job is queued
    return {}


def _run_backup(store: Store, p: Parameters, file: Path | None, label: str,
                steps: Steps) -> Summary:
    from ..store.backup import backup, folder

    out = folder(store) / f"backup-{dt.datetime.now():%Y%m%d-%H%M%S}.duckdb"
    out.parent.mkdir(parents=True, exist_ok=True)

    def copying(table: str, done: int, total: int) -> None:
        if done == 0:
            steps.expect(total)
        steps(table)

    manifest = backup(store, out, copying)
    return {"file": str(out), "taken_at": manifest.taken_at, "tables": len(manifest.tally),
            "rows": sum(rows for rows, _ in manifest.tally.values())}


KINDS = {k.name: k for k in (
    Kind("import", True, _check_import, _run_import),
    Kind("intake", True, _check_intake, _run_intake),
    Kind("identify", False, _check_identify, _run_identify),
    Kind("reevaluate", False, _check_reevaluate, _run_reevaluate),
    Kind("backup", False, _check_backup, _run_backup),
)}


def kind(name: str) -> Kind:
    if name not in KINDS:
        raise PovertyCloudError(f"unknown kind of job {name!r}; the kinds are "
                                f"{', '.join(KINDS)}")
    return KINDS[name]
