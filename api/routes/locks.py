"""Locks (COA): fix a pending line so that every later proposal places its household there;
list them; remove one.  The rules: :mod:`api.services.locks`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api import mapping
from api.deps import ApiRoute, CoaDep, SessionDep
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import HouseholdKey, LockIn, LockList, LockOut, LockState
from api.services import locks as service

router = APIRouter(tags=["locks"], route_class=ApiRoute)


@router.post("/proposals/{job_id}/lines/{line_id}/lock", response_model=LockOut, status_code=status.HTTP_201_CREATED,
             summary="Lock a line",
             responses={200: {"model": LockOut, "description": "The household is already locked to this place: that lock"},
                        **CONFLICT})
def lock_line(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath], line_id: Annotated[int, IdPath],
              response: Response, body: LockIn | None = None) -> LockOut:
    """Locks a pending line of a finished proposal: every proposal asked for afterwards places
    the household in the line's municipality and, for a ``house`` line, in its home (a
    ``couple`` line locks the municipality only).  201 with ``Location`` the new lock; 200 with
    the lock there is when the household is already locked to this same place (from this line
    or another one; the first note stays).  409: a wait line or one already decided, a household
    changed since the proposal read it, a home no longer open, or a household locked elsewhere
    (remove that lock first).

    A lock ends when it is removed, when any line of its household is accepted, when a refusal
    bans the locked municipality or home, or when an upload changes the household's state or
    municipality; it then shows ``active: false`` and why (``end_reason``).  A new proposal
    leaves out a lock whose home is no longer offered and says so in ``summary.locks``."""
    lock, created = service.lock_line(session, actor, job_id, line_id, body or LockIn())
    response.headers["Location"] = mapping.lock_links(lock.id)["self"]
    if not created:
        response.status_code = status.HTTP_200_OK
    return mapping.lock_out(lock)


@router.get("/locks", response_model=LockList, summary="Locks, newest first")
def list_locks(actor: CoaDep, session: SessionDep, state: Annotated[LockState, Query()] = LockState.active,
               household_id: Annotated[HouseholdKey | None, Query()] = None,
               limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> LockList:
    """The active locks (default), the ended ones, or all (``state``)."""
    found, total = service.list_locks(session, state.value, household_id, limit, offset)
    return LockList(items=[mapping.lock_out(lock) for lock in found], total=total)


@router.get("/locks/{lock_id}", response_model=LockOut, summary="One lock")
def get_lock(actor: CoaDep, session: SessionDep, lock_id: Annotated[int, IdPath]) -> LockOut:
    return mapping.lock_out(service.get_lock(session, lock_id))


@router.delete("/locks/{lock_id}", response_model=LockOut, summary="Remove a lock")
def remove_lock(actor: CoaDep, session: SessionDep, lock_id: Annotated[int, IdPath]) -> LockOut:
    """Ends the lock (``end_reason`` ``removed``): later proposals are free again.  Removing a
    lock that has ended already (removed, or ended by a decision) changes nothing and answers
    the lock as it is (200)."""
    return mapping.lock_out(service.remove_lock(session, actor, lock_id))
