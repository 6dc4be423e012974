"""Municipalities and their quota state; half-year periods; redistributions.

The quota state of a municipality in a period is computed, never stored::

    remaining = taakstelling + redistributed + backlog - realised - coupled

``realised`` is the persons housed with the period as their housing period (a confirmed
move-in: :mod:`api.services.moveins`), ``coupled`` the persons coupled to the municipality and
not yet housed, moving in included (whenever they were coupled), and
``redistributed`` the net persons taken over from other municipalities this period.  The AMV
part is computed the same way over unaccompanied minors.  An accepted proposal line changes
``coupled`` and so updates the quota at once; a confirmed move-in moves its persons from
``coupled`` to ``realised``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.models import Household, Location, Municipality, Period, Quota, Redistribution
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound


@dataclass(frozen=True)
class QuotaFigures:
    """One side (all persons, or the AMV part) of a municipality's quota state."""

    taakstelling: int = 0
    redistributed: int = 0
    backlog: int = 0
    realised: int = 0
    coupled: int = 0

    @property
    def remaining(self) -> int:
        return self.taakstelling + self.redistributed + self.backlog - self.realised - self.coupled

    @property
    def owed(self) -> int:
        """What is still owed at the end of the period, coupled persons not counted: the backlog
        a new period starts with."""
        return self.taakstelling + self.redistributed + self.backlog - self.realised


@dataclass(frozen=True)
class QuotaState:
    period: Period
    persons: QuotaFigures
    amv: QuotaFigures


# --- periods ----------------------------------------------------------------------------------

def current_period(session: Session) -> Period:
    """The period opened last."""
    period = session.scalar(select(Period).order_by(Period.id.desc()).limit(1))
    if period is None:  # only before the first start's seeding
        raise Conflict("no_period_yet")
    return period


def period_for(session: Session, day: dt.date) -> Period | None:
    """The period a housing on ``day`` counts for: the last one opened that started by then."""
    return session.scalar(select(Period).where(Period.starts_on <= day).order_by(Period.id.desc()).limit(1))


def quota_states(session: Session, period: Period, codes: list[str] | None = None) -> dict[str, QuotaState]:
    """The quota state of every municipality (or of ``codes``) in ``period``."""
    def restrict(query, column):
        return query if codes is None else query.where(column.in_(codes))

    base: dict[str, Quota] = {q.municipality_code: q for q in session.scalars(
        restrict(select(Quota).where(Quota.period_id == period.id), Quota.municipality_code))}
    moved: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for move in session.scalars(select(Redistribution).where(Redistribution.period_id == period.id)):
        moved[move.from_code][0] -= move.persons
        moved[move.from_code][1] -= move.amv_persons
        moved[move.to_code][0] += move.persons
        moved[move.to_code][1] += move.amv_persons
    amv_size = func.sum(case((Household.amv.is_(True), Household.size), else_=0))

    def sums(*conditions) -> dict[str, tuple[int, int]]:
        query = select(Household.municipality_code, func.sum(Household.size), amv_size).where(*conditions)
        query = restrict(query, Household.municipality_code).group_by(Household.municipality_code)
        return {code: (int(total or 0), int(amv or 0)) for code, total, amv in session.execute(query)}

    # Housed, in a temporary home (it counts at once [004:151]) or moving on from one (counted then).
    realised = sums(Household.state.in_(("housed", "temporary", "moving_in")), Household.housed_period_id == period.id)
    coupled = sums(Household.state.in_(("coupled", "moving_in")), Household.housed_period_id.is_(None))
    states = {}
    for code in (codes if codes is not None else base):
        q = base.get(code)
        r, c, m = realised.get(code, (0, 0)), coupled.get(code, (0, 0)), moved.get(code, (0, 0))
        states[code] = QuotaState(
            period,
            QuotaFigures(q.taakstelling if q else 0, m[0], q.backlog if q else 0, r[0], c[0]),
            QuotaFigures(q.amv_taakstelling if q else 0, m[1], q.amv_backlog if q else 0, r[1], c[1]),
        )
    return states


def hold_quota(session: Session, codes: Iterable[str | None]) -> dict[str, Municipality]:
    """Hold the rows of the municipalities ``codes`` until the transaction ends, in code order,
    and return those that exist, by code.  Everything that changes a municipality's quota left
    (accepting a line, uploading couplings and housings, changing the quota, redistributing)
    holds them first, so an accept that checks the quota left sees every such change made
    before it and none can slip in between its check and its commit; opening a period holds them
    all while it carries the backlogs over.  ``FOR NO KEY UPDATE`` on
    PostgreSQL: homes offered meanwhile (whose foreign key reads the row) do not wait; SQLite
    runs every write transaction alone and ignores it."""
    wanted = sorted({code for code in codes if code is not None})
    if not wanted:
        return {}
    return {m.code: m for m in session.scalars(select(Municipality).where(Municipality.code.in_(wanted))
                                               .order_by(Municipality.code).with_for_update(key_share=True))}


