"""The proposal job queue: every state change of a job, each a conditional ``UPDATE`` so two
workers (threads or servers) can never both make it::

    queued --claim_next--> running --finish---> done
      ^                      |  \\---fail_job--> failed
      \\-------requeue-------/

- :func:`create_job` queues a job (the route answers 202); the ``reference`` makes the request
  idempotent.
- :func:`claim_next` takes the oldest queued job for a worker, in its own short transaction.  On
  PostgreSQL the candidate is read ``FOR UPDATE SKIP LOCKED`` (two workers never wait on or take
  the same job); on SQLite, whose transactions here are ``BEGIN IMMEDIATE``, the conditional
  ``UPDATE ... WHERE status = 'queued'`` alone decides.  Either way only one worker gets
  ``rowcount == 1``.
- A running job carries its worker's id and a :func:`heartbeat`; :func:`requeue` (a graceful
  stop) puts it back in the queue, :func:`fail_job` ends it with the reason, :func:`finish`
  marks it done in the transaction that stores its lines (:func:`api.engine.store_result`).
  Each only acts on a job still running under the given worker, so a verdict reached meanwhile
  (a job failed as abandoned by another server) is never overwritten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit, messages
from api.config import Settings
from api.engine import engine_params
from api.models import Job, utcnow
from api.schemas import JobIn
from api.services.errors import WORKER, Actor, Conflict, FieldError, Invalid, NotFound
from api.services.travel import has_travel_times


def create_job(session: Session, actor: Actor, data: JobIn, settings: Settings) -> tuple[Job, bool]:
    """Queue a proposal job; with a ``reference`` already used for the same request, return
    that job instead (``created`` false), and with other parameters raise :class:`Conflict`.

    A failed job does not hold its reference: asking again with it queues a new job (with the
    same or other parameters), and the failed job lets go of the reference (its ``reference``
    becomes null; the audit event ``proposal.retry`` on it keeps the reference and the new job's
    id).  Two retries at the same moment make one new job: the second finds the reference
    already let go of, and starts over."""
    params = data.params.model_dump(exclude_none=True)
    solver = (data.solver.value if data.solver else settings.solver)
    time_limit = data.time_limit if data.time_limit is not None else settings.default_time_limit
    if time_limit > settings.max_time_limit:
        raise Invalid([FieldError(("body", "time_limit"), "time_limit_max", {"seconds": settings.max_time_limit})])
    if engine_params(data.as_of, params).max_minutes is not None and not has_travel_times(session):
        raise Invalid([FieldError(("body", "params", "max_minutes"), "no_travel_times")])
    retry_of = None
    if data.reference is not None:
        existing = session.scalar(select(Job).where(Job.reference == data.reference))
        if existing is not None and existing.status == "failed":
            released = session.execute(update(Job).where(Job.id == existing.id, Job.status == "failed",
                                                         Job.reference == data.reference).values(reference=None))
            if released.rowcount != 1:  # another request let go of it first: it may have made the new job
                session.rollback()
                return create_job(session, actor, data, settings)
            retry_of, existing = existing.id, None
        if existing is not None:
            if (existing.as_of, existing.params, existing.solver, existing.time_limit) == (data.as_of, params, solver, time_limit):
                return existing, False
            raise Conflict("job_reference_other", reference=data.reference, job=existing.id)
    job = Job(reference=data.reference, status="queued", as_of=data.as_of, params=params, solver=solver,
              time_limit=time_limit, created_by=actor.token_id)
    session.add(job)
    try:
        session.flush()
    except IntegrityError:  # the same reference at the same moment
        session.rollback()
        return create_job(session, actor, data, settings)
    if retry_of is not None:
        audit.record(session, actor, "proposal.retry", "job", retry_of, reference=data.reference, retried_as=job.id)
    audit.record(session, actor, "proposal.create", "job", job.id, as_of=data.as_of, params=params, solver=solver,
                 time_limit=time_limit, reference=data.reference)
    session.commit()
    return job, True


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("no_job", job=job_id)
    return job


def list_jobs(session: Session, status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Job], int]:
    """Jobs, newest first, and how many there are in all."""
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset))), total


def running(session: Session) -> list[Job]:
    """The jobs running now (under any worker)."""
    return list(session.scalars(select(Job).where(Job.status == "running")))


def claim_next(session: Session, worker: str) -> int | None:
    """Claim the oldest queued job for ``worker``; its id, or ``None`` if there is none."""
    candidate = session.scalar(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
                               .with_for_update(skip_locked=True))
    if candidate is None:
        session.rollback()
        return None
    now = utcnow()
    claimed = session.execute(update(Job).where(Job.id == candidate, Job.status == "queued")
                              .values(status="running", worker=worker, started_at=now, heartbeat_at=now))
    if claimed.rowcount != 1:
        session.rollback()
        return None
    session.commit()
    return candidate


def heartbeat(session: Session, job_id: int, worker: str) -> None:
    """``worker`` is still running ``job_id``."""
    session.execute(update(Job).where(Job.id == job_id, Job.worker == worker).values(heartbeat_at=utcnow()))
    session.commit()


def _running_under(job_id: int, worker: str | None):
    query = update(Job).where(Job.id == job_id, Job.status == "running")
    return query if worker is None else query.where(Job.worker == worker)


def requeue(session: Session, job_id: int, worker: str, why: str) -> bool:
    """Put a job ``worker`` is running back in the queue (audited with ``why``); false if it
    was no longer running under ``worker``."""
    done = session.execute(_running_under(job_id, worker)
                           .values(status="queued", worker=None, started_at=None, heartbeat_at=None))
    if done.rowcount != 1:
        session.rollback()
        return False
    audit.record(session, WORKER, "proposal.requeue", "job", job_id, why=why)
    session.commit()
    return True


def fail_job(session: Session, job_id: int, worker: str | None, message: str | dict[str, Any]) -> bool:
    """Mark a running job failed with ``message`` (only if still running, and under ``worker``
    when given); false if it was not.  ``message`` is a catalogue message as data
    (:func:`api.messages.data`: kept as ``error_values``, its English text as ``error``) or a
    plain English sentence."""
    values = message if isinstance(message, dict) else None
    message = messages.render_data("en", message) if isinstance(message, dict) else message
    done = session.execute(_running_under(job_id, worker)
                           .values(status="failed", finished_at=utcnow(), error=message[:4000], error_values=values))
    if done.rowcount != 1:
        session.rollback()
        return False
    audit.record(session, WORKER, "proposal.failed", "job", job_id, error=message[:500])
    session.commit()
    return True


def finish(session: Session, job_id: int, worker: str, summary: dict[str, Any], period_id: int) -> bool:
    """Mark a job ``worker`` is running done, without committing: the caller adds the job's
    lines in the same transaction and commits.  False (and rolled back) if the job is no longer
    running under ``worker``."""
    done = session.execute(_running_under(job_id, worker)
                           .values(status="done", finished_at=utcnow(), summary=summary, error=None, error_values=None,
                                   period_id=period_id))
    if done.rowcount != 1:
        session.rollback()
        return False
    return True
