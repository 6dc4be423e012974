"""Exchanges of status holders between two municipalities: a municipality (for an exchange
involving a household coupled to it) or COA asks, COA approves (both households are re-coupled)
or declines, for both at once.  The rules: :mod:`api.services.exchanges`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import mapping
from api.deps import ActorDep, ApiRoute, CoaDep, SessionDep
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import (
    ExchangeDecisionIn,
    ExchangeDeclineIn,
    ExchangeIn,
    ExchangeList,
    ExchangeOut,
    ExchangeStatus,
    HouseholdKey,
)
from api.services import exchanges as service

router = APIRouter(tags=["exchanges"], route_class=ApiRoute)


@router.get("/exchanges", response_model=ExchangeList,
            summary="Exchanges of status holders, newest first (a municipality: those involving it)")
def list_exchanges(actor: ActorDep, session: SessionDep, status: Annotated[ExchangeStatus | None, Query()] = None,
                   household_id: Annotated[HouseholdKey | None, Query()] = None,
                   limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> ExchangeList:
    found, total = service.list_exchanges(session, actor, status.value if status else None, household_id, limit, offset)
    return ExchangeList(items=[mapping.exchange_out(e) for e in found], total=total)


@router.post("/exchanges", response_model=ExchangeOut, status_code=201, responses=CONFLICT,
             summary="Ask to exchange two coupled households between their municipalities")
def request_exchange(actor: ActorDep, session: SessionDep, body: ExchangeIn, response: Response) -> ExchangeOut:
    """201 with the new request; the same ``reference`` again answers the same request (200).
    A municipality asks for an exchange involving a household coupled to it (else 404); 409 when
    a household is not coupled, or already in an open re-coupling request or pending exchange;
    422 when both are coupled to one municipality, or (for a municipality) the other household
    is not a coupled household of another municipality."""
    found, created = service.request(session, actor, body)
    if not created:
        response.status_code = 200
    return mapping.exchange_out(found)


@router.get("/exchanges/{exchange_id:number}", response_model=ExchangeOut, summary="One exchange")
def get_exchange(actor: ActorDep, session: SessionDep, exchange_id: Annotated[int, IdPath]) -> ExchangeOut:
    return mapping.exchange_out(service.get_exchange(session, actor, exchange_id))


@router.post("/exchanges/{exchange_id:number}/approve", response_model=ExchangeOut, responses=CONFLICT,
             summary="Approve an exchange: both households are re-coupled now (COA)")
def approve(actor: CoaDep, session: SessionDep, exchange_id: Annotated[int, IdPath],
            body: ExchangeDecisionIn) -> ExchangeOut:
    """Each household is coupled to the other's municipality from now on (a move each).
    Approving again answers the exchange unchanged; 409 once declined, when a household is no
    longer coupled where the request says, or when the municipality that gains persons has too
    little quota left (unless ``over_quota`` with a reason)."""
    return mapping.exchange_out(service.approve(session, actor, exchange_id, body.reason, body.over_quota))


@router.post("/exchanges/{exchange_id:number}/decline", response_model=ExchangeOut, responses=CONFLICT,
             summary="Decline an exchange, with a reason (COA)")
def decline(actor: CoaDep, session: SessionDep, exchange_id: Annotated[int, IdPath],
            body: ExchangeDeclineIn) -> ExchangeOut:
    """Declining again answers the exchange unchanged; 409 once approved."""
    return mapping.exchange_out(service.decline(session, actor, exchange_id, body.reason))