# --- municipalities ---------------------------------------------------------------------------

def _visible(actor: Actor, code: str) -> bool:
    return actor.is_coa or actor.municipality == code


def list_municipalities(session: Session, actor: Actor, province: str | None = None
                        ) -> list[tuple[Municipality, QuotaState]]:
    """Every municipality for COA; a municipality sees itself only."""
    query = select(Municipality).order_by(Municipality.code)
    if not actor.is_coa:
        query = query.where(Municipality.code == actor.municipality)
    if province is not None:
        query = query.where(Municipality.province == province)
    municipalities = list(session.scalars(query))
    states = quota_states(session, current_period(session), [m.code for m in municipalities] if not actor.is_coa else None)
    return [(m, states[m.code]) for m in municipalities]


def get_municipality(session: Session, actor: Actor, code: str) -> tuple[Municipality, QuotaState]:
    municipality = session.get(Municipality, code)
    if municipality is None or not _visible(actor, code):
        raise NotFound("no_municipality", code=code)
    return municipality, quota_states(session, current_period(session), [code])[code]


def update_quota(session: Session, actor: Actor, code: str, changes: dict[str, int]) -> tuple[Municipality, QuotaState]:
    """Set a municipality's taakstelling and/or backlog (and their AMV parts) in the current period."""
    municipality = hold_quota(session, [code]).get(code)
    if municipality is None:
        raise NotFound("no_municipality", code=code)
    period = current_period(session)
    quota = session.get(Quota, (period.id, code), with_for_update=True)
    if quota is None:
        quota = Quota(period_id=period.id, municipality_code=code, taakstelling=0, amv_taakstelling=0,
                      backlog=0, amv_backlog=0)
        session.add(quota)
    before = {name: getattr(quota, name) for name in changes}
    for name, value in changes.items():
        setattr(quota, name, value)
    if quota.amv_taakstelling > quota.taakstelling:
        values = {"amv": quota.amv_taakstelling, "taakstelling": quota.taakstelling}
        session.rollback()  # expires the quota: the message is made before
        raise Invalid([FieldError(("body", "amv_taakstelling"), "amv_exceeds", values)])
    if before != changes:
        audit.record(session, actor, "quota.update", "municipality", code, period=period.name, before=before, after=changes)
    session.commit()
    return municipality, quota_states(session, period, [code])[code]


# --- periods ----------------------------------------------------------------------------------

def period_totals(session: Session, period: Period) -> tuple[int, int, int]:
    row = session.execute(select(func.coalesce(func.sum(Quota.taakstelling), 0), func.coalesce(func.sum(Quota.amv_taakstelling), 0),
                                 func.coalesce(func.sum(Quota.backlog), 0)).where(Quota.period_id == period.id)).one()
    return int(row[0]), int(row[1]), int(row[2])


def list_periods(session: Session) -> list[Period]:
    return list(session.scalars(select(Period).order_by(Period.id)))


