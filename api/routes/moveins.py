"""Move-ins: an accepted house line awaits its municipality, which confirms the move-in or
reports that it fell through.  The rules: :mod:`api.services.moveins`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import mapping
from api.deps import ActorDep, ApiRoute, MunicipalityDep, SessionDep
from api.models import Home, MoveIn
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import MoveInConfirmIn, MoveInFellThroughIn, MoveInList, MoveInOut, MoveInStatus
from api.services import moveins as service

router = APIRouter(tags=["move-ins"], route_class=ApiRoute)


def _out(session: Session, found: list[MoveIn]) -> list[MoveInOut]:
    ids = sorted({m.home_id for m in found})
    references = dict(session.execute(select(Home.id, Home.reference).where(Home.id.in_(ids))).all()) if ids else {}
    return [mapping.move_in_out(m, references.get(m.home_id, "")) for m in found]


@router.get("/move-ins", response_model=MoveInList, summary="Move-ins, newest first (a municipality: its own)")
def list_move_ins(actor: ActorDep, session: SessionDep, status: Annotated[MoveInStatus | None, Query()] = None,
                  limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> MoveInList:
    found, total = service.list_move_ins(session, actor, status.value if status else None, limit, offset)
    return MoveInList(items=_out(session, found), total=total)


@router.get("/move-ins/{move_in_id:number}", response_model=MoveInOut, summary="One move-in")
def get_move_in(actor: ActorDep, session: SessionDep, move_in_id: Annotated[int, IdPath]) -> MoveInOut:
    return _out(session, [service.get_move_in(session, actor, move_in_id)])[0]


@router.post("/move-ins/{move_in_id:number}/confirm", response_model=MoveInOut, summary="Confirm a move-in (municipality)",
             responses=CONFLICT)
def confirm(actor: MunicipalityDep, session: SessionDep, move_in_id: Annotated[int, IdPath],
            body: MoveInConfirmIn) -> MoveInOut:
    """The household moved in on ``date``: it is housed in the home and counts as realised for
    the period that date falls in.  Confirming again with the same date answers the move-in
    unchanged; 409 for another date, or after the move-in fell through."""
    return _out(session, [service.confirm(session, actor, move_in_id, body.date)])[0]


@router.post("/move-ins/{move_in_id:number}/fell-through", response_model=MoveInOut,
             summary="Report that a move-in fell through (municipality)", responses=CONFLICT)
def fell_through(actor: MunicipalityDep, session: SessionDep, move_in_id: Annotated[int, IdPath],
                 body: MoveInFellThroughIn) -> MoveInOut:
    """The household refused the home, for ``reason``: it is coupled to the municipality again,
    the home is free again, and a ban keeps proposals from offering the home to it again.
    Reporting it again answers the move-in unchanged; 409 after a confirm."""
    return _out(session, [service.fall_through(session, actor, move_in_id, body.reason)])[0]
