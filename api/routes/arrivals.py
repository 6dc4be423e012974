"""Family reunification: the family members who joined a household, and its housing check.
The rules: :mod:`api.services.arrivals`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api import mapping
from api.deps import ActorDep, ApiRoute, SessionDep
from api.routes import CONFLICT
from api.routes import households as _households  # noqa: F401 - registers the household_id path convertor
from api.schemas import ArrivalIn, ArrivalList, ArrivalOut, HousingCheckOut
from api.services import arrivals as service
from api.services.households import get_household

router = APIRouter(tags=["households"], route_class=ApiRoute)

HouseholdPath = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@router.post("/households/{household_id:household_id}/arrivals", response_model=ArrivalOut, status_code=201,
             responses=CONFLICT, summary="Record family members who joined a household (COA or its municipality)")
def record_arrival(actor: ActorDep, session: SessionDep, household_id: Annotated[str, HouseholdPath], body: ArrivalIn,
                   response: Response) -> ArrivalOut:
    """The household grows by ``persons`` (nareizigers) and keeps its state and municipality; its
    ``expected_extra`` drops by as many.  The answer carries the housing check: does its home, or
    the home offered to it, still fit.  The same ``reference`` again answers the same arrival
    (200); with other content it is a 409.  A municipality records arrivals for the households
    coupled to or housed in it (403 for one only proposed to it)."""
    arrival, created = service.record(session, actor, household_id, service.ArrivalData(
        persons=body.persons, date=body.date, adults=body.adults, children=body.children, reference=body.reference))
    if not created:
        response.status_code = 200
    household = get_household(session, actor, arrival.household_id)
    return mapping.arrival_out(arrival, service.housing_check(session, actor, household))


@router.get("/households/{household_id:household_id}/arrivals", response_model=ArrivalList,
            summary="The family members who joined a household, oldest first")
def list_arrivals(actor: ActorDep, session: SessionDep, household_id: Annotated[str, HouseholdPath]) -> ArrivalList:
    found = service.list_arrivals(session, actor, household_id)
    check = service.housing_check(session, actor, get_household(session, actor, household_id))
    items = [mapping.arrival_out(a, check if i == len(found) - 1 else None) for i, a in enumerate(found)]
    return ArrivalList(items=items, total=len(items))


@router.get("/households/{household_id:household_id}/housing-check", response_model=HousingCheckOut | None,
            summary="Does the household's home, or the home offered to it, still fit it")
def housing_check(actor: ActorDep, session: SessionDep, household_id: Annotated[str, HouseholdPath]) -> HousingCheckOut | None:
    """Null when the household has no home and none is offered to it."""
    return mapping.housing_check_out(service.housing_check(session, actor, get_household(session, actor, household_id)))
