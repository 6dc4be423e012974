"""Re-coupling requests (omkoppeling) as a workflow.

A municipality asks to re-couple a household coupled to it, or COA asks for any coupled
household: for example because the household needs a WMO-adapted home that only another
municipality has [001:2465], or as one half of an exchange of status holders between two
municipalities [001:1872] (``exchange_with`` names the other municipality's household, for
information; an exchange decided as one, both households or neither, is
:mod:`api.services.exchanges`).  The request is ``pending`` until COA:

- :func:`approve` (a reason is optional): ``approved``.  From then on every proposal job reads the
  household with the engine's ``may_recouple`` (:func:`approved_households`, used by
  :mod:`api.engine`) for as long as it is still coupled to ``from_municipality``: the engine may
  house it in another municipality in range (contract §4 rule 4; a move, level 3); when the
  request named ``to_municipality``, only there (the engine's ``recouple_to``): the request said
  where it should go, e.g. the municipality of the WMO-adapted home, and COA approved that.  Accepting
  such a line (:func:`api.services.proposals.decide`) is the re-coupling: the request is ``done``
  (:func:`complete`) and the move is audit-logged (``household.recouple``).
- :func:`decline` (a reason is required): ``declined``; the household stays where it is.

The same decision again changes nothing; the other decision after one is a 409, as is any
decision on a ``done`` request.  One open (pending or approved) request per household: another
request for it is a 409 naming the open one, unless it carries the same ``reference``, which is
the same request again (answered unchanged); a household in a pending exchange is a 409 too.
A municipality sees the requests from or to it (another one's: 404) and never decides (403 at
the route).  Each change is one audit event.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api import audit
from api.messages import Term
from api.models import Household, Municipality, ProposalLine, Recoupling, utcnow
from api.schemas import RecouplingIn
from api.services import exchanges
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound

OPEN = ("pending", "approved")


def _visible(actor: Actor):
    return or_(Recoupling.from_municipality == actor.municipality, Recoupling.to_municipality == actor.municipality)


def list_recouplings(session: Session, actor: Actor, status: str | None = None, household_id: str | None = None,
                     limit: int = 100, offset: int = 0) -> tuple[list[Recoupling], int]:
    """The requests the actor may see (a municipality: from or to it), newest first."""
    query = select(Recoupling)
    if not actor.is_coa:
        query = query.where(_visible(actor))
    if status is not None:
        query = query.where(Recoupling.status == status)
    if household_id is not None:
        query = query.where(Recoupling.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Recoupling.id.desc()).limit(limit).offset(offset))), total


def get_recoupling(session: Session, actor: Actor, recoupling_id: int, for_update: bool = False) -> Recoupling:
    found = session.get(Recoupling, recoupling_id, with_for_update=for_update or None)
    if found is None or not (actor.is_coa or actor.municipality in (found.from_municipality, found.to_municipality)):
        raise NotFound("no_recoupling", recoupling=recoupling_id)
    return found


def open_by_household(session: Session, household_ids: list[str]) -> dict[str, Recoupling]:
    """The open (pending or approved) request of each of these households that has one."""
    if not household_ids:
        return {}
    return {r.household_id: r for r in session.scalars(
        select(Recoupling).where(Recoupling.household_id.in_(household_ids), Recoupling.status.in_(OPEN)))}


def _same(found: Recoupling, data: RecouplingIn) -> bool:
    return (found.household_id, found.to_municipality, found.exchange_with, found.reason) == (
        data.household_id, data.to_municipality, data.exchange_with, data.reason)


def _by_reference(session: Session, actor: Actor, data: RecouplingIn) -> Recoupling | None:
    """The request ``data.reference`` names already, if any; a 409 if it is another one."""
    if data.reference is None:
        return None
    found = session.scalar(select(Recoupling).where(Recoupling.reference == data.reference))
    if found is None:
        return None
    if not (actor.is_coa or actor.municipality == found.from_municipality) or not _same(found, data):
        raise Conflict("recoupling_reference", reference=data.reference, recoupling=found.id)
    return found


def request(session: Session, actor: Actor, data: RecouplingIn) -> tuple[Recoupling, bool]:
    """Ask to re-couple ``data.household_id``; the request and whether it is new."""
    again = _by_reference(session, actor, data)
    if again is not None:
        return again, False
    household = session.get(Household, data.household_id, with_for_update=True)
    again = _by_reference(session, actor, data)  # the same request, made meanwhile (a retry at once)
    if again is not None:
        session.rollback()
        return again, False
    if household is None or not (actor.is_coa or household.municipality_code == actor.municipality):
        raise NotFound("no_household", household=data.household_id)
    if household.state != "coupled" or household.municipality_code is None:
        raise Conflict("recoupling_not_coupled", household=household.household_id, state=Term(household.state))
    errors = []
    if data.to_municipality is not None:
        if session.get(Municipality, data.to_municipality) is None:
            errors.append(FieldError(("body", "to_municipality"), "unknown_municipality", {"code": data.to_municipality}))
        elif data.to_municipality == household.municipality_code:
            errors.append(FieldError(("body", "to_municipality"), "recoupling_same",
                                     {"household": household.household_id, "code": data.to_municipality}))
    if data.exchange_with is not None:
        partner = session.get(Household, data.exchange_with)
        if data.exchange_with == household.household_id:
            errors.append(FieldError(("body", "exchange_with"), "recoupling_exchange_self"))
        elif data.to_municipality is None:
            errors.append(FieldError(("body", "to_municipality"), "missing"))
        elif partner is None or partner.state != "coupled" or partner.municipality_code != data.to_municipality:
            errors.append(FieldError(("body", "exchange_with"), "recoupling_exchange",
                                     {"household": data.exchange_with, "code": data.to_municipality}))
    if errors:
        raise Invalid(errors)
    already = session.scalar(select(Recoupling).where(Recoupling.household_id == household.household_id,
                                                      Recoupling.status.in_(OPEN)))
    if already is not None:
        raise Conflict("recoupling_open", household=household.household_id, recoupling=already.id,
                       status=Term(already.status))
    exchange = exchanges.pending_of(session, household.household_id)
    if exchange is not None:
        raise Conflict("recoupling_in_exchange", household=household.household_id, exchange=exchange.id)
    found = Recoupling(reference=data.reference, household_id=household.household_id,
                       from_municipality=household.municipality_code, to_municipality=data.to_municipality,
                       exchange_with=data.exchange_with, reason=data.reason, status="pending",
                       requested_role="coa" if actor.is_coa else "municipality", created_by=actor.token_id)
    session.add(found)
    session.flush()
    audit.record(session, actor, "recoupling.request", "recoupling", found.id, household=found.household_id,
                 from_municipality=found.from_municipality, to_municipality=found.to_municipality,
                 exchange_with=found.exchange_with, reason=found.reason)
    session.commit()
    return found, True


def _decide(session: Session, actor: Actor, recoupling_id: int, wanted: str, reason: str | None) -> Recoupling:
    found = get_recoupling(session, actor, recoupling_id, for_update=True)
    if found.status == wanted:
        return found
    if found.status != "pending":
        raise Conflict("recoupling_decided", recoupling=found.id, status=Term(found.status))
    found.status = wanted
    found.decision_reason = reason
    found.decided_at = utcnow()
    found.decided_by = actor.token_id
    audit.record(session, actor, f"recoupling.{'approve' if wanted == 'approved' else 'decline'}", "recoupling",
                 found.id, household=found.household_id, from_municipality=found.from_municipality,
                 to_municipality=found.to_municipality, reason=reason)
    session.commit()
    return found


def approve(session: Session, actor: Actor, recoupling_id: int, reason: str | None = None) -> Recoupling:
    """COA approves: the next proposals may re-couple the household (see the module)."""
    return _decide(session, actor, recoupling_id, "approved", reason)


def decline(session: Session, actor: Actor, recoupling_id: int, reason: str) -> Recoupling:
    """COA declines, with ``reason``."""
    return _decide(session, actor, recoupling_id, "declined", reason)


def approved_households(session: Session) -> dict[str, str | None]:
    """The households a proposal job may re-couple (an approved request, and still coupled to the
    municipality it was made from), each with the municipality the request asked for: the only
    one it may be re-coupled to (the engine's ``recouple_to``), or ``None`` for any in range."""
    query = (select(Recoupling.household_id, Recoupling.to_municipality)
             .join(Household, Household.household_id == Recoupling.household_id)
             .where(Recoupling.status == "approved", Household.state == "coupled",
                    Household.municipality_code == Recoupling.from_municipality))
    return {household_id: to for household_id, to in session.execute(query)}


def complete(session: Session, actor: Actor, household: Household, line: ProposalLine, from_code: str,
             to_code: str) -> int | None:
    """An accepted line re-couples ``household`` from ``from_code`` to ``to_code`` (in the caller's
    transaction): its approved request is ``done``, and the move is audited.  The request's id."""
    found = session.scalar(select(Recoupling).where(Recoupling.household_id == household.household_id,
                                                    Recoupling.status == "approved",
                                                    Recoupling.from_municipality == from_code).with_for_update())
    if found is not None:
        found.status = "done"
        found.done_line_id = line.id
        found.done_at = utcnow()
    audit.record(session, actor, "household.recouple", "household", household.household_id, line=line.id,
                 job=line.job_id, from_municipality=from_code, to_municipality=to_code, persons=household.size,
                 moves=household.size, recoupling=found.id if found else None)
    return found.id if found else None
