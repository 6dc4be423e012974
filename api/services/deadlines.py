"""The two deadlines of a household that everyone sees (docs/contract.md §11, *Deadlines*):

- COA's **coupling deadline**: the permit date + ``COUPLING_DAYS`` (14) [001:2524], met by the
  coupling;
- the municipality's **housing deadline**: the coupling date + ``NORM_DAYS`` (84) [001:2437], met
  by the move-in; for a household not yet coupled it is counted from its coupling deadline, as
  the engine's overdue clock counts (:meth:`matcher.models.Params.overdue_days`).

Each is given on a day ``on`` (today on the pages and in the API, the run date in a proposal's
exports) with its status and ``days_left``, one signed number: ``due - on`` while it is open (0
on the deadline day itself, negative once overdue), ``due - done_on`` once met (negative: met
that many days late).  The norms are those of :mod:`matcher.models.params`, never written again.

Urgency (the pages' ``sort=urgency``) orders households by their first open deadline, the one
with the fewest days left first (the most overdue on top); a household with no open deadline
(housed) comes last.  Sorting by the due date gives the same order, so the query sorts in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Date, Integer, case, cast, func, literal
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from api.models import Household
from matcher.models.params import COUPLING_DAYS, NORM_DAYS, TEMPORARY_DAYS

Status = Literal["open", "overdue", "met", "late"]
NOT_YET_COUPLED = ("waiting",)
COUPLED_NOT_HOUSED = ("coupled", "moving_in")


@dataclass(frozen=True)
class Deadline:
    """One deadline on a day: ``due``, when it was met (``done_on``, or None), ``status`` and
    ``days_left`` (see the module)."""

    due: dt.date
    done_on: dt.date | None
    status: Status
    days_left: int

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "overdue")


@dataclass(frozen=True)
class Deadlines:
    coupling: Deadline
    housing: Deadline

    @property
    def urgency(self) -> int | None:
        """The days left of the first open deadline (None when both are met)."""
        left = [d.days_left for d in (self.coupling, self.housing) if d.is_open]
        return min(left) if left else None

    @property
    def next(self) -> Literal["coupling", "housing"] | None:
        """``coupling`` or ``housing``: the deadline the household is working towards now."""
        if self.coupling.is_open:
            return "coupling"
        return "housing" if self.housing.is_open else None


def deadline(due: dt.date, done_on: dt.date | None, on: dt.date) -> Deadline:
    """The deadline ``due`` on ``on``; a ``done_on`` after ``on`` does not count yet."""
    if done_on is not None and done_on <= on:
        return Deadline(due, done_on, "met" if done_on <= due else "late", (due - done_on).days)
    left = (due - on).days
    return Deadline(due, None, "open" if left >= 0 else "overdue", left)


def coupling_due(permit_date: dt.date) -> dt.date:
    return permit_date + dt.timedelta(days=COUPLING_DAYS)


def housing_due(permit_date: dt.date, coupling_date: dt.date | None) -> dt.date:
    return (coupling_date or coupling_due(permit_date)) + dt.timedelta(days=NORM_DAYS)


def deadlines(state: str, permit_date: dt.date, coupling_date: dt.date | None, housed_date: dt.date | None,
              on: dt.date) -> Deadlines:
    """A household's two deadlines on ``on``.  A household not waiting is coupled: on its
    ``coupling_date`` (a housed one uploaded without it: on its ``housed_date``)."""
    coupled_on = None if state in NOT_YET_COUPLED else (coupling_date or housed_date)
    # In a temporary home the housing deadline is met (it counts at once [004:151]); an onward move keeps that date.
    housed_on = housed_date if state in ("housed", "temporary", "moving_in") else None
    clock = coupling_date if state not in NOT_YET_COUPLED else None
    return Deadlines(deadline(coupling_due(permit_date), coupled_on, on),
                     deadline(housing_due(permit_date, clock), housed_on, on))


def temporary_until(h: Household) -> dt.date | None:
    """The end of the year a household may stay in its temporary home [003:74] (in one, or moving
    on from one), else None."""
    if h.temporary_home is None or h.housed_date is None or h.state not in ("temporary", "moving_in"):
        return None
    return h.housed_date + dt.timedelta(days=TEMPORARY_DAYS)


def of(h: Household, on: dt.date) -> Deadlines:
    """:func:`deadlines` of a stored household."""
    return deadlines(h.state, h.permit_date, h.coupling_date, h.housed_date, on)


def _day_number(session: Session, column: Any) -> ColumnElement:
    """A date as a whole number of days, in the database's own arithmetic (SQLite, PostgreSQL)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column), Integer)
    return column - cast(literal("2000-01-01"), Date)


def urgency_order(session: Session) -> list[Any]:
    """ORDER BY terms for :class:`Household` by urgency (see the module): the due date of the first
    open deadline, as a day number, housed households last; ties by household id."""
    waiting = _day_number(session, Household.permit_date) + COUPLING_DAYS
    coupled = case((Household.coupling_date.is_not(None), _day_number(session, Household.coupling_date) + NORM_DAYS),
                   else_=_day_number(session, Household.permit_date) + COUPLING_DAYS + NORM_DAYS)
    due = case((Household.state.in_(NOT_YET_COUPLED), waiting),
               (Household.state.in_(COUPLED_NOT_HOUSED) & Household.housed_date.is_(None), coupled), else_=None)
    return [due.is_(None), due, Household.household_id]
