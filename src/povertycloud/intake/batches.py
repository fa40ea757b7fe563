"""Import a file into the store as one batch: validated as a whole, then all or nothing,
or, when asked, the good rows kept and the bad ones quarantined with their reasons.

A department's feed is corrected by delivering the record again: a record whose key is
stored replaces it when its values differ (the record before kept in ``feed_history``)
and is counted unchanged when they do not. The registry's households and people are
updated so only when asked (``update_from``), their past kept in its valid-time history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..errors import Issue, PovertyCloudError, ValidationFailed
from ..feeds.sources import ddl as feed_ddl
from ..history import Subject, supersede
from ..progress import Progress
from ..sqltext import date_literal
from ..standard.fields import Table
from ..standard.tables import TABLES
from ..standard.tables import table as standard_table
from ..store import Store
from . import checks, readers

STAGING = "_staging"
IMPORT_STEPS = ("read", "check", "write")  # what import_file's progress hears, in order
UPDATABLE = ("households", "people")  # kept with their history (dynamic.history)
# Keeps the stored versions of the rows a query of keys names, before the batch (its id
# given) replaces them.
Keeper = Callable[[Store, Table, str, int], object]
# A caller's own record of a batch, written in the batch's transaction.
Recorder = Callable[[Store, "BatchReport"], object]


@dataclass
class BatchReport:
    """What became of one file: rows in, accepted, quarantined and why."""

    table: str
    source: str
    rows_in: int
    accepted: int = 0
    quarantined: int = 0
    batch_id: int | None = None
    duplicate_of: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    updated: int = 0  # rows of the store replaced (an update, a correction); in accepted
    unchanged: int = 0  # rows the store held already, the same: not in accepted
    issues: list[Issue] = field(default_factory=list)  # the first quarantined rows' problems


def import_file(store: Store, table_name: str | Table, path: Path, *,
                keep_good: bool = False, label: str | None = None,
                update_from: dt.date | None = None,
                today: dt.date | None = None, then: Recorder | None = None,
                progress: Progress | None = None) -> BatchReport:
    """Validate ``path`` against the standard's ``table_name`` (or a table defined
    elsewhere, such as a department's feed, created when missing) and append it; errors
    and the record of the batch name it ``label`` (the path by default). Dates after
    ``today`` (the day of the import, by default the real one) are refused. With
    ``update_from`` (households and people only), a row whose key is in the store
    replaces that row from that day, the row before kept in the history; a feed's
    record whose key is in the store corrects it (see the module's notes). ``then`` is
    called in the batch's transaction once the batch is written; ``progress`` hears
    each of the steps in ``IMPORT_STEPS`` as it starts."""
    table = standard_table(table_name) if isinstance(table_name, str) else table_name
    if update_from is not None and table.name not in UPDATABLE:
        raise PovertyCloudError(f"only {' and '.join(UPDATABLE)} can be updated; "
                                f"{table.name} rows are added")
    path, name = Path(path), label or str(path)
    say = progress or (lambda step: None)
    say(IMPORT_STEPS[0])
    report, checksum = _stage(store, table, path, name)
    if report.duplicate_of is not None:
        return report
    keeper = _correction_keeper(table, update_from, name)
    say(IMPORT_STEPS[1])
    issues = _find_issues(store, table, name, today or dt.date.today(),
                          updating=update_from is not None, correcting=keeper is not None)
    report.reasons, report.issues = _reason_counts(store), issues
    bad_rows = store.scalar("SELECT count(DISTINCT _row) FROM _issues")
    if bad_rows and not keep_good:
        raise ValidationFailed(issues, store.scalar("SELECT count(*) FROM _issues"))
    # Checking made temporary tables only (outside the transaction, where DuckDB reads
    # them faster); the writes are one transaction, a feed's new table included.
    say(IMPORT_STEPS[2])
    with store.transaction():
        if not isinstance(table_name, str):
            store.execute(feed_ddl(table))
            store.seal(table.name, {f.name: f.sql_type for f in table.fields if f.sensitive})
        _write(store, table, report, keeper, checksum)
        if then is not None:
            then(store, report)
    return report


def _stage(store: Store, table: Table, path: Path, name: str) -> tuple[BatchReport, str]:
    """The file in the staging table; its report so far (a duplicate of an earlier
    batch said) and its checksum."""
    columns = readers.stage(store, path, STAGING)
    _check_columns(table, columns, path)
    checksum = readers.checksum(path)
    report = BatchReport(table.name, name, store.scalar(f"SELECT count(*) FROM {STAGING}"))
    earlier = store.value("SELECT batch_id FROM batches WHERE table_name = ? AND checksum = ?",
                          [table.name, checksum])
    if earlier is not None:
        report.duplicate_of = int(earlier)
    return report, checksum


def _write(store: Store, table: Table, report: BatchReport, keeper: Keeper | None,
           checksum: str) -> None:
    """Keep the checked file as a batch: corrections, good rows, quarantine, record."""
    report.batch_id = store.next_batch_id()
    if keeper is not None:
        report.updated, report.unchanged = _update_known(store, table, report.batch_id,
                                                         keeper)
    report.accepted = _insert_good(store, table, report.batch_id,
                                   new_only=keeper is not None)
    report.quarantined = _quarantine(store, table, report.batch_id, report.source)
    store.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, now())",
                  [report.batch_id, table.name, report.source, checksum, report.rows_in,
                   report.accepted, report.quarantined])


def recent_batches(store: Store, limit: int = 10) -> list[tuple[object, ...]]:
    """The latest batches taken in, newest first (without their checksums)."""
    return store.rows("SELECT * EXCLUDE (checksum) FROM batches ORDER BY batch_id DESC "
                      "LIMIT ?", [limit])


def _check_columns(table: Table, columns: list[str], path: Path) -> None:
    unknown = [c for c in columns if c not in table.names]
    if unknown:
        raise PovertyCloudError(
            f"{path}, {readers.unit(str(path))} 1 (header): unknown column(s) "
            f"{', '.join(map(repr, unknown))}; "
            f"the {table.name} table has: {', '.join(table.names)}")
    missing = [f.name for f in table.fields if f.required and f.name not in columns]
    if missing:
        raise PovertyCloudError(
            f"{path}, {readers.unit(str(path))} 1 (header): missing required column(s) "
            f"{', '.join(map(repr, missing))}")


def kept_keys(table: Table) -> str:
    """A query of the keys of the rows of the file just imported that were not
    quarantined: taken in, or found unchanged in the store."""
    return f"SELECT {', '.join(table.primary_key)} FROM ({_good_rows(table)})"


def _find_issues(store: Store, table: Table, source: str, today: dt.date,
                 updating: bool = False, correcting: bool = False) -> list[Issue]:
    present = {r[0] for r in store.execute(f"DESCRIBE {STAGING}").fetchall()}
    for f in table.fields:
        if f.name not in present:  # optional and absent: as if empty everywhere
            store.execute(f'ALTER TABLE {STAGING} ADD COLUMN "{f.name}" VARCHAR')
    # One pass over the file: a column of problems per field, unpivoted (NULLs drop out).
    problems = ", ".join(f'{checks.field_problem(f, today=today)} AS "{f.name}"'
                         for f in table.fields)
    names = ", ".join(f'"{f.name}"' for f in table.fields)
    parts = [f"SELECT _row, field, reason FROM (SELECT _row, {problems} FROM {STAGING}) "
             f"UNPIVOT (reason FOR field IN ({names}))"]
    parts += [f"SELECT _row, {checks.quote(name)}, {checks.quote(reason)} FROM {STAGING} "
              f"WHERE ({checks.field_problem(table.field(name))}) IS NULL AND ({cond})"
              for name, cond, reason in checks.cross_field_rules(table)]
    parts += _reference_rules(store, table)
    parts += _key_rules(table)[:1 if correcting else 2]
    if updating:
        parts += _status_rules(table)
    store.execute("CREATE OR REPLACE TEMP TABLE _issues AS " + " UNION ALL ".join(parts))
    _propagate_to_children(store, table)
    rows = store.execute("SELECT _row, field, reason FROM _issues ORDER BY _row, field "
                       "LIMIT 20").fetchall()
    return [Issue(source, int(r), str(f), str(reason), readers.unit(source))
            for r, f, reason in rows]


def _reference_rules(store: Store, table: Table) -> list[str]:
    rules = []
    for f in table.fields:
        if not f.references:
            continue
        target, column = f.references.split(".")
        if target == table.name and column == f.name:
            continue  # a key refers to its own table: nothing to look up
        v = checks.typed(f, "s")
        exists = f"EXISTS (SELECT 1 FROM {target} t WHERE t.{column} = {v})"
        if target == table.name:
            exists += f" OR EXISTS (SELECT 1 FROM {STAGING} o WHERE o.{column} = s.{f.name})"
        rules.append(f"SELECT _row, {checks.quote(f.name)}, "
                     f"{checks.quote(f'has no match in {f.references}')} FROM {STAGING} s "
                     f"WHERE {checks.field_problem(f, 's')} IS NULL "
                     f"AND {checks.value(f, 's')} IS NOT NULL AND NOT ({exists})")
    return rules


def _propagate_to_children(store: Store, table: Table) -> None:
    """A row that refers to a bad row of the same file is bad too (a village whose
    township is quarantined), down to any depth."""
    for f in table.fields:
        if not f.references or f.references.split(".")[0] != table.name:
            continue
        column = f.references.split(".")[1]
        if column == f.name:
            continue
        reason = checks.quote("refers to row(s) of this file that have problems")
        while True:
            added = store.execute(
                f"INSERT INTO _issues SELECT s._row, {checks.quote(f.name)}, {reason} "
                f"FROM {STAGING} s WHERE s._row NOT IN (SELECT _row FROM _issues) "
                f"AND EXISTS (SELECT 1 FROM {STAGING} o WHERE o.{column} = s.{f.name} "
                f"AND o._row IN (SELECT _row FROM _issues)) "
                f"AND NOT EXISTS (SELECT 1 FROM {table.name} t "
                f"WHERE t.{column} = {checks.typed(f, 's', lenient=True)})").fetchone()
            if not added or not added[0]:
                break


def _key_rules(table: Table) -> list[str]:
    key_fields = [table.field(k) for k in table.primary_key]
    ok = " AND ".join(f"({checks.field_problem(f, 's')}) IS NULL" for f in key_fields)
    key = ", ".join(checks.typed(f, "s", lenient=True) for f in key_fields)
    stored = " AND ".join(f"t.{f.name} = {checks.typed(f, 's')}" for f in key_fields)
    field = checks.quote(table.primary_key[-1])
    return [
        f"SELECT _row, {field}, 'duplicate key: the same key is in another row of the file' "
        f"FROM (SELECT _row, count(*) OVER (PARTITION BY {key}) AS n, {ok} AS ok "
        f"FROM {STAGING} s) WHERE n > 1 AND ok",
        f"SELECT _row, {field}, 'a row with this key is already in the store' "
        f"FROM {STAGING} s WHERE {ok} AND EXISTS (SELECT 1 FROM {table.name} t WHERE {stored})",
    ]


# columns an update may not change: a household's status changes through a proposal
STATUS_COLUMNS = ("registration_status", "registration_year", "exit_year")


def _status_rules(table: Table) -> list[str]:
    """Rows of an update that would change a stored household's registry status."""
    names = [c for c in STATUS_COLUMNS if c in table.names]
    key = table.field(table.primary_key[0])
    reason = checks.quote("the registry status changes only through a proposal "
                          "(povertycloud workflow), not an update")
    return [f"SELECT _row, {checks.quote(c)}, {reason} FROM {STAGING} s JOIN {table.name} t "
            f"ON t.{key.name} = {checks.typed(key, 's', lenient=True)} "
            f"WHERE ({checks.field_problem(table.field(c), 's')}) IS NULL "
            f"AND {checks.typed(table.field(c), 's', lenient=True)} IS DISTINCT FROM t.{c}"
            for c in names]


def _reason_counts(store: Store) -> dict[str, int]:
    rows = store.execute("SELECT field || ': ' || reason, count(*) FROM _issues "
                       "GROUP BY ALL ORDER BY 2 DESC").fetchall()
    return {str(k): int(n) for k, n in rows}


def _good_rows(table: Table) -> str:
    """The file's good rows, typed."""
    values = ", ".join(f"{checks.typed(f)} AS {f.name}" for f in table.fields)
    return (f"SELECT _row, {values} FROM {STAGING} "
            "WHERE _row NOT IN (SELECT _row FROM _issues)")


def _correction_keeper(table: Table, update_from: dt.date | None,
                       source: str) -> Keeper | None:
    """How the rows a batch replaces are kept: in the registry's history until
    ``update_from`` when updating, in ``feed_history`` for a feed; None when stored
    keys are refused."""
    if update_from is not None:
        def keep_history(store: Store, table: Table, changed: str, batch_id: int) -> int:
            ends = f"SELECT *, {date_literal(update_from)} AS valid_to FROM ({changed})"
            return supersede(store, cast(Subject, table.name), ends, f"batch {batch_id}",
                             source)
        return keep_history
    return None if table.name in TABLES else _keep_feed_records


def _keep_feed_records(store: Store, table: Table, changed: str, batch_id: int) -> int:
    """Copy the feed's records that ``changed`` names into ``feed_history``, as JSON,
    with the batch that corrects them."""
    key = table.primary_key[0]
    record = ", ".join(f"{checks.quote(n)}: t.\"{n}\"" for n in table.names)
    return store.scalar(
        f"INSERT INTO feed_history SELECT {checks.quote(table.name)}, "
        f"CAST(t.{key} AS VARCHAR), CAST(to_json({{{record}}}) AS VARCHAR), t.batch_id, "
        f"t.recorded_at, {batch_id}, now() FROM {table.name} t WHERE t.{key} IN ({changed})")


def _update_known(store: Store, table: Table, batch_id: int,
                  keep: Keeper) -> tuple[int, int]:
    """Replace the stored rows whose key the file has and whose values differ, each
    row as it was given to ``keep`` first. Returns the rows replaced and the rows
    found as they are stored."""
    key = table.primary_key[0]
    store.execute(f"CREATE OR REPLACE TEMP TABLE _known AS SELECT g.* FROM ({_good_rows(table)}) "
                f"g JOIN {table.name} t USING ({key})")
    differ = " OR ".join(f"t.{f.name} IS DISTINCT FROM k.{f.name}"
                         for f in table.fields if f.name != key)
    changed = f"SELECT k.{key} FROM _known k JOIN {table.name} t USING ({key}) WHERE {differ}"
    keep(store, table, changed, batch_id)
    sets = ", ".join(f'"{f.name}" = k."{f.name}"' for f in table.fields if f.name != key)
    updated = store.execute(f"UPDATE {table.name} SET {sets}, batch_id = {batch_id}, "
                          f"recorded_at = now() FROM _known k WHERE {table.name}.{key} = "
                          f"k.{key} AND k.{key} IN ({changed})").fetchone()
    known = store.scalar("SELECT count(*) FROM _known")
    store.execute("DROP TABLE _known")
    replaced = int(updated[0]) if updated else 0
    return replaced, known - replaced


def _insert_good(store: Store, table: Table, batch_id: int, new_only: bool = False) -> int:
    """Append the good rows (``new_only``: those whose key is not stored); returns the
    rows of the batch in the table."""
    stored = " AND ".join(f"t.{k} = g.{k}" for k in table.primary_key)
    new = (f"WHERE NOT EXISTS (SELECT 1 FROM {table.name} t WHERE {stored})"  # an anti-join
           if new_only else "")
    store.execute(f"INSERT INTO {table.name} ({', '.join(table.names)}, batch_id, recorded_at) "
                  f"SELECT {', '.join(table.names)}, {batch_id}, now() "
                  f"FROM ({_good_rows(table)}) g {new} ORDER BY _row")
    return store.scalar(f"SELECT count(*) FROM {table.name} WHERE batch_id = {batch_id}")


def _quarantine(store: Store, table: Table, batch_id: int,
                source: str) -> int:
    record = ", ".join(f"{checks.quote(n)}: \"{n}\"" for n in table.names)
    store.execute(
        f"INSERT INTO quarantine (batch_id, table_name, source, row_number, problems, record, "
        f"quarantined_at) SELECT {batch_id}, {checks.quote(table.name)}, ?, s._row, "
        f"i.problems, CAST(to_json({{{record}}}) AS VARCHAR), now() FROM {STAGING} s JOIN "
        f"(SELECT _row, string_agg(field || ': ' || reason, '; ' ORDER BY field) AS problems "
        f"FROM _issues GROUP BY _row) i USING (_row)", [source])
    return store.scalar(f"SELECT count(*) FROM quarantine WHERE batch_id = {batch_id}")
