"""Locks: COA fixes a pending line so that every later proposal places its household there
(docs/contract.md §1 ``locks.csv``, §4 rule 7).

- :func:`lock_line` locks a pending line of a finished job: the household to the line's
  municipality and, for a ``house`` line, to its home (a ``couple`` line locks the municipality
  only).  Locking the same place again, from the same line or from a line of a later job that
  proposes the same place, returns the lock there is (``created`` false).  A household has at
  most one active lock: locking another place while one is active is a 409 naming it.
- A lock ends, and stays as history with ``ended_at`` and ``end_reason``:
  ``removed`` by :func:`remove_lock`; ``accepted`` when any line of its household is accepted
  (:func:`end_on_accept`: the household is coupled or housed, the lock has done its work, or COA
  decided otherwise); ``refused`` when a refusal bans the locked municipality or home
  (:func:`end_on_refusal`; a ban elsewhere leaves the lock); ``changed`` when the household's
  state or municipality is changed by an upload (:func:`end_on_change`); ``withdrawn`` when the
  municipality withdraws the locked home, ``taken`` when an accept allocates it to another
  household (:func:`end_on_home`).  Each end is in the
  audit log, in the transaction of the change that ended it.
- :func:`engine_locks` gives the proposal worker the active locks as the engine's
  :class:`~matcher.models.Lock`; a lock whose home is no longer offered (withdrawn, allocated,
  or without room for the household) or whose household changed is left out and reported,
  and the job's summary says so (``summary.locks``: each with ``reason`` in English and
  ``reason_values``, the catalogue message the pages render).  Locks that are offered but cannot all
  hold together (the quota left, for instance) fail the job with the engine's message.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit, messages
from api.messages import Part, Term
from api.models import Ban, Home, Household, Job, Lock, ProposalLine, utcnow
from api.schemas import LockIn
from api.services.errors import Actor, Conflict, NotFound
from matcher import models as engine


def _place(lock: Lock) -> Part | str:
    return Part("place_home", home=lock.home_id, code=lock.municipality_code) if lock.home_id is not None else lock.municipality_code


def active_lock(session: Session, household_id: str) -> Lock | None:
    return session.scalar(select(Lock).where(Lock.household_id == household_id, Lock.ended_at.is_(None)))


def lock_line(session: Session, actor: Actor, job_id: int, line_id: int, data: LockIn,
              retry: bool = True) -> tuple[Lock, bool]:
    """Lock line ``line_id`` of job ``job_id``; see the module docstring.  ``(lock, created)``."""
    if session.get(Job, job_id) is None:
        raise NotFound("no_job", job=job_id)
    line = session.get(ProposalLine, line_id, with_for_update=True)
    if line is None or line.job_id != job_id:
        raise NotFound("no_line", line=line_id, job=job_id)
    if line.decision == "none":
        raise Conflict("line_waits_no_lock", line=line.id, household=line.household_id)
    if line.decision != "pending":
        raise Conflict("line_not_pending_lock", line=line.id, decision=Term(line.decision))
    household = session.get(Household, line.household_id, with_for_update=True)
    if household is None or (household.state, household.municipality_code) != (line.was_state, line.was_municipality):
        now = Term(household.state if household else "gone")
        raise Conflict("household_changed", household=line.household_id, job=job_id, now=now)
    home_id = line.home_id if line.action == "house" else None
    existing = active_lock(session, household.household_id)
    if existing is not None:
        if (existing.municipality_code, existing.home_id) == (line.municipality_code, home_id):
            return existing, False
        raise Conflict("already_locked", household=household.household_id, lock=existing.id, place=_place(existing))
    if home_id is not None:
        home = session.get(Home, home_id)
        if home is None or home.status != "open":
            raise Conflict("home_cannot_lock", home=home_id, status=Term(home.status if home else "gone"))
    lock = Lock(household_id=household.household_id, municipality_code=line.municipality_code, home_id=home_id,
                job_id=job_id, line_id=line.id, was_state=line.was_state, was_municipality=line.was_municipality,
                note=data.note, created_by=actor.token_id)
    session.add(lock)
    try:
        session.flush()
    except IntegrityError:  # another lock of the household at the same moment: answer as if it came first
        session.rollback()
        if not retry:
            raise
        return lock_line(session, actor, job_id, line_id, data, retry=False)
    audit.record(session, actor, "lock.create", "lock", lock.id, job=job_id, line=line.id,
                 household=lock.household_id, municipality=lock.municipality_code, home=home_id, note=data.note)
    session.commit()
    return lock, True


def get_lock(session: Session, lock_id: int) -> Lock:
    lock = session.get(Lock, lock_id)
    if lock is None:
        raise NotFound("no_lock", lock=lock_id)
    return lock


def list_locks(session: Session, state: str = "active", household_id: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[Lock], int]:
    """Locks, newest first: the active ones (default), the ended ones, or all."""
    query = select(Lock)
    if state == "active":
        query = query.where(Lock.ended_at.is_(None))
    elif state == "ended":
        query = query.where(Lock.ended_at.is_not(None))
    if household_id is not None:
        query = query.where(Lock.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Lock.id.desc()).limit(limit).offset(offset))), total


def remove_lock(session: Session, actor: Actor, lock_id: int) -> Lock:
    """End an active lock (``removed``); a lock that has ended already is returned as it is."""
    lock = session.get(Lock, lock_id, with_for_update=True)
    if lock is None:
        raise NotFound("no_lock", lock=lock_id)
    if lock.ended_at is None:
        _end(session, actor, lock, "removed")
        session.commit()
    return lock


def _end(session: Session, actor: Actor, lock: Lock, reason: str, **detail: object) -> None:
    lock.ended_at = utcnow()
    lock.ended_by = actor.token_id
    lock.end_reason = reason
    audit.record(session, actor, "lock.remove" if reason == "removed" else "lock.end", "lock", lock.id,
                 household=lock.household_id, reason=reason, **detail)


def end_on_accept(session: Session, actor: Actor, line: ProposalLine) -> None:
    """An accepted line of the household ends its lock (in the caller's transaction)."""
    lock = active_lock(session, line.household_id)
    if lock is not None:
        as_locked = lock.municipality_code == line.municipality_code and lock.home_id in (None, line.home_id)
        _end(session, actor, lock, "accepted", line=line.id, job=line.job_id, as_locked=as_locked)


def end_on_refusal(session: Session, actor: Actor, ban: Ban) -> None:
    """A refusal whose ban hits the locked municipality or home ends the lock."""
    lock = active_lock(session, ban.household_id)
    if lock is None:
        return
    if (ban.municipality_code is not None and ban.municipality_code == lock.municipality_code) or \
            (ban.home_id is not None and ban.home_id == lock.home_id):
        _end(session, actor, lock, "refused", line=ban.line_id)


def end_on_change(session: Session, actor: Actor, household_ids: list[str]) -> None:
    """Households whose state or municipality was changed (not by a decision): their locks end."""
    for start in range(0, len(household_ids), 500):
        for lock in session.scalars(select(Lock).where(Lock.household_id.in_(household_ids[start:start + 500]),
                                                       Lock.ended_at.is_(None))):
            _end(session, actor, lock, "changed")


def end_on_home(session: Session, actor: Actor, home_id: int, reason: str, keep: str | None = None) -> None:
    """The locks on home ``home_id`` end (``withdrawn`` or ``taken``), but that of household
    ``keep`` (the one the home was just given to: its own accept ends it)."""
    for lock in session.scalars(select(Lock).where(Lock.home_id == home_id, Lock.ended_at.is_(None)).order_by(Lock.id)):
        if lock.household_id != keep:
            _end(session, actor, lock, reason, home=home_id)


def locked_lines(session: Session, lines: list[ProposalLine]) -> dict[int, Lock]:
    """Of these lines, those whose place is what their household is locked to: line id -> lock."""
    ids = list({line.household_id for line in lines})
    if not ids:
        return {}
    locks = {lock.household_id: lock for lock in session.scalars(
        select(Lock).where(Lock.household_id.in_(ids), Lock.ended_at.is_(None)))}
    found = {}
    for line in lines:
        lock = locks.get(line.household_id)
        if lock is not None and line.action != "wait" and lock.municipality_code == line.municipality_code and \
                (lock.home_id is None or lock.home_id == line.home_id):
            found[line.id] = lock
    return found


def engine_locks(session: Session, household_state: dict[str, tuple[str, str | None]], sizes: dict[str, int],
                 room: dict[str, int]) -> tuple[tuple[engine.Lock, ...], list[dict[str, object]]]:
    """The active locks as the engine's, for a snapshot whose households stood as in
    ``household_state`` (with ``sizes``) and whose dwellings have ``room`` (dwelling id -> places
    left); and the locks left out, each with why."""
    kept, skipped = [], []
    locks = list(session.scalars(select(Lock).where(Lock.ended_at.is_(None)).order_by(Lock.id)))
    statuses = dict(session.execute(select(Home.id, Home.status).where(
        Home.id.in_([lock.home_id for lock in locks if lock.home_id is not None]))).all()) if locks else {}
    for lock in locks:
        why = None
        dwelling = str(lock.home_id) if lock.home_id is not None else None
        if household_state.get(lock.household_id) != (lock.was_state, lock.was_municipality):
            why = messages.data("lock_skip_changed", household=lock.household_id)
        elif dwelling is not None and dwelling not in room:
            status = statuses.get(lock.home_id, "gone")
            why = messages.data("lock_skip_home", home=lock.home_id, status=Term(status if status != "open" else "full"))
        elif dwelling is not None and room[dwelling] < sizes[lock.household_id]:
            why = messages.data("lock_skip_room", home=lock.home_id, room=room[dwelling], household=lock.household_id,
                                size=Part("n_persons_one" if sizes[lock.household_id] == 1 else "n_persons",
                                          n=sizes[lock.household_id]))
        if why is None:
            kept.append(engine.Lock(lock.household_id, municipality=lock.municipality_code, dwelling_id=dwelling))
        else:
            skipped.append({"lock_id": lock.id, "household_id": lock.household_id,
                            "reason": messages.render_data("en", why), "reason_values": why})
    return tuple(kept), skipped
