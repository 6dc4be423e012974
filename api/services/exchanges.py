"""Exchanges of status holders between two municipalities (uitwisseling [001:1872]) as one request.

Two municipalities agree to swap a household each: ``household_a``, coupled to municipality A,
is to be coupled to municipality B, and ``household_b``, coupled to B, to A.  One request names
both (:func:`request`): the municipality of either household may ask (and sees it, as does the
other one), or COA for any two coupled households.  It is ``pending`` until COA decides, for
both households at once:

- :func:`approve` (a reason is optional): both households are re-coupled at once, each to the
  other's municipality, in one transaction: ``approved``, and there is no later step.  Unlike a
  single re-coupling (:mod:`api.services.recouplings`, where the request only lets the next
  proposal choose a home elsewhere), an exchange names where each household goes, so COA's
  approval is the re-coupling itself; the next proposal houses each household in its new
  municipality as any coupled household.  Each household keeps its ``coupling_date`` (its clock
  does not start again), stays ``coupled``, and its active lock ends (``changed``); lines of
  earlier jobs that placed it in its old municipality can no longer be accepted (the household
  changed since the job read it).
- :func:`decline` (a reason is required): ``declined``; both stay where they are.

**Quota.**  A coupled household counts in its municipality's ``coupled`` persons
(:func:`api.services.municipalities.quota_states`), so the exchange moves each household's
persons with it: a swap of two households of the same size (and the same AMV persons) leaves both
municipalities' ``coupled``, and so their ``remaining``, unchanged; otherwise the municipality
that receives the larger household gains the difference.  Approving checks that difference
against what that municipality has left *now* (holding both municipalities' rows, as an accept
does); if it does not fit, approving is a 409 naming the municipality, unless COA sends
``over_quota`` with a reason, which the audit log records.  ``realised`` is not touched: neither
household is housed.

**Validation.**  Both households exist (one the caller may see: else 404), differ, are
``coupled`` (else 409) to two different municipalities (else 422 at ``household_b``), and neither
has an open re-coupling request or is in another pending exchange (409 naming it); a single
re-coupling request for a household in a pending exchange is a 409 too.  Both households' rows
are held (in id order) while this is checked, so two requests at once cannot both take one
household.  The same ``reference`` with the same households and reason is the same request again
(answered unchanged); with others it is a 409.  When COA decides, both households must still be
coupled to the municipalities the request names (else 409: decline it).  The same decision again
changes nothing; the other decision after one is a 409.  A municipality never decides (403 at the
route).  Each change is one audit event naming both households: ``exchange.request``,
``exchange.approve`` (the re-coupling of both: ``moves`` the persons re-coupled), ``exchange.decline``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api import audit
from api.messages import Part, Term
from api.models import Exchange, Household, Recoupling, utcnow
from api.schemas import ExchangeIn
from api.services import locks
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound
from api.services.municipalities import current_period, hold_quota, quota_states

OPEN = ("pending",)


def _involves(code: str | None):
    return or_(Exchange.municipality_a == code, Exchange.municipality_b == code)


def _households(household_id: str):
    return or_(Exchange.household_a == household_id, Exchange.household_b == household_id)


def list_exchanges(session: Session, actor: Actor, status: str | None = None, household_id: str | None = None,
                   limit: int = 100, offset: int = 0) -> tuple[list[Exchange], int]:
    """The exchanges the actor may see (a municipality: those involving it), newest first."""
    query = select(Exchange)
    if not actor.is_coa:
        query = query.where(_involves(actor.municipality))
    if status is not None:
        query = query.where(Exchange.status == status)
    if household_id is not None:
        query = query.where(_households(household_id))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Exchange.id.desc()).limit(limit).offset(offset))), total


def get_exchange(session: Session, actor: Actor, exchange_id: int, for_update: bool = False) -> Exchange:
    found = session.get(Exchange, exchange_id, with_for_update=for_update or None)
    if found is None or not (actor.is_coa or actor.municipality in (found.municipality_a, found.municipality_b)):
        raise NotFound("no_exchange", exchange=exchange_id)
    return found


def pending_by_household(session: Session, household_ids: list[str]) -> dict[str, Exchange]:
    """The pending exchange of each of these households that is in one."""
    if not household_ids:
        return {}
    found: dict[str, Exchange] = {}
    for e in session.scalars(select(Exchange).where(Exchange.status.in_(OPEN), or_(
            Exchange.household_a.in_(household_ids), Exchange.household_b.in_(household_ids)))):
        found[e.household_a] = found[e.household_b] = e
    return found


def pending_of(session: Session, household_id: str) -> Exchange | None:
    """The pending exchange ``household_id`` is in, if any (for :mod:`api.services.recouplings`)."""
    return session.scalar(select(Exchange).where(Exchange.status.in_(OPEN), _households(household_id)).limit(1))


def _same(found: Exchange, data: ExchangeIn) -> bool:
    return (found.household_a, found.household_b, found.reason) == (data.household_a, data.household_b, data.reason)


def request(session: Session, actor: Actor, data: ExchangeIn) -> tuple[Exchange, bool]:
    """Ask to exchange ``data.household_a`` and ``data.household_b``; the request and whether it is new."""
    again = _by_reference(session, actor, data)
    if again is not None:
        return again, False
    if data.household_a == data.household_b:
        raise Invalid([FieldError(("body", "household_b"), "exchange_self")])
    held = {h.household_id: h for h in session.scalars(
        select(Household).where(Household.household_id.in_(sorted({data.household_a, data.household_b})))
        .order_by(Household.household_id).with_for_update())}
    again = _by_reference(session, actor, data)  # the same request, made meanwhile (a retry at once)
    if again is not None:
        session.rollback()
        return again, False
    a, b = held.get(data.household_a), held.get(data.household_b)
    if not actor.is_coa:
        own = [h for h in (a, b) if h is not None and h.municipality_code == actor.municipality]
        if not own:  # neither household is this municipality's: nothing of them is shown
            raise NotFound("no_household", household=data.household_a)
        if len(own) == 2:
            raise Invalid([FieldError(("body", "household_b"), "exchange_same_municipality",
                                      {"household": data.household_b, "code": actor.municipality})])
        mine, field, other = (a, "household_b", b) if own[0] is a else (b, "household_a", a)
        assert mine is not None
        if mine.state != "coupled":
            raise Conflict("recoupling_not_coupled", household=mine.household_id, state=Term(mine.state))
        if other is None or other.state != "coupled" or other.municipality_code is None:
            # another municipality's household: what it is, is not the caller's to learn
            raise Invalid([FieldError(("body", field), "exchange_partner",
                                      {"household": data.household_b if field == "household_b" else data.household_a})])
    else:
        for h, key in ((a, data.household_a), (b, data.household_b)):
            if h is None:
                raise NotFound("no_household", household=key)
            if h.state != "coupled" or h.municipality_code is None:
                raise Conflict("recoupling_not_coupled", household=key, state=Term(h.state))
    assert a is not None and b is not None and a.municipality_code is not None and b.municipality_code is not None
    if a.municipality_code == b.municipality_code:
        raise Invalid([FieldError(("body", "household_b"), "exchange_same_municipality",
                                  {"household": b.household_id, "code": a.municipality_code})])
    for h in (a, b):
        _not_open(session, h.household_id)
    found = Exchange(reference=data.reference, household_a=a.household_id, municipality_a=a.municipality_code,
                     household_b=b.household_id, municipality_b=b.municipality_code, reason=data.reason,
                     status="pending", requested_role="coa" if actor.is_coa else "municipality",
                     requested_by=None if actor.is_coa else actor.municipality, created_by=actor.token_id)
    session.add(found)
    session.flush()
    audit.record(session, actor, "exchange.request", "exchange", found.id, **_sides(found), reason=found.reason)
    session.commit()
    return found, True


def _by_reference(session: Session, actor: Actor, data: ExchangeIn) -> Exchange | None:
    """The request ``data.reference`` names already, if any; a 409 if it is another one."""
    if data.reference is None:
        return None
    found = session.scalar(select(Exchange).where(Exchange.reference == data.reference))
    if found is None:
        return None
    visible = actor.is_coa or actor.municipality in (found.municipality_a, found.municipality_b)
    if not visible or not _same(found, data):
        raise Conflict("exchange_reference", reference=data.reference, exchange=found.id)
    return found


def _not_open(session: Session, household_id: str) -> None:
    single = session.scalar(select(Recoupling).where(Recoupling.household_id == household_id,
                                                     Recoupling.status.in_(("pending", "approved"))))
    if single is not None:
        raise Conflict("recoupling_open", household=household_id, recoupling=single.id, status=Term(single.status))
    other = pending_of(session, household_id)
    if other is not None:
        raise Conflict("exchange_open", household=household_id, exchange=other.id)


def _sides(e: Exchange) -> dict[str, Any]:
    return {"households": [e.household_a, e.household_b], "household_a": e.household_a,
            "municipality_a": e.municipality_a, "household_b": e.household_b, "municipality_b": e.municipality_b}


def _decide(session: Session, actor: Actor, exchange_id: int, wanted: str, reason: str | None,
            over_quota: bool = False) -> Exchange:
    found = get_exchange(session, actor, exchange_id, for_update=True)
    if found.status == wanted:
        return found
    if found.status != "pending":
        raise Conflict("exchange_decided", exchange=found.id, status=Term(found.status))
    detail: dict[str, Any] = {}
    if wanted == "approved":
        detail = _swap(session, actor, found, over_quota)
    found.status = wanted
    found.decision_reason = reason
    found.decided_at = utcnow()
    found.decided_by = actor.token_id
    audit.record(session, actor, f"exchange.{'approve' if wanted == 'approved' else 'decline'}", "exchange", found.id,
                 **_sides(found), reason=reason, **detail)
    session.commit()
    return found


def _swap(session: Session, actor: Actor, found: Exchange, over_quota: bool) -> dict[str, Any]:
    """Re-couple both households of ``found`` (in the caller's transaction); what the audit event records."""
    held = {h.household_id: h for h in session.scalars(
        select(Household).where(Household.household_id.in_(sorted({found.household_a, found.household_b})))
        .order_by(Household.household_id).with_for_update())}
    pairs = ((found.household_a, found.municipality_a), (found.household_b, found.municipality_b))
    for household_id, code in pairs:
        h = held.get(household_id)
        if h is None or (h.state, h.municipality_code) != ("coupled", code):
            now = f"{h.state} ({h.municipality_code})" if h and h.municipality_code else (h.state if h else "gone")
            raise Conflict("exchange_changed", exchange=found.id, household=household_id, code=code, now=now)
    a, b = held[found.household_a], held[found.household_b]
    over = _check_quota(session, found, a, b, over_quota)
    a.municipality_code, b.municipality_code = found.municipality_b, found.municipality_a
    a.updated_at = b.updated_at = utcnow()
    locks.end_on_change(session, actor, [a.household_id, b.household_id])
    return {"persons_a": a.size, "persons_b": b.size, "moves": a.size + b.size,
            **({"over_quota": over} if over else {})}


def _amv(h: Household) -> int:
    return h.size if h.amv else 0


def _check_quota(session: Session, found: Exchange, a: Household, b: Household,
                 over_quota: bool) -> list[dict[str, Any]] | None:
    """Check that the municipality receiving more persons than it gives has them left now (see the
    module); :class:`Conflict` if not, unless ``over_quota``.  What the override went over, or ``None``."""
    municipalities = hold_quota(session, [found.municipality_a, found.municipality_b])
    period = current_period(session)
    states = quota_states(session, period, [found.municipality_a, found.municipality_b])
    over = []
    for code, gets, gives in ((found.municipality_a, b, a), (found.municipality_b, a, b)):
        persons, amv = gets.size - gives.size, _amv(gets) - _amv(gives)
        state = states[code]
        short = []
        if persons > 0 and persons > max(0, state.persons.remaining):
            short.append(Part("short_quota", places=_places(state.persons.remaining)))
        if amv > 0 and amv > max(0, state.amv.remaining):
            short.append(Part("short_amv", places=_places(state.amv.remaining), household=gets.household_id))
        if not short:
            continue
        if not over_quota:
            m = municipalities.get(code)
            raise Conflict("exchange_over_quota", exchange=found.id, name=m.name if m else code, code=code,
                           persons=Part("n_persons_one" if persons == 1 else "n_persons", n=persons), short=short,
                           period=period.name)
        over.append({"municipality": code, "persons": persons, "remaining": state.persons.remaining,
                     "amv_persons": amv, "amv_remaining": state.amv.remaining, "period": period.name})
    return over or None


def _places(remaining: int) -> Part:
    if remaining <= 0:
        return Part("places_none", remaining=remaining)
    return Part("places_one") if remaining == 1 else Part("places_many", remaining=remaining)


def approve(session: Session, actor: Actor, exchange_id: int, reason: str | None = None,
            over_quota: bool = False) -> Exchange:
    """COA approves: both households are re-coupled now (see the module)."""
    return _decide(session, actor, exchange_id, "approved", reason, over_quota)


def decline(session: Session, actor: Actor, exchange_id: int, reason: str) -> Exchange:
    """COA declines, with ``reason``: both stay where they are."""
    return _decide(session, actor, exchange_id, "declined", reason)
