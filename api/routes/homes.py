"""Homes: a municipality offers, changes and withdraws its own; COA reads them all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile, status

from api import mapping
from api.deps import ActorDep, ApiRoute, MunicipalityDep, SessionDep, SettingsDep
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import (
    Code,
    HomeIn,
    HomeList,
    HomeOut,
    HomePatch,
    HomeStatus,
    HomeUploadOut,
)
from api.services import homes as service
from api.services.errors import FieldError, Invalid

router = APIRouter(tags=["homes"], route_class=ApiRoute)
"""``{home_id:number}``: only a number names a home, so ``GET /homes/upload`` is the 405 of the upload
route (``Allow: POST``), not a 422 about a home id ``upload``."""


def _out(session, homes) -> list[HomeOut]:
    taken = service.occupied(session, [h.id for h in homes])
    return [mapping.home_out(h, taken.get(h.id, 0)) for h in homes]


def read_upload(file: UploadFile, limit: int) -> bytes:
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise Invalid([FieldError(("body", "file"), "file_too_large", {"limit": limit})])
    return content


@router.get("/homes", response_model=HomeList, summary="Homes (a municipality: its own)")
def list_homes(actor: ActorDep, session: SessionDep, municipality: Annotated[Code | None, Query()] = None,
               status_: Annotated[HomeStatus | None, Query(alias="status")] = None,
               limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> HomeList:
    """``municipality`` filters COA's view; a municipality always sees its own homes only."""
    homes, total = service.list_homes(session, actor, municipality, status_.value if status_ else None, limit, offset)
    return HomeList(items=_out(session, homes), total=total)


@router.post("/homes", response_model=HomeOut, status_code=status.HTTP_201_CREATED, summary="Offer a home (municipality)",
             responses={200: {"model": HomeOut, "description": "This reference already names this same home"}, **CONFLICT})
def create_home(actor: MunicipalityDep, session: SessionDep, body: HomeIn, response: Response) -> HomeOut:
    """Idempotent by ``reference``: a retry returns the same home (200); the same reference with
    other values is a 409, and so is the reference of a withdrawn home (offer it under a new
    reference; an upload row refuses it likewise)."""
    home, created = service.create_home(session, actor, body)
    if not created:
        response.status_code = status.HTTP_200_OK
        return _out(session, [home])[0]
    return mapping.home_out(home, 0)  # nobody lives in a home just offered


@router.post("/homes/upload", response_model=HomeUploadOut, summary="Offer, change or withdraw homes by file: XLSX or CSV (municipality)",
             responses=CONFLICT)
def upload_homes(actor: MunicipalityDep, session: SessionDep, settings: SettingsDep, file: UploadFile) -> HomeUploadOut:
    """An XLSX workbook or a CSV (comma, or the Dutch semicolon CSV), recognised by its content.
    Columns ``reference, kind, capacity, available_from`` and optional ``min_occupancy,
    accessible, status`` (open or withdrawn).  Upserts by ``reference``: all rows, or on any
    bad row none, and the 422 lists every bad row.  A withdrawn home's reference with status
    ``open`` (the default) is a bad row: offer it under a new reference."""
    result = service.upload_homes(session, actor, read_upload(file, settings.max_upload_bytes))
    return HomeUploadOut(created=result.created, updated=result.updated, unchanged=result.unchanged,
                         withdrawn=result.withdrawn, items=_out(session, result.homes))


@router.get("/homes/{home_id:number}", response_model=HomeOut, summary="One home")
def get_home(actor: ActorDep, session: SessionDep, home_id: Annotated[int, IdPath]) -> HomeOut:
    return _out(session, [service.get_home(session, actor, home_id)])[0]


@router.patch("/homes/{home_id:number}", response_model=HomeOut, summary="Change an open home (municipality)", responses=CONFLICT)
def update_home(actor: MunicipalityDep, session: SessionDep, home_id: Annotated[int, IdPath], body: HomePatch) -> HomeOut:
    return _out(session, [service.update_home(session, actor, home_id, body)])[0]


@router.post("/homes/{home_id:number}/withdraw", response_model=HomeOut, summary="Withdraw an offer (municipality)", responses=CONFLICT)
def withdraw_home(actor: MunicipalityDep, session: SessionDep, home_id: Annotated[int, IdPath]) -> HomeOut:
    """Withdrawing again changes nothing; an allocated home cannot be withdrawn (409)."""
    return _out(session, [service.withdraw_home(session, actor, home_id)])[0]
