"""The lines of finished proposal jobs: listed, decided one by one, and what a municipality
sees of them.  (Asking for a job and its states: :mod:`api.services.jobs`; reading the database
for the engine and storing its lines: :mod:`api.engine`; exports: :mod:`api.services.exports`.)

- :func:`decide` accepts a line (records the coupling, or for a house line the move-in that its
  municipality then confirms: :mod:`api.services.moveins`; either updates the quota) or
  refuses it (a ban for later runs).  Deciding the same way again changes nothing; a line whose
  household or home has changed since the job read it cannot be accepted (409).  An accept ends
  the household's lock; a refusal that bans the locked place ends it too.
- An accept that couples persons anew to a municipality (docs/contract.md §4 rule 6: housing a household
  already coupled there uses no quota) must fit the quota it has left *now*, plus the
  ``quota_slack`` the job was run with: other accepts may have used the quota since the engine
  read it.  If it does not fit, the accept is a 409 naming the municipality and what is left,
  unless COA sends ``over_quota`` with a reason, which the audit log records.  The check holds
  the municipality's row (:func:`~api.services.municipalities.hold_quota`), as do uploads of
  couplings and housings and quota changes, so two accepts at once cannot both take the last
  places, and no upload slips in between an accept's check and its commit.
- :func:`list_proposed` and :func:`get_proposed`: the lines proposing households to the
  caller's municipality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.messages import Part, Term
from api.models import Ban, Home, Household, Job, ProposalLine, utcnow
from api.schemas import DecisionIn
from api.services import locks, moveins, recouplings
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound
from api.services.homes import occupied
from api.services.households import standing_line
from api.services.jobs import get_job
from api.services.municipalities import current_period, hold_quota, quota_states

# --- the lines of a job -----------------------------------------------------------------------

def line_counts(session: Session, job_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per job: lines in all, and per decision (``wait`` counts the lines with nothing to decide)."""
    counts = {job_id: {"total": 0, "wait": 0, "pending": 0, "accepted": 0, "refused": 0} for job_id in job_ids}
    if job_ids:
        query = (select(ProposalLine.job_id, ProposalLine.decision, func.count())
                 .where(ProposalLine.job_id.in_(job_ids)).group_by(ProposalLine.job_id, ProposalLine.decision))
        for job_id, decision, n in session.execute(query):
            counts[job_id]["wait" if decision == "none" else decision] += n
            counts[job_id]["total"] += n
    return counts


def list_lines(session: Session, job_id: int, action: str | None = None, decision: str | None = None,
               municipality: str | None = None, household_id: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[ProposalLine], int]:
    get_job(session, job_id)
    query = select(ProposalLine).where(ProposalLine.job_id == job_id)
    for column, value in ((ProposalLine.action, action), (ProposalLine.decision, decision),
                          (ProposalLine.municipality_code, municipality), (ProposalLine.household_id, household_id)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(ProposalLine.id).limit(limit).offset(offset))), total


# --- deciding ---------------------------------------------------------------------------------

def _line(session: Session, job_id: int, line_id: int) -> tuple[Job, ProposalLine]:
    job = get_job(session, job_id)
    line = session.get(ProposalLine, line_id, with_for_update=True)
    if line is None or line.job_id != job_id:
        raise NotFound("no_line", line=line_id, job=job_id)
    return job, line


def decide(session: Session, actor: Actor, job_id: int, line_id: int, data: DecisionIn) -> ProposalLine:
    """Accept or refuse one line; see the module docstring."""
    job, line = _line(session, job_id, line_id)
    wanted = "accepted" if data.decision == "accept" else "refused"
    if line.decision == "none":
        raise Conflict("line_waits_nothing", line=line.id, household=line.household_id, decision=Term(data.decision))
    if line.decision == wanted:
        return line
    if line.decision != "pending":
        raise Conflict("line_decided", line=line.id, decision=Term(line.decision))
    day = data.date or dt.date.today()
    if wanted == "accepted":
        _accept(session, actor, job, line, day, data)
        locks.end_on_accept(session, actor, line)
    else:
        locks.end_on_refusal(session, actor, _refuse(session, actor, job, line, data))
    line.decision = wanted
    line.decided_at = utcnow()
    line.decided_by = actor.token_id
    line.decision_reason = data.reason
    line.decision_date = day if wanted == "accepted" else None
    session.commit()
    return line