def get_period(session: Session, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None:
        raise NotFound("no_period", period=period_id)
    return period


def open_period(session: Session, actor: Actor, name: str, starts_on: dt.date, ends_on: dt.date,
                carry_backlog: bool = True, quotas: Sequence[tuple[str, int, int]] = ()) -> tuple[Period, bool]:
    """Open a new half-year period; it becomes the current one.  Opening a period of the same
    name with the same dates again returns it (``created`` false)."""
    existing = session.scalar(select(Period).where(Period.name == name))
    if existing is not None:
        if (existing.starts_on, existing.ends_on) == (starts_on, ends_on):
            return existing, False
        raise Conflict("period_other_dates", period=name, starts_on=existing.starts_on, ends_on=existing.ends_on)
    current = current_period(session)
    errors = []
    if starts_on <= current.starts_on:
        errors.append(FieldError(("body", "starts_on"), "starts_after_current", {"period": current.name, "starts_on": current.starts_on}))
    known = set(session.scalars(select(Municipality.code)))
    overrides: dict[str, tuple[int, int]] = {}
    for i, (code, taakstelling, amv) in enumerate(quotas):
        if code not in known:
            errors.append(FieldError(("body", "quotas", i, "municipality"), "unknown_municipality", {"code": code}))
        elif code in overrides:
            errors.append(FieldError(("body", "quotas", i, "municipality"), "listed_twice", {"code": code}))
        elif amv > taakstelling:
            errors.append(FieldError(("body", "quotas", i, "amv_taakstelling"), "amv_exceeds_taakstelling"))
        overrides[code] = (taakstelling, amv)
    if errors:
        raise Invalid(errors)
    hold_quota(session, known)  # the backlogs carried over count every accept made before, none after
    states = quota_states(session, current)
    period = Period(name=name, starts_on=starts_on, ends_on=ends_on, opened_by=actor.token_id)
    session.add(period)
    try:
        session.flush()
    except IntegrityError:  # opened at the same moment by another request
        session.rollback()
        return open_period(session, actor, name, starts_on, ends_on, carry_backlog, quotas)
    for code in sorted(known):
        state = states.get(code)
        old = (state.persons.taakstelling, state.amv.taakstelling) if state else (0, 0)
        taakstelling, amv = overrides.get(code, old)
        session.add(Quota(period_id=period.id, municipality_code=code, taakstelling=taakstelling, amv_taakstelling=amv,
                          backlog=state.persons.owed if (state and carry_backlog) else 0,
                          amv_backlog=state.amv.owed if (state and carry_backlog) else 0))
    audit.record(session, actor, "period.open", "period", period.id, name=name, starts_on=starts_on, ends_on=ends_on,
                 carry_backlog=carry_backlog, previous=current.name)
    session.commit()
    return period, True


# --- redistributions --------------------------------------------------------------------------

def list_redistributions(session: Session, period: Period | None = None) -> list[Redistribution]:
    period = period or current_period(session)
    return list(session.scalars(select(Redistribution).where(Redistribution.period_id == period.id).order_by(Redistribution.id)))


def redistribute(session: Session, actor: Actor, reference: str, from_code: str, to_code: str, persons: int,
                 amv_persons: int, reason: str, signal: str | None = None) -> tuple[Redistribution, bool]:
    """Record that ``to_code`` carries out ``persons`` of ``from_code``'s taakstelling in the current
    period.  The national total is unchanged by construction.  The same ``reference`` with the
    same content returns the existing record (``created`` false).  ``signal`` names the signal
    whose suggestion this is (:mod:`api.services.signals`), in the audit event."""
    wanted = (from_code, to_code, persons, amv_persons, reason)
    existing = session.scalar(select(Redistribution).where(Redistribution.reference == reference))
    if existing is not None:
        if (existing.from_code, existing.to_code, existing.persons, existing.amv_persons, existing.reason) == wanted:
            return existing, False
        raise Conflict("redistribution_other", reference=reference, redistribution=existing.id)
    errors = []
    known = hold_quota(session, [from_code, to_code])  # one quota change of a municipality at a time
    for field, code in (("from_municipality", from_code), ("to_municipality", to_code)):
        if code not in known:
            errors.append(FieldError(("body", field), "unknown_municipality", {"code": code}))
    if errors:
        raise Invalid(errors)
    period = current_period(session)
    giver = quota_states(session, period, [from_code])[from_code]
    available = giver.persons.taakstelling + giver.persons.redistributed
    available_amv = giver.amv.taakstelling + giver.amv.redistributed
    if persons > available:
        errors.append(FieldError(("body", "persons"), "too_few_persons", {"code": from_code, "available": available}))
    if amv_persons > available_amv:
        errors.append(FieldError(("body", "amv_persons"), "too_few_amv", {"code": from_code, "available": available_amv}))
    if errors:
        raise Invalid(errors)
    record = Redistribution(reference=reference, period_id=period.id, from_code=from_code, to_code=to_code,
                            persons=persons, amv_persons=amv_persons, reason=reason, created_by=actor.token_id)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:  # the same reference at the same moment
        session.rollback()
        return redistribute(session, actor, reference, from_code, to_code, persons, amv_persons, reason, signal)
    audit.record(session, actor, "redistribution.create", "redistribution", record.id, period=period.name,
                 from_municipality=from_code, to_municipality=to_code, persons=persons, amv_persons=amv_persons,
                 **({"signal": signal} if signal else {}))
    session.commit()
    return record, True


def list_locations(session: Session) -> list[Location]:
    """The reception locations households wait in (their ids go in ``location_id``)."""
    return list(session.scalars(select(Location).order_by(Location.location_id)))
