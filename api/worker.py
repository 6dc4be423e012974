"""The proposal worker: claims queued jobs, runs the engine, stores the result.

Each step is one call: :func:`~api.services.jobs.claim_next` (its own short transaction),
:func:`~api.engine.snapshot`, :func:`~api.engine.run` (by default in a child process,
:func:`~api.engine.start_child`, with a :func:`~api.services.jobs.heartbeat` while it runs), then
:func:`~api.engine.store_result`, :func:`~api.services.jobs.fail_job` or, on a graceful stop,
:func:`~api.services.jobs.requeue`.  The job's states and why no two workers take the same job:
:mod:`api.services.jobs`.

A running job carries its worker's ``host:pid:uuid`` and a heartbeat.  When a worker starts, and
then every minute, it fails the running jobs whose worker is gone: on this host, a process that
no longer exists (or is a zombie, or is this very process under a new uuid after a restart);
anywhere, a heartbeat older than ``stale_after``.  So a job cut off by a crash or ``kill -9`` is
reported failed with the reason, never left running.  A graceful stop puts the running job back
in the queue instead.  Nothing a job does touches decided lines: it only adds its own lines, in
one transaction, when it is done.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from api import messages
from api.config import Settings
from api.engine import EngineFailure, Snapshot, run, snapshot, start_child, store_result
from api.messages import data
from api.models import Job, utcnow
from api.services import jobs
from api.services.errors import Invalid, ServiceError
from api.services.jobs import claim_next

log = logging.getLogger("api.worker")

HOST = socket.gethostname()
_PROCESS_TOKEN = uuid.uuid4().hex[:12]
_RUNNING: set[int] = set()
"""Jobs this process is running right now; a job claimed by this process but not in here was
lost (its worker thread died between claim and result) and is failed by :func:`recover`."""


def worker_id() -> str:
    """``host:pid:uuid`` of this process: the same for every worker object in it, and new when
    the server restarts, even under a reused pid."""
    return f"{HOST}:{os.getpid()}:{_PROCESS_TOKEN}"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _abandoned(worker: str | None, heartbeat: dt.datetime | None, me: str, stale_after: float) -> dict | None:
    """Why a running job's worker is gone (a message as data), or ``None`` if it may still be working."""
    if worker is None:
        return data("why_no_worker")
    host, _, rest = worker.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host == HOST and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid() and worker != me:
            return data("why_replaced", pid=pid, host=host)
        if pid != os.getpid() and _process_gone(pid):
            return data("why_gone", pid=pid, host=host)
    if heartbeat is None or (utcnow() - heartbeat).total_seconds() > stale_after:
        return data("why_no_heartbeat", worker=worker, seconds=stale_after)
    return None


def recover(session: Session, me: str, stale_after: float) -> list[int]:
    """Fail the running jobs whose worker is gone; their ids."""
    failed = []
    for job in jobs.running(session):
        if job.worker == me:
            why = None if job.id in _RUNNING else data("why_lost_track")
        else:
            why = _abandoned(job.worker, job.heartbeat_at, me, stale_after)
        if why is None:
            continue
        if jobs.fail_job(session, job.id, job.worker, data("job_interrupted", why=why)):
            log.warning("proposal job %s failed: %s", job.id, messages.render_data("en", why))
            failed.append(job.id)
    session.rollback()
    return failed


