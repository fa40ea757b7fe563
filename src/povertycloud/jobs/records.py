"""The jobs' table: a job asked for (queued), taken by a runner (running), told how far
it got, ended (done with its summary, failed with the reason). The table outlives the
server, so the list survives a restart; a job left running by a server that died is
marked failed when the next one starts."""

from __future__ import annotations

import json
import os
from typing import Any

from ..access.accounts import User
from ..errors import NotFound
from ..store import Queries, Store, StoreConflict

QUERIES = Queries(__package__)
STATES = ("queued", "running", "done", "failed")
STOPPED = "the server stopped while it ran; nothing of it was kept"


def add(store: Store, kind: str, parameters: dict[str, Any], file_name: str | None,
        user: User, job_id: int | None = None) -> int:
    """Queue a job (under ``job_id`` when drawn already, see :func:`new_id`)."""
    job_id = job_id or new_id(store)
    store.execute(QUERIES["add_job"], [job_id, kind, json.dumps(parameters), file_name,
                                       user.user_id, user.username])
    return job_id


def new_id(store: Store) -> int:
    return store.draw("job_ids", 1) + 1


def job(store: Store, job_id: int) -> dict[str, Any]:
    found = store.record(QUERIES["job"], [job_id])
    if found is None:
        raise NotFound(f"no job {job_id}")
    return _read(found)


def recent(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest jobs, newest first."""
    return [_read(r) for r in store.records(QUERIES["recent_jobs"], [limit])]


def _read(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("parameters", "result"):
        row[key] = json.loads(row[key]) if row[key] else None
    return row


def claim_next(store: Store, runner: str) -> dict[str, Any] | None:
    """The oldest queued job, now running under ``runner``; None when none is queued or
    one runs already (here or in another process)."""
    job_id = store.value(QUERIES["next_queued_job"])
    if job_id is None:
        return None
    try:
        claimed = store.scalar(QUERIES["claim_job"], [runner, job_id])
    except StoreConflict:  # another process took it at the same moment
        return None
    return job(store, job_id) if claimed else None


def told(store: Store, job_id: int, step: str, done: int, total: int) -> None:
    store.execute(QUERIES["job_progress"], [step, done, total, job_id])


def end(store: Store, job_id: int, summary: dict[str, Any] | None,
        error: str | None = None) -> None:
    """The job done with its ``summary``, or failed with ``error`` (and what is known of
    the failure, such as a file's problems, as its summary)."""
    state = "failed" if error else "done"
    result = json.dumps(summary, ensure_ascii=False, default=str) if summary else None
    store.execute(QUERIES["end_job"], [state, state, result, error, job_id])


def runner_name() -> str:
    """This process, as a job's runner is recorded: host:pid."""
    return f"{os.uname().nodename}:{os.getpid()}"


def recover(store: Store, runner: str) -> list[int]:
    """Mark failed the jobs left running by a process of this host that is gone (the
    server died, or was stopped before the job could be); returns them. A job running
    in a live process, or on another host, is left to it."""
    lost = [job_id for job_id, other in store.rows(QUERIES["running_jobs"])
            if _gone(str(other), runner)]
    for job_id in lost:
        end(store, job_id, None, STOPPED)
    return lost


def _gone(other: str, runner: str) -> bool:
    """Whether the runner ``other`` is no longer running, seen from ``runner``: it is
    this process (which has just started), or a process of this host that is gone."""
    host, _, pid = other.rpartition(":")
    return other == runner or (host == runner.rpartition(":")[0] and not _alive(pid))


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # a process of another user
        return True
    return True