def _accept(session: Session, actor: Actor, job: Job, line: ProposalLine, day: dt.date, data: DecisionIn) -> None:
    note = data.reason
    household = session.get(Household, line.household_id, with_for_update=True)
    if household is None or (household.state, household.municipality_code) != (line.was_state, line.was_municipality):
        now = f"{household.state} ({household.municipality_code})" if household and household.municipality_code else (household.state if household else "gone")
        raise Conflict("household_changed", household=line.household_id, job=job.id, now=now)
    if day < household.permit_date or (household.coupling_date and day < household.coupling_date):
        raise Invalid([FieldError(("body", "date"), "date_before_permit")])
    if line.action == "couple":
        over = _check_quota(session, job, line, household, line.municipality_code, data)
        household.state = "coupled"
        household.municipality_code = line.municipality_code
        household.coupling_date = day
        audit.record(session, actor, "line.accept", "line", line.id, job=job.id, household=household.household_id,
                     proposed="couple", municipality=line.municipality_code, date=day, note=note,
                     **({"over_quota": over} if over else {}))
    else:
        home = session.get(Home, line.home_id, with_for_update=True)
        if home is None or home.status != "open":
            raise Conflict("home_gone", home=line.home_id, status=Term(home.status if home else "gone"))
        taken = occupied(session, [home.id]).get(home.id, 0)
        if (home.kind == "regular" and taken) or taken + household.size > home.capacity:
            raise Conflict("home_full", home=home.id, size=household.size, taken=taken, capacity=home.capacity)
        over = _check_quota(session, job, line, household, home.municipality_code, data)
        was_coupled_to = household.municipality_code if household.state == "coupled" else None
        onward = household.state == "temporary"
        left = session.get(Home, household.home_id, with_for_update=True) if onward and household.home_id else None
        move_in = moveins.start(session, household, home, line.id, day)
        if onward:
            # An onward move from a temporary home: coupled and realised for the quota then, so
            # the coupling, the housing date and its period stay; the place it leaves is freed.
            move_in.from_home_id = household.home_id
            move_in.from_date = household.housed_date
        else:
            if household.state != "coupled":
                household.coupling_date = day
            household.housed_date = None
            household.housed_period_id = None
        household.state = "moving_in"  # housed once the municipality confirms (api.services.moveins)
        household.municipality_code = home.municipality_code
        household.home_id = home.id
        session.flush()
        recoupled = None
        if was_coupled_to is not None and was_coupled_to != home.municipality_code:
            # A re-coupling (an approved request, or allow_recoupling): a move, audited; the
            # coupling date stays (the household's clock does not start again).
            recoupled = {"recoupled_from": was_coupled_to,
                         "recoupling": recouplings.complete(session, actor, household, line, was_coupled_to,
                                                            home.municipality_code)}
        if left is not None and left.status == "allocated" and occupied(session, [left.id]).get(left.id, 0) < left.capacity:
            left.status = "open"
            left.updated_at = utcnow()
        if home.kind == "regular" or taken + household.size >= home.capacity:
            home.status = "allocated"
            home.updated_at = utcnow()
            locks.end_on_home(session, actor, home.id, "taken", keep=household.household_id)
        audit.record(session, actor, "line.accept", "line", line.id, job=job.id, household=household.household_id,
                     proposed="house", home=home.id, municipality=home.municipality_code, date=day, note=note,
                     move_in=move_in.id, **(recoupled or {}),
                     **({"onward_from": move_in.from_home_id or household.temporary_home} if onward else {}),
                     **({"over_quota": over} if over else {}))
    household.updated_at = utcnow()


