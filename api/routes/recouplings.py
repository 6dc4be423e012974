"""Re-coupling requests: a municipality (for a household coupled to it) or COA asks, COA approves
or declines.  The rules: :mod:`api.services.recouplings`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import mapping
from api.deps import ActorDep, ApiRoute, CoaDep, SessionDep
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import (
    HouseholdKey,
    RecouplingDecisionIn,
    RecouplingDeclineIn,
    RecouplingIn,
    RecouplingList,
    RecouplingOut,
    RecouplingStatus,
)
from api.services import recouplings as service

router = APIRouter(tags=["re-couplings"], route_class=ApiRoute)


@router.get("/recouplings", response_model=RecouplingList,
            summary="Re-coupling requests, newest first (a municipality: those from or to it)")
def list_recouplings(actor: ActorDep, session: SessionDep, status: Annotated[RecouplingStatus | None, Query()] = None,
                     household_id: Annotated[HouseholdKey | None, Query()] = None,
                     limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> RecouplingList:
    found, total = service.list_recouplings(session, actor, status.value if status else None, household_id, limit, offset)
    return RecouplingList(items=[mapping.recoupling_out(r) for r in found], total=total)


@router.post("/recouplings", response_model=RecouplingOut, status_code=201, responses=CONFLICT,
             summary="Ask to re-couple a coupled household (its municipality, or COA)")
def request_recoupling(actor: ActorDep, session: SessionDep, body: RecouplingIn, response: Response) -> RecouplingOut:
    """201 with the new request; the same ``reference`` again answers the same request (200).
    404 for a household the caller may not see; 409 when it is not coupled, or has an open
    request already."""
    found, created = service.request(session, actor, body)
    if not created:
        response.status_code = 200
    return mapping.recoupling_out(found)


@router.get("/recouplings/{recoupling_id:number}", response_model=RecouplingOut, summary="One re-coupling request")
def get_recoupling(actor: ActorDep, session: SessionDep, recoupling_id: Annotated[int, IdPath]) -> RecouplingOut:
    return mapping.recoupling_out(service.get_recoupling(session, actor, recoupling_id))


@router.post("/recouplings/{recoupling_id:number}/approve", response_model=RecouplingOut, responses=CONFLICT,
             summary="Approve a re-coupling request (COA)")
def approve(actor: CoaDep, session: SessionDep, recoupling_id: Annotated[int, IdPath],
            body: RecouplingDecisionIn) -> RecouplingOut:
    """The next proposal jobs may house the household in another municipality in range (a move).
    Approving again answers the request unchanged; 409 once declined or done."""
    return mapping.recoupling_out(service.approve(session, actor, recoupling_id, body.reason))


@router.post("/recouplings/{recoupling_id:number}/decline", response_model=RecouplingOut, responses=CONFLICT,
             summary="Decline a re-coupling request, with a reason (COA)")
def decline(actor: CoaDep, session: SessionDep, recoupling_id: Annotated[int, IdPath],
            body: RecouplingDeclineIn) -> RecouplingOut:
    """Declining again answers the request unchanged; 409 once approved or done."""
    return mapping.recoupling_out(service.decline(session, actor, recoupling_id, body.reason))
