"""Move-ins, as municipalities register realised housing in the aanbodmodel.

Accepting a ``house`` line (:func:`api.services.proposals.decide`) does not house the household:
it makes it ``moving_in`` to the line's home, with a pending :class:`~api.models.MoveIn`.  The
household is then coupled to the home's municipality (its persons count as ``coupled`` in the
quota state, so the quota left is used), the home is not free (its persons count as occupied),
and no proposal places the household again.  Then its municipality, and only it:

- :func:`confirm` (a date): the household is ``housed`` in the home from that date, and counts as
  ``realised`` for the period that date falls in; in a ``temporary`` home it is ``temporary``
  (it counts at once [004:151] and moves on later).  An *onward move* (``from_home_id`` /
  ``from_date``: the household left a temporary home) makes it ``housed`` in the regular home
  and keeps its housing date and period: the quota counted it when it moved into the temporary
  home.  Confirming again with the same date changes
  nothing; another date is a 409, as is a confirm after a fall-through.
- :func:`fall_through` (a reason): the household refused the home.  It is ``coupled`` to the
  municipality again (the coupling stands: the municipality still houses it), the home is free
  again (``open``, when the move-in had allocated it), and a ban on the home, with the reason,
  keeps every later proposal from offering it to the household again.  After an onward move the
  household is back in its temporary home (``temporary``, since ``from_date``).  Reporting it again
  changes nothing; a fall-through after a confirm is a 409.

Another municipality's move-in does not exist for a municipality (404); COA sees them all but
decides none (403 at the route).  Each decision is one audit event.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.models import Ban, Home, Household, MoveIn, Period, utcnow
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound
from api.services.homes import occupied
from api.services.municipalities import current_period, hold_quota, period_for


def start(session: Session, household: Household, home: Home, line_id: int, day: dt.date) -> MoveIn:
    """The pending move-in of an accepted house line (in the caller's transaction)."""
    move_in = MoveIn(household_id=household.household_id, municipality_code=home.municipality_code, home_id=home.id,
                     line_id=line_id, accepted_on=day, status="pending")
    session.add(move_in)
    return move_in


def list_move_ins(session: Session, actor: Actor, status: str | None = None, limit: int = 100,
                  offset: int = 0) -> tuple[list[MoveIn], int]:
    """The move-ins the actor may see (a municipality: its own), newest first."""
    query = select(MoveIn)
    if not actor.is_coa:
        query = query.where(MoveIn.municipality_code == actor.municipality)
    if status is not None:
        query = query.where(MoveIn.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(MoveIn.id.desc()).limit(limit).offset(offset))), total


def get_move_in(session: Session, actor: Actor, move_in_id: int, for_update: bool = False) -> MoveIn:
    move_in = session.get(MoveIn, move_in_id, with_for_update=for_update or None)
    if move_in is None or not (actor.is_coa or move_in.municipality_code == actor.municipality):
        raise NotFound("no_move_in", move_in=move_in_id)
    return move_in


def pending_by_household(session: Session, household_ids: list[str]) -> dict[str, MoveIn]:
    """The pending move-in of each of these households that has one."""
    if not household_ids:
        return {}
    return {m.household_id: m for m in session.scalars(
        select(MoveIn).where(MoveIn.household_id.in_(household_ids), MoveIn.status == "pending"))}


def _household(session: Session, move_in: MoveIn) -> Household:
    household = session.get(Household, move_in.household_id, with_for_update=True)
    if household is None or household.state != "moving_in" or household.home_id != move_in.home_id:
        raise Conflict("move_in_household_changed", household=move_in.household_id, home=move_in.home_id)
    return household


