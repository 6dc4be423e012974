"""Travel times: COA uploads them by CSV and reads them back, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, UploadFile

from api.deps import ApiRoute, CoaDep, SessionDep, SettingsDep
from api.routes import Limit, Offset
from api.routes.homes import read_upload
from api.schemas import Code, Key, TravelTimeList, TravelTimeOut, UploadOut
from api.services import travel as service

router = APIRouter(tags=["travel times"], route_class=ApiRoute)


@router.get("/travel-times", response_model=TravelTimeList, summary="Travel times per reception location and municipality (COA)")
def list_travel_times(actor: CoaDep, session: SessionDep, location_id: Annotated[Key | None, Query()] = None,
                      municipality: Annotated[Code | None, Query()] = None,
                      limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> TravelTimeList:
    rows, total = service.list_travel_times(session, location_id, municipality, limit, offset)
    return TravelTimeList(items=[TravelTimeOut(location_id=t.location_id, municipality=t.municipality_code, minutes=t.minutes)
                                 for t in rows], total=total)


@router.post("/travel-times/upload", response_model=UploadOut, summary="Create or update travel times by CSV (COA)")
def upload_travel_times(actor: CoaDep, session: SessionDep, settings: SettingsDep, file: UploadFile) -> UploadOut:
    """A CSV ``location_id, municipality, minutes`` (0 to 1000, public transport door to door); all
    rows or none, and the 422 lists every bad row.  Pairs not in the file are kept."""
    result = service.upload_travel_times(session, actor, read_upload(file, settings.max_upload_bytes))
    return UploadOut(created=result.created, updated=result.updated, unchanged=result.unchanged)