def _check_quota(session: Session, job: Job, line: ProposalLine, household: Household, code: str,
                 data: DecisionIn) -> dict[str, Any] | None:
    """Check that accepting ``line`` fits the quota ``code`` has left now (see the module
    docstring); :class:`Conflict` if not, unless ``data.over_quota``.  What the override went
    over (for the audit log), or ``None`` when it fits."""
    if household.state in ("coupled", "moving_in", "temporary", "housed") and household.municipality_code == code:
        return None  # already coupled there: housing it uses no quota
    # Hold the municipality's row until commit: a second accept into it (or an upload or quota
    # change) waits here, then reads the quota with the first one's coupling counted (a new
    # snapshot per statement on PostgreSQL).
    municipality = hold_quota(session, [code]).get(code)
    if municipality is None:
        raise Conflict("municipality_gone", code=code, line=line.id)
    name = municipality.name
    period = current_period(session)
    state = quota_states(session, period, [code])[code]
    slack = int((job.params or {}).get("quota_slack") or 0)
    persons = household.size
    short = []
    if persons > max(0, state.persons.remaining) + slack:
        places = _places(state.persons.remaining)
        short.append(Part("short_quota_slack", places=places, slack=slack, job=job.id) if slack
                     else Part("short_quota", places=places))
    if household.amv and persons > max(0, state.amv.remaining):
        short.append(Part("short_amv", places=_places(state.amv.remaining), household=household.household_id))
    if not short:
        return None
    over = {"persons": persons, "remaining": state.persons.remaining, "amv_remaining": state.amv.remaining,
            "slack": slack, "period": period.name}
    if data.over_quota:
        return over
    raise Conflict("over_quota", line=line.id, persons=Part("n_persons_one" if persons == 1 else "n_persons", n=persons),
                   household=household.household_id, name=name, code=code, short=short, period=period.name, job=job.id)


def _places(remaining: int) -> Part:
    if remaining <= 0:
        return Part("places_none", remaining=remaining)
    return Part("places_one") if remaining == 1 else Part("places_many", remaining=remaining)


def _refuse(session: Session, actor: Actor, job: Job, line: ProposalLine, data: DecisionIn) -> Ban:
    scope = data.ban or ("home" if line.action == "house" else "municipality")
    if scope == "home" and line.home_id is None:
        raise Invalid([FieldError(("body", "ban"), "ban_needs_home")])
    ban = Ban(household_id=line.household_id, line_id=line.id, reason=data.reason, created_by=actor.token_id,
              home_id=line.home_id if scope == "home" else None,
              municipality_code=line.municipality_code if scope == "municipality" else None)
    session.add(ban)
    audit.record(session, actor, "line.refuse", "line", line.id, job=job.id, household=line.household_id,
                 proposed=line.action, ban=scope, home=ban.home_id, municipality=ban.municipality_code, reason=data.reason)
    return ban


def list_bans(session: Session, household_id: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[Ban], int]:
    query = select(Ban)
    if household_id is not None:
        query = query.where(Ban.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Ban.id).limit(limit).offset(offset))), total


# --- what a municipality sees ------------------------------------------------------------------

@dataclass(frozen=True)
class ProposedLine:
    """A line of a finished job that places a household in the caller's municipality, with
    the household (for what of it the municipality may see: :mod:`api.mapping`), the job's
    as-of date and the proposed home's own reference."""

    line: ProposalLine
    household: Household
    as_of: dt.date
    home_reference: str | None


def _proposed_to(actor: Actor):
    """Lines of finished jobs placing a household in the actor's municipality that COA accepted,
    or may still accept: pending, and the household unchanged since the job read it (a line a
    decision elsewhere made stale is no longer a proposal; a refused one never was)."""
    return (select(ProposalLine, Household, Job.as_of, Home.reference)
            .join(Job, Job.id == ProposalLine.job_id)
            .join(Household, Household.household_id == ProposalLine.household_id)
            .outerjoin(Home, Home.id == ProposalLine.home_id)
            .where(Job.status == "done", ProposalLine.municipality_code == actor.municipality,
                   standing_line()))


def list_proposed(session: Session, actor: Actor, job_id: int | None = None, decision: str | None = None,
                  limit: int = 100, offset: int = 0) -> tuple[list[ProposedLine], int]:
    """The lines proposing households to the actor's municipality (see :func:`_proposed_to`),
    newest job first."""
    query = _proposed_to(actor)
    if job_id is not None:
        query = query.where(ProposalLine.job_id == job_id)
    if decision is not None:
        query = query.where(ProposalLine.decision == decision)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProposalLine.job_id.desc(), ProposalLine.id).limit(limit).offset(offset))
    return [ProposedLine(*row) for row in rows], total


def get_proposed(session: Session, actor: Actor, line_id: int) -> ProposedLine:
    """One such line; any other line (another municipality's, a wait line, a refused or stale
    one, an unknown id) does not exist for the actor."""
    row = session.execute(_proposed_to(actor).where(ProposalLine.id == line_id)).first()
    if row is None:
        raise NotFound("no_line_proposed", line=line_id, code=actor.municipality)
    return ProposedLine(*row)
