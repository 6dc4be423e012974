"""Family reunification: family members (nareizigers) who join a household, and the housing check.

COA, or the municipality the household is coupled to, moving in to or housed in, records an
arrival (:func:`record`): ``persons`` who arrived on a date (not before the permit, not in the
future), optionally as ``adults`` and ``children``.  The household grows: its ``size`` takes them
in (and its composition, when both it and the arrival have one; else its composition is no longer
known), ``expected_extra`` drops by as many (never below
0; the expected date goes when nobody is expected any more), and it keeps its state and its
municipality [001:1868].  A municipality that sees the household only through a proposal (not
coupled there) may not (403); one that does not see it gets a 404.  ``reference`` makes a retry
harmless: the same reference with the same content answers the arrival it recorded, with other
content it is a 409.  Each arrival is one audit event (``household.arrival``).

The housing check (:func:`housing_check`): whether the household, at its size now, still fits the
home it is moving in to or housed in, or else the home a standing proposal line offers it, or else
the temporary home it lives in:
``regular`` from ``min_occupancy`` to ``capacity`` persons, ``shared`` single persons only,
``amv`` and ``temporary`` homes within their capacity with the other households in them
(docs/contract.md §4 rule 1, as the engine's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.models import FamilyArrival, Home, Household, utcnow
from api.services.errors import Actor, Conflict, FieldError, Forbidden, Invalid, NotFound
from api.services.homes import occupied
from api.services.households import get_household, proposed_lines

MAX_SIZE = 100
"""A household's size stays within the bounds of ``HouseholdIn.size``."""


@dataclass(frozen=True)
class ArrivalData:
    """What an arrival says (``api.schemas.ArrivalIn`` without its transport)."""

    persons: int
    date: dt.date
    adults: int | None = None
    children: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class HousingCheck:
    """Whether the household at ``persons`` still fits ``home_id`` (see the module docstring).
    ``source``: ``moving_in`` or ``housed`` (its own home), ``offered`` (a standing proposal line),
    ``temporary`` (the temporary home it lives in, when nothing is offered to it)."""

    source: str
    home_id: int
    home_reference: str
    kind: str
    capacity: int
    min_occupancy: int
    persons: int
    others: int
    fits: bool
    problem: str | None
    """``too_large`` (more persons than the home takes), ``too_small`` (fewer than its
    ``min_occupancy``), ``not_single`` (a shared home takes single persons) or None."""


def _fit(home: Home, persons: int, others: int) -> str | None:
    if home.kind == "regular":
        if persons > home.capacity:
            return "too_large"
        return "too_small" if persons < home.min_occupancy else None
    if home.kind == "shared" and persons != 1:
        return "not_single"
    return "too_large" if persons + others > home.capacity else None


def housing_check(session: Session, actor: Actor, household: Household) -> HousingCheck | None:
    """The housing check of ``household`` (None without a home or an offered one)."""
    source, home_id = None, household.home_id
    if household.state in ("moving_in", "housed") and home_id is not None:
        source = household.state
    else:
        offered = [p for p in proposed_lines(session, actor, [household.household_id]).get(household.household_id, [])
                   if p.action == "house" and p.home_id is not None]
        if offered:
            source, home_id = "offered", offered[-1].home_id
        elif household.state == "temporary" and home_id is not None:
            source = "temporary"
    if source is None or home_id is None:
        return None
    home = session.get(Home, home_id)
    if home is None:
        return None
    taken = occupied(session, [home.id]).get(home.id, 0)
    others = taken - household.size if source != "offered" else taken
    problem = _fit(home, household.size, max(0, others))
    return HousingCheck(source=source, home_id=home.id, home_reference=home.reference, kind=home.kind,
                        capacity=home.capacity, min_occupancy=home.min_occupancy, persons=household.size,
                        others=max(0, others), fits=problem is None, problem=problem)


def _same(found: FamilyArrival, household_id: str, data: ArrivalData) -> bool:
    return (found.household_id, found.persons, found.adults, found.children, found.arrived_on) == (
        household_id, data.persons, data.adults, data.children, data.date)


def list_arrivals(session: Session, actor: Actor, household_id: str) -> list[FamilyArrival]:
    """The arrivals of a household the actor sees, oldest first."""
    household = get_household(session, actor, household_id)
    return list(session.scalars(select(FamilyArrival).where(FamilyArrival.household_id == household.household_id)
                                .order_by(FamilyArrival.id)))


def record(session: Session, actor: Actor, household_id: str, data: ArrivalData,
           today: dt.date | None = None) -> tuple[FamilyArrival, bool]:
    """Record family members who joined ``household_id``; the arrival and whether it is new."""
    if data.reference is not None:
        found = session.scalar(select(FamilyArrival).where(FamilyArrival.reference == data.reference))
        if found is not None:
            if not (actor.is_coa or actor.municipality == found.municipality_code) or not _same(found, household_id, data):
                raise Conflict("arrival_reference", reference=data.reference, arrival=found.id)
            return found, False
    visible = get_household(session, actor, household_id)
    household = session.get(Household, visible.household_id, with_for_update=True)
    if household is None:
        raise NotFound("no_household", household=household_id)
    if not actor.is_coa and (household.municipality_code != actor.municipality or household.state == "waiting"):
        raise Forbidden("arrival_not_yours", household=household.household_id)
    errors = []
    if data.date < household.permit_date:
        errors.append(FieldError(("body", "date"), "arrival_before_permit", {"date": household.permit_date}))
    if data.date > (today or dt.date.today()):
        errors.append(FieldError(("body", "date"), "arrival_in_future"))
    if household.size + data.persons > MAX_SIZE:
        errors.append(FieldError(("body", "persons"), "arrival_too_large",
                                 {"size": household.size, "persons": data.persons, "max": MAX_SIZE}))
    if errors:
        raise Invalid(errors)
    before, expected_before = household.size, household.expected_extra
    household.size += data.persons
    if data.adults is not None and data.children is not None and household.adults is not None:
        household.adults += data.adults
        household.children = (household.children or 0) + data.children
    elif household.adults is not None:
        # Composition unknown for the newcomers: the household's is no longer known either.
        household.adults = household.children = None
    household.expected_extra = max(0, household.expected_extra - data.persons)
    if household.expected_extra == 0:
        household.expected_extra_date = None
    household.updated_at = utcnow()
    arrival = FamilyArrival(reference=data.reference, household_id=household.household_id,
                            municipality_code=household.municipality_code, persons=data.persons, adults=data.adults,
                            children=data.children, arrived_on=data.date, size_before=before,
                            size_after=household.size, expected_before=expected_before,
                            expected_after=household.expected_extra, created_by=actor.token_id)
    session.add(arrival)
    session.flush()
    check = housing_check(session, actor, household)
    audit.record(session, actor, "household.arrival", "household", household.household_id, arrival=arrival.id,
                 persons=data.persons, date=data.date, size_before=before, size_after=household.size,
                 expected_after=household.expected_extra, municipality=household.municipality_code,
                 home=check.home_id if check else None, home_fits=check.fits if check else None)
    session.commit()
    return arrival, True
