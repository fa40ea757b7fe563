"""The runner: a thread of the server's process that runs the store's jobs one at a time,
each on a store handle of its own with all its writes in one transaction, so that pages
served meanwhile see the store before the job or after it, never half-way. Its progress
is written through another handle, outside that transaction, so pages see it move."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from ..access.accounts import User
from ..errors import PovertyCloudError, ValidationFailed
from ..store import Store
from . import records
from .kinds import KINDS, Parameters, Steps, kind

log = logging.getLogger("povertycloud.jobs")
ISSUES_KEPT = 100  # a failed file's problems kept with its job, the first ones
_UNSAFE = re.compile(r"[^\w.-]+")


class Stopped(Exception):
    """The server stops: the job running ends at its next step, nothing of it kept."""


class Runner:
    """Runs the jobs of ``store``; uploaded files wait in ``uploads`` until their job
    has run. ``after`` runs at the end of each job, inside its transaction (the web
    rebuilds what it derives from the data)."""

    def __init__(self, store: Store, uploads: Path,
                 after: Callable[[Store], object] | None = None, poll: float = 5.0) -> None:
        self.store, self.uploads, self.after, self.poll = store, Path(uploads), after, poll
        self.name = records.runner_name()
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._work: Store | None = None  # the handle of the job running

    def start(self) -> None:
        """Mark failed what a server before left running, then take queued jobs."""
        self._status = self.store.cursor()
        for job_id in records.recover(self._status, self.name):
            shutil.rmtree(self.uploads / str(job_id), ignore_errors=True)
        self._thread = threading.Thread(target=self._loop, name="povertycloud-jobs",
                                        daemon=True)
        self._thread.start()

    def stop(self, wait: float = 10.0) -> None:
        """Stop taking jobs; a job running is interrupted (nothing of it kept) and marked
        failed. Waits up to ``wait`` seconds for that; a job still running then is marked
        failed when the server next starts."""
        self._stopping.set()
        self._wake.set()
        work = self._work
        if work is not None:
            work.interrupt()
        if self._thread is not None:
            self._thread.join(wait)
            if not self._thread.is_alive():
                self._status.close()

    def submit(self, store: Store, user: User, name: str, given: Parameters,
               upload: BinaryIO | None = None, file_name: str | None = None) -> int:
        """Queue a job of kind ``name`` (its parameters checked first; a file for the
        kinds that take one) as asked by ``user``; returns its number."""
        from ..intake.readers import file_format

        chosen = kind(name)
        parameters = chosen.check(store, given)
        if chosen.file != (upload is not None):
            raise PovertyCloudError(f"a job of kind {name} "
                                    f"{'needs a' if chosen.file else 'takes no'} file")
        job_id = records.new_id(store)
        if upload is not None:
            shown = Path(file_name or "upload").name
            file_format(Path(shown))  # a type the readers know
            folder = self.uploads / str(job_id)
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / _UNSAFE.sub("_", shown)).open("wb") as out:
                shutil.copyfileobj(upload, out)
            file_name = shown
        try:
            records.add(store, name, parameters, file_name, user, job_id)
        except BaseException:
            shutil.rmtree(self.uploads / str(job_id), ignore_errors=True)
            raise
        self._wake.set()
        return job_id

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                job = records.claim_next(self._status, self.name)
            except Exception:  # the store briefly unusable: try again later
                log.exception("cannot look for jobs")
                job = None
            if job is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            self._run(job)

    def _run(self, job: dict[str, Any]) -> None:
        job_id = int(job["job_id"])
        folder = self.uploads / str(job_id)
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        chosen = KINDS[job["kind"]]
        def told(step: str, done: int, total: int) -> None:
            if self._stopping.is_set():
                raise Stopped()
            records.told(self._status, job_id, step, done, total)

        steps = Steps(told)
        summary: dict[str, Any] | None = None
        error: str | None = None
        self._work = work = self.store.cursor()
        try:
            if chosen.file and not files:
                raise PovertyCloudError(f"the file of job {job_id} is gone from "
                                        f"{self.uploads}; start it again")
            with work.transaction():
                summary = chosen.run(work, job["parameters"], files[0] if files else None,
                                     job["file_name"] or "", steps)
                if self.after is not None:
                    self.after(work)
        except ValidationFailed as exc:
            error, summary = str(exc), {"problems": exc.total, "issues": [
                asdict(i) | {"source": job["file_name"]} for i in exc.issues[:ISSUES_KEPT]]}
        except PovertyCloudError as exc:
            error = str(exc)
        except Exception as exc:  # a failed job must not stop the runner
            if self._stopping.is_set():
                error = records.STOPPED
            else:
                log.exception("job %s failed", job_id)
                error = f"{type(exc).__name__}: {exc}"
        finally:
            self._work = None
            work.close()
            shutil.rmtree(folder, ignore_errors=True)
        if error and files:  # the file as it was sent, not where it waited
            error = error.replace(str(files[0]), job["file_name"])
        records.end(self._status, job_id, summary, error)