class Worker:
    """The job runner.  :meth:`start` runs it in a daemon thread; tests call :meth:`run_once`."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings):
        self.sessions = sessions
        self.settings = settings
        self.id = worker_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_recovery = 0.0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="matcher-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def recover(self) -> list[int]:
        self._last_recovery = time.monotonic()
        with self.sessions() as session:
            return recover(session, self.id, self.settings.stale_after)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if time.monotonic() - self._last_recovery > 60:
                    self.recover()
                if self.run_once() is None:
                    self._wake.wait(self.settings.poll_interval)
                    self._wake.clear()
            except Exception:  # a database hiccup must not end the worker
                log.exception("proposal worker: unexpected error; retrying")
                self._stop.wait(self.settings.poll_interval)

    # --- one job -----------------------------------------------------------------------------

    def run_once(self) -> int | None:
        """Claim and run one queued job; its id, or ``None`` when the queue is empty."""
        with self.sessions() as session:
            job_id = claim_next(session, self.id)
        if job_id is None:
            return None
        log.info("proposal job %s: claimed by %s", job_id, self.id)
        _RUNNING.add(job_id)
        try:
            self._run(job_id)
        finally:
            _RUNNING.discard(job_id)
        return job_id

    def _run(self, job_id: int) -> None:
        try:
            with self.sessions() as session:
                job = session.get(Job, job_id)
                snap = snapshot(session, job)
                solver, time_limit = job.solver, job.time_limit
                session.rollback()
            outcome, value = self._solve(job_id, snap, solver, time_limit)
        except Invalid as exc:  # its fields' errors, in English
            outcome, value = "failed", data("job_invalid_instance", error=str(exc))
        except ServiceError as exc:
            outcome, value = "failed", data("job_invalid_instance", error=data(exc.code, **exc.values))
        except ValueError as exc:
            outcome, value = "failed", data("job_invalid_instance", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - reported on the job, not swallowed
            log.exception("proposal job %s crashed", job_id)
            outcome, value = "failed", data("job_worker_crashed", error=f"{type(exc).__name__}: {exc}")
        try:
            with self.sessions() as session:
                if outcome == "ok":
                    stored = store_result(session, job_id, self.id, snap, value)
                    log.info("proposal job %s: %s", job_id, "done" if stored else "result dropped (job no longer ours)")
                elif outcome == "requeue":
                    jobs.requeue(session, job_id, self.id, messages.text("en", "server_stopped"))
                else:
                    assert isinstance(value, dict)
                    jobs.fail_job(session, job_id, self.id, value)
                    log.warning("proposal job %s failed: %s", job_id, messages.render_data("en", value).splitlines()[0])
        except Exception as exc:  # storing failed (say, the database went away): report it on the job
            log.exception("proposal job %s: could not store the outcome", job_id)
            with self.sessions() as session:
                jobs.fail_job(session, job_id, self.id, data("job_not_stored", error=f"{type(exc).__name__}: {exc}"))

    def _solve(self, job_id: int, snap: Snapshot, solver: str, time_limit: float) -> tuple[str, object]:
        if not self.settings.solve_in_subprocess:
            try:
                return "ok", run(snap.instance, snap.params, solver, time_limit, snap.history)
            except EngineFailure as exc:
                return "failed", exc.message
        process, connection = start_child(snap.instance, snap.params, solver, time_limit, snap.history)
        deadline = time.monotonic() + 2 * time_limit + 120
        try:
            while True:
                if connection.poll(self.settings.heartbeat_interval):
                    try:
                        return connection.recv()
                    except EOFError:
                        process.join(5)
                        return "failed", data("job_solver_died", exit_code=process.exitcode)
                self._heartbeat(job_id)
                if self._stop.is_set():
                    return "requeue", None
                if time.monotonic() > deadline:
                    return "failed", data("job_solver_timeout", seconds=2 * time_limit + 120)
                if not process.is_alive() and not connection.poll(0):
                    return "failed", data("job_solver_died", exit_code=process.exitcode)
        finally:
            if process.is_alive():
                process.kill()
            process.join(5)
            connection.close()

    def _heartbeat(self, job_id: int) -> None:
        with self.sessions() as session:
            jobs.heartbeat(session, job_id, self.id)


def run_pending(sessions: sessionmaker[Session], settings: Settings, limit: int = 100,
                on_job: Callable[[int], None] | None = None) -> list[int]:
    """Run queued jobs in this thread until the queue is empty (tests, scripts); their ids."""
    worker = Worker(sessions, settings)
    ran: list[int] = []
    while len(ran) < limit:
        job_id = worker.run_once()
        if job_id is None:
            break
        ran.append(job_id)
        if on_job:
            on_job(job_id)
    return ran