def confirm(session: Session, actor: Actor, move_in_id: int, day: dt.date, today: dt.date | None = None) -> MoveIn:
    """The municipality confirms the move-in on ``day``; see the module docstring."""
    move_in = get_move_in(session, actor, move_in_id, for_update=True)
    if move_in.status == "confirmed":
        if move_in.moved_in_on != day:
            raise Conflict("move_in_confirmed_on", move_in=move_in.id, date=move_in.moved_in_on, other=day)
        return move_in
    if move_in.status == "fell_through":
        raise Conflict("move_in_fell_through", move_in=move_in.id, reason=move_in.reason)
    if day < move_in.accepted_on:
        raise Invalid([FieldError(("body", "date"), "move_in_before_accept", {"date": move_in.accepted_on})])
    if day > (today or dt.date.today()):
        raise Invalid([FieldError(("body", "date"), "move_in_in_future")])
    hold_quota(session, [move_in.municipality_code])
    household = _household(session, move_in)
    home = session.get(Home, move_in.home_id)
    onward = move_in.from_date is not None
    if onward:
        period = session.get(Period, household.housed_period_id) if household.housed_period_id else None
        household.state = "housed"
        household.temporary_home = None
    else:
        period = period_for(session, day) or current_period(session)
        household.housed_date = day
        household.housed_period_id = period.id
        temporary = home is not None and home.kind == "temporary"
        household.state = "temporary" if temporary else "housed"
        household.temporary_home = home.reference if temporary and home is not None else None
    household.updated_at = utcnow()
    move_in.status = "confirmed"
    move_in.moved_in_on = day
    _decided(move_in, actor)
    audit.record(session, actor, "move_in.confirm", "move_in", move_in.id, household=household.household_id,
                 home=move_in.home_id, municipality=move_in.municipality_code, date=day,
                 period=period.name if period else None, state=household.state,
                 **({"onward_from": move_in.from_home_id} if onward else {}))
    session.commit()
    return move_in


def fall_through(session: Session, actor: Actor, move_in_id: int, reason: str) -> MoveIn:
    """The municipality reports that the move-in fell through; see the module docstring."""
    move_in = get_move_in(session, actor, move_in_id, for_update=True)
    if move_in.status == "fell_through":
        return move_in
    if move_in.status == "confirmed":
        raise Conflict("move_in_already_confirmed", move_in=move_in.id, date=move_in.moved_in_on)
    hold_quota(session, [move_in.municipality_code])
    household = _household(session, move_in)
    if move_in.from_date is not None:  # an onward move: back in its temporary home
        household.state = "temporary"
        household.home_id = move_in.from_home_id
        household.housed_date = move_in.from_date
    else:
        household.state = "coupled"
        household.home_id = None
    household.updated_at = utcnow()
    session.flush()
    home = session.get(Home, move_in.home_id, with_for_update=True)
    reopened = False
    if home is not None and home.status == "allocated":
        taken = occupied(session, [home.id]).get(home.id, 0)
        if taken == 0 or (home.kind != "regular" and taken < home.capacity):
            home.status = "open"
            home.updated_at = utcnow()
            reopened = True
    if move_in.from_home_id is not None:  # back in its temporary home: full again, it is allocated again
        left = session.get(Home, move_in.from_home_id, with_for_update=True)
        if left is not None and left.status == "open" and occupied(session, [left.id]).get(left.id, 0) >= left.capacity:
            left.status = "allocated"
            left.updated_at = utcnow()
    ban = Ban(household_id=household.household_id, home_id=move_in.home_id, line_id=move_in.line_id, reason=reason,
              created_by=actor.token_id)
    session.add(ban)
    session.flush()
    move_in.status = "fell_through"
    move_in.reason = reason
    move_in.ban_id = ban.id
    _decided(move_in, actor)
    audit.record(session, actor, "move_in.fell_through", "move_in", move_in.id, household=household.household_id,
                 home=move_in.home_id, municipality=move_in.municipality_code, reason=reason, ban=ban.id,
                 home_reopened=reopened)
    session.commit()
    return move_in


def _decided(move_in: MoveIn, actor: Actor) -> None:
    move_in.decided_at = utcnow()
    move_in.decided_by = actor.token_id
