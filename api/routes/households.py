"""Households: COA upserts batches; a municipality sees those coupled, housed or proposed to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, UploadFile
from starlette.convertors import StringConvertor, register_url_convertor

from api import mapping
from api.deps import ActorDep, ApiRoute, CoaDep, SessionDep, SettingsDep
from api.routes import Limit, Offset
from api.routes.homes import read_upload
from api.schemas import (
    RESERVED_HOUSEHOLD_IDS,
    Code,
    HouseholdList,
    HouseholdOut,
    HouseholdSort,
    HouseholdState,
    UploadOut,
)
from api.services import households as service

router = APIRouter(tags=["households"], route_class=ApiRoute)


class HouseholdIdConvertor(StringConvertor):
    """A household id in a path: any segment but ``batch`` and ``upload`` (no household is
    called that), so ``GET /households/batch`` is the 405 of the batch route (``Allow: POST``),
    not a 404 for a household ``batch``."""

    regex = f"(?!(?:{'|'.join(sorted(RESERVED_HOUSEHOLD_IDS))})$)[^/]+"


register_url_convertor("household_id", HouseholdIdConvertor())

BATCH_BODY = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HouseholdBatchIn"}}}, "required": True}
"""The batch body is validated row by row in the service (so one answer lists every bad row,
malformed or unresolvable); the schema documents it."""


def _out(session, actor, households) -> list[HouseholdOut]:
    proposed = service.proposed_lines(session, actor, [h.household_id for h in households])
    return [mapping.household_out(h, proposed.get(h.household_id, []), actor) for h in households]


@router.get("/households", response_model=HouseholdList, summary="Households (a municipality: those coupled or proposed to it)")
def list_households(actor: ActorDep, session: SessionDep, state: Annotated[HouseholdState | None, Query()] = None,
                    municipality: Annotated[Code | None, Query()] = None,
                    limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0,
                    sort: Annotated[HouseholdSort, Query(description="household (by id) or urgency: the first open "
                                                         "deadline with the fewest days left first, housed last")] = HouseholdSort.household) -> HouseholdList:
    """Each with its deadlines today (``deadlines``)."""
    rows, total = service.list_households(session, actor, state.value if state else None, municipality, limit, offset,
                                          sort.value)
    return HouseholdList(items=_out(session, actor, rows), total=total)


@router.post("/households/batch", response_model=UploadOut, summary="Create or update households (COA)",
             openapi_extra={"requestBody": BATCH_BODY})
def upsert_batch(actor: CoaDep, session: SessionDep, body: Annotated[Any, Body()]) -> UploadOut:
    """``{"households": [...]}``, each as ``HouseholdIn``; upserts by ``household_id``, all or
    none.  Sending the same batch again changes nothing (all ``unchanged``)."""
    result = service.upsert_batch(session, actor, body)
    return UploadOut(created=result.created, updated=result.updated, unchanged=result.unchanged)


@router.post("/households/upload", response_model=UploadOut, summary="Create or update households by file: XLSX or CSV (COA)")
def upload_households(actor: CoaDep, session: SessionDep, settings: SettingsDep, file: UploadFile) -> UploadOut:
    """An XLSX workbook or a CSV (comma, or the Dutch semicolon CSV) with the fields of
    ``HouseholdIn`` as columns (``household_id, size, location_id, permit_date`` required),
    recognised by its content; all rows or none, and the 422 lists every bad row."""
    result = service.upload_households(session, actor, read_upload(file, settings.max_upload_bytes))
    return UploadOut(created=result.created, updated=result.updated, unchanged=result.unchanged)


@router.get("/households/{household_id:household_id}", response_model=HouseholdOut, summary="One household")
def get_household(actor: ActorDep, session: SessionDep,
                  household_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]) -> HouseholdOut:
    return _out(session, actor, [service.get_household(session, actor, household_id)])[0]
