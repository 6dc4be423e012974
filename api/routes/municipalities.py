"""Municipalities with their quota state, periods, redistributions and reception locations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api import mapping
from api.deps import ActorDep, ApiRoute, CoaDep, SessionDep
from api.routes import CONFLICT, CodePath, IdPath
from api.schemas import (
    Label,
    LocationOut,
    MunicipalityList,
    MunicipalityOut,
    PeriodIn,
    PeriodOut,
    QuotaPatch,
    RedistributionIn,
    RedistributionOut,
)
from api.services import municipalities as service

router = APIRouter(tags=["municipalities"], route_class=ApiRoute)


@router.get("/municipalities", response_model=MunicipalityList, summary="Municipalities and their quota state")
def list_municipalities(actor: ActorDep, session: SessionDep, province: Annotated[Label | None, Query()] = None) -> MunicipalityList:
    """All 342 for COA; a municipality gets itself only."""
    rows = service.list_municipalities(session, actor, province)
    return MunicipalityList(items=[mapping.municipality_out(m, s) for m, s in rows], total=len(rows))


@router.get("/municipalities/{code}", response_model=MunicipalityOut, summary="One municipality and its quota state")
def get_municipality(actor: ActorDep, session: SessionDep, code: Annotated[str, CodePath]) -> MunicipalityOut:
    return mapping.municipality_out(*service.get_municipality(session, actor, code))


@router.patch("/municipalities/{code}/quota", response_model=MunicipalityOut, summary="Set taakstelling or backlog (COA)")
def update_quota(actor: CoaDep, session: SessionDep, code: Annotated[str, CodePath], body: QuotaPatch) -> MunicipalityOut:
    """Set the figures of the current period; setting the same values again changes nothing."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return mapping.municipality_out(*service.update_quota(session, actor, code, changes))


def _period_out(session, period) -> PeriodOut:
    current = service.current_period(session)
    return mapping.period_out(period, period.id == current.id, service.period_totals(session, period))


@router.get("/periods", response_model=list[PeriodOut], summary="Quota periods (COA)")
def list_periods(actor: CoaDep, session: SessionDep) -> list[PeriodOut]:
    return [_period_out(session, p) for p in service.list_periods(session)]


@router.get("/periods/{period_id}", response_model=PeriodOut, summary="One quota period (COA)")
def get_period(actor: CoaDep, session: SessionDep, period_id: Annotated[int, IdPath]) -> PeriodOut:
    return _period_out(session, service.get_period(session, period_id))


@router.post("/periods", response_model=PeriodOut, status_code=status.HTTP_201_CREATED, summary="Open a new half-year period (COA)",
             responses={200: {"model": PeriodOut, "description": "This period was already open"}, **CONFLICT})
def open_period(actor: CoaDep, session: SessionDep, body: PeriodIn, response: Response) -> PeriodOut:
    """The new period becomes the current one.  Sending the same period again returns it (200)."""
    period, created = service.open_period(session, actor, body.name, body.starts_on, body.ends_on, body.carry_backlog,
                                          [(q.municipality, q.taakstelling, q.amv_taakstelling) for q in body.quotas])
    if not created:
        response.status_code = status.HTTP_200_OK
    return _period_out(session, period)


@router.get("/redistributions", response_model=list[RedistributionOut], summary="Redistributions of the current period (COA)")
def list_redistributions(actor: CoaDep, session: SessionDep) -> list[RedistributionOut]:
    period = service.current_period(session)
    return [mapping.redistribution_out(r, period.name) for r in service.list_redistributions(session, period)]


@router.post("/redistributions", response_model=RedistributionOut, status_code=status.HTTP_201_CREATED,
             summary="Record a redistribution between municipalities (COA)",
             responses={200: {"model": RedistributionOut, "description": "This reference was already recorded"}, **CONFLICT})
def redistribute(actor: CoaDep, session: SessionDep, body: RedistributionIn, response: Response) -> RedistributionOut:
    """``to_municipality`` carries out ``persons`` of ``from_municipality``'s taakstelling; the total
    is unchanged.  The same ``reference`` again returns the record (200)."""
    record, created = service.redistribute(session, actor, body.reference, body.from_municipality, body.to_municipality,
                                           body.persons, body.amv_persons, body.reason, body.signal)
    if not created:
        response.status_code = status.HTTP_200_OK
    return mapping.redistribution_out(record, service.get_period(session, record.period_id).name)


@router.get("/locations", response_model=list[LocationOut], summary="Reception locations households wait in (COA)")
def list_locations(actor: CoaDep, session: SessionDep) -> list[LocationOut]:
    return [LocationOut.model_validate(loc) for loc in service.list_locations(session)]
